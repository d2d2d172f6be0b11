"""Budget levers: the media plan per channel over time.

Budgets are in currency per day at ``population.reference_size`` customers, like
``channels.*.daily_budget``; the engine scales them to the population. A budget lever fixes
its whole plan before the run (an array of days x channels), so the total it will spend can
be checked against the baseline before anything runs (:func:`configured_plan`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from journeysim.scenarios.base import Lever, Params, register
from journeysim.sim.config import RunSpec, probability
from journeysim.sim.errors import ConfigError, UnknownKeyError

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel

SHARE_TOLERANCE = 1e-3
"""How far budget shares may sum from 1 before they are rejected (they are then normalised)."""


def configured_plan(spec: RunSpec) -> np.ndarray:
    """The configured always-on plan: ``channels.*.daily_budget`` on every day, shape (days, channels)."""
    daily = np.array([channel.daily_budget for channel in spec.channels], dtype=np.float64)
    return np.tile(daily, (spec.days, 1))


class BudgetLever(Lever):
    """Sets the daily budgets of the channels it controls from a plan fixed before the run.

    Parameters
    ----------
    schedule : ndarray, shape (days, channels)
        Budget per day and channel, currency per day at reference size.
    channels : ndarray of bool, shape (channels,)
        Channels whose budgets the lever sets (the others keep theirs).
    """

    def __init__(self, schedule: np.ndarray, channels: np.ndarray) -> None:
        self.schedule, self.channels = schedule, channels

    def apply(self, plan: np.ndarray) -> None:
        """Write the lever's budgets into ``plan`` (days x channels), as the run will."""
        plan[:, self.channels] = self.schedule[:, self.channels]

    def before_day(self, model: JourneyModel, day: int) -> None:
        """Set today's budgets of the lever's channels."""
        model.controls.set_budgets(self.schedule[day], self.channels)


@register("budget_plan")
class BudgetPlan(BudgetLever):
    """A per-channel plan: always-on, pulsing (flights) and bursts on date ranges.

    YAML::

        type: budget_plan
        keep_total: true             # scale the days outside bursts so the run spends the configured total
        channels:
          display: 20                # always-on, currency per day
          tv: {daily: 240, on_days: 14, off_days: 14}              # pulsing: 2 weeks on, 2 off
          social: {bursts: [{from_day: 326, to_day: 333, daily: 400}]}  # always-on + a burst

    Channels not listed keep their configured budget. Bursts replace the channel's budget on
    their days (``from_day`` to ``to_day``, inclusive). Pulses start their first flight on
    ``offset`` (day, default 0).
    """

    keys = ("channels", "keep_total")

    @classmethod
    def from_params(cls, params: Params) -> BudgetPlan:
        """Build the lever from its validated YAML parameters."""
        spec = params.spec
        base = configured_plan(spec)
        schedule, bursts = base.copy(), np.zeros(base.shape, bool)
        controls = np.zeros(len(spec.channels), bool)
        channels = params.mapping("channels")
        if not channels:
            raise ConfigError(params.key("channels"), dict(channels), "at least one channel with its plan")
        for name, entry in channels.items():
            if name not in spec.channel_names:
                raise UnknownKeyError(f"{params.key('channels')}.{name}", entry, spec.channel_names,
                                      params.key("channels"))
            k = spec.channel_names.index(name)
            controls[k] = True
            schedule[:, k], bursts[:, k] = channel_plan(entry, f"{params.key('channels')}.{name}", spec, base[0, k])
        if params.flag("keep_total", False):
            keep_total(schedule, bursts, base.sum(), params.key("keep_total"))
            controls[:] = True
        return cls(schedule, controls)


CHANNEL_PLAN_KEYS = ("daily", "on_days", "off_days", "offset", "bursts")
BURST_KEYS = ("from_day", "to_day", "daily")


def channel_plan(entry: Any, prefix: str, spec: RunSpec, configured: float) -> tuple[np.ndarray, np.ndarray]:
    """One channel's budget per day and which days are bursts.

    Parameters
    ----------
    entry : number or mapping
        A daily budget, or ``{daily, on_days, off_days, offset, bursts}``.
    prefix : str
        Config key of the entry (for errors).
    spec : RunSpec
        The run (its number of days).
    configured : float
        The channel's configured daily budget (the default ``daily``).
    """
    if isinstance(entry, int | float) and not isinstance(entry, bool):
        entry = {"daily": entry}
    if not isinstance(entry, Mapping):
        raise ConfigError(prefix, entry, "a daily budget or a mapping with daily, on_days, off_days, bursts")
    params = Params(entry, prefix, spec, CHANNEL_PLAN_KEYS)
    days = np.arange(spec.days)
    budget = np.full(spec.days, params.number("daily", low=0.0, default=configured))
    if params.has("on_days") or params.has("off_days"):
        on = params.number("on_days", low=1, integer=True)
        off = params.number("off_days", low=0, integer=True)
        offset = params.number("offset", low=0, integer=True, default=0)
        budget[(days - offset) % (on + off) >= on] = 0.0
    bursts = np.zeros(spec.days, bool)
    for j, burst in enumerate(params.items("bursts") if params.has("bursts") else []):
        key = f"{prefix}.bursts[{j}]"
        if not isinstance(burst, Mapping):
            raise ConfigError(key, burst, "a mapping with from_day, to_day and daily")
        window = Params(burst, key, spec, BURST_KEYS)
        for name in ("from_day", "to_day"):
            if not window.has(name):
                raise ConfigError(window.key(name), None, "a day number (bursts need from_day and to_day)")
        start, stop = window.window()
        on_days = (days >= start) & (days <= stop)
        budget[on_days] = window.number("daily", low=0.0)
        bursts |= on_days
    return budget, bursts


def keep_total(schedule: np.ndarray, bursts: np.ndarray, total: float, key: str) -> None:
    """Scale the non-burst cells of ``schedule`` in place so it sums to ``total``."""
    burst_total = float(schedule[bursts].sum())
    rest = float(schedule[~bursts].sum())
    if burst_total > total * (1 + 1e-12) or (rest == 0 and burst_total < total):
        raise ConfigError(key, True, f"a plan whose bursts fit in the configured total over the run "
                                     f"(bursts {burst_total:,.0f}, total {total:,.0f}, always-on {rest:,.0f})")
    if rest > 0:
        schedule[~bursts] *= (total - burst_total) / rest


@register("budget_split")
class BudgetSplit(BudgetLever):
    """A total daily budget split across channels by shares.

    YAML::

        type: budget_split
        total_daily: 370        # currency per day at reference size; default: the configured total
        shares: {search: 0.5, social: 0.3, display: 0.2}   # sum to 1; other channels get 0
    """

    keys = ("total_daily", "shares")

    @classmethod
    def from_params(cls, params: Params) -> BudgetSplit:
        """Build the lever from its validated YAML parameters."""
        spec = params.spec
        configured = float(configured_plan(spec)[0].sum()) if spec.days else 0.0
        total = params.number("total_daily", low=0.0, default=configured)
        shares = split_shares(params)
        schedule = np.tile(total * shares, (spec.days, 1))
        return cls(schedule, np.ones(len(spec.channels), bool))


def split_shares(params: Params) -> np.ndarray:
    """Validated ``shares`` as an array over channels, normalised to sum to 1."""
    names = params.spec.channel_names
    values = params.mapping("shares")
    shares = np.zeros(len(names))
    for name in values:
        if name not in names:
            raise UnknownKeyError(f"{params.key('shares')}.{name}", values[name], names, params.key("shares"))
        shares[names.index(name)] = probability(values, name, params.key("shares"))
    if abs(shares.sum() - 1.0) > SHARE_TOLERANCE:
        raise ConfigError(params.key("shares"), dict(values), f"shares summing to 1 (they sum to {shares.sum():.4g})")
    return shares / shares.sum()
