"""Independent numpy passes over parquet files: the data's summary and objective values at given points.

Nothing here calls lpnet: a competitor's answer is judged by the objective this module computes and
by a lower bound on the optimum from lpnet's certificate (its objective minus its duality gap).
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Data:
    """Parquet files with feature columns and a target column, and their summary (one numpy pass)."""

    files: list[str]
    features: list[str]
    target: str = "y"
    n_rows: int = 0
    n_bytes: int = 0
    y_mean: float = 0.0
    y_var: float = 0.0  # population variance
    xty_centered: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def f_null(self) -> float:
        """The intercept-only objective of the squared loss: ``var(y) / 2``."""
        return 0.5 * self.y_var

    @property
    def alpha_max(self) -> float:
        """The Lasso's ``alpha_max = max_j |x_j^T (y - mean(y))| / n``."""
        return float(np.max(np.abs(self.xty_centered)) / self.n_rows)

    def y_std(self, ddof: int = 0) -> float:
        return float(np.sqrt(self.y_var * self.n_rows / (self.n_rows - ddof)))


def batches(data: Data, batch_rows: int = 131072):
    """``(X, y)`` blocks of the files in order (float64)."""
    import pyarrow.parquet as pq

    for file in data.files:
        reader = pq.ParquetFile(file)
        for batch in reader.iter_batches(batch_size=batch_rows, columns=data.features + [data.target]):
            table = batch.to_pandas()
            yield table[data.features].to_numpy(np.float64), table[data.target].to_numpy(np.float64)


def open_files(directory: str, target: str = "y") -> Data:
    """Read the files' schema and one pass of summary statistics (shifted sums: no cancellation)."""
    import pyarrow.parquet as pq

    files = sorted(glob.glob(os.path.join(directory, "*.parquet")))
    if not files:
        raise ValueError(f"no parquet files in {directory}.")
    names = [f.name for f in pq.ParquetFile(files[0]).schema_arrow]
    data = Data(files, [c for c in names if c != target], target)
    data.n_bytes = sum(os.path.getsize(f) for f in files)
    n, shift, sy, syy = 0, None, 0.0, 0.0
    sxy, sx = np.zeros(len(data.features)), np.zeros(len(data.features))
    for X, y in batches(data):
        if shift is None:
            shift = float(y[0])
        yc = y - shift
        n += y.shape[0]
        sy += yc.sum()
        syy += yc @ yc
        sxy += X.T @ yc
        sx += X.sum(axis=0)
    data.n_rows = n
    data.y_mean = shift + sy / n
    data.y_var = syy / n - (sy / n) ** 2
    data.xty_centered = sxy - sx * (sy / n)  # x_j^T (y - ybar) = x_j^T (yc - mean(yc))
    return data


def squared_objectives(data: Data, points: list[tuple[np.ndarray, float, float, float]]) -> np.ndarray:
    """``1/(2n) ||y - X w - b||^2 + alpha (r ||w||_1 + (1 - r)/2 ||w||^2)`` at every ``(w, b, alpha, r)``,
    all in one pass."""
    if not points:
        return np.zeros(0)
    W = np.array([p[0] for p in points])
    b = np.array([p[1] for p in points])
    rss = np.zeros(len(points))
    for X, y in batches(data):
        R = y[:, None] - X @ W.T - b
        rss += np.einsum("ij,ij->j", R, R)
    out = rss / (2 * data.n_rows)
    for i, (w, _, alpha, r) in enumerate(points):
        out[i] += alpha * (r * np.abs(w).sum() + 0.5 * (1 - r) * w @ w)
    return out


def logistic_objectives(data: Data, points: list[tuple[np.ndarray, float, float]]) -> np.ndarray:
    """``1/n sum log(1 + exp(-t (x w + b))) + alpha ||w||_1`` (labels 0/1 as ``t = -1/+1``) at every
    ``(w, b, alpha)``, in one pass."""
    if not points:
        return np.zeros(0)
    W = np.array([p[0] for p in points])
    b = np.array([p[1] for p in points])
    loss = np.zeros(len(points))
    for X, y in batches(data):
        t = 2 * y - 1
        loss += np.logaddexp(0.0, -t[:, None] * (X @ W.T + b)).sum(axis=0)
    out = loss / data.n_rows
    for i, (w, _, alpha) in enumerate(points):
        out[i] += alpha * np.abs(w).sum()
    return out
