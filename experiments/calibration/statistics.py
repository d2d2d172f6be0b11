"""The weekly statistics a calibration compares: their names, units and values from a finished run.

Counts and currency (``acquisitions``, ``orders``, ``revenue``, ``<source>_conversions``) are
weekly totals scaled from the simulated population to the market; ``churn_rate`` and the funnel
rates are shares of a week; ``nps`` is the value at the end of the week.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from journeysim.sim.errors import unknown_name
from journeysim.sim.stages import Stage

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel

DAYS_PER_WEEK = 7


FUNNEL_RATES: dict[str, tuple[Stage, Stage]] = {
    "aware_to_considering": (Stage.AWARE, Stage.CONSIDERING),
    "considering_to_deciding": (Stage.CONSIDERING, Stage.DECIDING),
    "deciding_to_customer": (Stage.DECIDING, Stage.CUSTOMER),
}
"""Funnel rates: of the customers who left the first stage in the week, the share who moved on to
the second (the rest fell back or abandoned the cart)."""


COUNT_STATISTICS = ("acquisitions", "orders", "revenue")
"""Weekly totals (customers, orders, currency), scaled from the simulated population to the market."""


SOURCES = ("word_of_mouth", "direct")
"""Acquisition sources besides the channels: ``<source>_conversions`` columns."""


def allowed_statistics(channel_names: Sequence[str]) -> tuple[str, ...]:
    """Column names the observed data may have (besides ``week``)."""
    return (*COUNT_STATISTICS, "churn_rate", "nps", *FUNNEL_RATES,
            *(f"{name}_conversions" for name in (*channel_names, *SOURCES)))


def statistic_range(name: str) -> tuple[float, float | None]:
    """Allowed values of a statistic: (low, high); no upper bound for counts and currency."""
    if name == "nps":
        return -100.0, 100.0
    if name == "churn_rate" or name in FUNNEL_RATES:
        return 0.0, 1.0
    return 0.0, None


def is_count(name: str) -> bool:
    """Whether a statistic is a count or currency total (scaled with the market size)."""
    return name in COUNT_STATISTICS or name.endswith("_conversions")


def weekly_statistics(model: JourneyModel, names: Sequence[str], weeks: int, warmup_weeks: int = 0,
                      count_scale: float = 1.0) -> dict[str, np.ndarray]:
    """The statistics of a finished run, one value per week after the warm-up.

    Parameters
    ----------
    model : JourneyModel
        A run of at least ``7 * (warmup_weeks + weeks)`` days.
    names : sequence of str
        Statistics (see :func:`read_observed` for their meaning).
    weeks, warmup_weeks : int
        Weeks compared, and weeks skipped before them.
    count_scale : float
        Factor from simulated counts to the market's (market size / population size).
    """
    c = model.collector
    start, stop = DAYS_PER_WEEK * warmup_weeks, DAYS_PER_WEEK * (warmup_weeks + weeks)
    channels = model.spec.channel_names

    def weekly(daily: np.ndarray) -> np.ndarray:
        block = daily[start:stop]
        return block.reshape(weeks, DAYS_PER_WEEK, *block.shape[1:]).sum(axis=1)

    out: dict[str, np.ndarray] = {}
    for name in names:
        if name in COUNT_STATISTICS:
            out[name] = weekly(c.daily[name]) * count_scale
        elif name.endswith("_conversions"):
            source = name[: -len("_conversions")]
            k = channels.index(source) if source in channels else len(channels) + SOURCES.index(source)
            out[name] = weekly(c.acquisitions_by_source[:, k]).astype(np.float64) * count_scale
        elif name == "churn_rate":
            counts = c.stage_counts[start:stop:DAYS_PER_WEEK, Stage.CUSTOMER:Stage.ADVOCATE + 1].sum(axis=1)
            out[name] = _share(weekly(c.daily["churned"]), counts)
        elif name == "nps":
            out[name] = np.nan_to_num(c.daily["nps"][start + DAYS_PER_WEEK - 1:stop:DAYS_PER_WEEK], nan=0.0)
        elif name in FUNNEL_RATES:
            a, b = FUNNEL_RATES[name]
            flows = weekly(c.flows[:, a, :])
            out[name] = _share(flows[:, b], flows.sum(axis=1))
        else:
            raise unknown_name("statistics", name, allowed_statistics(channels))
    return out


def _share(part: np.ndarray, whole_: np.ndarray) -> np.ndarray:
    whole_ = np.asarray(whole_, dtype=np.float64)
    return np.divide(part, whole_, out=np.zeros_like(whole_), where=whole_ > 0)
