"""Where the rows come from: files (parquet, CSV) read piece by piece, and tables turned into arrays.

A *source* is a list of :class:`Piece` objects, each a callable that reads a bounded block of rows
(a parquet batch, a CSV chunk) into a :class:`~lpnet.dask.engines.Chunk`.  Every check the engines
promise happens here, at read time, with the file and the row range in the message: a non-numeric
column, a file with missing or extra columns, NaN or infinity.  Columns are selected by name, so a
file whose columns are in another order reads the same; float32 columns are read into float64.

pyarrow and pandas are imported inside the functions that need them (``import lpnet.dask`` stays
light).
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass

import numpy as np

PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.zip", ".csv.xz", ".tsv")
#: float64 values per chunk when ``chunk_rows`` is not given (16 MiB of features)
CHUNK_VALUES = 2**21


@dataclass(frozen=True)
class Layout:
    """Which columns are read, by name: the features (in this order), the target and the weights."""

    features: tuple[str, ...]
    target: str | None
    weight: str | None

    @property
    def names(self) -> list[str]:
        return [*self.features, *(c for c in (self.target, self.weight) if c is not None)]


def default_chunk_rows(n_features: int) -> int:
    """Rows per chunk: about CHUNK_VALUES feature values, at least 256 rows."""
    return max(256, CHUNK_VALUES // max(n_features + 2, 1))


def is_file_input(X) -> bool:
    """Whether ``X`` names files: a path, a glob, a directory, or a list of those."""
    if isinstance(X, (str, os.PathLike)):
        return True
    return isinstance(X, (list, tuple)) and len(X) > 0 and all(isinstance(x, (str, os.PathLike)) for x in X)


def resolve_files(X) -> tuple[list[str], str]:
    """The sorted data files ``X`` names, and their format ("parquet" or "csv")."""
    items = list(X) if isinstance(X, (list, tuple)) else [X]
    files: list[str] = []
    for item in items:
        item = os.fspath(item)
        if os.path.isdir(item):
            found = [
                os.path.join(root, name)
                for root, _, names in os.walk(item)
                for name in names
                if name.lower().endswith(PARQUET_SUFFIXES + CSV_SUFFIXES)
            ]
        elif any(ch in item for ch in "*?["):
            found = glob.glob(item, recursive=True)
        elif os.path.isfile(item):
            found = [item]
        else:
            raise ValueError(f"no such file or directory: {item!r}; give a parquet/CSV file, a glob or a directory.")
        files.extend(sorted(found))
    if not files:
        raise ValueError(f"no parquet or CSV files found in {X!r}; check the path or the glob.")
    kinds = {
        "parquet" if f.lower().endswith(PARQUET_SUFFIXES) else "csv" if f.lower().endswith(CSV_SUFFIXES) else f
        for f in files
    }
    if len(kinds) > 1:
        raise ValueError(
            f"the files are of several kinds ({sorted(kinds)}); give only parquet files (.parquet) or only CSV "
            "files (.csv)."
        )
    kind = kinds.pop()
    if kind not in ("parquet", "csv"):
        raise ValueError(f"cannot read {kind!r}: lpnet reads parquet (.parquet) and CSV (.csv) files.")
    return files, kind


def choose_layout(all_columns: list[str], numeric: dict[str, bool], where: str, target, columns, weight) -> Layout:
    """The columns to read, from the first file's (or frame's) columns; refuses non-numeric ones."""
    for name in (target, weight):
        if name is not None and name not in all_columns:
            raise ValueError(f"column {name!r} is not in {where} (its columns: {all_columns}).")
    if columns is None:
        features = [c for c in all_columns if c not in (target, weight)]
    else:
        features = [str(c) for c in columns]
        missing = [c for c in features if c not in all_columns]
        if missing:
            raise ValueError(f"columns {missing} are not in {where} (its columns: {all_columns}).")
    for name in [*features, *(c for c in (target, weight) if c is not None)]:
        if not numeric[name]:
            raise ValueError(
                f"column {name!r} of {where} is not numeric; lpnet reads numbers only: encode it (e.g. one-hot) "
                "or leave it out with columns=[...]."
            )
    if not features:
        raise ValueError(f"{where} has no feature columns besides the target.")
    return Layout(tuple(features), target, weight)


def check_columns(found: list[str], expected: list[str], where: str) -> None:
    """Every file has the same column names as the first (in any order)."""
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    if missing or extra:
        parts = ([f"missing {missing}"] if missing else []) + ([f"extra {extra}"] if extra else [])
        raise ValueError(
            f"{where} does not have the columns of the first file ({', '.join(parts)}); every file must have the "
            "same columns (their order may differ)."
        )


def check_finite(chunk) -> None:
    """NaN or infinity anywhere in a chunk: a ValueError naming where and the rows."""
    if isinstance(chunk.X, np.ndarray):
        bad_x = ~np.isfinite(chunk.X).all(axis=1)
    else:  # CSR: the rows of the stored values that are not finite
        bad_x = np.zeros(chunk.X.shape[0], dtype=bool)
        row_of = np.repeat(np.arange(chunk.X.shape[0]), np.diff(chunk.X.indptr))
        bad_x[row_of[~np.isfinite(chunk.X.data)]] = True
    bad = bad_x | ~np.isfinite(chunk.y) | ~np.isfinite(chunk.s)
    if bad.any():
        rows = np.flatnonzero(bad)
        first, last = int(rows[0]), int(rows[-1])
        raise ValueError(
            f"NaN or infinite values in {chunk.where}, at rows {first}..{last} of that block "
            f"(global rows {chunk.start + first}..{chunk.start + last}, {rows.size} rows); drop or impute them first."
        )
    if (chunk.s < 0).any():
        raise ValueError(f"negative sample weights in {chunk.where}; weights must be >= 0.")


def arrow_numeric(field_type) -> bool:
    import pyarrow as pa

    return bool(
        pa.types.is_integer(field_type)
        or pa.types.is_floating(field_type)
        or pa.types.is_boolean(field_type)
        or pa.types.is_decimal(field_type)
    )


def arrays_from_columns(get, m: int, layout: Layout):
    """``(X, y, s)`` in float64 from a getter of one column's values by name (F-ordered X)."""
    X = np.empty((m, len(layout.features)), order="F")
    for j, name in enumerate(layout.features):
        X[:, j] = get(name)
    y = np.asarray(get(layout.target), dtype=np.float64) if layout.target is not None else np.zeros(m)
    s = np.asarray(get(layout.weight), dtype=np.float64) if layout.weight is not None else np.ones(m)
    return X, y, s


def arrow_batch_arrays(batch, layout: Layout):
    """``(X, y, s)`` of a pyarrow RecordBatch or Table (nulls become NaN, caught by :func:`check_finite`)."""
    import pyarrow as pa

    def get(name):
        return batch.column(name).cast(pa.float64()).to_numpy(zero_copy_only=False)

    return arrays_from_columns(get, batch.num_rows, layout)


def frame_arrays(frame, layout: Layout, where: str):
    """``(X, y, s)`` of a pandas DataFrame, refusing a non-numeric column by name."""
    from pandas.api.types import is_numeric_dtype

    check_columns([str(c) for c in frame.columns], layout.names, where)
    for name in layout.names:
        if not is_numeric_dtype(frame[name].dtype):
            raise ValueError(
                f"column {name!r} of {where} is not numeric ({frame[name].dtype}); lpnet reads numbers only: "
                "encode it or leave it out with columns=[...]."
            )

    def get(name):
        return frame[name].to_numpy(dtype=np.float64, na_value=np.nan)

    return arrays_from_columns(get, len(frame), layout)


@dataclass
class Piece:
    """A block of rows of one file that one task reads: a parquet file's row groups ``groups`` (all of
    them when None), or a whole CSV file.  ``rows`` is known for parquet (from the metadata)."""

    path: str
    kind: str
    rows: int | None
    groups: tuple[int, ...] | None = None


class FileSource:
    """Parquet or CSV files read by name; the first file's columns set the layout."""

    def __init__(self, X, target=None, columns=None, weight=None, chunk_rows=None):
        self.files, self.kind = resolve_files(X)
        if self.kind == "parquet":
            import pyarrow.parquet as pq

            schema = pq.read_schema(self.files[0])
            names = list(schema.names)
            numeric = {f.name: arrow_numeric(f.type) for f in schema}
        else:
            import pandas as pd

            head = pd.read_csv(self.files[0], nrows=100)
            names = [str(c) for c in head.columns]
            from pandas.api.types import is_numeric_dtype

            numeric = {str(c): bool(is_numeric_dtype(head[c].dtype)) for c in head.columns}
        self.all_columns = names
        self.layout = choose_layout(names, numeric, self.files[0], target, columns, weight)
        self.chunk_rows = int(chunk_rows) if chunk_rows is not None else default_chunk_rows(len(self.layout.features))
        if self.chunk_rows < 1:
            raise ValueError(f"chunk_rows must be a positive integer, got {chunk_rows!r}.")
        self.n_bytes = sum(os.path.getsize(f) for f in self.files)

    def pieces(self) -> list[Piece]:
        """Per parquet file, runs of consecutive row groups of about ``chunk_rows`` rows (with their row
        count); one piece per CSV file (rows unknown).

        A piece opens its file once (parsing the footer, whose size grows with the row groups times the
        columns): one piece per row group made a pass over files of many small row groups quadratic in
        their number, and the statistics of a chunk of a few hundred rows cost as much as of thousands.
        """
        if self.kind == "csv":
            return [Piece(f, "csv", None) for f in self.files]
        import pyarrow.parquet as pq

        out = []
        for f in self.files:
            meta = pq.read_metadata(f)
            if meta.num_row_groups == 0:
                out.append(Piece(f, "parquet", 0, ()))
            run: list[int] = []
            rows = 0
            for g in range(meta.num_row_groups):
                run.append(g)
                rows += meta.row_group(g).num_rows
                if rows >= self.chunk_rows or g == meta.num_row_groups - 1:
                    out.append(Piece(f, "parquet", rows, tuple(run)))
                    run, rows = [], 0
        return out

    def read(self, piece: Piece):
        """Yield ``(X, y, s, offset, where)`` blocks of at most ``chunk_rows`` rows of one piece, checked
        (columns, numeric, finite is checked by the engine); ``offset``: rows before the block in the piece."""
        if piece.kind == "parquet":
            yield from self._read_parquet(piece)
        else:
            yield from self._read_csv(piece)

    def _read_parquet(self, piece: Piece):
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(piece.path)
        schema = pf.schema_arrow
        check_columns(list(schema.names), self.all_columns, piece.path)
        for name in self.layout.names:
            if not arrow_numeric(schema.field(name).type):
                raise ValueError(
                    f"column {name!r} of {piece.path} is not numeric ({schema.field(name).type}); lpnet "
                    "reads numbers only: encode it or leave it out with columns=[...]."
                )
        offset = 0
        groups = list(piece.groups) if piece.groups is not None else None
        group_text = ""
        if groups:
            group_text = f" row group {groups[0]}" if len(groups) == 1 else f" row groups {groups[0]}..{groups[-1]}"
        for batch in pf.iter_batches(batch_size=self.chunk_rows, row_groups=groups, columns=self.layout.names):
            m = batch.num_rows
            where = f"{piece.path}{group_text} rows {offset}..{offset + m - 1}"
            yield (*arrow_batch_arrays(batch, self.layout), offset, where)
            offset += m

    def _read_csv(self, piece: Piece):
        import pandas as pd

        header = [str(c) for c in pd.read_csv(piece.path, nrows=0).columns]
        check_columns(header, self.all_columns, piece.path)
        offset = 0
        for frame in pd.read_csv(piece.path, chunksize=self.chunk_rows, usecols=self.layout.names):
            m = len(frame)
            where = f"{piece.path} rows {offset}..{offset + m - 1}"
            yield (*frame_arrays(frame, self.layout, where), offset, where)
            offset += m
