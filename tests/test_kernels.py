"""The compiled kernels (sim/kernels.py, sim/media_kernels.py, sim/rate_kernels.py) give the numpy results
they replace, to the bit."""

from __future__ import annotations

import numpy as np
import pytest

from journeysim.sim import kernels, media_kernels


def _numpy_unique(rows):
    return np.unique(rows, return_counts=True)


@pytest.mark.parametrize("largest", [0, 9, 2_000_000, 20_000_000])
@pytest.mark.parametrize("attended_share", [0.0, 0.3, 1.0])
def test_split_counts_equals_numpy_unique_of_the_attended_the_unattended_and_all(largest, attended_share):
    rng = np.random.default_rng(largest)
    rows = rng.integers(0, largest + 1, 5_000)
    rows[:50] = largest  # the top row, repeated
    rows[60:70] = 0  # and the first
    attended = int(attended_share * rows.size)
    got = kernels.split_counts(rows, attended, largest)
    *want, everyone = *_numpy_unique(rows[:attended]), *_numpy_unique(rows[attended:]), np.unique(rows)
    for array, expected in zip(got[:4], want, strict=True):
        assert np.array_equal(array, expected) and array.dtype == expected.dtype
    assert got[4] == everyone.size


def test_split_counts_of_no_rows_is_empty():
    rows, counts, others, other_counts, reach = kernels.split_counts(np.empty(0, np.int64), 0, 10)
    assert rows.size == counts.size == others.size == other_counts.size == reach == 0


def test_add_scaled_adds_the_scaled_weights_as_numpy_does_to_the_bit():
    rng = np.random.default_rng(8)
    values = rng.uniform(0.0, 5.0, 10_001).astype(np.float32)
    weight = rng.uniform(0.0, 2.0, values.size).astype(np.float32)
    weight[:5] = [0.0, np.float32(1e-30), np.float32(3e38), 1.0, np.float32(0.1)]
    for scale in (np.float32(0.37), np.float32(1e-7), np.float32(3.0)):
        want = values.copy()
        with np.errstate(over="ignore"):  # 3e38 * 3 is inf in both
            want += weight * scale
        media_kernels.add_scaled(values, weight, scale)
        assert np.array_equal(values.view(np.int32), want.view(np.int32))


def test_radix_sort_sorts_values_of_three_and_more_passes():
    rng = np.random.default_rng(3)
    for largest in (5_000_000, 30_000_000_000):
        values = rng.integers(0, largest + 1, 10_000)
        assert np.array_equal(kernels.radix_sort(values, largest), np.sort(values))


def test_radix_sort_of_nothing_and_of_zeros():
    assert kernels.radix_sort(np.empty(0, np.int64), 0).size == 0
    assert np.array_equal(kernels.radix_sort(np.zeros(3, np.int64), 0), np.zeros(3))


def _splitmix64(state: int, count: int) -> list[int]:
    """The first ``count`` outputs of splitmix64 from ``state``, in plain Python (Vigna's reference code)."""
    out, mask = [], 2**64 - 1
    for _ in range(count):
        state = (state + kernels.GOLDEN_GAMMA) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        out.append(z ^ (z >> 31))
    return out


def test_the_splitmix64_reference_gives_its_published_first_outputs():
    assert _splitmix64(1234567, 3) == [6457827717110365317, 3203168211198807973, 9817491932198370423]


@pytest.mark.parametrize("key", [0, 1234567, 2**64 - 1])
def test_stream_uniforms_are_splitmix64_by_position_from_any_start(key):
    expected = np.array([(z >> 11) * 2.0**-53 for z in _splitmix64(key, 50)])
    whole, tail = np.empty(50), np.empty(13)
    kernels.stream_uniforms(np.uint64(key), 0, whole)
    kernels.stream_uniforms(np.uint64(key), 37, tail)
    assert np.array_equal(whole, expected) and np.array_equal(tail, expected[37:])


def test_a_counter_stream_goes_on_where_it_stopped_and_differs_by_channel_and_day():
    from scipy import stats

    from journeysim.sim.streams import RandomStreams

    streams = RandomStreams(5)
    stream = streams.channel_day("tv", 3)
    first, then = stream.fill(np.empty((3, 2))), stream.fill(np.empty(4))
    again = streams.channel_day("tv", 3).fill(np.empty(10))
    assert stream.position == 10 and np.array_equal(np.concatenate([first.ravel(), then]), again)
    values = streams.channel_day("tv", 3).fill(np.empty(100_000))
    assert stats.kstest(values, "uniform").pvalue > 0.001
    assert abs(np.corrcoef(values[:-1], values[1:])[0, 1]) < 0.01  # consecutive numbers: no serial correlation
    keys = {streams.channel_day(*at).key for at in (("tv", 3), ("tv", 4), ("search", 3))}
    assert len(keys) == 3 and RandomStreams(6).channel_day("tv", 3).key not in keys


@pytest.mark.parametrize("personas", [1, 16, 17, 40])
def test_packed_row_codes_fit_the_smallest_type_and_equal_the_wide_ones(personas):
    rng = np.random.default_rng(personas)
    persona = rng.integers(0, personas, 5_000).astype(np.int16)
    persona[0] = personas - 1
    stage = rng.integers(0, media_kernels.STAGE_CODES, 5_000).astype(np.int8)
    stage[0] = media_kernels.STAGE_CODES - 1
    present = rng.random(5_000) < 0.5
    present[0] = True
    narrow = media_kernels.pack_rows(persona, stage, present, np.empty(5_000, media_kernels.code_type(personas)))
    wide = (persona.astype(np.int64) * media_kernels.STAGE_CODES + stage) * 2 + present
    assert narrow.dtype == (np.uint8 if personas <= 16 else np.uint16)
    assert np.array_equal(narrow, wide) and wide.max() == personas * media_kernels.STAGE_CODES * 2 - 1


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
    u = rng.random((2_000, 2))  # each candidate's (row, acceptance)
    rows = (u[:, 0] * size).astype(np.int64)
    if listed:
        rows = audience[rows]
    keep = u[:, 1] < weights[persona[rows]]
    if masked:
        keep &= mask[stage[rows]]
    if open_:
        keep &= present[rows]
    expected = rows[keep][:want]
    out = np.empty(want, np.int64)
    table = media_kernels.accept_table(weights, mask if masked else None, open_)
    code = media_kernels.pack_rows(persona, stage, present, np.empty(n_rows, media_kernels.code_type(3)))
    got = media_kernels.accept_candidates(u[:1_000], size, audience, table, code, out, 0)
    got = media_kernels.accept_candidates(u[1_000:], size, audience, table, code, out, got)
    assert got == min(want, expected.size) and np.array_equal(out[:got], expected[:got])


@pytest.mark.parametrize("decays", [False, True])
@pytest.mark.parametrize("drifts", [False, True])
@pytest.mark.parametrize(("find_up", "find_down"), [(True, True), (True, False), (False, True)])
def test_decay_scan_decays_like_numpy_and_finds_the_rows_that_crossed(decays, drifts, find_up, find_down):
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
                                  n, find_up, find_down)  # n = 39 blocks of 128 rows and 8 rows
    assert np.array_equal(interest.view(np.int32), expected.view(np.int32))
    crossed_up, crossed_down = np.flatnonzero(expected >= next_level), np.flatnonzero(expected < floor_level)
    assert crossed_up.size > 0 and crossed_down.size > 0
    assert np.array_equal(up, crossed_up if find_up else crossed_up[:0])
    assert np.array_equal(down, crossed_down if find_down else crossed_down[:0])


@pytest.mark.parametrize(("day_dtype", "day"), [(np.int32, 40), (np.uint16, 40), (np.uint16, 36_499)])
def test_restock_and_media_kicks_give_the_numpy_stock_and_kicks_to_the_bit(day_dtype, day):
    rng = np.random.default_rng(5)
    n = 2_000
    stock = rng.uniform(0.0, 3.0, n).astype(np.float32)
    stock_day = rng.integers(max(day - 60, 0), day + 1, n).astype(day_dtype)  # the last run day fits uint16
    rows = np.sort(rng.choice(n, 500, replace=False))
    counts = rng.integers(1, 4, rows.size)
    carryover = 0.7
    want_now = stock[rows] * np.float32(carryover) ** (day - stock_day[rows]).astype(np.float32)
    want_stock = stock.copy()
    want_stock[rows] = want_now + counts
    decay = np.float32(carryover) ** np.arange(day + 1, dtype=np.float32)
    now = media_kernels.restock(stock, stock_day, rows, counts, decay, day)
    assert np.array_equal(now.view(np.int32), want_now.view(np.int32))
    assert np.array_equal(stock.view(np.int32), want_stock.view(np.int32)) and (stock_day[rows] == day).all()

    stage = rng.integers(0, 8, n).astype(np.int8)
    effect = rng.uniform(0.0, 1.0, 8).astype(np.float32)
    response = rng.uniform(0.5, 1.5, n).astype(np.float32)
    gain = rng.uniform(0.0, 1.0, rows.size).astype(np.float32)
    evaluating = np.isin(np.arange(8), [2, 3])
    s = stage[rows]
    want = effect[s] * gain * response[rows] * np.where(evaluating[s], np.float32(1.3), np.float32(1.0))
    kick = media_kernels.media_kicks(rows, stage, effect, gain, response, evaluating, np.float32(1.3))
    assert np.array_equal(kick.view(np.int32), want.view(np.int32))


@pytest.mark.parametrize("books", [1, 2])
def test_counted_cells_add_a_weighted_bincount_of_group_stage_channel_cells_to_each_book(books):
    rng = np.random.default_rng(6)
    persona = rng.integers(0, 3, 1_000).astype(np.int16)
    device = rng.integers(0, 3, 1_000).astype(np.int8)
    stage = rng.integers(0, 8, 1_000).astype(np.int8)
    rows = rng.choice(1_000, 300, replace=False)
    counts = rng.integers(1, 5, rows.size)
    before = [rng.integers(0, 1_000, 3 * 8 * 4).astype(np.float64) for _ in range(2)]
    got = [b.copy() for b in before]
    other_group = device if books == 2 else np.empty(0, np.int8)  # no group: the second book untouched
    kernels.count_cells(stage, rows, counts, persona, got[0], other_group, got[1], 8, 4, 2)
    for k, (group, g, b) in enumerate(zip((persona, device), got, before, strict=True)):
        cells = (group[rows].astype(np.int64) * 8 + stage[rows]) * 4 + 2
        want = b + np.bincount(cells, weights=counts, minlength=3 * 8 * 4) if k < books else b  # one book: one
        assert np.array_equal(g, want)


@pytest.mark.parametrize("books", [1, 2])
def test_exposing_rows_in_one_pass_equals_kicks_added_then_both_books_counted(books):
    rng = np.random.default_rng(9)
    n, channels = 5_000, 4
    stage = rng.integers(0, 8, n).astype(np.int8)
    persona = rng.integers(0, 3, n).astype(np.int16)
    device = rng.integers(0, 3, n).astype(np.int8)
    rows = np.sort(rng.choice(n, 1_500, replace=False))
    counts = rng.integers(1, 4, rows.size)
    gain = rng.uniform(0.0, 1.0, rows.size).astype(np.float32)
    effect = rng.uniform(-0.2, 1.0, 8).astype(np.float32)
    response = rng.uniform(0.5, 1.5, n).astype(np.float32)
    evaluating = np.isin(np.arange(8), [2, 3])
    interest = rng.uniform(0.0, 2.0, n).astype(np.float32)
    last_touch = rng.integers(-1, 4, n).astype(np.int8)
    cells = [rng.integers(0, 9, 3 * 8 * channels).astype(np.float64) for _ in range(2)]
    want_interest, want_touch, want_cells = interest.copy(), last_touch.copy(), [c.copy() for c in cells]
    kick = media_kernels.media_kicks(rows, stage, effect, gain, response, evaluating, np.float32(1.3))
    media_kernels.add_kicks(want_interest, want_touch, rows, kick, 2)
    no_book = (np.empty(0, np.int8), np.empty(0))
    for group, book in list(zip((persona, device), want_cells, strict=True))[:books]:
        kernels.count_cells(stage, rows, counts, group, book, *no_book, 8, channels, 2)
    other = (device, cells[1]) if books == 2 else (np.empty(0, np.int8), np.empty(0))
    media_kernels.expose_rows(rows, counts, gain, stage, effect, response, evaluating, np.float32(1.3),
                              interest, last_touch, 2, persona, cells[0], *other, 8, channels)
    assert np.array_equal(interest.view(np.int32), want_interest.view(np.int32))
    assert np.array_equal(last_touch, want_touch) and np.array_equal(cells[0], want_cells[0])
    assert np.array_equal(cells[1], want_cells[1])  # untouched with one book


@pytest.mark.parametrize("precision", [np.float32, np.float64])
def test_add_kicks_adds_as_numpy_does_and_marks_the_raised_rows(precision):
    rng = np.random.default_rng(8)
    interest = rng.uniform(0.0, 2.0, 1_000).astype(np.float32)
    last_touch = np.full(1_000, -1, np.int8)
    rows = np.sort(rng.choice(1_000, 200, replace=False))
    kick = rng.uniform(-0.01, 0.3, rows.size).astype(precision) / precision(3.0)
    want = interest.copy()
    want[rows] += kick
    media_kernels.add_kicks(interest, last_touch, rows, kick, 4)
    assert np.array_equal(interest.view(np.int32), want.view(np.int32))
    assert np.array_equal(np.flatnonzero(last_touch == 4), rows[kick > 0]) and (last_touch[rows[kick <= 0]] == -1).all()


@pytest.mark.parametrize("open_", [False, True])
def test_dose_weights_and_levels_held_match_their_numpy_formulas(open_):
    rng = np.random.default_rng(9)
    n = 1_000
    stage = rng.integers(0, 8, n).astype(np.int8)
    persona = rng.integers(0, 3, n).astype(np.int16)
    effect = rng.uniform(-0.2, 1.0, 8).astype(np.float32)  # negative effects too (a -0.0 weight when absent)
    affinity = rng.uniform(0.0, 1.0, 3).astype(np.float32)
    response = rng.uniform(0.5, 1.5, n).astype(np.float32)
    present = rng.random(n) < 0.7
    rows = rng.choice(n, 300, replace=False)
    want = effect[stage[rows]] * affinity[persona[rows]] * response[rows]
    if open_:
        want = want * present[rows]
    weight = np.zeros(n, np.float32)
    media_kernels.dose_weights(weight, rows, effect, stage, affinity, persona, response,
                         present if open_ else np.empty(0, bool))
    assert np.array_equal(weight[rows].view(np.int32), want.view(np.int32))

    interest = rng.uniform(0.0, 3.0, n).astype(np.float32)
    levels = np.sort(rng.uniform(0.0, 3.0, (4, n)).astype(np.float32), axis=0)
    expected = sum((interest[rows] >= np.float32(0.5) * levels[k, rows]).astype(np.int8) for k in range(3))
    assert np.array_equal(kernels.levels_held(interest, levels, rows, np.float32(0.5)), expected)


def _numpy_rates(stage, sat, levels, factor, traits, fallback, scale, bar, talk_by_stage, dissatisfied, customer_talk):
    """The derived rates of every row by the numpy rules (sim/satisfaction.py, sim/stages.py),
    as Rates.refresh computed them before its compiled pass."""
    from journeysim.sim.satisfaction import advocacy_factor, churn_factor, satisfaction_factor
    from journeysim.sim.stages import FALLING_BACK, POST_PURCHASE, Stage, next_level_slot

    decay, repurchase, churn_propensity, advocacy = traits
    rows = np.arange(stage.size)
    stage = stage.astype(np.int64)
    post = POST_PURCHASE.holds(stage)
    next_level = levels[next_level_slot(stage), rows]
    deciding = stage == Stage.DECIDING
    next_level[deciding] = levels[2, deciding] + (levels[3, deciding] - levels[2, deciding]) * factor[deciding]
    next_level[post] *= factor[post]
    floor = np.full(rows.size, -np.inf, np.float32)
    inside = FALLING_BACK.holds(stage)
    floor[inside] = fallback * levels[stage[inside] - 1, rows[inside]]
    keep = np.where(post, 1.0, 1.0 - decay)
    drift = np.where(post, repurchase * satisfaction_factor(sat) * scale, 0.0)
    hazard = churn_propensity * churn_factor(sat)
    hazard += np.where(stage == Stage.LOYAL, advocacy * advocacy_factor(sat, bar), 0.0)
    talk = np.where(post & (sat < 0), dissatisfied, talk_by_stage[stage]).astype(np.float32) * customer_talk
    return next_level, floor, keep, drift, np.where(post, hazard, 0.0), np.clip(talk, -1.0, 1.0)


@pytest.mark.parametrize("bar", [0.5, 1.0])
def test_compiled_rate_refresh_equals_the_numpy_rules_to_the_bit(bar):
    from journeysim.sim.rate_kernels import refresh_rates
    from journeysim.sim.satisfaction import churn_factor

    rng = np.random.default_rng(11)
    n = 20_000
    stage = rng.integers(0, 8, n).astype(np.int8)
    sat = rng.uniform(-1.0, 1.0, n).astype(np.float32)
    sat[:4] = [-1.0, 0.0, 1.0, np.float32(bar)]
    levels = np.cumsum(rng.exponential(1.0, (4, n)), axis=0).astype(np.float32)
    factor = rng.uniform(0.5, 2.0, n).astype(np.float32)
    traits = tuple(rng.uniform(0.0, 0.2, n).astype(np.float32) for _ in range(4))
    talk_by_stage = rng.uniform(-0.5, 1.5, 8).astype(np.float32)
    customer_talk = rng.uniform(0.5, 2.0, n).astype(np.float32)
    fallback, scale = 0.6, 1.7
    want = _numpy_rates(stage, sat, levels, factor, traits, fallback, scale, bar, talk_by_stage,
                        np.float32(-0.8), customer_talk)
    got = tuple(np.full(n, np.nan, np.float32) for _ in range(6))
    market = (np.float32(fallback), np.float32(scale), np.float32(bar), np.float32(max(1.0 - bar, 1e-9)))
    refresh_rates(np.arange(n), stage, sat, levels, factor, churn_factor(sat), traits, market, talk_by_stage,
                  np.float32(-0.8), customer_talk, got)
    for name, g, w in zip(("next_level", "floor", "keep", "drift", "hazard", "talk"), got, want, strict=True):
        assert g.dtype == np.float32 and np.array_equal(g.view(np.int32), w.astype(np.float32).view(np.int32)), name


def test_compiled_survey_answers_count_each_listed_row_as_numpy_does():
    from journeysim.sim.rate_kernels import survey_answers
    from journeysim.sim.satisfaction import survey_category

    rng = np.random.default_rng(12)
    n = 5_000
    sat = rng.uniform(-1.0, 1.0, n).astype(np.float32)
    bias = rng.normal(0.0, 1.5, n).astype(np.float32)
    bias[:3] = [0.5, -0.5, 1.5]  # scores exactly half-way: round half to even
    sat[:3] = 0.0
    purchases = rng.integers(0, 3, n).astype(np.int32)
    category = rng.integers(-1, 2, n).astype(np.int8)
    rows = np.concatenate([rng.permutation(n)[:3_000], [7, 7, 8]])  # rows 7 and 8 listed again
    bought = rows[purchases[rows] > 0]
    want = survey_category(sat[bought], bias[bought])
    old = category[bought]
    want_promoters = int((want == 1).sum() - (old == 1).sum())
    want_detractors = int((want == -1).sum() - (old == -1).sum())
    expected = category.copy()
    expected[bought] = want
    assert survey_answers(rows, sat, bias, purchases, category) == (want_promoters, want_detractors)
    assert np.array_equal(category, expected)


def _numpy_booked_moves(group, satisfaction, entered, rows, old, new, day, book):
    """What :func:`kernels.book_moves` adds to ``book`` (lengths, moves, left_satisfaction, occupancy,
    started), by numpy's bincounts."""
    lengths, moves, left_satisfaction, occupancy, started = (b.copy() for b in book)
    groups, stages = occupancy.shape
    days, cells = lengths.shape[2] - 1, groups * stages
    left, came = group[rows].astype(np.int64) * stages + old, group[rows].astype(np.int64) * stages + new
    length = np.clip(day - entered[rows].astype(np.int64), 0, days)
    lengths.reshape(-1)[:] += np.bincount(left * (days + 1) + length, minlength=lengths.size)
    moves.reshape(-1)[:] += np.bincount(left * stages + new, minlength=moves.size)
    left_satisfaction.reshape(-1)[:] += np.bincount(left, weights=satisfaction[rows], minlength=cells)
    arrived = np.bincount(came, minlength=cells).reshape(groups, stages)
    occupancy += arrived - np.bincount(left, minlength=cells).reshape(groups, stages)
    started += arrived
    return lengths, moves, left_satisfaction, occupancy, started


@pytest.mark.parametrize("books", [1, 2])
def test_booked_moves_equal_the_numpy_bincounts_to_the_bit(books):
    rng = np.random.default_rng(13)
    n, stages, days, day = 50_000, 8, 30, 20
    satisfaction = rng.uniform(-1.0, 1.0, n).astype(np.float32)
    entered = rng.integers(0, day + 1, n).astype(np.uint16)
    rows = np.sort(rng.choice(n, 4_000, replace=False))
    old, new = rng.integers(0, stages, (2, rows.size)).astype(np.int8)
    groupings, got, want = [], [], []
    for groups in (5, 3):  # a book by persona, one by device
        group = rng.integers(0, groups, n).astype(np.int8)
        book = tuple(rng.integers(0, 50, shape).astype(np.int64) for shape in
                     ((groups, stages, days + 1), (groups, stages, stages)))
        book = (*book, rng.uniform(-9.0, 9.0, (groups, stages)),
                *(rng.integers(0, 50, (groups, stages)).astype(np.int64) for _ in range(2)))
        groupings.append(group)
        got.append(tuple(b.copy() for b in book))
        want.append(_numpy_booked_moves(group, satisfaction, entered, rows, old, new, day, book)
                    if len(want) < books else book)
    got_entered = entered.copy()
    flat = [tuple(b.reshape(-1) for b in book) for book in got]
    other = (groupings[1] if books == 2 else np.empty(0, np.int8), flat[1])  # no group: the second book untouched
    kernels.book_moves(satisfaction, got_entered, rows, old, new, day, groupings[0], flat[0], *other)
    for g_book, w_book in zip(got, want, strict=True):
        for name, g, w in zip(("lengths", "moves", "left_satisfaction", "occupancy", "started"), g_book, w_book,
                              strict=True):
            assert np.array_equal(g.view(np.int64), w.view(np.int64)), name  # satisfaction sums to the bit
    assert np.all(got_entered[rows] == day) and np.array_equal(np.delete(got_entered, rows), np.delete(entered, rows))


def test_advancing_clocks_adds_the_hazard_and_finds_who_rang_as_numpy_does():
    rng = np.random.default_rng(14)
    n = 100_003  # not a whole number of blocks
    clock = rng.uniform(0.0, 1.0, n).astype(np.float32)
    hazard = rng.uniform(0.0, 0.01, n).astype(np.float32)
    hazard[::7] = 0.0
    threshold = rng.exponential(1.0, n).astype(np.float32)
    threshold[::5] = np.inf
    threshold[-1] = 0.0  # the last row rings
    want = clock.copy()
    np.add(want, hazard, out=want)
    rang = kernels.advance_clocks(clock, hazard, threshold)
    assert np.array_equal(clock.view(np.int32), want.view(np.int32))
    assert np.array_equal(rang, np.flatnonzero(want >= threshold)) and rang.size > 100 and rang[-1] == n - 1
    assert kernels.advance_clocks(clock, np.zeros(n, np.float32), np.full(n, np.inf, np.float32)).size == 0


@pytest.mark.parametrize("scoped", [False, True])
def test_compiled_price_terms_give_the_numpy_price_factor_to_the_bit(scoped):
    from journeysim.sim.pricing import Pricing, satisfaction_premium
    from journeysim.sim.schema.pricing import PricingSpec

    rng = np.random.default_rng(15)
    n = 20_000
    pricing = Pricing(PricingSpec(reference_price=55.0, scale=1.7, memory=0.4, adaptation=0.3,
                                  loyal_sensitivity=0.6, premium=0.3), 60.0, 0.1, n)
    pricing.memory[:] = rng.uniform(30.0, 90.0, n).astype(np.float32)
    if scoped:
        pricing.set_list_price(72.5, rng.random(n) < 0.3)
        pricing.set_discount(0.35, rng.random(n) < 0.2)
    rows = rng.permutation(n)[:15_000]
    stage = rng.integers(0, 8, rows.size).astype(np.int8)
    satisfaction = rng.uniform(-1.0, 1.0, rows.size).astype(np.float32)
    sensitivity = rng.uniform(0.0, 2.0, rows.size).astype(np.float32)
    beta = pricing.sensitivity(rows, stage, sensitivity)  # the numpy rule, term by term
    expected = pricing.reference_price(rows) * (np.float32(1.0) + satisfaction_premium(satisfaction, 0.3))
    ratio = np.asarray(pricing.list_price_of(rows), np.float32) / np.maximum(expected, np.float32(1e-9))
    deal = np.float32(1.0) - np.asarray(pricing.discount_of(rows), np.float32)
    want = (np.power(ratio, beta) * np.power(deal, beta * np.float32(pricing.spec.deal_ratio))).astype(np.float32)
    got = pricing.factor(rows, stage, satisfaction, sensitivity)
    assert got.dtype == np.float32 and np.array_equal(got.view(np.int32), want.view(np.int32))


def test_session_devices_switch_with_the_numbers_the_customers_day_draws_give():
    from journeysim.sim.mixes import draw_options
    from journeysim.sim.streams import RandomStreams

    streams, day, switch = RandomStreams(11), 17, 0.3
    rng = np.random.default_rng(15)
    n = 20_000
    primary = rng.integers(0, 3, n).astype(np.int8)
    persona = rng.integers(0, 2, n).astype(np.int16)
    cumulative = np.array([[0.5, 0.8, 1.0], [0.2, 0.9, 1.0]])  # two personas' cumulative shares of three devices
    rows = np.sort(rng.choice(n, 5_000, replace=False))
    used = np.zeros(n, np.uint8)
    draws = streams.day(day)
    switched = draws.uniform("display:switch", rows) < switch
    want = primary[rows].copy()
    u = draws.uniform("display:device", rows)
    want[switched] = draw_options(cumulative, persona[rows], u)[switched]  # the primary devices' rule
    keys = streams.row_key("display:switch"), streams.row_key("display:device")
    device, counts = media_kernels.session_devices(primary, persona, cumulative, rows, switch, *keys, day, used)
    assert 0.25 < switched.mean() < 0.35 and np.array_equal(device, want)
    assert np.array_equal(counts, np.bincount(want, minlength=3))
    assert np.array_equal(used[rows], np.left_shift(1, want).astype(np.uint8))
    assert not used[np.delete(np.arange(n), rows)].any()
