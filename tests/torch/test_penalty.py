"""The penalty term against hand computations in docs/conventions.md's scaling and lpnet's own penalties."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn

from lpnet.penalties import L1, L2, ElasticNet, Lp
from lpnet.torch import penalty


def _model():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(2, 3, 3),
        nn.BatchNorm2d(3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(12, 5),
        nn.LayerNorm(5),
        nn.Linear(5, 2),
    ).double()


def _weights(model):
    return [model[0].weight.detach().numpy(), model[4].weight.detach().numpy(), model[6].weight.detach().numpy()]


@pytest.mark.parametrize(
    ("kind", "kw", "hand", "ref"),
    [
        ("l1", {}, lambda w, a: a * np.abs(w).sum(), lambda a: L1(a)),
        ("l2", {}, lambda w, a: a / 2 * (w**2).sum(), lambda a: L2(a)),
        (
            "elasticnet",
            {"l1_ratio": 0.3},
            lambda w, a: a * (0.3 * np.abs(w).sum() + 0.35 * (w**2).sum()),
            lambda a: ElasticNet(a, 0.3),
        ),
        ("lp", {"p": 0.5}, lambda w, a: a / 0.5 * np.sqrt(np.abs(w)).sum(), lambda a: Lp(a, 0.5)),
        ("lp", {"p": 1.5}, lambda w, a: a / 1.5 * (np.abs(w) ** 1.5).sum(), lambda a: Lp(a, 1.5)),
    ],
)
def test_value_matches_conventions(kind, kw, hand, ref):
    model, alpha = _model(), 0.37
    got = penalty(model, kind, alpha, **kw).item()
    ws = _weights(model)
    assert got == pytest.approx(sum(hand(w, alpha) for w in ws), rel=1e-12)
    assert got == pytest.approx(sum(ref(alpha).value(w.ravel()) for w in ws), rel=1e-12)


def test_group_value_is_sum_of_row_norms():
    model, alpha = _model(), 0.2
    expected = sum(alpha * np.linalg.norm(w.reshape(w.shape[0], -1), axis=1).sum() for w in _weights(model))
    assert penalty(model, "l1", alpha, group="rows").item() == pytest.approx(expected, rel=1e-12)
    en = sum(
        alpha * (0.4 * np.linalg.norm(w.reshape(w.shape[0], -1), axis=1).sum() + 0.3 * (w**2).sum())
        for w in _weights(model)
    )
    assert penalty(model, "elasticnet", alpha, l1_ratio=0.4, group="rows").item() == pytest.approx(en, rel=1e-12)


def test_gradient_of_l2_penalty_is_alpha_w_on_weights_only():
    model = _model()
    penalty(model, "l2", 0.3).backward()
    torch.testing.assert_close(model[4].weight.grad, 0.3 * model[4].weight.detach())
    assert model[4].bias.grad is None and model[1].weight.grad is None


def test_lp_below_one_has_finite_gradient_at_zero():
    model = nn.Sequential(nn.Linear(3, 2))
    with torch.no_grad():
        model[0].weight[0] = 0.0
    penalty(model, "lp", 0.1, p=0.5).backward()
    assert torch.isfinite(model[0].weight.grad).all()
    assert (model[0].weight.grad[0] == 0).all()


def test_bad_configuration_raises():
    model = _model()
    with pytest.raises(ValueError, match="kind"):
        penalty(model, "l3", 0.1)
    with pytest.raises(ValueError, match="alpha"):
        penalty(model, "l1", -0.1)
    with pytest.raises(ValueError, match="group"):
        penalty(model, "l2", 0.1, group="rows")
    with pytest.raises(ValueError, match="p must be"):
        penalty(model, "lp", 0.1, p=0.0)
