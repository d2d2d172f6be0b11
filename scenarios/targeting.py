"""Targeting levers: who a channel's impressions reach (stages, cart abandoners, personas).

A channel's audience is its ``target_stages``; these levers replace it, add recent cart
abandoners to it, re-weight personas, or concentrate impressions on the personas with the
highest affinity for the channel (personalisation). Budgets are not changed: combine with a
budget lever to move money into the targeted channel.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from journeysim.agents.customer import Stage
from journeysim.scenarios.base import Lever, Params, register
from journeysim.sim.errors import ConfigError
from journeysim.sim.state import CustomerState

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel


def recent_abandoners(state: CustomerState, stage_mask: np.ndarray | None, within: int, day: int) -> np.ndarray:
    """Rows of customers in the masked stages, plus those who abandoned a cart in the last
    ``within`` days and have not bought since (an audience for retargeting)."""
    last = state.last_abandon
    reach = (last >= 0) & (day - last <= within) & (state.last_purchase < last)
    if stage_mask is not None:
        reach |= stage_mask[state.stage]
    return np.flatnonzero(reach)


def _impressions_channel(params: Params, name: str, k: int) -> None:
    if params.spec.channels[k].kind != "impressions":
        raise ConfigError(params.key(name), params.spec.channel_names[k],
                          "an impressions channel (broadcast channels reach everyone)")


@register("targeting")
class Targeting(Lever):
    """Point a channel at chosen stages, recent cart abandoners and personas.

    YAML::

        type: targeting
        channel: display
        stages: [deciding]            # replaces the channel's target_stages
        abandoned_within_days: 14     # also reach cart abandoners of the last 14 days (0: no)
        personas: {deal_seeker: 2.0}  # multiply the persona's affinity for the channel

    Parameters
    ----------
    channel : int
        Index of the channel.
    stages : tuple of int or None
        Stage codes of the new audience (None: keep the configured one).
    abandoned_within_days : int
        Days after an abandoned checkout during which the customer is in the audience.
    personas : ndarray or None
        Affinity multiplier per persona (None: unchanged).
    """

    keys = ("channel", "stages", "abandoned_within_days", "personas")
    default_channel: ClassVar[str | None] = None
    default_stages: ClassVar[tuple[str, ...] | None] = None
    default_abandoned: ClassVar[int] = 0

    def __init__(self, channel: int, stages: tuple[int, ...] | None, abandoned_within_days: int,
                 personas: np.ndarray | None) -> None:
        self.channel, self.stages = channel, stages
        self.abandoned_within_days, self.personas = abandoned_within_days, personas

    @classmethod
    def from_params(cls, params: Params) -> Targeting:
        k = params.channel("channel", cls.default_channel)
        stages = params.stages("stages", cls.default_stages) if (
            params.has("stages") or cls.default_stages) else None
        within = int(params.number("abandoned_within_days", low=0, integer=True, default=cls.default_abandoned))
        personas = params.persona_weights("personas") if params.has("personas") else None
        if stages is not None or within:
            _impressions_channel(params, "channel", k)
        if stages is None and not within and personas is None:
            raise ConfigError(params.prefix, dict(params.values),
                              "at least one of stages, abandoned_within_days or personas")
        return cls(k, stages, within, personas)

    def setup(self, model: JourneyModel) -> None:
        """Set the channel's audience and persona weights."""
        channel = model.touchpoints.channels[self.channel]
        if self.stages is not None:
            channel.target_mask = np.zeros(len(Stage), bool)
            channel.target_mask[list(self.stages)] = True
        if self.abandoned_within_days:
            channel.audience_rule = partial(recent_abandoners, model.state, channel.target_mask,
                                            self.abandoned_within_days)
        if self.personas is not None:
            channel.set_affinity(channel.affinity * self.personas)


@register("retargeting")
class Retargeting(Targeting):
    """Targeting with retargeting defaults: display to deciders and cart abandoners of 14 days."""

    default_channel = "display"
    default_stages = ("deciding",)
    default_abandoned = 14


@register("win_back")
class WinBack(Targeting):
    """Targeting with win-back defaults: email to lapsed customers only."""

    default_channel = "email"
    default_stages = ("lapsed",)


@register("nurture")
class Nurture(Targeting):
    """Targeting with nurture defaults: email to considering customers only."""

    default_channel = "email"
    default_stages = ("considering",)


@register("personalisation")
class Personalisation(Lever):
    """Concentrate impressions on the customers with the highest affinity for each channel.

    Reach weights become ``affinity ** power`` (relative to the largest); ``power: 1`` is the
    configured media, larger powers give the budget to the best-matched personas.

    YAML::

        type: personalisation
        channels: [social, display, email]   # default: every impressions channel
        power: 3.0
    """

    keys = ("channels", "power")

    def __init__(self, channels: list[int], power: float) -> None:
        self.channels, self.power = channels, power

    @classmethod
    def from_params(cls, params: Params) -> Personalisation:
        spec = params.spec
        default = tuple(c.name for c in spec.channels if c.kind == "impressions")
        channels = params.channel_list("channels", default)
        for k in channels:
            _impressions_channel(params, "channels", k)
        return cls(channels, params.number("power", low=0.0, high=20.0, default=3.0))

    def setup(self, model: JourneyModel) -> None:
        """Raise the affinity power of the channels."""
        for k in self.channels:
            channel = model.touchpoints.channels[k]
            channel.affinity_power = self.power
            channel.set_affinity(channel.affinity)
