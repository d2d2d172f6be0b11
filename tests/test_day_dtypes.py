"""Narrow per-customer day arrays hold every day of the longest run the config allows."""

from __future__ import annotations

import numpy as np

from journeysim.sim.schema.run import DAYS
from journeysim.sim.touchpoints import STOCK_DAY, Channel
from tests.conftest import make_spec


def test_a_channel_stock_day_holds_the_last_day_of_the_longest_run() -> None:
    last = int(DAYS.high) - 1
    assert np.iinfo(STOCK_DAY).max >= last
    spec = make_spec("population.size=100", "days=10")
    channel = Channel(spec.channels[0], 0, np.ones(len(spec.population.personas)), 100)
    rows = np.array([3, 7])
    channel.restock(rows, np.array([2, 1]), 5)
    before = channel.restock(rows, np.array([1, 1]), last)  # thousands of years later: nothing carried
    assert channel.stock_day.dtype == STOCK_DAY and (channel.stock_day[rows] == last).all()
    assert (before == 0).all() and (channel.stock[rows] == 1).all()
