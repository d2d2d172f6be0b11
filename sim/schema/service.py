"""The ``service`` section (Hydra group ``conf/service``): fulfilment, delivery, support, returns.

The rules of the section live here once; :class:`ServiceSpec` is also the configuration the
service operations run with (``journeysim.sim.service.ServiceConfig`` is this class).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Annotated, Any

from journeysim.sim.errors import closest
from journeysim.sim.schema.fields import (
    PROBABILITY,
    Choice,
    FieldRule,
    Flag,
    Number,
    Rule,
    SpecBase,
    at,
    load,
    spec,
)

HOURS_PER_CALENDAR_DAY = 24.0  # hours
WAIT_SHAPES = ("linear", "logistic")
"""Shapes of the wait-penalty curve."""
WAIT_PENALTY_KEYS = ("shape", "per_day", "max", "midpoint_days", "steepness_per_day")
DELIVERY_PENALTY_KEYS = ("promised_days", "per_day", "max")
NON_NEGATIVE = Number(low=0.0)


class Capacity(Number):
    """Orders a day: a number greater than 0, or ``.inf`` (no limit)."""

    def check(self, value: Any) -> float:
        """The capacity (``inf`` allowed)."""
        if isinstance(value, int | float) and not isinstance(value, bool) and value == math.inf:
            return math.inf
        return super().check(value)


class StaffSchedule(FieldRule):
    """``[{from_day: D, staff: N}, ...]``: whole numbers, the first from day 0, days increasing."""

    what = "a list of {from_day: D, staff: N} entries, the first from day 0"

    def check(self, value: Any) -> list[dict]:
        """The schedule as ``[{"from_day": int, "staff": int}, ...]``."""
        if not isinstance(value, list | tuple) or not value:
            raise Rule(value, self.what)
        entries, last = [], -1
        day_rule, staff_rule = Number(low=0, integer=True), Number(low=0, integer=True)
        for i, entry in enumerate(value):
            if not isinstance(entry, Mapping):
                raise Rule(entry, "a mapping {from_day: D, staff: N}", (i,))
            for key in entry:
                if key not in ("from_day", "staff"):
                    raise Rule(key, f"a key of {{section}}: {closest(str(key), ('from_day', 'staff'))}", (i, key))
            day = at(day_rule.check, entry.get("from_day"), i, "from_day")
            staff = at(staff_rule.check, entry.get("staff"), i, "staff")
            if (i == 0 and day != 0) or day <= last:
                allowed = ("0 (the first entry starts on day 0)" if i == 0
                           else f"a day after {last} (days must increase)")
                raise Rule(day, allowed, (i, "from_day"))
            entries.append({"from_day": day, "staff": staff})
            last = day
        return entries


class PenaltyCurve(FieldRule):
    """Satisfaction lost against days (a wait or a late delivery): a mapping of its parameters."""

    what = "a mapping of the curve's parameters"

    def __init__(self, keys: tuple[str, ...], wait: bool) -> None:
        self.keys, self.wait = keys, wait

    def check(self, value: Any) -> dict:
        """The curve (``shape`` filled in for a wait curve), its required numbers checked."""
        if not isinstance(value, Mapping):
            raise Rule(value, "a mapping of keys to values")
        for key in value:
            if key not in self.keys:
                raise Rule(key, f"a key of {{section}}: {closest(str(key), self.keys)}", (key,))
        curve = dict(value)
        required = ["max"]
        if self.wait:
            shape = at(Choice(WAIT_SHAPES).check, curve.setdefault("shape", "linear"), "shape")
            required += ["per_day"] if shape == "linear" else ["midpoint_days", "steepness_per_day"]
        else:
            required += ["promised_days", "per_day"]
        for name in required:
            curve[name] = at(NON_NEGATIVE.check, curve.get(name), name)
        return curve


def _default_schedule() -> list[dict]:
    return [{"from_day": 0, "staff": 2}]


def _default_wait_penalty() -> dict:
    return {"shape": "linear", "per_day": 0.2, "max": 0.5}


def _default_delivery_penalty() -> dict:
    return {"promised_days": 3.0, "per_day": 0.05, "max": 0.4}


@spec(frozen=False)
class ServiceSpec(SpecBase):
    """Parameters of the service layer (the Hydra group ``service``).

    Attributes
    ----------
    enabled : bool
        If False, ``place_orders`` ignores orders and every day is empty.
    fulfilment_capacity : float
        Orders shipped per day (warehouse capacity); more wait in a FIFO backlog. May be ``inf``.
    delivery_days_mean, delivery_days_cv : float
        Mean (days) and coefficient of variation of the gamma transit delay after shipping.
    ticket_probability : float
        Base share of orders that open a support ticket.
    ticket_quality_slope : float
        Extra ticket probability per unit of quality shortfall (shortfall in [0, 1]).
    handle_time_hours : float
        Mean support handle time per ticket, hours of agent work (exponential).
    staff_schedule : list of dict
        ``[{"from_day": 0, "staff": 4}, {"from_day": 60, "staff": 8}]``; ascending days, the
        first entry from day 0.
    hours_per_day : float
        Hours each agent works per calendar day (see ``sim/service.py`` on staffed time).
    return_threshold : float
        Satisfaction at delivery below which a customer may return the order.
    return_probability : float
        Probability of a return given satisfaction below the threshold.
    wait_penalty : dict
        Satisfaction lost against support wait (days): ``{"shape": "linear", "per_day", "max"}``
        or ``{"shape": "logistic", "midpoint_days", "steepness_per_day", "max"}``.
    delivery_penalty : dict
        Satisfaction lost per day of order-to-door beyond a promise:
        ``{"promised_days", "per_day", "max"}``.
    scale_with_population : bool
        Capacity and staff are per 10,000 customers; the model calls :meth:`scaled`.
    """

    enabled: Annotated[bool, Flag()] = True
    fulfilment_capacity: Annotated[float, Capacity(positive=True)] = 120.0  # orders/day
    delivery_days_mean: Annotated[float, NON_NEGATIVE] = 2.5  # days
    delivery_days_cv: Annotated[float, NON_NEGATIVE] = 0.4  # dimensionless
    ticket_probability: Annotated[float, PROBABILITY] = 0.04  # tickets/order
    ticket_quality_slope: Annotated[float, NON_NEGATIVE] = 0.3  # tickets/order per unit shortfall
    handle_time_hours: Annotated[float, Number(positive=True)] = 0.75  # agent-hours/ticket
    staff_schedule: Annotated[list[dict], StaffSchedule()] = dataclasses.field(
        default_factory=_default_schedule)  # agents
    hours_per_day: Annotated[float, Number(positive=True, high=HOURS_PER_CALENDAR_DAY)] = 8.0  # hours/day
    return_threshold: Annotated[float, Number()] = -0.2  # satisfaction
    return_probability: Annotated[float, PROBABILITY] = 0.3  # probability
    wait_penalty: Annotated[dict, PenaltyCurve(WAIT_PENALTY_KEYS, wait=True)] = dataclasses.field(
        default_factory=_default_wait_penalty)
    delivery_penalty: Annotated[dict, PenaltyCurve(DELIVERY_PENALTY_KEYS, wait=False)] = dataclasses.field(
        default_factory=_default_delivery_penalty)
    scale_with_population: Annotated[bool, Flag()] = True

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any], prefix: str = "service") -> ServiceSpec:
        """Validate a plain or OmegaConf mapping (unknown keys rejected).

        Raises
        ------
        ConfigError
            Naming the key (``service.staff_schedule[0].from_day``), the value and what is allowed.
        """
        from journeysim.sim.schema.fields import plain

        return load(cls, plain(mapping), prefix)

    def scaled(self, factor: float) -> ServiceSpec:
        """Return a copy with capacity and staff multiplied by ``factor``.

        Staff are rounded half up, at least 1 agent (:func:`scaled_staff`). The copy holds
        absolute numbers, so its ``scale_with_population`` is False.
        """
        if not factor > 0:
            raise ValueError(f"scale factor must be positive, got {factor}")
        schedule = [{"from_day": entry["from_day"], "staff": scaled_staff(entry["staff"], factor)}
                    for entry in self.staff_schedule]
        return dataclasses.replace(self, fulfilment_capacity=self.fulfilment_capacity * factor,
                                   staff_schedule=schedule, scale_with_population=False)

    def staff_on(self, day: float) -> int:
        """Staffed agents on ``day`` according to the schedule."""
        staff = self.staff_schedule[0]["staff"]
        for entry in self.staff_schedule:
            if entry["from_day"] <= day:
                staff = entry["staff"]
        return staff

    @property
    def handle_time_days(self) -> float:
        """Mean handle time in days of staffed time (hours / hours_per_day)."""
        return self.handle_time_hours / self.hours_per_day


def scaled_staff(staff: float, factor: float) -> int:
    """Agents for ``staff`` per 10,000 customers at ``factor`` times that population: rounded
    half up, at least one agent."""
    return max(1, math.floor(staff * factor + 0.5))


DISABLED = {"enabled": False}
"""The service section of a run without one (no ``service`` group)."""


def parse_service(cfg: Mapping | None) -> ServiceSpec:
    """Validate the ``service`` section (absent or empty: a disabled service)."""
    if cfg is None or (isinstance(cfg, Mapping) and not cfg):
        return ServiceSpec(enabled=False)
    return ServiceSpec.from_dict(cfg)
