"""An interactive picture of penalized and constrained regression in the browser (``lpnet explore``).

It draws every datafit that has one coefficient per feature (least squares, logistic, Poisson, Gamma,
Tweedie, Huber).

:func:`create_app` builds the web application (FastAPI; needs the optional extra
``pip install lpnet[explorer]``).  The computations live in :mod:`lpnet.explorer.compute` and need
only numpy and lpnet, so importing this package does not import the web framework.
"""

from __future__ import annotations

__all__ = ["MISSING_EXTRA", "create_app"]

MISSING_EXTRA = "the explorer needs fastapi, uvicorn and plotly, which are not installed: pip install lpnet[explorer]"


def create_app(
    X=None, y=None, feature_names=None, description="your data", default_features=None, name="data", datafit=None
):
    """The explorer as an ASGI application; see :func:`lpnet.explorer.app.create_app`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), optional
        Data to explore, offered first in the page's menu next to the built-in data sets.
    y : array-like of shape (n_samples,), optional
        The target; required with ``X``.
    feature_names : list of str, optional
        Names of the columns of ``X`` (default ``x1, x2, ...``).
    description : str
        Shown on the page for ``X``.
    default_features : list of str, optional
        The features selected when the page opens.
    name : str
        The name of ``X``'s data set in the page's menu.
    datafit : str or Datafit, optional
        The datafit the page opens with (default: the squared loss).

    Returns
    -------
    fastapi.FastAPI
        The application.

    Raises
    ------
    ImportError
        With the install command, when fastapi (or plotly) is missing.
    """
    try:
        import fastapi  # noqa: F401
        import plotly  # noqa: F401
    except ImportError as exc:
        raise ImportError(MISSING_EXTRA) from exc
    from .app import create_app as _create_app

    return _create_app(X, y, feature_names, description, default_features, name, datafit)
