"""The datafit interface.

A datafit is ``D(w, b) = sum_i f_i(z_i)`` with ``z = X w + b`` the linear predictor and the sample weights
``s`` rescaled to sum to ``n``.  Solvers use it only through the methods below, all of which take the
linear predictor ``z`` rather than ``(X, w, b)``: the datafit never touches the design matrix, so the same
object serves dense, sparse and (later) distributed data.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np


class Datafit(ABC):
    """Separable datafit ``D = sum_i f_i(z_i)``; see the module docstring."""

    #: name used by estimators, the CLI and saved models
    name: ClassVar[str] = ""
    #: whether the target is a set of class labels (the estimator is then a classifier)
    is_classifier: ClassVar[bool] = False
    #: what the cross-validation curves call the validation loss
    loss_label: ClassVar[str] = "loss"
    #: what tables call :meth:`validation_score`
    score_label: ClassVar[str] = "score"
    #: ``D`` written out, for reports (e.g. the CLI's note on the units of the duality gap)
    formula: ClassVar[str] = "D(Xw + b)"
    #: whether the datafit is a partial likelihood over risk sets and gives its exact Newton model
    #: (``risk_set_model``, see :class:`~lpnet.datafits.Cox`): the ``cox_cd`` solver takes it
    has_risk_sets: ClassVar[bool] = False
    #: the columns of a 2-D target by role (Cox: ``("time", "event")``): the CLI reads them from the
    #: options ``--time COL --event COL`` instead of ``--target``
    target_columns: ClassVar[tuple[str, ...]] = ()
    #: the datafit's own parameters (e.g. the Tweedie power) with their defaults: constructor arguments,
    #: stored as attributes of the same name; save/load and the CLI read them from here
    parameters: ClassVar[dict[str, object]] = {}

    #: whether ``dual_metric`` is the sample weights themselves (then the certificate precomputes it)
    dual_metric_is_weights: bool = False
    #: whether ``dual(theta, y - c, s) == dual(theta, y, s)`` for a constant ``c`` when ``sum(theta) = 0``
    #: (the dual points of a fit with an intercept): the certificate then evaluates the dual with the
    #: centred target, which keeps a large mean of ``y`` from swamping it in rounding
    dual_shift_invariant: bool = False
    #: whether ``D`` is exactly the weighted squared loss ``1/(2n) sum_i s_i (y_i - z_i)^2``: the solvers
    #: written for it (residual and Gram coordinate descent, the direct ridge solve) take it
    is_quadratic: ClassVar[bool] = False
    #: whether :meth:`dual` is available in closed form.  Without it a fit is certified by the scale-free
    #: optimality (KKT) violation instead of a duality gap, even with a convex penalty
    has_dual: ClassVar[bool] = True
    #: whether the user's target has one column per sample *and* per output (a 2-D ``y``: survival
    #: times with their events, several tasks); 1-D targets are refused for such a datafit and vice versa
    target_is_matrix: ClassVar[bool] = False
    #: whether the model may have an intercept; False where ``D`` does not change when a constant is added
    #: to ``z`` (the Cox partial likelihood): every fit is then made without one, whatever ``fit_intercept``
    allows_intercept: ClassVar[bool] = True
    #: whether the linear predictor is a matrix, one column per output (``Z = X W + b``, several tasks): only
    #: the solvers written for matrix coefficients take such a datafit, the scalar ones refuse it
    is_multi_output: ClassVar[bool] = False

    def dual_metric(self, theta, y, s) -> np.ndarray:
        """Diagonal metric in which the dual point is projected onto ``{A^T theta = 0}``.

        The default, ``|theta|``, changes every ``theta_i`` by a small *relative* amount, so a dual point
        inside a bounded domain (the logistic loss needs ``theta_i y_i n / s_i`` in [0, 1]) stays inside.
        """
        return np.abs(theta)

    def shape_parameters(self) -> dict[str, object]:
        """The values of :attr:`parameters` for this instance."""
        return {name: getattr(self, name) for name in self.parameters}

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.shape_parameters() == self.shape_parameters()

    def __hash__(self) -> int:
        return hash((type(self), tuple(self.shape_parameters().items())))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.shape_parameters().items())
        return f"{type(self).__name__}({args})"

    def as_target_array(self, y):
        """The user's target as an array scikit-learn's validation takes (e.g. a structured array of
        survival times and events as two columns); the default leaves it as it is."""
        return y

    def with_offset(self, y, offset) -> np.ndarray:
        """The internal target of a fit whose linear predictor is ``X w + b + offset`` (``offset``: a
        validated float array of shape (n,)); datafits that take no offset refuse it."""
        raise ValueError(
            f"the {self.name!r} datafit takes no offset; offsets are for the log-link families "
            "(poisson, gamma, tweedie)."
        )

    def target_scale(self, y) -> np.ndarray:
        """Per sample, the magnitude of the target in the internal encoding (the certificate's rounding
        bound of the residual); 2-D encodings override it."""
        return np.abs(y)

    def prepare_target(self, y) -> np.ndarray:
        """Check a target already in the datafit's internal encoding (float64); solvers call this."""
        return np.asarray(y, dtype=np.float64)

    # ----------------------------------------------------------------- what the API layer asks
    def encode_target(self, y, sample_weight, who: str) -> tuple[np.ndarray | None, np.ndarray]:
        """``(classes, y in the internal encoding)`` from the user's target (``classes`` None for a
        regression target); ``sample_weight`` (rescaled, validated) lets a datafit refuse a target the
        weights leave degenerate; ``who`` names the caller in error messages."""
        return None, np.asarray(y, dtype=np.float64)

    def predict(self, z) -> np.ndarray:
        """The model's prediction of the target's mean from the linear predictor (the inverse link)."""
        return np.asarray(z)

    def validation_loss(self, y, z, s) -> np.ndarray | float:
        """Weighted mean of the per-sample loss ``f_i(z_i) n / s_i`` on held-out samples; ``z`` may hold one
        column per model, giving one loss per column."""
        losses = self.sample_losses(y[:, None] if np.ndim(z) == 2 else y, z)
        return np.average(losses, axis=0, weights=s) if np.ndim(z) == 2 else float(np.average(losses, weights=s))

    @abstractmethod
    def sample_losses(self, y, z) -> np.ndarray:
        """Unweighted per-sample loss at the linear predictor (broadcasting ``y`` against ``z``)."""

    def validation_score(self, y, z, s, losses=None) -> np.ndarray:
        """The score scikit-learn's ``score`` reports on held-out samples, one per column of ``z``
        (``losses``: :meth:`validation_loss` of the same predictions, when the score follows from it)."""
        raise NotImplementedError(f"{type(self).__name__} has no validation score")

    def free_fit(self, A, y, s, n_fixed: int = 0) -> np.ndarray:
        """Coefficients ``c`` minimizing ``D(A c)`` (the unpenalized columns ``A``: the intercept first when
        ``n_fixed = 1``, whose start is the null model's intercept).  Damped Newton with backtracking on
        the smooth, convex datafit; a datafit with a closed form overrides it."""
        c = np.zeros(A.shape[1])
        c[:n_fixed] = self.null_model(y, s, True)[0]
        return self.newton_fit(A, y, s, c) if A.shape[1] > n_fixed else c

    def newton_fit(self, A, y, s, c) -> np.ndarray:
        """:meth:`free_fit`'s damped Newton iteration from the coefficients ``c``."""
        z = A @ c
        value = self.value(y, z, s)
        g0 = None
        for _ in range(100):
            g = A.T @ self.raw_grad(y, z, s)
            g0 = float(np.max(np.abs(g))) if g0 is None else g0
            # stationary to rounding: in the objective's units, or relative to the first gradient
            if np.max(np.abs(g)) <= max(1e-15 * max(1.0, value), 1e-14 * g0):
                break
            H = A.T @ self.hessian_product(y, z, s, A)
            step = np.linalg.lstsq(H, -g, rcond=None)[0]
            dz, slope = A @ step, float(g @ step)
            t = 1.0
            while t > 1e-12:  # backtracking (Armijo) on the loss
                new = self.value(y, z + t * dz, s)
                if new <= value + 1e-4 * t * slope:
                    break
                t *= 0.5
            else:
                break
            c, z, value = c + t * step, z + t * dz, new
        return c

    def fits_exactly(self, y, z) -> bool:
        """Whether the linear predictor ``z`` reproduces the target to rounding (nothing left to shrink)."""
        return False

    @abstractmethod
    def value(self, y, z, s) -> float:
        """``D`` at the linear predictor ``z``."""

    @abstractmethod
    def raw_grad(self, y, z, s) -> np.ndarray:
        """``dD/dz_i``; the gradient in ``w`` is ``X.T @ raw_grad``."""

    @abstractmethod
    def curvature(self, y, z, s) -> np.ndarray:
        """``d^2 D / dz_i^2`` (the weights of the quadratic model used by proximal Newton)."""

    def hessian_product(self, y, z, s, V) -> np.ndarray:
        """``H V`` for the Hessian ``H`` of ``D`` in ``z`` (``V`` of shape (n, k)): diagonal, the
        :meth:`curvature`, for a separable datafit; Cox's couples the samples of a risk set."""
        return self.curvature(y, z, s)[:, None] * V

    @abstractmethod
    def curvature_bound(self, y, s) -> np.ndarray | None:
        """Per-sample upper bound of the curvature over every ``z`` (gives Lipschitz constants and the
        majorizing steps of non-convex fits), or None where the curvature is unbounded (the log-link
        families): solvers then take the curvature at the current point as their scale."""

    @abstractmethod
    def dual(self, theta, y, s) -> float:
        """``-sum_i f_i^*(-theta_i)``, the datafit's part of the Fenchel dual; ``-inf`` outside its domain."""

    def scaled_duals(self, theta, y, s, scales) -> list[float]:
        """:meth:`dual` at ``theta / c`` for each ``c`` of ``scales`` (a certificate's dual point and the
        rounding floor's second one); datafits whose dual has a closed form in ``c`` override it."""
        return [self.dual(theta / c, y, s) for c in scales]

    @abstractmethod
    def null_model(self, y, s, fit_intercept: bool) -> tuple[float, float]:
        """``(b, D)`` of the best intercept-only model (``b = 0`` without an intercept).

        ``D`` is the scale of the stopping rule: a fit has converged when its duality gap is at most
        ``tol * D``.
        """
