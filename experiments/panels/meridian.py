"""The Meridian panel: one row per geo and week, in the layout Google Meridian's loaders read.

Meridian (``google-meridian``) reads a long table through
``meridian.data.load.DataFrameDataLoader`` (or ``CsvDataLoader`` from a file) with a
``CoordToColumns`` naming its roles: ``geo``, ``time``, ``population``, ``kpi``,
``revenue_per_kpi``, ``controls``, ``media`` (impressions) with ``media_spend``, and ``reach``,
``frequency`` with ``rf_spend``. :func:`meridian_panel` writes every one of them for every
channel; :func:`coord_to_columns` names the roles (a channel is modelled either from its
impressions or from its reach and frequency, never both: ``rf_channels`` chooses).

Only whole weeks are written (Meridian wants evenly spaced times): a run of 730 days gives 104
weeks. Weekly reach is the number of different customers a channel exposed in the week, counted
from the journey log (scaled up from the logged sample when not everyone is logged; empty
without a log); a broadcast channel reaches everyone in the market in a week it is on air.
Frequency is impressions over reach.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeysim.experiments.exports import START_DATE, RunRecord, mmm_table, record
from journeysim.sim.journey_log import Event

if TYPE_CHECKING:
    from journeysim.api import Result
    from journeysim.sim.model import JourneyModel

WEEK = 7
"""Days in a period of the panel."""

KPI = "orders"
"""The KPI column (all orders; ``acquisitions`` is the alternative KPI, first orders only)."""

REVENUE_PER_KPI = "revenue_per_order"
"""Value per order of the week before refunds, currency (0 in a week without orders): Meridian wants
it non-negative, and a week's net revenue can be negative when its refunds exceed its sales."""

CONTROLS = ("promotion", "discount")
"""Control columns: share of the week's days with a promotion, mean share off the list price."""

OUTCOMES = ("orders", "acquisitions", "revenue", "revenue_per_order")
"""Columns that are outcomes of the market, never inputs of a model."""


def meridian_panel(source: JourneyModel | Result | RunRecord, *, geo: str = "national",
                   start_date: str = START_DATE, channels: str | list[str] = "active") -> pd.DataFrame:
    """The run as Meridian's input table: one row per whole week.

    Parameters
    ----------
    source : JourneyModel, Result or RunRecord
        A finished run; its journey log (if any) gives the weekly reach.
    geo : str
        The geo of every row (a geo panel stacks several runs: :func:`stack_geos`).
    start_date : str
        Calendar date of simulated day 1 (ISO; a Monday starts Monday-to-Sunday weeks).
    channels : "active", "all" or list of str
        Channels with media columns, as for :func:`~journeysim.experiments.exports.mmm_table`.

    Returns
    -------
    DataFrame
        ``geo``, ``time`` (ISO date of the week's first day), ``day`` (first simulated day),
        ``population`` (people in the market, mean over the week), ``orders`` (the KPI),
        ``revenue_per_order`` (order value before refunds, currency), ``acquisitions``, ``revenue``
        (net of refunds, currency),
        ``promotion``, ``discount``, then per channel ``impressions_<channel>``,
        ``spend_<channel>`` (currency), ``reach_<channel>`` (people) and
        ``frequency_<channel>`` (impressions per person reached; 0 without reach).
    """
    rec = source if isinstance(source, RunRecord) else record(source, need_events=False)
    weekly = mmm_table(rec, "W", start_date=start_date, channels=channels)
    whole = weekly["days"].to_numpy() == WEEK
    weekly = weekly[whole].reset_index(drop=True)
    names = [c.removeprefix("spend_") for c in weekly.columns if c.startswith("spend_")]
    reach = weekly_reach(rec)[: len(weekly)]
    population = _weekly_mean(rec.in_market if rec.in_market is not None else np.full(rec.days, rec.size),
                              len(weekly))
    orders = weekly["orders"].to_numpy(float)
    gross = _weekly_sum(np.asarray(rec.daily["revenue"]) + np.asarray(rec.daily["refunds"]), len(weekly))
    frame = pd.DataFrame({
        "geo": geo,
        "time": weekly["date"].dt.strftime("%Y-%m-%d"),
        "day": weekly["day"],
        "population": np.round(population, 1),
        KPI: weekly["orders"],
        REVENUE_PER_KPI: np.where(orders > 0, gross / np.where(orders > 0, orders, 1), 0.0),
        "acquisitions": weekly["acquisitions"],
        "revenue": weekly["revenue"],
        **{c: weekly[c] for c in CONTROLS},
    })
    for name in names:
        k = rec.channel_names.index(name)
        people = reach[:, k] if reach is not None else np.full(len(weekly), np.nan)
        frame[f"impressions_{name}"] = weekly[f"impressions_{name}"]
        frame[f"spend_{name}"] = weekly[f"spend_{name}"]
        frame[f"reach_{name}"] = people
        with np.errstate(invalid="ignore", divide="ignore"):
            frame[f"frequency_{name}"] = np.where(people > 0, weekly[f"impressions_{name}"] / np.where(
                people > 0, people, 1), 0.0)
    return frame


def _weekly_sum(values: np.ndarray, weeks: int) -> np.ndarray:
    """Sum of ``values`` (one per day) over each whole week."""
    return np.asarray(values[: weeks * WEEK], dtype=float).reshape(weeks, WEEK).sum(axis=1)


def _weekly_mean(values: np.ndarray, weeks: int) -> np.ndarray:
    """Mean of ``values`` (one per day) over each whole week."""
    return np.asarray(values[: weeks * WEEK], dtype=float).reshape(weeks, WEEK).mean(axis=1)


def weekly_reach(rec: RunRecord) -> np.ndarray | None:
    """Different people each channel reached in each whole week, shape (weeks, channels).

    Impressions channels: customers with an exposure in the week, from the journey log (scaled
    by the logged share of customers); broadcast channels: the most people in the market on a
    day of the week the channel was on air. None when neither can be counted (no log and no
    broadcast channel).
    """
    weeks, k = rec.days // WEEK, len(rec.channel_names)
    out = np.zeros((weeks, k))
    logged = int(rec.log.mask.sum())
    if logged:
        for low, high in rec.log.ranges(4096):
            customer, day, _, code = rec.log.select(low, high, [Event.EXPOSURE])
            week = day.astype(np.int64) // WEEK
            keep = week < weeks
            key = (customer[keep] * weeks + week[keep]) * k + code[keep].astype(np.int64)
            unique = np.unique(key)
            out += np.bincount(unique % (weeks * k), minlength=weeks * k).reshape(weeks, k)
        out *= rec.log.mask.size / logged
    elif not any(rec.broadcast):
        return None
    for c, broadcast in enumerate(rec.broadcast):
        if broadcast and rec.reach is not None:
            out[:, c] = rec.reach[: weeks * WEEK, c].reshape(weeks, WEEK).max(axis=1)
    if not logged:
        out[:, [not b for b in rec.broadcast]] = np.nan
    return np.round(out)


def stack_geos(panels: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One geo panel from per-geo panels (``{geo: meridian_panel(...)}``), rows by geo then time.

    Every geo keeps every channel column (0 where a geo has no spend on a channel).
    """
    frames = [panel.assign(geo=geo) for geo, panel in panels.items()]
    stacked = pd.concat(frames, ignore_index=True, sort=False)
    media = [c for c in stacked.columns if c.split("_", 1)[0] in ("impressions", "spend", "reach", "frequency")]
    stacked[media] = stacked[media].fillna(0.0)
    return stacked


def coord_to_columns(panel: pd.DataFrame, rf_channels: Sequence[str] = (), kpi: str = KPI) -> dict[str, Any]:
    """Keyword arguments of Meridian's ``CoordToColumns`` and of its loaders' channel maps.

    Parameters
    ----------
    panel : DataFrame
        A :func:`meridian_panel` (or :func:`stack_geos`) table.
    rf_channels : sequence of str
        Channels modelled from reach and frequency; the others from impressions.
    kpi : {"orders", "acquisitions"}
        The KPI column (``revenue_per_order`` goes with ``orders`` only).

    Returns
    -------
    dict
        ``coords`` (for ``CoordToColumns(**coords)``; controls that never vary are left out, as
        Meridian refuses them) and those of ``media_to_channel``,
        ``media_spend_to_channel``, ``reach_to_channel``, ``frequency_to_channel`` and
        ``rf_spend_to_channel`` that name a channel (for ``DataFrameDataLoader``).
    """
    channels = [c.removeprefix("spend_") for c in panel.columns if c.startswith("spend_")]
    media = [c for c in channels if c not in rf_channels]
    rf = [c for c in channels if c in rf_channels]
    coords: dict[str, Any] = {"time": "time", "geo": "geo", "population": "population", "kpi": kpi,
                              "controls": [c for c in CONTROLS if panel[c].nunique() > 1],
                              "media": [f"impressions_{c}" for c in media],
                              "media_spend": [f"spend_{c}" for c in media]}
    if kpi == KPI:
        coords["revenue_per_kpi"] = REVENUE_PER_KPI
    if rf:
        coords |= {"reach": [f"reach_{c}" for c in rf], "frequency": [f"frequency_{c}" for c in rf],
                   "rf_spend": [f"spend_{c}" for c in rf]}
    maps = {"media_to_channel": {f"impressions_{c}": c for c in media},
            "media_spend_to_channel": {f"spend_{c}": c for c in media},
            "reach_to_channel": {f"reach_{c}": c for c in rf},
            "frequency_to_channel": {f"frequency_{c}": c for c in rf},
            "rf_spend_to_channel": {f"spend_{c}": c for c in rf}}
    return {"coords": coords, **{k: v for k, v in maps.items() if v}}  # Meridian wants an absent map, not {}


def input_columns(coords: dict[str, Any]) -> list[str]:
    """The columns a ``CoordToColumns`` makes model inputs (media, spend, reach, frequency, controls)."""
    roles = ("controls", "media", "media_spend", "reach", "frequency", "rf_spend")
    return [c for role in roles for c in coords.get(role, [])]
