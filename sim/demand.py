"""Organic demand and seasonality: prospects discover the category without paid media.

Every prospect still in the funnel (unaware to deciding) has organic discoveries (need
recognition, unpaid search results, a shop window) as a Poisson process of rate

    h_i(t) = need_rate * w_p(i) * S(t)                         (per day)

where ``w_p`` is the persona's ``need_recognition`` and ``S(t) = W(t mod 7) * Y(t mod 365)`` the
seasonal index of category demand: a weekday factor and a yearly curve through the monthly
factors (both rescaled to mean 1; day 0 is Monday 1 January). Each discovery adds
``need_interest`` to the prospect's interest; the funnel then moves them as it does for media.
Repeat buying follows the season too: the daily repurchase drift is multiplied by ``S(t)``.

Sparse sampling: a Poisson number of candidates at the largest rate, drawn uniformly over the
rows in use and thinned by persona weight, stage and presence in the market (exact thinning of the process), from one
generator per day (``streams.generator("demand", day)``) so no other phase's draws move.
"""

from __future__ import annotations

import numpy as np

from journeysim.sim.schema.demand import MONTHS, WEEKDAYS, DemandSpec
from journeysim.sim.stages import IN_FUNNEL
from journeysim.sim.state import CustomerState
from journeysim.sim.streams import RandomStreams

DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
"""Days of each month of a 365-day simulated year."""


def _pattern(values: dict[str, float], keys: tuple[str, ...]) -> np.ndarray:
    """Factors in ``keys`` order (missing: 1) rescaled to mean 1 (all 0: flat)."""
    raw = np.array([values.get(key, 1.0) for key in keys], dtype=np.float64)
    return raw / raw.mean() if raw.mean() > 0 else np.ones(len(keys))


def seasonal_index(spec: DemandSpec, days: int) -> np.ndarray:
    """Category demand index ``S(t)`` of each day (mean about 1 over a year and a week).

    Parameters
    ----------
    spec : DemandSpec
        ``weekly`` and ``yearly`` factors.
    days : int
        Length of the run, days.

    Returns
    -------
    ndarray, shape (days,)
        Weekday factor times the yearly curve: piecewise linear through the monthly factors
        placed at mid-month, wrapping from December to January.
    """
    t = np.arange(days)
    weekly = _pattern(spec.weekly, WEEKDAYS)[t % 7]
    monthly = _pattern(spec.yearly, MONTHS)
    mid_month = np.cumsum(DAYS_IN_MONTH) - DAYS_IN_MONTH / 2.0
    yearly = np.interp(t % 365, mid_month, monthly, period=365)
    return weekly * yearly


class Demand:
    """Organic discoveries and the seasonal index of a run.

    Parameters
    ----------
    spec : DemandSpec
        Rates and patterns.
    days : int
        Length of the run, days.
    need_recognition : ndarray
        Multiplier of ``need_rate`` per persona code.
    state : CustomerState
        Customer arrays (interest is raised).
    streams : RandomStreams
        The run's streams (one ``demand`` generator per day).
    """

    def __init__(self, spec: DemandSpec, days: int, need_recognition: np.ndarray, state: CustomerState,
                 streams: RandomStreams) -> None:
        self.spec, self.state, self.streams = spec, state, streams
        self.season = seasonal_index(spec, days)
        weights = np.asarray(need_recognition, dtype=np.float64)
        self.top_rate = spec.need_rate * float(weights.max(initial=0.0))
        self.accept = weights / weights.max() if weights.max() > 0 else weights
        self.active = self.top_rate > 0 and spec.need_interest > 0

    def season_of(self, day: int) -> float:
        """Seasonal index of ``day`` (1 on a flat calendar)."""
        return float(self.season[day]) if day < self.season.size else 1.0

    def discover(self, day: int) -> tuple[np.ndarray, np.ndarray]:
        """Today's organic discoveries: add interest and return the rows (unique) and their counts."""
        if not self.active:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        s = self.state
        rng = self.streams.generator("demand", day)
        n = rng.poisson(self.top_rate * self.season_of(day) * s.entered)
        u = rng.random((2, n))
        rows = (u[0] * s.entered).astype(np.int64)
        keep = (u[1] < self.accept[s.persona[rows]]) & IN_FUNNEL.holds(s.stage[rows])
        if s.open:
            keep &= s.present[rows]
        rows, counts = np.unique(rows[keep], return_counts=True)
        s.interest[rows] += np.float32(self.spec.need_interest) * counts.astype(np.float32)
        return rows, counts
