"""The ``market.demand`` section: organic demand, seasonality and the open population (:mod:`journeysim.sim.demand`)."""

from __future__ import annotations

import dataclasses
import math
from typing import Annotated

from journeysim.sim.schema.fields import Number, NumberMap, SpecBase, spec

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Keys of ``market.demand.weekly``; simulated day 0 is a Monday."""
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
"""Keys of ``market.demand.yearly``; simulated day 0 is the first day of January."""


@spec
class DemandSpec(SpecBase):
    """``market.demand``: demand that does not come from paid media (see :mod:`journeysim.sim.demand`).

    Attributes
    ----------
    need_rate : float
        Organic discoveries per prospect per day (need recognition, search engines' unpaid
        results, walking past a shop) at a seasonal index of 1, before the persona's
        ``need_recognition`` multiplier. 0: no organic demand.
    need_interest : float
        Interest one organic discovery adds (the same units as channel effects).
    weekly : dict
        Relative category demand by weekday (``mon`` .. ``sun``; missing days: 1), rescaled to mean 1.
    yearly : dict
        Relative category demand by month (``jan`` .. ``dec``; missing months: 1), rescaled to mean 1
        and interpolated between mid-months.
    entry_rate : float
        New prospects entering the market per year, as a share of ``population.size``.
    exit_rate : float
        Share of the people in the market who leave it per year (a constant hazard).
    """

    need_rate: Annotated[float, Number(low=0.0, high=1.0)] = 0.0  # per prospect per day
    need_interest: Annotated[float, Number(low=0.0)] = 0.0  # interest per discovery
    weekly: Annotated[dict[str, float], NumberMap(Number(low=0.0), keys=WEEKDAYS)] = dataclasses.field(
        default_factory=dict)
    yearly: Annotated[dict[str, float], NumberMap(Number(low=0.0), keys=MONTHS)] = dataclasses.field(
        default_factory=dict)
    entry_rate: Annotated[float, Number(low=0.0, high=10.0)] = 0.0  # share of population.size per year
    exit_rate: Annotated[float, Number(low=0.0, high=10.0)] = 0.0  # per year

    @classmethod
    def from_yaml(cls, data: dict) -> dict:
        """Null patterns mean flat ones."""
        for key in ("weekly", "yearly"):
            if data.get(key) is None:
                data[key] = {}
        return data


MARGIN_SD = 6.0
"""Rows beyond the expected entrants, in standard deviations of their Poisson count."""


def expected_entrants(size: int, demand: DemandSpec, days: int) -> float:
    """Expected number of entrants over a run of ``days`` (people)."""
    return demand.entry_rate * size * days / 365.0


def rows_needed(size: int, demand: DemandSpec, days: int) -> int:
    """Rows to allocate: ``size`` plus the expected entrants and a margin (``size`` when closed)."""
    expected = expected_entrants(size, demand, days)
    if expected <= 0:
        return int(size)
    return int(size + math.ceil(expected + MARGIN_SD * math.sqrt(expected) + 10))
