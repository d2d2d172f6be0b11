"""The compiled kernels (sim/kernels.py) give the numpy results they replace, to the bit."""

from __future__ import annotations

import numpy as np
import pytest

from journeysim.sim import kernels


@pytest.mark.parametrize("largest", [9, 2_000_000, 20_000_000])
def test_unique_counts_equals_numpy_unique_and_leaves_the_tally_zero(largest):
    rng = np.random.default_rng(largest)
    rows = rng.integers(0, largest + 1, 5_000)
    rows[:50] = largest  # the top row, repeated
    tally = np.zeros(largest + 1, np.int32)
    distinct, counts = kernels.unique_counts(rows, tally, largest)
    want_rows, want_counts = np.unique(rows, return_counts=True)
    assert np.array_equal(distinct, want_rows) and np.array_equal(counts, want_counts)
    assert not tally.any()


def test_radix_sort_sorts_values_of_three_and_more_passes():
    rng = np.random.default_rng(3)
    for largest in (5_000_000, 30_000_000_000):
        values = rng.integers(0, largest + 1, 10_000)
        assert np.array_equal(kernels.radix_sort(values, largest), np.sort(values))


def test_radix_sort_of_nothing_and_of_zeros():
    assert kernels.radix_sort(np.empty(0, np.int64), 0).size == 0
    assert np.array_equal(kernels.radix_sort(np.zeros(3, np.int64), 0), np.zeros(3))


@pytest.mark.parametrize("listed", [False, True])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("open_", [False, True])
def test_accept_candidates_keeps_the_first_candidates_the_numpy_thinning_keeps(listed, masked, open_):
    rng = np.random.default_rng(7)
    n_rows, want = 1_000, 120
    persona = rng.integers(0, 3, n_rows).astype(np.int16)
    stage = rng.integers(0, 8, n_rows).astype(np.int8)
    present = rng.random(n_rows) < 0.8
    weights = np.array([0.2, 1.0, 0.6])
    mask = np.zeros(8, bool)
    mask[[1, 2, 5]] = True
    audience = np.sort(rng.choice(n_rows, 300, replace=False)) if listed else np.empty(0, np.int64)
    size = audience.size if listed else n_rows
    u = rng.random((2, 2_000))
    rows = (u[0] * size).astype(np.int64)
    if listed:
        rows = audience[rows]
    keep = u[1] < weights[persona[rows]]
    if masked:
        keep &= mask[stage[rows]]
    if open_:
        keep &= present[rows]
    expected = rows[keep][:want]
    out = np.empty(want, np.int64)
    got = kernels.accept_candidates(u[:, :1_000], size, audience, weights, persona,
                                    mask if masked else np.empty(0, bool), stage,
                                    present if open_ else np.empty(0, bool), out, 0)
    got = kernels.accept_candidates(u[:, 1_000:], size, audience, weights, persona,
                                    mask if masked else np.empty(0, bool), stage,
                                    present if open_ else np.empty(0, bool), out, got)
    assert got == min(want, expected.size) and np.array_equal(out[:got], expected[:got])


@pytest.mark.parametrize("decays", [False, True])
@pytest.mark.parametrize("drifts", [False, True])
def test_decay_scan_decays_like_numpy_and_finds_the_rows_that_crossed(decays, drifts):
    rng = np.random.default_rng(11)
    n = 5_000
    interest = rng.normal(1.0, 1.0, n).astype(np.float32)
    keep = rng.uniform(0.9, 1.0, n).astype(np.float32)
    drift = rng.uniform(0.0, 0.05, n).astype(np.float32)
    next_level = rng.uniform(0.5, 40.0, n).astype(np.float32)
    floor_level = np.where(rng.random(n) < 0.2, np.float32(0.0), np.float32(-np.inf))
    expected = interest.copy()
    if decays:
        expected = expected * keep
    if drifts:
        expected = expected + drift * np.float32(0.8)
    up, down = kernels.decay_scan(interest, keep, drift, np.float32(0.8), decays, drifts, next_level, floor_level,
                                  n, True, True)
    assert np.array_equal(interest.view(np.int32), expected.view(np.int32))
    assert np.array_equal(up, np.flatnonzero(expected >= next_level)) and up.size > 0
    assert np.array_equal(down, np.flatnonzero(expected < floor_level)) and down.size > 0
