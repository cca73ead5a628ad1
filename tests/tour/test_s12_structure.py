"""Tour section 12 (group lasso on one-hot categoricals): its quick run against its claim."""

import json

import numpy as np

from lpnet.tour import s12_structure
from lpnet.tour._finding import VERDICTS, Figure, Finding


def test_category_selection_counts_by_hand():
    groups = np.repeat(np.arange(s12_structure.N_CATEGORIES), s12_structure.N_LEVELS)
    coef = np.zeros(groups.size)
    coef[0:5] = 1.0  # category 1 whole (relevant)
    coef[5] = 0.3  # category 2 in part (relevant)
    coef[groups == 4] = -1.0  # category 5 whole (irrelevant)
    sel = s12_structure.category_selection(coef, groups)
    assert sel["kept"][:5].tolist() == [5, 1, 0, 0, 5]
    assert (sel["partial"], sel["relevant_kept"], sel["irrelevant_kept"]) == (1, 2, 1)


def test_quick_run_measures_what_it_claims(quick_run):
    f = quick_run(s12_structure)
    assert isinstance(f, Finding) and f.number == 12 and f.verdict in VERDICTS
    assert f.summary.endswith(f.verdict)
    json.loads(json.dumps(f.measured))
    assert f.figures and all(isinstance(fig, Figure) and fig.caption for fig in f.figures)
    m = f.measured
    # the group lasso's penalty is a norm per category: it never keeps a category in part
    assert m["fits_with_a_partial_category"]["group lasso"] == 0
    assert m["uncertified_fits"] == 0
    # the verdict is the rule stated in the section, applied to the measured numbers
    whole = m["partial_per_fit_mean"]["lasso"] > 0 and m["partial_per_fit_mean"]["group lasso"] == 0
    better = m["test_mse_difference_mean"] <= m["test_mse_difference_se"]
    expected = "supports" if whole and better else ("partly" if whole or better else "contradicts")
    assert f.verdict == expected
