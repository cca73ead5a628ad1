"""Pin the BLAS / OpenMP thread pools before numpy is imported.

The benchmarks measure one thread.  Besides, a multi-threaded OpenBLAS on a small machine that runs
anything else collapses: its threads spin-wait for a core, and a 480 x 480 Cholesky went from 2 ms to
500 ms.  The pools read these variables once, when the library loads, so both runners import this module
first and call :func:`pin` before anything imports numpy; ``--threads N`` is read from the command line
here for the same reason (the runners' argparse comes too late).  Subprocesses (compile and cold-start
timings, joblib's process workers) inherit the variables.  The reports also list the pools' actual sizes
(threadpoolctl), which show whether the setting took effect.
"""

from __future__ import annotations

import os
import sys

VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _requested(argv):
    """The value of ``--threads N`` / ``--threads=N`` in ``argv``, or None."""
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return None


def pin(argv=None):
    """``--threads N`` sets every variable to N; without it, a variable the user has not set becomes 1."""
    n = _requested(sys.argv[1:] if argv is None else argv)
    for var in VARIABLES:
        if n is not None:
            os.environ[var] = str(int(n))
        else:
            os.environ.setdefault(var, "1")


def describe():
    """The setting as it reads in the reports."""
    return ", ".join(f"{var}={os.environ.get(var, 'unset')}" for var in VARIABLES)
