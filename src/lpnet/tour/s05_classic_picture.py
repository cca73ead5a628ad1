"""Section 5: the classic picture of L1 vs L2, computed on real data.

Two standardized features of scikit-learn's diabetes data (body-mass index and blood pressure), the
least-squares contours in the plane of their coefficients, the L1 diamond and the L2 circle of one
radius ``t``, and the constrained optima from :class:`lpnet.constrained.ConstrainedRegression`.
Measured: where the optima sit, and the tangency conditions — at the L2 optimum ``-∇loss`` is
parallel to the circle's normal; at the L1 corner it lies inside the diamond's normal cone; on an L1
edge it is parallel to the edge's normal — as angles in degrees, along the whole trajectory of the
optimum as ``t`` grows.
"""

from __future__ import annotations

import numpy as np

from ._finding import Figure, Finding
from .style import COLORS, PENALTY_COLORS, new_figure

FEATURES = ("bmi", "bp")
CORNER_FRACTION = 0.75  # the radius drawn, as a fraction of the largest radius with an L1 corner


def _data():
    from ..datasets import load_diabetes

    d = load_diabetes()
    names = list(d.feature_names)
    X = d.X[:, [names.index(f) for f in FEATURES]]
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X, d.y


def _gradient(X, y, w):
    """∇_w of 1/(2n)||y - Xw - b||² at the best intercept (X is centred, so b = mean(y))."""
    return -X.T @ (y - y.mean() - X @ w) / X.shape[0]


def _angle(u, v) -> float:
    """Angle between two 2-D vectors in degrees (atan2: accurate near 0°, where arccos is not)."""
    return float(np.degrees(np.arctan2(abs(u[0] * v[1] - u[1] * v[0]), u @ v)))


def _l1_tangency(w, descent) -> float:
    """How far (degrees) ``descent = -∇loss`` is from the L1 ball's normal cone at ``w``.

    On an edge (no zero coordinate) the cone is the edge's normal ``sign(w)``; at a corner on axis j
    it is every direction within 45° of ``sign(w_j) e_j``, so the distance is max(0, angle − 45°).
    """
    if np.all(w != 0):
        return _angle(descent, np.sign(w))
    j = int(np.flatnonzero(w)[0])
    axis = np.zeros_like(w)
    axis[j] = np.sign(w[j])
    return max(0.0, _angle(descent, axis) - 45.0)


def _corner_radius(X, y) -> float:
    """The largest t at which the L1 optimum still has a zero coordinate (the second feature enters).

    With unit-variance features and correlation r, while only feature a is active its coefficient is
    c_a − α (c = Xᵀy/n); feature b enters when |c_b − r (c_a − α)| = α.
    """
    n = X.shape[0]
    c = X.T @ (y - y.mean()) / n
    r = float(X[:, 0] @ X[:, 1] / n)
    a = int(np.argmax(np.abs(c)))
    b = 1 - a
    ca, cb = abs(c[a]), c[b] * np.sign(c[a])
    r = r * np.sign(c[a])
    alpha = (cb - r * ca) / (1 - r) if cb - r * ca >= 0 else (-cb + r * ca) / (1 + r)
    return float(ca - alpha)


def run(*, quick: bool, seed: int) -> Finding:
    """Draw and check the L1/L2 constrained optima on two diabetes features."""
    from ..constrained import ConstrainedRegression

    del seed  # the data and the optima are deterministic
    X, y = _data()
    ols = np.linalg.lstsq(X, y - y.mean(), rcond=None)[0]
    t_corner = _corner_radius(X, y)
    t = CORNER_FRACTION * t_corner
    fits = {p: ConstrainedRegression(radius=t, p=p, tol=1e-10).fit(X, y) for p in (1, 2)}
    w1, w2 = fits[1].coef_, fits[2].coef_
    g1, g2 = _gradient(X, y, w1), _gradient(X, y, w2)
    corner_angle = _angle(-g1, np.sign(w1) * (w1 != 0))

    # the trajectory of w*(t): radii up to the unconstrained (least-squares) norm
    n_t = 10 if quick else 30
    radii = {1: np.linspace(0.02, 0.98, n_t) * np.abs(ols).sum(), 2: np.linspace(0.02, 0.98, n_t) * np.linalg.norm(ols)}
    paths, worst = {}, {}
    for p in (1, 2):
        model = ConstrainedRegression(p=p, tol=1e-10, warm_start=True)
        coefs, angles = [], []
        for r in radii[p]:
            w = model.set_params(radius=r).fit(X, y).coef_.copy()
            descent = -_gradient(X, y, w)
            angles.append(_l1_tangency(w, descent) if p == 1 else _angle(descent, w))
            coefs.append(w)
        paths[p] = np.array(coefs)
        worst[p] = float(max(angles))
    zero_share = float(np.mean(np.any(paths[1] == 0.0, axis=1)))

    measured = {
        "features": list(FEATURES),
        "least_squares_coef": ols.tolist(),
        "radius_t": t,
        "largest_radius_with_l1_corner": t_corner,
        "l1_norm_least_squares": float(np.abs(ols).sum()),
        "l1_optimum": w1.tolist(),
        "l2_optimum": w2.tolist(),
        "l1_multiplier": float(fits[1].multiplier_),
        "l2_multiplier": float(fits[2].multiplier_),
        "l2_tangency_angle_deg": _angle(-g2, w2),
        "l1_descent_angle_from_axis_deg": corner_angle,
        "l1_normal_cone_half_angle_deg": 45.0,
        "l1_corner_distance_to_normal_cone_deg": _l1_tangency(w1, -g1),
        "max_tangency_angle_along_l1_trajectory_deg": worst[1],
        "max_tangency_angle_along_l2_trajectory_deg": worst[2],
        "share_of_l1_radii_with_a_zero": zero_share,
        "share_of_l2_radii_with_a_zero": float(np.mean(np.any(paths[2] == 0.0, axis=1))),
    }
    on_axis = bool(np.sum(w1 == 0.0) == 1 and np.all(w2 != 0.0))
    tangent = measured["l2_tangency_angle_deg"] < 1.0 and max(worst.values()) < 1.0
    in_cone = measured["l1_corner_distance_to_normal_cone_deg"] == 0.0
    verdict = "supports" if on_axis and tangent and in_cone else ("partly" if tangent else "contradicts")
    summary = (
        f"at t = {t:.1f}: L1 optimum ({w1[0]:.2f}, {w1[1]:.2f}) on the {FEATURES[0]} axis, −∇loss "
        f"{corner_angle:.1f}° from the axis (inside the 45° normal cone); L2 optimum ({w2[0]:.2f}, "
        f"{w2[1]:.2f}), tangency angle {measured['l2_tangency_angle_deg']:.1e}°; largest angle along both "
        f"trajectories {max(worst.values()):.1e}°; L1 has a zero only for t < {t_corner:.1f} "
        f"({zero_share:.0%} of radii): {verdict}"
    )
    text = (
        f"<p>Disease progression against two standardized features, {FEATURES[0]} (body-mass index) and "
        f"{FEATURES[1]} (blood pressure), correlation {X[:, 0] @ X[:, 1] / X.shape[0]:.2f}. The ellipses are "
        "level curves of the least-squares loss (the intercept is free and drops out); their centre is the "
        f"unconstrained fit ({ols[0]:.1f}, {ols[1]:.1f}). <code>ConstrainedRegression</code> finds the point of "
        "lowest loss inside the L1 diamond and inside the L2 circle of the same radius t.</p>"
        "<p>The textbook picture is right about the geometry: the optimum is where the first level curve "
        "touches the ball. On the circle that means −∇loss is parallel to the radius (measured: a tangency "
        f"angle of {measured['l2_tangency_angle_deg']:.1e}°). At a corner of the diamond there is no single normal; "
        "the condition is that −∇loss lies in the cone between the two adjacent edges' normals, here "
        f"within 45° of the {FEATURES[0]} axis (measured: {corner_angle:.1f}°).</p>"
        "<p>It is honest about less than it suggests, though. The corner is hit only when the ball is small: "
        f"here the L1 optimum has a zero coefficient for t < {t_corner:.1f}, while the least-squares "
        f"coefficients have L1 norm {np.abs(ols).sum():.1f}. The radius drawn, t = {t:.1f}, was chosen "
        f"({CORNER_FRACTION:.0%} of that limit) so that the corner case shows. For larger t the L1 optimum slides "
        f"along an edge with both coefficients nonzero (right panel). The L2 optimum is never on an axis.</p>"
    )
    return Finding(
        id="classic-picture",
        number=5,
        title="The classic picture, computed",
        question="Is the textbook picture — ellipses touching a diamond at a corner, a circle at a "
        "generic point — what really happens on data?",
        claim="The constrained optimum is where a loss contour first touches the ball (tangency); the L1 "
        "diamond can be touched at a corner, an exact zero coefficient, the L2 circle is touched off the "
        "axes. (How often the corner wins is section 6's question.)",
        measured=measured,
        verdict=verdict,
        summary=summary,
        text=text,
        figures=[
            Figure(
                _figure(X, y, ols, t, w1, w2, g1, g2, paths),
                f"Left: least-squares contours over the coefficients of {FEATURES[0]} and {FEATURES[1]}, the "
                f"L1 and L2 balls of radius t = {t:.1f}, the constrained optima (the contour through each "
                "optimum is drawn in the ball's colour) and the descent direction −∇loss there (arrows). "
                "Right: the trajectory of the optimum as t grows from 0 to the least-squares fit.",
            )
        ],
    )


def _loss_grid(X, y, lim):
    n = X.shape[0]
    g0, g1 = np.meshgrid(np.linspace(lim[0], lim[1], 241), np.linspace(lim[2], lim[3], 241))
    W = np.stack([g0.ravel(), g1.ravel()])
    yc = y - y.mean()
    loss = (yc @ yc - 2 * (X.T @ yc) @ W + np.sum(W * ((X.T @ X) @ W), axis=0)) / (2 * n)
    return g0, g1, loss.reshape(g0.shape)


def _loss(X, y, w) -> float:
    r = y - y.mean() - X @ w
    return float(r @ r / (2 * X.shape[0]))


def _figure(X, y, ols, t, w1, w2, g1, g2, paths):
    fig, (ax, ax2) = new_figure(2, 1, width=4.6, height=4.3)
    for a, lim in (
        (ax, (-t * 1.6, ols[0] * 1.15, -t * 1.6, ols[0] * 1.15)),
        (ax2, (-2.0, ols[0] * 1.1, -2.0, ols[1] * 1.6)),
    ):
        g0, g1_, loss = _loss_grid(X, y, lim)
        levels = np.quantile(loss, np.linspace(0.0, 0.9, 16) ** 2)
        a.contour(g0, g1_, loss, levels=levels, colors=COLORS["grey"], linewidths=0.7)
        a.plot(*ols, "+", color=COLORS["black"], ms=12, mew=2, label="least squares")
        a.axhline(0, color=COLORS["black"], lw=0.6)
        a.axvline(0, color=COLORS["black"], lw=0.6)
        a.set(
            xlabel=f"coefficient of {FEATURES[0]}",
            ylabel=f"coefficient of {FEATURES[1]}",
            aspect="equal",
            xlim=lim[:2],
            ylim=lim[2:],
        )
    theta = np.linspace(0, 2 * np.pi, 400)
    ax.plot(
        t * np.array([1, 0, -1, 0, 1]),
        t * np.array([0, 1, 0, -1, 0]),
        color=PENALTY_COLORS["l1"],
        lw=2,
        label=f"L1 ball, t = {t:.1f}",
    )
    ax.plot(t * np.cos(theta), t * np.sin(theta), color=PENALTY_COLORS["l2"], lw=2, label=f"L2 ball, t = {t:.1f}")
    # the normal cone of the diamond at its corner on the first axis: directions within 45° of the axis
    reach = 0.9 * t
    ax.fill(
        [w1[0], w1[0] + reach, w1[0] + reach],
        [w1[1], w1[1] + reach, w1[1] - reach],
        color=PENALTY_COLORS["l1"],
        alpha=0.12,
        lw=0,
        label="normal cone at the L1 corner",
    )
    g0, g1_, loss = _loss_grid(X, y, (-t * 1.6, ols[0] * 1.15, -t * 1.6, ols[0] * 1.15))
    for w, g, key, name in ((w1, g1, "l1", "L1"), (w2, g2, "l2", "L2")):
        ax.contour(g0, g1_, loss, levels=[_loss(X, y, w)], colors=PENALTY_COLORS[key], linewidths=1.2, linestyles="--")
        ax.plot(*w, "o", color=PENALTY_COLORS[key], ms=8, mec=COLORS["black"], label=f"{name} optimum", zorder=5)
        arrow = -g / np.linalg.norm(g) * t * 0.6
        ax.annotate(
            "", xy=w + arrow, xytext=w, arrowprops={"arrowstyle": "->", "color": PENALTY_COLORS[key], "lw": 1.8}
        )
    ax.set_title(f"Contours touching the balls (t = {t:.1f})")
    ax.legend(fontsize=8, loc="upper left")

    for p, key, name in ((1, "l1", "L1"), (2, "l2", "L2")):
        path = np.vstack([[0.0, 0.0], paths[p]])
        ax2.plot(
            path[:, 0], path[:, 1], "-o", color=PENALTY_COLORS[key], ms=3, lw=1.6, label=f"{name} optimum as t grows"
        )
    ax2.set_title("Trajectory of the optimum w*(t)")
    ax2.legend(fontsize=8, loc="upper left")
    return fig
