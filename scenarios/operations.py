"""Operations levers: the support staffing roster and the warehouse's fulfilment capacity.

Both replace a number of the service layer (``conf/service``) from given days on. Numbers are
per 10,000 customers when ``service.scale_with_population`` is true (scaled like the service
config), else absolute. Each day the lever books the difference from the configured number
times a unit cost as programme cost (negative: a saving).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from journeysim.scenarios.base import Lever, Params, book_cost, register
from journeysim.sim.errors import ConfigError
from journeysim.sim.schema.service import scaled_staff
from journeysim.sim.service import population_factor

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel


def roster(params: Params, lever: str, value: str, *, integer: bool, low: float) -> list[tuple[int, float]]:
    """``schedule: [{from_day, <value>}, ...]`` as ascending ``(day, value)`` pairs."""
    if not params.spec.service.enabled:
        raise ConfigError(f"{params.prefix}.type", lever, "a lever of a run with service.enabled: true")
    entries = params.items("schedule")
    if not entries:
        raise ConfigError(params.key("schedule"), entries, f"at least one {{from_day, {value}}} entry")
    pairs: list[tuple[int, float]] = []
    for j, entry in enumerate(entries):
        key = f"{params.key('schedule')}[{j}]"
        if not isinstance(entry, Mapping):
            raise ConfigError(key, entry, f"a mapping with from_day and {value}")
        row = Params(entry, key, params.spec, ("from_day", value))
        day = int(row.number("from_day", low=0, integer=True))
        if pairs and day <= pairs[-1][0]:
            raise ConfigError(row.key("from_day"), day, f"a day after the previous entry's ({pairs[-1][0]})")
        pairs.append((day, row.number(value, low=low, high=1e9, integer=integer)))
    return pairs


class ServiceRoster(Lever):
    """A schedule of one service number from given days; subclasses say which number.

    Parameters
    ----------
    schedule : list of (int, float)
        ``(from_day, value)`` pairs as stated in YAML.
    cost : float
        Currency per unit above the configured number per day.
    """

    def __init__(self, schedule: list[tuple[int, float]], cost: float) -> None:
        self.schedule, self.cost = schedule, cost
        self.changes: dict[int, float] = {}

    def scale(self, value: float, factor: float) -> float:
        """The value for a population ``factor`` times 10,000 customers."""
        return value * factor

    def apply(self, model: JourneyModel, value: float) -> None:  # pragma: no cover - interface
        """Put ``value`` into the service from today."""
        raise NotImplementedError

    def configured(self, model: JourneyModel, day: int) -> float:  # pragma: no cover - interface
        """The configured value on ``day``."""
        raise NotImplementedError

    def setup(self, model: JourneyModel) -> None:
        """Turn the schedule into absolute numbers for this population."""
        scaled = model.spec.service.scale_with_population
        factor = population_factor(model.spec.population.size)  # per 10,000 people in the market
        self.changes = {day: self.scale(v, factor) if scaled else v for day, v in self.schedule}

    def before_day(self, model: JourneyModel, day: int) -> None:
        """Apply the day's change and book the cost against the configured number."""
        if day in self.changes:
            self.apply(model, self.changes[day])
        if self.cost and day >= self.schedule[0][0]:
            value = self.changes[max(d for d in self.changes if d <= day)]
            book_cost(model, day, (value - self.configured(model, day)) * self.cost)


@register("support_staffing")
class SupportStaffing(ServiceRoster):
    """Replace the support roster (``service.staff_schedule``) from the first entry on.

    YAML::

        type: support_staffing
        schedule:
          - {from_day: 0, staff: 2}
          - {from_day: 320, staff: 6}
        cost_per_agent_day: 200     # currency per agent per day
    """

    keys = ("schedule", "cost_per_agent_day")

    @classmethod
    def from_params(cls, params: Params) -> SupportStaffing:
        """Build the lever from its validated YAML parameters."""
        return cls(roster(params, cls.name, "staff", integer=True, low=0),
                   params.number("cost_per_agent_day", low=0.0, default=0.0))

    def scale(self, value: float, factor: float) -> float:
        """Scale a configured amount to the population size."""
        return scaled_staff(value, factor)

    def apply(self, model: JourneyModel, value: float) -> None:
        """Put ``value`` into effect on the model."""
        model.controls.set_support_staff(int(value))

    def configured(self, model: JourneyModel, day: int) -> float:
        """The amount the run's configuration has on ``day``."""
        return model.controls.configured_staff(day)


@register("fulfilment_capacity")
class FulfilmentCapacity(ServiceRoster):
    """Change the warehouse's orders shipped per day (``service.fulfilment_capacity``) from given days.

    YAML::

        type: fulfilment_capacity
        schedule:
          - {from_day: 320, orders_per_day: 300}
          - {from_day: 351, orders_per_day: 120}
        cost_per_order_day: 2.0     # currency per order/day of capacity above the configured, per day
    """

    keys = ("schedule", "cost_per_order_day")

    def __init__(self, schedule: list[tuple[int, float]], cost: float) -> None:
        super().__init__(schedule, cost)
        self.base: float | None = None

    @classmethod
    def from_params(cls, params: Params) -> FulfilmentCapacity:
        """Build the lever from its validated YAML parameters."""
        return cls(roster(params, cls.name, "orders_per_day", integer=False, low=1e-9),
                   params.number("cost_per_order_day", low=0.0, default=0.0))

    def setup(self, model: JourneyModel) -> None:
        """Prepare the model before the first day."""
        super().setup(model)
        self.base = model.controls.fulfilment_capacity

    def apply(self, model: JourneyModel, value: float) -> None:
        """Put ``value`` into effect on the model."""
        model.controls.set_fulfilment_capacity(float(value))

    def configured(self, model: JourneyModel, day: int) -> float:
        """The amount the run's configuration has on ``day``."""
        return self.base
