"""Proximal steps: the tensor proxes against lpnet's scalar kernels, the group prox against its closed
form, convergence to lpnet's Lasso, exact zeros, and optimizer behaviour (state_dict, closure, lr)."""

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn

import lpnet
from lpnet.penalties import L1, L2, ElasticNet, Lp
from lpnet.torch import PenaltyConfig, Proximal, penalty, prox_tensor

STEPS = [1e-3, 0.1, 1.0, 7.5]
CASES = [
    (PenaltyConfig("l1", 0.6), L1(0.6)),
    (PenaltyConfig("elasticnet", 0.6, l1_ratio=0.3), ElasticNet(0.6, 0.3)),
    (PenaltyConfig("l2", 0.6), L2(0.6)),
    (PenaltyConfig("lp", 0.6, p=0.5), Lp(0.6, 0.5)),
    (PenaltyConfig("lp", 0.6, p=2 / 3), Lp(0.6, 2 / 3)),
    (PenaltyConfig("lp", 0.6, p=0.3), Lp(0.6, 0.3)),
    (PenaltyConfig("lp", 0.6, p=1.5), Lp(0.6, 1.5)),
]


@pytest.mark.parametrize(("config", "reference"), CASES, ids=lambda c: getattr(c, "shape", ""))
@pytest.mark.parametrize("step", STEPS)
def test_tensor_prox_equals_lpnet_scalar_prox(config, reference, step):
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(scale=3.0, size=400), [0.0, 1e-9, -1e-9, 50.0, -50.0]])
    got = prox_tensor(torch.from_numpy(x).reshape(5, 81), step, config).reshape(-1).numpy()
    expected = reference.prox(x, step)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(got == 0, expected == 0)


def _block_soft_threshold(rows, lam):
    out = np.zeros_like(rows)
    for g, row in enumerate(rows):
        norm = np.linalg.norm(row)
        if norm > lam:
            out[g] = row * (1 - lam / norm)
    return out


@pytest.mark.parametrize("step", [0.05, 0.5, 2.0])
def test_group_prox_is_block_soft_thresholding(step):
    rng = np.random.default_rng(1)
    alpha = 0.8
    w = rng.normal(size=(12, 7))
    got = prox_tensor(torch.from_numpy(w), step, PenaltyConfig("l1", alpha, group="rows")).numpy()
    np.testing.assert_allclose(got, _block_soft_threshold(w, step * alpha), rtol=1e-13, atol=1e-15)
    # conv weight: groups are output channels (dim 0); ConvTranspose: dim 1
    conv = rng.normal(size=(6, 3, 2, 2))
    got = prox_tensor(torch.from_numpy(conv), step, PenaltyConfig("l1", alpha, group="rows")).numpy()
    np.testing.assert_allclose(
        got.reshape(6, -1), _block_soft_threshold(conv.reshape(6, -1), step * alpha), rtol=1e-13, atol=1e-15
    )
    got = prox_tensor(torch.from_numpy(conv), step, PenaltyConfig("l1", alpha, group="rows"), dim=1).numpy()
    ref = _block_soft_threshold(conv.transpose(1, 0, 2, 3).reshape(3, -1), step * alpha)
    np.testing.assert_allclose(got.transpose(1, 0, 2, 3).reshape(3, -1), ref, rtol=1e-13, atol=1e-15)
    # Elastic Net groups: block soft-thresholding by lam * rho, then the ridge shrink
    got = prox_tensor(torch.from_numpy(w), step, PenaltyConfig("elasticnet", alpha, 0.25, group="rows")).numpy()
    lam = step * alpha
    np.testing.assert_allclose(got, _block_soft_threshold(w, lam * 0.25) / (1 + lam * 0.75), rtol=1e-13)


def _regression(n=120, d=15, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    coef = np.zeros(d)
    coef[:4] = [2.0, -1.5, 1.0, 0.5]
    y = X @ coef + 0.3 + 0.5 * rng.normal(size=n)
    return X, y


def _fit_torch(X, y, alpha, *, prox, steps=3000):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(X.shape[1], 1)).double()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    lr = 1.0 / np.linalg.eigvalsh(X.T @ X / len(y)).max()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    if prox:
        opt = Proximal(opt, "l1", alpha, model=model)
    for _ in range(steps):
        loss = 0.5 * (model(Xt).squeeze(1) - yt).square().mean()  # lpnet's squared datafit
        if not prox:
            loss = loss + penalty(model, "l1", alpha)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model[0].weight.detach().numpy().ravel(), float(model[0].bias.detach())


def test_proximal_sgd_converges_to_lpnet_lasso_with_exact_zeros():
    X, y = _regression()
    alpha = 0.2
    ref = lpnet.Lasso(alpha=alpha, tol=1e-12).fit(X, y)
    w, b = _fit_torch(X, y, alpha, prox=True)
    np.testing.assert_array_equal(w == 0, ref.coef_ == 0)
    assert (ref.coef_ == 0).sum() >= 5
    np.testing.assert_allclose(w, ref.coef_, atol=1e-8)
    assert b == pytest.approx(ref.intercept_, abs=1e-8)
    # the same penalty as a loss term: (sub)gradient steps leave no exact zero
    w_sub, _ = _fit_torch(X, y, alpha, prox=False)
    assert (w_sub == 0).sum() == 0


def _mlp(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(6, 16), nn.LayerNorm(16), nn.ReLU(), nn.Linear(16, 3))


def _batches(seed=0, k=30):
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(32, 6, generator=g), torch.randint(0, 3, (32,), generator=g)) for _ in range(k)]


def _train(model, opt, batches):
    for x, y in batches:

        def closure(x=x, y=y):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            return loss

        loss = opt.step(closure)
    return loss


def test_biases_and_norm_layers_are_never_thresholded():
    model = _mlp()
    opt = Proximal(torch.optim.SGD(model.parameters(), lr=0.1), "l1", alpha=100.0, model=model)
    loss = _train(model, opt, _batches(k=3))
    assert torch.is_tensor(loss)  # step(closure) returns the closure's loss
    assert (model[0].weight == 0).all() and (model[3].weight == 0).all()
    assert (model[0].bias != 0).any() and (model[1].weight != 0).all()


def test_state_dict_round_trip_resumes_identically():
    batches = _batches(k=40)
    model = _mlp()
    opt = Proximal(torch.optim.Adam(model.parameters(), lr=1e-2), "elasticnet", 0.5, l1_ratio=0.7, model=model)
    _train(model, opt, batches[:20])
    saved_model = {k: v.clone() for k, v in model.state_dict().items()}
    saved_opt = copy.deepcopy(opt.state_dict())  # state_dict holds references, as torch's does
    _train(model, opt, batches[20:])

    resumed = _mlp(seed=1)
    resumed.load_state_dict(saved_model)
    # built with another penalty on purpose: load_state_dict restores the saved configuration
    opt2 = Proximal(torch.optim.Adam(resumed.parameters(), lr=1.0), "l1", 0.5, model=resumed)
    opt2.load_state_dict(saved_opt)
    assert opt2.config == opt.config
    _train(resumed, opt2, batches[20:])
    for a, b in zip(model.parameters(), resumed.parameters()):
        assert torch.equal(a, b)
    assert (model[0].weight == 0).any()


@pytest.mark.filterwarnings("ignore:Detected call of:UserWarning")
def test_prox_follows_the_current_learning_rate():
    w = nn.Parameter(torch.tensor([[0.5, -0.05, 0.2]], dtype=torch.float64))
    opt = Proximal(torch.optim.SGD([w], lr=0.1), "l1", alpha=1.0)
    sched = torch.optim.lr_scheduler.StepLR(opt.optimizer, step_size=1, gamma=2.0)
    sched.step()  # lr 0.1 -> 0.2: the threshold becomes 0.2
    opt.apply_prox()
    torch.testing.assert_close(w.detach(), torch.tensor([[0.3, 0.0, 0.0]], dtype=torch.float64))


def test_optimizer_interface_and_errors():
    model = _mlp()
    inner = torch.optim.SGD(model.parameters(), lr=0.1)
    opt = Proximal(inner, "lp", 1e-3, p=0.5, model=model)
    assert opt.param_groups is inner.param_groups and opt.state is inner.state
    model(torch.randn(2, 6)).sum().backward()
    opt.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    assert "p=0.5" in repr(opt)
    with pytest.raises(TypeError):
        Proximal(model, "l1", 0.1)
    with pytest.raises(ValueError, match="kind"):
        Proximal(inner, "l0", 0.1)
    with pytest.raises(ValueError, match="none of the model"):
        Proximal(torch.optim.SGD(model[0].parameters(), lr=0.1), "l1", 0.1, model=nn.Linear(2, 2))
    with pytest.raises(KeyError):
        opt.load_state_dict({"optimizer": inner.state_dict()})


def test_group_prox_removes_whole_output_units():
    from lpnet.torch import sparsity_report

    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(2, 6, 3), nn.ReLU(), nn.ConvTranspose2d(6, 5, 2), nn.Flatten(), nn.Linear(5 * 7 * 7, 4)
    )
    opt = Proximal(torch.optim.SGD(model.parameters(), lr=0.1), "l1", 0.5, group="rows", model=model)
    x, y = torch.randn(8, 2, 8, 8), torch.randint(0, 4, (8,))
    for _ in range(20):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    conv_rows = model[0].weight.detach().flatten(1).norm(dim=1)
    convt_rows = model[2].weight.detach().transpose(0, 1).flatten(1).norm(dim=1)  # output channels: dim 1
    assert (conv_rows == 0).any() and (convt_rows == 0).any()
    # a unit is either entirely zero or has no zero entry created by the group prox
    for w, dim in ((model[0].weight, 0), (model[2].weight, 1), (model[4].weight, 0)):
        rows = w.detach().transpose(0, dim).flatten(1)
        assert torch.all((rows == 0).all(dim=1) | (rows != 0).all(dim=1))
    report = sparsity_report(model)
    records = report.to_dict("records") if hasattr(report, "to_dict") else report  # pandas or not
    rows = {r["name"]: r for r in records}
    assert rows["0.weight"]["zero_units"] == int((conv_rows == 0).sum())
    assert rows["2.weight"]["zero_units"] == int((convt_rows == 0).sum())
