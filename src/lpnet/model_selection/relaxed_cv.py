"""Cross-validated relaxed Lasso: ``(alpha, gamma)`` chosen together, as glmnet's ``cv.glmnet(relax=TRUE)``.

On every training fold the certified L1 path is traced over one grid (computed on all the data) with
``relax=True``: each alpha's support is refitted without a penalty (:mod:`lpnet.path_relax`).  Every
``gamma`` of the grid mixes the two, ``gamma * fit + (1 - gamma) * refit``, and is scored on the held-out
fold, which gives a surface of mean validation losses over ``(gamma, alpha)``.  ``alpha_rule="min"``
takes its minimum; ``"1se"`` takes, among the cells whose mean loss is within one standard error of the
minimum, the largest alpha, and at that alpha the largest gamma (the most shrunk of the sparsest
models).  The final model is refitted on all the data at the chosen pair.
"""

from __future__ import annotations

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import RegressorMixin

from .._progress import progress_bar
from .._validation import check_penalty_factor
from ..datafits import Logistic
from ..estimators import RelaxedLasso, RelaxedLogisticRegression
from ..estimators.base import model_bounds
from ..estimators.logistic import is_multiclass_target
from ..fit_data import prepare_fit
from ..path import regularization_path
from ..path_relax import check_gamma
from ..penalties import L1
from ..solvers import take_rows
from .cv import CVResults, DelegatingClassifierCV, PathCV, grid_from_data, held_out_predictions, init_cv_params

#: glmnet's default gammas for ``relax=TRUE``
DEFAULT_GAMMAS = (0.0, 0.25, 0.5, 0.75, 1.0)


def relaxed_fold_losses(X, y, s, train, test, template, datafit, alphas, gammas, fit_intercept, tol, max_iter):
    """Held-out losses of one training fold's relaxed path, shape (n_gammas, n_alphas)."""
    path = regularization_path(
        take_rows(X, train),
        y[train],
        penalty=template,
        datafit=datafit,
        alphas=alphas,
        fit_intercept=fit_intercept,
        sample_weight=s[train],
        tol=tol,
        max_iter=max_iter,
        relax=True,
    )
    out = []
    held_out = take_rows(X, test)
    for gamma in gammas:
        coefs, intercepts = path.relaxed(gamma)
        z = held_out_predictions(held_out, coefs, intercepts)
        out.append(datafit.validation_loss(y[test], z, s[test]))
    return np.array(out)


def select_relaxed(mean, std, n_folds):
    """``(index_min, index_1se)`` as ``(gamma index, alpha index)`` pairs over the loss surface.

    Alphas are decreasing and gammas increasing: the 1se choice is the first alpha (the largest) with a
    cell within one standard error of the minimum, and there the last such gamma (the largest).
    """
    i, k = np.unravel_index(np.argmin(mean), mean.shape)
    bound = mean[i, k] + std[i, k] / np.sqrt(n_folds)
    within = mean <= bound
    k_1se = int(np.flatnonzero(within.any(axis=0))[0])
    i_1se = int(np.flatnonzero(within[:, k_1se])[-1])
    return (int(i), int(k)), (i_1se, k_1se)


RELAXED_CV_PARAMS = """
    gammas : sequence of float in [0, 1], default=(0, 0.25, 0.5, 0.75, 1)
        The mixes cross-validated with every alpha (glmnet's default); sorted increasing.
    eps : float, default=1e-3
        The alpha grid runs from alpha_max down to ``eps * alpha_max`` (geometric), computed on all the data.
    n_alphas : int, default=100
    alphas : int or array-like, default=None
        An explicit grid instead, or an int: the number of alphas.
    cv : int or cross-validation splitter, default=5
    alpha_rule : {{"min", "1se"}}, default="min"
        The smallest mean validation loss over ``(gamma, alpha)``, or the one-standard-error rule (the
        largest alpha, then the largest gamma, within one standard error of the minimum).
    n_jobs : int, default=None
        Folds in parallel (joblib threads: the compiled solvers release the GIL).
    progress : bool, default=False
        A progress bar over the folds on stderr.
    fit_intercept, penalty_factor, tol, max_iter : as in the single-alpha estimators.
    lower_bounds, upper_bounds, positive : as in the single-alpha estimators: a box on the coefficients, held
        by every fold's path (from the box's ``alpha_max``), by its refits and by the final model.

    Attributes
    ----------
    alpha_, gamma_ : float
        The chosen pair.
    alphas_ : ndarray of shape (n_alphas,)
    gammas_ : ndarray of shape (n_gammas,)
    mse_path_ : ndarray of shape (n_gammas, n_alphas, n_folds)
        Validation loss ({loss}) of every pair on every fold.
    cv_results_ : CVResults
        The loss surface: ``losses`` (n_gammas, n_folds, n_alphas), ``mean`` and ``std`` (n_gammas,
        n_alphas), ``index_min`` and ``index_1se`` as (gamma index, alpha index); its ``l1_ratios`` field
        holds the gammas (``grid_name`` is ``"gamma"``, which :func:`lpnet.viz.plot_cv` labels them by).
    estimator_ : the relaxed model refitted on all the data at ``(alpha_, gamma_)``
    coef_, intercept_, n_iter_, dual_gap_, refit_dual_gap_, support_ : those of ``estimator_`` (``dual_gap_``
        certifies its penalized fit, ``refit_dual_gap_`` its unpenalized refit)
    n_features_in_, feature_names_in_
"""


def relaxed_cv_doc(loss: str) -> str:
    """The Parameters/Attributes section of a cross-validated relaxed model's docstring."""
    return RELAXED_CV_PARAMS.format(loss=loss).strip()


class RelaxedCVBase(PathCV):
    """Shared ``fit`` of the cross-validated relaxed models."""

    def _gammas(self) -> np.ndarray:
        gammas = np.atleast_1d(np.asarray(self.gammas, dtype=object))
        if gammas.size == 0:
            raise ValueError("gammas is empty: pass at least one value in [0, 1], e.g. gammas=(0, 0.5, 1).")
        return np.unique([check_gamma(g) for g in gammas])

    def _final_estimator(self, alpha, gamma):  # pragma: no cover - overridden
        raise NotImplementedError

    def _fit(self, X, y, sample_weight, splitter_params, offset=None) -> None:
        alpha_rule = self._alpha_rule()
        gammas = self._gammas()
        X_in, y_in = X, y  # the final model sees the user's data, so it keeps the feature names
        datafit = self._datafit()
        who = f"{type(self).__name__} (cross-validation)"
        data = prepare_fit(X, y, datafit, sample_weight, estimator=self, who=who)
        X, y_fit, s = data.X, data.y, data.sample_weight
        if data.classes is not None:
            self.classes_ = data.classes
        factors = None if self.penalty_factor is None else check_penalty_factor(self.penalty_factor, X.shape[1])
        template, unweighted = L1(1.0, weights=factors), L1(1.0)
        box = model_bounds(self, X.shape[1])
        if box is not None:  # every fold's path, its refits and the final model hold the same box
            template, unweighted = template.with_bounds(*box), unweighted.with_bounds(*box)
        grid = grid_from_data(self, X, y_fit, s, unweighted, datafit)
        y = np.asarray(y)  # the splitter stratifies on the user's labels
        folds = list(self._splitter(y, datafit).split(X, y, **splitter_params))
        show = bool(self.progress or getattr(self, "verbose", 0))
        per_fold = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(relaxed_fold_losses)(
                X, y_fit, s, train, test, template, datafit, grid, gammas, self.fit_intercept, self.tol, self.max_iter
            )
            for train, test in progress_bar(folds, show, "folds")
        )
        losses = np.stack(per_fold, axis=1)  # (n_gammas, n_folds, n_alphas)
        mean, std = losses.mean(axis=1), losses.std(axis=1)
        index_min, index_1se = select_relaxed(mean, std, len(folds))
        i, k = index_min if alpha_rule == "min" else index_1se
        self.alphas_ = grid
        self.gammas_ = gammas
        self.mse_path_ = losses.transpose(0, 2, 1)
        self.alpha_, self.gamma_ = float(grid[k]), float(gammas[i])
        alphas = np.tile(grid, (gammas.size, 1))
        self.cv_results_ = CVResults(alphas, gammas, losses, mean, std, index_min, index_1se, grid_name="gamma")
        self.estimator_ = self._final_estimator(self.alpha_, self.gamma_).fit(X_in, y_in, sample_weight=sample_weight)
        for name in ("coef_", "intercept_", "n_iter_", "dual_gap_", "refit_dual_gap_", "support_"):
            setattr(self, name, getattr(self.estimator_, name))

    def _final_options(self) -> dict:
        return dict(
            fit_intercept=self.fit_intercept,
            penalty_factor=self.penalty_factor,
            lower_bounds=self.lower_bounds,
            upper_bounds=self.upper_bounds,
            positive=self.positive,
            tol=self.tol,
            max_iter=self.max_iter,
        )


def _relaxed_cv_init(self, gammas, box, eps, n_alphas, alphas, cv, alpha_rule, n_jobs, progress, *fit_options):
    self.gammas = gammas
    self.lower_bounds, self.upper_bounds, self.positive = box
    init_cv_params(self, eps, n_alphas, alphas, cv, alpha_rule, n_jobs, progress, *fit_options)


class RelaxedLassoCV(RegressorMixin, RelaxedCVBase):
    __doc__ = f"""The relaxed Lasso (:class:`~lpnet.estimators.RelaxedLasso`) with ``(alpha, gamma)`` chosen by
    K-fold cross-validated mean squared error, as glmnet's ``cv.glmnet(relax=TRUE)``.

    Parameters
    ----------
    {relaxed_cv_doc("mean squared error")}"""

    def __init__(
        self,
        gammas=DEFAULT_GAMMAS,
        *,
        eps=1e-3,
        n_alphas=100,
        alphas=None,
        cv=5,
        alpha_rule="min",
        n_jobs=None,
        progress=False,
        fit_intercept=True,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
    ):
        _relaxed_cv_init(
            self,
            gammas,
            (lower_bounds, upper_bounds, positive),
            eps,
            n_alphas,
            alphas,
            cv,
            alpha_rule,
            n_jobs,
            progress,
            fit_intercept,
            penalty_factor,
            tol,
            max_iter,
        )

    def _final_estimator(self, alpha, gamma):
        return RelaxedLasso(alpha, gamma, **self._final_options())


class RelaxedLogisticRegressionCV(DelegatingClassifierCV, RelaxedCVBase):
    __doc__ = f"""The relaxed L1 logistic regression (:class:`~lpnet.estimators.RelaxedLogisticRegression`, two
    classes) with ``(alpha, gamma)`` chosen by K-fold cross-validated mean log-loss (stratified folds), as
    glmnet's ``cv.glmnet(family="binomial", relax=TRUE)`` with its deviance.

    Parameters
    ----------
    {relaxed_cv_doc("mean log-loss")}
    classes_ : ndarray of shape (2,)
    """

    def __init__(
        self,
        gammas=DEFAULT_GAMMAS,
        *,
        eps=1e-3,
        n_alphas=100,
        alphas=None,
        cv=5,
        alpha_rule="min",
        n_jobs=None,
        progress=False,
        fit_intercept=True,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
        positive=False,
        tol=1e-6,
        max_iter=100,
    ):
        _relaxed_cv_init(
            self,
            gammas,
            (lower_bounds, upper_bounds, positive),
            eps,
            n_alphas,
            alphas,
            cv,
            alpha_rule,
            n_jobs,
            progress,
            fit_intercept,
            penalty_factor,
            tol,
            max_iter,
        )

    def _datafit(self):
        return Logistic()

    def _fit(self, X, y, sample_weight, splitter_params, offset=None) -> None:
        if is_multiclass_target(y):
            raise ValueError(
                f"Only binary classification is supported by {type(self).__name__}; the target has more classes. "
                "Cross-validate one model per class (one-vs-rest), or use LogisticRegressionCV for a multinomial model."
            )
        super()._fit(X, y, sample_weight, splitter_params, offset)

    def _final_estimator(self, alpha, gamma):
        return RelaxedLogisticRegression(alpha, gamma, **self._final_options())
