"""K-fold paths of the squared loss from per-fold statistics: one pass over X for the whole CV.

Where the Gram mode applies (dense data with many more samples than features, every feature under a
convex penalty), everything a training fold's path needs is in its weighted sums ``sum s x x^T``,
``sum s x y``, ... (:class:`lpnet.solvers.cd_gram.GramStatistics`), and the held-out loss of any
``(w, b)`` follows from the held-out fold's sums.  When the folds partition the samples (K-fold), the
training sums of fold k are the total minus fold k's, so the statistics of every fold come from one
pass over X; the paths are then solved in compiled calls, each alpha certified by the Gram duality gap
as in :func:`lpnet.solvers.cd_gram.solve_cd_gram`.  A fold whose certificate the Gram quantities cannot
resolve (features with large means beside a tiny spread) returns None, and the caller fits it from the
data as usual.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp
from joblib import effective_n_jobs

from ..datafits import Quadratic
from ..solvers import pick_solver, take_rows
from ..solvers.cd_gram import GramState, GramStatistics, gram_path_applies, gram_path_arrays


def statistics_apply(X, penalties, datafit) -> bool:
    """Whether the folds' paths can come from statistics: dense data where the solver would pick the Gram
    mode for every penalty (squared loss, the Gram mode's shape, every feature penalized)."""
    if sp.issparse(X):
        return False
    return all(pick_solver(X, datafit, penalty) == "cd_gram" for penalty in penalties)


def fold_statistics(X, y, s, folds, n_jobs=None) -> list[tuple[GramStatistics, GramStatistics]] | None:
    """``(training, held-out)`` statistics of every fold, or None when the held-out sets do not
    partition the samples (then training sets are not complements, and this route does not pay).
    The held-out folds' products run on ``n_jobs`` threads (BLAS releases the GIL)."""
    tests = [np.asarray(test) for _, test in folds]
    seen = np.zeros(X.shape[0], dtype=np.int64)
    for test in tests:
        np.add.at(seen, test, 1)
    if not np.all(seen == 1):
        return None
    parallel = effective_n_jobs(n_jobs) > 1

    def of_rows(test):
        index = rows(test)
        block = X[index] if isinstance(index, slice) else take_rows(X, index)
        if parallel and not (block.flags.c_contiguous or block.flags.f_contiguous):
            # the rows of Fortran-ordered data: the product of that strided view did not run in
            # parallel on threads, that of a contiguous copy (made by each thread) does
            block = np.asfortranarray(block)
        return GramStatistics.of_rows(block, y[test], s[test])

    held_out = thread_map(of_rows, [(test,) for test in tests], n_jobs)
    total = held_out[0]
    for block in held_out[1:]:
        total = total + block
    return [(total - block, block) for block in held_out]


def thread_map(fn, calls, n_jobs) -> list:
    """``[fn(*args) for args in calls]`` on ``n_jobs`` threads (joblib's count: None is 1, -1 every core).

    For work that releases the GIL (BLAS, the compiled paths) and takes milliseconds: a joblib
    ``Parallel`` of threads costs about 10 ms to set up, as much as the whole statistics route.
    Serial, the calls run one at a time as ``calls`` yields them (a progress bar advances with them).
    """
    workers = effective_n_jobs(n_jobs)
    if workers == 1:
        return [fn(*args) for args in calls]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda args: fn(*args), calls))


def rows(index: np.ndarray) -> np.ndarray | slice:
    """``index`` as a slice when it is a run of consecutive rows (KFold without shuffling): a view of X
    instead of a copy of the fold's rows."""
    if index.size and index[-1] - index[0] == index.size - 1 and np.all(np.diff(index) == 1):
        return slice(int(index[0]), int(index[-1]) + 1)
    return index


def fold_state(training: GramStatistics, held_out: GramStatistics, fit_intercept: bool, n_rows: int):
    """The Gram state of one training fold (shared by its paths at every l1_ratio), or None for a fold
    without weight on either side (the data route then says what is wrong).  ``n_rows``: the number of
    samples the statistics were summed over (their rounding scale)."""
    if not (training.weight > 0 and held_out.weight > 0):
        return None
    return GramState.from_statistics(training, fit_intercept, n_rows)


def fold_path(
    state: GramState | None,
    held_out: GramStatistics,
    template,
    alphas,
    tol: float,
    max_iter: int,
    y_test,
    s_test,
    predict_test,
):
    """``(losses, scores, coefs, intercepts, n_iters)`` of one training fold's certified path (from its
    :func:`fold_state`), scored on its held-out samples, or None when the Gram certificate cannot serve
    this fold.

    The held-out losses come from ``held_out``'s sums unless their rounding could reach 1e-8 of a loss;
    then from the predictions ``predict_test(coefs, intercepts)``.
    """
    if state is None:
        return None
    if not gram_path_applies(template, alphas, state, tol):
        return None
    out = gram_path_arrays(state, template, alphas, tol, max_iter)
    if out.solved < len(alphas) or not out.converged[-1]:
        return None
    coefs, intercepts = out.coefs, out.intercepts
    losses, rounding = held_out.mean_squared_error(coefs, intercepts)
    if np.any(rounding > 1e-8 * losses):
        z = predict_test(coefs, intercepts)
        losses = np.average((y_test[:, None] - z) ** 2, axis=0, weights=s_test)
    scores = Quadratic().validation_score(y_test, None, s_test, losses)
    return losses, scores, coefs, intercepts, out.n_epochs
