"""Any penalty of lpnet's registry, or any Penalty instance, in the PyTorch layer: a penalty registered
by a test (not shipped, no torch code of its own) proxes and differentiates as its numpy methods say;
the torch forms of the shipped penalties are chosen from the penalty object and stay differentiable twice."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn

from lpnet.penalties import L1, ElasticNet, Lp, make_penalty, penalty_names
from lpnet.torch import PenaltyConfig, Proximal, penalty, prox_tensor
from lpnet.torch.penalty import GenericForm, PowerForm, ShrinkForm, tensor_penalty

from ..explorer.throwaway import NAME, by_hand, register


@pytest.fixture
def cubic(monkeypatch):
    return register(monkeypatch)


def _weight(seed=0, shape=(6, 9)):
    rng = np.random.default_rng(seed)
    return rng.normal(scale=0.8, size=shape)


@pytest.mark.parametrize("as_instance", [False, True])
def test_prox_step_is_the_penalty_prox(cubic, as_instance):
    w0 = _weight()
    w = nn.Parameter(torch.from_numpy(w0.copy()))
    lr, alpha = 0.5, 0.7
    sgd = torch.optim.SGD([w], lr=lr)
    opt = Proximal(sgd, cubic(alpha, 2.0)) if as_instance else Proximal(sgd, NAME, alpha, cubic=2.0)
    opt.apply_prox()
    expected = cubic(alpha, 2.0).prox(w0.ravel(), lr).reshape(w0.shape)
    got = w.detach().numpy()
    np.testing.assert_array_equal(got == 0.0, expected == 0.0)
    assert 0 < np.sum(expected == 0.0) < expected.size  # some exact zeros, not all
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=0.0)
    assert opt.config.alpha == alpha and "cubic=2.0" in repr(opt)


def test_prox_of_float32_weights_keeps_exact_zeros(cubic):
    w0 = _weight(1).astype(np.float32)
    got = prox_tensor(torch.from_numpy(w0), 0.5, PenaltyConfig(NAME, 0.7, params={"cubic": 0.5})).numpy()
    expected = cubic(0.7, 0.5).prox(w0.astype(np.float64).ravel(), 0.5).reshape(w0.shape)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got == 0.0, expected == 0.0)
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_term_value_and_gradient(cubic):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3)).double()
    alpha, c = 0.3, 1.5
    value = penalty(model, NAME, alpha, cubic=c)
    weights = [model[0].weight, model[2].weight]
    assert value.item() == pytest.approx(sum(by_hand(w.detach().numpy(), alpha, c) for w in weights), rel=1e-12)
    value.backward()
    assert model[0].bias.grad is None  # biases stay unpenalized
    # the gradient against a central difference, at entries away from 0 (the kink)
    config = PenaltyConfig(NAME, alpha, params={"cubic": c})
    for w in weights:
        x = w.detach().clone()
        assert torch.all(x.abs() > 1e-3)
        h = 1e-6
        for idx in [(0, 0), (1, 2), (2, 1)]:
            up, down = x.clone(), x.clone()
            up[idx] += h
            down[idx] -= h
            fd = (tensor_penalty(up, config) - tensor_penalty(down, config)).item() / (2 * h)
            assert w.grad[idx].item() == pytest.approx(fd, rel=1e-7)
    # at an exact zero the gradient is the minimum-norm subgradient, 0
    w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    tensor_penalty(w, config).backward()
    assert torch.equal(w.grad, torch.zeros(3, dtype=torch.float64))


def test_group_rows_for_a_registered_penalty(cubic):
    # convex with an L1 part: group="rows" applies the penalty to each unit's norm
    w0 = _weight(2)
    w0[::2] *= 0.2  # small units, which the prox removes
    alpha, c, step = 0.4, 1.0, 2.0
    config = PenaltyConfig(NAME, alpha, group="rows", params={"cubic": c})
    norms = np.linalg.norm(w0, axis=1)
    assert tensor_penalty(torch.from_numpy(w0), config).item() == pytest.approx(by_hand(norms, alpha, c), rel=1e-12)
    shrunk = cubic(alpha, c).prox(norms, step)
    expected = w0 * (shrunk / norms)[:, None]
    got = prox_tensor(torch.from_numpy(w0), step, config).numpy()
    assert 0 < np.sum(shrunk == 0.0) < len(norms)
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=0.0)
    np.testing.assert_array_equal(np.all(got == 0.0, axis=1), shrunk == 0.0)


def test_state_dict_keeps_the_shape_parameters(cubic):
    w = nn.Parameter(torch.from_numpy(_weight()))
    opt = Proximal(torch.optim.SGD([w], lr=0.1), NAME, 0.2, cubic=3.0)
    saved = opt.state_dict()
    assert saved["penalty"]["kind"] == NAME and saved["penalty"]["params"] == {"cubic": 3.0}
    other = Proximal(torch.optim.SGD([w], lr=0.1), "l1", 0.5)
    other.load_state_dict(saved)
    assert other.config == opt.config and other.config.penalty.cubic == 3.0


def test_forms_come_from_the_penalty_object(cubic):
    assert isinstance(PenaltyConfig(NAME, 0.1).form, GenericForm)
    assert PenaltyConfig(NAME, 0.1).shape == NAME
    for config, form, shape in [
        (PenaltyConfig("l1", 0.1), ShrinkForm, "l1"),
        (PenaltyConfig("lp", 0.1, p=1.0), ShrinkForm, "l1"),
        (PenaltyConfig("lp", 0.1, p=2.0), ShrinkForm, "l2"),
        (PenaltyConfig("elasticnet", 0.1, 0.3), ShrinkForm, "elasticnet"),
        (PenaltyConfig("l1", 0.0), ShrinkForm, "l1"),
        (PenaltyConfig("lp", 0.1, p=0.5), PowerForm, "half"),
        (PenaltyConfig("lp", 0.1, p=2 / 3), PowerForm, "two_thirds"),
        (PenaltyConfig("lp", 0.1, p=1.5), PowerForm, "lp"),
    ]:
        assert isinstance(config.form, form) and config.shape == shape


def test_instances_of_registered_classes_are_stored_by_name():
    config = PenaltyConfig(ElasticNet(0.5, 0.3))
    assert config == PenaltyConfig("elasticnet", 0.5, 0.3) and config.as_dict()["kind"] == "elasticnet"
    assert PenaltyConfig(Lp(0.2, 0.5), alpha=0.7) == PenaltyConfig("lp", 0.7, p=0.5)
    with pytest.raises(ValueError, match="weights"):
        PenaltyConfig(L1(0.1, weights=[1.0, 2.0]))
    with pytest.raises(TypeError, match="gamma"):
        PenaltyConfig("l1", 0.1, params={"gamma": 3.0})
    with pytest.raises(ValueError, match="group"):
        PenaltyConfig("lp", 0.1, p=0.5, group="rows")


def test_torch_forms_are_twice_differentiable():
    # the reason the shipped penalties keep their torch formulas: Hessian-vector products work
    w = torch.tensor([0.5, -2.0, 3.0], dtype=torch.float64, requires_grad=True)
    for config, hessian in [
        (PenaltyConfig("l2", 0.3), 0.3 * torch.ones(3, dtype=torch.float64)),
        (PenaltyConfig("lp", 0.3, p=3.0), 0.3 * 2.0 * w.detach().abs()),
    ]:
        (grad,) = torch.autograd.grad(tensor_penalty(w, config), w, create_graph=True)
        (hvp,) = torch.autograd.grad(grad.sum(), w)
        torch.testing.assert_close(hvp, hessian)


def test_generic_term_is_differentiable_once(cubic):
    w = torch.tensor([0.5, -2.0], dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(tensor_penalty(w, PenaltyConfig(NAME, 1.0)), w, create_graph=True)
    torch.testing.assert_close(grad, torch.tensor([1.25, -5.0], dtype=torch.float64))
    with pytest.raises(RuntimeError):
        torch.autograd.grad(grad.sum(), w)
    assert math.isnan(PenaltyConfig(NAME, 1.0).penalty.exponent)


@pytest.mark.parametrize("name", penalty_names())
def test_every_registered_penalty_proxes_and_differentiates(name):
    # whatever the registry holds when the tests run, through whichever form it takes on tensors
    w0 = _weight(3)
    w0[0, :3] = [0.0, 1e-9, -1e-9]
    config = PenaltyConfig(name, 0.4)
    reference = make_penalty(name, 0.4)
    got = prox_tensor(torch.from_numpy(w0), 0.7, config).numpy()
    expected = reference.prox(w0.ravel(), 0.7).reshape(w0.shape)
    np.testing.assert_array_equal(got == 0.0, expected == 0.0)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    w = torch.from_numpy(w0[1:]).requires_grad_(True)  # rows without zeros
    value = tensor_penalty(w, config)
    assert value.item() == pytest.approx(reference.value(w0[1:].ravel()), rel=1e-12)
    value.backward()
    slope = np.sign(w0[1:]) * reference.subdiff_distance(w0[1:].ravel(), np.zeros(w0[1:].size)).reshape(w0[1:].shape)
    np.testing.assert_allclose(w.grad.numpy(), slope, rtol=1e-9, atol=1e-12)
