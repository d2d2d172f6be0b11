"""The truth in a marketing-mix model's terms: weekly contribution, ROAS over horizons, response curves.

* **Weekly contribution** of a channel: its weekly ledger (factual minus channel-off,
  :mod:`~journeysim.experiments.truth.ledger`) averaged over seeds, with a t interval: what a
  marketing-mix model calls the channel's contribution to the week's KPI.
* **ROAS over a horizon** after the spend, from *pulse* counterfactuals: one week's spend of one
  channel removed (the rest of the plan as it is), in a few sampled weeks a year per channel
  (:func:`pulse_weeks`). The pulse's increment is the factual run minus the pulse run, day by
  day; under common random numbers it is exactly zero before the pulse's week. ROAS over ``H``
  weeks = the increment's net revenue from the first day of the pulse's week through ``7 H``
  days / the spend removed. A horizon that runs past the end of the run is not observed (NaN).
  Per seed, the channel's pulses are pooled (summed increments over summed spend), then the
  mean and t interval over seeds are taken.
* **Response curve**: the channel's incremental net revenue over the run (against the channel
  off) when its whole plan is scaled by a factor (0, the marginal steps 0.9 and 1.1, 1, and the
  factors asked for), and its spend; the marginal ROAS is the curve's slope at 1 (``truth.csv``).

Units: currency (revenue, spend); weeks (horizons); ROAS is currency per currency.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from journeysim.experiments.intervals import LEVEL, mean_interval
from journeysim.experiments.truth.ledger import WEEK_DAYS
from journeysim.sim.errors import ConfigError

HORIZONS = (4, 13, 52)
"""Default horizons of the pulse ROAS, weeks after the first day of the pulse's week."""

WEEKS_PER_YEAR = 52
"""Weeks of a year in which :func:`pulse_weeks` samples (the last days of a 365-day year join the next)."""

PULSE_STREAM = "truth_pulses"
"""Name of the random stream that samples the pulse weeks (from the first seed; the same weeks for every seed)."""

CONTRIBUTION = ("incremental_revenue", "incremental_first_order_revenue", "incremental_orders",
                "incremental_first_orders")
"""Ledger columns whose weekly mean and interval over seeds form ``truth_contribution``."""


def pulse_weeks(plan: np.ndarray, channels: Sequence[str], all_names: Sequence[str], per_year: int, seed: int,
                shortest: int = HORIZONS[0]) -> dict[str, list[int]]:
    """The weeks whose spend each channel's pulse counterfactuals remove.

    Parameters
    ----------
    plan : ndarray, shape (days, channels)
        Planned budgets (currency per day at reference size; :func:`journeysim.scenarios.levers.planned_budgets`).
    channels : sequence of str
        Channels to pulse.
    all_names : sequence of str
        Every channel, in the plan's column order.
    per_year : int
        Pulses per channel in each (52-week) year of the run; 0: none.
    seed : int
        Seed of the sampling stream (:data:`PULSE_STREAM`).
    shortest : int
        Shortest horizon, weeks: a pulse week leaves at least this many weeks to the end of the run.

    Returns
    -------
    dict of str to list of int
        Per channel, its pulse weeks (1-based 7-day blocks from day 1), sorted: in each year,
        ``per_year`` full weeks drawn without replacement among those with planned spend
        (all of them if fewer; in a last, partial year its share of ``per_year``, rounded up).
        The draws come from their own stream, channel by channel, so the weeks of one channel do
        not depend on the others.
    """
    if isinstance(per_year, bool) or not isinstance(per_year, int) or per_year < 0:
        raise ConfigError("pulses", per_year, "a whole number of pulse weeks per channel per year, 0 or more")
    from journeysim.sim.streams import RandomStreams

    days = plan.shape[0]
    weeks = days // WEEK_DAYS - shortest + 1  # full weeks that leave the shortest horizon to the end
    out: dict[str, list[int]] = {}
    for channel in channels:
        k = list(all_names).index(channel)
        rng = RandomStreams(seed).generator(f"{PULSE_STREAM}:{channel}")
        weekly = plan[: weeks * WEEK_DAYS, k].reshape(-1, WEEK_DAYS).sum(axis=1) if weeks > 0 else np.empty(0)
        chosen: list[int] = []
        for first in range(0, max(weeks, 0), WEEKS_PER_YEAR):
            block = weekly[first:first + WEEKS_PER_YEAR]
            candidates = np.flatnonzero(block > 0) + first + 1
            take = min(math.ceil(per_year * block.size / WEEKS_PER_YEAR), candidates.size)  # a part year: fewer
            chosen += [int(w) for w in rng.choice(candidates, size=take, replace=False)] if take else []
        out[channel] = sorted(chosen)
    return out


def pulse_table(outputs: Sequence[dict], all_names: Sequence[str],
                horizons: Sequence[int] = HORIZONS) -> pd.DataFrame:
    """Each pulse's removed spend and its increments over each horizon, per seed.

    Returns
    -------
    DataFrame
        ``seed``, ``channel``, ``week``, ``day`` (first day of the week), ``spend`` (removed,
        currency), ``horizon_weeks``, ``incremental_revenue``, ``incremental_first_order_revenue``
        (currency), ``incremental_first_orders`` (orders) over the horizon (NaN when it runs past
        the end of the run), ``before`` (net revenue increment before the pulse's week: 0 under
        common random numbers).
    """
    factual = {o["seed"]: o for o in outputs if o["variant"] == "all"}
    rows = []
    for o in outputs:
        if o["variant"] != "pulse" or o["seed"] not in factual:
            continue
        on, off = factual[o["seed"]]["series"], o["series"]
        k = list(all_names).index(o["channel"])
        start = (o["week"] - 1) * WEEK_DAYS
        spend = float(on["spend"][start:start + WEEK_DAYS, k].sum() - off["spend"][start:start + WEEK_DAYS].sum())
        days = len(on["revenue"])
        diff = {name: on[name] - off[name] for name in ("revenue", "first_order_revenue", "first_orders")}
        for h in horizons:
            stop = start + h * WEEK_DAYS
            seen = stop <= days
            rows.append({"seed": o["seed"], "channel": o["channel"], "week": o["week"], "day": start + 1,
                         "spend": spend, "horizon_weeks": int(h),
                         **{f"incremental_{name}": float(d[start:stop].sum()) if seen else np.nan
                            for name, d in diff.items()},
                         "before": float(diff["revenue"][:start].sum())})
    return pd.DataFrame(rows, columns=["seed", "channel", "week", "day", "spend", "horizon_weeks",
                                       "incremental_revenue", "incremental_first_order_revenue",
                                       "incremental_first_orders", "before"])


def horizon_table(pulses: pd.DataFrame, level: float = LEVEL) -> pd.DataFrame:
    """ROAS over each horizon per channel: pooled over the channel's pulses per seed, then mean and
    t interval over seeds.

    Returns
    -------
    DataFrame
        ``channel``, ``horizon_weeks``, ``pulses`` (weeks pulsed), ``seeds``, ``spend`` (removed per
        pulse, mean, currency), ``roas`` and ``first_order_roas`` (net revenue, and first-order
        revenue only, per currency of spend) and ``cost_per_acquisition`` (spend per incremental
        first order, currency), each with ``_low`` and ``_high``.
    """
    rows = []
    for (channel, h), group in pulses.groupby(["channel", "horizon_weeks"], sort=False):
        per_seed = group.groupby("seed")[["spend", "incremental_revenue", "incremental_first_order_revenue",
                                          "incremental_first_orders"]].sum(min_count=1)
        spend = per_seed["spend"].where(per_seed["spend"] > 0)
        row = {"channel": channel, "horizon_weeks": int(h), "pulses": int(group["week"].nunique()),
               "seeds": int(per_seed.shape[0]), "spend": float(group["spend"].mean())}
        for name, values in (("roas", per_seed["incremental_revenue"] / spend),
                             ("first_order_roas", per_seed["incremental_first_order_revenue"] / spend),
                             ("cost_per_acquisition", spend / per_seed["incremental_first_orders"].where(
                                 per_seed["incremental_first_orders"] > 0))):
            interval = mean_interval(values.to_numpy(), level)
            row |= {name: interval.estimate, f"{name}_low": interval.low, f"{name}_high": interval.high}
        rows.append(row)
    return pd.DataFrame(rows)


def contribution_table(ledger_weekly: pd.DataFrame, level: float = LEVEL) -> pd.DataFrame:
    """Weekly contribution per channel: the weekly ledger's mean over seeds with its t interval.

    Returns
    -------
    DataFrame
        ``channel``, ``week``, ``day``, ``date``, ``days``, ``spend`` (mean, currency), then each
        of :data:`CONTRIBUTION` with ``_low`` and ``_high``.
    """
    if ledger_weekly.empty:
        return pd.DataFrame()
    keys = ["channel", "week"]
    first = ledger_weekly.groupby(keys, sort=False)[["day", "date", "days"]].first()
    out = first.join(ledger_weekly.groupby(keys, sort=False)["spend"].mean())
    values = ledger_weekly.set_index(keys)[list(CONTRIBUTION)]
    for name in CONTRIBUTION:
        intervals = values[name].groupby(level=keys, sort=False).agg(lambda v: mean_interval(v.to_numpy(), level))
        out[name] = [i.estimate for i in intervals.reindex(out.index)]
        out[f"{name}_low"] = [i.low for i in intervals.reindex(out.index)]
        out[f"{name}_high"] = [i.high for i in intervals.reindex(out.index)]
    return out.reset_index()


def response_table(outputs: Sequence[dict], names: Sequence[str], all_names: Sequence[str],
                   level: float = LEVEL) -> pd.DataFrame:
    """Response curve per channel: spend and incremental net revenue (against the channel off) at
    each budget factor run (0, the marginal steps, 1 and the ``scale`` variants).

    Returns
    -------
    DataFrame
        ``channel``, ``factor`` (times the planned budget), ``spend`` (the channel's spend over
        the run, mean over seeds, currency), ``incremental_revenue`` (currency) and ``roas``
        (incremental revenue / spend), each with ``_low`` and ``_high``; sorted by channel and
        factor.
    """
    off = {(o["seed"], o["channel"]): o for o in outputs if o["variant"] == "off"}
    factual = {o["seed"]: o for o in outputs if o["variant"] == "all"}
    points: dict[tuple[str, float], dict[int, tuple[float, float]]] = {}
    for o in outputs:
        if o["variant"] == "all":
            runs = [(c, o) for c in names]
        elif o["variant"] in ("off", "down", "up", "scale") and o["channel"] in names:
            runs = [(o["channel"], o)]
        else:
            continue
        for channel, run in runs:
            base = off.get((run["seed"], channel))
            if base is None or run["seed"] not in factual:
                continue
            factor = 1.0 if run["variant"] == "all" else float(run["factor"])
            spend = float(run["channel_spend"][list(all_names).index(channel)])
            points.setdefault((channel, round(factor, 9)), {})[run["seed"]] = (spend, run["revenue"] - base["revenue"])
    rows = []
    for (channel, factor), by_seed in sorted(points.items(), key=lambda item: (list(names).index(item[0][0]),
                                                                               item[0][1])):
        spend = [v[0] for v in by_seed.values()]
        revenue = [v[1] for v in by_seed.values()]
        row = {"channel": channel, "factor": factor, "spend": float(np.mean(spend))}
        for name, values in (("incremental_revenue", revenue),
                             ("roas", [r / s if s > 0 else np.nan for s, r in zip(spend, revenue, strict=True)])):
            interval = mean_interval(values, level)
            row |= {name: interval.estimate, f"{name}_low": interval.low, f"{name}_high": interval.high}
        rows.append(row)
    return pd.DataFrame(rows)
