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
        sols = s06_axis_frequency.solve_balls(X, y)
        for name, (coef, _, _) in sols.items():
            p = s06_axis_frequency.BALLS[name]
            # the optimum is outside, so every constraint binds: the solution lies on the sphere
            assert np.sum(np.abs(coef) ** p) ** (1 / p) == pytest.approx(s06_axis_frequency.RADIUS, rel=1e-6)


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


def test_s11_without_torch_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes ``import torch`` raise ImportError
    f = s11_neural_nets.run(quick=True, seed=0)
    assert f.verdict == "partly"
    assert f.measured == {"torch_available": False}
    assert "PyTorch" in f.summary and "not installed" in f.summary
    json.dumps(f.measured)
