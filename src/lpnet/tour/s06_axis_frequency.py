"""Section 6: how often does the constrained solution land on an axis?

The textbook picture: the level sets of a quadratic loss grow until they touch the ball ``||w||_p <= t``;
the L1 ball's corners stick out, so the contact point is often a corner, i.e. a sparse ``w``.  Here the
picture is counted.  Each random quadratic is a noiseless least-squares problem ``X``, ``y = X w*``
(Hessian ``X^T X / n``, unconstrained optimum ``w*`` outside every ball), solved exactly in constrained
form by :class:`lpnet.constrained.ConstrainedRegression` for ``p = 0.5, 1, 2, 3`` at the same radius.
The L0.5 fits are local and certified by their optimality violation; a fit that does not reach the
tolerance is not a solution, so it is re-solved from random starts, and if that fails too it is left
out of the counts and drawn as a rejected point.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from ._finding import Figure, Finding

#: the balls compared: label -> p
BALLS = {"l0.5": 0.5, "l1": 1.0, "l2": 2.0, "l3": 3.0}
LABELS = {"l0.5": "L0.5", "l1": "L1", "l2": "L2", "l3": "L3"}
RADIUS = 1.0
#: a coordinate counts as zero when ``|w_j| <= ZERO_TOL * RADIUS``
ZERO_TOL = 1e-8
#: w* has L3 norm between these multiples of the radius, so it lies outside all four balls
OUTSIDE = (1.5, 4.0)
SOLVE_TOL = 1e-6
#: 10-step blocks of an L0.5 fit: certified fits here need a handful; one not certified by then sits
#: where the local projection keeps a zero coordinate pinned, and more blocks do not move it
L05_MAX_ITER = 20
#: random starts tried for an L0.5 fit that the default start (the L1 solution) leaves uncertified
N_RESTARTS = 10


def random_problem(rng: np.random.Generator, dim: int):
    """A random quadratic ``1/2 (w - w*)^T H (w - w*)`` written as least squares ``1/(2n) ||y - X w||^2``.

    ``X`` is Gaussian with random column scales (an anisotropic, correlated Hessian ``H = X^T X / n``),
    ``n = 2 dim + 2``; ``w*`` has a uniformly random direction and ``||w*||_3`` drawn in
    ``OUTSIDE * RADIUS``, so the constraint is active for every ball of radius ``RADIUS`` with p <= 3.

    Parameters
    ----------
    rng : numpy.random.Generator
    dim : int

    Returns
    -------
    X : ndarray of shape (2 dim + 2, dim)
    y : ndarray of shape (2 dim + 2,)
    w_star : ndarray of shape (dim,)
    """
    n = 2 * dim + 2
    X = rng.standard_normal((n, dim)) * np.exp(0.5 * rng.standard_normal(dim))
    direction = rng.standard_normal(dim)
    w_star = direction / np.sum(np.abs(direction) ** 3) ** (1 / 3) * RADIUS * rng.uniform(*OUTSIDE)
    return X, X @ w_star, w_star


def solve_balls(X, y, rng=None):
    """The constrained least-squares solution for each ball of :data:`BALLS`, radius :data:`RADIUS`.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    rng : numpy.random.Generator, optional
        Draws the restarts of an L0.5 fit that the default start leaves uncertified (at most
        :data:`N_RESTARTS` Gaussian starts, the first certified end point is kept); ``None``: no
        restarts.

    Returns
    -------
    dict
        label -> ``(coef, certificate, converged, restarts)``: the duality gap (p >= 1) or optimality
        violation (p < 1), whether it reached the tolerance (only then is ``coef`` a certified
        solution), and how many random starts were tried.
    """
    from ..constrained import ConstrainedRegression

    def fit(p, w0=None):
        # p >= 1 is convex: its fits need neither restarts nor the shorter iteration budget (they keep
        # the estimator's default, 100)
        model = ConstrainedRegression(
            RADIUS,
            p=p,
            fit_intercept=False,
            tol=SOLVE_TOL,
            max_iter=L05_MAX_ITER if p < 1 else 100,
            warm_start=w0 is not None,
        )
        if w0 is not None:  # a warm-started fit continues from coef_: that makes w0 its start
            model.coef_, model.intercept_ = w0, 0.0
        with warnings.catch_warnings():
            # p < 1 warns that its solution is local, and an uncertified fit warns too; the section
            # reports both in its text and its counts
            warnings.simplefilter("ignore")
            model.fit(X, y)
        cert = model.dual_gap_ if model.dual_gap_ is not None else model.optimality_violation_
        return np.asarray(model.coef_), float(cert), bool(model.converged_)

    out = {}
    for name, p in BALLS.items():
        coef, cert, converged = fit(p)
        restarts = 0
        while p < 1 and not converged and rng is not None and restarts < N_RESTARTS:
            restarts += 1
            again = fit(p, rng.standard_normal(X.shape[1]))
            if again[2]:
                coef, cert, converged = again
        # an uncertified fit keeps the default start's end point: that is the point drawn as rejected
        out[name] = (coef, cert, converged, restarts)
    return out


def _ball_outline(p: float, n: int = 400) -> np.ndarray:
    angle = np.linspace(0.0, 2 * np.pi, n)
    c, s = np.cos(angle), np.sin(angle)
    scale = (np.abs(c) ** p + np.abs(s) ** p) ** (-1.0 / p)
    return RADIUS * np.array([c * scale, s * scale])


def _bars(ax, values, dims, ylabel, title):
    from .style import PENALTY_COLORS

    x = np.arange(len(dims))
    width = 0.8 / len(BALLS)
    for i, name in enumerate(BALLS):
        vals = [values[d][name] for d in dims]
        bars = ax.bar(
            x + (i - (len(BALLS) - 1) / 2) * width,
            vals,
            width=width,
            color=PENALTY_COLORS[name],
            edgecolor="k",
            linewidth=0.5,
            label=LABELS[name],
        )
        for b, v in zip(bars, vals):
            if v == 0:  # an empty bar would look like a missing one
                ax.annotate(
                    "0",
                    (b.get_x() + b.get_width() / 2, 0),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    fontsize=7,
                )
    ax.set_xticks(x, [f"d = {d}" for d in dims])
    ax.set_ylim(0, 1.3)  # room for the legend
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8, ncol=4, loc="upper center", handlelength=1.2, columnspacing=0.8)


def _figure(fractions, coord_fractions, dims, solutions_2d, n_problems):
    from .style import COLORS, PENALTY_COLORS, new_figure

    fig, (ax_any, ax_coord, ax_a, ax_b) = new_figure(2, 2, width=4.4, height=3.5)
    _bars(ax_any, fractions, dims, "fraction of solutions", f"(a) solutions with a zero, {n_problems} problems per d")
    _bars(ax_coord, coord_fractions, dims, "fraction of coordinates", "(b) zero coordinates per solution")
    # (c, d) the 2-D solutions on their balls
    for ax, names, title in (
        (ax_a, ("l1", "l2"), "(c) d = 2: L1 and L2"),
        (ax_b, ("l0.5", "l3"), "(d) d = 2: L0.5 and L3"),
    ):
        for name in names:
            outline = _ball_outline(BALLS[name])
            ax.plot(outline[0], outline[1], color=PENALTY_COLORS[name], lw=1.2)
            pts = np.array([sol[name][0] for sol in solutions_2d])
            certified = np.array([sol[name][2] for sol in solutions_2d])
            on_axis = np.any(np.abs(pts) <= ZERO_TOL * RADIUS, axis=1)
            off, on = certified & ~on_axis, certified & on_axis
            ax.scatter(
                pts[off, 0],
                pts[off, 1],
                s=9,
                color=PENALTY_COLORS[name],
                alpha=0.6,
                label=f"{LABELS[name]}: off the axes",
            )
            ax.scatter(
                pts[on, 0],
                pts[on, 1],
                s=60,
                marker="D",
                facecolor="none",
                edgecolor=PENALTY_COLORS[name],
                linewidth=1.2,
                label=f"{LABELS[name]}: on an axis ({on.sum() / certified.sum():.0%})",
            )
            if not certified.all():
                # not a solution: drawn apart, so that it is not read as one
                ax.scatter(
                    pts[~certified, 0],
                    pts[~certified, 1],
                    s=40,
                    marker="x",
                    color=COLORS["black"],
                    linewidth=1.2,
                    label=f"{LABELS[name]}: not certified, left out ({(~certified).sum()})",
                )
        ax.axhline(0, color=COLORS["grey"], lw=0.6)
        ax.axvline(0, color=COLORS["grey"], lw=0.6)
        ax.set_aspect("equal")
        ax.set_xlim(-1.35, 1.35)
        ax.set_ylim(-1.35, 1.9)  # room for the legend
        ax.set_yticks([-1, -0.5, 0, 0.5, 1])
        ax.set_xlabel("w1")
        ax.set_ylabel("w2")
        ax.set_title(title)
        ax.legend(fontsize=7, loc="upper center", ncol=2, handletextpad=0.2, columnspacing=0.6)
    return Figure(
        fig,
        "(a) Fraction of constrained least-squares solutions with at least one coordinate "
        f"|w_j| <= {ZERO_TOL:g} (radius {RADIUS:g}), per ball and dimension; (b) the mean "
        "fraction of such coordinates. (c, d) The 2-D solutions on their balls; diamonds: "
        "solutions on an axis (a corner of the ball). L0.5 solutions are local (non-convex ball) "
        "and certified stationary; crosses: fits that reached no certified stationary point, "
        "left out of every count.",
    )


def run(*, quick: bool, seed: int) -> Finding:
    """Count the exact zeros of constrained least squares over L0.5, L1, L2 and L3 balls of equal radius.

    Only certified solutions are counted: a fit that misses the tolerance even after the restarts of
    :func:`solve_balls` is left out of the fractions (and counted in ``measured["left_out"]``).

    Parameters
    ----------
    quick : bool
        Fewer random problems and smaller dimensions.
    seed : int
        Seeds the random problems and the restarts.

    Returns
    -------
    Finding
    """
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    # the restarts draw from their own stream, so the problems do not depend on how many were needed
    restart_rng = np.random.default_rng([seed, 6])
    dims = (2, 10) if quick else (2, 5, 20)
    n_problems = 25 if quick else 100

    fractions, coord_fractions = {}, {}
    zero = {name: 0 for name in BALLS}
    worst, worst_left_out = dict(zero), dict(zero)
    missed, rescued, left_out = dict(zero), dict(zero), dict(zero)
    solutions_2d = []
    for dim in dims:
        has_zero = {name: [] for name in BALLS}
        zero_coords = {name: [] for name in BALLS}
        for _ in range(n_problems):
            X, y, _ = random_problem(rng, dim)
            sols = solve_balls(X, y, restart_rng)
            for name, (coef, cert, converged, restarts) in sols.items():
                missed[name] += restarts > 0 or not converged  # by the fit from the default start
                rescued[name] += restarts > 0 and converged
                if not converged:
                    left_out[name] += 1
                    worst_left_out[name] = max(worst_left_out[name], cert)
                    continue
                is_zero = np.abs(coef) <= ZERO_TOL * RADIUS
                has_zero[name].append(bool(is_zero.any()))
                zero_coords[name].append(float(is_zero.mean()))
                worst[name] = max(worst[name], cert)
            if dim == 2:
                solutions_2d.append({name: sol[:3] for name, sol in sols.items()})
        fractions[dim] = {name: float(np.mean(v)) for name, v in has_zero.items()}
        coord_fractions[dim] = {name: float(np.mean(v)) for name, v in zero_coords.items()}

    l1_beats_l2 = all(fractions[d]["l1"] > fractions[d]["l2"] == 0.0 for d in dims)
    l3_none = all(fractions[d]["l3"] == 0.0 for d in dims)
    verdict = "supports" if l1_beats_l2 and l3_none else ("partly" if l1_beats_l2 else "contradicts")
    n_fits = n_problems * len(dims)
    measured = {
        "dimensions": list(dims),
        "n_problems_per_dimension": n_problems,
        "radius": RADIUS,
        "zero_tol": ZERO_TOL,
        "solve_tol": SOLVE_TOL,
        "zero_fraction": {str(d): fractions[d] for d in dims},
        "zero_coordinate_fraction": {str(d): coord_fractions[d] for d in dims},
        # over the counted (certified) fits only
        "max_certificate": worst,
        "missed_tol_from_default_start": missed,
        "certified_after_restarts": rescued,
        "left_out": left_out,
        "max_certificate_left_out": worst_left_out,
        # panels (c, d) draw the certified d = 2 fits as solutions: how many, and their worst certificate
        "shown_2d_solutions": {name: sum(sol[name][2] for sol in solutions_2d) for name in BALLS},
        "shown_2d_max_certificate": {
            name: max((sol[name][1] for sol in solutions_2d if sol[name][2]), default=0.0) for name in BALLS
        },
    }
    f2, flast = fractions[dims[0]], fractions[dims[-1]]
    dropped = sum(left_out.values())
    summary = (
        f"solutions with an exact zero, d = 2: L1 {f2['l1']:.2f} vs L2 {f2['l2']:.2f}, L3 {f2['l3']:.2f}, "
        f"L0.5 {f2['l0.5']:.2f}; d = {dims[-1]}: L1 {flast['l1']:.2f} vs L2 {flast['l2']:.2f}"
        + (f" ({dropped} uncertified fit{'s' * (dropped > 1)} left out)" if dropped else "")
        + f": {verdict}"
    )
    smooth = max(fractions[d][n] for d in dims for n in ("l2", "l3"))
    spiky_more = all(coord_fractions[d]["l0.5"] > coord_fractions[d]["l1"] for d in dims)
    rows = "; ".join(f"d = {d}: " + ", ".join(f"{LABELS[n]} {fractions[d][n]:.2f}" for n in BALLS) for d in dims)
    if missed["l0.5"]:
        retry = (
            f"{missed['l0.5']} L0.5 fits missed the tolerance from the default start (the L1 solution, "
            f"rescaled) and were re-solved from up to {N_RESTARTS} random starts; "
            f"{rescued['l0.5']} of them then reached a certified stationary point. "
        )
    else:
        retry = "Every L0.5 fit reached the tolerance from the default start (the L1 solution, rescaled). "
    if dropped:
        per_ball = ", ".join(f"{LABELS[n]} {left_out[n]}" for n in BALLS if left_out[n])
        retry += (
            f"The {dropped} fit{'s' * (dropped > 1)} that did not ({per_ball}; optimality violation up "
            f"to {max(worst_left_out.values()):.2f}) {'are' if dropped > 1 else 'is'} no solution: left out "
            "of every count, and drawn as a cross in (d) when d = 2. "
        )
    text = (
        f"<p>{n_problems} random quadratic losses per dimension d, each the noiseless least-squares problem "
        f"of a Gaussian design with random column scales (n = 2d + 2 rows) and an unconstrained optimum "
        f"outside every ball. Each was minimized over the balls ||w||<sub>p</sub> ≤ {RADIUS:g} for "
        f"p = 0.5, 1, 2, 3 with <code>lpnet.constrained.ConstrainedRegression</code> (no intercept, "
        f"tol {SOLVE_TOL:g}). {retry}Largest certificate among the counted fits: duality gap, in the "
        "objective's units, "
        + ", ".join(f"{LABELS[n]} {worst[n]:.1e}" for n in BALLS if BALLS[n] >= 1)
        + f"; scale-free optimality violation of L0.5 {worst['l0.5']:.1e}. Counted fits: "
        + ", ".join(f"{LABELS[n]} {n_fits - left_out[n]}" for n in BALLS)
        + f" of {n_fits}. A coordinate counts as zero when |w<sub>j</sub>| ≤ {ZERO_TOL:g}.</p>"
        f"<p>Fraction of solutions with at least one zero: {rows}. "
        f"The L1 ball's corners and edges catch a large share of the solutions, and in d = {dims[-1]} an L1 "
        f"solution has on average {100 * coord_fractions[dims[-1]]['l1']:.0f}% zero coordinates. The smooth "
        f"L2 and L3 balls catch {'none' if smooth == 0 else f'at most a fraction {smooth:.2f}'}: a zero "
        "there needs the optimum's direction to hit an axis exactly, an event of probability 0. The L0.5 "
        f"ball, all spikes, catches {'even more than' if spiky_more else 'about as many as'} L1, but its "
        "solutions are only local (the projection onto a non-convex ball is not unique).</p>"
    )
    return Finding(
        id="axis-frequency",
        number=6,
        title="How often does L1 land on an axis?",
        question="The diamond picture says L1 solutions sit on corners. How often, really?",
        claim="The corners of the L1 ball make solutions with exact zeros common; the round L2 ball "
        "(and L3) essentially never gives an exact zero.",
        measured=measured,
        verdict=verdict,
        summary=summary,
        text=text,
        figures=[_figure(fractions, coord_fractions, dims, solutions_2d, n_problems)],
        seconds=time.perf_counter() - t0,
    )
