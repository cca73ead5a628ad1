"""Section 4: why "L1" and "L2" — the unit balls of the Lp norms.

``‖x‖_p = (Σ|x_i|^p)^(1/p)`` (:func:`lpnet.constrained.lp_norm`, the tour's one definition, also for
p < 1 where it is not a norm); L1 and L2 are the members p = 1 and p = 2 of one family.  Measured: the
area of each 2-D unit ball (closed form ``4 Γ(1+1/p)² / Γ(1+2/p)`` against a Monte Carlo estimate),
the volume of the 3-D balls likewise, and convexity by the midpoint test — for pairs of points on
the unit sphere of ``‖·‖_p``, is the midpoint still inside the ball?
"""

from __future__ import annotations

import math

import numpy as np

from ..constrained import lp_norm
from ._finding import Figure, Finding
from .style import COLORS, PENALTY_COLORS, new_figure

P_VALUES = (0.5, 1.0, 2.0, 3.0, 4.0, math.inf)
P_3D = (0.5, 1.0, 2.0)
#: the midpoint of the corners (1, 0) and (0, 1) of every unit ball
CORNER_MIDPOINT = np.array([0.5, 0.5])


def _key(p) -> str:
    return "linf" if math.isinf(p) else f"l{p:g}"


def _label(p) -> str:
    return "p = ∞" if math.isinf(p) else f"p = {p:g}"


def ball_volume(p, dim: int) -> float:
    """Volume of the unit ball ``{x : Σ|x_i|^p ≤ 1}`` in ``dim`` dimensions: ``(2Γ(1+1/p))^d / Γ(1+d/p)``."""
    if math.isinf(p):
        return 2.0**dim
    return math.exp(dim * (math.log(2.0) + math.lgamma(1 + 1 / p)) - math.lgamma(1 + dim / p))


def sphere_points(p, angles):
    """Points with ``‖x‖_p = 1`` in 2-D: ``(sign(cos θ)|cos θ|^(2/p), sign(sin θ)|sin θ|^(2/p))``."""
    c, s = np.cos(angles), np.sin(angles)
    if math.isinf(p):
        # the square: scale the circle's points out to the boundary
        pts = np.stack([c, s], axis=-1)
        return pts / np.abs(pts).max(axis=-1, keepdims=True)
    e = 2.0 / p
    return np.stack([np.sign(c) * np.abs(c) ** e, np.sign(s) * np.abs(s) ** e], axis=-1)


def _monte_carlo(rng, p, dim, n):
    """Volume estimate and its standard error from ``n`` uniform points in the cube [-1, 1]^dim."""
    inside = lp_norm(rng.uniform(-1.0, 1.0, (n, dim)), p) <= 1.0
    frac = inside.mean()
    return 2.0**dim * frac, 2.0**dim * math.sqrt(frac * (1 - frac) / n)


def run(*, quick: bool, seed: int) -> Finding:
    """Measure areas, volumes and the midpoint convexity test of the Lp balls."""
    rng = np.random.default_rng(seed)
    n_mc = 200_000 if quick else 2_000_000
    n_pairs = 20_000 if quick else 200_000
    measured, rows = {}, []
    for p in P_VALUES:
        key = _key(p)
        area, se = _monte_carlo(rng, p, 2, n_mc)
        a = sphere_points(p, rng.uniform(0, 2 * np.pi, n_pairs))
        b = sphere_points(p, rng.uniform(0, 2 * np.pi, n_pairs))
        mid = lp_norm(0.5 * (a + b), p)
        # the extreme pair for p < 1: two neighbouring corners, (1, 0) and (0, 1)
        corner = float(lp_norm(CORNER_MIDPOINT, p))
        row = {
            "area_exact": ball_volume(p, 2),
            "area_monte_carlo": area,
            "area_se": se,
            "midpoint_violations": float(np.mean(mid > 1.0 + 1e-12)),
            "corner_midpoint_norm": corner,
            "max_midpoint_norm": float(max(mid.max(), corner)),
        }
        rows.append((p, row))
        for name, value in row.items():
            measured[f"{key}_{name}"] = value
    for p in P_3D:
        vol, se = _monte_carlo(rng, p, 3, n_mc)
        measured[f"{_key(p)}_volume3d_exact"] = ball_volume(p, 3)
        measured[f"{_key(p)}_volume3d_monte_carlo"] = vol
        measured[f"{_key(p)}_volume3d_se"] = se
    measured["monte_carlo_points"] = n_mc
    measured["midpoint_pairs"] = n_pairs

    nonconvex = [p for p, r in rows if r["midpoint_violations"] > 0]
    matches = all(abs(r["area_monte_carlo"] - r["area_exact"]) <= 4 * r["area_se"] + 1e-12 for _, r in rows)
    convexity_ok = nonconvex == [p for p in P_VALUES if p < 1]
    verdict = "supports" if convexity_ok and matches else ("partly" if convexity_ok or matches else "contradicts")
    half = dict(rows)[0.5]
    summary = (
        f"midpoints outside the ball: {half['midpoint_violations']:.2f} of pairs for p = 0.5 (up to norm "
        f"{half['max_midpoint_norm']:.2f}) vs 0 for p = 1, 2, 3, 4, ∞; areas match the closed form "
        f"(e.g. L1 {dict(rows)[1.0]['area_monte_carlo']:.4f} vs 2, L2 "
        f"{dict(rows)[2.0]['area_monte_carlo']:.4f} vs π): {verdict}"
    )
    text = (
        "<p>The names come from the p-norms <code>‖x‖_p = (Σ|x_i|^p)^(1/p)</code>: the Lasso penalizes "
        "<code>‖w‖_1</code>, Ridge <code>‖w‖_2²</code>. Their unit balls <code>{x : ‖x‖_p ≤ 1}</code> "
        "morph from a four-pointed star (p = 0.5) through the diamond (p = 1) and the circle (p = 2) "
        "to the square (p = ∞). The corners of the diamond sit on the axes; that is where the Lasso's "
        "zeros come from (section 5).</p>"
        f"<p>Measured: the areas, by {n_mc:,} uniform points in the square, agree with "
        "<code>4 Γ(1+1/p)² / Γ(1+2/p)</code> within the Monte Carlo error, and the 3-D volumes with "
        "<code>8 Γ(1+1/p)³ / Γ(1+3/p)</code>. For the midpoint test, "
        f"{n_pairs:,} random pairs of points on each unit sphere: for p ≥ 1 no midpoint ever leaves the "
        "ball (the triangle inequality), for p = 0.5 a large share does — the midpoint of (1, 0) and "
        f"(0, 1) has <code>‖m‖_0.5 = (√0.5 + √0.5)² = {half['corner_midpoint_norm']:.2f}</code> (the same "
        "formula throughout the tour: section 8 measures the same point with it). So for p < 1 the formula "
        "is not a norm, its "
        "ball is not convex, and the penalty built on it (section 8) is a non-convex problem.</p>"
    )
    return Finding(
        id="unit-balls",
        number=4,
        title="Why 'L1' and 'L2': the unit balls",
        question="Where do the names L1 and L2 come from, and what do their unit balls look like?",
        claim="L1 and L2 are the p = 1 and p = 2 members of the Lp family; the unit balls of p ≥ 1 are "
        "convex, those of p < 1 are not.",
        measured=measured,
        verdict=verdict,
        summary=summary,
        text=text,
        figures=[
            Figure(
                _figure_2d(rows, rng),
                "Left: the 2-D unit balls ‖x‖_p = 1. Right: the midpoint test for p = 0.5 — the segment "
                "between two points of the ball leaves it (shaded: the ball); for p = 1 and 2 it never does.",
            ),
            Figure(_figure_3d(), "The unit balls of p = 0.5, 1 and 2 in three dimensions: spiky, octahedron, sphere."),
        ],
    )


def _figure_2d(rows, rng):
    fig, (ax, ax2) = new_figure(2, 1, width=4.3, height=5.0)
    theta = np.linspace(0, 2 * np.pi, 1601)
    for p, row in rows:
        pts = sphere_points(p, theta)
        ax.plot(
            pts[:, 0],
            pts[:, 1],
            color=PENALTY_COLORS[_key(p)],
            lw=2,
            label=f"{_label(p)}: area {row['area_exact']:.3f}",
        )
    ax.set(
        xlabel="x₁", ylabel="x₂", title="Unit balls ‖x‖ₚ ≤ 1", aspect="equal", xlim=(-1.15, 1.15), ylim=(-1.15, 1.15)
    )
    # legends below the axes: inside, any place would cover part of a ball.  The layout sizes the
    # square axes without them, so the axes sit at the top of their cell, leaving the legend the rest
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    ax.set_anchor("N")

    pts = sphere_points(0.5, theta)
    ax2.fill(pts[:, 0], pts[:, 1], color=PENALTY_COLORS["l0.5"], alpha=0.25, label="ball p = 0.5")
    ax2.plot(pts[:, 0], pts[:, 1], color=PENALTY_COLORS["l0.5"], lw=2)
    for p in (1.0, 2.0):
        q = sphere_points(p, theta)
        ax2.plot(q[:, 0], q[:, 1], color=PENALTY_COLORS[_key(p)], lw=1, ls=":", label=f"sphere {_label(p)}")
    # two corners, and two points strictly inside the ball (80% of the way out on two arms)
    inner = 0.8 * sphere_points(0.5, np.array([1.8, 2.85]))
    pairs = [((1.0, 0.0), (0.0, 1.0)), (tuple(inner[0]), tuple(inner[1]))]
    for k, (a, b) in enumerate(pairs):
        m = (0.5 * (a[0] + b[0]), 0.5 * (a[1] + b[1]))
        ax2.plot(
            [a[0], b[0]],
            [a[1], b[1]],
            "-o",
            color=COLORS["black"],
            ms=4,
            lw=1.2,
            label="two points of the ball" if k == 0 else None,
        )
        ax2.plot(*m, "*", color=COLORS["vermillion"], ms=12, label="midpoint (outside)" if k == 0 else None)
        ax2.annotate(
            rf"$\Vert m\Vert_{{0.5}}$ = {lp_norm(np.array(m), 0.5):.2f}",
            m,
            textcoords="offset points",
            xytext=(8, 6),
            fontsize=9,
        )
    ax2.set(
        xlabel="x₁",
        ylabel="x₂",
        title="Midpoint test: p = 0.5 is not convex",
        aspect="equal",
        xlim=(-1.15, 1.15),
        ylim=(-1.15, 1.15),
    )
    ax2.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    ax2.set_anchor("N")
    return fig


def _figure_3d():
    from matplotlib.colors import LightSource

    fig, axes = new_figure(3, 1, width=3.8, height=3.6, projection="3d")
    u, v = np.meshgrid(np.linspace(0, 2 * np.pi, 97), np.linspace(0, np.pi, 49))
    sphere = (np.cos(u) * np.sin(v), np.sin(u) * np.sin(v), np.cos(v))
    light = LightSource(azdeg=315, altdeg=35)
    for ax, p in zip(axes, P_3D):
        # the map s -> sign(s)|s|^(2/p) sends the unit sphere onto {Σ|x_i|^p = 1}
        x, y, z = (np.sign(s) * np.abs(s) ** (2.0 / p) for s in sphere)
        surf = ax.plot_surface(
            x,
            y,
            z,
            color=PENALTY_COLORS[_key(p)],
            lightsource=light,
            shade=True,
            linewidth=0,
            antialiased=False,
            rcount=49,
            ccount=97,
        )
        surf.set_rasterized(True)  # a vector surface of thousands of facets would bloat the page
        ax.set(
            xlim=(-1, 1),
            ylim=(-1, 1),
            zlim=(-1, 1),
            xlabel="x₁",
            ylabel="x₂",
            zlabel="x₃",
            title=f"{_label(p)}  (volume {ball_volume(p, 3):.3f})",
        )
        ax.set_box_aspect((1, 1, 1))
        ax.view_init(elev=22, azim=35)
        ax.set_xticks([-1, 0, 1])
        ax.set_yticks([-1, 0, 1])
        ax.set_zticks([-1, 0, 1])
    return fig
