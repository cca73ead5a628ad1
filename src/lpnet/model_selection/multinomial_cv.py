"""Cross-validation of a multinomial logistic regression (three classes or more): the multiclass branch of
:class:`lpnet.model_selection.LogisticRegressionCV`.

Each fold fits the whole alpha grid on its training samples (:func:`lpnet.solvers.multinomial.
multinomial_path`: warm starts, the strong rule, every fit certified) and scores it on its held-out
samples by the weighted mean multinomial log-loss ``log sum_k exp(z_ik) - z_i,y_i`` (the CV loss) and the
accuracy (scikit-learn's ``scores_``).  ``alpha_rule`` picks the minimum of the mean loss or the largest
alpha within one standard error of it, as for every lpnet CV estimator.
"""

from __future__ import annotations

import numbers

import numpy as np
from joblib import Parallel, delayed

from .._progress import progress_bar
from .._validation import check_l1_ratio, check_penalty_factor
from ..datafits import Multinomial
from ..estimators.logistic import multinomial_penalty
from ..fit_data import prepare_fit
from ..path import alpha_grid, decreasing_alphas
from ..solvers import take_rows
from ..solvers.multinomial import multinomial_alpha_max, multinomial_path

__all__ = ["fit_multinomial_cv"]


def fit_multinomial_cv(model, X, y, sample_weight, splitter_params: dict, select, record_type) -> None:
    """Cross-validate ``model`` (a ``LogisticRegressionCV``) on a multiclass target and refit it.

    ``select`` is the CV module's ``select_alpha`` and ``record_type`` its ``CVResults`` (passed in so
    this module does not import the one that imports it).  Sets scikit-learn's multinomial attributes:
    ``Cs_`` (n_alphas,), ``C_`` and ``l1_ratio_`` (one per class), ``coefs_paths_`` and ``scores_`` (dicts
    keyed by class: ``(n_folds, n_alphas, n_features [+ 1])`` the class's coefficients [and intercept],
    and ``(n_folds, n_alphas)`` the held-out accuracies), ``n_iter_`` (1, n_folds, n_alphas); and lpnet's
    ``alphas_``, ``mse_path_`` (held-out log-loss, (n_alphas, n_folds)), ``cv_results_``, ``estimator_``.
    """
    rule = model._alpha_rule()
    datafit = Multinomial()
    who = f"{type(model).__name__} (cross-validation)"
    data = prepare_fit(X, y, datafit, sample_weight, estimator=model, who=who)
    Xv, Y, s = data.X, data.y, data.sample_weight
    model.classes_ = data.classes
    ratios = model._l1_ratios()
    if len(ratios) != 1:
        raise ValueError(
            f"{type(model).__name__} cross-validates a single l1_ratio for a multiclass target, got {ratios}; "
            "cross-validate each l1_ratio separately."
        )
    l1_ratio = check_l1_ratio(ratios[0])
    factors = None if model.penalty_factor is None else check_penalty_factor(model.penalty_factor, Xv.shape[1])
    scalar = model._penalty(l1_ratio)
    scalar = scalar if factors is None else scalar.with_weights(factors)
    penalty = multinomial_penalty(scalar, model.multinomial)
    if model.alphas is not None and not isinstance(model.alphas, numbers.Integral):
        grid = decreasing_alphas(model.alphas)
    else:
        top = multinomial_alpha_max(Xv, Y, penalty, sample_weight=s, fit_intercept=model.fit_intercept)
        grid = alpha_grid(top, model.n_alphas if model.alphas is None else model.alphas, model.eps)
    folds = list(model._splitter(np.asarray(y), datafit).split(Xv, np.asarray(y), **splitter_params))
    n_folds, n_alphas, K = len(folds), grid.shape[0], Y.shape[1]
    losses = np.empty((n_folds, n_alphas))
    accuracy = np.empty((n_folds, n_alphas))
    paths = np.empty((n_folds, n_alphas, K, Xv.shape[1] + int(model.fit_intercept)))
    n_iter = np.empty((n_folds, n_alphas), dtype=np.int32)
    show = bool(model.progress or getattr(model, "verbose", 0))
    fold_fits = Parallel(n_jobs=model.n_jobs, prefer="threads")(
        delayed(multinomial_path)(
            take_rows(Xv, train),
            Y[train],
            penalty,
            grid,
            sample_weight=s[train],
            fit_intercept=model.fit_intercept,
            tol=model.tol,
            max_iter=model.max_iter,
        )
        for train, _ in progress_bar(folds, show, "folds")
    )
    for f, ((_, test), fits) in enumerate(zip(folds, fold_fits)):
        held_out = take_rows(Xv, test)
        Z = np.stack([np.asarray(held_out @ r.coef) + r.intercept for r in fits], axis=2)  # (n_test, K, m)
        losses[f] = datafit.validation_loss(Y[test], Z, s[test])
        accuracy[f] = datafit.validation_score(Y[test], Z, s[test])
        for a, r in enumerate(fits):
            paths[f, a] = np.column_stack([r.coef.T, r.intercept]) if model.fit_intercept else r.coef.T
            n_iter[f, a] = r.n_iter
    mean, std = losses.mean(axis=0)[None], losses.std(axis=0)[None]
    index_min, index_1se = select(mean, std, n_folds)
    k = (index_min if rule == "min" else index_1se)[1]
    model.alphas_ = grid
    model.mse_path_ = losses.T
    model.alpha_ = float(grid[k])
    model._store_record(record_type(grid[None], np.array([l1_ratio]), losses[None], mean, std, index_min, index_1se))
    model.estimator_ = model._final_estimator(model.alpha_, l1_ratio).fit(X, y, sample_weight=sample_weight)
    for name in ("coef_", "intercept_", "n_iter_", "dual_gap_", "optimality_violation_", "coef_error_bound_"):
        setattr(model, name, getattr(model.estimator_, name))
    n = Xv.shape[0]  # C = 1 / (n alpha), n the sum of the sample weights (rescaled to n_samples)
    model.Cs_ = 1.0 / (n * grid)
    model.C_ = np.full(K, 1.0 / (n * model.alpha_))
    elasticnet = model._mixes()
    model.l1_ratios_ = np.array([l1_ratio]) if elasticnet else np.array([None], dtype=object)
    model.l1_ratio_ = np.full(K, l1_ratio) if elasticnet else np.array([None] * K, dtype=object)
    model.coefs_paths_ = {c: paths[:, :, j] for j, c in enumerate(model.classes_)}
    model.scores_ = {c: accuracy for c in model.classes_}
    model.n_iter_ = n_iter[None]
