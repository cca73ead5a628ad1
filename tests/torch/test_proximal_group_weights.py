"""Proximal(group="rows", group_weights="sqrt"): each unit's prox with the step times sqrt(unit size),
checked against block soft-thresholding written here and against lpnet's SparseGroup prox."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn

from lpnet.penalties import SparseGroup
from lpnet.torch import Proximal


def _rows_prox(w, lam):
    out = np.zeros_like(w)
    for g, row in enumerate(w):
        norm = np.linalg.norm(row)
        if norm > lam:
            out[g] = row * (1 - lam / norm)
    return out


@pytest.mark.parametrize("lr", [0.05, 0.4])
def test_sqrt_weights_scale_each_rows_threshold(lr):
    torch.manual_seed(0)
    model = nn.Linear(9, 5, bias=False)
    with torch.no_grad():
        model.weight.copy_(torch.randn(5, 9, dtype=torch.float32))
    before = model.weight.detach().double().numpy().copy()
    opt = Proximal(torch.optim.SGD(model.parameters(), lr=lr), "l1", alpha=0.7, group="rows", group_weights="sqrt")
    opt.apply_prox()
    got = model.weight.detach().double().numpy()
    np.testing.assert_allclose(got, _rows_prox(before, lr * 0.7 * 3.0), rtol=1e-5, atol=1e-6)
    # lpnet's group lasso prox on the rows as groups (default weights sqrt(9) = 3) is the same map
    groups = np.repeat(np.arange(5), 9)
    reference = SparseGroup(0.7, groups).prox(before.ravel(), lr).reshape(5, 9)
    np.testing.assert_allclose(got, reference, rtol=1e-5, atol=1e-6)


def test_group_weights_need_rows_and_a_known_rule():
    params = [nn.Parameter(torch.zeros(3, 3))]
    with pytest.raises(ValueError, match="group='rows'"):
        Proximal(torch.optim.SGD(params, lr=0.1), "l1", alpha=0.1, group_weights="sqrt")
    with pytest.raises(ValueError, match="None or 'sqrt'"):
        Proximal(torch.optim.SGD(params, lr=0.1), "l1", alpha=0.1, group="rows", group_weights="size")


def test_state_dict_keeps_the_group_weights():
    params = [nn.Parameter(torch.ones(2, 4))]
    opt = Proximal(torch.optim.SGD(params, lr=0.1), "l1", alpha=0.1, group="rows", group_weights="sqrt")
    other = Proximal(torch.optim.SGD(params, lr=0.1), "l1", alpha=0.1, group="rows")
    other.load_state_dict(opt.state_dict())
    assert other.group_weights == "sqrt" and "group_weights='sqrt'" in repr(other)
