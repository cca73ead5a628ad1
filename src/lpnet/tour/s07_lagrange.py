"""Section 7: Lagrange multipliers, and why the constrained and the penalized forms are one family.

First the textbook picture with :mod:`lpnet.lagrange`: ``f(x, y) = x + y`` on the unit circle, where
the level lines of ``f`` touch the circle and ``∇f = λ ∇g``; the residual ``‖∇f − λ∇g‖`` and the
points and multipliers against their closed forms.  Then on real data: the multiplier of the
constraint ``‖w‖₁ ≤ t`` (``ConstrainedRegression.multiplier_``, in penalty scaling) against the
``alpha`` of the Lasso whose solution has ``‖w‖₁ = t`` — and the same for Ridge and ``‖w‖₂ ≤ t``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ._finding import Figure, Finding
from .style import COLORS, PENALTY_COLORS, new_figure

RELATIVE_TOLERANCE = 1e-4


def _f(x, y):
    return x + y


def _g(x, y):
    return x**2 + y**2 - 1.0


def _diabetes():
    from ..datasets import load_diabetes

    d = load_diabetes()
    return (d.X - d.X.mean(axis=0)) / d.X.std(axis=0), d.y


def _multipliers(X, y, alphas):
    """Per p, rows (alpha, t, multiplier_, relative coefficient difference): the constrained fit at the
    radius t = ‖w(alpha)‖_p of the penalized fit.  ``alphas`` maps p to its grid."""
    from .. import Lasso, Ridge
    from ..constrained import ConstrainedRegression

    rows = {1: [], 2: []}
    for p in (1, 2):
        for alpha in alphas[p]:
            model = Lasso(alpha=alpha, tol=1e-12, max_iter=1000) if p == 1 else Ridge(alpha=alpha)
            w = model.fit(X, y).coef_
            t = float(np.sum(np.abs(w))) if p == 1 else float(np.linalg.norm(w))
            constrained = ConstrainedRegression(radius=t, p=p, tol=1e-12, max_iter=1000).fit(X, y)
            rows[p].append(
                (
                    alpha,
                    t,
                    float(constrained.multiplier_),
                    float(np.max(np.abs(constrained.coef_ - w)) / max(np.max(np.abs(w)), 1e-300)),
                )
            )
    return {p: np.array(r) for p, r in rows.items()}


def run(*, quick: bool, seed: int) -> Finding:
    """Check ∇f = λ∇g on the circle, and multiplier_ = alpha for the Lasso and Ridge."""
    from .. import alpha_max, lagrange

    points = lagrange.solve_all(_f, _g, starts=8 if quick else 16, bounds=(-1.5, 1.5), seed=seed)
    top = max(points, key=lambda pt: pt.value)
    low = min(points, key=lambda pt: pt.value)
    residual = max(float(np.linalg.norm(pt.grad_f - pt.multiplier * pt.grad_g)) for pt in points)
    exact_point = np.full(2, 1 / math.sqrt(2))
    point_error = max(float(np.max(np.abs(top.x - exact_point))), float(np.max(np.abs(low.x + exact_point))))

    X, y = _diabetes()
    a_max = alpha_max(X, y, penalty="l1")
    # alphas where the Lasso is sparse but not empty: 60% down to 0.5% of alpha_max
    n_alphas = 4 if quick else 10
    # Ridge needs far smaller alphas for the same shrinkage; its grid also keeps the two sets of
    # markers apart in the figure
    alphas = {1: a_max * np.geomspace(0.6, 5e-3, n_alphas), 2: np.geomspace(3.0, 3e-3, n_alphas)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tol=1e-12 is stricter than some fits reach; the numbers show it
        table = _multipliers(X, y, alphas)
    rel = {p: np.abs(table[p][:, 2] - table[p][:, 0]) / table[p][:, 0] for p in (1, 2)}
    measured = {
        "circle_points_found": len(points),
        "circle_max_point": top.x.tolist(),
        "circle_max_kind": top.kind,
        "circle_max_multiplier": float(top.multiplier),
        "circle_exact_multiplier": 1 / math.sqrt(2),
        "circle_max_value": float(top.value),
        "circle_exact_max_value": math.sqrt(2),
        "circle_point_error": point_error,
        "circle_max_residual_grad_f_minus_lambda_grad_g": residual,
        "lasso_alphas": table[1][:, 0].tolist(),
        "lasso_radii_t": table[1][:, 1].tolist(),
        "lasso_multipliers": table[1][:, 2].tolist(),
        "lasso_max_relative_difference": float(rel[1].max()),
        "lasso_max_relative_coef_difference": float(table[1][:, 3].max()),
        "ridge_max_relative_difference": float(rel[2].max()),
        "ridge_max_relative_coef_difference": float(table[2][:, 3].max()),
    }
    circle_ok = (
        residual < 1e-6
        and point_error < 1e-6
        and abs(top.multiplier - 1 / math.sqrt(2)) < 1e-6
        and top.kind == "max"
        and low.kind == "min"
    )
    bridge_ok = rel[1].max() < RELATIVE_TOLERANCE and rel[2].max() < RELATIVE_TOLERANCE
    verdict = "supports" if circle_ok and bridge_ok else ("partly" if circle_ok or bridge_ok else "contradicts")
    summary = (
        f"x + y on the unit circle: max at ({top.x[0]:.6f}, {top.x[1]:.6f}), λ = {top.multiplier:.6f} vs "
        f"1/√2 = {1 / math.sqrt(2):.6f}, |∇f − λ∇g| ≤ {residual:.1e}; constrained multiplier vs Lasso alpha: "
        f"relative difference ≤ {rel[1].max():.1e} over {n_alphas} alphas (Ridge {rel[2].max():.1e}): {verdict}"
    )
    text = (
        "<p>To maximize <code>f(x, y) = x + y</code> on the circle <code>g(x, y) = x² + y² − 1 = 0</code>, walk "
        "along the circle until the level line of f no longer crosses it but touches it. There the two "
        "curves share a tangent, so their normals — the gradients — are parallel: ∇f = λ∇g. "
        f"<code>lpnet.lagrange.solve_all</code> finds {len(points)} such points from random starts: the maximum "
        "(1/√2, 1/√2) and the minimum (−1/√2, −1/√2), with λ = ±1/√2 — the rate at which the optimal value "
        "grows when the constraint is loosened.</p>"
        "<p>The same multiplier connects the two ways of writing a regularized model. Minimizing the loss "
        "subject to <code>‖w‖₁ ≤ t</code> has a multiplier for the constraint; "
        "<code>ConstrainedRegression.multiplier_</code> reports it in penalty scaling (for p = 1: the λ of the "
        "constraint itself). For each alpha, the Lasso is fitted on the ten standardized diabetes features, "
        "t is set to the norm of its solution, and the constrained problem is solved with that t: its "
        "multiplier comes back as the Lasso's alpha, and its coefficients as the Lasso's. So each penalty "
        "strength alpha corresponds to one radius t, and the picture of section 5 is the Lasso. For Ridge "
        "and the L2 ball the reported multiplier is again the Ridge alpha (the constraint's own λ is then "
        "alpha·t).</p>"
    )
    fig = _figure(points, table, rel)
    return Finding(
        id="lagrange",
        number=7,
        title="Lagrange multipliers: constraint and penalty are one family",
        question="What is a Lagrange multiplier, and why is 'minimize the loss with ‖w‖₁ ≤ t' the same as the Lasso?",
        claim="At a constrained optimum ∇f = λ∇g (the level curve is tangent to the constraint); for the "
        "norm constraint the multiplier is exactly the penalty's alpha, so constrained and penalized "
        "forms give the same solutions.",
        measured=measured,
        verdict=verdict,
        summary=summary,
        text=text,
        figures=[
            Figure(
                fig,
                "Left: contours of f = x + y, the unit circle and, at the two tangency points, ∇f "
                "and ∇g (parallel), from lpnet.lagrange.plot. Right: the multiplier of "
                "ConstrainedRegression at radius t = ‖w(alpha)‖ against the penalized model's alpha, "
                "on the diabetes data; points on the diagonal mean multiplier = alpha.",
            )
        ],
    )


def _figure(points, table, rel):
    from .. import lagrange

    fig, (ax, ax2) = new_figure(2, 1, width=5.0, height=4.0)
    lagrange.plot(_f, _g, points, ax=ax, bounds=(-1.6, 1.6))
    ax.set(xlabel="x", ylabel="y")
    for p, key, name, marker in ((1, "l1", "Lasso, ‖w‖₁ ≤ t", "o"), (2, "l2", "Ridge, ‖w‖₂ ≤ t", "s")):
        ax2.plot(
            table[p][:, 0],
            table[p][:, 2],
            marker,
            color=PENALTY_COLORS[key],
            ms=7,
            mfc="none",
            mew=1.6,
            label=f"{name} (max rel. diff. {rel[p].max():.0e})",
        )
    lo = min(table[1][:, 0].min(), table[2][:, 0].min()) * 0.7
    hi = max(table[1][:, 0].max(), table[2][:, 0].max()) * 1.4
    ax2.plot([lo, hi], [lo, hi], color=COLORS["black"], lw=1, ls="--", label="multiplier = alpha")
    ax2.set(
        xscale="log",
        yscale="log",
        xlabel="alpha of the penalized model",
        ylabel="multiplier_ of the constrained model",
        title="Constraint multiplier = penalty alpha",
    )
    ax2.legend(fontsize=8, loc="upper left")
    return fig
