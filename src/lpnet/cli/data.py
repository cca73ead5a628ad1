"""The data of the ``lpnet`` commands: the bundled diabetes demo (:mod:`lpnet.datasets`), or a user's CSV file.

Several files (a glob, a directory, parquet) are read into memory through :mod:`lpnet.dask`'s file
reader, which checks their columns and values (:func:`load_files`); one CSV file is read as always.

Reading a CSV uses pandas when it is installed and the csv module otherwise; both readers give the
same columns, values, notes and one-line errors.  Notes (``lpnet: note: ...``) and warnings
(``lpnet: warning: ...``) go to stderr, so that stdout holds only the report.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import NamedTuple

from ..datafits import datafit_names, make_datafit

#: the losses the commands fit: least squares, and the logistic loss of a two-class target
DATAFITS = datafit_names()

#: field separators recognised in the header line, in order of preference
_DELIMITERS = (",", ";", "\t")
_NA_TOKENS = {"", "na", "nan", "n/a", "null", "none", "#n/a"}


def note(message: str) -> None:
    """Print ``lpnet: note: message`` to stderr (stdout holds only the report)."""
    print(f"lpnet: note: {message}", file=sys.stderr)


def warn(message: str) -> None:
    """Print ``lpnet: warning: message`` to stderr."""
    print(f"lpnet: warning: {message}", file=sys.stderr)


def quote_list(names, limit=10) -> str:
    """The first ``limit`` names, quoted and comma-separated, and how many there are in all."""
    shown = ", ".join(repr(str(n)) for n in names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


# ----------------------------------------------------------------------------------------------------
# the demo
# ----------------------------------------------------------------------------------------------------
def load_demo():
    """The demo's data: scikit-learn's diabetes data in its original units.

    Returns
    -------
    lpnet.datasets.Dataset
        ``X, y, names, desc`` (a tuple).
    """
    from ..datasets import load_diabetes

    return load_diabetes()


# ----------------------------------------------------------------------------------------------------
# a CSV file
# ----------------------------------------------------------------------------------------------------
class _Table(NamedTuple):
    """What a CSV reader found; the checks and messages are left to :func:`load_csv`."""

    columns: list  # the header, named as pandas names it
    n_rows: int
    data: dict  # column -> float array, for the numeric columns
    bad: list  # non-numeric columns
    missing: list  # columns with missing values
    comma: list  # columns read with decimal commas


def load_csv(path: str, target):
    """Read ``path`` (header row) and split it into ``X, y, feature names, description``.

    ``target`` names the target column, or is a tuple of names: then ``y`` has one column per name (the
    time and event of a survival target).

    The field separator is taken from the header line (``,``, else ``;``, else a tab); with ``;`` or
    a tab, decimal commas are read too.  A blank first header cell marks the index column that
    ``DataFrame.to_csv()`` writes: it is dropped.  Constant feature columns are kept (their
    coefficient is 0) with a warning.  Problems raise ``ValueError`` / ``FileNotFoundError`` with a
    one-line message.
    """
    import numpy as np

    if not os.path.exists(path):
        raise FileNotFoundError(f"data file {path!r} not found")
    if os.path.isdir(path):
        raise ValueError(f"data file {path!r} is a directory, not a CSV file")
    header = _header_line(path)
    delimiter = next((d for d in _DELIMITERS if d in header), ",")
    reader = _read_csv_plain if _import_pandas() is None else _read_csv_pandas
    columns, n, data, bad, missing, comma_decimals = reader(path, delimiter)
    if not columns:
        raise ValueError(f"data file {path!r} is empty")
    if n == 0:
        raise ValueError(f"data file {path!r} has a header row but no data rows")
    if delimiter != ",":
        shown = {";": "';'", "\t": "tabs"}[delimiter]
        decimals = f"; decimal commas read in {quote_list(comma_decimals)}" if comma_decimals else ""
        note(f"the fields of {path!r} are separated by {shown}{decimals}")
    # pandas names a blank header cell 'Unnamed: 0'; the plain reader does the same
    targets = (target,) if isinstance(target, str) else tuple(target)
    if len(columns) > 1 and _first_cell_blank(header, delimiter) and columns[0] not in targets:
        index = columns[0]
        note(
            f"dropped the first column of {path!r}: its header is blank, as in the index column that "
            "DataFrame.to_csv() writes (save with index=False to avoid it)"
        )
        columns = columns[1:]
        bad = [c for c in bad if c != index]
        missing = [c for c in missing if c != index]
    for name in targets:
        if name not in columns:
            raise ValueError(f"column {name!r} not found in {path!r}; its columns are {quote_list(columns)}")
    if bad:
        raise ValueError(f"non-numeric columns in {path!r}: {quote_list(bad)}; encode them as numbers or drop them")
    if missing:
        raise ValueError(
            f"missing values (NaN or empty cells) in {path!r}, columns {quote_list(missing)}; drop or impute them first"
        )
    infinite = [c for c in columns if not np.all(np.isfinite(data[c]))]
    if infinite:
        raise ValueError(f"infinite values in {path!r}, columns {quote_list(infinite)}")
    features = [c for c in columns if c not in targets]
    if not features:
        raise ValueError(f"{path!r} has no feature columns besides the target {quote_list(targets)}")
    X = np.column_stack([data[c] for c in features])
    constant = [name for name, flat in zip(features, constant_columns(X)) if flat]
    if constant:
        warn(
            f"constant columns in {path!r}: {quote_list(constant)}; they carry no information, their "
            "coefficients are 0 and they are not counted as exact zeros"
        )
    desc = f"{path} ({n} samples, {len(features)} features; target: {', '.join(targets)})"
    y = data[target] if isinstance(target, str) else np.column_stack([data[name] for name in targets])
    return X, y, features, desc


def constant_columns(X):
    """Boolean mask of the columns of ``X`` that hold a single value."""
    import numpy as np

    return np.ptp(X, axis=0) == 0.0 if X.shape[0] else np.zeros(X.shape[1], dtype=bool)


def _header_line(path: str) -> str:
    """The first non-blank line of ``path``, or '' for a file without one."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            return next((line for line in fh if line.strip()), "")
    except UnicodeDecodeError:
        raise ValueError(f"cannot parse {path!r} as CSV: it is not UTF-8 text") from None


def _first_cell_blank(header: str, delimiter: str) -> bool:
    import csv

    cells = next(csv.reader([header], delimiter=delimiter), [])
    return bool(cells) and not cells[0].strip()


def _import_pandas():
    """pandas if it is installed, else None (then the csv module reads the file)."""
    try:
        import pandas
    except ImportError:
        return None
    return pandas


def _read_csv_pandas(path: str, delimiter: str) -> _Table:
    import numpy as np

    pd = _import_pandas()
    try:
        # round_trip: every number parsed to the nearest float64, as the plain reader does (pandas 2's
        # default parser can be one unit in the last place off)
        df = pd.read_csv(path, sep=delimiter, float_precision="round_trip")
    except pd.errors.EmptyDataError:
        return _Table([], 0, {}, [], [], [])
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        msg = " ".join(str(exc).split())
        raise ValueError(f"cannot parse {path!r} as CSV: {msg}") from None
    columns = [str(c) for c in df.columns]
    df.columns = columns
    if len(df) == 0:  # a header-only file, whose columns all read as text
        return _Table(columns, 0, {}, [], [], [])
    data, bad, missing, comma = {}, [], [], []
    for c in columns:
        s = df[c]
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
            if delimiter == ",":
                bad.append(c)
                continue
            # with ';' or tabs between fields, ',' is the decimal mark of many locales
            # (Python's float(), not pd.to_numeric: pandas 2's string parser can miss the nearest float)
            converted = pd.Series(
                [_comma_float(cell) if isinstance(cell, str) else np.nan for cell in s], dtype=np.float64
            )
            if not np.array_equal(converted.isna().to_numpy(), s.isna().to_numpy()):
                bad.append(c)
                continue
            comma.append(c)
            s = converted
        if s.isna().any():
            missing.append(c)
        data[c] = s.to_numpy(dtype=np.float64, na_value=np.nan)
    return _Table(columns, len(df), data, bad, missing, comma)


def _read_csv_plain(path: str, delimiter: str) -> _Table:
    """The pandas-free reader (the csv module plus numpy), with the results of :func:`_read_csv_pandas`."""
    import csv

    import numpy as np

    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = [row for row in csv.reader(fh, delimiter=delimiter) if row]
    if not rows:
        return _Table([], 0, {}, [], [], [])
    columns = _pandas_names([c.strip() for c in rows[0]])
    body = rows[1:]
    for i, row in enumerate(body, start=2):
        if len(row) != len(columns):
            raise ValueError(f"line {i} of {path!r} has {len(row)} fields, the header has {len(columns)}")
    data, bad, missing, comma = {}, [], [], []
    for j, name in enumerate(columns):
        values = np.empty(len(body))
        has_missing = is_bad = has_comma = False
        for i, row in enumerate(body):
            cell = row[j].strip()
            lowered = cell.lower()
            if lowered in _NA_TOKENS:
                values[i] = np.nan
                has_missing = True
            elif lowered in ("true", "false"):
                values[i] = float(lowered == "true")
            else:
                try:
                    values[i] = float(cell)
                except ValueError:
                    value = _comma_float(cell) if delimiter != "," else None
                    if value is None:
                        is_bad = True
                    else:
                        values[i], has_comma = value, True
        if is_bad:
            bad.append(name)
            continue
        if has_missing:
            missing.append(name)
        if has_comma:
            comma.append(name)
        data[name] = values
    return _Table(columns, len(body), data, bad, missing, comma)


def _comma_float(cell: str):
    """``cell`` read with a decimal comma (as the pandas reader accepts it), or None."""
    try:
        return float(cell.replace(",", "."))
    except ValueError:
        return None


def _pandas_names(names):
    """Header cells named as ``pandas.read_csv`` names them: 'Unnamed: j' for blanks, 'a.1' for repeats."""
    names = [name or f"Unnamed: {j}" for j, name in enumerate(names)]
    seen = set()
    out = []
    for name in names:
        new, k = name, 0
        while new in seen:
            k += 1
            new = f"{name}.{k}"
        seen.add(new)
        out.append(new)
    return out


# ----------------------------------------------------------------------------------------------------
# several files (a glob, a directory, parquet): read through lpnet.dask's file reader
# ----------------------------------------------------------------------------------------------------
def data_files(data: str) -> tuple[list[str], str]:
    """The files ``--data`` names and their format, or a one-line error."""
    from ..dask.sources import resolve_files

    if not any(ch in data for ch in "*?[") and not os.path.exists(data):
        raise FileNotFoundError(f"data file {data!r} not found")
    try:
        return resolve_files(data)
    except ValueError as exc:
        if os.path.isdir(data):
            raise ValueError(f"--data {data!r} is a directory without parquet or CSV files") from None
        raise ValueError(f"--data {data!r}: {' '.join(str(exc).split())}") from None


@contextmanager
def reading_files(data: str, files: list[str]):
    """Errors while reading the files of ``--data`` say which ``--data`` (a directory, a glob) they
    come from, unless they already name it."""
    try:
        yield
    except ValueError as exc:
        text = " ".join(str(exc).split())
        if data in text:
            raise
        what = "a directory" if os.path.isdir(data) else "a file" if len(files) == 1 else "files"
        raise ValueError(f"--data {data!r} ({what}, {len(files)} files read): {text}") from None


def _rows_of(chunk):
    return [(chunk.start, chunk.X, chunk.y)]


def _concatenate(a, b):
    return a + b


def load_files(data: str, target):
    """``X, y, names, desc`` of ``--data`` read into memory: a single CSV file as ``lpnet`` always read
    it (:func:`lpnet.cli.data.load_csv`), several files or parquet concatenated in file order."""
    import numpy as np

    from ..dask import open_data

    if os.path.isfile(data) and not data.lower().endswith((".parquet", ".pq", ".parq")):
        return load_csv(data, target)
    files, _ = data_files(data)
    if len(files) == 1 and files[0].lower().endswith(".csv"):
        return load_csv(files[0], target)
    if not isinstance(target, str):
        raise ValueError("a two-column target (--time, --event) is read from a single CSV file; give one file")
    with reading_files(data, files):
        with open_data(files, target=target, engine="stream") as engine:
            parts = engine.map_reduce(_rows_of, _concatenate, label="reading")
            names = list(engine.feature_names)
    parts.sort(key=lambda part: part[0])
    X = np.vstack([part[1] for part in parts])
    y = np.concatenate([part[2] for part in parts])
    constant = [name for name, flat in zip(names, constant_columns(X)) if flat]
    if constant:
        warn(f"constant columns in {data!r}: {quote_list(constant)}; their coefficients are 0")
    desc = f"{data} ({X.shape[0]} samples, {len(names)} features, {len(files)} files; target: {target})"
    return X, y, names, desc


# ----------------------------------------------------------------------------------------------------
# the target
# ----------------------------------------------------------------------------------------------------
def check_target(y, datafit: str, target: str):
    """The classes of ``y`` for a classifier's datafit (ValueError otherwise: two for the logistic loss,
    three or more for the multinomial one); None for a regression datafit.

    A regression target with only two values gets a note pointing to ``--datafit logistic``: it is
    fitted as numbers, which is rarely what a 0/1 label means.
    """
    import numpy as np

    if make_datafit(datafit).target_is_matrix:
        return None  # several columns (time and event): the datafit checks them when it fits
    values = np.unique(y)
    fit = make_datafit(datafit)
    if fit.is_classifier:
        # the binary datafit takes two classes; a multi-output one (one score per class) three or more
        fits = not fit.is_multi_output and values.size == 2 or fit.is_multi_output and values.size >= 3
        if not fits:
            other = [n for n in DATAFITS if make_datafit(n).is_classifier and n != datafit]
            wanted = "three classes or more" if fit.is_multi_output else "exactly two classes"
            hint = f" (for it: --datafit {other[0]})" if other and values.size >= 2 else ""
            raise ValueError(
                f"--datafit {datafit} needs a target with {wanted}; {target!r} has "
                f"{values.size} distinct value{'s' if values.size != 1 else ''}{hint}"
            )
        return values
    if values.size == 2:
        note(
            f"the target {target!r} takes only two values ({values[0]:g} and {values[1]:g}) and is fitted "
            f"as numbers (--datafit {datafit}); for a classifier use --datafit logistic"
        )
    return None
