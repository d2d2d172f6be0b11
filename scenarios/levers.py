"""Scenario levers: campaign decisions as code, each with one hook into the daily step.

A lever has ``setup(model)`` (once, before day 0) and ``before_day(model, day)`` (each
morning). ``build_levers`` reads ``scenario.levers`` from the config.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from journeysim.sim.config import RunSpec
    from journeysim.sim.model import JourneyModel


class Lever:
    """Base class: a lever that does nothing until a hook is overridden."""

    def setup(self, model: JourneyModel) -> None:
        """Prepare the model before the first day."""

    def before_day(self, model: JourneyModel, day: int) -> None:
        """Set today's budgets, prices or capacities."""


def build_levers(spec: RunSpec) -> list[Lever]:
    """Levers configured for the run's scenario (none for the baseline)."""
    return []
