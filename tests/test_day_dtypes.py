"""Narrow per-customer day and row arrays hold every day of the longest run the config allows."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from journeysim.sim.lifetime import MONTH_DAYS, CustomerValue
from journeysim.sim.schema.run import DAYS
from journeysim.sim.state import DAY, row_numbers, signed_days
from journeysim.sim.touchpoints import Channel
from tests.conftest import make_spec

LONGEST = int(DAYS.high)
"""Days of the longest run the config allows."""


def test_a_channel_stock_day_holds_the_last_day_of_the_longest_run() -> None:
    assert np.iinfo(DAY).max >= LONGEST
    spec = make_spec("population.size=100", "days=10")
    channel = Channel(spec.channels[0], 0, np.ones(len(spec.population.personas)), 100)
    rows = np.array([3, 7])
    channel.restock(rows, np.array([2, 1]), 5)
    before = channel.restock(rows, np.array([1, 1]), LONGEST - 1)  # a century later: nothing carried
    assert channel.stock_day.dtype == DAY and (channel.stock_day[rows] == LONGEST - 1).all()
    assert (before == 0).all() and (channel.stock[rows] == 1).all()


@pytest.mark.parametrize(("days", "dtype"), [(365, np.int16), (32_767, np.int16), (32_768, np.int32),
                                             (LONGEST, np.int32)])
def test_signed_days_hold_never_and_the_last_day_of_the_run(days: int, dtype: type) -> None:
    assert signed_days(days) is dtype
    held = np.array([-1, days - 1, days]).astype(signed_days(days))
    assert held.tolist() == [-1, days - 1, days]


def test_row_numbers_are_int32_until_rows_need_int64() -> None:
    assert row_numbers(2**31 - 1) is np.int32 and row_numbers(2**31) is np.int64
    assert np.array([-1, 2**31 - 1]).astype(row_numbers(2**31 - 1)).tolist() == [-1, 2**31 - 1]


def test_customer_value_books_a_first_order_on_the_last_day_of_the_longest_run() -> None:
    value = CustomerValue(4, ("search",), LONGEST)
    touched = SimpleNamespace(last_touch=np.array([0, -1, 0, 0], np.int8))  # all acquire reads of the state
    value.acquire(touched, np.array([1]), LONGEST - 1, np.array([False]), False)
    value.add(LONGEST - 1, np.array([1]), np.array([10.0]), np.array([4.0]))
    month = (LONGEST - 1) // MONTH_DAYS
    assert value.acquired[1] == LONGEST - 1 and value.sources[value.source[1]] == "direct"
    assert value.margin_by_age[0, month] == 6.0 and list(value.by_cohort()) == [f"month_{month}"]


def test_a_run_keeps_abandonment_days_in_the_narrowest_dtype_that_holds_its_days() -> None:
    from journeysim.runner import build_model

    model = build_model(make_spec("population.size=200", "days=30"))
    assert model.state.last_abandon.dtype == np.int16 and (model.state.last_abandon == -1).all()
    assert model.lifetime.acquired.dtype == np.int16 and model.stays.entered.dtype == DAY
