"""Regularization paths: the whole family of fits ``alpha_max > ... > eps * alpha_max``, each certified.

The path is solved from the largest ``alpha`` (where every penalized coefficient is zero) downwards,
each fit warm-started from the previous one, so most of the work is done once.  Every ``alpha`` keeps
its own certificate (duality gap, or optimality violation for ``p < 1``): a path is a list of
certified fits, not an approximation of one.

Squared loss with a pure L2 penalty on dense data is solved in closed form from one SVD, see
:class:`lpnet.solvers.ridge.RidgeSVD`.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numba import njit

from . import _validation as checks
from ._progress import progress_bar
from ._validation import InvalidParameterError
from .certificates import coef_error_bound
from .datafits import Quadratic
from .fit_data import FitData, prepare_fit
from .geometry import path_radii
from .path_relax import check_gamma, mix, relaxed_path_refits
from .penalties import ElasticNet as ElasticNetPenalty
from .penalties import Penalty, make_penalty
from .solvers import Design, pick_solver, solve, solve_along
from .solvers.cd_gram import gram_path, gram_path_applies, gram_state
from .solvers.ridge import ridge_svd_path

__all__ = ["Path", "alpha_max", "enet_path", "lasso_path", "regularization_path"]


@dataclass(repr=False)
class Path:
    """A regularization path: one certified fit per ``alpha``, ``alphas`` decreasing.

    Attributes
    ----------
    alphas, intercepts, objectives : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_alphas, n_features)
    dual_gaps : ndarray of shape (n_alphas,)
        Duality gap of each fit in the objective's units; NaN for non-convex penalties (``p < 1``).
    optimality_violations : ndarray of shape (n_alphas,)
        Scale-free optimality violation (``p < 1``); NaN for convex penalties.
    n_iters, n_nonzero, converged : ndarray of shape (n_alphas,)
    feature_names : list of str
    penalty, datafit : str
        Descriptions, e.g. ``"ElasticNet(l1_ratio=0.5)"`` and ``"squared"``.
    alpha_max : float
        The scale of the default grid (see :func:`alpha_max`).
    p : float
        The penalty's exponent: 1 for L1, 2 for L2, ``p`` for Lp; NaN for Elastic Net (see
        :attr:`radius`).
    relaxed_coefs, relaxed_intercepts, relaxed_dual_gaps, relaxed_converged, relaxed_separated
        Only with ``relax=True`` (else None): the certified unpenalized refit on each alpha's support
        (:mod:`lpnet.path_relax`); :meth:`relaxed` mixes it with the path.
    """

    alphas: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    objectives: np.ndarray
    dual_gaps: np.ndarray
    optimality_violations: np.ndarray
    n_iters: np.ndarray
    n_nonzero: np.ndarray
    converged: np.ndarray
    feature_names: list = field(default_factory=list)
    penalty: str = ""
    datafit: str = ""
    alpha_max: float = float("nan")
    p: float = float("nan")
    #: with ``relax=True``: the unpenalized refit on each alpha's support and its certificate (else None)
    relaxed_coefs: np.ndarray | None = None
    relaxed_intercepts: np.ndarray | None = None
    relaxed_dual_gaps: np.ndarray | None = None
    relaxed_converged: np.ndarray | None = None
    relaxed_separated: np.ndarray | None = None

    def relaxed(self, gamma: float) -> tuple[np.ndarray, np.ndarray]:
        """``(coefs, intercepts)`` of the relaxed fits ``gamma * fit + (1 - gamma) * refit`` (glmnet's
        ``gamma``: 1 is the path itself, 0 the refits); needs a path traced with ``relax=True``.

        Parameters
        ----------
        gamma : float in [0, 1]
            The mixing weight of the penalized fit.

        Returns
        -------
        coefs, intercepts : ndarray
            Of the shapes of ``coefs`` and ``intercepts``.
        """
        if self.relaxed_coefs is None or self.relaxed_intercepts is None:
            raise ValueError("this path has no refits: trace it with regularization_path(..., relax=True).")
        gamma = check_gamma(gamma)
        return mix(gamma, self.coefs, self.relaxed_coefs), mix(gamma, self.intercepts, self.relaxed_intercepts)

    def __len__(self) -> int:
        return int(self.alphas.shape[0])

    def __repr__(self) -> str:
        # one line: the arrays are for to_frame(), plot() or indexing, not for the prompt
        n, p = self.coefs.shape
        span = f"{self.alphas[0]:.4g} .. {self.alphas[-1]:.4g}" if n else "none"
        certificate = (
            f"max dual gap {np.nanmax(self.dual_gaps):.2e}"
            if n and np.isfinite(self.dual_gaps).any()
            else f"max violation {np.nanmax(self.optimality_violations):.2e}"
            if n
            else ""
        )
        return (
            f"Path(penalty={self.penalty!r}, datafit={self.datafit!r}, {n} alphas {span}, {p} features, "
            f"nonzero {int(self.n_nonzero.min(initial=0))}..{int(self.n_nonzero.max(initial=0))}, "
            f"{certificate}, converged {int(self.converged.sum())}/{n})"
        )

    @property
    def radius(self) -> np.ndarray:
        """``||w(alpha)||_p`` at each alpha: the radius of the constrained form with the same solution.

        For ``p >= 1`` the fit at ``alpha`` also solves ``min D(w, b)`` subject to ``||w||_p <= t``
        with ``t = radius`` (the Lagrange multiplier of that constraint, in penalty scaling, is
        ``alpha``); see :mod:`lpnet.constrained`.  Penalty factors are not part of the norm.  Elastic
        Net paths have no single norm ball: use :meth:`norms` with the exponent you want.
        """
        if np.isnan(self.p):
            raise ValueError(
                f"a {self.penalty} path has no single constraint radius; "
                "use path.norms(p) for the Lp norms of its coefficients."
            )
        return self.norms(self.p)

    def norms(self, p: float) -> np.ndarray:
        """``||w(alpha)||_p`` (``p > 0``, ``np.inf`` allowed) of each alpha's coefficients.

        Parameters
        ----------
        p : float
            The norm's exponent, ``p > 0`` or ``np.inf``.

        Returns
        -------
        ndarray of shape (n_alphas,)
            The norms.
        """
        return path_radii(self.coefs, p)

    def to_frame(self, diagnostics: bool = False):
        """The coefficients as a pandas DataFrame: one row per alpha, one column per feature.

        Parameters
        ----------
        diagnostics : bool
            Also add the columns ``intercept``, ``n_nonzero``, ``dual_gap``, ``optimality_violation``,
            ``n_iter`` and ``converged`` (before the features).
        """
        import pandas as pd

        frame = pd.DataFrame(self.coefs, columns=list(self.feature_names), index=pd.Index(self.alphas, name="alpha"))
        if not diagnostics:
            return frame
        extra = {
            "intercept": self.intercepts,
            "n_nonzero": self.n_nonzero,
            "dual_gap": self.dual_gaps,
            "optimality_violation": self.optimality_violations,
            "n_iter": self.n_iters,
            "converged": self.converged,
        }
        clash = sorted(set(extra) & set(map(str, self.feature_names)))
        if clash:
            raise ValueError(f"feature names {clash} clash with diagnostic columns; use diagnostics=False.")
        return pd.concat([pd.DataFrame(extra, index=frame.index), frame], axis=1)

    def plot(self, ax=None, legend: bool | None = None):
        """Coefficient paths against alpha (log scale), with the number of nonzeros on a top axis.

        Requires matplotlib (imported when plotting only); see :func:`lpnet.viz.plot_path`.  Alpha
        decreases to the right (strong penalty on the left, as glmnet).  ``legend`` defaults to True:
        outside the axes, naming the 10 strongest curves (the others are drawn in grey).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure when None.
        legend : bool, optional
            Whether to draw the legend (default True).

        Returns
        -------
        matplotlib Axes
            The Axes holding one line per feature, in feature order.
        """
        from .viz import plot_path

        return plot_path(self, ax=ax, legend=legend)


def prepare_path_data(X, y, datafit, sample_weight, penalty_factor=None, offset=None) -> tuple[FitData, np.ndarray]:
    """The fit preamble of a path (:func:`lpnet.fit_data.prepare_fit`) and the checked penalty factors."""
    data = prepare_fit(X, y, datafit, sample_weight, who="a path", offset=offset)
    p = data.n_features
    factors = np.ones(p) if penalty_factor is None else checks.check_penalty_factor(penalty_factor, p)
    return data, factors


def penalty_template(penalty, l1_ratio, p, factors, lower_bounds=None, upper_bounds=None) -> Penalty:
    """The path's penalty at ``alpha = 1`` with its factors and box: a name (with ``l1_ratio`` or ``p``
    where the penalty takes them) or a :class:`~lpnet.penalties.Penalty` instance (its ``alpha`` is
    ignored; its own ``weights`` and bounds serve when ``penalty_factor`` and the bounds are not given)."""
    n_features = factors.shape[0]
    given_box = lower_bounds is not None or upper_bounds is not None
    if isinstance(penalty, Penalty):
        if penalty.weights is not None:
            if not np.array_equal(factors, np.ones_like(factors)) and not np.array_equal(factors, penalty.weights):
                raise ValueError("the penalty has its own weights and penalty_factor was given too; pass one.")
            factors = penalty.penalty_factors(n_features)  # checks the length
        template = penalty.with_alpha(1.0).with_weights(factors)
        if given_box and template.is_bounded:
            raise ValueError("the penalty has its own bounds and lower_bounds / upper_bounds were given too; pass one.")
    else:
        template = make_penalty(penalty, 1.0, l1_ratio=l1_ratio, p=p, weights=factors)
    if given_box:
        template = template.with_bounds(*checks.check_bounds(lower_bounds, upper_bounds, n_features))
    template.bounds(n_features)  # checks the bounds' length against the data
    return template


def alpha_grid(a_max: float, n_alphas, eps) -> np.ndarray:
    """``n_alphas`` alphas spaced geometrically from ``a_max`` down to ``eps * a_max``.

    With nothing to shrink (``a_max`` at the float resolution: a constant target, or no penalized
    feature) the grid is ``n_alphas`` copies of the resolution, as scikit-learn's: every fit is then
    the constant model.
    """
    n_alphas = checks.check_positive_int(n_alphas, "n_alphas")
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not 0.0 < eps <= 1.0:
        raise InvalidParameterError(f"eps must lie in (0, 1] (the grid ends at eps * alpha_max), got {eps!r}.")
    resolution = np.finfo(np.float64).resolution
    if a_max <= resolution:
        return np.full(n_alphas, resolution)
    return np.geomspace(a_max, a_max * float(eps), num=n_alphas)


def decreasing_alphas(alphas) -> np.ndarray:
    """A checked, user-given grid, sorted decreasing: the order warm starts need."""
    return np.sort(checks.check_alphas(alphas))[::-1].copy()


def _free_columns(X, free, fit_intercept):
    """Dense ``[1, X_free]`` (the unpenalized columns), or None when there are none."""
    cols = [np.ones((X.shape[0], 1))] if fit_intercept else []
    if free.any():
        Xf = X[:, np.flatnonzero(free)]
        cols.append(Xf.toarray() if sp.issparse(Xf) else Xf)
    return np.hstack(cols) if cols else None


def _free_fit(X, y, s, datafit, free, fit_intercept):
    """``(z, b, w_free)``: the best model on the free columns (the datafit's :meth:`free_fit`) and its
    linear predictor ``z``."""
    A = _free_columns(X, free, fit_intercept)
    if A is None:
        return np.zeros(X.shape[0]), 0.0, np.zeros(0)
    k = int(fit_intercept)
    c = datafit.free_fit(A, y, s, n_fixed=k)
    return A @ c, (float(c[0]) if k else 0.0), c[k:]


def _bounded_start(X, y, s, datafit, template: Penalty, fit_intercept, tol) -> tuple[np.ndarray, float, np.ndarray]:
    """``(w, b, grad)`` at the start of a path with a box: the penalized coefficients at the point of their
    box closest to 0, the intercept and the free features (each in its own box) at their best, and the
    datafit's gradient ``X^T dD/dz`` there.  A certified fit with the penalized coefficients held fixed."""
    n_features = X.shape[1]
    lower, upper = template.bounds(n_features)
    held = template.penalty_factors(n_features) > 0
    w0 = np.clip(0.0, lower, upper)
    fixed = template.with_alpha(0.0).with_bounds(np.where(held, w0, lower), np.where(held, w0, upper))
    fit = solve(X, y, datafit, fixed, sample_weight=s, fit_intercept=fit_intercept, tol=tol, max_iter=1000)
    z = np.asarray(X @ fit.coef).ravel() + fit.intercept
    grad = np.asarray(X.T @ datafit.raw_grad(y, z, s), dtype=np.float64).ravel()
    return fit.coef, fit.intercept, grad


def checked_alpha_max(X, y, s, datafit, template: Penalty, fit_intercept) -> float:
    """:func:`alpha_max` on data :func:`lpnet.fit_data.prepare_fit` already checked (target encoded,
    weights summing to ``n_samples``) for a penalty template (:func:`penalty_template`), so that a
    cross-validation asks for it per ``l1_ratio`` without checking ``X`` again."""
    grad = null_gradient(X, y, s, datafit, template, fit_intercept)
    return 0.0 if grad is None else template.alpha_max(grad)


def null_gradient(X, y, s, datafit, template: Penalty, fit_intercept) -> np.ndarray | None:
    """The datafit's gradient in ``w`` at the null model that :func:`checked_alpha_max` measures (its
    ``template.alpha_max``), or None when that alpha_max is 0.  Only ``template``'s penalty factors and
    box matter: templates that share them (a cross-validation's l1_ratios) share the gradient."""
    # At w_pen = 0 with the free columns at their optimum, w_pen = 0 is stationary iff every penalized
    # gradient lies in the penalty's subdifferential at 0: the penalty turns that into alpha_max.
    factors = template.penalty_factors(X.shape[1])
    free = factors == 0
    if template.is_bounded and not free.all():
        # the same at the box's point closest to 0, free features inside their own boxes
        w, b, grad = _bounded_start(X, y, s, datafit, template, fit_intercept, 1e-10)
        return None if datafit.fits_exactly(y, X @ w + b) else grad
    z, _, _ = _free_fit(X, y, s, datafit, free, fit_intercept)
    if free.all() or datafit.fits_exactly(y, z):
        return None  # nothing penalized, or the free model fits y to rounding (e.g. a constant target)
    return np.asarray(X.T @ datafit.raw_grad(y, z, s), dtype=np.float64).ravel()


def alpha_max(
    X,
    y,
    penalty="l1",
    datafit="squared",
    l1_ratio=0.5,
    penalty_factor=None,
    fit_intercept=True,
    sample_weight=None,
    p=1.0,
    *,
    offset=None,
    lower_bounds=None,
    upper_bounds=None,
) -> float:
    """Smallest ``alpha`` at which every penalized coefficient is zero (or, with bounds, at the point
    of its box closest to zero).

    With the free columns (the intercept and features with penalty factor 0) fitted at ``w_pen = 0``
    (weighted least squares for the squared loss; the null model, or Newton steps when features are
    free, for the logistic loss)::

        alpha_max = max_{j: v_j > 0} |grad_j D| / (v_j * rho)

    with ``rho = 1`` for L1 and ``rho = l1_ratio`` for the Elastic Net.  This is exact for L1, Elastic
    Net and ``Lp`` with ``p = 1``.  L2 and ``Lp`` with ``p != 1`` never set a coefficient exactly to
    zero (``p > 1``) or always have ``w = 0`` as a local minimum (``p < 1``), so they have no finite
    ``alpha_max``: the L1 value (``rho = 1``) is returned as the scale of their default grid; so it is
    for ``l1_ratio = 0``.

    In general the penalty's :meth:`~lpnet.penalties.Penalty.alpha_max` turns the gradient into the
    threshold, so MCP and SCAD (whose subdifferential at 0 is the L1 one) get the L1 value: from there
    on ``w_pen = 0`` is a strict local minimum.  Being non-convex, they may have a better point
    elsewhere, which a fit can find (a coordinate step longer than ``gamma`` jumps over the concave part).

    With bounds ``lower_j <= w_j <= upper_j``, ``w0_j`` is the point of the box closest to 0 (0 when the
    box contains it) and the free columns are fitted inside their own boxes; only the part of the
    gradient pointing into the box counts (see :meth:`lpnet.penalties.Penalty.alpha_max`).  A box that
    excludes 0 makes ``w = 0`` infeasible: ``alpha_max`` is then the smallest ``alpha`` at which ``w0``
    is optimal, where glmnet refuses such limits.

    Parameters
    ----------
    X, y, penalty, datafit, l1_ratio, penalty_factor, fit_intercept, sample_weight, p, offset
        As in :func:`regularization_path`.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), optional
        As in :func:`regularization_path`.

    Returns
    -------
    float
        0.0 when no feature is penalized or the free model already fits the target exactly.
    """
    data, factors = prepare_path_data(X, y, datafit, sample_weight, penalty_factor, offset)
    template = penalty_template(penalty, l1_ratio, p, factors, lower_bounds, upper_bounds)
    fit_intercept = bool(fit_intercept) and data.datafit.allows_intercept
    return checked_alpha_max(data.X, data.y, data.sample_weight, data.datafit, template, fit_intercept)


def _warm_path(design, y, s, datafit, template, alphas, fit_intercept, tol, max_iter, progress, w0=None, b0=None):
    """Solve alpha by alpha, largest first, each fit warm-started at the previous solution."""
    n_features = design.shape[1]
    penalties = [template.with_alpha(float(alpha)) for alpha in alphas]
    out = _gram_prefix(design, y, s, datafit, penalties, fit_intercept, tol, max_iter, w0)
    w, b = (w0, b0) if not out else (out[-1].coef, out[-1].intercept)
    previous = None if not out else (out[-1], penalties[len(out) - 1])
    fit = solve_along(design, y, datafit, sample_weight=s, fit_intercept=fit_intercept, tol=tol, max_iter=max_iter)
    # a prediction needs two solutions of a convex problem (a non-convex path follows one local solution)
    predicts = template.is_convex
    for k, penalty in enumerate(progress_bar(penalties[len(out) :], progress, "path"), start=len(out)):
        strong = None if previous is None else strong_set(penalty, previous, n_features)
        predicted = None
        if predicts and k >= 2:
            predicted = predicted_start(out[k - 1], out[k - 2], alphas[k - 1], alphas[k - 2], alphas[k])
        r = fit(
            penalty,
            w0=w,
            b0=b,
            strong=strong,
            warm_grad=None if previous is None else previous[0].grad,
            predicted=predicted,
        )
        out.append(r)
        w, b = r.coef, r.intercept
        previous = (r, penalty)
    return out


def predicted_start(last, before, alpha_last: float, alpha_before: float, alpha: float):
    """The start a path predicts at ``alpha`` from its last two fits, the line through them, as
    ``(support, values, intercept)``: the coefficients at ``support`` (the last fit's) move to
    ``values``, the others stay zero.  None for alphas out of order.

    The Lasso's solution is linear in alpha between the alphas where its support changes (Efron et al.
    2004), and an Elastic Net's is smooth: the line's error is second order in the step where the last
    solution's is first order.  A coefficient the line would carry across zero stops at zero (it leaves
    the support there).  The solver takes the start only where the objective is lower
    (:class:`lpnet.solvers.base.Problem`, ``predicted``).
    """
    if not alpha_before > alpha_last > alpha:
        return None
    ratio = (alpha - alpha_last) / (alpha_last - alpha_before)
    support = np.flatnonzero(last.coef != 0)  # (of the mask: of the floats 8 times slower)
    start = last.coef[support]
    values = start + ratio * (start - before.coef[support])
    values[np.sign(values) != np.sign(start)] = 0.0
    return support, values, last.intercept + ratio * (last.intercept - before.intercept)


def _gram_alpha_max(design, y, s, datafit, template: Penalty, fit_intercept) -> float | None:
    """:func:`checked_alpha_max` from the Gram mode's state where the path will run in it (no box, every
    feature penalized): the gradient at the null model is ``-Xc^T H yc``, which that state holds, so
    the data are not read once more for it.  None where the Gram mode does not apply."""
    if template.is_bounded or pick_solver(design.X, datafit, template.with_alpha(1.0)) != "cd_gram":
        return None
    state = gram_state(design, y, s, fit_intercept)
    if datafit.fits_exactly(y, np.full(y.shape[0], state.y_mean)):
        return 0.0  # the free model (the mean) fits y to rounding, e.g. a constant target
    return template.alpha_max(-state.c)


def _gram_prefix(design, y, s, datafit, penalties, fit_intercept, tol, max_iter, w0) -> list:
    """The path's leading fits from one compiled call on the Gram matrix, where ``solve`` would pick
    the Gram mode anyway (tall dense data, squared loss, every feature under a convex penalty): the
    per-alpha work there is small beside a fit's fixed costs.  Empty where it does not apply; it stops
    before the first alpha it cannot certify, which the per-alpha loop then takes over."""
    if not penalties or pick_solver(design.X, datafit, penalties[0]) != "cd_gram":
        return []
    state = gram_state(design, y, s, fit_intercept)
    if not gram_path_applies(penalties[0], [pen.alpha for pen in penalties], state, tol):
        return []
    missing = np.flatnonzero(~state.have_col)
    if missing.size:
        state.add_columns(missing)
    fits = gram_path(state, penalties, tol, max_iter, w0)
    if fits and not fits[-1].converged:
        fits.pop()
    for fit, penalty in zip(fits, penalties):
        fit.coef_error_bound = coef_error_bound(fit.dual_gap, penalty, design.shape[1])
    return fits


def strong_set(penalty, previous, n_features):
    """The sequential strong rule (Tibshirani et al. 2012) for the next alpha, or None.

    With ``tau_j(alpha)`` the half-width of the subdifferential at 0 (``alpha * v_j`` for L1,
    ``alpha * l1_ratio * v_j`` for Elastic Net), feature j is kept when
    ``|grad_j(w(alpha_prev))| >= 2 tau_j(alpha) - tau_j(alpha_prev)``: if the gradient is
    1-Lipschitz in ``tau`` along the path, the features left out stay at zero.  That assumption can
    fail (correlated or duplicated columns), so the rule only proposes the solver's first working set;
    the full-gradient check that follows brings back every feature it left out wrongly.
    """
    result, previous_penalty = previous
    tau = penalty.zero_threshold(n_features)
    if result.grad is None or not tau.any():
        return None
    grad = np.ascontiguousarray(result.grad, dtype=np.float64)
    return _strong_rule(grad, tau, previous_penalty.zero_threshold(n_features))


@njit(cache=True, nogil=True)
def _strong_rule(grad: np.ndarray, tau: np.ndarray, previous_tau: np.ndarray) -> np.ndarray:
    # |grad_j| >= 2 tau_j - previous_tau_j in one pass (four numpy passes took 45 us an alpha on 50 000
    # features); a NaN gradient (a feature a partial certificate left out) is not strong
    out = np.empty(grad.shape[0], dtype=np.bool_)
    for j in range(grad.shape[0]):
        out[j] = abs(grad[j]) >= 2.0 * tau[j] - previous_tau[j]
    return out


def regularization_path(
    X,
    y,
    penalty="l1",
    datafit="squared",
    alphas=None,
    n_alphas=100,
    eps=1e-3,
    l1_ratio=0.5,
    p=1.0,
    penalty_factor=None,
    fit_intercept=True,
    sample_weight=None,
    tol=1e-6,
    max_iter=100,
    progress=False,
    *,
    offset=None,
    relax=False,
    lower_bounds=None,
    upper_bounds=None,
    _w0=None,
) -> Path:
    """Fit a penalized linear model for a decreasing sequence of ``alpha``, each fit certified.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features), or Design
        Numeric data; a pandas DataFrame's column names become ``feature_names``.  A
        :class:`lpnet.solvers.Design` around the data shares their set-up (layout, coordinate moments,
        the certificate's scales) between several paths on the same data, e.g. the penalties of a
        cross-validation fold.
    y : array-like of shape (n_samples,)
        Real target (``"squared"``) or any two labels (``"logistic"``; the larger by ``np.unique``
        order is the positive class).
    penalty : str or Penalty
        A name from :func:`lpnet.penalties.penalty_names` (``"l1"``, ``"l2"``, ``"elasticnet"``, ``"lp"``,
        ...), or a :class:`~lpnet.penalties.Penalty` instance whose shape (and weights) the path keeps
        while it varies ``alpha`` (the instance's own ``alpha`` is ignored).
    datafit : str or Datafit
        A name from :func:`lpnet.datafits.datafit_names` (``"squared"``, ``"logistic"``) or an instance.
    alphas : array-like, optional
        The alphas (>= 0), solved in decreasing order.  Default: ``n_alphas`` values spaced
        geometrically from :func:`alpha_max` down to ``eps * alpha_max``.
    n_alphas : int
    eps : float in (0, 1)
    l1_ratio, p : float
        Elastic Net mixing in [0, 1] (scikit-learn's ``l1_ratio``); exponent > 0 of ``"lp"``.  Used only by
        the penalties that take them (other shape parameters: pass a Penalty instance).
    penalty_factor : array-like of shape (n_features,), optional
        Per-feature factors ``v_j >= 0``; 0 leaves a feature unpenalized.
    fit_intercept : bool
    sample_weight : array-like of shape (n_samples,), optional
    tol, max_iter : passed to every solve (see :func:`lpnet.solvers.solve`).
    progress : bool
        Show a text progress bar on stderr (tqdm's when installed).
    offset : array-like of shape (n_samples,), optional
        A fixed part of the linear predictor (``log(exposure)`` for the log-link families).
    relax : bool
        Also refit each alpha's support without a penalty (within the box, if any), certified
        (:mod:`lpnet.path_relax`): ``relaxed_coefs`` and friends, and :meth:`Path.relaxed` for glmnet's
        ``gamma`` mix.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), optional
        Box constraints ``lower_j <= w_j <= upper_j`` on every fit (``-inf`` / ``inf`` allowed; None: open),
        penalized and free features alike.  The path starts from the box's point closest to 0 (see
        :func:`alpha_max`).  A box on unpenalized features, or a non-convex penalty, makes the fits
        certified by the optimality violation instead of the duality gap.

    Returns
    -------
    Path
        With every alpha's duality gap (convex) or optimality violation (``p < 1``).

    Notes
    -----
    Squared loss with a pure L2 penalty on dense data takes the whole path from one SVD; every other
    problem is solved by :func:`lpnet.solvers.solve` with warm starts along the path.
    """
    tol, max_iter = checks.check_tol(tol), checks.check_positive_int(max_iter, "max_iter")
    fit_intercept = bool(fit_intercept)
    given = X if isinstance(X, Design) else None
    data, factors = prepare_path_data(
        X if given is None else given.X, y, datafit, sample_weight, penalty_factor, offset
    )
    template = penalty_template(penalty, l1_ratio, p, factors, lower_bounds, upper_bounds)
    factors = template.penalty_factors(data.n_features)  # a Penalty instance may bring its own weights
    X, y, s, datafit, names = data.X, data.y, data.sample_weight, data.datafit, data.feature_names
    fit_intercept = fit_intercept and datafit.allows_intercept  # (Cox: D is blind to a constant in z)
    if _w0 is not None and _w0.shape != (X.shape[1],):
        raise ValueError(f"coef_init has shape {_w0.shape} but X has {X.shape[1]} features.")
    quadratic = template.is_quadratic  # a ridge path on dense data comes from one SVD
    svd = (
        isinstance(datafit, Quadratic) and quadratic and not sp.issparse(X) and _w0 is None and not template.is_bounded
    )
    # the data's set-up (layout, Lipschitz constants, projection) is shared by all alphas
    # (a given Design serves when the checks kept its array as it was)
    design = None if svd else given if given is not None and given.X is X else Design(X)
    a_max = None if design is None else _gram_alpha_max(design, y, s, datafit, template, fit_intercept)
    if a_max is None:
        a_max = checked_alpha_max(X, y, s, datafit, template, fit_intercept)
    alphas = alpha_grid(a_max, n_alphas, eps) if alphas is None else decreasing_alphas(alphas)

    if svd:
        fits = ridge_svd_path(
            X, y, s, datafit, template, alphas, fit_intercept=fit_intercept, tol=tol, progress=progress
        )
    else:
        w0, b0 = _w0, None
        if w0 is None and template.is_bounded:
            w0, b0, _ = _bounded_start(X, y, s, datafit, template, fit_intercept, tol)
        elif w0 is None:
            # start at the free model with w_pen = 0: the exact solution for every alpha >= alpha_max
            # (so those fits stay exactly at zero), and a good start below it
            _, b0, w_free = _free_fit(X, y, s, datafit, factors == 0, fit_intercept)
            w0 = np.zeros(X.shape[1])
            w0[factors == 0] = w_free
        fits = _warm_path(design, y, s, datafit, template, alphas, fit_intercept, tol, max_iter, progress, w0=w0, b0=b0)
    coefs = np.array([f.coef for f in fits]).reshape(len(alphas), X.shape[1])

    def column(name, dtype=np.float64):
        return np.array([np.nan if getattr(f, name) is None else getattr(f, name) for f in fits], dtype=dtype)

    refits = (
        {}
        if not relax
        else relaxed_path_refits(
            X,
            y,
            datafit,
            coefs,
            sample_weight=s,
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=max_iter,
            # each refit stays in the fits' box (the mixes with the path then do too: the box is convex)
            lower_bounds=template.bounds(X.shape[1])[0],
            upper_bounds=template.bounds(X.shape[1])[1],
        )
    )
    return Path(
        alphas=np.asarray(alphas, dtype=np.float64),
        coefs=coefs,
        intercepts=column("intercept"),
        objectives=column("objective"),
        dual_gaps=column("dual_gap"),
        optimality_violations=column("optimality_violation"),
        n_iters=column("n_iter", np.int64),
        # (row by row: numpy's count along an axis compares the whole matrix first, 2-3 ms on 50 x 50 000)
        n_nonzero=np.array([np.count_nonzero(row) for row in coefs], dtype=np.intp),
        converged=column("converged", bool),
        feature_names=names,
        penalty=template.label,
        datafit=datafit.name,
        alpha_max=a_max,
        p=template.exponent,
        **refits,
    )


def enet_path(
    X,
    y,
    *,
    l1_ratio=0.5,
    eps=1e-3,
    n_alphas=100,
    alphas=None,
    precompute="auto",
    Xy=None,
    copy_X=True,
    coef_init=None,
    verbose=False,
    return_n_iter=False,
    positive=False,
    **params,
):
    """Elastic Net path with scikit-learn's ``enet_path`` signature and return values.

    Minimizes ``1/(2n) ||y - X w||^2 + alpha * l1_ratio * ||w||_1 + alpha/2 (1 - l1_ratio) ||w||^2``
    for each alpha, **without an intercept** (as scikit-learn's function; center the data first).

    Parameters
    ----------
    X, y, l1_ratio, eps, n_alphas, coef_init, return_n_iter : as scikit-learn.
    alphas : array-like or int, optional
        The alphas, or (scikit-learn >= 1.7 style) an int meaning ``n_alphas``.
    precompute, Xy, copy_X : accepted for compatibility and ignored (the solver picks its own mode).
    verbose : bool or int
        Progress bar on stderr.
    positive : bool
        Constrain the coefficients to be >= 0 (``lower_bounds=0``); the duality gaps then hold the box.
    **params
        ``tol`` (lpnet's relative gap tolerance, default 1e-6) and ``max_iter`` (default 100);
        ``random_state``, ``selection``, ``check_gram`` and ``check_input`` are ignored.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_features, n_alphas)
    dual_gaps : ndarray of shape (n_alphas,)
        In the objective's units above (as scikit-learn's).
    n_iters : list of int
        Only with ``return_n_iter=True``.
    """
    unknown = set(params) - {"tol", "max_iter", "random_state", "selection", "check_gram", "check_input"}
    if unknown:
        raise InvalidParameterError(
            f"Unexpected parameters in params: {sorted(unknown)}; enet_path takes tol, "
            "max_iter (and ignores random_state, selection, check_gram, check_input)."
        )
    if np.ndim(y) != 1:
        raise ValueError("lpnet's enet_path handles a 1-D target only; fit one path per output.")
    if isinstance(alphas, numbers.Integral) and not isinstance(alphas, bool):
        n_alphas, alphas = alphas, None
    path = regularization_path(
        X,
        y,
        penalty=ElasticNetPenalty(1.0, l1_ratio),
        datafit=Quadratic(),
        alphas=alphas,
        n_alphas=n_alphas,
        eps=eps,
        fit_intercept=False,
        tol=params.get("tol", 1e-6),
        max_iter=params.get("max_iter", 100),
        progress=bool(verbose),
        lower_bounds=0.0 if positive else None,
        _w0=None if coef_init is None else np.asarray(coef_init, dtype=np.float64),
    )
    out = (path.alphas, path.coefs.T.copy(), path.dual_gaps)
    return (*out, [int(k) for k in path.n_iters]) if return_n_iter else out


def lasso_path(
    X,
    y,
    *,
    eps=1e-3,
    n_alphas=100,
    alphas=None,
    precompute="auto",
    Xy=None,
    copy_X=True,
    coef_init=None,
    verbose=False,
    return_n_iter=False,
    positive=False,
    **params,
):
    """Lasso path with scikit-learn's ``lasso_path`` signature and return values.

    Minimizes ``1/(2n) ||y - X w||^2 + alpha ||w||_1`` for each alpha, without an intercept: this is
    ``enet_path(..., l1_ratio=1)``, see :func:`enet_path` for the parameters and return values
    ``(alphas, coefs of shape (n_features, n_alphas), dual_gaps[, n_iters])``.

    Parameters
    ----------
    X, y, eps, n_alphas, coef_init, return_n_iter : as scikit-learn.
    alphas : array-like or int, optional
        The alphas, or an int meaning ``n_alphas``.
    precompute, Xy, copy_X : accepted for compatibility and ignored.
    verbose : bool or int
        Progress bar on stderr.
    positive : bool
        Constrain the coefficients to be >= 0.
    **params
        ``tol`` and ``max_iter``, as :func:`enet_path`.

    Returns
    -------
    tuple
        As :func:`enet_path`.
    """
    return enet_path(
        X,
        y,
        l1_ratio=1.0,
        eps=eps,
        n_alphas=n_alphas,
        alphas=alphas,
        precompute=precompute,
        Xy=Xy,
        copy_X=copy_X,
        coef_init=coef_init,
        verbose=verbose,
        return_n_iter=return_n_iter,
        positive=positive,
        **params,
    )
