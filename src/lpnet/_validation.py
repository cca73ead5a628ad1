"""Parameter rules and input checks.  Every message says what is wrong and how to fix it."""

from __future__ import annotations

import math
import numbers

import numpy as np


class InvalidParameterError(ValueError, TypeError):
    """A hyper-parameter of the wrong type or out of range.

    It is both a ``ValueError`` and a ``TypeError``, as scikit-learn's parameter errors are, so code
    written against either library catches it the same way.
    """


def _is_real_scalar(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def check_alpha(alpha, name: str = "alpha") -> float:
    if not _is_real_scalar(alpha) or not np.isfinite(alpha):
        raise InvalidParameterError(f"{name} must be a finite real number, got {alpha!r}; pass e.g. {name}=0.1.")
    if alpha < 0:
        raise InvalidParameterError(f"{name} must be >= 0, got {alpha}; use {name}=0 for no penalty.")
    return float(alpha)


def check_alphas(alphas, *, positive: bool = False, name: str = "alphas") -> np.ndarray:
    """A non-empty 1-D grid of finite alphas (``> 0`` with ``positive``), each entry checked by index.

    The messages name the offending entry the way scikit-learn's do (``alphas[1] == -1, must be >= 0.0.``).
    """
    values = np.atleast_1d(np.asarray(alphas, dtype=object))
    if values.ndim != 1 or values.size == 0:
        raise InvalidParameterError(f"{name} must be a non-empty 1-D sequence of numbers, got {alphas!r}.")
    bound = "> 0.0" if positive else ">= 0.0"
    out = np.empty(values.size)
    for i, a in enumerate(values.tolist()):
        if not _is_real_scalar(a):
            raise InvalidParameterError(f"{name}[{i}] must be an instance of float, not {type(a).__name__}.")
        if not np.isfinite(a):
            raise InvalidParameterError(f"{name}[{i}] == {a}, must be a finite number {bound}.")
        if a < 0 or (positive and a == 0):
            raise InvalidParameterError(f"{name}[{i}] == {a}, must be {bound}.")
        out[i] = a
    return out


def check_p(p) -> float:
    if not _is_real_scalar(p) or np.isnan(p):
        raise InvalidParameterError(f"p must be a real number > 0, got {p!r}; pass e.g. p=1.5.")
    if p <= 0:
        raise InvalidParameterError(f"p must be > 0, got {p}; p=1 is the Lasso, p=2 Ridge, 0 < p < 1 non-convex.")
    if not np.isfinite(p):
        raise InvalidParameterError(
            "p=inf is not a separable penalty; use the constrained form ||w||_inf <= t instead, or a finite p."
        )
    return float(p)


def check_l1_ratio(l1_ratio) -> float:
    if not _is_real_scalar(l1_ratio) or np.isnan(l1_ratio):
        raise InvalidParameterError(f"l1_ratio must be a real number in [0, 1], got {l1_ratio!r}.")
    if not 0.0 <= l1_ratio <= 1.0:
        raise InvalidParameterError(f"l1_ratio must lie in [0, 1], got {l1_ratio}; 1 is the Lasso, 0 is Ridge.")
    return float(l1_ratio)


def check_penalty_factor(weights, n_features: int | None = None, name: str = "penalty_factor") -> np.ndarray:
    """Per-feature penalty factors: finite, non-negative, one per feature (when ``n_features`` is known)."""
    try:
        v = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric, got {weights!r}.") from exc
    if v.ndim != 1 or (n_features is not None and v.shape[0] != n_features):
        expected = "a 1-D array" if n_features is None else f"{n_features} values (X has {n_features} features)"
        raise ValueError(f"{name} has shape {v.shape} but needs {expected}; pass one non-negative factor per feature.")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} contains NaN or inf; use finite factors (0 = unpenalized).")
    if np.any(v < 0):
        raise ValueError(f"{name} must be >= 0, got a minimum of {v.min()}; use 0 to leave a feature unpenalized.")
    return v


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise InvalidParameterError(f"{name} must be {what}, got {value!r}.")
    return int(value)


def check_tol(tol) -> float:
    if not _is_real_scalar(tol) or not np.isfinite(tol) or tol < 0:
        raise InvalidParameterError(f"tol must be a finite number >= 0, got {tol!r}; the default is 1e-6.")
    return float(tol)


def check_sample_weight(sample_weight, n_samples: int) -> np.ndarray:
    """Validate sample weights and rescale them to sum to ``n_samples`` (the conventions' scaling)."""
    if sample_weight is None:
        return np.ones(n_samples)
    try:
        s = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError("sample_weight must be numeric.") from exc
    if s.ndim == 0:
        s = np.full(n_samples, float(s))
    if s.ndim != 1 or s.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight has shape {s.shape} but there are {n_samples} samples; pass one weight per sample."
        )
    if not np.all(np.isfinite(s)):
        raise ValueError("sample_weight contains NaN or inf; pass finite, non-negative weights.")
    if np.any(s < 0):
        raise ValueError("sample_weight must be non-negative; drop a sample by giving it weight 0.")
    total = s.sum()
    if total <= 0:
        raise ValueError("all sample weights are zero; give at least one sample a positive weight.")
    return s * (n_samples / total)


def check_finite_squares(X, y=None) -> None:
    """Refuse NaN, infinity, and data whose squares, summed over the samples, overflow float64.

    The squared loss, the coordinate Lipschitz constants and the Gram matrix all sum squares of the
    entries: beyond ``sqrt(float_max / n)`` they become inf and every later step NaN.  Finite values
    that large are a unit problem (a rescaling fixes it), so the fix is named up front.  The same two
    reductions find NaN and infinity (both propagate through max and min), so the callers validate
    ``X`` with scikit-learn's ``ensure_all_finite=False``: one scan of X fewer on every fit.  Under
    scikit-learn's ``assume_finite=True`` (``set_config`` / ``config_context``) the scan is skipped, as
    scikit-learn skips its own: the caller vouches for the data.
    """
    from sklearn import get_config  # (imported with lpnet's estimators anyway; not at import of the core)

    if get_config()["assume_finite"]:
        return
    n = max(X.shape[0], 1)
    limit = float(np.sqrt(np.finfo(np.float64).max / n))
    for name, values in (("X", X.data if hasattr(X, "tocsc") else X), ("y", y)):
        if values is None or np.size(values) == 0:
            continue
        if _squares_below(values, 0.5 * limit * limit):
            continue
        # two reductions without the temporary |values|, naming what is wrong (or data whose entries
        # pass one by one though their squares' total is large)
        high, low = float(np.max(values)), float(np.min(values))
        if not (math.isfinite(high) and math.isfinite(low)):
            what = "NaN" if math.isnan(high) or math.isnan(low) else "infinity"
            raise ValueError(
                f"Input {name} contains {what}; lpnet fits finite data only (impute missing values first, "
                "e.g. with sklearn.impute.SimpleImputer)."
            )
        largest = max(high, -low)
        if largest > limit:
            raise ValueError(
                f"{name} has values up to {largest:.3g} in magnitude: their squares summed over {n} samples "
                f"overflow float64 (the limit is about {limit:.3g}). Rescale {name} (e.g. divide it by its "
                "standard deviation) and fit again."
            )


def _squares_below(values, bound: float) -> bool:
    """Whether the squares of contiguous float64 ``values`` sum to at most ``bound`` (then each entry's
    square does): one BLAS dot, against two reductions for the largest and smallest entry (0.9 ms
    against 2.2 ms on 20 000 x 200); NaN and infinity make the sum NaN or inf, so they fail it."""
    if not isinstance(values, np.ndarray) or values.dtype != np.float64:
        return False
    if not (values.flags.c_contiguous or values.flags.f_contiguous):
        return False
    flat = values.ravel(order="K")
    return bool(np.dot(flat, flat) <= bound)


def check_bound(bound, n_features: int | None = None, name: str = "lower_bounds", default: float = -np.inf):
    """One side of a box: None (``default``, i.e. unbounded), a scalar, or one value per feature.

    Returns a float (scalars stay scalars, so a penalty built before the data is known keeps them) or a
    float64 array; ``+-inf`` are allowed, NaN is not.
    """
    if bound is None:
        return float(default)
    try:
        b = np.asarray(bound, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a number or one number per feature, got {bound!r}.") from exc
    if b.ndim > 1 or (b.ndim == 1 and n_features is not None and b.shape[0] != n_features):
        expected = "a scalar or a 1-D array" if n_features is None else f"a scalar or {n_features} values"
        raise ValueError(
            f"{name} has shape {b.shape} but needs {expected} (X has "
            f"{'its' if n_features is None else n_features} features); pass one bound per feature or a scalar."
        )
    if np.any(np.isnan(b)):
        raise ValueError(f"{name} contains NaN; use -inf / inf for a side without a bound.")
    return float(b) if b.ndim == 0 else b


def check_bounds(lower, upper, n_features: int | None = None):
    """``(lower, upper)`` of a box (see :func:`check_bound`), with ``lower <= upper`` everywhere."""
    lower = check_bound(lower, n_features, "lower_bounds", -np.inf)
    upper = check_bound(upper, n_features, "upper_bounds", np.inf)
    lo, hi = np.asarray(lower), np.asarray(upper)
    if lo.ndim == 1 and hi.ndim == 1 and lo.shape != hi.shape:
        raise ValueError(
            f"lower_bounds has {lo.shape[0]} values but upper_bounds {hi.shape[0]}; pass one bound per feature "
            "on both sides (or a scalar)."
        )
    bad = np.flatnonzero(np.atleast_1d(lo > hi))
    if bad.size:
        j = int(bad[0])
        low = float(np.atleast_1d(lo)[j if lo.ndim else 0])
        high = float(np.atleast_1d(hi)[j if hi.ndim else 0])
        raise ValueError(
            f"lower_bounds must be <= upper_bounds, but feature {j} has lower {low:g} > upper {high:g}; "
            "swap or widen the bounds (lower == upper fixes a coefficient)."
        )
    if np.any(lo == np.inf) or np.any(hi == -np.inf):
        raise ValueError("lower_bounds cannot be +inf nor upper_bounds -inf: the box would be empty.")
    return lower, upper
