"""``--relax`` and ``--adaptive``: the relaxed Lasso and the adaptive Lasso on the command line.

``--relax`` fits the Lasso (or the L1 logistic regression) and mixes it with the unpenalized refit on
its support, ``gamma * lasso + (1 - gamma) * refit`` (``--relax-gamma G``, default 0.5, for ``lpnet fit``;
``lpnet cv`` cross-validates ``(alpha, gamma)`` over ``--relax-gammas``, default glmnet's 0,0.25,0.5,0.75,1).
``--adaptive`` fits the L1 model with the penalty factors ``1/|w0_j|^G`` of an initial fit
(``--adaptive-gamma G``, default 1; ``--adaptive-initial ridge|ols``).  Both take ``--datafit squared``
or ``logistic`` and the L1 penalty only, and the box options (``--lower-bounds``, ``--upper-bounds``,
``--positive``): the relaxed refit stays in the box, the adaptive fit holds it on the kept features.
"""

from __future__ import annotations

import math

from .common import UsageError

__all__ = [
    "add_variant_options",
    "check_variant_options",
    "choice_parameters",
    "grid_name",
    "refit_notes",
    "variant_cv_estimator",
    "variant_fit_models",
    "variant_requested",
]

#: the datafits the relaxed and adaptive models exist for
VARIANT_DATAFITS = ("squared", "logistic")
DEFAULT_RELAX_GAMMA = 0.5
DEFAULT_RELAX_GAMMAS = "0,0.25,0.5,0.75,1"


def add_variant_options(parser, *, cv: bool = False) -> None:
    """Add ``--relax`` (with ``--relax-gamma``, or ``--relax-gammas`` for ``cv``) and ``--adaptive`` (with
    ``--adaptive-gamma`` and ``--adaptive-initial``) to ``parser``."""
    parser.add_argument(
        "--relax",
        action="store_true",
        help="the relaxed Lasso: mix the L1 fit with the unpenalized refit on its support (glmnet's relax)",
    )
    if cv:
        parser.add_argument(
            "--relax-gammas",
            metavar="G[,G...]",
            help=f"with --relax: the mixes cross-validated with alpha, each in [0, 1] (default {DEFAULT_RELAX_GAMMAS})",
        )
    else:
        parser.add_argument(
            "--relax-gamma",
            metavar="G",
            help=f"with --relax: the mix in [0, 1], 1 the Lasso, 0 the refit (default {DEFAULT_RELAX_GAMMA:g})",
        )
    parser.add_argument(
        "--adaptive",
        action="store_true",
        help="the adaptive Lasso: L1 penalty factors 1/|w0_j|^G from an initial fit (zero w0_j: feature excluded)",
    )
    parser.add_argument("--adaptive-gamma", metavar="G", help="with --adaptive: the exponent G > 0 (default 1)")
    parser.add_argument(
        "--adaptive-initial",
        choices=("ridge", "ols"),
        help="with --adaptive: the initial fit (default ridge; ols needs more rows than features, squared only)",
    )


def variant_requested(args) -> bool:
    """Whether ``--relax`` or ``--adaptive`` was given."""
    return bool(getattr(args, "relax", False) or getattr(args, "adaptive", False))


def _float(text, flag: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise UsageError(f"{flag} takes a number, got {text!r}") from None


def _relax_gammas(args) -> list:
    text = getattr(args, "relax_gammas", None) or DEFAULT_RELAX_GAMMAS
    values = [_float(part.strip(), "--relax-gammas") for part in text.split(",") if part.strip()]
    if not values or not all(0.0 <= g <= 1.0 for g in values):
        raise UsageError(f"--relax-gammas takes comma-separated values in [0, 1], got {text!r}")
    return sorted(set(values))


def _relax_gamma(args) -> float:
    text = getattr(args, "relax_gamma", None)
    gamma = DEFAULT_RELAX_GAMMA if text is None else _float(text, "--relax-gamma")
    if not 0.0 <= gamma <= 1.0:
        raise UsageError(f"--relax-gamma must lie in [0, 1] (1: the Lasso, 0: the refit), got {text}")
    return gamma


def _adaptive_gamma(args) -> float:
    text = getattr(args, "adaptive_gamma", None)
    gamma = 1.0 if text is None else _float(text, "--adaptive-gamma")
    if not (math.isfinite(gamma) and gamma > 0):
        raise UsageError(f"--adaptive-gamma must be a finite number > 0, got {text}")
    return gamma


def check_variant_options(args) -> None:
    """Cross-option checks of ``--relax`` / ``--adaptive`` and their values, before any data is read."""
    relax, adaptive = getattr(args, "relax", False), getattr(args, "adaptive", False)
    given = [
        flag
        for flag, name in (
            ("--relax-gamma", "relax_gamma"),
            ("--relax-gammas", "relax_gammas"),
            ("--adaptive-gamma", "adaptive_gamma"),
            ("--adaptive-initial", "adaptive_initial"),
        )
        if getattr(args, name, None) is not None
    ]
    for flag in given:
        if flag.startswith("--relax") and not relax:
            raise UsageError(f"{flag} needs --relax")
        if flag.startswith("--adaptive") and not adaptive:
            raise UsageError(f"{flag} needs --adaptive")
    if not (relax or adaptive):
        return
    if relax and adaptive:
        raise UsageError("--relax and --adaptive are two different models: give one of them")
    flag = "--relax" if relax else "--adaptive"
    if getattr(args, "groups", None) is not None:
        raise UsageError(f"{flag} fits an L1 model on single features: leave out --groups")
    if args.datafit not in VARIANT_DATAFITS:
        raise UsageError(f"{flag} takes --datafit squared or logistic, got --datafit {args.datafit}")
    if args.penalty not in (None, "l1"):
        raise UsageError(f"{flag} fits the L1 penalty: leave out --penalty or give --penalty l1")
    if adaptive and args.adaptive_initial == "ols" and args.datafit != "squared":
        raise UsageError("--adaptive-initial ols is least squares: use it with --datafit squared")
    if adaptive:
        _adaptive_gamma(args)
    elif hasattr(args, "relax_gammas"):  # (lpnet cv)
        _relax_gammas(args)
    else:
        _relax_gamma(args)


def _adaptive_options(args) -> dict:
    return {"initial": args.adaptive_initial or "ridge"}


def variant_fit_models(args, alpha: float, datafit, **options) -> list:
    """The one model of ``lpnet fit --relax`` or ``--adaptive``, as ``lpnet fit`` lists its models:
    ``[(label, short label, estimator, what an optimality violation means)]``."""
    from ..estimators import AdaptiveLasso, AdaptiveLogisticRegression, RelaxedLasso, RelaxedLogisticRegression

    logistic = datafit.name == "logistic"
    if args.relax:
        gamma = _relax_gamma(args)
        model = (RelaxedLogisticRegression if logistic else RelaxedLasso)(alpha, gamma, **options)
        return [(f"{type(model).__name__}(gamma={gamma:g})", f"relaxed({gamma:g})", model, "(KKT)")]
    gamma = _adaptive_gamma(args)
    cls = AdaptiveLogisticRegression if logistic else AdaptiveLasso
    model = cls(alpha, gamma, **_adaptive_options(args), **options)
    return [(f"{cls.__name__}(gamma={gamma:g}, initial={model.initial})", f"adaptive({gamma:g})", model, "(KKT)")]


def variant_cv_estimator(args, datafit, **options):
    """``(label, estimator)`` of ``lpnet cv --relax`` (``(alpha, gamma)`` cross-validated) or ``--adaptive``."""
    from ..model_selection import (
        AdaptiveLassoCV,
        AdaptiveLogisticRegressionCV,
        RelaxedLassoCV,
        RelaxedLogisticRegressionCV,
    )

    logistic = datafit.name == "logistic"
    if args.relax:
        est = (RelaxedLogisticRegressionCV if logistic else RelaxedLassoCV)(gammas=_relax_gammas(args), **options)
        return "relaxed L1 (alpha and gamma cross-validated)", est
    gamma = _adaptive_gamma(args)
    cls = AdaptiveLogisticRegressionCV if logistic else AdaptiveLassoCV
    est = cls(gamma, **_adaptive_options(args), **options)
    return f"adaptive L1 (gamma={gamma:g}, initial={est.initial}, fitted once on all the data)", est


def refit_notes(models) -> list:
    """One line per relaxed model among ``models``: the certificate of its unpenalized refit."""
    lines = []
    for label, model in models:
        if not hasattr(model, "refit_converged_"):
            continue
        gap = model.refit_dual_gap_
        # (a box on the selected features certifies the refit by its optimality violation instead)
        certificate = (
            f"duality gap {gap:.2e}"
            if gap is not None
            else f"optimality violation {model.refit_optimality_violation_:.2e} (KKT with the box)"
        )
        state = "converged" if model.refit_converged_ else "NOT converged"
        separated = "; its columns separate the classes (no MLE)" if model.refit_separated_ else ""
        lines.append(
            f"{label}: the unpenalized refit on the {int(model.support_.sum())} selected features has "
            f"{certificate} ({state}){separated}"
        )
    return lines


def grid_name(args) -> str:
    """What ``lpnet cv`` calls the second cross-validated parameter: ``gamma`` with ``--relax``."""
    return "gamma" if getattr(args, "relax", False) else "l1_ratio"


def choice_parameters(args, alpha: float, second: float) -> dict:
    """The parameters of ``lpnet cv``'s refit at a choice other than the chosen one."""
    return {"alpha": alpha, "gamma": second} if getattr(args, "relax", False) else {"alpha": alpha}
