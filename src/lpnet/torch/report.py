"""How sparse a network is: exact zeros per parameter."""

from __future__ import annotations

import torch

from .groups import split_parameters
from .penalty import group_norms, output_dims

COLUMNS = ("name", "module", "shape", "numel", "zeros", "zero_fraction", "zero_units", "units", "l1", "l2", "penalized")


def sparsity_report(model, **exclusion):
    """Exact zeros, norms and shape of every parameter of a model.

    Parameters
    ----------
    model : torch.nn.Module
    **exclusion
        ``exclude_bias``, ``exclude_norm``, ``exclude_embedding``, ``exclude`` as in
        :func:`lpnet.torch.split_parameters`; they only fill the ``penalized`` column.

    Returns
    -------
    pandas.DataFrame or list of dict
        One row per parameter (shared parameters once) with columns ``name``, ``module`` (type of the
        owning module), ``shape`` (tuple), ``numel``, ``zeros`` (entries exactly equal to 0),
        ``zero_fraction``, ``zero_units`` (output units, i.e. rows of a Linear weight or output channels
        of a Conv weight, that are entirely 0, the structured sparsity of ``group="rows"``), ``units``,
        ``l1``, ``l2`` (Euclidean norm) and ``penalized``.  A ``pandas.DataFrame`` when pandas is
        installed, otherwise a list of dicts with those keys.
    """
    split = split_parameters(model, **exclusion)
    penalized = {id(w) for _, w in split.penalized}
    owners = {}
    for module in model.modules():
        for p in module.parameters(recurse=False):
            owners.setdefault(id(p), type(module).__name__)
    dims = output_dims(model)
    rows = []
    with torch.no_grad():
        for name, w in model.named_parameters():
            dim = dims.get(id(w), 0)
            # a ConvTranspose with groups > 1 (dim -1) has no single output dimension: count entries
            norms = group_norms(w, dim) if dim >= 0 else w.abs().reshape(-1)
            rows.append(
                {
                    "name": name,
                    "module": owners[id(w)],
                    "shape": tuple(w.shape),
                    "numel": w.numel(),
                    "zeros": int((w == 0).sum()),
                    "zero_fraction": float((w == 0).sum()) / max(w.numel(), 1),
                    "zero_units": int((norms == 0).sum()),
                    "units": int(norms.numel()),
                    "l1": float(w.abs().sum()),
                    "l2": float(torch.linalg.vector_norm(w)),
                    "penalized": id(w) in penalized,
                }
            )
    try:
        import pandas as pd
    except ImportError:
        return rows
    return pd.DataFrame(rows, columns=list(COLUMNS))
