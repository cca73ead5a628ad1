"""The explorer's web application: a JSON API over :mod:`lpnet.explorer.compute` and the static page.

Every input is checked by the request models (bounds, documented on ``/docs``) or by ``compute``
(combinations, feature names); both answer 422 with the field named in ``detail[].loc`` and a
one-line ``message``.  The data are fixed when the application is created: no request names a file.

The penalties and datafits are lpnet's registries as they stand when the application is created:
``GET /api/penalties`` and ``GET /api/datafits`` describe them to the page, which builds its menus and
parameter sliders from that, and the request models take each registered name and parameter (a field of
that name).  ``GET /api/datasets`` says which datafits accept each data set's target.
"""

import dataclasses
import logging
import math
from importlib import resources
from types import SimpleNamespace
from typing import Annotated, Literal

import numpy as np
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model

from ..datafits import Datafit, make_datafit
from . import compute
from .corner import corner
from .data import builtin_datasets, refusal, user_data
from .problems import check_datafit, datafit_menu, offered_datafits

ALPHA_MAX = 1e6
GRID_MAX = 200
MAX_STARTS = 200

logger = logging.getLogger("lpnet.explorer")


# ----------------------------------------------------------------------------------------------------
# request and response models
# ----------------------------------------------------------------------------------------------------
# The request models below lack the penalty, the datafit and their parameters: each application adds them
# from the registries as they stand (_request_models).
class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field is an error, not silently ignored

    dataset: str | None = Field(None, description="Data set name from GET /api/datasets (default: the first).")
    features: list[str] | None = Field(
        None,
        min_length=2,
        max_length=1000,
        description="Features of the model, at least 2 (default: the data set's default features).",
    )


class _PointRequest(_Request):
    alpha: float | None = Field(
        None,
        ge=0.0,
        le=ALPHA_MAX,
        allow_inf_nan=False,
        description="Penalized form: the penalty strength, in [0, 1e6].",
    )
    radius: float | None = Field(
        None,
        gt=0.0,
        le=ALPHA_MAX,
        allow_inf_nan=False,
        description="Constrained form: the radius t of ||w||_p <= t, > 0.",
    )
    view: list[str] | None = Field(
        None, min_length=2, max_length=2, description="The 2 features of the picture (default: the first two)."
    )


class FitRequest(_PointRequest):
    """One fit: give ``alpha`` (penalized form) or ``radius`` (constrained form)."""

    grid: int = Field(61, ge=5, le=GRID_MAX, description="Points per side of the loss grid (at most 200).")


class RangeRequest(_Request):
    """The range of the alpha or radius slider for one penalty choice."""

    form: Literal["penalized", "constrained"] = Field(
        "penalized", description="Against alpha (penalized) or the radius (constrained)."
    )


class PathRequest(RangeRequest):
    """The coefficient path of one penalty choice."""

    n_points: int = Field(100, ge=2, le=GRID_MAX, description="Number of points on the path.")


class CornerRequest(PathRequest):
    """Where the slider puts w* on an axis of the view; ``n_points`` is the page's path (see /docs)."""

    view: list[str] | None = Field(
        None, min_length=2, max_length=2, description="The 2 features of the picture (default: the first two)."
    )


class MultistartRequest(_PointRequest):
    """Random restarts of a non-convex fit (Lp with p < 1, say; penalized form)."""

    n_starts: int = Field(20, ge=1, le=MAX_STARTS, description="Number of starting points.")
    seed: int = Field(0, ge=0, le=2**32 - 1, description="Seed of the random starts.")


def _number_or_inf(value):
    """A shape parameter as JSON gives it: a number, or the string "inf" (JSON has no infinity)."""
    if isinstance(value, str):
        if value.strip().lower() in ("inf", "infinity"):
            return math.inf
        raise ValueError(f'must be a number or "inf", got {value!r}')
    return value


ShapeValue = Annotated[float | None, BeforeValidator(_number_or_inf)]


def _shape_description(key: str, menu) -> str:
    """What ``/docs`` says of the shape parameter ``key``: its penalties, defaults and ranges."""
    parts = []
    for info in menu:
        prm = info.parameter(key)
        if prm is not None:
            inf = ', or "inf" (constrained form only)' if prm.exponent else ""
            parts.append(f"penalty {info.name!r}: default {prm.default:g}, in [{prm.low:g}, {prm.high:g}]{inf}")
    return "Shape parameter of " + "; ".join(parts) + ".  Only with those penalties."


def _shape_keys(menu) -> list[str]:
    """Every registered shape parameter's name, once."""
    return list(dict.fromkeys(prm.name for info in menu for prm in info.parameters))


def _datafit_keys(datafits) -> list[str]:
    """Every offered datafit's parameter names, once."""
    return list(dict.fromkeys(prm.name for info in datafits for prm in info.parameters))


def _datafit_description(key: str, datafits) -> str:
    parts = [
        f"datafit {info.name!r}: default {prm.default:g}, in [{prm.low:g}, {prm.high:g}]"
        for info in datafits
        if (prm := info.parameter(key)) is not None
    ]
    return "Parameter of " + "; ".join(parts) + ".  Only with those datafits."


def _request_models(menu, datafits) -> SimpleNamespace:
    """The request models with the registries' penalties and datafits: ``penalty`` and ``datafit`` take
    each registered name (the datafits the explorer draws), and each shape or datafit parameter is a
    field of its own name."""
    bases = (FitRequest, RangeRequest, PathRequest, CornerRequest, MultistartRequest)
    fields = set().union(*(base.model_fields for base in bases)) | {"penalty", "datafit"}
    shape_keys, datafit_keys = set(_shape_keys(menu)), set(_datafit_keys(datafits))
    taken = (fields & (shape_keys | datafit_keys)) | (shape_keys & datafit_keys)
    if taken:
        raise ValueError(f"parameters {sorted(taken)} have the names of request fields or of each other; rename them")
    names = tuple(info.name for info in menu)
    offered = tuple(info.name for info in datafits)
    extra = {
        "penalty": (Literal[names], Field(names[0], description="Penalty: GET /api/penalties.")),
        "datafit": (
            Literal[offered],
            Field(offered[0], description="Datafit (the model family): GET /api/datafits."),
        ),
    }
    for key in _shape_keys(menu):
        extra[key] = (ShapeValue, Field(None, description=_shape_description(key, menu)))
    for key in _datafit_keys(datafits):
        extra[key] = (float | None, Field(None, allow_inf_nan=False, description=_datafit_description(key, datafits)))
    return SimpleNamespace(
        **{base.__name__: create_model(base.__name__, __base__=base, __doc__=base.__doc__, **extra) for base in bases}
    )


Num = float | None  # None where a value is undefined or not finite (JSON has no NaN)


class Grid(BaseModel):
    w1: list[float] = Field(description="Grid values of the first view coefficient (columns).")
    w2: list[float] = Field(description="Grid values of the second view coefficient (rows).")
    loss: list[list[Num]] = Field(
        description="loss[k][l]: the datafit (intercept at its best) at "
        "(w1[l], w2[k]), the other coefficients at their fitted values."
    )


class Ball(BaseModel):
    x: list[Num]
    y: list[Num]


class Lines(BaseModel):
    x: list[Num] = Field(description="Points of closed curves, separated by null.")
    y: list[Num]
    levels: list[Num] | None = Field(None, description="The loss value of each curve.")


class FitResponse(BaseModel):
    dataset: str
    feature_names: list[str] = Field(description="The model's features, in the order of coef.")
    view: list[str]
    coef: list[Num]
    intercept: Num
    multiplier: Num = Field(
        description="Penalized form: alpha.  Constrained form: the Lagrange multiplier "
        "in penalty scaling (Lp(alpha=multiplier) has the same solution); 0 if inactive."
    )
    active: bool | None = Field(description="Constrained form: whether the constraint binds.")
    dual_gap: Num = Field(description="Duality gap in objective units (convex problems).")
    optimality_violation: Num = Field(description="Scale-free optimality violation (non-convex problems).")
    convex: bool = Field(description="Whether the problem is convex; if not, w* is a local solution.")
    converged: bool
    objective: Num
    n_zero: int
    zero_features: list[str]
    datafit: str
    datafit_params: dict[str, Num] = Field(description="The datafit's parameters.")
    score: Num = Field(description="The datafit's score on the data the model was fitted on (score_label).")
    score_label: str = Field(description="What score is: R2 (squared loss), acc. (logistic), D2 (deviance explained).")
    r2: Num = Field(description="R2 on the data the model was fitted on (the squared loss only, else null).")
    seconds: float = Field(description="Time of the solve.")
    radius: Num = Field(
        description="Size of the ball drawn: the radius, or ||w*||_p in penalized form "
        "(for a penalty that is no multiple of a norm's power: its value per unit alpha)."
    )
    loss_at_solution: Num
    w_star: list[Num]
    gradient: list[Num] = Field(description="Gradient of the datafit at w* (intercept at its best) along the view.")
    normal: list[Num] = Field(
        description="multiplier times the penalty's subgradient at w* along the view: "
        "equal to -gradient at a solution (KKT)."
    )
    unconstrained: list[Num] = Field(
        description="Minimizer of the loss in the slice (least squares for the squared loss); null where it "
        "has none (classes that separate)."
    )
    grid: Grid
    ball: Ball
    contours: Lines = Field(
        description="Level sets of the loss in the slice, evenly spaced in sqrt(loss - min): exact ellipses "
        "for the squared loss, else traced on a grid (marching squares)."
    )
    solution_level: Lines = Field(description="The level set of the loss through w* (on the exact level).")


class RangeResponse(BaseModel):
    x_min: float = Field(description="Lower end of the slider.")
    x_max: float = Field(description="Upper end of the slider.")
    scale: Literal["log", "linear"] = Field(
        description=f"Slider position k in 0..{compute.SLIDER} is x_min * (x_max / x_min)^(k / "
        f"{compute.SLIDER}) (log: alpha) or x_max * k / {compute.SLIDER} (linear: the radius)."
    )
    alpha_max: Num


class PathResponse(RangeResponse):
    dataset: str
    form: str
    feature_names: list[str]
    x: list[Num] = Field(description="alphas (decreasing) or radii (increasing).")
    coefs: list[list[Num]] = Field(description="coefs[k][j]: feature j at x[k].")
    n_nonzero: list[int]
    converged: list[bool]
    seconds: float
    cached: bool


class CornerResponse(BaseModel):
    dataset: str
    penalty: str = Field(
        description="The request's penalty, or the first registered one (L1) with corners "
        "on the axes where it has none."
    )
    p: Num = Field(description="The value of its exponent parameter, if it has one.")
    params: dict[str, Num] = Field(description="Its shape parameters.")
    form: str
    position: int = Field(description=f"Slider position, 0..{compute.SLIDER}.")
    value: float = Field(description="The alpha or radius at that position.")
    zero_feature: str = Field(description="The view coefficient that is exactly zero there.")
    axis_feature: str = Field(description="The view coefficient w* lies along.")
    low: float = Field(description="Lower end of the run of path points with that zero.")
    high: float = Field(description="Upper end of that run.")
    seconds: float


class Minimum(BaseModel):
    coef: list[Num]
    intercept: Num
    objective: Num
    w_view: list[Num]
    n_zero: int
    count: int = Field(description="How many starts ended here.")
    converged: bool
    from_zero: bool = Field(description="The minimum reached from zero, the one /api/fit reports.")


class MultistartResponse(BaseModel):
    dataset: str
    feature_names: list[str]
    minima: list[Minimum]
    n_starts: int
    seconds: float


class DatasetInfo(BaseModel):
    name: str
    description: str
    n_samples: int
    feature_names: list[str]
    default_features: list[str]
    datafits: list[str] = Field(description="The datafits that accept its target (at their default parameters).")
    refusals: dict[str, str] = Field(description="Why each other offered datafit does not accept its target.")


class DatasetsResponse(BaseModel):
    datasets: list[DatasetInfo]


class ParameterInfo(BaseModel):
    name: str
    default: float
    low: float = Field(description="Smallest value taken (the penalty may refuse an open bound).")
    high: float = Field(description="Largest value taken.")
    values: list[float] | None = Field(
        description="The slider's values, or null: a linear slider from low to high in steps of step."
    )
    step: float | None
    exponent: bool = Field(
        description='Whether it is the exponent of the penalty\'s norm: "inf" is then also taken, in constrained form.'
    )


class PenaltyInfo(BaseModel):
    name: str = Field(description="The value of the requests' penalty field.")
    label: str
    description: str
    parameters: list[ParameterInfo]
    convex: bool = Field(description="Whether the penalty is convex at its defaults.")
    exponent: Num = Field(
        description="p where the penalty is a multiple of ||w||_p^p (at its defaults), "
        "else null: its level sets are drawn, and it has no constrained form."
    )
    ball: bool = Field(description="Whether it has a constrained form (a norm ball).")


class PenaltiesResponse(BaseModel):
    penalties: list[PenaltyInfo]


class DatafitParameterInfo(BaseModel):
    name: str
    default: float
    low: float
    high: float
    values: list[float] = Field(description="The slider's values.")


class DatafitInfo(BaseModel):
    name: str = Field(description="The value of the requests' datafit field.")
    label: str
    description: str = Field(description="Its formula.")
    score_label: str = Field(description="What its train score is (R2, acc., D2).")
    parameters: list[DatafitParameterInfo]
    quadratic: bool = Field(description="The squared loss: its contours are exact ellipses.")
    constrained: bool = Field(description="Whether the constrained form takes it.")
    offered: bool = Field(description="Whether the explorer draws it.")
    reason: str | None = Field(description="Why not, where it does not.")


class DatafitChoice(BaseModel):
    name: str
    params: dict[str, float]


class DatafitsResponse(BaseModel):
    datafits: list[DatafitInfo] = Field(description="Every registered datafit, offered or not.")
    default: DatafitChoice = Field(description="The datafit the page opens with.")


# ----------------------------------------------------------------------------------------------------
# the application
# ----------------------------------------------------------------------------------------------------
def _plain(value):
    """numpy values and arrays as JSON-ready Python, non-finite floats as None."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        if value.dtype == bool or np.issubdtype(value.dtype, np.integer):
            return value.tolist()
        return _plain(value.tolist())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _error(field: str | None, message: str) -> JSONResponse:
    loc = ["body"] if field is None else ["body", field]
    label = f"{field}: " if field else ""
    return JSONResponse(
        status_code=422,
        content={"detail": [{"loc": loc, "msg": message, "type": "value_error"}], "message": label + message},
    )


def _placeholder(form: str) -> dict:
    """Paths, ranges and corners depend on the form only, not on where the slider is: any value will do."""
    return {"alpha": 1.0} if form == "penalized" else {"radius": 1.0}


def _validation_message(errors) -> str:
    parts = []
    for err in errors:
        loc = [str(x) for x in err.get("loc", ()) if x != "body"]
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        parts.append(f"{'.'.join(loc) or 'body'}: {msg}")
    return "; ".join(parts)


def _default_datafit(datafit) -> dict:
    """``datafit=`` and ``datafit_params=`` of :func:`~lpnet.explorer.compute.make_problem` for the
    datafit the page opens with (a name, a Datafit object, or None: the first offered)."""
    if isinstance(datafit, Datafit):
        name, given = datafit.name, dict(datafit.shape_parameters())
    else:
        name, given = datafit, {}
    try:
        name, params = check_datafit(name, given)
    except compute.InputError as exc:
        raise ValueError(f"datafit: {exc.message}; the explorer draws {', '.join(offered_datafits())}") from None
    return {"datafit": name, "datafit_params": dict(params)}


def _static_dir():
    return resources.files("lpnet.explorer") / "static"


def _plotly_js():
    """plotly.js as shipped inside the installed plotly package (no network, no copy in lpnet)."""
    try:
        path = resources.files("plotly") / "package_data" / "plotly.min.js"
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


def create_app(
    X=None, y=None, feature_names=None, description="your data", default_features=None, name="data", datafit=None
):
    """The explorer as an ASGI application (FastAPI), to serve or to mount in another server.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), optional
        Data to explore, used as given (standardize it first for a fair penalty); it becomes the
        data set ``name``, shown first.  The built-in ``"diabetes"`` (standardized, features bmi
        and bp first), ``"synthetic"`` (two correlated features, seeded) and ``"breast_cancer"``
        (standardized, a 0/1 diagnosis for the logistic loss) are always offered.
    y : array-like of shape (n_samples,), optional
        The target (numbers; for the logistic loss two values); required with ``X``.
    feature_names : list of str, optional
        Names of the columns of ``X`` (default ``x1, x2, ...``).
    description : str
        Shown on the page for ``X``.
    default_features : list of str, optional
        The features selected when the page opens, for the first data set (``X``, else diabetes).
    name : str
        The name of ``X``'s data set in the page's menu and in requests (``lpnet explore --data``
        passes the file's name); not a built-in one's.
    datafit : str or Datafit, optional
        The datafit the page opens with (default: the squared loss), by name or as an object whose
        parameters it keeps (``Tweedie(power=1.2)``); one the explorer draws, and one that accepts ``y``.

    Returns
    -------
    fastapi.FastAPI
        Routes: ``/`` (the page), ``/static/...``, ``GET /api/penalties``, ``GET /api/datafits``,
        ``GET /api/datasets``, ``POST /api/fit``, ``POST /api/path``, ``POST /api/range``,
        ``POST /api/corner``, ``POST /api/multistart``; the API is documented on ``/docs``.

    Raises
    ------
    ValueError
        When ``datafit`` is not one the explorer draws, or does not accept ``y`` (the datafit's reason).
    """
    if (X is None) != (y is None):
        raise ValueError("give both X and y, or neither (for the built-in data)")
    datasets = builtin_datasets()
    if X is not None:
        if str(name) in {d.name for d in datasets}:
            raise ValueError(f"name {name!r} is taken by a built-in data set; choose another")
        datasets.insert(0, user_data(X, y, feature_names, description, name))
    if default_features is not None:
        first = datasets[0]
        compute.resolve_features(first, default_features)  # unknown names fail here, not on the page
        first.default_features = list(default_features)
    default_datafit = _default_datafit(datafit)
    if X is not None:
        reason = refusal(datasets[0], make_datafit(default_datafit["datafit"], **default_datafit["datafit_params"]))
        if reason is not None:
            raise ValueError(f"datafit {default_datafit['datafit']!r} does not accept y: {reason}")
    by_name = {d.name: d for d in datasets}
    cache = compute.PathCache()
    plotly_js = _plotly_js()
    menu = compute.penalty_menu()
    families = [info for info in datafit_menu() if info.offered]
    requests = _request_models(menu, families)
    shape_keys = _shape_keys(menu)
    datafit_keys = _datafit_keys(families)

    def problem(req, **form) -> compute.Problem:
        """The request's problem: its penalty and datafit with their parameters, in the given form."""
        shape = {key: getattr(req, key) for key in shape_keys}
        given = {key: getattr(req, key) for key in datafit_keys}
        return compute.make_problem(req.penalty, datafit=req.datafit, datafit_params=given, **shape, **form)

    app = FastAPI(
        title="lpnet explorer",
        description="Penalized and constrained regression with lpnet's penalties, drawn: the loss, "
        "the ball, the KKT conditions and the regularization path.  Out-of-range or inconsistent inputs "
        "get 422 with the field named in detail[].loc and a one-line message.",
        version="1",
    )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        errors = [{k: v for k, v in err.items() if k in ("loc", "msg", "type")} for err in exc.errors()]
        return JSONResponse(status_code=422, content={"detail": _plain(errors), "message": _validation_message(errors)})

    def dataset_of(name, prob):
        if name is None:  # the first whose target the datafit accepts
            datafit = prob.datafit_object()
            return next((d for d in datasets if refusal(d, datafit) is None), datasets[0])
        if name not in by_name:
            raise compute.InputError("dataset", f"unknown data set {name!r}; choose one of {list(by_name)}")
        return by_name[name]

    def answer(work):
        """Run ``work`` and turn bad combinations and solver failures into a 422, never a 500.

        Inputs reaching a solver are within the documented bounds, so a failure there is a setting
        the solver cannot handle (an extreme radius, say): the page shows the message and stays
        usable, and the traceback goes to the server's log for whoever maintains the solver.
        """
        try:
            return _plain(work())
        except compute.InputError as exc:
            return _error(exc.field, exc.message)
        except Exception as exc:  # any solver failure: see the docstring
            logger.exception("explorer request failed")
            detail = " ".join(str(exc).split()) or type(exc).__name__
            return _error(None, f"cannot fit with these settings: {detail}")

    @app.get("/api/penalties", response_model=PenaltiesResponse, summary="The penalties and their parameters")
    def get_penalties():
        return _plain({"penalties": [dataclasses.asdict(info) for info in menu]})

    @app.get("/api/datafits", response_model=DatafitsResponse, summary="The datafits and their parameters")
    def get_datafits():
        name, params = default_datafit["datafit"], default_datafit["datafit_params"]
        described = [dataclasses.asdict(info) for info in datafit_menu()]
        for info in described:  # a value the page opens with is one of its slider's values
            for prm in info["parameters"] if info["name"] == name else ():
                prm["values"] = sorted({*prm["values"], params[prm["name"]]})
        return _plain({"datafits": described, "default": {"name": name, "params": params}})

    # which offered datafit takes which target: asked of the datafits once (the targets are fixed)
    refused = {d.name: {info.name: refusal(d, make_datafit(info.name)) for info in families} for d in datasets}

    @app.get("/api/datasets", response_model=DatasetsResponse, summary="The data sets and their features")
    def get_datasets():
        return {
            "datasets": [
                {
                    "name": d.name,
                    "description": d.description,
                    "n_samples": int(d.X.shape[0]),
                    "feature_names": d.feature_names,
                    "default_features": d.default_features,
                    "datafits": [name for name, why in refused[d.name].items() if why is None],
                    "refusals": {name: why for name, why in refused[d.name].items() if why is not None},
                }
                for d in datasets
            ]
        }

    @app.post(
        "/api/fit",
        response_model=FitResponse,
        summary="Fit one setting and its picture",
        responses={422: {"description": "Invalid or inconsistent input"}},
    )
    def post_fit(req: requests.FitRequest):
        def work():
            prob = problem(req, alpha=req.alpha, radius=req.radius)
            ds = dataset_of(req.dataset, prob)
            return dict(compute.fit(ds, prob, req.features, req.view, req.grid), dataset=ds.name)

        return answer(work)

    @app.post(
        "/api/path",
        response_model=PathResponse,
        summary="The coefficient path",
        responses={422: {"description": "Invalid or inconsistent input"}},
    )
    def post_path(req: requests.PathRequest):
        def work():
            prob = problem(req, **_placeholder(req.form))
            ds = dataset_of(req.dataset, prob)
            result, cached = cache.get(ds, prob, req.features, req.n_points)
            return dict(result, dataset=ds.name, cached=cached)

        return answer(work)

    @app.post(
        "/api/range",
        response_model=RangeResponse,
        summary="The alpha or radius slider's range",
        responses={422: {"description": "Invalid or inconsistent input"}},
    )
    def post_range(req: requests.RangeRequest):
        def work():
            prob = problem(req, **_placeholder(req.form))
            ds = dataset_of(req.dataset, prob)
            return compute.slider_range(ds, prob, req.features)

        return answer(work)

    @app.post(
        "/api/corner",
        response_model=CornerResponse,
        summary="A slider position where w* sits on an axis of the view",
        responses={422: {"description": "Invalid or inconsistent input, or no such position"}},
    )
    def post_corner(req: requests.CornerRequest):
        def work():
            prob = problem(req, **_placeholder(req.form))
            ds = dataset_of(req.dataset, prob)
            found = corner(ds, prob, req.features, req.view, cache, req.n_points)
            return dict(found, dataset=ds.name)

        return answer(work)

    @app.post(
        "/api/multistart",
        response_model=MultistartResponse,
        summary="Local minima of a non-convex Lp fit from random starts",
        responses={422: {"description": "Invalid or inconsistent input"}},
    )
    def post_multistart(req: requests.MultistartRequest):
        def work():
            prob = problem(req, alpha=req.alpha, radius=req.radius)
            ds = dataset_of(req.dataset, prob)
            return dict(compute.multistart(ds, prob, req.features, req.view, req.n_starts, req.seed), dataset=ds.name)

        return answer(work)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def get_plotly():
        if plotly_js is None:
            return Response(
                "plotly is not installed: pip install lpnet[explorer]", status_code=404, media_type="text/plain"
            )
        return FileResponse(str(plotly_js), media_type="text/javascript", headers={"Cache-Control": "max-age=3600"})

    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(str(_static_dir() / "index.html"), media_type="text/html")

    app.mount("/static", StaticFiles(directory=str(_static_dir())), name="static")
    return app
