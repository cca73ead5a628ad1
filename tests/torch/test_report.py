"""sparsity_report counts zeros, units and norms; falls back to a list of dicts without pandas."""

import sys

import pytest

torch = pytest.importorskip("torch")
from torch import nn

from lpnet.torch import sparsity_report


def _model():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.BatchNorm1d(3), nn.Linear(3, 2))
    with torch.no_grad():
        model[0].weight[1] = 0.0  # one whole unit
        model[0].weight[0, 2] = 0.0  # one more entry
        model[3].weight.copy_(torch.tensor([[1.0, -2.0, 0.0], [0.5, 0.0, 0.0]]))
    return model


def test_report_counts():
    pd = pytest.importorskip("pandas")
    df = sparsity_report(_model())
    assert isinstance(df, pd.DataFrame)
    assert list(df["name"]) == ["0.weight", "0.bias", "2.weight", "2.bias", "3.weight", "3.bias"]
    row = df.set_index("name").loc["0.weight"]
    assert (row.zeros, row.numel, row.zero_units, row.units, row["shape"]) == (5, 12, 1, 3, (3, 4))
    assert row.zero_fraction == pytest.approx(5 / 12)
    last = df.set_index("name").loc["3.weight"]
    assert (last.zeros, last.zero_units, last.module) == (3, 0, "Linear")
    assert last.l1 == pytest.approx(3.5) and last.l2 == pytest.approx(5.25**0.5)
    assert list(df["penalized"]) == [True, False, False, False, True, False]


def test_list_of_dicts_without_pandas(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` raise ImportError
    rows = sparsity_report(_model())
    assert isinstance(rows, list) and rows[0]["name"] == "0.weight" and rows[0]["zeros"] == 5
