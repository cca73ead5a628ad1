"""The experiments run in small settings, return plain numbers, show the expected effects and leave
torch's global state (threads, RNG) as they found it."""

import pytest

torch = pytest.importorskip("torch")

from lpnet.torch import experiments


def test_digits_regularization_small():
    threads = torch.get_num_threads()
    rng_state = torch.get_rng_state()
    result = experiments.digits_regularization(seeds=(0,), epochs=8, threads=1)
    assert torch.get_num_threads() == threads and torch.equal(torch.get_rng_state(), rng_state)
    assert tuple(result.settings) == experiments.DIGITS_SETTINGS
    s = result.settings
    assert s["l1_prox"].zero_fraction_mean > 0.05
    assert s["l1_subgradient"].zero_fraction_mean < 1e-3
    assert s["none"].zero_fraction_mean == 0.0
    for summary in s.values():
        assert 0.85 < summary.accuracy_mean <= 1.0
        assert summary.seconds_per_epoch > 0
    table = experiments.digits_table(result)
    assert table.count("\n") == 1 + len(s)


def test_scale_symmetry():
    r = experiments.scale_symmetry(0)
    assert r.relu_max_diff < 1e-12 and r.leaky_relu_max_diff < 1e-12
    assert r.tanh_max_diff > 1e-3
    assert r.balance_penalty_after < r.balance_penalty_before and r.balance_max_diff < 1e-12
    # the same function, balanced from its initialization or from a random rescaling: one minimum
    assert r.init_penalty_after == pytest.approx(r.balance_penalty_after, rel=1e-6)


def test_seed_diversity_small():
    r = experiments.seed_diversity(seeds=(0, 1), epochs=5)
    assert len(r.train_losses) == 2 and set(r.relative_distances) == {(0, 1)}
    assert r.relative_distances[(0, 1)] > 0.5
    assert 0.8 < r.prediction_agreement[(0, 1)] <= 1.0
