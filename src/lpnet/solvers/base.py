"""The solver interface: what a solver can take, and how it is asked to solve.

Every solver is one small object (a :class:`Solver`) that answers three questions:

* ``why_not(layout, datafit, penalty)``: can it solve this problem at all?  ``None`` when it can, else the
  reason, which is the error message of an explicit ``solver=`` choice.  It asks the objects, never
  their names: the datafit (``is_quadratic``: exactly the weighted squared loss), the penalty
  (``is_convex``, ``is_quadratic``, which features it penalizes) and the data's :class:`Layout`
  (dense or sparse, its shape).
* ``pays_off(layout, datafit, penalty, gram)``: among the solvers that can, is it the one ``"auto"``
  should take?  :func:`lpnet.solvers.pick_solver` asks the solvers in a fixed preference order and
  takes the first that can and pays off.
* ``solve(problem)``: the fit of one :class:`Problem`, certified, as a ``FitResult``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from ..certificates import Certifier
from ..datafits.base import Datafit
from ..penalties.base import Penalty
from ._common import FitResult
from ._design import Design


@dataclass(frozen=True)
class Layout:
    """What a solver's choice depends on in the data: its shape and whether it is sparse."""

    n_samples: int
    n_features: int
    sparse: bool

    @classmethod
    def of(cls, X: Any) -> Layout:
        """The layout of an array, a sparse matrix or a :class:`Design` (no copy of the data)."""
        data = X.X if isinstance(X, Design) else X
        n_samples, n_features = data.shape
        return cls(int(n_samples), int(n_features), bool(sp.issparse(data)))


@dataclass(frozen=True)
class Problem:
    """One fit, as a solver receives it: validated data, the model and the solve's settings.

    Attributes
    ----------
    design : Design
        The data, with the set-up a path or a CV fold shares between fits.
    y : ndarray of shape (n_samples,)
        Target in the datafit's encoding.
    s : ndarray of shape (n_samples,)
        Sample weights summing to ``n_samples``.
    datafit : Datafit
    penalty : Penalty
    fit_intercept : bool
    tol : float
        Relative gap (convex) or scale-free violation (non-convex) to reach.
    max_iter : int
        Outer iterations, each ending with a certificate (what they are depends on the solver).
    w0, b0 : optional warm start.
    strong : ndarray of bool of shape (n_features,), optional
        A guess of the features that may be nonzero (a path's strong set); working-set solvers only.
    warm_grad : ndarray of shape (n_features,), optional
        ``X^T dD/dz`` at the warm start, when the caller has it; working-set solvers only.
    gram : ndarray of shape (n_features, n_features), optional
        ``X^T diag(s) X`` when the caller has it (scikit-learn's ``precompute``); the Gram solver only.
    predicted : tuple (support, values, intercept), optional
        A start a path predicts for this fit (:func:`lpnet.path.predicted_start`): ``w0`` with
        ``w0[support] = values``.  A solver continuing from ``(w0, b0)`` may start there instead when the
        objective is lower there (coordinate descent's session and proximal Newton do); the answer changes
        only within the certificate's tolerance.
    """

    design: Design
    y: np.ndarray
    s: np.ndarray
    datafit: Datafit
    penalty: Penalty
    fit_intercept: bool = True
    tol: float = 1e-6
    max_iter: int = 100
    w0: np.ndarray | None = None
    b0: float | None = None
    strong: np.ndarray | None = None
    warm_grad: np.ndarray | None = None
    gram: np.ndarray | None = None
    predicted: tuple[np.ndarray, np.ndarray, float] | None = None

    def certifier(self) -> Certifier:
        """The certificate of this problem, sharing the design's cached set-up (a path's, a fold's)."""
        d = self.design
        return Certifier(
            d.X, self.y, self.s, self.datafit, self.penalty, self.fit_intercept, self.tol, xt=d.xt, cache=d
        )

    def continued_from(self, result: FitResult) -> Problem:
        """The same problem started where ``result`` stopped, for another solver to go on with.

        The path's hints (``strong``, ``warm_grad``, ``predicted``) described the original start, not this one.
        """
        return replace(self, w0=result.coef, b0=result.intercept, strong=None, warm_grad=None, predicted=None)


class Solver(ABC):
    """One solver: what it can take (:meth:`why_not`), when ``"auto"`` takes it, and the solve."""

    #: the name users pass as ``solver=`` and the fit reports as ``FitResult.solver``
    name: ClassVar[str] = ""

    @abstractmethod
    def why_not(self, layout: Layout, datafit: Datafit, penalty: Penalty) -> str | None:
        """``None`` when this solver can solve the problem, else why not (a complete sentence)."""

    def supports(self, layout: Layout, datafit: Datafit, penalty: Penalty) -> bool:
        """Whether this solver can solve the problem."""
        return self.why_not(layout, datafit, penalty) is None

    def pays_off(self, layout: Layout, datafit: Datafit, penalty: Penalty, gram: bool | None = None) -> bool:
        """Whether ``"auto"`` takes this solver for a problem it supports (before the next in line).

        ``gram`` is the caller's preference for the Gram (covariance) mode, ``None`` for none; only the
        Gram solver reads it.
        """
        return True

    @abstractmethod
    def solve(self, problem: Problem) -> FitResult:
        """The certified fit of a problem this solver supports."""

    def session(self) -> Callable[[Problem], FitResult]:
        """A ``solve`` for successive problems on the same data (a path's alphas, each warm-started at
        the last solution).  A solver that can keep its set-up from one to the next returns a solve that
        does; by default each problem is solved afresh."""
        return self.solve
