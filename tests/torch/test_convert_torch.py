"""The torch conventions of convert, checked on real optimizer steps: SGD weight_decay is the L2 penalty
alpha = wd; AdamW's decoupled decay is w <- (1 - lr wd) w, equal to the penalty only without Adam's
preconditioning."""

import warnings

import pytest

torch = pytest.importorskip("torch")
from torch import nn

from lpnet.conventions import convert
from lpnet.torch import decay_param_groups, penalty


def _setup(seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 2)).double()
    x = torch.randn(16, 5, dtype=torch.float64)
    y = torch.randn(16, 2, dtype=torch.float64)
    return model, x, y


def _loss(model, x, y):
    return (model(x) - y).square().mean()


def _clone(model):
    other, _, _ = _setup()
    other.load_state_dict(model.state_dict())
    return other


def test_sgd_weight_decay_is_the_l2_penalty():
    wd, lr = 0.03, 0.1
    model, x, y = _setup()
    twin = _clone(model)
    decayed = torch.optim.SGD(decay_param_groups(model, wd), lr=lr, momentum=0.9)
    penalized = torch.optim.SGD(twin.parameters(), lr=lr, momentum=0.9)
    alpha = convert(wd, "torch_weight_decay", "alpha")
    for _ in range(5):
        decayed.zero_grad()
        _loss(model, x, y).backward()
        decayed.step()
        penalized.zero_grad()
        (_loss(twin, x, y) + penalty(twin, "l2", alpha)).backward()
        penalized.step()
    for a, b in zip(model.parameters(), twin.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-14)


def test_adamw_decay_is_decoupled_and_matches_l2_only_without_preconditioning():
    wd, lr = 0.05, 0.01
    model, x, y = _setup()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        alpha = convert(wd, "adamw_weight_decay", "alpha", lr=lr)
    # torch's AdamW step = Adam's step from the same gradient, applied to (1 - lr wd) w
    adamw_model, adam_model = _clone(model), _clone(model)
    adamw = torch.optim.AdamW(adamw_model.parameters(), lr=lr, weight_decay=wd)
    adam = torch.optim.Adam(adam_model.parameters(), lr=lr)
    for m, opt in ((adamw_model, adamw), (adam_model, adam)):
        opt.zero_grad()
        _loss(m, x, y).backward()
        opt.step()
    for w0, w_adamw, w_adam in zip(model.parameters(), adamw_model.parameters(), adam_model.parameters()):
        torch.testing.assert_close(w_adamw, (1 - lr * wd) * w0 + (w_adam - w0), rtol=1e-12, atol=1e-14)
    # with plain gradient steps that decoupled update is the gradient step on loss + L2(alpha)
    decoupled, sgd_model = _clone(model), _clone(model)
    grads = torch.autograd.grad(_loss(decoupled, x, y), list(decoupled.parameters()))
    with torch.no_grad():
        for w, g in zip(decoupled.parameters(), grads):
            w.mul_(1 - lr * wd).sub_(lr * g)
    sgd = torch.optim.SGD(sgd_model.parameters(), lr=lr)
    (_loss(sgd_model, x, y) + penalty(sgd_model, "l2", alpha, exclude_bias=False)).backward()
    sgd.step()
    for a, b in zip(decoupled.parameters(), sgd_model.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-14)
    # with Adam, an L2 term of the same alpha is a different update (AdamW's reason to exist)
    l2_adam_model = _clone(model)
    l2_adam = torch.optim.Adam(l2_adam_model.parameters(), lr=lr)
    (_loss(l2_adam_model, x, y) + penalty(l2_adam_model, "l2", alpha, exclude_bias=False)).backward()
    l2_adam.step()
    gap = max(float((a - b).detach().abs().max()) for a, b in zip(adamw_model.parameters(), l2_adam_model.parameters()))
    assert gap > 1e-5


def test_the_guide_example_runs_as_written():
    """The neural-network example of the user guide is complete: it runs as it stands and ends with exact
    zeros in the penalized weights (and none in the biases, which are never penalized)."""
    import pathlib
    import re

    page = pathlib.Path(__file__).resolve().parents[2] / "docs" / "guide" / "neural_networks.md"
    readme = page.read_text(encoding="utf-8")
    section = readme[readme.index("# Neural networks") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "neural_networks.md", "exec"), namespace)
    report = namespace["report"]
    assert list(report["name"]) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert (report.loc[report["penalized"], "zeros"] > 0).all()
    assert (report.loc[~report["penalized"], "zeros"] == 0).all()
