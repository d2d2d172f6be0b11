"""Scenario levers: campaign decisions as code, each with one hook into the daily step.

A lever has ``setup(model)`` (once, before day 0) and ``before_day(model, day)`` (each
morning), and changes the run only through ``model.controls``
(:class:`~journeysim.sim.controls.MarketControls`: budgets, price, friction, audiences,
exposure modifiers, word of mouth, traits, staffing), never by writing the model's attributes
(``tests/test_controls.py`` scans for that). ``build_levers`` reads ``scenario.levers`` from
the config: a list of mappings, each with a ``type`` naming a lever of :data:`LEVERS` and that
lever's parameters.

==============================  ====================================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

# Importing the lever modules registers their classes in LEVERS.
from journeysim.scenarios import (  # noqa: F401
    accounts,
    adaptive,
    budgets,
    designs,
    offers,
    omnichannel,
    operations,
    pricing,
    product,
    programmes,
    spend_plan,
    support,
    targeting,
)
from journeysim.scenarios.base import LEVERS, Lever, Params, make_lever, register
from journeysim.scenarios.budgets import BudgetLever, configured_plan
from journeysim.sim.config import RunSpec
from journeysim.sim.errors import ConfigError

__all__ = ["LEVERS", "Lever", "Params", "build_levers", "planned_budgets", "register"]


def lever_entries(spec: RunSpec) -> Sequence[Any]:
    """The ``scenario.levers`` list of the run (empty if none)."""
    entries = spec.scenario_params.get("levers")
    if entries is None:
        return []
    if not isinstance(entries, list | tuple):
        raise ConfigError("scenario.levers", entries, "a list of levers, each {type: ..., parameters}")
    return entries


def build_levers(spec: RunSpec) -> list[Lever]:
    """Levers configured for the run's scenario, in order (none for the baseline).

    Raises
    ------
    ConfigError
        Naming ``scenario.levers[i].key`` for an unknown lever type or a bad parameter.
    """
    if spec.kind != "journey":
        return []
    return [make_lever(entry, f"scenario.levers[{i}]", spec) for i, entry in enumerate(lever_entries(spec))]


def planned_budgets(spec: RunSpec, levers: Sequence[Lever] | None = None) -> np.ndarray:
    """The media plan the run will follow: budget per day and channel, shape (days, channels).

    Currency per day at ``population.reference_size`` (the engine scales it to the population).
    Budget levers are applied in order, as in the run, so the total of a reallocation scenario
    can be compared with the baseline's before anything runs.
    """
    plan = configured_plan(spec)
    for lever in build_levers(spec) if levers is None else levers:
        if isinstance(lever, BudgetLever):
            lever.apply(plan)
    return plan

