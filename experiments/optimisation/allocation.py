"""Splits of a total budget: a plan bound to its base config (:class:`Problem`) and one split (:class:`Allocation`).

An allocation is a point of the simplex of channel shares (its total is the budget exactly)
and the share of every channel's budget spent in the burst window; it becomes a
``budget_plan`` lever after the scenario's own levers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from journeysim.experiments.optimisation.plan import BudgetPlan, Burst
from journeysim.sim.errors import ConfigError, unknown_name


@dataclass(frozen=True)
class Problem:
    """A plan bound to its base config: channel names, the total and the run length."""

    plan: BudgetPlan
    config: dict[str, Any]
    channels: tuple[str, ...]
    total_daily: float
    days: int

    @property
    def configured(self) -> Allocation:
        """The configured split of the channels (the baseline every candidate is compared with)."""
        budgets = np.array([float(self.config["channels"][c]["daily_budget"]) for c in self.channels])
        if budgets.sum() <= 0:
            return Allocation(self.channels, np.full(len(self.channels), 1.0 / len(self.channels)))
        return Allocation(self.channels, budgets / budgets.sum())


def bind(plan: BudgetPlan, config: Mapping[str, Any]) -> Problem:
    """Check the base config, then the plan's channels, total and burst against it (before any run)."""
    from journeysim.scenarios.spec import parse_config

    parse_config(dict(config))
    names = tuple(config["channels"])
    channels = plan.channels or tuple(c for c in names if float(config["channels"][c]["daily_budget"]) > 0)
    for channel in channels:
        if channel not in names:
            raise unknown_name("channels", channel, names)
    if len(channels) < 2:
        raise ConfigError("channels", list(channels), "at least two channels to split a budget between")
    total = plan.total_daily
    if total is None:
        total = sum(float(config["channels"][c]["daily_budget"]) for c in channels)
        if total <= 0:
            raise ConfigError("total_daily", None, "a positive daily total (the channels have no configured budget)")
    days = int(config["days"])
    if plan.burst is not None and (plan.burst.to_day >= days or plan.burst.days >= days):
        raise ConfigError("timing.to_day", plan.burst.to_day, f"a day before the run's end (days = {days}), "
                                                               "leaving some days outside the burst")
    return Problem(plan, dict(config), tuple(channels), float(total), days)


BUDGET_STEP = 1e-4
"""Budgets in a plan are whole multiples of this (currency per day), rounded down."""


def floor_budget(daily: float) -> float:
    """``daily`` rounded down to :data:`BUDGET_STEP` (never up, so sums stay within the total)."""
    return round(math.floor(daily / BUDGET_STEP * (1 + 1e-12)) * BUDGET_STEP, 4) if daily > 0 else 0.0


@dataclass(frozen=True)
class Allocation:
    """Shares of the total for each channel (summing to 1), and the share spent in the burst.

    Attributes
    ----------
    channels : tuple of str
        The channels split between.
    shares : ndarray
        Share of the total per channel, 0..1, summing to 1.
    burst_share : float
        Share of every channel's budget spent in the burst window (0: always-on only).
    """

    channels: tuple[str, ...]
    shares: np.ndarray
    burst_share: float = 0.0

    @classmethod
    def from_unit(cls, channels: Sequence[str], u: Sequence[float], burst_share: float = 0.0) -> Allocation:
        """Shares ``-log(u) / sum(-log(u))``: uniform ``u`` gives a uniform point of the simplex."""
        weights = -np.log(np.clip(np.asarray(u, dtype=np.float64), 1e-300, 1.0))
        if weights.sum() <= 0:
            weights = np.ones(len(channels))
        return cls(tuple(channels), weights / weights.sum(), float(burst_share))

    def unit(self) -> list[float]:
        """Coordinates ``u`` with :meth:`from_unit` giving back these shares."""
        return [float(math.exp(-s)) for s in self.shares]

    def daily(self, total_daily: float) -> dict[str, float]:
        """Mean daily budget per channel, currency per day at reference size."""
        return {c: float(s * total_daily) for c, s in zip(self.channels, self.shares, strict=True)}

    def lever(self, total_daily: float, days: int, burst: Burst | None = None) -> dict[str, Any]:
        """The plan as a ``budget_plan`` lever (always-on, plus the burst when it has a share).

        Each channel spends ``share * total_daily * days`` over the run: ``(1 - burst_share)`` of
        it evenly on the days outside the burst and ``burst_share`` evenly on the burst days.
        Budgets are rounded down to :data:`BUDGET_STEP`, so the plan never exceeds the total.
        """
        channels: dict[str, Any] = {}
        for channel, daily in self.daily(total_daily).items():
            if burst is None or self.burst_share <= 0:
                channels[channel] = floor_budget(daily)
                continue
            budget = daily * days
            channels[channel] = {
                "daily": floor_budget((1 - self.burst_share) * budget / (days - burst.days)),
                "bursts": [{"from_day": burst.from_day, "to_day": burst.to_day,
                            "daily": floor_budget(self.burst_share * budget / burst.days)}]}
        return {"type": "budget_plan", "channels": channels}

    def label(self) -> str:
        """Shares in words."""
        text = ", ".join(f"{c} {s:.0%}" for c, s in zip(self.channels, self.shares, strict=True))
        return text + (f"; {self.burst_share:.0%} in the burst" if self.burst_share > 0 else "")


def plan_config(problem: Problem, allocation: Allocation) -> dict[str, Any]:
    """The base config with the allocation's lever after the scenario's own levers."""
    config = problem.config
    scenario = dict(config.get("scenario") or {})
    lever = allocation.lever(problem.total_daily, problem.days, problem.plan.burst)
    scenario["levers"] = [*(scenario.get("levers") or []), lever]
    return {**config, "scenario": scenario}


def planned_spend(problem: Problem, allocation: Allocation) -> float:
    """Budget the allocation plans for the optimised channels over the run, currency at reference size."""
    from journeysim.scenarios.levers import planned_budgets
    from journeysim.scenarios.spec import parse_config

    spec = parse_config(plan_config(problem, allocation))
    columns = [spec.channel_names.index(c) for c in problem.channels]
    return float(planned_budgets(spec)[:, columns].sum())
