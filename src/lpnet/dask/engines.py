"""Engines: one pass over data that need not fit in memory, as "chunk -> partial result" and a combine.

Every estimator of :mod:`lpnet.dask` talks to its data through :func:`open_data`, which returns an
:class:`Engine`.  Its one operation, :meth:`Engine.map_reduce`, reads every row once: a function maps
each :class:`Chunk` (a block of rows as float64 arrays) to a partial result, and an associative
``combine`` merges them.  The engines differ only in where that happens:

* ``"memory"``: arrays already in memory (scipy.sparse matrices too), read in blocks of ``chunk_rows``
  rows.
* ``"stream"``: parquet or CSV files read block by block (pyarrow batches, pandas CSV chunks) and
  folded left to right: memory holds one chunk and the accumulator, never the data.
* ``"dask"``: dask arrays or a dask DataFrame (or files, one task per run of parquet row groups of about
  ``chunk_rows`` rows, or per CSV file);
  the partial results are computed on the workers and tree-reduced there.  With no distributed
  ``Client`` running, a ``LocalCluster`` (one worker per core) is started for the engine's lifetime and
  closed by :meth:`Engine.close`.

A third engine (e.g. Spark: ``mapInPandas`` per partition, then ``treeAggregate`` with the same
``combine``) needs only a ``map_reduce``; every statistic and every solve stays as it is.

Rows carry a global index (their position in the concatenated data), and :func:`fold_of` assigns the
cross-validation fold of a row by a seeded hash of that index, so every engine and every chunking puts
a row in the same fold.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from .._progress import progress_bar
from .sources import FileSource, Layout, check_finite, default_chunk_rows, frame_arrays, is_file_input

ENGINES = ("auto", "memory", "stream", "dask")


@dataclass
class Chunk:
    """A block of rows: features ``X`` (float64, ``(m, p)``), target ``y`` and sample weights ``s`` (ones
    unless a weight column was named), the global index ``start`` of its first row, and ``where`` (file or
    partition and row range, for messages).

    Attributes
    ----------
    X : ndarray of shape (m, p)
        The features.
    y : ndarray of shape (m,)
        The target.
    s : ndarray of shape (m,)
        The sample weights.
    start : int
        Global index of the first row (-1 when unknown).
    where : str
        Where the rows come from, for messages.
    """

    X: np.ndarray
    y: np.ndarray
    s: np.ndarray
    start: int
    where: str

    @property
    def n_rows(self) -> int:
        """Rows in the chunk."""
        return self.X.shape[0]


def _splitmix64(z: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer on a uint64 array (wrapping arithmetic, as the generator defines it)."""
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def fold_of(start: int, m: int, n_folds: int, seed: int = 0) -> np.ndarray:
    """The fold (0 .. n_folds-1) of the rows ``start .. start+m-1`` by a seeded hash of the global index.

    The folds are about equal in size (each row independently uniform), and the same whatever the
    chunking, the engine or the order in which the chunks are read.

    Parameters
    ----------
    start : int
        Global index of the first row.
    m : int
        Number of rows.
    n_folds : int
        Number of folds, >= 1.
    seed : int, default=0
        Seed of the hash.

    Returns
    -------
    ndarray of shape (m,)
        The folds.
    """
    if n_folds < 1:
        raise ValueError(f"n_folds must be >= 1, got {n_folds}.")
    index = np.arange(start, start + m, dtype=np.uint64)
    salt = _splitmix64(np.array([seed % 2**64], dtype=np.uint64))[0]
    return (_splitmix64(index ^ salt) % np.uint64(n_folds)).astype(np.intp)


def _skip_none(combine: Callable, a, b):
    # empty chunks give None: they take no part in the combine
    if a is None:
        return b
    if b is None:
        return a
    return combine(a, b)


def takes_sparse(chunk_fn: Callable) -> bool:
    """Whether a chunk function reads scipy.sparse features as they are: it says so by a true
    ``takes_sparse`` attribute (a ``functools.partial`` of it, or a wrapper exposing it, inherits it).
    Any other function gets every sparse chunk densified (a chunk is bounded: ``chunk_rows`` rows)."""
    while isinstance(chunk_fn, partial) and not getattr(chunk_fn, "takes_sparse", False):
        chunk_fn = chunk_fn.func
    return bool(getattr(chunk_fn, "takes_sparse", False))


def _features(X, sparse_ok: bool):
    """A chunk's features in float64: a CSR matrix when sparse and ``sparse_ok``, else an ndarray."""
    if hasattr(X, "tocsr"):  # scipy.sparse
        X = X.tocsr().astype(np.float64)
        return X if sparse_ok else X.toarray()
    return np.asarray(X, dtype=np.float64)


def _apply(chunk_fn: Callable, X, y, s, start: int, where: str):
    """A chunk's partial result (None for an empty chunk); the checks every engine makes at read time."""
    X = _features(X, takes_sparse(chunk_fn))
    if X.ndim != 2:
        raise ValueError(f"{where}: features must be 2-D, got shape {X.shape}.")
    m = X.shape[0]
    y = np.zeros(m) if y is None else np.asarray(y, dtype=np.float64).reshape(-1)
    s = np.ones(m) if s is None else np.asarray(s, dtype=np.float64).reshape(-1)
    if y.shape[0] != m or s.shape[0] != m:
        raise ValueError(f"{where}: {m} rows of features but {y.shape[0]} targets and {s.shape[0]} weights.")
    if m == 0:
        return None
    chunk = Chunk(X, y, s, int(start), where)
    check_finite(chunk)
    return chunk_fn(chunk)


class Engine:
    """The data of a fit, read by passes.  Subclasses implement :meth:`_pass`.

    Parameters
    ----------
    feature_names : list of str
        The features' names.
    n_rows : int or None
        Rows in the data, when known.
    progress : bool, default=False
        Show a progress bar for every pass.

    Attributes
    ----------
    feature_names : list of str
    n_features : int
    n_rows : int or None
        Rows in the data (None until known: CSV files before their first pass).
    n_passes : int
        Passes over the data made so far.
    n_rows_seen : int
        Rows read by all passes together.
    """

    name = "engine"

    def __init__(self, feature_names: list[str], n_rows: int | None, progress: bool = False):
        self.feature_names = list(feature_names)
        self.n_features = len(self.feature_names)
        self.n_rows = n_rows
        self.n_passes = 0
        self.n_rows_seen = 0
        self.progress = progress

    def map_reduce(self, chunk_fn: Callable, combine: Callable, *, label: str = "pass", indexed: bool = True) -> Any:
        """One pass over the data: ``chunk_fn(chunk)`` for every non-empty chunk, merged by the associative
        ``combine(a, b)``.  Raises ValueError when the data have no rows.

        ``indexed=False`` says that ``chunk_fn`` ignores ``chunk.start``: a Dask DataFrame whose partition
        lengths are unknown then needs no counting pass first (its chunks' ``start`` is -1).

        Parameters
        ----------
        chunk_fn : callable
            ``chunk_fn(chunk)``: the partial result of one :class:`Chunk`.
        combine : callable
            ``combine(a, b)``: two partial results merged into one (associative).
        label : str, default="pass"
            What the progress bar calls the pass.
        indexed : bool, default=True
            Whether ``chunk_fn`` reads ``chunk.start``.

        Returns
        -------
        object
            The merged result of every chunk.
        """
        result, rows = self._pass(chunk_fn, partial(_skip_none, combine), label, indexed)
        self.n_passes += 1
        self.n_rows_seen += rows
        self.n_rows = rows
        if result is None:
            raise ValueError("the data have no rows.")
        return result

    def _pass(self, chunk_fn, combine, label, indexed) -> tuple[Any, int]:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the engine holds (a LocalCluster it started)."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.n_rows} rows x {self.n_features} features, {self.n_passes} passes>"


class MemoryEngine(Engine):
    """Arrays in memory, in blocks of ``chunk_rows`` rows (default: about 16 MiB of features per block, which
    bounds the temporaries and the length of every sum)."""

    name = "memory"

    def __init__(self, X, y, s, feature_names, chunk_rows=None, progress=False):
        super().__init__(feature_names, X.shape[0], progress)
        self.X, self.y, self.s = X, y, s
        self.chunk_rows = max(int(chunk_rows), 1) if chunk_rows is not None else default_chunk_rows(X.shape[1])

    def _pass(self, chunk_fn, combine, label, indexed):
        n = self.X.shape[0]
        starts = range(0, n, self.chunk_rows)
        result = None
        for start in progress_bar(starts, self.progress, label):
            stop = min(start + self.chunk_rows, n)
            where = f"rows {start}..{stop - 1}"
            s = None if self.s is None else self.s[start:stop]
            result = combine(result, _apply(chunk_fn, self.X[start:stop], self.y[start:stop], s, start, where))
        return result, n


class StreamEngine(Engine):
    """Parquet or CSV files read block by block on this machine and folded left to right."""

    name = "stream"

    def __init__(self, source: FileSource, progress=False):
        self.source = source
        self.pieces = source.pieces()
        rows = [p.rows for p in self.pieces]
        super().__init__(list(source.layout.features), None if None in rows else sum(rows), progress)

    def _pass(self, chunk_fn, combine, label, indexed):
        result, start = None, 0
        for piece in progress_bar(self.pieces, self.progress, f"{label} ({self.source.n_bytes / 2**20:.0f} MiB)"):
            for X, y, s, _, where in self.source.read(piece):
                result = combine(result, _apply(chunk_fn, X, y, s, start, where))
                start += X.shape[0]
        return result, start


def _read_piece(source: FileSource, piece, start: int, chunk_fn, combine):
    # one task of the Dask engine: a run of parquet row groups or a CSV file, folded like the stream engine
    result = None
    for X, y, s, offset, where in source.read(piece):
        result = combine(result, _apply(chunk_fn, X, y, s, start + offset, where))
    return result


def _count_rows(source: FileSource, piece) -> int:
    return sum(X.shape[0] for X, *_ in source.read(piece))


def _frame_partial(frame, layout: Layout, start: int, where: str, chunk_fn, y=None):
    # one partition of a dask DataFrame (with, optionally, the matching partition of a target Series)
    X, y_col, s = frame_arrays(frame, layout, where)
    if y is not None:
        y_col = np.asarray(y, dtype=np.float64)
    return _apply(chunk_fn, X, y_col, s, start, where)


@dataclass
class _WithRows:
    # a partial result with the rows it read (the Dask passes count their rows)
    chunk_fn: Callable

    @property
    def takes_sparse(self) -> bool:
        return takes_sparse(self.chunk_fn)

    def __call__(self, chunk: Chunk):
        return chunk.n_rows, self.chunk_fn(chunk)


def _add_rows(combine: Callable, a, b):
    return a[0] + b[0], combine(a[1], b[1])


def _tree_reduce(delayed, parts: list, combine, fan_in: int = 8):
    while len(parts) > 1:
        parts = [
            delayed(_fold_list)(combine, parts[i : i + fan_in]) if len(parts[i : i + fan_in]) > 1 else parts[i]
            for i in range(0, len(parts), fan_in)
        ]
    return parts[0]


def _fold_list(combine, items):
    result = items[0]
    for item in items[1:]:
        result = combine(result, item)
    return result


class DaskEngine(Engine):
    """Dask collections (or files, one task per piece): partial results per partition, tree-reduced on the
    cluster.  Uses the active distributed Client, or starts a LocalCluster kept until :meth:`close`."""

    name = "dask"

    def __init__(self, tasks: Callable, n_rows: int | None, feature_names, progress=False, workers=None):
        super().__init__(feature_names, n_rows, progress)
        self._tasks = tasks  # (chunk_fn, combine, indexed) -> list of delayed partial results
        self._workers = workers
        self._cluster = None
        self._client = None

    def client(self):
        """The distributed Client the passes run on (the active one, or one on a LocalCluster started here)."""
        from distributed import Client, LocalCluster, get_client

        if self._client is not None:
            return self._client
        try:
            return get_client()
        except ValueError:
            workers = self._workers or os.cpu_count() or 1
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0")
            self._client = Client(self._cluster, set_as_default=False)
            return self._client

    def _pass(self, chunk_fn, combine, label, indexed):
        import dask

        # each partial result carries its rows: the pass counts what it read, lengths known or not
        parts = self._tasks(_WithRows(chunk_fn), partial(_skip_none, partial(_add_rows, combine)), indexed)
        total = _tree_reduce(dask.delayed, parts, partial(_skip_none, partial(_add_rows, combine)))
        client = self.client()
        future = client.compute(total)
        if self.progress:
            from distributed import progress

            progress(future)
        result = future.result()
        return (None, 0) if result is None else (result[1], result[0])

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


@dataclass
class RowTransform:
    """What :class:`TransformedEngine` does to every chunk: the features standardized to
    ``(x - mean) / scale`` (when given), and the rows of fold ``drop_fold`` (of ``n_folds``, by
    :func:`fold_of` with ``seed``) left out."""

    mean: np.ndarray | None = None
    scale: np.ndarray | None = None
    n_folds: int = 1
    seed: int = 0
    drop_fold: int | None = None

    def __call__(self, chunk: Chunk) -> Chunk | None:
        X, y, s, start = chunk.X, chunk.y, chunk.s, chunk.start
        if self.drop_fold is not None:
            keep = fold_of(start, chunk.n_rows, self.n_folds, self.seed) != self.drop_fold
            if not keep.any():
                return None
            # the kept rows are not consecutive: their global index is no longer known
            X, y, s, start = X[keep], y[keep], s[keep], -1
        if self.mean is not None and self.scale is not None:
            X = (X - self.mean) / self.scale
        return Chunk(np.asfortranarray(X), y, s, start, chunk.where)


def _transformed(transform: RowTransform, chunk_fn: Callable, chunk: Chunk):
    out = transform(chunk)
    return None if out is None else chunk_fn(out)


class TransformedEngine(Engine):
    """Another engine's rows seen through a :class:`RowTransform` (standardized features, a fold left
    out), chunk by chunk on the same workers: what the estimators fitted on it see is the transformed
    data, and nothing is materialized.  The passes are the inner engine's (it counts them); closing this
    engine closes the inner one.

    Parameters
    ----------
    inner : Engine
        The data as read.
    transform : RowTransform
        What every chunk goes through.  Leaving a fold out makes the chunks' ``start`` unknown (-1):
        a function of the global row index (a CV's folds) cannot run on such an engine.
    """

    def __init__(self, inner: Engine, transform: RowTransform):
        super().__init__(inner.feature_names, inner.n_rows if transform.drop_fold is None else None, inner.progress)
        self.inner, self.transform = inner, transform
        self.name = inner.name

    def map_reduce(self, chunk_fn: Callable, combine: Callable, *, label: str = "pass", indexed: bool = True) -> Any:
        needs_index = indexed or self.transform.drop_fold is not None
        result = self.inner.map_reduce(
            partial(_transformed, self.transform, chunk_fn), combine, label=label, indexed=needs_index
        )
        self.n_passes, self.n_rows_seen = self.inner.n_passes, self.inner.n_rows_seen
        if self.transform.drop_fold is None:
            self.n_rows = self.inner.n_rows
        return result

    def close(self) -> None:
        self.inner.close()


def _dask_modules():
    try:
        import dask.array as da
        import dask.dataframe as dd
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("engine='dask' needs Dask: pip install 'lpnet[dask]'.") from err
    return da, dd


def is_dask_collection(X) -> bool:
    return type(X).__module__.split(".")[0] in ("dask", "dask_expr")


def _client_active() -> bool:
    try:
        from distributed import get_client

        get_client()
        return True
    except (ImportError, ValueError):
        return False


def _dask_files(source: FileSource, progress, workers) -> DaskEngine:
    import dask

    pieces = source.pieces()
    counts = [p.rows for p in pieces]
    engine = DaskEngine(lambda fn, comb, indexed: [], None, list(source.layout.features), progress, workers)
    if None in counts:
        # CSV: the rows of each file are unknown until read; one counting pass gives the global indices
        counted = [dask.delayed(_count_rows)(source, p) for p in pieces]
        counts = list(engine.client().compute(counted, sync=True))
        engine.n_passes += 1
        engine.n_rows_seen += int(sum(counts))
    starts = np.concatenate([[0], np.cumsum(counts)]).astype(int)

    def tasks(chunk_fn, combine, indexed):
        return [
            dask.delayed(_read_piece)(source, p, int(start), chunk_fn, combine)
            for p, start in zip(pieces, starts[:-1], strict=True)
        ]

    engine._tasks = tasks
    engine.n_rows = int(starts[-1])
    return engine


class FrameTasks:
    """The tasks of a dask DataFrame's partitions; the partitions' first global rows are counted (one
    extra pass, as dask does not know partition lengths in general) only when a pass needs them."""

    def __init__(self, engine: DaskEngine, frames, ys, layout: Layout):
        self.engine, self.frames, self.ys, self.layout = engine, frames, ys, layout
        self.starts: np.ndarray | None = None

    def count(self) -> np.ndarray:
        import dask

        if self.starts is None:
            counted = [dask.delayed(len)(f) for f in self.frames]
            counts = list(self.engine.client().compute(counted, sync=True))
            self.engine.n_passes += 1
            self.engine.n_rows_seen += int(sum(counts))
            self.starts = np.concatenate([[0], np.cumsum(counts)]).astype(int)
            self.engine.n_rows = int(self.starts[-1])
        return self.starts

    def __call__(self, chunk_fn, combine, indexed):
        import dask

        starts = self.count() if indexed else None
        out = []
        for i, f in enumerate(self.frames):
            start, where = -1, f"partition {i}"
            if starts is not None:
                start, where = int(starts[i]), f"partition {i} (global rows {starts[i]}..{starts[i + 1] - 1})"
            y = None if self.ys is None else self.ys[i]
            out.append(dask.delayed(_frame_partial)(f, self.layout, start, where, chunk_fn, y))
        return out


def _dask_frame(X, y, s, target, columns, weight, progress, workers) -> DaskEngine:
    from pandas.api.types import is_numeric_dtype

    from .sources import choose_layout

    if y is not None and target is not None:
        raise ValueError("give the target either as y or as target=COLUMN, not both.")
    if y is None and target is None:
        raise ValueError("no target: pass y (a dask Series) or target=COLUMN.")
    if s is not None:
        raise ValueError("with a dask DataFrame, give the sample weights as a column: weight=COLUMN.")
    names = [str(c) for c in X.columns]
    numeric = {str(c): bool(is_numeric_dtype(X.dtypes[c])) for c in X.columns}
    layout = choose_layout(names, numeric, "the dask DataFrame", target, columns, weight)
    frames = list(X.to_delayed())
    ys = None
    if y is not None:
        ys = list(np.ravel(y.to_delayed())) if hasattr(y, "to_delayed") else None
        if ys is None or len(ys) != len(frames):
            raise ValueError("y must be a dask Series or array with the same partitions as X.")
    engine = DaskEngine(lambda fn, comb, indexed: [], None, list(layout.features), progress, workers)
    engine._tasks = FrameTasks(engine, frames, ys, layout)
    return engine


def _dask_array(X, y, s, progress, workers) -> DaskEngine:
    import dask

    da, _ = _dask_modules()
    X = da.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got {X.ndim} dimensions.")
    counted = any(np.isnan(c) for c in X.chunks[0])
    if counted:  # blocks of unknown length (e.g. from a DataFrame): counting them reads the data once
        X = X.compute_chunk_sizes()
    X = X.rechunk({1: -1})
    rows = X.chunks[0]
    if y is None:
        raise ValueError("a dask array X needs y (a dask array or Series with the same rows).")
    y = da.asarray(y).reshape(-1).rechunk((rows,))
    blocks = X.to_delayed()[:, 0]
    ys = y.to_delayed()
    ss = None if s is None else da.asarray(s).reshape(-1).rechunk((rows,)).to_delayed()
    starts = np.concatenate([[0], np.cumsum(rows)]).astype(int)
    names = [f"x{j}" for j in range(X.shape[1])]

    def tasks(chunk_fn, combine, indexed):
        return [
            dask.delayed(_apply)(
                chunk_fn,
                b,
                ys[i],
                None if ss is None else ss[i],
                int(starts[i]),
                f"block {i} (rows {starts[i]}..{starts[i + 1] - 1})",
            )
            for i, b in enumerate(blocks)
        ]

    engine = DaskEngine(tasks, int(starts[-1]), names, progress, workers)
    engine.n_passes += int(counted)
    engine.n_rows_seen += int(counted) * int(starts[-1])
    return engine


def _memory(X, y, s, target, columns, weight, chunk_rows, progress) -> MemoryEngine:
    if hasattr(X, "columns") and hasattr(X, "iloc"):  # a pandas DataFrame
        from pandas.api.types import is_numeric_dtype

        from .sources import choose_layout

        names = [str(c) for c in X.columns]
        numeric = {str(c): bool(is_numeric_dtype(X[c].dtype)) for c in X.columns}
        layout = choose_layout(names, numeric, "the DataFrame", target, columns, weight)
        frame = X.rename(columns=str)
        Xa, ya, sa = frame_arrays(frame, layout, "the DataFrame")
        if target is None:
            ya = None
        if weight is None:
            sa = None
        features = list(layout.features)
    else:
        if target is not None or weight is not None:
            raise ValueError("target= and weight= name columns: give X as files or a DataFrame, or pass y.")
        Xa = X.tocsr().astype(np.float64) if hasattr(X, "tocsr") else np.asarray(X, dtype=np.float64)
        if Xa.ndim != 2:
            raise ValueError(f"X must be 2-D, got shape {Xa.shape}.")
        ya, sa = None, None
        features = [f"x{j}" for j in range(Xa.shape[1])] if columns is None else [str(c) for c in columns]
    if y is not None:
        ya = np.asarray(y, dtype=np.float64).reshape(-1)
    if s is not None:
        sa = np.asarray(s, dtype=np.float64).reshape(-1)
    if ya is None:
        raise ValueError("no target: pass y, or target=COLUMN with files or a DataFrame.")
    if ya.shape[0] != Xa.shape[0] or (sa is not None and sa.shape[0] != Xa.shape[0]):
        raise ValueError(f"X has {Xa.shape[0]} rows but y has {ya.shape[0]}.")
    return MemoryEngine(Xa, ya, sa, features, chunk_rows, progress)


def open_data(
    X,
    y=None,
    *,
    target: str | None = None,
    columns=None,
    weight: str | None = None,
    sample_weight=None,
    engine: str = "auto",
    chunk_rows: int | None = None,
    progress: bool = False,
    workers: int | None = None,
) -> Engine:
    """The data of a fit as an :class:`Engine`.

    Parameters
    ----------
    X : str, path, list of paths, dask array or DataFrame, ndarray, scipy.sparse matrix or pandas DataFrame
        Parquet or CSV files (a path, a glob such as ``"big/*.parquet"``, a directory, or a list of those;
        all of one format, with the same columns in any order), dask collections, or data in memory.
        Sparse chunks (a scipy.sparse matrix, or a dask array of them) reach the chunk functions that
        say they read them (:func:`takes_sparse`) as CSR matrices, the others densified chunk by chunk.
    y : array-like or dask array/Series, optional
        The target, when it is not a column (``target=``).
    target : str, optional
        The target's column (files and DataFrames).
    columns : list of str, optional
        The feature columns; by default every column other than the target and the weights.
    weight : str, optional
        A column of sample weights (files and DataFrames).
    sample_weight : array-like or dask array, optional
        Sample weights for arrays in memory or dask arrays.
    engine : {"auto", "memory", "stream", "dask"}, default="auto"
        ``auto``: dask collections go to Dask; files go to Dask when a distributed Client is active and
        are streamed otherwise; arrays in memory stay in memory.
    chunk_rows : int, optional
        Rows per chunk read at a time (stream and memory engines; default about 16 MiB of features).
    progress : bool, default=False
        Show a progress bar for every pass.
    workers : int, optional
        Workers of the LocalCluster the Dask engine starts when no Client is active (default: cores).

    Returns
    -------
    Engine
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}.")
    files = is_file_input(X)
    dask_input = is_dask_collection(X)
    if engine == "auto":
        engine = "dask" if dask_input or (files and _client_active()) else "stream" if files else "memory"
    if files:
        source = FileSource(X, target=target, columns=columns, weight=weight, chunk_rows=chunk_rows)
        if y is not None or sample_weight is not None:
            raise ValueError("with files, name the target and weights as columns: target=COL, weight=COL.")
        if engine == "dask":
            _dask_modules()
            return _dask_files(source, progress, workers)
        if engine == "memory":
            raise ValueError("engine='memory' takes arrays; for files use engine='stream' or 'dask'.")
        return StreamEngine(source, progress)
    if engine == "stream":
        raise ValueError("engine='stream' reads parquet or CSV files; give X as a path or a glob.")
    if dask_input or engine == "dask":
        da, dd = _dask_modules()
        if isinstance(X, dd.DataFrame):
            return _dask_frame(X, y, sample_weight, target, columns, weight, progress, workers)
        if not dask_input:  # arrays in memory sent to the cluster in blocks (scipy.sparse ones stay sparse)
            rows = chunk_rows or default_chunk_rows(np.shape(X)[1])
            local = X.tocsr().astype(np.float64) if hasattr(X, "tocsr") else np.asarray(X, dtype=np.float64)
            X = da.from_array(local, chunks=(rows, -1), asarray=False)
        return _dask_array(X, y, sample_weight, progress, workers)
    return _memory(X, y, sample_weight, target, columns, weight, chunk_rows, progress)
