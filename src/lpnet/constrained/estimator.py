"""Norm-constrained linear models: ``min D(w, b)  subject to  ||w||_p <= radius``.

:class:`ConstrainedRegression` (squared loss) and :class:`ConstrainedClassifier` (binary logistic loss)
share one ``fit``; they differ only by datafit and target encoding, like :class:`lpnet.Lasso` and
:class:`lpnet.LogisticRegression`.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .._validation import check_positive_int, check_tol
from ..datafits import Logistic
from ..estimators import LinearModelBase
from ..estimators.base import dtype_box, model_bounds
from ..estimators.generic import DatafitChoice
from ..estimators.logistic import ClassifierBase
from ..geometry import LocalSolutionWarning, check_ball_p, check_radius
from ..penalties import Penalty
from ._solver import RadiusSearch, check_feasible_radius, fit_box, local_projected_gradient
from .ball import NormBall

_DOC = """
    Objective::

        minimize {datafit}
        subject to  ||w||_p <= radius                      (the intercept b is free)
                    lower_bounds <= w <= upper_bounds     (when a box is given)

    ``||w||_p = (sum_j |w_j|^p)^(1/p)``, ``max_j |w_j|`` for ``p = np.inf``.

    How it is solved.  Finite ``p >= 1``: the constrained solution is the penalized solution of
    ``Lp(alpha, p)`` (``alpha/p sum_j |w_j|^p``: the Lasso for p = 1, Ridge for p = 2) at the ``alpha``
    where its norm equals ``radius``; a safeguarded secant search on ``alpha`` runs lpnet's certified,
    warm-started penalized solver and ends with an exactly feasible point.  For the Lasso (p = 1,
    squared loss) the path is piecewise linear: the root of each fit's linear piece is solved in closed
    form and certified, with LARS-style corrections of the support, so the answer is exact.
    ``p = np.inf``: the box ``|w_j| <= radius`` is separable, so coordinate descent
    (proximal Newton for the logistic loss) with clipping fits it directly.  ``0 < p < 1``: the ball is
    not convex; monotone projected gradient with a local projection returns a local solution, with a
    :class:`~lpnet.constrained.LocalSolutionWarning`.

    With a box (``lower_bounds``, ``upper_bounds``, ``positive``; convex ``p`` only) the feasible set is
    the ball's intersection with the box.  Finite ``p``: the penalized fits are those of
    ``Lp(alpha, p)`` inside the same box (the Lagrangian link holds with the box on both sides), starting
    for large ``alpha`` from ``clip(0, lower, upper)``, the box's point closest to 0; its norm is the
    smallest feasible radius, and a smaller ``radius`` raises a ValueError naming it.  The constraint is
    inactive (``multiplier_ = 0``) when the radius exceeds the norm of the box-constrained unpenalized fit.
    ``p = inf``: the intersection ``[max(lower, -radius), min(upper, radius)]`` is a box, fitted directly.

    Stopping rule.  Convex ``p >= 1``: the duality gap of the constrained problem,
    ``G = D(w, b) - max(-sum_i f_i*(-theta_i) - radius ||X^T theta||_q)`` at the dual point ``theta``
    built from the residual (``sum_i theta_i = 0`` with an intercept; ``1/p + 1/q = 1``), is at most
    ``tol * D_null`` (``D_null``: the datafit of the best intercept-only model); with a box
    ``radius ||X^T theta||_q`` becomes the support function of the intersection, ``min_{{lam >= 0}}``
    of the boxed ``Lp(lam, p)``'s conjugate plus ``lam radius^p / p`` (see ``lpnet.constrained.ball``).
    ``p < 1``: the
    scale-free optimality violation (distance of ``-grad D`` to the ball's limiting normal cone, divided
    by ``||grad D||_inf`` at the null model) and the projected-gradient step are at most ``tol``.

    Parameters
    ----------
    radius : float, default=1.0
        ``t > 0``.
    p : float or Penalty, default=1.0
        Norm exponent, ``> 0``; ``np.inf`` allowed.  ``p < 1`` is non-convex.  A penalty stands for its
        ``exponent`` (``L1`` for 1, ``Lp(alpha, p)`` for ``p``) and brings its box, if it has one.{datafit_param}
    fit_intercept : bool, default=True
        Fit a free (unconstrained) intercept.
    tol : float, default=1e-6
        See the stopping rule.
    max_iter : int, default=100
        Finite ``p >= 1``: most penalized fits in the search on ``alpha`` (each limited to ``max_iter``
        working-set iterations); ``p = inf``: outer iterations of the solver; ``p < 1``: blocks of 10
        projected-gradient steps.
    warm_start : bool, default=False
        Start from the previous fit (its coefficients and multiplier): successive radii then walk along
        the path.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        A box ``lower_j <= w_j <= upper_j`` (a scalar or one value per feature, ``-inf`` / ``inf``
        allowed; None leaves that side open), for ``p >= 1``.  The ball must meet it:
        ``radius >= ||clip(0, lower_bounds, upper_bounds)||_p``.
    positive : bool, default=False
        Constrain the coefficients to be ``>= 0`` (``lower_bounds=0``).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,), or (1, n_features) for the classifier
        ``||coef_||_p <= radius`` (up to rounding).
    intercept_ : float, or ndarray of shape (1,) for the classifier
    multiplier_ : float
        The constraint's Lagrange multiplier in penalty scaling, 0 when the constraint is inactive.
        Finite ``p``: ``mu`` such that the penalized model with ``Lp(alpha=mu, p)`` (``LpRegression``,
        ``Lasso`` for p = 1, ``Ridge`` for p = 2) has the same solution; the multiplier ``lam`` of
        ``||w||_p <= t`` itself is ``mu * t^(p-1)``.  For ``p < 1`` the same relation at the local
        solution (a stationary point of the penalized model).  ``p = inf``: ``lam`` itself, which is
        the ``alpha`` of the penalty ``alpha ||w||_inf`` with the same solution (its dual norm is L1:
        ``lam = ||grad_w D||_1`` at the solution).  With a box, the penalized models carry the same box
        (e.g. ``Lasso(alpha=multiplier_, positive=True)``); for ``p = inf`` a coefficient held by a bound
        of the box at ``+-radius`` is counted as the box's (the smallest multiplier).
    active_ : bool
        Whether the norm constraint binds (``||coef_||_p = radius``).
    dual_gap_ : float or None
        Final constrained duality gap, in the objective's units (None for ``p < 1``).
    optimality_violation_ : float or None
        Final scale-free optimality violation (``p < 1`` only).
    converged_ : bool
    objective_ : float
        Final datafit value.
    n_iter_ : int
        Penalized fits (finite ``p >= 1``), solver iterations (``p = inf``) or 10-step blocks (``p < 1``).
    solver_ : str
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Present when ``X`` was a DataFrame with string column names.
"""


class _ConstrainedModel:
    """The ``fit`` shared by the constrained estimators (mixed in before an lpnet estimator base)."""

    def __init__(
        self,
        radius=1.0,
        p=1.0,
        *,
        fit_intercept=True,
        tol=1e-6,
        max_iter=100,
        warm_start=False,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
    ):
        self.radius = radius
        self.p = p
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.positive = positive

    def _box(self, p: float, n_features: int, dtype):
        """``(lower, upper)`` as float64 arrays, or ``(None, None)`` without a box; checked, feasible."""
        box = model_bounds(self, n_features)
        if isinstance(self.p, Penalty) and self.p.is_bounded:  # a penalty given as p brings its box
            if box is not None:
                raise ValueError(
                    "the penalty passed as p has its own bounds and lower_bounds / upper_bounds / positive were "
                    "given too; pass one."
                )
            box = self.p.bounds(n_features)
        if box is None:
            return None, None
        if p < 1.0:
            raise ValueError(
                f"lower_bounds / upper_bounds / positive with p={p:g} < 1 are not supported: projecting onto "
                f"the non-convex L{p:g} ball intersected with a box is not implemented; take p >= 1 or drop the box."
            )
        # coefficients returned in float32 must lie in the box as returned: its bounds rounded inwards
        ball = dtype_box(NormBall(1.0, 1.0, lower_bounds=box[0], upper_bounds=box[1]), n_features, dtype)
        lower, upper = ball.bounds(n_features)
        check_feasible_radius(check_radius(self.radius, allow_zero=False), p, lower, upper)
        return lower, upper

    def _fit(self, X, y, sample_weight) -> None:
        # called by LinearModelBase.fit on a staged copy: a fit that raises changes nothing
        radius = check_radius(self.radius, allow_zero=False)
        p = check_ball_p(self.p)
        tol = check_tol(self.tol)
        max_iter = check_positive_int(self.max_iter, "max_iter")
        datafit = self._datafit()  # an unknown datafit is named before the data are looked at
        X, y, s = self._validated_data(X, y, sample_weight)
        lower, upper = self._box(p, X.shape[1], X.dtype)
        w0, b0 = self._warm_start_point(X.shape[1])
        warm = w0 is not None
        options = {"fit_intercept": bool(self.fit_intercept), "tol": tol, "max_iter": max_iter}
        if np.isinf(p):
            fit = fit_box(X, y, s, datafit, radius, w0=w0, b0=b0, lower=lower, upper=upper, **options)
        elif p < 1.0:
            warnings.warn(
                f"p={p:g} < 1: the L{p:g} ball is not convex; {type(self).__name__} returns a local, not a "
                "global, solution (its optimality_violation_ measures stationarity).",
                LocalSolutionWarning,
                stacklevel=2,
            )
            fit = local_projected_gradient(X, y, s, datafit, radius, p, w0=w0, b0=b0, **options)
        else:
            search = RadiusSearch(X, y, s, datafit, p, lower=lower, upper=upper, **options)
            last_p, piece = getattr(self, "_search_state", (None, None))
            if warm and last_p == p and lower is None:  # the previous solution is a point of this p's path
                search.warm_start(w0, b0, self.multiplier_, piece)
            fit = search.fit(radius)
            # p and the Lasso path's last linear piece: what the next warm start builds on (a boxed
            # search keeps nothing: its points belong to that box's path)
            self._search_state = (p, search.piece) if lower is None else (None, None)
        if not fit.converged:
            what = (
                f"duality gap {fit.dual_gap:.3e}"
                if fit.dual_gap is not None
                else f"optimality violation {fit.optimality_violation:.3e}"
            )
            warnings.warn(
                f"{type(self).__name__} did not reach tol={tol:g} in max_iter={max_iter}: {what}. "
                "Increase max_iter, loosen tol, or standardize the features.",
                ConvergenceWarning,
                stacklevel=2,
            )
        self._store_coefficients(fit.coef, fit.intercept, fit.n_iter, X.dtype)
        self.multiplier_ = fit.multiplier
        self.active_ = fit.active
        self.dual_gap_ = None if fit.dual_gap is None else float(fit.dual_gap)
        self.optimality_violation_ = None if fit.optimality_violation is None else float(fit.optimality_violation)
        self.converged_ = fit.converged
        self.objective_ = float(fit.objective)
        self.solver_ = fit.solver

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # the attainable score depends on the radius relative to the data's scale: a fixed radius can
        # be arbitrarily tight, so scikit-learn's checks must not demand a good fit
        if tags.regressor_tags is not None:
            tags.regressor_tags.poor_score = True
        if tags.classifier_tags is not None:
            tags.classifier_tags.poor_score = True
        return tags


class ConstrainedRegression(_ConstrainedModel, DatafitChoice, LinearModelBase):
    __doc__ = (
        "Least squares (or, with ``datafit='logistic'``, binary logistic regression) under a norm "
        "constraint ``||w||_p <= radius``.\n"
        + _DOC.format(
            datafit="1/(2n) sum_i s_i (y_i - x_i w - b)^2     (datafit='squared')\n"
            "        or       1/n sum_i s_i log(1 + exp(-y_i (x_i w + b)))   (datafit='logistic')",
            datafit_param="""
    datafit : {"squared", "logistic"}, default="squared"
        With ``"logistic"`` the model is a binary classifier (any two labels; ``classes_``,
        ``predict`` returns labels, ``predict_proba``), exactly :class:`ConstrainedClassifier`.""",
        )
        + """
    Examples
    --------
    >>> import numpy as np
    >>> from lpnet.constrained import ConstrainedRegression
    >>> X = np.random.default_rng(0).standard_normal((50, 5)); y = X @ [1.0, -2.0, 0, 0, 3.0]
    >>> model = ConstrainedRegression(radius=3.0, p=1).fit(X, y)
    >>> bool(abs(np.abs(model.coef_).sum() - 3.0) < 1e-9), model.active_
    (True, True)
    """
    )

    def __init__(
        self,
        radius=1.0,
        p=1.0,
        *,
        datafit="squared",
        fit_intercept=True,
        tol=1e-6,
        max_iter=100,
        warm_start=False,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
    ):
        super().__init__(
            radius,
            p,
            fit_intercept=fit_intercept,
            tol=tol,
            max_iter=max_iter,
            warm_start=warm_start,
            lower_bounds=lower_bounds,
            upper_bounds=upper_bounds,
            positive=positive,
        )
        self.datafit = datafit


class ConstrainedClassifier(_ConstrainedModel, ClassifierBase):
    __doc__ = (
        "Binary logistic regression under a norm constraint ``||w||_p <= radius``.\n\n"
        "    Any two labels; ``classes_[1]`` (``np.unique`` order) is encoded as y_i = +1.\n"
        + _DOC.format(datafit="1/n sum_i s_i log(1 + exp(-y_i (x_i w + b)))  with y_i in {-1, +1}", datafit_param="")
        + """    classes_ : ndarray of shape (2,)
        The two labels; ``classes_[1]`` is the positive class.
    """
    )

    def _datafit(self):
        return Logistic()
