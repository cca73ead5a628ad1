"""lpnet.viz: which curves are named, where the legend stands, and which way the alpha axis runs, in
``Path.plot``, ``plot_cv``, ``StabilityPath.plot`` and the figures of ``lpnet path --plot`` / ``lpnet cv --plot``."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from lpnet import LassoCV, LogisticRegressionCV, regularization_path, stability_selection
from lpnet.viz import plot_cv, plot_path, plot_stability

N_FEATURES = 30


@pytest.fixture(scope="module")
def wide():
    """30 features, 8 of them informative with decreasing weights."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, N_FEATURES))
    coef = np.zeros(N_FEATURES)
    coef[[3, 7, 11, 15, 19, 23, 27, 29]] = [4.0, -3.5, 3.0, -2.5, 2.0, 1.5, -1.0, 0.8]
    y = X @ coef + 0.5 * rng.standard_normal(120)
    return X, y


@pytest.fixture(scope="module")
def wide_path(wide):
    X, y = wide
    path = regularization_path(X, y, n_alphas=30)
    path.feature_names = [f"feature_{j:02d}" for j in range(N_FEATURES)]
    return path


def _named(ax):
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


def _legend_outside(ax):
    """The legend is drawn right of the plotting area and inside the figure."""
    fig = ax.figure
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    axes = ax.get_window_extent()
    return legend.x0 >= axes.x1 and legend.x1 <= fig.bbox.x1 + 1 and legend.y1 <= fig.bbox.y1 + 1


def _decreasing(ax):
    left, right = ax.get_xlim()
    return ax.get_xscale() == "log" and left > right


# ----------------------------------------------------------------------------------------------------
# paths
# ----------------------------------------------------------------------------------------------------
def test_path_plot_names_the_ten_strongest_curves(wide_path):
    ax = wide_path.plot()
    legend = ax.get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert len(texts) == 10
    assert legend.get_title().get_text() == "largest 10 of 30"
    peak = np.abs(wide_path.coefs).max(axis=0)
    expected = {wide_path.feature_names[j] for j in np.argsort(-peak)[:10]}
    assert set(texts) == expected
    # listed top to bottom as the curves end next to the legend, at the smallest alpha
    last = {name: wide_path.coefs[-1, j] for j, name in enumerate(wide_path.feature_names)}
    assert [last[t] for t in texts] == sorted((last[t] for t in texts), reverse=True)
    # one line per feature, in feature order; the unnamed ones grey, the named ones coloured and distinct
    lines = [line for line in ax.get_lines() if len(line.get_xdata()) == len(wide_path)]
    assert len(lines) == N_FEATURES
    for j, line in enumerate(lines):
        assert line.get_label().lstrip("_") == wide_path.feature_names[j]
    named = _named(ax)
    assert len(named) == 10
    grey = [to_rgb(line.get_color()) for line in lines if line not in named]
    assert all(max(c) - min(c) < 0.05 for c in grey)
    styles = {(to_rgb(line.get_color()), line.get_linestyle()) for line in named}
    assert len(styles) == 10 and all(max(c) - min(c) > 0.05 for c, _ in styles)


def test_path_plot_legend_stands_outside_the_axes(wide_path):
    ax = wide_path.plot()
    assert _legend_outside(ax)
    width = ax.get_window_extent().width / ax.figure.bbox.width
    assert width > 0.55  # the plotting area keeps most of the figure


def test_path_plot_alpha_axis_decreases_to_the_right(wide_path):
    ax = wide_path.plot()
    assert _decreasing(ax)
    left, right = ax.get_xlim()
    assert left >= wide_path.alphas.max() and right <= wide_path.alphas.min()


def test_path_plot_few_features_names_all_and_legend_can_be_off(wide):
    X, y = wide
    path = regularization_path(X[:, :5], y, n_alphas=10)
    ax = plot_path(path)
    assert [line.get_label() for line in _named(ax)] == path.feature_names
    assert ax.get_legend().get_title().get_text() == ""
    ax = plot_path(path, legend=False)
    assert ax.get_legend() is None


def test_path_plot_on_given_axes_and_n_labels(wide_path):
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.subplots()
    assert plot_path(wide_path, ax=ax, n_labels=4) is ax
    assert len(ax.get_legend().get_texts()) == 4
    with pytest.raises(ValueError, match="n_labels"):
        plot_path(wide_path, n_labels=0)


# ----------------------------------------------------------------------------------------------------
# cross-validation and stability
# ----------------------------------------------------------------------------------------------------
def test_cv_plot_runs_the_same_way_as_the_path_plot(wide, wide_path):
    X, y = wide
    model = LassoCV(n_alphas=15, cv=3).fit(X, y)
    ax = model.plot_cv()
    assert _decreasing(ax) == _decreasing(wide_path.plot())
    assert _decreasing(ax)
    assert _legend_outside(ax)
    assert "MSE" in ax.get_ylabel()
    res = model.cv_results_
    marks = [line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() in ("--", ":")]
    assert marks == [res.alphas[res.index_min], res.alphas[res.index_1se]]


def test_cv_plot_of_a_classifier_shows_log_loss(wide):
    X, y = wide
    model = LogisticRegressionCV("l1", n_alphas=8, cv=3).fit(X, (y > 0).astype(int))
    ax = plot_cv(model.cv_results_, loss="log-loss")
    assert "log-loss" in ax.get_ylabel()
    assert "log-loss" in model.plot_cv().get_ylabel()


def test_stability_plot(wide):
    X, y = wide
    stab = stability_selection(X, y, n_subsamples=6, n_alphas=6, random_state=0)
    ax = stab.plot(threshold=0.7)
    assert _decreasing(ax)
    assert _legend_outside(ax)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(texts) == 11 and texts[-1] == "threshold 0.7"
    order = np.argsort(-stab.frequencies.mean(axis=0), kind="stable")[:10]
    assert texts[:10] == [stab.feature_names[j] for j in order]
    assert plot_stability(stab, n_labels=3).get_legend().get_title().get_text() == "most selected 3 of 30"


# ----------------------------------------------------------------------------------------------------
# the command line's figures
# ----------------------------------------------------------------------------------------------------
def _cli_figure(args, tmp_path, monkeypatch, wide):
    """Run ``lpnet`` on the 30-feature data and return the figure it would save."""
    from lpnet.cli import main
    from lpnet.cli import select as _cli_select

    X, y = wide
    data = tmp_path / "wide.csv"
    names = [f"feature_{j:02d}" for j in range(N_FEATURES)]
    np.savetxt(data, np.column_stack([X, y]), delimiter=",", header=",".join([*names, "y"]), comments="")
    saved = []
    monkeypatch.setattr(_cli_select, "_save_figure", lambda fig, path: saved.append(fig))
    assert main([*args, "--data", str(data), "--target", "y", "--plot", str(tmp_path / "p.png")]) == 0
    (fig,) = saved
    return fig


def test_cli_path_plot(tmp_path, monkeypatch, capsys, wide):
    fig = _cli_figure(["path", "--n-alphas", "20"], tmp_path, monkeypatch, wide)
    ax = fig.axes[0]
    assert _decreasing(ax)
    assert len(ax.get_legend().get_texts()) == 10
    assert _legend_outside(ax)


def test_cli_cv_plot(tmp_path, monkeypatch, capsys, wide):
    fig = _cli_figure(["cv", "--folds", "3", "--n-alphas", "10"], tmp_path, monkeypatch, wide)
    ax = fig.axes[0]
    assert _decreasing(ax)  # the same direction as the path plot, not turned round a second time
    assert _legend_outside(ax)


def test_importing_lpnet_does_not_import_matplotlib():
    code = "import sys, lpnet, lpnet.viz; print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
