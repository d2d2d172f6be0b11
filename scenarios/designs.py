"""Spend designs for marketing-mix models: randomised flighting, and spend that follows demand.

A marketing-mix model learns a channel's effect from how its spend varies. A plan whose spend
is the same every week says nothing (the model returns its prior); a plan whose spend follows
demand confounds the channel with the season. Two budget levers make these designs:

* ``flighting``: each channel's budget per flight (a week by default) is one of a few levels
  of its configured budget, or off, drawn at random, independently across channels and flights,
  from the lever's own seeded stream (not the run's: the same plan under every run seed, so the
  truth's seeds differ in customers and draws, not in the plan). The draws go on every flight of
  every year, so the variation recurs each year (not a one-off burst in year 1).
* ``follow_demand``: each channel's budget scaled by the category's seasonal demand index
  (:func:`journeysim.sim.demand.seasonal_index`) raised to an elasticity: spend high when
  organic demand is high, as when budgets are set from last year's sales. The index is a
  daily KPI (``season``) of the run, which observed panels leave out.

Both keep each channel's configured total over the run by default (``keep_total``). Budgets are
currency per day at ``population.reference_size``, like ``channels.*.daily_budget``.
"""

from __future__ import annotations

import numpy as np

from journeysim.scenarios.base import Params, register
from journeysim.scenarios.budgets import BudgetLever, configured_plan
from journeysim.sim.errors import ConfigError

DESIGN_STREAM = "flighting"
"""Name of the random stream of the flighting draws (one generator per channel, from the lever's ``seed``)."""

YEAR_DAYS = 365
"""Days of a simulated year (``repeat_yearly``)."""


def _channels(params: Params) -> np.ndarray:
    """The channels the lever plans (default: every channel with a configured budget), as a mask."""
    spec = params.spec
    plan = configured_plan(spec)[:1] if spec.days else np.zeros((1, len(spec.channels)))
    default = tuple(name for k, name in enumerate(spec.channel_names) if plan[0, k] > 0)
    mask = np.zeros(len(spec.channels), bool)
    if params.has("channels") or default:
        mask[params.channel_list("channels", default)] = True
    return mask


def _keep_totals(schedule: np.ndarray, base: np.ndarray, mask: np.ndarray) -> None:
    """Scale each planned channel's column of ``schedule`` in place to the total of ``base``."""
    for k in np.flatnonzero(mask):
        drawn = schedule[:, k].sum()
        if drawn > 0:
            schedule[:, k] *= base[:, k].sum() / drawn


@register("flighting")
class Flighting(BudgetLever):
    """Randomised flighting: each channel's budget per flight drawn from levels and off, at random.

    YAML::

        type: flighting
        channels: [search, social, display, tv, content]   # default: every channel with a budget
        levels: [0.5, 1.0, 1.5]   # multipliers of the configured daily budget, one drawn per flight
        off_share: 0.25           # share of flights with no spend (on/off pulses)
        flight_days: 7            # days per flight
        seed: 0                   # the plan's own seed (the same plan under every run seed)
        repeat_yearly: false      # true: the first year's plan again every year
        keep_total: true          # scale each channel to its configured total over the run

    Draws are independent across channels (one stream per channel) and flights; with
    ``repeat_yearly: false`` every flight of every year is drawn afresh.
    """

    keys = ("channels", "levels", "off_share", "flight_days", "seed", "repeat_yearly", "keep_total")

    @classmethod
    def from_params(cls, params: Params) -> Flighting:
        """Build the lever from its validated YAML parameters."""
        from journeysim.sim.streams import RandomStreams

        spec = params.spec
        base = configured_plan(spec)
        mask = _channels(params)
        levels = _levels(params)
        off = params.probability("off_share", 0.25)
        flight = int(params.number("flight_days", low=1, high=366, integer=True, default=7))
        seed = int(params.number("seed", low=0, high=2**32 - 1, integer=True, default=0))
        span = min(spec.days, YEAR_DAYS) if params.flag("repeat_yearly", False) else spec.days
        flights = -(-span // flight) if span else 0
        schedule = base.copy()
        streams = RandomStreams(seed)
        for k in np.flatnonzero(mask):
            rng = streams.generator(f"{DESIGN_STREAM}:{spec.channel_names[k]}")
            factor = np.where(rng.random(flights) < off, 0.0, rng.choice(levels, size=flights))
            daily = np.repeat(factor, flight)[:span]
            schedule[:, k] = base[:, k] * np.resize(daily, spec.days)
        if params.flag("keep_total", True):
            _keep_totals(schedule, base, mask)
        return cls(schedule, mask)


def _levels(params: Params) -> np.ndarray:
    levels = params.items("levels") if params.has("levels") else [0.5, 1.0, 1.5]
    if not levels or any(isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 100
                         for v in levels):
        raise ConfigError(params.key("levels"), levels, "a non-empty list of budget multipliers from 0 to 100")
    if max(levels) <= 0:
        raise ConfigError(params.key("levels"), levels, "at least one level above 0")
    return np.asarray(levels, dtype=np.float64)


@register("follow_demand")
class FollowDemand(BudgetLever):
    """Spend that follows demand: each channel's budget times the seasonal demand index to a power.

    YAML::

        type: follow_demand
        channels: [search, social, display, tv, content]   # default: every channel with a budget
        elasticity: 1.0          # budget ~ index ** elasticity (default 1: in proportion; 0: flat)
        keep_total: true         # scale each channel to its configured total over the run

    The index is ``market.demand``'s weekday factor times its yearly curve
    (:func:`journeysim.sim.demand.seasonal_index`), the same that drives organic discoveries
    and repeat buying: a confounder of spend and sales.
    """

    keys = ("channels", "elasticity", "keep_total")

    @classmethod
    def from_params(cls, params: Params) -> FollowDemand:
        """Build the lever from its validated YAML parameters."""
        from journeysim.sim.demand import seasonal_index

        spec = params.spec
        base = configured_plan(spec)
        mask = _channels(params)
        elasticity = params.number("elasticity", low=0.0, high=10.0, default=1.0)
        index = seasonal_index(spec.market.demand, spec.days) ** elasticity
        schedule = base.copy()
        schedule[:, mask] = base[:, mask] * index[:, None]
        if params.flag("keep_total", True):
            _keep_totals(schedule, base, mask)
        return cls(schedule, mask)
