"""Section 1: overfitting, and how an L2 or L1 penalty tames it.

A degree-14 polynomial (Legendre basis, standardized columns) is fitted to 20 noisy samples of
``sin(pi x)``.  Least squares nearly interpolates the training points and swings wildly between and
beyond them; Ridge and Lasso with alpha chosen by cross-validation *on the training data only* are
compared on 400 fresh test points, and the test error is traced along each regularization path.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._finding import Figure, Finding
from .style import COLORS, PENALTY_COLORS, new_figure

DEGREE = 14
N_TRAIN = 20
N_TEST = 400
NOISE = 0.3


def _truth(x):
    return np.sin(np.pi * x)


def _design(x, mean=None, scale=None):
    from numpy.polynomial import legendre

    # Legendre polynomials instead of raw powers: the columns are far less collinear, so the
    # Lasso path converges quickly while the overfitting is just as real
    X = legendre.legvander(x, DEGREE)[:, 1:]
    if mean is None:
        mean, scale = X.mean(axis=0), X.std(axis=0)
    return (X - mean) / scale, mean, scale


def _mse(pred, y) -> float:
    return float(np.mean((pred - y) ** 2))


def _sample(rng):
    """A training sample, a test sample and their design matrices."""
    x = rng.uniform(-1.0, 1.0, N_TRAIN)
    y = _truth(x) + NOISE * rng.standard_normal(N_TRAIN)
    x_test = np.linspace(-1.0, 1.0, N_TEST)
    y_test = _truth(x_test) + NOISE * rng.standard_normal(N_TEST)
    X, mean, scale = _design(x)
    X_test, _, _ = _design(x_test, mean, scale)
    return x, y, y_test, X, X_test, mean, scale


def _fits(X, y, grids):
    """Least squares (w, b), and Ridge and Lasso with alpha chosen on the training data only."""
    from .. import LassoCV, RidgeCV

    # no penalty: least squares on centred data (the intercept is the mean)
    w = np.linalg.lstsq(X - X.mean(axis=0), y - y.mean(), rcond=None)[0]
    b = float(y.mean() - X.mean(axis=0) @ w)
    ridge = RidgeCV(alphas=grids["l2"]).fit(X, y)  # leave-one-out
    lasso = LassoCV(alphas=grids["l1"], cv=5, max_iter=300).fit(X, y)
    return (w, b), ridge, lasso


def run(*, quick: bool, seed: int) -> Finding:
    """Measure train and test error without a penalty, with L2 and with L1, and along both paths."""
    from sklearn.exceptions import ConvergenceWarning

    from .. import regularization_path

    rng = np.random.default_rng(seed)
    x, y, y_test, X, X_test, mean, scale = _sample(rng)
    # the same least-squares curve in the raw power basis x, x^2, ... (standardized columns)
    powers = np.vander(x, DEGREE + 1, increasing=True)[:, 1:]
    powers = (powers - powers.mean(axis=0)) / powers.std(axis=0)
    w_powers = np.linalg.lstsq(powers, y - y.mean(), rcond=None)[0]

    n_alphas = 25 if quick else 60
    grids = {"l2": np.geomspace(3e1, 3e-7, n_alphas), "l1": np.geomspace(1.0, 1e-4, n_alphas)}
    n_repeats = 5 if quick else 30
    # the repeats only need the chosen alpha: a coarser grid, and for the Lasso one that stops before
    # the nearly unregularized alphas where coordinate descent is slowest, makes them 10x faster
    coarse = {"l2": np.geomspace(grids["l2"][0], grids["l2"][-1], 25), "l1": np.geomspace(1.0, 1e-3, 20)}
    with warnings.catch_warnings():
        # the smallest alphas are nearly unregularized on 14 columns and 20 rows: a loose final gap
        # there does not change the picture, so the path's convergence warnings are not shown
        warnings.simplefilter("ignore", ConvergenceWarning)
        paths = {pen: regularization_path(X, y, penalty=pen, alphas=grid, max_iter=300) for pen, grid in grids.items()}
        (w_ols, b_ols), ridge, lasso = _fits(X, y, grids)
        # one sample could be lucky or unlucky: repeat the whole experiment on fresh samples
        repeats = []
        for _ in range(n_repeats):
            _, y_r, y_test_r, X_r, X_test_r, _, _ = _sample(rng)
            (w_r, b_r), ridge_r, lasso_r = _fits(X_r, y_r, coarse)
            repeats.append(
                (
                    _mse(X_test_r @ w_r + b_r, y_test_r),
                    _mse(ridge_r.predict(X_test_r), y_test_r),
                    _mse(lasso_r.predict(X_test_r), y_test_r),
                )
            )
    repeats = np.array(repeats)

    curves = {}
    for pen, path in paths.items():
        curves[pen] = {
            "train": np.array([_mse(X @ w + b, y) for w, b in zip(path.coefs, path.intercepts)]),
            "test": np.array([_mse(X_test @ w + b, y_test) for w, b in zip(path.coefs, path.intercepts)]),
        }
    errors = {
        "none": (_mse(X @ w_ols + b_ols, y), _mse(X_test @ w_ols + b_ols, y_test)),
        "l2": (_mse(ridge.predict(X), y), _mse(ridge.predict(X_test), y_test)),
        "l1": (_mse(lasso.predict(X), y), _mse(lasso.predict(X_test), y_test)),
    }
    coefs = {"none": w_ols, "l2": ridge.coef_, "l1": lasso.coef_}

    # the U: the best test error lies inside the grid and both ends are clearly worse
    u_shape = {}
    for pen, c in curves.items():
        k = int(np.argmin(c["test"]))
        u_shape[pen] = bool(0 < k < len(c["test"]) - 1 and min(c["test"][0], c["test"][-1]) > 1.5 * c["test"][k])
    better = errors["l2"][1] < errors["none"][1] and errors["l1"][1] < errors["none"][1]
    shrinks = np.linalg.norm(w_ols) > max(np.linalg.norm(ridge.coef_), np.linalg.norm(lasso.coef_))
    overfits = errors["none"][0] < errors["none"][1] / 5
    share = {pen: float(np.mean(repeats[:, k] < repeats[:, 0])) for k, pen in ((1, "l2"), (2, "l1"))}
    robust = min(share.values()) >= 0.8
    if better and overfits and shrinks and robust and all(u_shape.values()):
        verdict = "supports"
    else:
        verdict = "partly" if better or min(share.values()) >= 0.5 else "contradicts"
    measured = {
        "train_mse_none": errors["none"][0],
        "test_mse_none": errors["none"][1],
        "train_mse_l2": errors["l2"][0],
        "test_mse_l2": errors["l2"][1],
        "train_mse_l1": errors["l1"][0],
        "test_mse_l1": errors["l1"][1],
        "noise_variance": NOISE**2,
        "alpha_l2_loo": float(ridge.alpha_),
        "alpha_l1_cv5": float(lasso.alpha_),
        "best_test_mse_on_l2_path": float(curves["l2"]["test"].min()),
        "best_test_mse_on_l1_path": float(curves["l1"]["test"].min()),
        "u_shape_l2": u_shape["l2"],
        "u_shape_l1": u_shape["l1"],
        "max_abs_coef_none": float(np.abs(w_ols).max()),
        "max_abs_coef_l2": float(np.abs(ridge.coef_).max()),
        "max_abs_coef_l1": float(np.abs(lasso.coef_).max()),
        "coef_norm_none": float(np.linalg.norm(w_ols)),
        "coef_norm_l2": float(np.linalg.norm(ridge.coef_)),
        "coef_norm_l1": float(np.linalg.norm(lasso.coef_)),
        "max_abs_coef_none_power_basis": float(np.abs(w_powers).max()),
        "zero_coefs_l1": int(np.sum(lasso.coef_ == 0.0)),
        "n_coefs": DEGREE,
        "repeats": n_repeats,
        "repeats_share_l2_beats_none": share["l2"],
        "repeats_share_l1_beats_none": share["l1"],
        "repeats_median_test_mse_none": float(np.median(repeats[:, 0])),
        "repeats_median_test_mse_l2": float(np.median(repeats[:, 1])),
        "repeats_median_test_mse_l1": float(np.median(repeats[:, 2])),
    }
    summary = (
        f"test MSE {errors['none'][1]:.3g} without penalty (train {errors['none'][0]:.3g}) vs "
        f"{errors['l2'][1]:.3g} with L2 and {errors['l1'][1]:.3g} with L1; test error against alpha "
        f"is U-shaped for L2: {'yes' if u_shape['l2'] else 'no'}, L1: {'yes' if u_shape['l1'] else 'no'}"
        f"; coefficient norm {np.linalg.norm(w_ols):.2f} vs {np.linalg.norm(ridge.coef_):.2f} (L2), "
        f"{np.linalg.norm(lasso.coef_):.2f} (L1); on {n_repeats} fresh samples L2 wins {share['l2']:.0%}, "
        f"L1 {share['l1']:.0%}: {verdict}"
    )
    text = (
        f"<p>{N_TRAIN} points of <code>sin(pi x)</code> plus Gaussian noise (standard deviation {NOISE}) are fitted "
        f"with a degree-{DEGREE} polynomial: {DEGREE} standardized Legendre columns and an intercept. "
        "Least squares drives the training error far below the noise variance "
        f"({NOISE**2:.2f}) — it fits the noise — and pays for it on {N_TEST} fresh test points, "
        "wherever the training points leave gaps, above all near the ends of the interval (see the figure).</p>"
        "<p>The penalties' alpha is chosen on the training data alone (leave-one-out for Ridge, 5-fold "
        "cross-validation for the Lasso); the test points are used only to report the error. Along each "
        "path the test error falls as alpha grows from nearly zero (less overfitting), reaches a minimum, "
        "and rises again when the penalty starts to erase the signal (underfitting): the U.</p>"
        f"<p>One sample can be lucky. Repeated on {n_repeats} fresh samples (same sizes, alpha again chosen by "
        f"cross-validation each time), Ridge beats least squares on the test set in {share['l2']:.0%} of them and "
        f"the Lasso in {share['l1']:.0%}; median test MSE {measured['repeats_median_test_mse_none']:.3g} without "
        f"a penalty, {measured['repeats_median_test_mse_l2']:.3g} with L2, "
        f"{measured['repeats_median_test_mse_l1']:.3g} with L1.</p>"
        f"<p>The Lasso also sets {measured['zero_coefs_l1']} of the {DEGREE} coefficients exactly to zero. "
        "In this nearly orthogonal basis the unpenalized coefficients are larger, but not wildly so "
        "(Euclidean norm in the table): the wild curve comes from many moderate high-degree terms "
        "adding up. In the raw power basis x, x², ... (standardized) the same least-squares curve needs "
        f"coefficients up to {np.abs(w_powers).max():.3g} in absolute value, which cancel each other.</p>"
    )
    return Finding(
        id="overfitting",
        number=1,
        title="Overfitting and the U-shaped test error",
        question="Does a penalty really stop a flexible model from overfitting a small noisy sample?",
        claim="Without a penalty a high-degree polynomial fits the training noise (tiny train error, large "
        "test error); L2 or L1 regularization lowers the test error, and the test error against "
        "alpha is U-shaped; the unpenalized coefficients are the largest.",
        measured=measured,
        verdict=verdict,
        summary=summary,
        text=text,
        figures=[
            Figure(
                _figure(x, y, mean, scale, w_ols, b_ols, ridge, lasso, grids, curves, errors, coefs),
                "Top left: training points, the true curve and the three fits. Top right and bottom "
                "left: train and test error along the Ridge and Lasso paths (log scales); the "
                "dotted line is the error of least squares, the marker the alpha chosen by "
                "cross-validation. Bottom right: absolute coefficients of the three fits.",
            )
        ],
    )


def _figure(x, y, mean, scale, w_ols, b_ols, ridge, lasso, grids, curves, errors, coefs):
    fig, axes = new_figure(2, 2, width=4.6, height=3.4)
    ax = axes[0]
    grid_x = np.linspace(-1.0, 1.0, 600)
    G, _, _ = _design(grid_x, mean, scale)
    ax.plot(grid_x, _truth(grid_x), color=COLORS["black"], lw=1, ls="--", label="truth sin(πx)")
    ax.plot(grid_x, G @ w_ols + b_ols, color=PENALTY_COLORS["none"], lw=1.6, label="no penalty")
    ax.plot(grid_x, ridge.predict(G), color=PENALTY_COLORS["l2"], lw=1.6, label="L2 (Ridge)")
    ax.plot(grid_x, lasso.predict(G), color=PENALTY_COLORS["l1"], lw=1.6, label="L1 (Lasso)")
    ax.scatter(x, y, color=COLORS["black"], s=18, zorder=5, label="training points")
    ax.set_ylim(-2.5, 2.5)
    ax.set(xlabel="x", ylabel="y", title="Fits of a degree-14 polynomial")
    ax.legend(loc="lower right", fontsize=8)

    chosen = {"l2": ridge.alpha_, "l1": lasso.alpha_}
    names = {"l2": "L2 (Ridge)", "l1": "L1 (Lasso)"}
    for ax, pen in zip(axes[1:3], ("l2", "l1")):
        color = PENALTY_COLORS[pen]
        ax.plot(grids[pen], curves[pen]["test"], color=color, lw=1.8, label="test error")
        ax.plot(grids[pen], curves[pen]["train"], color=color, lw=1.2, ls="--", label="train error")
        ax.axhline(errors["none"][1], color=PENALTY_COLORS["none"], ls=":", lw=1.2, label="test, no penalty")
        k = int(np.argmin(np.abs(grids[pen] - chosen[pen])))
        ax.plot(
            chosen[pen],
            curves[pen]["test"][k],
            "o",
            color=COLORS["black"],
            ms=6,
            label=f"CV choice α={chosen[pen]:.2g}",
        )
        ax.set(
            xscale="log",
            yscale="log",
            xlabel="alpha (penalty strength)",
            ylabel="mean squared error",
            title=f"{names[pen]}: error against alpha",
        )
        ax.legend(fontsize=8, loc="best")

    ax = axes[3]
    j = np.arange(1, DEGREE + 1)
    width = 0.28
    for k, (pen, label) in enumerate((("none", "no penalty"), ("l2", "L2"), ("l1", "L1"))):
        mags = np.abs(coefs[pen])
        # exact zeros cannot be drawn on a log scale: they are shown as crosses on the bottom edge
        ax.bar(j + (k - 1) * width, np.where(mags > 0, mags, np.nan), width, color=PENALTY_COLORS[pen], label=label)
        if pen == "l1":
            zeros = j[mags == 0]
            ax.plot(
                zeros + width, np.full(zeros.shape, 1e-3), "x", color=PENALTY_COLORS[pen], ms=6, label="L1 exact zero"
            )
    ax.set(
        yscale="log",
        xlabel="Legendre degree of the column",
        ylabel="|coefficient|",
        title="Coefficient sizes",
        ylim=(8e-4, 20),
    )  # headroom for the legend
    ax.set_xticks(j)
    ax.legend(fontsize=8, ncols=2)
    return fig
