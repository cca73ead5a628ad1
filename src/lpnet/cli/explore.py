"""``lpnet explore``: the interactive explorer (:mod:`lpnet.explorer`) served on this machine.

Registered on the parser of :mod:`lpnet.cli`, which owns the entry point; the data options and their
loading are those of ``lpnet path`` (:mod:`lpnet.cli.common`).  The web stack (fastapi, uvicorn, plotly:
``pip install lpnet[explorer]``) is imported only when the command runs.
"""

from __future__ import annotations

import argparse
import ipaddress
import socket
import sys
import threading
import time
import webbrowser
from pathlib import Path

from .common import UsageError, add_data_options, datafit_of, integer, load_data

__all__ = ["add_explore_command", "cmd_explore"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
START_TIMEOUT = 30.0  # seconds to wait for the server before giving up on opening the browser

_EPILOG = f"""\
examples:
  lpnet explore
      scikit-learn's diabetes data (standardized; bmi and bp shown first) and a synthetic pair of
      correlated features, on http://{DEFAULT_HOST}:{DEFAULT_PORT}/
  lpnet explore --data house.csv --target price --features rooms,area --no-browser
      your data, named "house" on the page, shown first
  lpnet explore --datafit logistic
      the page opens with the logistic loss, on scikit-learn's breast cancer data (its 0/1 diagnosis)
  lpnet explore --data claims.csv --target count --datafit poisson
      a Poisson model of your counts; --datafit tweedie --power 1.3, --datafit huber --epsilon 2 ...

Every datafit with one coefficient per feature and a one-column target can be drawn (the page's
datafit menu, and GET /api/datafits, list them and say why the others cannot); the page offers each
data set with the datafits that accept its target.

The server listens on {DEFAULT_HOST} (this machine only) unless --host says otherwise.  Every control
change refits: the loss contours and the ball in the 2-D slice along two features, the gradient and
the ball's normal at w* (the KKT conditions), the coefficient paths and the certificate.  The page
opens, and "show me a corner" returns, where w* sits on an axis: a coefficient exactly zero.
The JSON API is documented at /docs.  Stop with Ctrl+C.

Errors are reported on one line as 'lpnet: error: ...' with exit status 2.
"""


def add_explore_command(sub) -> None:
    """Add ``explore`` to the ``lpnet`` subparsers ``sub``.

    Parameters
    ----------
    sub : argparse subparsers action
    """
    explore = sub.add_parser(
        "explore",
        help="interactive explorer in the browser: loss contours, balls, KKT and paths",
        description="Serve the lpnet explorer on this machine and open it in the browser.\n"
        "Without --data: scikit-learn's diabetes and breast cancer data and a synthetic correlated pair.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_data_options(explore)
    explore.add_argument(
        "--features",
        metavar="A,B[,...]",
        help="features selected when the page opens, at least 2, comma-separated "
        "(default: bmi,bp for the diabetes data, else the first two columns)",
    )
    explore.add_argument(
        "--port",
        type=integer("--port"),
        default=DEFAULT_PORT,
        metavar="N",
        help=f"port to listen on, 0 picks a free one (default {DEFAULT_PORT})",
    )
    explore.add_argument(
        "--host", default=None, metavar="H", help=f"address to listen on (default {DEFAULT_HOST}, this machine only)"
    )
    explore.add_argument("--no-browser", action="store_true", help="do not open a browser")
    explore.set_defaults(func=cmd_explore)


def _check_extra() -> None:
    from ..explorer import MISSING_EXTRA

    try:
        import fastapi  # noqa: F401
        import plotly  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise UsageError(MISSING_EXTRA) from None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_port(host: str, port: int) -> None:
    """Fail with a one-line message now rather than inside uvicorn's start-up."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must lie in 0..65535, got {port}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UsageError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}; choose another --port (0 picks a free one)"
            ) from None


def _make_server(app, host: str, port: int):
    import uvicorn

    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))


def _announce(server, host: str, open_browser: bool, out) -> None:
    """Once the server listens: print its address (the real port, also for --port 0), open the browser."""
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if server.should_exit or time.monotonic() > deadline:
            return
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    print(f"lpnet explore: serving {url}  (API documentation: {url}docs; Ctrl+C to stop)", file=out, flush=True)
    if open_browser:
        webbrowser.open(url)


def _dataset_name(path: str) -> str:
    """A CSV's data set name on the page: the file's name, without the extension unless it is a built-in's."""
    from ..explorer.data import BUILTIN_NAMES

    file = Path(path)
    for name in (file.stem, file.name):
        if name and name not in BUILTIN_NAMES:
            return name
    return f"{file.name} (your data)"


def cmd_explore(args) -> int:
    """Run ``lpnet explore`` with the parsed ``args`` (until Ctrl+C); returns the exit status.

    Parameters
    ----------
    args : argparse.Namespace

    Returns
    -------
    int
    """
    _check_extra()
    host = DEFAULT_HOST if args.host is None else args.host
    _check_port(host, args.port)
    features = None
    if args.features is not None:
        features = [f.strip() for f in args.features.split(",") if f.strip()]
        if len(features) < 2:
            raise UsageError(f"--features needs at least 2 comma-separated names, got {args.features!r}")

    from ..explorer import compute, create_app
    from ..explorer.data import builtin_datasets, synthetic
    from ..explorer.problems import describe_datafit, offered_datafits

    if args.data is None and args.target is not None:
        raise UsageError("--target needs --data FILE.csv")
    if args.data is not None and args.target is None:
        raise UsageError("--data needs --target COLUMN (the name of the column to predict)")
    # the data options are those of `lpnet path`, which offers every datafit: the explorer draws those
    # with one coefficient per feature and a one-column target
    datafit = datafit_of(args)
    drawn = offered_datafits()
    if datafit.name not in drawn:
        raise UsageError(
            f"--datafit {datafit.name}: the explorer cannot draw it ({describe_datafit(datafit.name).reason}); "
            f"it draws {', '.join(drawn)}"
        )
    data = {}
    about = "built-in data: diabetes and breast cancer (standardized) and a synthetic correlated pair"
    if args.data is not None:
        X, y, names, desc, how = load_data(args)[:5]  # the data, its description and how it was scaled
        data = {"X": X, "y": y, "feature_names": names, "description": desc, "name": _dataset_name(args.data)}
        about = f"{desc}; {how}"
    try:
        app = create_app(**data, default_features=features, datafit=datafit)
    except compute.InputError as exc:
        raise UsageError(f"--features: {exc.message}") from None
    except ValueError as exc:  # the datafit refuses the target
        raise UsageError(f"--datafit {datafit.name}: {' '.join(str(exc).split())}") from None
    out = sys.stdout
    print(f"lpnet explore: {about}", file=out)
    if not _is_loopback(host):
        print(
            f"lpnet explore: warning: listening on {host}, not only on this machine: anyone who can "
            "reach this address can use the explorer (and the CPU time of its fits)",
            file=sys.stderr,
        )
    compute.warm_up(synthetic(), builtin_datasets())  # numba compiles now, not during the first slider move
    server = _make_server(app, host, args.port)
    threading.Thread(target=_announce, args=(server, host, not args.no_browser, out), daemon=True).start()
    server.run()
    return 0
