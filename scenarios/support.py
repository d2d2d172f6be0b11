"""Support levers: open a channel, move staff between channels, self-service content, proactive
order-status notifications. Each acts from ``from_day`` on, only through ``model.controls``.

Staff numbers are per 10,000 customers when ``service.scale_with_population`` is true (scaled
like the service config), else absolute.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from journeysim.scenarios.base import Lever, Params, register
from journeysim.sim.errors import ConfigError
from journeysim.sim.schema.fields import load
from journeysim.sim.schema.service import scaled_schedule, scaled_staff
from journeysim.sim.schema.support import SupportChannelSpec
from journeysim.sim.service import population_factor

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel


def _needs_service(params: Params, lever: str) -> None:
    if not params.spec.service.enabled:
        raise ConfigError(f"{params.prefix}.type", lever, "a lever of a run with service.enabled: true")


def _factor(model: JourneyModel) -> float | None:
    """The population factor staff are scaled by, or None (absolute numbers)."""
    return population_factor(model.spec.population.size) if model.spec.service.scale_with_population else None


class OnDay(Lever):
    """A lever acting once, at the start of ``from_day``."""

    from_day = 0

    def before_day(self, model: JourneyModel, day: int) -> None:
        """Act on ``from_day``."""
        if day == self.from_day:
            self.act(model)

    def act(self, model: JourneyModel) -> None:  # pragma: no cover - interface
        """What the lever does on its day."""
        raise NotImplementedError


@register("support_channel")
class AddSupportChannel(OnDay):
    """Open a support channel (chat, email, self-service) on ``from_day``.

    YAML::

        type: support_channel
        from_day: 0
        channel:                       # as an entry of service.channels, with its name
          name: chat
          share: 0.3
          staff_schedule: [{from_day: 0, staff: 2}]
          handle_time_hours: 0.5
          patience_hours: 1.0
    """

    keys = ("from_day", "channel")

    def __init__(self, from_day: int, spec: SupportChannelSpec) -> None:
        self.from_day, self.spec = from_day, spec

    @classmethod
    def from_params(cls, params: Params) -> AddSupportChannel:
        """Build the lever from its validated YAML parameters."""
        _needs_service(params, cls.name)
        channel = dict(params.mapping("channel"))
        if not isinstance(channel.get("name"), str):
            raise ConfigError(params.key("channel.name"), channel.get("name"), "the channel's name (text)")
        spec = load(SupportChannelSpec, channel, params.key("channel"))
        return cls(int(params.number("from_day", low=0, integer=True, default=0)), spec)

    def act(self, model: JourneyModel) -> None:
        """Open the channel, its staff scaled to the population."""
        factor, spec = _factor(model), self.spec
        if factor is not None:
            spec = dataclasses.replace(spec, staff_schedule=scaled_schedule(spec.staff_schedule, factor))
        model.controls.add_support_channel(spec)


@register("move_support_staff")
class MoveSupportStaff(OnDay):
    """Move agents from one support channel to another on ``from_day``.

    YAML::

        type: move_support_staff
        from_day: 0
        staff: 1                       # agents (per 10,000 customers when scaled)
        from_channel: phone
        to_channel: chat
    """

    keys = ("from_day", "staff", "from_channel", "to_channel")

    def __init__(self, from_day: int, staff: int, from_channel: str, to_channel: str) -> None:
        self.from_day, self.staff, self.from_channel, self.to_channel = from_day, staff, from_channel, to_channel

    @classmethod
    def from_params(cls, params: Params) -> MoveSupportStaff:
        """Build the lever from its validated YAML parameters."""
        _needs_service(params, cls.name)
        names = []
        for key in ("from_channel", "to_channel"):
            value = params.values.get(key)
            if not isinstance(value, str) or not value:
                raise ConfigError(params.key(key), value, "a support channel's name")
            names.append(value)
        return cls(int(params.number("from_day", low=0, integer=True, default=0)),
                   int(params.number("staff", low=0, integer=True)), *names)

    def act(self, model: JourneyModel) -> None:
        """Move the agents (scaled to the population)."""
        factor = _factor(model)
        staff = self.staff if factor is None else scaled_staff(self.staff, factor)
        model.controls.move_support_staff(staff, self.from_channel, self.to_channel)


@register("self_service_content")
class SelfServiceContent(OnDay):
    """Better (or worse) self-service content on ``from_day``: the share of its contacts it
    resolves and the share of contacts that try it first.

    YAML::

        type: self_service_content
        from_day: 0
        channel: self_service          # the self-service channel's name
        resolution: 0.5                # share of its contacts it resolves (deflection rate)
        share: 0.3                     # share of contacts that try it first (optional)
    """

    keys = ("from_day", "channel", "resolution", "share")

    def __init__(self, from_day: int, channel: str, resolution: float | None, share: float | None) -> None:
        self.from_day, self.channel, self.resolution, self.share = from_day, channel, resolution, share

    @classmethod
    def from_params(cls, params: Params) -> SelfServiceContent:
        """Build the lever from its validated YAML parameters."""
        _needs_service(params, cls.name)
        channel = params.values.get("channel", "self_service")
        if not isinstance(channel, str):
            raise ConfigError(params.key("channel"), channel, "a self-service channel's name")
        resolution = params.probability("resolution") if params.has("resolution") else None
        share = params.probability("share") if params.has("share") else None
        if resolution is None and share is None:
            raise ConfigError(params.key("resolution"), None, "a share from 0 to 1 (or give share)")
        return cls(int(params.number("from_day", low=0, integer=True, default=0)), channel, resolution, share)

    def act(self, model: JourneyModel) -> None:
        """Set the content's resolution and share."""
        model.controls.set_self_service(self.resolution, self.share, channel=self.channel)


@register("proactive_notifications")
class ProactiveNotifications(OnDay):
    """Send order-status and delivery notifications from ``from_day``.

    YAML::

        type: proactive_notifications
        from_day: 0
        prevention: 0.5                # share of "where is my order" contacts prevented
    """

    keys = ("from_day", "prevention")

    def __init__(self, from_day: int, prevention: float | None) -> None:
        self.from_day, self.prevention = from_day, prevention

    @classmethod
    def from_params(cls, params: Params) -> ProactiveNotifications:
        """Build the lever from its validated YAML parameters."""
        _needs_service(params, cls.name)
        prevention = params.probability("prevention") if params.has("prevention") else None
        return cls(int(params.number("from_day", low=0, integer=True, default=0)), prevention)

    def act(self, model: JourneyModel) -> None:
        """Switch the notifications on."""
        model.controls.set_proactive_notifications(True, self.prevention)
