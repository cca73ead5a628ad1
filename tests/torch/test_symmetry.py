"""Scale symmetry: rescale keeps a ReLU network's function (float64), refuses what would change it;
balance lowers the L2 penalty to the balanced minimum without changing the function."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn

from lpnet.torch import balance, rescale


def _mlp(act=nn.ReLU, seed=0, widths=(5, 8, 7, 3)):
    torch.manual_seed(seed)
    layers = []
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(act())
    return nn.Sequential(*layers).double()


X = torch.randn(64, 5, generator=torch.Generator().manual_seed(1), dtype=torch.float64)


@pytest.mark.parametrize("act", [nn.ReLU, lambda: nn.LeakyReLU(0.2), nn.PReLU, nn.Identity])
@pytest.mark.parametrize("c", [1e-3, 0.37, 25.0, "per-unit"])
def test_rescale_keeps_the_function(act, c):
    model = _mlp(act).double()
    with torch.no_grad():
        before = model(X)
        w0 = model[0].weight.clone()
    factors = torch.linspace(0.1, 5.0, 8, dtype=torch.float64) if c == "per-unit" else c
    rescale(model, 0, factors)
    rescale(model, 2, 3.0)
    with torch.no_grad():
        assert (model(X) - before).abs().max() < 1e-6 * before.abs().max()
        expected = w0 * (factors[:, None] if c == "per-unit" else c)
        torch.testing.assert_close(model[0].weight, expected)


def test_same_multiplication_changes_a_tanh_network():
    model = _mlp(nn.Tanh)
    with torch.no_grad():
        before = model(X)
        model[0].weight.mul_(3.0)
        model[0].bias.mul_(3.0)
        model[2].weight.div_(3.0)
        assert (model(X) - before).abs().max() > 1e-2


@pytest.mark.parametrize("act", [nn.Tanh, nn.Sigmoid, nn.GELU, nn.ReLU6, nn.Softplus])
def test_non_homogeneous_activation_raises(act):
    with pytest.raises(TypeError, match="not positively homogeneous"):
        rescale(_mlp(act), 0, 2.0)
    with pytest.raises(TypeError, match="not positively homogeneous"):
        balance(_mlp(act))


def test_bad_arguments_raise():
    model = _mlp()
    for c in (0.0, -1.0, float("nan"), float("inf"), torch.tensor([1.0, -1.0] * 4)):
        with pytest.raises(ValueError, match="c must be"):
            rescale(model, 0, c)
    with pytest.raises(ValueError, match="one factor per unit"):
        rescale(model, 0, torch.ones(3))
    with pytest.raises(TypeError, match="not a Linear"):
        rescale(model, 1, 2.0)
    with pytest.raises(ValueError, match="no next Linear"):
        rescale(model, 4, 2.0)
    with pytest.raises(IndexError):
        rescale(model, 9, 2.0)
    with pytest.raises(TypeError, match="Sequential"):
        rescale(nn.Linear(2, 2), 0, 2.0)


def _l2(model):
    return 0.5 * sum(float((m.weight.detach() ** 2).sum()) for m in model if isinstance(m, nn.Linear))


def test_balance_reaches_the_balanced_minimum_without_changing_the_function():
    model = _mlp(widths=(5, 9, 8, 6, 3))
    rng = np.random.default_rng(0)
    for i in (0, 2, 4):  # unbalance the units at random
        rescale(model, i, torch.from_numpy(np.exp(rng.uniform(-2, 2, model[i].out_features))))
    with torch.no_grad():
        before = model(X)
    expected_before = _l2(model)
    result = balance(model, tol=1e-14)
    assert result.converged
    assert result.penalty_before == pytest.approx(expected_before, rel=1e-12)
    assert result.penalty_after == pytest.approx(_l2(model), rel=1e-12)
    assert result.penalty_after < 0.5 * result.penalty_before
    with torch.no_grad():
        assert (model(X) - before).abs().max() < 1e-10
        # the optimality condition: each hidden unit's incoming and outgoing norms are equal
        for i, j in ((0, 2), (2, 4), (4, 6)):
            n_in = model[i].weight.norm(dim=1)
            n_out = model[j].weight.norm(dim=0)
            torch.testing.assert_close(n_in, n_out, rtol=1e-5, atol=0)
    # a different random unbalancing of the same network reaches the same minimum (it is unique)
    other = _mlp(widths=(5, 9, 8, 6, 3))
    rescale(other, 2, torch.from_numpy(np.exp(rng.uniform(-3, 3, 8))))
    assert balance(other, tol=1e-14).penalty_after == pytest.approx(result.penalty_after, rel=1e-8)
