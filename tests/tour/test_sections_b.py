"""Tour sections 6 and 8-11: each quick run's numbers against its claim, and a valid Finding."""

import json
import sys

import numpy as np
import pytest

from lpnet.tour import (
    s06_axis_frequency,
    s08_nonconvex,
    s09_high_p,
    s10_elastic_net,
    s11_neural_nets,
)
from lpnet.tour._finding import VERDICTS, Figure, Finding

SECTIONS = {6: s06_axis_frequency, 8: s08_nonconvex, 9: s09_high_p, 10: s10_elastic_net, 11: s11_neural_nets}


@pytest.fixture(scope="module")
def findings(quick_run):
    """Each section's quick run by number, once per session (the runs dominate the test time)."""
    return lambda number: quick_run(SECTIONS[number])


@pytest.mark.parametrize("number", sorted(SECTIONS))
def test_finding_is_valid(findings, number):
    if number == 11:
        pytest.importorskip("torch")
    f = findings(number)
    assert isinstance(f, Finding)
    assert f.number == number
    assert f.verdict in VERDICTS
    assert f.id and f.title and f.question and f.claim and f.summary and f.text
    assert f.summary.endswith(f.verdict)
    json.loads(json.dumps(f.measured))  # plain numbers, lists and dicts only
    assert f.figures and all(isinstance(fig, Figure) and fig.caption for fig in f.figures)
    assert f.seconds > 0


def test_s06_l1_lands_on_axes_l2_never(findings):
    m = findings(6).measured
    for dim in m["dimensions"]:
        zeros = m["zero_fraction"][str(dim)]
        assert zeros["l1"] > zeros["l2"] == 0.0
        assert zeros["l3"] == 0.0
    assert findings(6).verdict == "supports"


def test_s06_problems_lie_outside_every_ball_and_l1_solution_is_feasible():
    rng = np.random.default_rng(3)
    for dim in (2, 7):
        X, y, w_star = s06_axis_frequency.random_problem(rng, dim)
        assert np.sum(np.abs(w_star) ** 3) ** (1 / 3) > s06_axis_frequency.RADIUS
        np.testing.assert_allclose(X @ w_star, y)
        sols = s06_axis_frequency.solve_balls(X, y, np.random.default_rng(0))
        for name, (coef, cert, converged, restarts) in sols.items():
            p = s06_axis_frequency.BALLS[name]
            assert converged and cert <= (s06_axis_frequency.SOLVE_TOL if p < 1 else 1e-4)
            assert restarts == 0 or p < 1  # only the non-convex ball is ever restarted
            # the optimum is outside, so every constraint binds: the solution lies on the sphere
            assert np.sum(np.abs(coef) ** p) ** (1 / p) == pytest.approx(s06_axis_frequency.RADIUS, rel=1e-6)


def test_s06_restarts_rescue_a_stuck_l05_fit():
    from lpnet.constrained import lp_norm

    s = s06_axis_frequency
    rng = np.random.default_rng(0)
    for _ in range(25):  # the 2-D problems of the quick run
        X, y, _ = s.random_problem(rng, 2)
        stuck, _, converged, restarts = s.solve_balls(X, y)["l0.5"]
        assert restarts == 0  # no generator, no restarts
        if not converged:
            break
    else:
        pytest.skip("every L0.5 fit of these problems is certified from the default start")
    coef, cert, converged, restarts = s.solve_balls(X, y, np.random.default_rng(1))["l0.5"]
    assert converged and cert <= s.SOLVE_TOL and 1 <= restarts <= s.N_RESTARTS
    # a stationary point lies on the sphere, since the unconstrained optimum is outside the ball
    assert lp_norm(coef, 0.5) == pytest.approx(s.RADIUS, rel=1e-6)
    assert not np.allclose(coef, stuck)


def _scatter_points(ax, label_start):
    """Number of points drawn by the scatter plots of ``ax`` whose label starts with ``label_start``."""
    from matplotlib.collections import PathCollection

    return sum(
        len(c.get_offsets())
        for c in ax.collections
        if isinstance(c, PathCollection) and c.get_label().startswith(label_start)
    )


def test_s06_every_point_drawn_as_a_solution_is_certified(findings):
    f = findings(6)
    m = f.measured
    tol = m["solve_tol"]
    # every counted L0.5 fit, and every one drawn in (d), is a certified stationary point
    assert m["max_certificate"]["l0.5"] <= tol
    assert m["shown_2d_max_certificate"]["l0.5"] <= tol
    ax_d = f.figures[0].fig.axes[3]
    drawn = _scatter_points(ax_d, "L0.5: o")  # "off the axes" and "on an axis"
    rejected = _scatter_points(ax_d, "L0.5: not certified")
    assert drawn == m["shown_2d_solutions"]["l0.5"]
    assert drawn + rejected == m["n_problems_per_dimension"]
    assert m["left_out"]["l0.5"] >= rejected
    assert m["certified_after_restarts"]["l0.5"] <= m["missed_tol_from_default_start"]["l0.5"]


def test_s06_uncertified_fits_are_left_out_and_marked(monkeypatch):
    solve = s06_axis_frequency.solve_balls
    calls = []

    def first_l05_fails(X, y, rng=None):
        # the first 2-D problem's L0.5 fit is reported as stuck far from stationarity
        sols = solve(X, y, rng)
        calls.append(1)
        if len(calls) == 1:
            coef, _, _, _ = sols["l0.5"]
            sols["l0.5"] = (coef, 0.5, False, s06_axis_frequency.N_RESTARTS)
        return sols

    monkeypatch.setattr(s06_axis_frequency, "solve_balls", first_l05_fails)
    f = s06_axis_frequency.run(quick=True, seed=0)
    m = f.measured
    n = m["n_problems_per_dimension"]
    assert m["left_out"]["l0.5"] == 1 and m["max_certificate_left_out"]["l0.5"] == 0.5
    assert m["max_certificate"]["l0.5"] <= m["solve_tol"]  # the stuck fit is not among the counted
    assert m["shown_2d_solutions"]["l0.5"] == n - 1
    ax_d = f.figures[0].fig.axes[3]
    assert _scatter_points(ax_d, "L0.5: o") == n - 1
    assert _scatter_points(ax_d, "L0.5: not certified") == 1
    assert "1 uncertified fit left out" in f.summary and "left out of every count" in f.text


def test_s08_l05_has_many_minima_convex_ones_one(findings):
    f = findings(8)
    m = f.measured
    assert max(m["distinct_minima_l05"]) > 1
    assert m["distinct_minima_l1"] == [1] * len(m["alpha_fractions"])
    assert m["distinct_minima_l2"] == [1] * len(m["alpha_fractions"])
    # every local minimum is a certified stationary point, every convex fit has a tiny gap
    assert m["l05_max_optimality_violation"] < 1e-6
    assert m["convex_max_dual_gap"] < 1e-6
    assert f.verdict in ("supports", "partly")


def _texts(fig):
    """Every annotation, label and legend entry drawn in a matplotlib figure."""
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text)]


def test_midpoint_norm_has_one_definition(quick_run, findings):
    from lpnet.tour import s04_unit_balls

    # ||x||_p = (sum_j |x_j|^p)^(1/p) at the midpoint of the corners (1, 0) and (0, 1), p = 0.5
    expected = (0.5**0.5 + 0.5**0.5) ** (1 / 0.5)
    balls, nonconvex = quick_run(s04_unit_balls), findings(8)
    assert balls.measured["l0.5_corner_midpoint_norm"] == pytest.approx(expected, rel=1e-12)
    assert nonconvex.measured["l05_corner_midpoint"] == [0.5, 0.5]
    assert nonconvex.measured["l05_corner_midpoint_norm"] == pytest.approx(expected, rel=1e-12)
    # both figures print that value, and neither prints the sum without the power (2 sqrt(0.5) = 1.41)
    for finding in (balls, nonconvex):
        texts = " ".join(_texts(finding.figures[0].fig))
        assert f"= {expected:.2f}" in texts and "1.41" not in texts
        assert f"{expected:.2f}" in finding.text


def test_s08_dedup_counts_starts():
    from lpnet.penalties import L1

    rng = np.random.default_rng(1)
    X, y, _ = s08_nonconvex.make_data(rng, 30)
    minima = s08_nonconvex.distinct_minima(X, y, L1(0.1), rng.standard_normal((5, X.shape[1])))
    assert len(minima) == 1 and minima[0]["hits"] == 5


def test_s09_high_p_has_no_exact_zeros(findings):
    m = findings(9).measured
    zeros = m["exact_zeros_at_matched_fit"]
    assert zeros["L3"] == zeros["L4"] == zeros["L2"] == 0
    assert zeros["L1"] > 0
    assert m["max_exact_zeros_along_alpha_grid"] == {"L3": 0, "L4": 0}
    assert all(t > 0 for t in m["median_solve_seconds"].values())
    # L3/L4 shrink the largest coefficients hardest: a flatter profile than L2's
    spread = m["true_support_min_over_max_coef"]
    assert spread["L4"] > spread["L2"]


def test_s09_matched_alpha_matches_the_fit():
    from lpnet.datafits import Quadratic
    from lpnet.penalties import Lp
    from lpnet.solvers import solve

    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 6))
    y = X @ rng.standard_normal(6) + rng.standard_normal(60)
    alpha = s09_high_p.matched_alpha(X, y, 3.0, 0.5, 1.0)
    res = solve(X, y, Quadratic(), Lp(alpha, 3.0))
    assert s09_high_p._r2(X, y, res) == pytest.approx(0.5, abs=1e-4)


def test_s10_lasso_splits_groups_elastic_net_keeps_them(findings):
    m = findings(10).measured
    assert sum(m["stable_members_per_group_lasso"]) < sum(m["stable_members_per_group_enet"])
    assert sum(m["cv_nonzero_members_per_group_lasso"]) < sum(m["cv_nonzero_members_per_group_enet"])
    assert np.mean(m["frequency_evenness_per_group_enet"]) > np.mean(m["frequency_evenness_per_group_lasso"])
    assert m["cv_cost_ratio"] > 1.0


def test_s10_verdict_follows_from_the_measured_numbers(findings):
    f = findings(10)
    m = f.measured
    s = s10_elastic_net
    groups = np.r_[np.repeat(np.arange(s.N_GROUPS), s.GROUP_SIZE), np.full(s.N_NOISE, -1)]
    kept = {}
    for name in ("lasso", "enet"):
        freq = np.array(m[f"selection_frequency_{name}"])
        # the per-group counts, recomputed from the raw selection frequencies
        kept[name] = [int(np.sum(freq[groups == g] > s.THRESHOLD)) for g in range(s.N_GROUPS)]
        assert kept[name] == m[f"stable_members_per_group_{name}"]
        assert np.max(freq[groups < 0]) == m[f"noise_max_frequency_{name}"]
    ratios = m["l1_ratios"]
    assert m["stable_group_members_per_l1_ratio"][ratios.index(1.0)] == sum(kept["lasso"])
    assert m["stable_group_members_per_l1_ratio"][ratios.index(s.L1_RATIO)] == sum(kept["enet"])
    mse, se = np.array(m["cv_best_mse_per_l1_ratio"]), np.array(m["cv_best_mse_se_per_l1_ratio"])
    # ElasticNetCV's choice is the l1_ratio with the smallest CV error in the table
    assert ratios[int(np.argmin(mse))] == m["enet_grid_chosen_l1_ratio"]

    noise_out = max(m["noise_max_frequency_lasso"], m["noise_max_frequency_enet"]) <= s.THRESHOLD
    grouping = (
        noise_out
        and sum(kept["enet"]) > sum(kept["lasso"])
        and (np.mean(m["frequency_evenness_per_group_enet"]) > np.mean(m["frequency_evenness_per_group_lasso"]))
    )
    free = mse[ratios.index(s.L1_RATIO)] - mse.min() <= se[np.argmin(mse)]
    expected = "supports" if grouping and free and m["cv_cost_ratio"] > 1 else "partly" if grouping else "contradicts"
    assert f.verdict == expected
    # whatever l1_ratio CV picks, the page says which and why it does or does not matter
    assert f"picks {m['enet_grid_chosen_l1_ratio']:g}" in f.text
    if m["enet_grid_chosen_l1_ratio"] == 1.0:
        assert "picks 1 (the lasso)" in f.text
    assert ("does not speak against the Elastic Net" in f.text) == bool(free)


def test_s10_group_stats():
    groups = np.array([0, 0, 1, 1, 2, 2, -1])
    stats = s10_elastic_net.group_stats(np.array([1.0, 0.5, 0.0, 0.0, 0.7, 0.7, 1.0]), groups, 0.6)
    assert stats == {"members": [1, 0, 2], "evenness": [0.5, 0.0, 1.0]}


def test_s11_symmetry_balance_and_sparsity(findings):
    pytest.importorskip("torch")
    m = findings(11).measured
    assert m["relu_max_output_change"] < 1e-6
    assert m["tanh_max_output_change"] > 1e-2
    assert m["l2_penalty_balanced"] < m["l2_penalty_random_rescaled"]
    assert m["l2_penalty_init_balanced"] <= m["l2_penalty_init"]
    assert m["balance_max_output_change"] < 1e-6
    assert m["digits"]["l1_prox"]["zero_fraction"] > 0.0
    assert m["digits"]["l1_subgradient"]["zero_fraction"] == 0.0
    assert min(m["seed_relative_weight_distances"]) > 0.5
    # weight decay pulls a trained network towards the balanced parametrization
    excess = m["excess_l2_penalty_trained"]
    assert excess[-1] < excess[0] < m["excess_l2_penalty_start"]


def test_s11_error_bars_start_at_zero(findings):
    pytest.importorskip("torch")
    f = findings(11)
    ax = f.figures[1].fig.axes[0]
    assert ax.get_yscale() == "linear" and ax.get_ylim()[0] == 0.0
    heights = [patch.get_height() for patch in ax.patches]
    # the bars are the test errors, 100% minus the accuracies of the measured table
    expected = [100 * (1 - v["accuracy"]) for v in f.measured["digits"].values()]
    assert heights == pytest.approx(expected)
    assert all(patch.get_y() == 0.0 for patch in ax.patches)


def test_s11_without_torch_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes ``import torch`` raise ImportError
    f = s11_neural_nets.run(quick=True, seed=0)
    assert f.verdict == "partly"
    assert f.measured == {"torch_available": False}
    assert "PyTorch" in f.summary and "not installed" in f.summary
    json.dumps(f.measured)
