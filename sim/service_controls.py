"""The service part of the lever API (``model.controls``): support staff per channel, support
channels, self-service content, proactive notifications and fulfilment capacity.

All of these are shared resources: they take no customer scope (passing one raises
``SharedResourceError``). Staff and capacity are absolute numbers for this population.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from journeysim.sim.errors import ConfigError
from journeysim.sim.schema.support import SupportChannelSpec

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel
    from journeysim.sim.service import ServiceOperations


class ServiceControls:
    """Operations on the service layer; mixed into :class:`~journeysim.sim.controls.MarketControls`."""

    # provided by MarketControls: the model and the shared-resource check
    _model: JourneyModel
    _shared: Callable[[str, Any], None]

    # ------------------------------------------------------------------ support staff
    def set_support_staff(self, staff: int, scope: Any = None, channel: str | None = None) -> None:
        """Support agents on duty in ``channel`` (default: the default channel) from today on;
        replaces that channel's configured roster."""
        self._shared("set_support_staff", scope)
        if not staff >= 0:
            raise ConfigError("staff", staff, "a whole number of agents of at least 0")
        service = self._service("set_support_staff")
        service.set_staff(int(staff), self._support_channel(service, channel).name)

    def support_staff(self, channel: str | None = None) -> int:
        """Support agents on duty in ``channel`` now (default: the default channel)."""
        service = self._service("support_staff")
        desk = self._support_channel(service, channel).desk
        return 0 if desk is None else int(desk.capacity)

    def move_support_staff(self, staff: int, from_channel: str, to_channel: str, scope: Any = None) -> None:
        """Move ``staff`` agents from one support channel to another from today on (as many as
        the first has, at most)."""
        self._shared("move_support_staff", scope)
        moved = min(int(staff), self.support_staff(from_channel))
        self.set_support_staff(self.support_staff(from_channel) - moved, channel=from_channel)
        self.set_support_staff(self.support_staff(to_channel) + moved, channel=to_channel)

    def configured_staff(self, day: int) -> int:
        """Support agents the run's configuration has on ``day`` in the default channel."""
        return self._service("configured_staff").config.staff_on(day)

    # ------------------------------------------------------------------ channels and contacts
    def add_support_channel(self, channel: SupportChannelSpec | dict, scope: Any = None) -> None:
        """Open a support channel from today on (a spec, or a mapping as in
        ``service.channels.<name>`` with its ``name``); its staff schedule counts from day 0."""
        self._shared("add_support_channel", scope)
        service = self._service("add_support_channel")
        spec = channel if isinstance(channel, SupportChannelSpec) else _channel_spec(dict(channel))
        others = sum(c.share for c in service.channels.channels[1:])
        if others + spec.share > 1.0 + 1e-9:
            raise ConfigError(f"channels.{spec.name}.share", spec.share,
                              f"a share of at most {1.0 - others:.6g} (the other channels take {others:.6g})")
        try:
            service.add_channel(spec)
        except ValueError as error:
            raise ConfigError("channel", spec.name, f"a new channel name ({error})") from None

    def set_self_service(self, resolution: float | None = None, share: float | None = None,
                         channel: str = "self_service", scope: Any = None) -> None:
        """Self-service content from today on: the share of its contacts it resolves
        (``resolution``, the deflection rate) and the share of contacts that try it first."""
        self._shared("set_self_service", scope)
        target = self._support_channel(self._service("set_self_service"), channel)
        if not target.self_service:
            raise ConfigError("channel", channel, "a self-service channel")
        if resolution is not None:
            target.resolution = _probability("resolution", resolution)
        if share is not None:
            target.share = _probability("share", share)

    def set_proactive_notifications(self, on: bool = True, prevention: float | None = None,
                                    scope: Any = None) -> None:
        """Send order-status and delivery notifications from today on (or stop); ``prevention``
        is the share of "where is my order" contacts they prevent."""
        self._shared("set_proactive_notifications", scope)
        config = self._service("set_proactive_notifications").config
        config.proactive_notifications = bool(on)
        if prevention is not None:
            config.notification_prevention = _probability("prevention", prevention)

    # ------------------------------------------------------------------ fulfilment
    @property
    def fulfilment_capacity(self) -> float:
        """Orders the warehouse ships per day (this population)."""
        return self._service("fulfilment_capacity").config.fulfilment_capacity

    def set_fulfilment_capacity(self, orders_per_day: float, scope: Any = None) -> None:
        """Orders the warehouse ships per day from today on."""
        self._shared("set_fulfilment_capacity", scope)
        if not orders_per_day > 0:
            raise ConfigError("orders_per_day", orders_per_day, "a capacity above 0")
        self._service("set_fulfilment_capacity").config.fulfilment_capacity = float(orders_per_day)

    # ------------------------------------------------------------------ helpers
    def _service(self, operation: str) -> ServiceOperations:
        if self._model.service is None:
            raise ConfigError("service.enabled", False, f"true for {operation} (the run has no service layer)")
        return self._model.service

    @staticmethod
    def _support_channel(service: ServiceOperations, channel: str | None) -> Any:
        if channel is None:
            return service.channels.default
        try:
            return service.channels.named(channel)
        except KeyError:
            names = [c.name for c in service.channels.channels]
            raise ConfigError("channel", channel, f"one of the run's support channels: {', '.join(names)}") from None


def _probability(key: str, value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise ConfigError(key, value, "a number from 0 to 1")
    return float(value)


def _channel_spec(mapping: dict) -> SupportChannelSpec:
    """A channel spec from a mapping with its ``name`` (messages name ``channels.<name>``)."""
    from journeysim.sim.schema.fields import load

    name = str(mapping.get("name", ""))
    return load(SupportChannelSpec, mapping, f"channels.{name}" if name else "channel")
