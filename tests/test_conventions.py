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
    assert convert(0.3, "glmnet_lambda", "alpha") == 0.3
    assert convert(1e-4, "torch_weight_decay", "alpha") == 1e-4
    assert convert(1e-4, "keras_l2", "alpha") == pytest.approx(2e-4)
    assert convert(0.0, "alpha", "sklearn_C", n_samples=10) == math.inf
    assert convert(math.inf, "sklearn_C", "alpha", n_samples=10) == 0.0


@pytest.mark.parametrize(("frm", "to"), list(itertools.product(CONVENTION_NAMES, repeat=2)))
def test_round_trip(frm, to):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the AdamW caveat
        for value in (1e-5, 0.37, 4.0):
            kw = {"n_samples": 123, "lr": 1e-6}
            back = convert(convert(value, frm, to, **kw), to, frm, **kw)
            assert back == pytest.approx(value, rel=1e-12)


def test_errors():
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
