"""``--groups FILE|SPEC``: the group lasso and the sparse-group lasso on the command line.

With ``--groups`` the features are partitioned into groups and ``--penalty`` names the penalty inside
each group: ``l1`` (the default) gives the group lasso ``alpha sum_g sqrt(|g|) ||w_g||_2``, and
``elasticnet`` the sparse-group lasso, ``--l1-ratio R`` being the share of the L1 part
(``alpha sum_g [R ||w_g||_1 + (1 - R) sqrt(|g|) ||w_g||_2]``).  The groups are given as

* a file (CSV or text) with one group label per feature, in the features' order, separated by commas,
  spaces or new lines; or with one ``feature,label`` pair per line (by the features' names);
* a spec: ``"0-3,4-6,7"`` (each comma-separated item one group: a column index or an inclusive range,
  0-based) or ``"a:0,1,2;b:3-4;age,sex"`` (groups separated by ``;``, an optional ``label:`` prefix, the
  members column indices, ranges or feature names).

Every column must be in exactly one group (overlap is not supported).  ``--lower-bounds``,
``--upper-bounds`` and ``--positive`` put a box on the grouped coefficients as on any other (the fit is
then certified by its optimality violation with the box's normal cone).
"""

from __future__ import annotations

import os

from .common import UsageError, one_line

__all__ = [
    "add_groups_option",
    "check_groups_options",
    "group_cv_estimator",
    "group_estimator",
    "group_fit_models",
    "group_path_label",
    "group_penalty",
]

#: the penalties ``--groups`` turns into a group penalty: the one inside each group
GROUP_FORMS = ("l1", "elasticnet")


def add_groups_option(parser) -> None:
    """Add ``--groups FILE|SPEC`` (``fit``, ``path``, ``cv``)."""
    parser.add_argument(
        "--groups",
        metavar="FILE|SPEC",
        help="fit the group lasso (--penalty l1) or the sparse-group lasso (--penalty elasticnet, --l1-ratio: "
        "the L1 share) on these groups of features: a file of one group label per feature, or a spec "
        "such as '0-3,4-6,7' or 'a:0,1,2;b:3,4' (column indices, ranges or feature names)",
    )


def check_groups_options(args) -> None:
    """With ``--groups``, ``--penalty`` must be one of :data:`GROUP_FORMS` (or left out)."""
    if getattr(args, "groups", None) is None:
        return
    if args.penalty is not None and args.penalty not in GROUP_FORMS:
        raise UsageError(
            "--groups takes --penalty l1 (group lasso) or elasticnet (sparse-group lasso), "
            f"got --penalty {args.penalty}"
        )
    if not args.groups.strip():
        raise UsageError("--groups is empty: give a file of group labels or a spec such as '0-3,4-6,7'")
    if getattr(args, "l1_ratio", None) is not None and args.penalty != "elasticnet":
        raise UsageError("--l1-ratio with --groups needs --penalty elasticnet (the sparse-group lasso)")


def _l1_ratios(args, values: dict) -> list:
    """The L1 shares: 0 for ``--penalty l1``, else the ``--l1-ratio`` value(s) of ``values``."""
    if args.penalty in (None, "l1"):
        return [0.0]
    ratios = values.get("l1_ratio", 0.5)
    return [float(r) for r in ratios] if isinstance(ratios, list) else [float(ratios)]


def _column(token: str, names: list) -> list[int]:
    """Column indices of one member token: an index, an inclusive range ``a-b`` or a feature name."""
    token = token.strip()
    if token in names:
        return [names.index(token)]
    if token.isdigit():
        return [int(token)]
    lo, sep, hi = token.partition("-")
    if sep and lo.strip().isdigit() and hi.strip().isdigit():
        a, b = int(lo), int(hi)
        if b < a:
            raise UsageError(f"--groups: the range {token!r} runs backwards")
        return list(range(a, b + 1))
    raise UsageError(f"--groups: {token!r} is neither a column index, a range a-b nor a feature name")


def _from_spec(spec: str, names: list) -> list:
    """One label per column from a spec (see the module docstring)."""
    items = spec.split(";") if ";" in spec else spec.split(",")
    labels: list = [None] * len(names)
    for k, item in enumerate(i for i in items if i.strip()):
        label, colon, members = item.rpartition(":") if ":" in item else ("", "", item)
        label = label.strip() if colon else str(k)
        tokens = members.split(",") if ";" in spec else [members]
        for token in tokens:
            for j in _column(token, names):
                if not 0 <= j < len(names):
                    raise UsageError(f"--groups names column {j}, but the columns are numbered 0 .. {len(names) - 1}")
                if labels[j] is not None:
                    raise UsageError(
                        f"--groups puts column {j} ({names[j]}) in two groups: overlapping groups are not supported"
                    )
                labels[j] = label
    missing = [names[j] for j, label in enumerate(labels) if label is None]
    if missing:
        raise UsageError(
            f"--groups leaves {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''} in no group: every "
            "feature must belong to exactly one group"
        )
    return labels


def _from_file(path: str, names: list) -> list:
    """One label per column from a file (see the module docstring)."""
    with open(path, encoding="utf-8") as handle:
        lines = [line.strip() for line in handle if line.strip()]
    pairs = [line.split(",") for line in lines]
    if pairs and all(len(p) == 2 for p in pairs) and len(pairs) != 1:
        mapping = {f.strip(): g.strip() for f, g in pairs}
        mapping = {f: g for f, g in mapping.items() if f in names}  # (a header row names no feature)
        missing = [n for n in names if n not in mapping]
        if missing:
            raise UsageError(f"--groups {path}: no group for feature(s) {', '.join(map(str, missing[:5]))}")
        return [mapping[n] for n in names]
    labels = [token for line in lines for token in line.replace(",", " ").split()]
    if len(labels) != len(names):
        raise UsageError(
            f"--groups {path} holds {len(labels)} labels but the data have {len(names)} features: give one "
            "group label per feature, in order"
        )
    return labels


def _labels(args, names) -> list:
    names = [str(n) for n in names]
    if os.path.isfile(args.groups):
        return _from_file(args.groups, names)
    return _from_spec(args.groups, names)


def group_penalty(args, names, values: dict, alpha: float = 1.0):
    """The :class:`~lpnet.penalties.SparseGroup` of ``--groups`` and ``--penalty`` for the data's features
    (``values``: the shape options, :func:`lpnet.cli.menu.shape_values`; the first ``--l1-ratio``)."""
    from ..penalties import SparseGroup

    try:
        return SparseGroup(alpha, _labels(args, names), _l1_ratios(args, values)[0])
    except ValueError as exc:
        raise UsageError(f"--groups: {one_line(exc)}") from None


def _label(penalty) -> str:
    if penalty.l1_ratio == 0.0:
        return f"GroupLasso({penalty.n_groups} groups)"
    return f"SparseGroupLasso(l1_ratio={penalty.l1_ratio:g}, {penalty.n_groups} groups)"


def group_estimator(args, names, values: dict, datafit, alpha: float, **options):
    """``(label, short label, estimator)`` of ``lpnet fit --groups``."""
    from ..estimators import GroupLasso, SparseGroupLasso

    penalty = group_penalty(args, names, values, alpha)
    labels = penalty.labels[penalty.codes]
    if penalty.l1_ratio == 0.0:
        return _label(penalty), "GL", GroupLasso(labels, alpha, datafit=datafit, **options)
    model = SparseGroupLasso(labels, alpha, l1_ratio=penalty.l1_ratio, datafit=datafit, **options)
    return _label(penalty), "SGL", model


def group_fit_models(args, names, alpha: float, datafit, **options) -> list:
    """The one model of ``lpnet fit --groups``, as ``lpnet fit`` lists its models:
    ``[(label, short label, estimator, what an optimality violation means)]``."""
    from . import menu

    values = menu.shape_values(args, args.penalty or "l1")
    label, short, model = group_estimator(args, names, values, datafit, alpha, **options)
    return [(label, short, model, "(KKT)")]


def group_path_label(penalty) -> str:
    """How ``lpnet path --groups`` names its penalty."""
    return _label(penalty)


def group_cv_estimator(args, names, values: dict, datafit, **options):
    """``(label, estimator)`` of ``lpnet cv --groups``: every ``--l1-ratio`` value is cross-validated."""
    from ..model_selection import GroupLassoCV, SparseGroupLassoCV

    penalty = group_penalty(args, names, values)
    labels = penalty.labels[penalty.codes]
    if penalty.l1_ratio == 0.0:
        return f"GroupLasso({penalty.n_groups} groups)", GroupLassoCV(labels, datafit=datafit, **options)
    est = SparseGroupLassoCV(labels, l1_ratio=_l1_ratios(args, values), datafit=datafit, **options)
    return f"SparseGroupLasso({penalty.n_groups} groups)", est
