"""A budget plan: the objective, the channels split between, the total, the search's size and its seeds.

A plan in YAML (``conf/calibration/budget.yaml`` or any file)::

    scenario: baseline           # a packaged scenario, or one in config_dir (e.g. a calibrated one)
    config_dir: null
    overrides: [population.size=5000]
    objective: profit            # profit | acquisitions | revenue
    cac_ceiling: null            # currency per new customer; plans whose mean CAC is above are infeasible
    channels: null               # channels to split between (default: every channel with a budget)
    total_daily: null            # currency per day at reference size (default: their configured total)
    trials: 60                   # candidate plans (Optuna TPE); the configured split and an equal split first
    seeds: 4                     # tuning seeds: every candidate runs on the same ones (common random numbers)
    validation_seeds: 8          # fresh seeds for the best plan against the configured split
    seed: 0
    timing: null                 # or {from_day: 300, to_day: 330, max_burst_share: 0.8}
    curves: {points: 5, seeds: 2}

Cost in model runs: ``trials * seeds + 2 * validation_seeds + channels * points * curve seeds``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from journeysim.experiments import plans

PLAN_PACKAGE = "journeysim.conf.calibration"
"""Budget plans are packaged beside the calibration plans."""


def read_plan_file(source: str, package: str = PLAN_PACKAGE) -> tuple[str, dict[str, Any]]:
    """Read a budget plan (a YAML path or a name in ``conf/calibration``)."""
    return plans.read_plan_file(source, package)


VALIDATION_OFFSET = 100_000
"""Validation seeds start this far above the plan's seed: never one the optimiser was tuned on."""


@dataclass(frozen=True)
class Burst:
    """A burst window for the time dimension: part of each channel's budget spent on these days.

    Attributes
    ----------
    from_day, to_day : int
        First and last day of the burst (inclusive, 0-based).
    max_share : float
        Largest share of a channel's budget the optimiser may put into the burst (0..1).
    """

    from_day: int
    to_day: int
    max_share: float = 0.8

    @property
    def days(self) -> int:
        """Length of the burst, days."""
        return self.to_day - self.from_day + 1


@dataclass(frozen=True)
class BudgetPlan:
    """A budget optimisation: objective, channels, total, search size and seeds."""

    name: str
    objective: str = "profit"
    scenario: str | None = None
    config_dir: str | None = None
    overrides: tuple[str, ...] = ()
    cac_ceiling: float | None = None
    channels: tuple[str, ...] | None = None
    total_daily: float | None = None
    trials: int = 60
    seeds: int = 4
    validation_seeds: int = 8
    seed: int = 0
    burst: Burst | None = None
    curve_points: int = 5
    curve_seeds: int = 2

    @property
    def tuning_seeds(self) -> list[int]:
        """Seeds every candidate runs on (common random numbers)."""
        return list(range(self.seed, self.seed + self.seeds))

    @property
    def fresh_seeds(self) -> list[int]:
        """Validation seeds, disjoint from the tuning seeds."""
        start = self.seed + VALIDATION_OFFSET
        return list(range(start, start + self.validation_seeds))

    def runs(self, channels: int) -> int:
        """Model runs the plan needs with ``channels`` channels."""
        return (self.trials * self.seeds + 2 * self.validation_seeds
                + channels * self.curve_points * min(self.curve_seeds, self.seeds))


def parse_plan(name: str, raw: Mapping[str, Any]) -> BudgetPlan:
    """Validate a raw plan mapping with the schema's :class:`~journeysim.sim.schema.plans.BudgetPlanSpec`.

    Raises
    ------
    ConfigError
        For the first bad value, naming its plan key, the value and what is allowed.
    """
    from journeysim.sim.schema.plans import BudgetPlanSpec, load_plan

    spec = load_plan(BudgetPlanSpec, name, raw)
    timing = spec.timing
    return BudgetPlan(
        name=spec.name, objective=spec.objective, scenario=spec.scenario, config_dir=spec.config_dir,
        overrides=spec.overrides, channels=spec.channels, cac_ceiling=spec.cac_ceiling,
        total_daily=spec.total_daily, trials=spec.trials, seeds=spec.seeds,
        validation_seeds=spec.validation_seeds, seed=spec.seed,
        burst=None if timing is None else Burst(timing.from_day, timing.to_day, timing.max_burst_share),
        curve_points=spec.curves.points, curve_seeds=spec.curves.seeds)


def plan_mapping(plan: BudgetPlan) -> dict[str, Any]:
    """The plan as a YAML/JSON-ready mapping (as run)."""
    timing = None if plan.burst is None else {"from_day": plan.burst.from_day, "to_day": plan.burst.to_day,
                                              "max_burst_share": plan.burst.max_share}
    return {"scenario": plan.scenario, "config_dir": plan.config_dir, "overrides": list(plan.overrides),
            "objective": plan.objective, "cac_ceiling": plan.cac_ceiling,
            "channels": None if plan.channels is None else list(plan.channels), "total_daily": plan.total_daily,
            "trials": plan.trials, "seeds": plan.seeds, "validation_seeds": plan.validation_seeds, "seed": plan.seed,
            "timing": timing, "curves": {"points": plan.curve_points, "seeds": plan.curve_seeds}}
