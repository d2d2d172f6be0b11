"""Support channels of the ``service`` section: ``service.channels.<name>`` entries.

The default channel (``service.default_channel``, "phone" unless renamed) is described by the
section's own keys (``staff_schedule``, ``handle_time_hours``, ``hours_per_day``,
``patience_hours``, ``first_contact_resolution``, ``cost_per_contact``, ``cost_per_agent_day``)
and takes the share of contacts the listed channels leave. Each listed channel states its own.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Annotated, Any

from journeysim.sim.schema.fields import PROBABILITY, FieldRule, Flag, Number, Rule, SpecBase, Text, at, spec
from journeysim.sim.schema.messages import unknown_key

NON_NEGATIVE = Number(low=0.0)


HOURS = Number(positive=True, infinite=True)
"""Hours greater than 0, or ``.inf`` (never: the patience of an email writer)."""


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
                    raise unknown_key((i, key), entry[key], ("from_day", "staff"))
            day = at(day_rule.check, entry.get("from_day"), i, "from_day")
            staff = at(staff_rule.check, entry.get("staff"), i, "staff")
            if (i == 0 and day != 0) or day <= last:
                allowed = ("0 (the first entry starts on day 0)" if i == 0
                           else f"a day after {last} (days must increase)")
                raise Rule(day, allowed, (i, "from_day"))
            entries.append({"from_day": day, "staff": staff})
            last = day
        return entries


def staff_on(schedule: list[dict], day: float) -> int:
    """Agents on duty on ``day`` according to ``schedule``."""
    staff = schedule[0]["staff"]
    for entry in schedule:
        if entry["from_day"] <= day:
            staff = entry["staff"]
    return staff


def _one_agent() -> list[dict]:
    return [{"from_day": 0, "staff": 1}]


@spec
class SupportChannelSpec(SpecBase):
    """One support channel besides the default one.

    Attributes
    ----------
    share : float
        Share of contacts that choose this channel first (the shares of all listed channels sum
        to at most 1; the default channel takes the rest).
    self_service : bool
        An FAQ or help centre: no agents, no wait; it resolves a contact with probability
        ``first_contact_resolution`` (the deflection rate), else the customer goes on to the
        default channel.
    staff_schedule : list of dict
        ``[{from_day, staff}, ...]`` agents on duty (ignored for self-service).
    handle_time_hours, hours_per_day : float
        Mean agent-hours per contact (exponential) and hours each agent works per calendar day.
    patience_hours : float
        Mean patience in the queue (exponential; ``.inf``: never abandons, as email).
    first_contact_resolution : float
        Probability a handled contact is resolved (self-service: deflected).
    cost_per_contact, cost_per_agent_day : float
        Currency per contact handled and per agent-day on duty.
    """

    name: Annotated[str, Text()]
    share: Annotated[float, PROBABILITY]
    self_service: Annotated[bool, Flag()] = False
    staff_schedule: Annotated[list[dict], StaffSchedule()] = dataclasses.field(default_factory=_one_agent)
    handle_time_hours: Annotated[float, Number(positive=True)] = 0.75  # agent-hours/contact
    hours_per_day: Annotated[float, Number(positive=True, high=24.0)] = 8.0  # hours/day
    patience_hours: Annotated[float, HOURS] = math.inf  # hours
    first_contact_resolution: Annotated[float, PROBABILITY] = 0.7  # probability
    cost_per_contact: Annotated[float, NON_NEGATIVE] = 0.0  # currency/contact
    cost_per_agent_day: Annotated[float, NON_NEGATIVE] = 0.0  # currency/agent-day

    @property
    def handle_time_days(self) -> float:
        """Mean handle time in days of staffed time (hours / hours_per_day)."""
        return self.handle_time_hours / self.hours_per_day

    @property
    def patience_days(self) -> float:
        """Mean patience in calendar days."""
        return self.patience_hours / 24.0

