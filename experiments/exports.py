"""Exports for attribution and marketing-mix tools: journey paths and the MMM table of a run.

Both read a finished :class:`~journeysim.sim.model.JourneyModel` or a
:class:`~journeysim.api.Result` and reconcile exactly with the run's own totals:

* :func:`journey_paths`: one row per customer journey, from the first touch to the first
  purchase (a conversion) or to the horizon. Touches are logged exposures of impression
  channels and positive conversations (the pseudo-channel ``word_of_mouth``). Broadcast
  channels (TV, PR) reach everyone without a logged exposure, so, as in real user-level
  data, no path contains them. A customer who converted without any logged touch has the
  path ``direct``. The converted journeys are exactly the run's acquisitions.
* :func:`channelattribution_table`: the same journeys aggregated by path, in the layout the
  ``ChannelAttribution`` package (and most multi-touch attribution tools) read.
* :func:`mmm_table`: one row per day or week: per-channel spend and impressions, conversions,
  revenue and controls (promotion, season), in the shape PyMC-Marketing's MMM takes.

Every day column is the simulated day, 1 to ``days``, as in every table of a run (see
:mod:`journeysim.columns`), so the exports join the run's tables on ``day`` without shifts. Lever
days (``from_day``, ``to_day``) stay 0-based: lever day ``d`` is table day ``d + 1``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeysim.sim.errors import ConfigError
from journeysim.sim.journey_log import Event, JourneyLog
from journeysim.sim.stages import STAGE_NAMES

if TYPE_CHECKING:
    from journeysim.api import Result
    from journeysim.sim.model import JourneyModel

START_DATE = "2025-01-06"
"""Calendar date of simulated day 1 in the MMM table (a Monday, so weeks run Monday to Sunday)."""

WORD_OF_MOUTH = "word_of_mouth"
"""Pseudo-channel of a positive conversation in a path."""

DIRECT = "direct"
"""Path of a customer who converted without any logged touch (broadcast media, or nothing)."""

SEPARATOR = " > "
"""Separator between touches in a path string."""

DAILY_COLUMNS = ("acquisitions", "orders", "revenue", "refunds", "programme_cost", "basket_units", "discount")
FREQUENCIES = ("D", "W")


# ---------------------------------------------------------------------- run record
@dataclass(frozen=True)
class RunRecord:
    """What the exports need from a run, as arrays indexed by day index (0 = simulated day 1).

    Attributes
    ----------
    channel_names : tuple of str
        Channels in the order of the channel arrays.
    size : int
        Number of customers.
    price : float
        List price per order, currency.
    spend, impressions : ndarray, shape (days, channels)
        Media spend (currency) and impressions bought per day and channel.
    daily : dict of str to ndarray
        ``acquisitions``, ``orders``, ``revenue`` (net of refunds), ``refunds`` and
        ``programme_cost`` per day (counts; currency).
    log : JourneyLog
        The journey log's events (see :class:`~journeysim.sim.journey_log.Event`), read one range
        of customers at a time (empty when the export needs no events).
    reach : ndarray, shape (days, channels), optional
        Customers each channel reached per day (a broadcast channel: everyone in the market).
    in_market : ndarray, shape (days,), optional
        People in the market at the end of each day (``size`` throughout in a closed population).
    broadcast : tuple of bool
        Whether each channel is a broadcast channel (reaches everyone, no logged exposures).
    """

    channel_names: tuple[str, ...]
    size: int
    price: float
    spend: np.ndarray
    impressions: np.ndarray
    daily: dict[str, np.ndarray]
    log: JourneyLog
    reach: np.ndarray | None = None
    in_market: np.ndarray | None = None
    broadcast: tuple[bool, ...] = ()

    @property
    def days(self) -> int:
        """Number of simulated days."""
        return int(self.spend.shape[0])

    def order_price(self) -> np.ndarray:
        """Price paid per order on each day, currency (NaN on days without orders).

        Every order of a day pays the day's price times its basket size, so the price is the
        day's gross order revenue (revenue plus refunds) over its orders counted in standard
        orders (``basket_units``, the sum of the basket sizes).
        """
        orders = self.daily["basket_units"]
        gross = self.daily["revenue"] + self.daily["refunds"]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(orders > 0, gross / np.where(orders > 0, orders, 1), np.nan)


def record(source: JourneyModel | Result, *, need_events: bool = True) -> RunRecord:
    """The :class:`RunRecord` of a finished model or of a :class:`~journeysim.api.Result`.

    Raises
    ------
    ConfigError
        When paths are needed but the journey log did not cover every customer
        (``outputs.event_log_sample`` below ``population.size``).
    """
    if hasattr(source, "collector"):
        return _model_record(source, need_events)
    return _result_record(source, need_events)


def _model_record(model: JourneyModel, need_events: bool) -> RunRecord:
    if need_events and not model.journey_log.mask.all():
        raise _sample_error(int(model.journey_log.mask.sum()), model.state.size)
    c, days = model.collector, model.day
    return RunRecord(
        channel_names=model.spec.channel_names, size=model.state.size, price=model.spec.market.price,
        spend=c.spend[:days].copy(), impressions=c.impressions[:days].copy(),
        daily={name: c.daily[name][:days].copy() for name in DAILY_COLUMNS},
        log=model.journey_log,  # read in place, range by range: never copied
        reach=c.reach[:days].copy(), in_market=c.stage_counts[1: days + 1].sum(axis=1).astype(float),
        broadcast=tuple(ch.spec.kind == "broadcast" for ch in model.touchpoints.channels),
    )


def _result_record(result: Result, need_events: bool) -> RunRecord:
    config = result.config or {}
    size = int(config.get("population", {}).get("size", result.summary.get("customers", 0)))
    sample = config.get("outputs", {}).get("event_log_sample")
    if need_events and (sample is None or int(sample) < size):
        raise _sample_error(sample, size)
    daily = result.daily  # one row per simulated day, 1 to days
    names = tuple(dict.fromkeys(result.channels["channel"]))
    days = len(daily)
    spend = result.channels["spend"].to_numpy(float).reshape(days, len(names))
    impressions = result.channels["impressions"].to_numpy(np.int64).reshape(days, len(names))
    reach = result.channels["reach"].to_numpy(np.int64).reshape(days, len(names))
    stages = [s for s in STAGE_NAMES if s in daily]
    kinds = config.get("channels", {})
    log = JourneyLog(size, 0, None)
    if need_events:
        customer, day, kind, code = _event_codes(result.events, names)
        size = max(size, int(customer.max()) + 1 if customer.size else 0)  # entrants take rows after population.size
        log = JourneyLog.from_codes(size, customer, day - 1, kind, code)  # the tables' day 1 is day index 0
    return RunRecord(
        channel_names=names, size=size, price=float(config.get("market", {}).get("price", np.nan)),
        spend=spend, impressions=impressions,
        daily={name: daily[name].to_numpy(float) for name in DAILY_COLUMNS},
        log=log, reach=reach, in_market=daily[stages].sum(axis=1).to_numpy(float) if stages else None,
        broadcast=tuple((kinds.get(n) or {}).get("kind") == "broadcast" for n in names),
    )


def _event_codes(events: pd.DataFrame, names: tuple[str, ...]) -> tuple[np.ndarray, ...]:
    """Coded arrays of the events that paths use, from the named events table."""
    kinds = {e.name.lower(): e.value for e in Event}
    kind = events["kind"].map(kinds).to_numpy(np.int8)
    detail = events["detail"].astype(str)
    code = np.zeros(len(events), np.int16)
    exposure = kind == Event.EXPOSURE
    code[exposure] = detail[exposure].map({n: k for k, n in enumerate(names)}).to_numpy(np.int16)
    code[kind == Event.WORD_OF_MOUTH] = np.where(detail[kind == Event.WORD_OF_MOUTH] == "positive", 1, -1)
    code[kind == Event.PURCHASE] = (detail[kind == Event.PURCHASE] == "first").to_numpy(np.int16)
    return (events["customer"].to_numpy(np.int64), events["day"].to_numpy(np.int32), kind, code)


def _sample_error(sample: Any, size: int) -> ConfigError:
    return ConfigError("outputs.event_log_sample", sample,
                       f"at least population.size ({size}) so that every customer's journey is logged")


# ---------------------------------------------------------------------- journey paths
def _conversion_days(rec: RunRecord) -> np.ndarray:
    """Day index of each customer's first purchase, -1 if none."""
    conversion_day = np.full(rec.size, -1, np.int64)
    customer, day, _, code = rec.log.select(kinds=[Event.PURCHASE])
    first = code == 1
    conversion_day[customer[first]] = day[first]
    return conversion_day


def _touch_kinds(word_of_mouth: bool) -> list[Event]:
    return [Event.EXPOSURE, Event.WORD_OF_MOUTH] if word_of_mouth else [Event.EXPOSURE]


def _touch_arrays(rec: RunRecord, word_of_mouth: bool, conversion_day: np.ndarray, low: int = 0,
                  high: int | None = None) -> tuple[np.ndarray, ...]:
    """Coded touches of customers ``low`` to ``high - 1`` up to each conversion, sorted by customer,
    day and channel code: (customer, day, channel code; ``len(channel_names)`` is word of mouth)."""
    customer, day, kind, code = rec.log.select(low, high, _touch_kinds(word_of_mouth))
    exposure = kind == Event.EXPOSURE
    keep = exposure | (code > 0)  # exposures and positive conversations
    customer, day = customer[keep].astype(np.int32), day[keep]
    channel = np.where(exposure[keep], code[keep], len(rec.channel_names)).astype(np.int16)
    del exposure, keep, kind, code
    horizon = np.where(conversion_day >= 0, conversion_day, np.iinfo(np.int32).max)
    before = day <= horizon[customer]
    customer, day, channel = customer[before], day[before], channel[before]
    order = np.lexsort((channel, day, customer))
    return customer[order], day[order], channel[order]


def journey_touches(rec: RunRecord, *, word_of_mouth: bool = True) -> tuple[pd.DataFrame, np.ndarray]:
    """Touches of every journey up to its conversion, in order, and each customer's conversion day.

    Returns
    -------
    touches : DataFrame
        ``customer``, ``day`` (1 to ``days``) and ``channel`` (name) of each touch, sorted by
        customer and time. Touches on the day of the first purchase come before it (media and
        conversations happen before checkout in the daily step).
    conversion_day : ndarray of int, shape (customers,)
        Day (1 to ``days``) of each customer's first purchase, -1 if none.
    """
    conversion_day = _conversion_days(rec)
    customer, day, channel = _touch_arrays(rec, word_of_mouth, conversion_day)
    names = np.array([*rec.channel_names, WORD_OF_MOUTH])
    touches = pd.DataFrame({"customer": customer.astype(np.int64), "day": day.astype(np.int64) + 1,
                            "channel": names[channel]})
    return touches, np.where(conversion_day >= 0, conversion_day + 1, -1)


PATH_BLOCK = 10_000
"""Customers per piece of :func:`iter_journey_paths` (bounds the memory of the path strings being built)."""


def iter_journey_paths(source: JourneyModel | Result, *, word_of_mouth: bool = True,
                       customers: int = PATH_BLOCK) -> Iterator[pd.DataFrame]:
    """The rows of :func:`journey_paths` in pieces of ``customers`` consecutive customer rows.

    The journey log is read one range of customers at a time (at most about a million events,
    :data:`~journeysim.sim.journey_log.EVENTS_PER_RANGE`), and only one piece's strings are built
    at a time, so a streaming writer (:func:`journeysim.outputs.write_table`) exports any size
    within a bounded memory beside the log itself.
    """
    rec = record(source)
    conversion_day = _conversion_days(rec)
    names = np.array([*rec.channel_names, WORD_OF_MOUTH], dtype=object)
    day_names = np.array([str(d + 1) for d in range(rec.days)], dtype=object)  # day index d is day d + 1
    price = rec.order_price()
    converters = np.flatnonzero(conversion_day >= 0)
    for first, last in rec.log.ranges(customers):
        touches = _touch_arrays(rec, word_of_mouth, conversion_day, first, last)
        for low in range(first, last, customers):
            piece = _path_piece(touches, low, low + customers, (names, day_names), converters)
            if not piece.empty:
                yield _path_outcomes(piece, conversion_day, price)


def _path_piece(touches: tuple[np.ndarray, ...], low: int, high: int, names: tuple[np.ndarray, np.ndarray],
                converters: np.ndarray) -> pd.DataFrame:
    """Paths of customers ``low`` to ``high - 1`` from their sorted coded touches (``direct`` for
    converters without any); ``names`` are the channels' and the days' labels by code."""
    customer, day, channel = touches
    channel_names, day_names = names
    start, stop = np.searchsorted(customer, [low, high])
    who = customer[start:stop]
    starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]]) if who.size else np.empty(0, np.int64)
    touched = who[starts]
    counts = np.diff(np.r_[starts, who.size])
    labels, days = channel_names[channel[start:stop]], day_names[day[start:stop]]
    bounds = np.r_[starts, who.size]
    piece = pd.DataFrame({
        "customer": touched.astype(np.int64),
        "path": [SEPARATOR.join(labels[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)],
        "touch_days": [SEPARATOR.join(days[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)],
        "touches": counts.astype(np.int64),
        "first_touch_day": day[start:stop][starts].astype(np.int64) + 1,
    })
    block = converters[(converters >= low) & (converters < high)]
    direct = np.setdiff1d(block, touched)
    if direct.size:
        extra = pd.DataFrame({"customer": direct.astype(np.int64), "path": DIRECT, "touch_days": "",
                              "touches": np.zeros(direct.size, np.int64),
                              "first_touch_day": np.full(direct.size, -1, np.int64)})
        piece = pd.concat([piece, extra]).sort_values("customer", kind="stable", ignore_index=True)
    return piece


def _path_outcomes(paths: pd.DataFrame, conversion_day: np.ndarray, price: np.ndarray) -> pd.DataFrame:
    """Add conversion flag, day (1 to ``days``) and value to paths (``first_touch_day`` <NA> without
    touches); ``conversion_day`` holds day indexes (0 = day 1), -1 if none."""
    day = conversion_day[paths["customer"].to_numpy()]
    converted = day >= 0
    paths["first_touch_day"] = paths["first_touch_day"].astype("Int64").mask(paths["touches"] == 0)
    paths["converted"] = converted.astype(np.int64)
    paths["conversion_day"] = pd.array(np.where(converted, day + 1, 0), dtype="Int64")
    paths.loc[~converted, "conversion_day"] = pd.NA
    paths["value"] = np.where(converted, price[np.clip(day, 0, None)], 0.0)
    return paths


def journey_paths(source: JourneyModel | Result, *, word_of_mouth: bool = True) -> pd.DataFrame:
    """One row per customer journey: its ordered touches, conversion flag and value.

    Parameters
    ----------
    source : JourneyModel or Result
        A finished run whose journey log covers every customer
        (``outputs.event_log_sample >= population.size``).
    word_of_mouth : bool
        Include positive conversations as the pseudo-channel ``word_of_mouth``.

    Returns
    -------
    DataFrame
        ``customer``; ``path`` (touches joined by ``" > "``; ``direct`` for a conversion
        without touches); ``touch_days`` (the day of each touch, 1 to ``days``, same order);
        ``touches`` (count); ``first_touch_day``; ``converted`` (1 if the customer's first purchase ended
        the journey, else 0); ``conversion_day`` (<NA> if none); ``value`` (revenue of the
        first order, currency; 0 without conversion). Customers with neither a touch nor a
        purchase have no row. To write a large run's paths, stream :func:`iter_journey_paths`.
    """
    pieces = list(iter_journey_paths(source, word_of_mouth=word_of_mouth))
    if not pieces:
        empty = pd.DataFrame({"customer": pd.Series(dtype=np.int64), "path": pd.Series(dtype=object),
                              "touch_days": pd.Series(dtype=object), "touches": pd.Series(dtype=np.int64),
                              "first_touch_day": pd.Series(dtype=np.int64)})
        return _path_outcomes(empty, np.empty(0, np.int64), np.empty(0))
    return pd.concat(pieces, ignore_index=True)


def channelattribution_table(paths: pd.DataFrame) -> pd.DataFrame:
    """Journeys aggregated by path, in ``ChannelAttribution``'s layout.

    Returns
    -------
    DataFrame
        ``path`` (channels joined by ``" > "``), ``total_conversions``,
        ``total_conversion_value`` (currency) and ``total_null`` (journeys of the path
        without conversion), sorted by conversions. Pass ``sep=">"``: the package strips
        the spaces.
    """
    grouped = paths.groupby("path", sort=False)
    table = pd.DataFrame({
        "total_conversions": grouped["converted"].sum(),
        "total_conversion_value": grouped["value"].sum(),
        "total_null": grouped.size() - grouped["converted"].sum(),
    }).reset_index()
    return table.sort_values(["total_conversions", "total_null"], ascending=False, kind="stable",
                             ignore_index=True)


# ---------------------------------------------------------------------- MMM table
def mmm_table(source: JourneyModel | Result | RunRecord, freq: str = "W", *, start_date: str = START_DATE,
              channels: str | list[str] = "active") -> pd.DataFrame:
    """The run as a marketing-mix table: one row per day (``freq="D"``) or week (``"W"``).

    Parameters
    ----------
    source : JourneyModel, Result or RunRecord
        A finished run (no event log needed).
    freq : {"W", "D"}
        Weeks are 7-day blocks from ``start_date`` (the last one may be shorter: see ``days``).
    start_date : str
        Calendar date of simulated day 1 (ISO format).
    channels : "active", "all" or list of str
        Channels with spend and impressions columns: those with any spend (default), every
        channel, or the ones named.

    Returns
    -------
    DataFrame
        ``date`` (day, or first day of the week), ``day`` (first simulated day of the row, 1 to
        ``days``, as in every table of the run),
        ``days`` (days in the row), ``spend_<channel>`` (currency) and
        ``impressions_<channel>`` (exposures bought), ``acquisitions`` (first orders),
        ``orders`` (all orders), ``revenue`` (net of refunds, currency), ``programme_cost``
        (currency), ``discount`` (mean share off the list price), ``promotion`` (1 on a day
        with a discount; share of such days in a week), ``month``, ``day_of_year``,
        ``season_sin`` and ``season_cos`` (yearly Fourier terms of the date).
    """
    if freq not in FREQUENCIES:
        raise ConfigError("freq", freq, "D (daily) or W (weekly)")
    rec = source if isinstance(source, RunRecord) else record(source, need_events=False)
    daily = _daily_mmm(rec, _start(start_date), _channel_columns(rec, channels))
    return daily if freq == "D" else _weekly(daily)


def _start(start_date: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(start_date)
    except (ValueError, TypeError):
        raise ConfigError("start_date", start_date, "a date in ISO format, e.g. 2025-01-06") from None


def _channel_columns(rec: RunRecord, channels: str | list[str]) -> list[int]:
    names = rec.channel_names
    if channels == "active":
        return [k for k in range(len(names)) if rec.spend[:, k].sum() > 0]
    if channels == "all":
        return list(range(len(names)))
    unknown = [c for c in channels if c not in names]
    if isinstance(channels, str) or unknown:
        raise ConfigError("channels", channels, f"'active', 'all' or a list of channel names ({', '.join(names)})")
    return [names.index(c) for c in channels]


def _daily_mmm(rec: RunRecord, start: pd.Timestamp, columns: list[int]) -> pd.DataFrame:
    dates = pd.date_range(start, periods=rec.days, freq="D")
    frame = pd.DataFrame({"date": dates, "day": np.arange(1, rec.days + 1), "days": 1})
    for k in columns:
        frame[f"spend_{rec.channel_names[k]}"] = rec.spend[:, k]
    for k in columns:
        frame[f"impressions_{rec.channel_names[k]}"] = rec.impressions[:, k]
    frame["acquisitions"] = rec.daily["acquisitions"].astype(np.int64)
    frame["orders"] = rec.daily["orders"].astype(np.int64)
    frame["revenue"] = rec.daily["revenue"]
    frame["programme_cost"] = rec.daily["programme_cost"]
    frame["discount"] = np.round(np.clip(rec.daily["discount"], 0.0, 1.0), 12)  # as recorded, days without orders too
    frame["promotion"] = (frame["discount"] > 0).astype(np.int64)
    frame["month"] = dates.month
    frame["day_of_year"] = dates.day_of_year
    angle = 2 * np.pi * (dates.day_of_year.to_numpy() - 1) / 365.25
    frame["season_sin"], frame["season_cos"] = np.sin(angle), np.cos(angle)
    return frame


def _weekly(daily: pd.DataFrame) -> pd.DataFrame:
    week = (daily["day"].to_numpy() - 1) // 7
    means = {"discount", "promotion", "season_sin", "season_cos"}
    firsts = {"date", "day", "month", "day_of_year"}
    agg = {c: "first" if c in firsts else "mean" if c in means else "sum" for c in daily.columns}
    return daily.groupby(week).agg(agg).reset_index(drop=True)
