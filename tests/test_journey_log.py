"""The journey log: about 4 bytes an event, read one range of customers at a time."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pytest

from journeysim.experiments.exports import iter_journey_paths, journey_paths
from journeysim.outputs import write_table
from journeysim.sim import journey_log
from journeysim.sim.journey_log import Event, JourneyLog
from journeysim.sim.stages import STAGE_NAMES
from tests.conftest import run_model

LAB = ("scenario=attribution_lab", "population.size=1200", "days=120", "seed=3", "outputs.event_log_sample=1200")


def test_events_tables_paths_and_histories_do_not_depend_on_how_the_log_is_sealed(monkeypatch) -> None:
    whole = run_model(*LAB)
    monkeypatch.setattr(journey_log, "BLOCK_EVENTS", 500)
    blocked = run_model(*LAB)
    assert len(blocked.journey_log._blocks) > 20  # sealed many times, mid-day too
    names = (whole.spec.channel_names, STAGE_NAMES)
    table = whole.journey_log.frame(*names)
    pieces = list(blocked.journey_log.frames(*names, rows=1000))
    assert len(pieces) > 3 and all(len(piece) == 1000 for piece in pieces[:-1])
    pd.testing.assert_frame_equal(pd.concat(pieces, ignore_index=True), table)
    pd.testing.assert_frame_equal(journey_paths(blocked), journey_paths(whole))
    for row in (0, 77, 1199):
        pd.testing.assert_frame_equal(blocked.journey_log.history(row), whole.journey_log.history(row))


def test_a_customers_events_keep_the_order_they_were_recorded_in(monkeypatch) -> None:
    monkeypatch.setattr(journey_log, "BLOCK_EVENTS", 3)
    log = JourneyLog(5, 5, None)
    log.name_codes(("search", "social"), STAGE_NAMES)
    log.record(0, np.array([3, 1]), Event.WORD_OF_MOUTH, np.array([1, -1]))
    log.record(0, np.array([3]), Event.WORD_OF_MOUTH, -1)  # same customer, day and kind: after the first
    log.record(0, np.array([3, 3]), Event.EXPOSURE, 1)
    log.record(1, np.array([1, 3]), Event.PURCHASE, np.array([1, 0]))
    history = log.history(3)
    assert list(zip(history["day"], history["kind"], history["detail"], strict=True)) == [
        (1, "exposure", "social"), (1, "exposure", "social"), (1, "word_of_mouth", "positive"),
        (1, "word_of_mouth", "negative"), (2, "purchase", "repeat")]
    customer, day, _, detail = log.select(kinds=[Event.PURCHASE])
    assert sorted(zip(customer, day, detail, strict=True)) == [(1, 1, 1), (3, 1, 0)]
    assert log.events == 7 and log.history(4).empty and list(log.history(4).columns) == list(history.columns)


def test_a_logged_event_takes_under_five_bytes() -> None:
    model = run_model("population.size=2000", "days=365", "seed=2", "outputs.event_log_sample=2000")
    log = model.journey_log
    assert log.events > 50_000
    assert log.nbytes < 5 * log.events  # was 15 bytes an event (int64 customer, int32 day, int8, int16)


@pytest.fixture(scope="module")
def sealed_often():
    """A year of 4,000 customers, everyone logged, sealed every 20,000 events."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(journey_log, "BLOCK_EVENTS", 20_000)
        return run_model("population.size=4000", "days=365", "seed=2", "outputs.event_log_sample=4000")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_writing_paths_or_events_holds_a_small_part_of_the_log_at_a_time(sealed_often, tmp_path, monkeypatch,
                                                                        fmt) -> None:
    model = sealed_often
    monkeypatch.setattr(journey_log, "EVENTS_PER_RANGE", 5_000)
    log, names = model.journey_log, (model.spec.channel_names, STAGE_NAMES)
    writers = {"paths": lambda: iter_journey_paths(model, customers=100),
               "events": lambda: log.frames(*names, rows=2_000)}
    for name, pieces in writers.items():
        write_table(tmp_path / name, pieces(), fmt)  # once first: imports and caches are not the writer's
        tracemalloc.start()
        try:
            write_table(tmp_path / name, pieces(), fmt)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        # a copy of the whole log alone takes 15 bytes an event (what the writers held before)
        assert peak < 8 * log.events, f"{name}: {peak / log.events:.1f} bytes an event"


@pytest.mark.parametrize("case", ["as logged", "shuffled", "negative codes", "one customer", "empty", "huge customers"])
def test_the_event_order_is_lexsorts_order_of_customer_day_and_kind(case: str) -> None:
    """The combined-key stable sort gives np.lexsort's permutation: for the log's order (sorted by
    customer and day), any order, codes below zero, and customers too large for the key (lexsort itself)."""
    rng = np.random.default_rng(7)
    n = 0 if case == "empty" else 5000
    customer = np.sort(rng.integers(0, 1 if case == "one customer" else 300, n)).astype(np.int64)
    day = np.concatenate([np.sort(rng.integers(0, 365, c)) for c in np.bincount(customer)]).astype(np.int32) \
        if n else np.empty(0, np.int32)
    kind = rng.integers(-3 if case == "negative codes" else 0, 6, n).astype(np.int8)
    if case == "shuffled":
        shuffle = rng.permutation(n)
        customer, day, kind = customer[shuffle], day[shuffle], kind[shuffle]
    if case == "huge customers":
        customer = customer + 2**60
    expected = np.lexsort((kind, day, customer))
    assert np.array_equal(journey_log._stable_event_order(customer, day, kind), expected)
