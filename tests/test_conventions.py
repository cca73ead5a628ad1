"""convert: exact values, round trips, errors, and fits on both sides (lpnet vs scikit-learn)."""

import itertools
import math
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogistic
from sklearn.linear_model import Ridge as SkRidge

import lpnet
from lpnet.conventions import CONVENTION_NAMES, convert
from lpnet.penalties import L2


def test_values():
    assert convert(0.01, "alpha", "sklearn_C", n_samples=200) == pytest.approx(0.5)
    assert convert(0.5, "sklearn_C", "alpha", n_samples=200) == pytest.approx(0.01)
    assert convert(0.01, "alpha", "sklearn_ridge_alpha", n_samples=200) == pytest.approx(2.0)
    assert convert(0.3, "glmnet_lambda", "alpha", penalty="l1") == 0.3
    # glmnet's ridge lambda is divided by sd(y): alpha = lambda / sd
    assert convert(0.3, "glmnet_lambda", "alpha", penalty="l2", y_std=2.0) == pytest.approx(0.15)
    assert convert(0.15, "alpha", "glmnet_lambda", penalty="l2", y_std=2.0) == pytest.approx(0.3)
    assert convert(1e-4, "torch_weight_decay", "alpha") == 1e-4
    assert convert(1e-4, "keras_l2", "alpha") == pytest.approx(2e-4)
    assert convert(0.0, "alpha", "sklearn_C", n_samples=10) == math.inf
    assert convert(math.inf, "sklearn_C", "alpha", n_samples=10) == 0.0


@pytest.mark.parametrize(("frm", "to"), list(itertools.product(CONVENTION_NAMES, repeat=2)))
def test_round_trip(frm, to):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the AdamW caveat
        for value in (1e-5, 0.37, 4.0):
            for kw in (
                {"n_samples": 123, "lr": 1e-6, "penalty": "l1"},
                {"n_samples": 123, "lr": 1e-6, "penalty": "l2", "y_std": 3.7},
            ):
                back = convert(convert(value, frm, to, **kw), to, frm, **kw)
                assert back == pytest.approx(value, rel=1e-12)


def test_errors():
    with pytest.raises(ValueError, match="penalty='l1'"):  # glmnet's lambda means different things
        convert(1.0, "glmnet_lambda", "alpha")
    with pytest.raises(ValueError, match="y_std"):
        convert(1.0, "glmnet_lambda", "alpha", penalty="l2")
    with pytest.raises(ValueError, match="not a known convention"):
        convert(1.0, "lambda", "alpha")
    with pytest.raises(ValueError, match="not a known convention"):
        convert(1.0, "alpha", "C")
    with pytest.raises(ValueError, match=">= 0"):
        convert(-1.0, "alpha", "keras_l2")
    with pytest.raises(ValueError, match="real number"):
        convert(float("nan"), "alpha", "keras_l2")
    with pytest.raises(ValueError, match="real number"):
        convert("1", "alpha", "keras_l2")
    with pytest.raises(ValueError, match="needs n_samples"):
        convert(1.0, "alpha", "sklearn_C")
    with pytest.raises(ValueError, match="n_samples must be"):
        convert(1.0, "sklearn_ridge_alpha", "alpha", n_samples=0)
    with pytest.raises(ValueError, match="C=0"):
        convert(0.0, "sklearn_C", "alpha", n_samples=10)
    with pytest.raises(ValueError, match="needs lr"):
        convert(1e-2, "adamw_weight_decay", "alpha")
    with pytest.raises(ValueError, match=">= 1"):
        convert(20.0, "adamw_weight_decay", "alpha", lr=0.1)
    with pytest.warns(UserWarning, match="preconditioned"):
        assert convert(1e-2, "adamw_weight_decay", "alpha", lr=1e-3) == 1e-2


def _classification(n=150, d=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X @ rng.normal(size=d) + 0.5 * rng.normal(size=n) > 0).astype(int)
    return X, y


@pytest.mark.parametrize("alpha", [1e-3, 0.05, 0.5])
def test_logistic_fits_agree(alpha):
    X, y = _classification()
    ours = lpnet.LogisticRegression(alpha=alpha, penalty="l2", tol=1e-10).fit(X, y)
    C = convert(alpha, "alpha", "sklearn_C", n_samples=X.shape[0])
    theirs = SkLogistic(C=C, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_.ravel(), theirs.coef_.ravel(), rtol=1e-5, atol=1e-7)
    assert float(np.ravel(ours.intercept_)[0]) == pytest.approx(theirs.intercept_[0], rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("alpha", [1e-3, 0.1, 3.0])
def test_ridge_fits_agree(alpha):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 5))
    y = X @ rng.normal(size=5) + rng.normal(size=80)
    ours = lpnet.Ridge(alpha=alpha).fit(X, y)
    theirs = SkRidge(alpha=convert(alpha, "alpha", "sklearn_ridge_alpha", n_samples=80)).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-9)
    assert ours.intercept_ == pytest.approx(theirs.intercept_, rel=1e-9)


def test_keras_l2_by_formula():
    """keras.regularizers.l2(l) adds l * sum(w**2) to the loss: lpnet's L2 with alpha = 2 l."""
    w = np.random.default_rng(2).normal(size=20)
    keras_l = 3e-3
    assert L2(convert(keras_l, "keras_l2", "alpha")).value(w) == pytest.approx(keras_l * np.sum(w**2), rel=1e-13)


def test_core_imports_and_converts_without_torch():
    code = (
        "import sys\n"
        "class Block:  # torch is not installed, as far as this process can tell\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'torch' or name.startswith('torch.'):\n"
        "            raise ImportError('torch is blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import lpnet\n"
        "from lpnet.conventions import convert\n"
        "assert convert(0.01, 'alpha', 'sklearn_C', n_samples=200) == 0.5\n"
        "lpnet.Lasso(alpha=0.1).fit([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0.0, 1.0, 2.0])\n"
        "assert 'torch' not in sys.modules\n"
        "try:\n"
        "    import lpnet.torch\n"
        "except ImportError:\n"
        "    print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def _hitters():
    """ISLR's Hitters table, from the ISLP package's bundled data (read without importing ISLP)."""
    import importlib.util
    import os

    pd = pytest.importorskip("pandas")
    spec = importlib.util.find_spec("ISLP")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the Hitters data ship with the ISLP package, which `make test` installs")
    frame = pd.read_csv(os.path.join(list(spec.submodule_search_locations)[0], "data", "Hitters.csv")).dropna()
    y = frame.pop("Salary").to_numpy(float)
    # R's model.matrix(Salary ~ ., Hitters)[, -1]: treatment dummies for the three factors
    X = pd.get_dummies(frame, columns=["League", "Division", "NewLeague"], drop_first=True, dtype=float)
    return X.to_numpy(float), y


@pytest.mark.parametrize("index, published_norm", [(50, 6.360612), (60, 57.11001)])
def test_glmnet_ridge_mapping_reproduces_the_islr_hitters_lab(index, published_norm):
    """ISLR's ridge lab: glmnet(x, y, alpha=0, lambda=10^seq(10, -2, length=100)) on the 263 complete
    rows; the published coefficient norms are 6.360612 at lambda = grid[50] (11497.57) and 57.11001
    at grid[60] (705.48).  glmnet standardizes x (population sd) and fits y / sd(y)."""
    from lpnet import Ridge

    X, y = _hitters()
    assert X.shape == (263, 19)
    lam = 10.0 ** (10.0 - (index - 1) * 12.0 / 99.0)
    scale = X.std(axis=0)
    alpha = convert(lam, "glmnet_lambda", "alpha", penalty="l2", y_std=float(np.std(y)))
    model = Ridge(alpha=alpha, tol=1e-10).fit((X - X.mean(axis=0)) / scale, y)
    # glmnet stops on coefficient changes below thresh=1e-7, not on a certificate: its published
    # values are themselves accurate to about 1e-5
    assert np.linalg.norm(model.coef_ / scale) == pytest.approx(published_norm, rel=1e-4)
    # the old mapping (alpha = lambda) misses it by far
    wrong = Ridge(alpha=lam, tol=1e-10).fit((X - X.mean(axis=0)) / scale, y)
    assert abs(np.linalg.norm(wrong.coef_ / scale) / published_norm - 1) > 0.5


@pytest.mark.parametrize("a", [0.0, 0.3, 1.0])
def test_glmnet_pair_equals_glmnet_standardizing_y(a):
    """glmnet fits y / sd with lambda / sd and scales the coefficients back by sd: done here by hand with
    lpnet's ElasticNet, it equals one fit at glmnet_to_lpnet(lambda, a)."""
    from lpnet import ElasticNet, glmnet_to_lpnet, lpnet_to_glmnet

    rng = np.random.default_rng(3)
    X = rng.standard_normal((80, 6))
    y = 40.0 * (X @ np.array([1.0, -0.5, 0.0, 0.0, 0.3, 0.0])) + 7.0 + 10.0 * rng.standard_normal(80)
    sd, lam = float(np.std(y)), 2.5
    by_hand = ElasticNet(alpha=lam / sd, l1_ratio=a, tol=1e-13).fit(X, y / sd)
    alpha, l1_ratio = glmnet_to_lpnet(lam, a, y_std=sd)
    direct = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-13).fit(X, y)
    np.testing.assert_allclose(direct.coef_, sd * by_hand.coef_, rtol=1e-6, atol=1e-9)
    assert lpnet_to_glmnet(alpha, l1_ratio, y_std=sd) == pytest.approx((lam, a))


def test_the_guide_spells_every_convention_as_the_code_does():
    import pathlib

    page = pathlib.Path(__file__).resolve().parents[1] / "docs" / "guide" / "coming_from.md"
    readme = page.read_text(encoding="utf-8")
    for name in CONVENTION_NAMES:
        assert f'`"{name}"`' in readme, name
