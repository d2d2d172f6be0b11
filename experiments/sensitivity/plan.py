"""A sensitivity plan: the KPI, the parameters with their ranges, and the Morris design.

A plan in YAML (``conf/sensitivity/*.yaml`` or any file) names the scenario, the KPI, the
parameters as dotted config keys with their ranges, and the design::

    scenario: baseline
    kpi: profit
    trajectories: 10          # Morris trajectories r: r * (parameters + 1) runs
    num_levels: 4             # grid levels per parameter (even)
    seed: 0                   # every run uses the same seeds: common random numbers
    replicates: 1             # seeds per design point (the KPI is their mean)
    overrides: [population.size=5000]
    parameters:
      market.checkout_friction: [0.05, 0.5]
      market.loyal_after: [1, 4]          # an integer in the config: sampled values are rounded
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from journeysim.experiments import plans
from journeysim.experiments.compose import compose_base
from journeysim.experiments.keys import check_ranges, flat_numbers, parameter_error
from journeysim.experiments.plans import Parameter

PLAN_PACKAGE = "journeysim.conf.sensitivity"


@dataclass(frozen=True)
class Plan:
    """A sensitivity study: which KPI, which parameters over which ranges, and the design."""

    name: str
    kpi: str
    parameters: tuple[Parameter, ...]
    scenario: str | None = None
    method: str = "morris"
    trajectories: int = 10
    num_levels: int = 4
    seed: int = 0
    replicates: int = 1
    overrides: tuple[str, ...] = ()

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem definition."""
        return {"num_vars": len(self.parameters), "names": [p.name for p in self.parameters],
                "bounds": [[p.low, p.high] for p in self.parameters]}

    @property
    def seeds(self) -> list[int]:
        """Seeds every design point is run with (the same for all points)."""
        return list(range(self.seed, self.seed + self.replicates))

    @property
    def runs(self) -> int:
        """Number of model runs: trajectories x (parameters + 1) x replicates."""
        return self.trajectories * (len(self.parameters) + 1) * self.replicates


def plan_names() -> list[str]:
    """Names of the packaged plans (``conf/sensitivity/*.yaml``)."""
    return plans.plan_names(PLAN_PACKAGE)


def read_plan_file(source: str) -> tuple[str, dict[str, Any]]:
    """Read a sensitivity plan (a YAML path or a name in ``conf/sensitivity``)."""
    return plans.read_plan_file(source, PLAN_PACKAGE)


def parse_plan(name: str, raw: dict[str, Any]) -> Plan:
    """Validate a raw plan mapping with the schema's :class:`~journeysim.sim.schema.plans.SensitivityPlanSpec`.

    Raises
    ------
    ConfigError
        For the first bad value, naming its plan key, the value and what is allowed.
    """
    from journeysim.sim.schema.plans import SensitivityPlanSpec, load_plan

    spec = load_plan(SensitivityPlanSpec, name, raw)
    parameters = spec.parameters
    return Plan(name=spec.name, kpi=spec.kpi, parameters=parameters,
                scenario=spec.scenario, method=spec.method, trajectories=spec.trajectories,
                num_levels=spec.num_levels, seed=spec.seed, replicates=spec.replicates, overrides=spec.overrides)


def plan_mapping(plan: Plan) -> dict[str, Any]:
    """The plan as a YAML-ready mapping (as run: integer flags included)."""
    return {"scenario": plan.scenario, "kpi": plan.kpi, "method": plan.method, "trajectories": plan.trajectories,
            "num_levels": plan.num_levels, "seed": plan.seed, "replicates": plan.replicates,
            "overrides": list(plan.overrides),
            "parameters": {p.name: {"low": p.low, "high": p.high, "integer": p.integer} for p in plan.parameters}}


def base_config(plan: Plan) -> dict[str, Any]:
    """The resolved config every run starts from (scenario and overrides applied), composed once."""
    return compose_base(plan.scenario, plan.overrides)


def bind(plan: Plan, config: dict[str, Any]) -> Plan:
    """Check every parameter names a numeric key of ``config``; mark integer keys."""
    numbers = flat_numbers(config)
    bound = []
    for parameter in plan.parameters:
        if parameter.name not in numbers:
            raise parameter_error(parameter.name, parameter.range, config)
        bound.append(replace(parameter, integer=isinstance(numbers[parameter.name], int)))
    check_ranges(config, bound)
    return replace(plan, parameters=tuple(bound))
