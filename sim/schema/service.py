"""The ``service`` section (Hydra group ``conf/service``): fulfilment, delivery, support, returns.

The rules of the section live here once; :class:`ServiceSpec` is also the configuration the
service operations run with (``journeysim.sim.service.ServiceConfig`` is this class).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import model_validator

from journeysim.sim.schema.fields import (
    PROBABILITY,
    Choice,
    FieldRule,
    Flag,
    Named,
    Number,
    Rule,
    SpecBase,
    Text,
    at,
    load,
    spec,
)
from journeysim.sim.schema.messages import unknown_key
from journeysim.sim.schema.support import HOURS, StaffSchedule, SupportChannelSpec, staff_on

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
                raise unknown_key((key,), value[key], self.keys)
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
    default_channel : str
        Name of the channel the section's own support keys describe (``staff_schedule``,
        ``handle_time_hours``, ...); it takes the share of contacts the ``channels`` leave.
    patience_hours : float
        Mean patience in the default channel's queue, hours (exponential; ``.inf``: never).
    first_contact_resolution : float
        Probability that a handled contact is resolved; an unresolved one comes back once after
        ``recontact_days``, and if that fails too it stays unresolved.
    retry_share, retry_hours : float
        Share of the customers who gave up in a queue that contact again, once, ``retry_hours``
        later (calendar hours; a retrial).
    cost_per_contact, cost_per_agent_day : float
        The default channel's currency per contact handled and per agent-day on duty.
    wismo_share : float
        Share of the ``ticket_probability`` contacts that ask "where is my order" while the
        parcel is in transit (the rest are complaints opened on arrival).
    late_wismo_probability : float
        Probability that a customer whose order is not delivered by the promised day asks.
    proactive_notifications : bool
        Order-status and delivery notifications are sent; they prevent a share
        ``notification_prevention`` of "where is my order" contacts.
    abandon_penalty, unresolved_penalty : float
        Satisfaction lost by abandoning the queue and by a contact left unresolved.
    recovery_share : float
        Share of the failure's satisfaction loss a resolved complaint gives back (below 1: no
        recovery paradox).
    in_control_factor : float
        Multiplier on waits the firm controls (support queues, warehouse backlog) against
        delays it does not (carrier transit).
    channels : tuple of SupportChannelSpec
        Further support channels (chat, email, self-service), ``{name: {share, ...}}``.
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
    default_channel: Annotated[str, Text()] = "phone"
    patience_hours: Annotated[float, HOURS] = 4.0  # hours
    first_contact_resolution: Annotated[float, PROBABILITY] = 0.7  # probability
    recontact_days: Annotated[float, NON_NEGATIVE] = 1.0  # days
    retry_share: Annotated[float, PROBABILITY] = 0.5  # share of customers who gave up
    retry_hours: Annotated[float, NON_NEGATIVE] = 3.0  # hours
    cost_per_contact: Annotated[float, NON_NEGATIVE] = 0.0  # currency/contact
    cost_per_agent_day: Annotated[float, NON_NEGATIVE] = 0.0  # currency/agent-day
    wismo_share: Annotated[float, PROBABILITY] = 0.16  # share of contacts
    late_wismo_probability: Annotated[float, PROBABILITY] = 0.1  # contacts/late order
    proactive_notifications: Annotated[bool, Flag()] = False
    notification_prevention: Annotated[float, PROBABILITY] = 0.5  # share of WISMO contacts
    abandon_penalty: Annotated[float, NON_NEGATIVE] = 0.3  # satisfaction
    unresolved_penalty: Annotated[float, NON_NEGATIVE] = 0.2  # satisfaction
    recovery_share: Annotated[float, PROBABILITY] = 0.5  # share of the failure's loss
    in_control_factor: Annotated[float, Number(low=1.0)] = 1.5  # multiplier
    channels: Annotated[tuple[SupportChannelSpec, ...], Named(
        SupportChannelSpec, "a mapping with share and the channel's numbers")] = ()

    @model_validator(mode="after")
    def _shares_at_most_one(self) -> ServiceSpec:
        total = sum(channel.share for channel in self.channels)
        if total > 1.0 + 1e-9:
            shares = {channel.name: channel.share for channel in self.channels}
            raise Rule(shares, f"shares summing to at most 1 (they sum to {total:.6g}; "
                       "the default channel takes the rest)", ("channels",))
        if any(channel.name == self.default_channel for channel in self.channels):
            raise Rule(self.default_channel, "a name other than service.default_channel "
                       "(its numbers are the section's own keys)", ("channels", self.default_channel))
        return self

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
        channels = tuple(dataclasses.replace(channel, staff_schedule=scaled_schedule(channel.staff_schedule, factor))
                         for channel in self.channels)
        return dataclasses.replace(self, fulfilment_capacity=self.fulfilment_capacity * factor,
                                   staff_schedule=scaled_schedule(self.staff_schedule, factor),
                                   channels=channels, scale_with_population=False)

    def staff_on(self, day: float) -> int:
        """Staffed agents of the default channel on ``day`` according to the schedule."""
        return staff_on(self.staff_schedule, day)

    @property
    def patience_days(self) -> float:
        """Mean patience in the default channel's queue, calendar days."""
        return self.patience_hours / HOURS_PER_CALENDAR_DAY

    @property
    def retry_days(self) -> float:
        """Calendar days until a customer who gave up in a queue contacts again."""
        return self.retry_hours / HOURS_PER_CALENDAR_DAY

    @property
    def handle_time_days(self) -> float:
        """Mean handle time in days of staffed time (hours / hours_per_day)."""
        return self.handle_time_hours / self.hours_per_day


def scaled_schedule(schedule: list[dict], factor: float) -> list[dict]:
    """A staff schedule per 10,000 customers for ``factor`` times that population."""
    return [{"from_day": entry["from_day"], "staff": scaled_staff(entry["staff"], factor)} for entry in schedule]


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
