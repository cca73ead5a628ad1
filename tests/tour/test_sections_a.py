"""Tour sections 1-5 and 7: each quick run's numbers against its claim, and a valid Finding."""

import json
import math

import numpy as np
import pytest

from lpnet.tour import (
    s01_overfitting,
    s02_large_weights,
    s03_bias,
    s04_unit_balls,
    s05_classic_picture,
    s07_lagrange,
)
from lpnet.tour._finding import VERDICTS, Figure, Finding
from lpnet.tour.report import _jsonable

SECTIONS = {
    1: s01_overfitting,
    2: s02_large_weights,
    3: s03_bias,
    4: s04_unit_balls,
    5: s05_classic_picture,
    7: s07_lagrange,
}


@pytest.fixture(scope="module")
def findings(quick_run):
    """Each section's quick run by number, once per session (the runs dominate the test time)."""
    return lambda number: quick_run(SECTIONS[number])


@pytest.mark.parametrize("number", sorted(SECTIONS))
def test_finding_is_complete(findings, number):
    f = findings(number)
    assert isinstance(f, Finding)
    assert f.number == number
    assert f.verdict in VERDICTS
    assert f.id and f.title and f.question and f.claim and f.summary and f.text
    assert f.verdict in f.summary  # the one-line summary ends with its verdict
    assert f.figures and all(isinstance(fig, Figure) and fig.caption for fig in f.figures)
    json.dumps(_jsonable(f.measured), allow_nan=False)  # the numbers are JSON-serialisable


def test_overfitting_penalties_lower_test_error(findings):
    m = findings(1).measured
    assert m["train_mse_none"] < m["noise_variance"] < m["test_mse_none"]  # fits the noise
    assert m["test_mse_l2"] < m["test_mse_none"]
    assert m["test_mse_l1"] < m["test_mse_none"]
    assert m["u_shape_l2"] and m["u_shape_l1"]
    assert m["coef_norm_none"] > m["coef_norm_l2"]
    assert m["zero_coefs_l1"] > 0
    assert m["repeats"] >= 5
    assert m["repeats_share_l2_beats_none"] >= 0.8 and m["repeats_share_l1_beats_none"] >= 0.8
    assert m["repeats_median_test_mse_l2"] < m["repeats_median_test_mse_none"]
    assert findings(1).verdict == "supports"


def test_large_weights_are_sensitive_and_overconfident(findings):
    m = findings(2).measured
    assert m["train_accuracy_big"] == m["train_accuracy_small"] == 1.0  # both fit the training data
    assert m["weight_per_lb_big"] > 3 * m["weight_per_lb_small"]
    assert m["max_prob_move_1lb_big"] > 2 * m["max_prob_move_1lb_small"]
    assert m["log_loss_30lb_cat_big"] > 2 * m["log_loss_30lb_cat_small"]
    assert findings(2).verdict == "supports"


def test_bias_equivariance_only_with_free_intercept(findings):
    m = findings(3).measured
    c = m["shift_c"]
    assert m["ridge_shift_error_free"] < 1e-8 * c
    assert m["lasso_shift_error_free"] < 1e-8 * c
    assert m["ridge_shift_error_penalized"] > 0.1 * c
    assert abs(m["mean_test_residual_penalized"]) > abs(m["mean_test_residual_free"])
    assert abs(m["ridge_intercept_penalized"]) < abs(m["ridge_intercept_free"])  # shrunk towards 0
    # the L1-penalized intercept: a constant bias of alpha, equivariant unless the sign flips
    assert m["lasso_mean_train_residual_penalized"] == pytest.approx(m["lasso_alpha"], rel=1e-6)
    assert m["lasso_shift_error_penalized"] < 1e-6 * c
    assert m["lasso_shift_error_penalized_sign_flip"] > 1.0
    if m["torch_available"]:
        assert m["net_shift_error_free_biases"] < 1e-6 * c
        assert m["net_shift_error_penalized_biases"] > 1e-2 * c
    assert findings(3).verdict == "partly"


def test_bias_section_without_torch(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    f = s03_bias.run(quick=True, seed=0)
    assert f.measured["torch_available"] is False
    assert "net_shift_error_free_biases" not in f.measured
    assert "PyTorch" in f.summary and "PyTorch is not installed" in f.text


def test_unit_balls_areas_and_midpoint_test(findings):
    m = findings(4).measured
    for key in ("l0.5", "l1", "l2", "l3", "l4", "linf"):
        assert abs(m[f"{key}_area_monte_carlo"] - m[f"{key}_area_exact"]) <= 4 * m[f"{key}_area_se"] + 1e-12
    assert m["l1_area_exact"] == pytest.approx(2.0)
    assert m["l2_area_exact"] == pytest.approx(math.pi)
    assert m["l0.5_area_exact"] == pytest.approx(2 / 3)
    assert m["l2_volume3d_exact"] == pytest.approx(4 / 3 * math.pi)
    assert m["l0.5_midpoint_violations"] > 0.3
    assert m["l0.5_max_midpoint_norm"] == pytest.approx(2.0)
    for key in ("l1", "l2", "l3", "l4", "linf"):
        assert m[f"{key}_midpoint_violations"] == 0.0
        assert m[f"{key}_max_midpoint_norm"] <= 1.0 + 1e-12
    assert findings(4).verdict == "supports"


def test_unit_ball_legends_do_not_cover_the_balls(findings):
    fig = findings(4).figures[0].fig
    fig.draw_without_rendering()  # lays the figure out, as saving it does
    page = fig.bbox
    for ax in fig.axes:
        legend = ax.get_legend().get_window_extent()
        assert not legend.overlaps(ax.get_window_extent())  # the balls fill the axes
        # and the legend is not cut off at the figure's edge
        assert page.x0 <= legend.x0 and legend.x1 <= page.x1 and page.y0 <= legend.y0 and legend.y1 <= page.y1


def test_unit_ball_formulas():
    angles = np.linspace(0, 2 * np.pi, 50)
    for p in (0.5, 1.0, 3.0, math.inf):
        assert np.allclose(s04_unit_balls.lp_norm(s04_unit_balls.sphere_points(p, angles), p), 1.0)
    assert s04_unit_balls.ball_volume(1.0, 3) == pytest.approx(4 / 3)  # the octahedron
    assert s04_unit_balls.ball_volume(math.inf, 3) == 8.0


def test_classic_picture_tangency(findings):
    m = findings(5).measured
    w1, w2 = np.array(m["l1_optimum"]), np.array(m["l2_optimum"])
    assert np.sum(w1 == 0.0) == 1 and np.all(w2 != 0.0)  # L1 on an axis, L2 not
    assert np.abs(w1).sum() == pytest.approx(m["radius_t"], rel=1e-8)
    assert np.linalg.norm(w2) == pytest.approx(m["radius_t"], rel=1e-8)
    assert m["radius_t"] < m["largest_radius_with_l1_corner"]
    assert m["l2_tangency_angle_deg"] < 1.0
    assert m["l1_descent_angle_from_axis_deg"] < 45.0  # inside the normal cone of the corner
    assert m["max_tangency_angle_along_l1_trajectory_deg"] < 1.0
    assert m["max_tangency_angle_along_l2_trajectory_deg"] < 1.0
    assert 0 < m["share_of_l1_radii_with_a_zero"] < 1 and m["share_of_l2_radii_with_a_zero"] == 0
    assert findings(5).verdict == "supports"


def test_classic_picture_corner_radius_is_where_the_second_feature_enters():
    from lpnet.constrained import ConstrainedRegression

    X, y = s05_classic_picture._data()
    t_corner = s05_classic_picture._corner_radius(X, y)
    # just below the corner radius the L1 optimum has one zero, just above none
    for factor, zeros in ((0.98, 1), (1.02, 0)):
        w = ConstrainedRegression(radius=factor * t_corner, p=1, tol=1e-10).fit(X, y).coef_
        assert np.sum(w == 0.0) == zeros


def test_lagrange_multiplier_equals_alpha(findings):
    m = findings(7).measured
    assert m["circle_points_found"] == 2
    assert m["circle_max_kind"] == "max"
    assert m["circle_max_multiplier"] == pytest.approx(1 / math.sqrt(2), rel=1e-6)
    assert m["circle_max_value"] == pytest.approx(math.sqrt(2), rel=1e-9)
    assert m["circle_max_residual_grad_f_minus_lambda_grad_g"] < 1e-6
    assert m["lasso_max_relative_difference"] < 1e-4
    assert m["ridge_max_relative_difference"] < 1e-4
    assert m["lasso_max_relative_coef_difference"] < 1e-4
    assert np.allclose(m["lasso_multipliers"], m["lasso_alphas"], rtol=1e-4)
    assert findings(7).verdict == "supports"


@pytest.mark.parametrize("module", [s01_overfitting, s02_large_weights, s04_unit_balls])
def test_same_seed_same_numbers(module):
    a = module.run(quick=True, seed=3).measured
    b = module.run(quick=True, seed=3).measured
    assert json.dumps(_jsonable(a)) == json.dumps(_jsonable(b))
