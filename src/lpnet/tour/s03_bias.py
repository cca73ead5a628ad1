"""Section 3: why the intercept (a network's biases) is not penalized.

Penalizing the intercept is the same as appending a column of ones to ``X`` and fitting with
``fit_intercept=False``: the constant then pays the penalty like any weight.  Measured on ice-cream
sales against temperature (a target with a large mean): the bias this puts into the predictions,
and translation equivariance — shifting every target by ``c`` should shift every prediction by
``c`` — which only a free intercept preserves.  The same check is made on a small neural network
when PyTorch is installed.
"""

from __future__ import annotations

import numpy as np

from ._finding import Figure, Finding
from .style import COLORS, PENALTY_COLORS, new_figure

N_TRAIN = 60
TRUE_INTERCEPT = 150.0
TRUE_SLOPE = 12.0  # ice creams per degree Celsius
NOISE = 20.0
SHIFT = 1000.0
RIDGE_ALPHA = 1.0
LASSO_ALPHA = 5.0
NET_DECAY = 0.1
NET_HIDDEN = 4
NET_STEPS = 300


def _sales(rng, n):
    temperature = rng.uniform(10.0, 35.0, n)
    return temperature, TRUE_INTERCEPT + TRUE_SLOPE * temperature + NOISE * rng.standard_normal(n)


class _Linear:
    """A linear fit with the intercept free, or penalized like a weight (a column of ones)."""

    def __init__(self, make, penalized: bool):
        self.make, self.penalized = make, penalized

    def _design(self, t):
        t = np.asarray(t, dtype=float)[:, None]
        return np.hstack([t, np.ones_like(t)]) if self.penalized else t

    def fit(self, t, y):
        self.model = self.make(fit_intercept=not self.penalized).fit(self._design(t), y)
        return self

    @property
    def intercept(self) -> float:
        return float(self.model.coef_[1] if self.penalized else self.model.intercept_)

    def predict(self, t):
        return self.model.predict(self._design(t))


def _shift_error(make, penalized, t, y, t_eval, shift=SHIFT) -> float:
    """max |pred_{y+c}(t) - pred_y(t) - c|: zero when predictions are translation equivariant."""
    base = _Linear(make, penalized).fit(t, y).predict(t_eval)
    shifted = _Linear(make, penalized).fit(t, y + shift).predict(t_eval)
    return float(np.max(np.abs(shifted - base - shift)))


def _net_fits(t, y, t_eval, *, seed, steps):
    """Fit a one-hidden-layer tanh network to ``y`` and to ``y + SHIFT``, with the biases free or
    decayed like the weights.  Returns {penalize_biases: (pred_y, pred_shifted)} on ``t_eval``, or
    None when PyTorch is not installed.

    PyTorch computes the gradients; scipy's L-BFGS-B takes the steps (``torch.optim`` would also
    import its compiler stack, seconds of start-up for a 13-parameter network).
    """
    try:
        import torch
    except ImportError:
        return None
    from scipy.optimize import minimize
    from threadpoolctl import threadpool_limits

    x = torch.tensor((t - 22.5) / 7.5, dtype=torch.float64)  # inputs scaled to about [-1, 1]
    x_eval = torch.tensor((t_eval - 22.5) / 7.5, dtype=torch.float64)
    h = NET_HIDDEN

    def net(theta, inputs):
        w1, b1, w2, b2 = theta[:h], theta[h : 2 * h], theta[2 * h : 3 * h], theta[3 * h]
        return torch.tanh(inputs[:, None] * w1 + b1) @ w2 + b2

    # PyTorch's default initialisation of nn.Linear (uniform in +-1/sqrt(fan_in)), drawn with numpy
    rng = np.random.default_rng(seed)
    start = np.concatenate([rng.uniform(-1, 1, 2 * h), rng.uniform(-1, 1, h + 1) / np.sqrt(h)])
    # 13 parameters and 60 samples: BLAS and OpenMP threads only add overhead, and the tiny L-BFGS
    # steps stall for milliseconds each when those threads compete for busy cores
    with threadpool_limits(limits=1):
        out = {}
        for penalize_biases in (False, True):
            mask = np.ones(3 * h + 1)
            if not penalize_biases:
                mask[h : 2 * h] = mask[3 * h] = 0.0
            mask_t = torch.tensor(mask)
            preds = []
            for target in (y, y + SHIFT):
                target_t = torch.tensor(target, dtype=torch.float64)
                theta0 = start.copy()
                # the usual start: the output bias at the target mean.  With free biases the two runs then
                # take the same steps, shifted by c, so equivariance holds up to rounding.
                theta0[3 * h] = float(target.mean())

                def loss_grad(theta, target_t=target_t, mask_t=mask_t):
                    th = torch.tensor(theta, requires_grad=True)
                    loss = 0.5 * torch.mean((net(th, x) - target_t) ** 2) + 0.5 * NET_DECAY * torch.sum(mask_t * th**2)
                    loss.backward()
                    return float(loss.detach()), th.grad.numpy().copy()

                res = minimize(
                    loss_grad,
                    theta0,
                    jac=True,
                    method="L-BFGS-B",
                    options={"maxiter": steps, "gtol": 1e-12, "ftol": 1e-15},
                )
                with torch.no_grad():
                    preds.append(net(torch.tensor(res.x), x_eval).numpy().copy())
            out[penalize_biases] = tuple(preds)
    return out


def run(*, quick: bool, seed: int) -> Finding:
    """Measure the intercept's bias and the translation equivariance, free vs penalized."""
    from .. import Lasso, Ridge

    def ridge(**kw):
        return Ridge(alpha=RIDGE_ALPHA, **kw)

    def lasso(**kw):
        return Lasso(alpha=LASSO_ALPHA, tol=1e-10, max_iter=1000, **kw)

    rng = np.random.default_rng(seed)
    t, y = _sales(rng, N_TRAIN)
    t_test, y_test = _sales(rng, 2000)
    fits = {pen: _Linear(ridge, pen).fit(t, y) for pen in (False, True)}
    bias = {pen: float(np.mean(y_test - f.predict(t_test))) for pen, f in fits.items()}
    errors = {
        (name, pen): _shift_error(make, pen, t, y, t_test)
        for name, make in (("ridge", ridge), ("lasso", lasso))
        for pen in (False, True)
    }
    t_grid = np.linspace(10.0, 35.0, 101)
    nets = _net_fits(t, y, t_grid, seed=seed, steps=NET_STEPS)
    # an L1-penalized intercept pays alpha per unit whatever its size, so a shift that keeps its sign
    # is absorbed exactly; one that flips the sign is not
    flip = -2.0 * (fits[False].intercept + y.mean())
    lasso_flip_error = _shift_error(lasso, True, t, y, t_test, shift=flip)
    lasso_pen = _Linear(lasso, True).fit(t, y)

    measured = {
        "target_mean": float(y.mean()),
        "true_intercept": TRUE_INTERCEPT,
        "ridge_intercept_free": fits[False].intercept,
        "ridge_intercept_penalized": fits[True].intercept,
        "ridge_slope_free": float(fits[False].model.coef_[0]),
        "ridge_slope_penalized": float(fits[True].model.coef_[0]),
        "mean_test_residual_free": bias[False],
        "mean_test_residual_penalized": bias[True],
        "shift_c": SHIFT,
        "ridge_shift_error_free": errors[("ridge", False)],
        "ridge_shift_error_penalized": errors[("ridge", True)],
        "lasso_shift_error_free": errors[("lasso", False)],
        "lasso_shift_error_penalized": errors[("lasso", True)],
        "lasso_sign_flipping_shift": flip,
        "lasso_shift_error_penalized_sign_flip": lasso_flip_error,
        "lasso_mean_train_residual_penalized": float(np.mean(y - lasso_pen.predict(t))),
        "lasso_alpha": LASSO_ALPHA,
        "torch_available": nets is not None,
    }
    tiny, large = 1e-6 * SHIFT, 1e-2 * SHIFT
    holds = [errors[("ridge", False)] < tiny, errors[("lasso", False)] < tiny]
    breaks = [errors[("ridge", True)] > large]
    net_part = "; network not checked (PyTorch not installed)"
    if nets is not None:
        net_err = {pen: float(np.max(np.abs(s - b - SHIFT))) for pen, (b, s) in nets.items()}
        measured["net_shift_error_free_biases"] = net_err[False]
        measured["net_shift_error_penalized_biases"] = net_err[True]
        holds.append(net_err[False] < tiny)
        breaks.append(net_err[True] > large)
        net_part = f"; network {net_err[False]:.1e} vs {net_err[True]:.3g}"
    lasso_keeps = errors[("lasso", True)] < tiny
    if all(holds) and all(breaks):
        verdict = "partly" if lasso_keeps else "supports"
    else:
        verdict = "partly" if any(holds) else "contradicts"
    lasso_part = (
        f"; but an L1-penalized intercept stays equivariant ({errors[('lasso', True)]:.1e}) unless the "
        f"shift flips its sign ({lasso_flip_error:.3g}), at the price of a constant bias "
        f"{measured['lasso_mean_train_residual_penalized']:.2f} = alpha"
        if lasso_keeps
        else f"; Lasso {errors[('lasso', False)]:.1e} vs {errors[('lasso', True)]:.3g}"
    )
    summary = (
        f"shift c = {SHIFT:g}: Ridge error {errors[('ridge', False)]:.1e} with a free intercept vs "
        f"{errors[('ridge', True)]:.3g} with a penalized one{net_part}{lasso_part}: {verdict}"
    )
    net_text = (
        f"<p>The network (one hidden layer of {NET_HIDDEN} tanh units, gradients by PyTorch, L-BFGS, weight decay "
        f"{NET_DECAY:g}) behaves like Ridge. With free biases, training on the shifted targets from the shifted "
        "start reproduces the first run plus c, up to "
        f"{measured['net_shift_error_free_biases']:.0e} (the two runs round differently and the optimizer "
        "amplifies that a little); decaying the biases too pulls the output towards zero by an amount that "
        f"depends on c, so the shift is not passed through "
        f"(error {measured['net_shift_error_penalized_biases']:.3g}).</p>"
        if nets is not None
        else "<p>PyTorch is not installed, so the neural-network version of this check was skipped.</p>"
    )
    text = (
        f"<p>Ice-cream sales against the day's temperature: {N_TRAIN} days, mean sales about {y.mean():.0f}. "
        f"Ridge (alpha = {RIDGE_ALPHA:g}) with a free intercept, and with the intercept penalized (a column of "
        "ones, <code>fit_intercept=False</code>). The penalty pulls the penalized intercept towards zero "
        f"({fits[True].intercept:.1f} instead of {fits[False].intercept:.1f}); since the temperature is never "
        "near zero, the slope tilts to compensate and the predictions become biased — too high on hot days, "
        "too low on cold ones.</p>"
        "<p>The deeper reason is translation equivariance. Measuring sales from a different baseline "
        f"(adding c = {SHIFT:g} to every target) should add c to every prediction and change nothing else. "
        "With a free intercept it does, to rounding error, because the intercept absorbs c at no cost. "
        "With a penalized intercept, absorbing c costs penalty, so the model absorbs only part of it and "
        "the answer depends on an arbitrary choice of origin.</p>"
        f"<p>One exception, measured here: the Lasso (alpha = {LASSO_ALPHA:g}) with a penalized intercept. "
        "An L1 penalty charges alpha per unit of intercept whatever its size, so the optimum always leaves "
        "a mean training residual of exactly alpha "
        f"({measured['lasso_mean_train_residual_penalized']:.3f}) — a constant bias — and absorbs any "
        "further shift that keeps the intercept's sign. A shift that flips the sign "
        f"(c = {flip:.0f}) breaks it (error {lasso_flip_error:.3g}). So the claim holds fully for "
        "the squared (L2, weight-decay) penalty, and only in this weaker sense for L1.</p>" + net_text
    )
    return Finding(
        id="bias",
        number=3,
        title="Why the intercept is not penalized",
        question="Why do we penalize the weights but not the intercept (a network's biases)?",
        claim="Penalizing the intercept biases the predictions towards zero and breaks translation "
        "equivariance: adding c to the targets should add c to the predictions, which holds only "
        "when the intercept is free.",
        measured=measured,
        verdict=verdict,
        summary=summary,
        text=text,
        figures=[
            Figure(
                _figure(t, y, fits, ridge, lasso, t_test, nets, t_grid),
                "Left: ice-cream sales and the Ridge fits with a free and a penalized intercept. "
                "Middle: translation-equivariance error max|pred(y+c) − pred(y) − c| against the shift c "
                "(log scale; rounding-level errors are drawn at 1e-12) — the Lasso's penalized intercept stays "
                "equivariant for these positive shifts, see the text. Right: the neural network's fit to "
                f"y and its fit to y + {SHIFT:g}, shifted back by {SHIFT:g}.",
            )
        ],
    )


def _figure(t, y, fits, ridge, lasso, t_test, nets, t_grid):
    fig, axes = new_figure(3, 1, width=4.0, height=3.4)
    ax = axes[0]
    ax.scatter(t, y, s=14, color=COLORS["grey"], label="days")
    ax.plot(t_grid, fits[False].predict(t_grid), color=PENALTY_COLORS["l2"], lw=2, label="free intercept")
    ax.plot(t_grid, fits[True].predict(t_grid), color=PENALTY_COLORS["l1"], lw=2, ls="--", label="penalized intercept")
    ax.set(xlabel="temperature (°C)", ylabel="ice creams sold", title=f"Ridge, alpha = {RIDGE_ALPHA:g}")
    ax.legend(fontsize=8)

    ax = axes[1]
    shifts = np.geomspace(1.0, 1e4, 9)
    floor = 1e-12
    for name, make, marker in (("Ridge", ridge, "o"), ("Lasso", lasso, "s")):
        for pen, color, style in ((False, PENALTY_COLORS["l2"], "-"), (True, PENALTY_COLORS["l1"], "--")):
            errs = []
            for c in shifts:
                base = _Linear(make, pen).fit(t, y).predict(t_test)
                shifted = _Linear(make, pen).fit(t, y + c).predict(t_test)
                errs.append(max(float(np.max(np.abs(shifted - base - c))), floor))
            ax.plot(
                shifts,
                errs,
                style,
                marker=marker,
                ms=4,
                color=color,
                label=f"{name}, {'penalized' if pen else 'free'} intercept",
            )
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="shift c added to every target",
        ylabel="max |pred(y+c) − pred(y) − c|",
        title="Translation equivariance",
    )
    ax.legend(fontsize=8, loc="center left")

    ax = axes[2]
    if nets is None:
        ax.text(
            0.5, 0.5, "PyTorch not installed:\nnetwork check skipped", ha="center", va="center", transform=ax.transAxes
        )
        ax.set_axis_off()
        return fig
    ax.scatter(t, y, s=14, color=COLORS["grey"], label="days")
    for pen, color in ((False, PENALTY_COLORS["l2"]), (True, PENALTY_COLORS["l1"])):
        base, shifted = nets[pen]
        which = "decayed" if pen else "free"
        ax.plot(t_grid, base, color=color, lw=2, label=f"{which} biases: fit to y")
        ax.plot(t_grid, shifted - SHIFT, color=color, lw=1.5, ls=":", label=f"{which} biases: fit to y+c, minus c")
    low, high = ax.get_ylim()
    ax.set_ylim(low, high + 0.5 * (high - low))  # room for the legend above the data
    ax.set(xlabel="temperature (°C)", ylabel="ice creams sold", title="Small network, weight decay")
    ax.legend(fontsize=8, loc="upper left")
    return fig
