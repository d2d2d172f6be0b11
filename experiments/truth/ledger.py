"""The truth per period: each channel's incremental orders and revenue per day and per week.

For each seed, the factual run (every channel as planned) and the run with one channel off
share their random numbers (common random numbers: :mod:`journeysim.sim.streams`), so their
difference on day ``d`` is what that channel added on day ``d``: exposures it bought that day
and before (carry-over), and what they set in motion (word of mouth, repeat orders). Summed over
the days, a channel's ledger is exactly its total incremental effect (``truth.csv`` and
``truth_runs.csv``), because the totals are the sums of the same daily records.

First orders (acquisitions) and later orders (repeat orders and win-backs) are kept apart: a
marketing-mix model sees mostly the first within its window, the lifetime truth counts both.
The run with every channel off is the organic baseline (:func:`baseline_table`).

Units: orders; currency (the run's ``market.currency``). Days are simulated days 1 to ``days``;
weeks are 7-day blocks from day 1, as in the MMM exports (:func:`journeysim.experiments.exports.mmm_table`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel

SERIES = ("orders", "first_orders", "later_orders", "revenue", "first_order_revenue", "later_order_revenue",
          "refunds")
"""Daily outcomes a counterfactual run records for the ledger (orders; currency). ``revenue`` is net of
refunds: ``revenue = first_order_revenue + later_order_revenue - refunds`` (the first two gross)."""

INCREMENTAL = tuple(f"incremental_{name}" for name in SERIES)
"""The ledger's outcome columns: factual minus channel-off, per period."""

PERIOD_COLUMNS = ("day", "week", "date", "days")
"""Columns locating a row in time: first simulated day, week (1..), calendar date, days in the row."""

LEDGER_COLUMNS = ("seed", "channel", *PERIOD_COLUMNS, "spend", "attended_spend", *INCREMENTAL)
"""Columns of ``truth_ledger`` and ``truth_ledger_weekly``, in order."""

BASELINE_COLUMNS = ("seed", *PERIOD_COLUMNS, *SERIES)
"""Columns of ``truth_baseline`` (the run with every channel off), in order."""

WEEK_DAYS = 7
"""Days per week of the weekly tables."""


def daily_series(model: JourneyModel) -> dict[str, np.ndarray]:
    """The run's :data:`SERIES` per day (index 0 = day 1), and ``spend`` and ``attended_spend`` per day and channel.

    Parameters
    ----------
    model : JourneyModel
        A finished run.

    Returns
    -------
    dict of str to ndarray
        Each of :data:`SERIES`, shape (days,) (orders; currency), and ``spend`` and
        ``attended_spend`` (the part of the spend that bought attended exposures: the channel's
        Hill curve of adstocked spend, :mod:`journeysim.sim.adresponse`), shape (days, channels),
        currency.
    """
    c, days = model.collector, model.day
    daily = {name: c.daily[name][:days] for name in ("orders", "acquisitions", "repurchases", "revenue", "refunds")}
    first = c.first_order_revenue[:days]
    gross = daily["revenue"] + daily["refunds"]
    return {"orders": daily["orders"].copy(), "first_orders": daily["acquisitions"].copy(),
            "later_orders": daily["repurchases"].copy(), "revenue": daily["revenue"].copy(),
            "first_order_revenue": first.copy(), "later_order_revenue": gross - first,
            "refunds": daily["refunds"].copy(), "spend": c.spend[:days].copy(),
            "attended_spend": c.attended_spend[:days].copy()}


def weekly_spend_cv(spend: np.ndarray) -> np.ndarray:
    """Coefficient of variation of each channel's weekly spend over the run's full weeks.

    Parameters
    ----------
    spend : ndarray, shape (days, channels)
        Spend per day and channel, currency.

    Returns
    -------
    ndarray, shape (channels,)
        Standard deviation over mean of the weekly sums (7-day blocks from day 1; a last,
        partial week left out), 0..; NaN for a channel without spend or a run shorter than two weeks.
        A marketing-mix model learns little from a channel below about 0.3.
    """
    weeks = spend.shape[0] // WEEK_DAYS
    if weeks < 2:
        return np.full(spend.shape[1], np.nan)
    sums = spend[: weeks * WEEK_DAYS].reshape(weeks, WEEK_DAYS, -1).sum(axis=1)
    mean = sums.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(mean > 0, sums.std(axis=0) / np.where(mean > 0, mean, 1.0), np.nan)


def _periods(days: int, start_date: str) -> pd.DataFrame:
    day = np.arange(1, days + 1)
    return pd.DataFrame({"day": day, "week": (day - 1) // WEEK_DAYS + 1,
                         "date": pd.date_range(start_date, periods=days, freq="D"), "days": 1})


def ledger_table(outputs: Sequence[dict], names: Sequence[str], all_names: Sequence[str],
                 start_date: str | None = None) -> pd.DataFrame:
    """The daily ledger: factual minus channel-off per seed, channel and day.

    Parameters
    ----------
    outputs : sequence of dict
        :func:`~journeysim.experiments.truth.method.run_variant` results with their ``series``
        (the factual ``all`` run and the ``off`` run of each channel of every seed).
    names : sequence of str
        Channels evaluated.
    all_names : sequence of str
        Every channel, in the order of the ``spend`` columns.
    start_date : str, optional
        Calendar date of day 1 (default: the MMM exports' ``START_DATE``).

    Returns
    -------
    DataFrame
        :data:`LEDGER_COLUMNS`, one row per seed, channel and day.
    """
    from journeysim.experiments.exports import START_DATE

    factual = {o["seed"]: o["series"] for o in outputs if o["variant"] == "all" and "series" in o}
    off = {(o["seed"], o["channel"]): o["series"] for o in outputs if o["variant"] == "off" and "series" in o}
    frames = []
    for seed in sorted(factual):
        on = factual[seed]
        periods = _periods(len(on["orders"]), start_date or START_DATE)
        for channel in names:
            if (seed, channel) not in off:
                continue
            frame = periods.copy()
            frame.insert(0, "channel", channel)
            frame.insert(0, "seed", seed)
            column = list(all_names).index(channel)
            frame["spend"] = on["spend"][:, column]
            frame["attended_spend"] = on["attended_spend"][:, column]
            for name in SERIES:
                frame[f"incremental_{name}"] = on[name] - off[seed, channel][name]
            frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=list(LEDGER_COLUMNS))
    return _typed(pd.concat(frames, ignore_index=True))


def baseline_table(outputs: Sequence[dict], start_date: str | None = None) -> pd.DataFrame:
    """The organic baseline: the :data:`SERIES` of the run with every channel off, per seed and day."""
    from journeysim.experiments.exports import START_DATE

    frames = []
    for o in sorted((o for o in outputs if o["variant"] == "none" and "series" in o), key=lambda o: o["seed"]):
        frame = _periods(len(o["series"]["orders"]), start_date or START_DATE)
        frame.insert(0, "seed", o["seed"])
        for name in SERIES:
            frame[name] = o["series"][name]
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=list(BASELINE_COLUMNS))
    return _typed(pd.concat(frames, ignore_index=True), prefix="")


def weekly(table: pd.DataFrame) -> pd.DataFrame:
    """A daily ledger (or baseline) summed into weeks: ``day`` and ``date`` of the week's first day,
    ``days`` in the week (the last one may be short), every amount summed."""
    if table.empty:
        return table.copy()
    keys = [k for k in ("seed", "channel") if k in table] + ["week"]
    sums = [c for c in table.columns if c not in (*keys, "day", "date")]
    grouped = table.groupby(keys, sort=False)
    out = grouped[sums].sum()
    out["day"], out["date"] = grouped["day"].min(), grouped["date"].min()
    return out.reset_index()[list(table.columns)]


def _typed(table: pd.DataFrame, prefix: str = "incremental_") -> pd.DataFrame:
    """Order counts as integers (they are whole numbers in every run)."""
    for name in ("orders", "first_orders", "later_orders"):
        table[prefix + name] = table[prefix + name].round().astype(np.int64)
    return table
