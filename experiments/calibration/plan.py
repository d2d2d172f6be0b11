"""A calibration plan: the parameters fitted with their priors, the runs compared with the data, the inference's size.

A plan in YAML (``conf/calibration/*.yaml`` or any file)::

    scenario: baseline
    overrides: [population.size=3000, service.enabled=false]
    market_size: null        # real customers behind the observed counts (default: population.size)
    warmup_weeks: 0          # weeks simulated before the first observed week
    seed: 0
    parameters:
      market.checkout_friction: {low: 0.05, high: 0.6}
      network.positive_kick: [0.1, 1.5]
      population.personas.impulse_buyer.interest_decay: {low: 0.02, high: 0.3, log: true}
    statistics: null         # data columns compared (default: every column of the data)
    abc: {population_size: 60, generations: 5, max_simulations: 1500, min_epsilon: 0.0, predictive_draws: 20}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from journeysim.experiments import plans
from journeysim.experiments.keys import check_ranges, flat_numbers, is_share, parameter_error, set_parameters, settable
from journeysim.experiments.plans import Parameter
from journeysim.sim.errors import ConfigError

PLAN_PACKAGE = "journeysim.conf.calibration"


def read_plan_file(source: str, package: str = PLAN_PACKAGE) -> tuple[str, dict[str, Any]]:
    """Read a calibration or budget plan (a YAML path or a name in ``conf/calibration``)."""
    return plans.read_plan_file(source, package)


@dataclass(frozen=True)
class CalibrationPlan:
    """A calibration: which parameters, the simulation compared with the data, and the inference's size."""

    name: str
    parameters: tuple[Parameter, ...]
    scenario: str | None = None
    config_dir: str | None = None
    overrides: tuple[str, ...] = ()
    statistics: tuple[str, ...] | None = None
    market_size: int | None = None
    warmup_weeks: int = 0
    seed: int = 0
    population_size: int = 60
    generations: int = 5
    max_simulations: int = 1500
    min_epsilon: float = 0.0
    predictive_draws: int = 20




def parse_plan(name: str, raw: Mapping[str, Any]) -> CalibrationPlan:
    """Validate a raw plan mapping with the schema's :class:`~journeysim.sim.schema.plans.CalibrationPlanSpec`.

    Raises
    ------
    ConfigError
        For the first bad value, naming its plan key, the value and what is allowed.
    """
    from journeysim.sim.schema.plans import CalibrationPlanSpec, load_plan

    spec = load_plan(CalibrationPlanSpec, name, raw)
    abc = spec.abc
    return CalibrationPlan(
        name=spec.name, parameters=spec.parameters,
        scenario=spec.scenario, config_dir=spec.config_dir, overrides=spec.overrides, statistics=spec.statistics,
        market_size=spec.market_size, warmup_weeks=spec.warmup_weeks, seed=spec.seed,
        population_size=abc.population_size, generations=abc.generations, max_simulations=abc.max_simulations,
        min_epsilon=abc.min_epsilon, predictive_draws=abc.predictive_draws)


def bind(plan: CalibrationPlan, config: Mapping[str, Any]) -> CalibrationPlan:
    """Check each parameter names a settable numeric key of ``config``; mark integer keys.

    Persona shares may be fitted when the other personas can take up the rest (the fitted
    shares' upper bounds sum to less than 1) or when every persona's share is fitted.
    """
    numbers = flat_numbers(config)
    bound = []
    for p in plan.parameters:
        if not settable(config, p.name):
            raise parameter_error(p.name, p.range, config)
        bound.append(replace(p, integer=isinstance(numbers.get(p.name), int)))
    shares = [p for p in bound if is_share(p.name)]
    personas = config.get("population", {}).get("personas", {})
    if shares and len(shares) < len(personas) and sum(p.high for p in shares) >= 1.0:
        raise ConfigError("parameters.population.personas.*.share", {p.name: p.high for p in shares},
                          "upper bounds summing to less than 1 (the other personas share the rest)")
    check_ranges(config, bound, setter=set_parameters)
    return replace(plan, parameters=tuple(bound))


def plan_mapping(plan: CalibrationPlan) -> dict[str, Any]:
    """The plan as a YAML/JSON-ready mapping (as run)."""
    return {"scenario": plan.scenario, "config_dir": plan.config_dir, "overrides": list(plan.overrides),
            "statistics": None if plan.statistics is None else list(plan.statistics),
            "market_size": plan.market_size, "warmup_weeks": plan.warmup_weeks, "seed": plan.seed,
            "parameters": {p.name: {"low": p.low, "high": p.high, "log": p.log} for p in plan.parameters},
            "abc": {"population_size": plan.population_size, "generations": plan.generations,
                    "max_simulations": plan.max_simulations, "min_epsilon": plan.min_epsilon,
                    "predictive_draws": plan.predictive_draws}}
