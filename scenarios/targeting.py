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

from journeysim.scenarios.base import Lever, Params, register
from journeysim.sim.config import number
from journeysim.sim.errors import ConfigError, UnknownKeyError
from journeysim.sim.stages import STAGE_NAMES, Stage
from journeysim.sim.state import CustomerState

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel


def targeted_audience(state: CustomerState, stage_mask: np.ndarray | None, within: int,
                      stage_weights: np.ndarray | None, day: int) -> np.ndarray:
    """Rows a targeted channel can reach today.

    Parameters
    ----------
    state : CustomerState
        Reads ``stage``, ``last_abandon``, ``last_purchase`` and ``present``.
    stage_mask : ndarray of bool or None
        Stages in the audience (None: every stage, or none if ``within`` is set).
    within : int
        Customers who abandoned a cart in the last ``within`` days and have not bought since
        join the audience (0: nobody).
    stage_weights : ndarray of int or None
        Whole-number weight per stage: a customer of weight ``w`` appears ``w`` times in the
        audience, so is ``w`` times as likely to receive each impression (0 drops the stage).
    day : int
        Today.
    """
    reach = stage_mask[state.stage] if stage_mask is not None else np.full(state.size, not within)
    if within:
        last = state.last_abandon
        reach |= (last >= 0) & (day - last <= within) & (state.last_purchase < last)
    if state.open:
        reach &= state.present  # people in the market (an open population holds rows for others)
    rows = np.flatnonzero(reach)
    if stage_weights is not None:
        rows = np.repeat(rows, stage_weights[state.stage[rows]])
    return rows


def stage_weights(params: Params, default: dict[str, int] | None) -> np.ndarray | None:
    """``{stage: whole-number weight}`` as an array over stages (stages not listed: 1)."""
    if not params.has("stage_weights") and default is None:
        return None
    values = params.mapping("stage_weights", default)
    weights = np.ones(len(Stage), np.int64)
    for name in values:
        if name not in STAGE_NAMES:
            raise UnknownKeyError(f"{params.key('stage_weights')}.{name}", values[name], STAGE_NAMES,
                                  params.key("stage_weights"))
        weights[STAGE_NAMES.index(name)] = number(values, name, params.key("stage_weights"), low=0, high=100,
                                                  integer=True)
    return weights


@register("targeting")
class Targeting(Lever):
    """Point a channel at chosen stages, recent cart abandoners and personas.

    YAML::

        type: targeting
        channel: display
        stages: [deciding]               # replaces the channel's target_stages
        abandoned_within_days: 14        # also reach cart abandoners of the last 14 days (0: no)
        stage_weights: {considering: 4}  # whole numbers: considerers get 4x the impressions each
        personas: {deal_seeker: 2.0}     # multiply the persona's affinity for the channel

    Parameters
    ----------
    channel : int
        Index of the channel.
    stages : tuple of int or None
        Stage codes of the new audience (None: keep the configured one).
    abandoned_within_days : int
        Days after an abandoned checkout during which the customer is in the audience.
    weights : ndarray of int or None
        Impression weight per stage (None: equal).
    personas : ndarray or None
        Affinity multiplier per persona (None: unchanged).
    """

    keys = ("channel", "stages", "abandoned_within_days", "stage_weights", "personas")
    default_channel: ClassVar[str | None] = None
    default_stages: ClassVar[tuple[str, ...] | None] = None
    default_abandoned: ClassVar[int] = 0
    default_weights: ClassVar[dict[str, int] | None] = None

    def __init__(self, channel: int, stages: tuple[int, ...] | None, abandoned_within_days: int,
                 weights: np.ndarray | None, personas: np.ndarray | None) -> None:
        self.channel, self.stages, self.abandoned_within_days = channel, stages, abandoned_within_days
        self.weights, self.personas = weights, personas

    @classmethod
    def from_params(cls, params: Params) -> Targeting:
        """Build the lever from its validated YAML parameters."""
        k = params.channel("channel", cls.default_channel)
        stages = params.stages("stages", cls.default_stages) if (
            params.has("stages") or cls.default_stages) else None
        within = int(params.number("abandoned_within_days", low=0, integer=True, default=cls.default_abandoned))
        weights = stage_weights(params, cls.default_weights)
        personas = params.persona_weights("personas") if params.has("personas") else None
        if stages is not None or within or weights is not None:
            params.impressions_channel("channel", k)
        if stages is None and not within and weights is None and personas is None:
            raise ConfigError(params.prefix, dict(params.values),
                              "at least one of stages, abandoned_within_days, stage_weights or personas")
        return cls(k, stages, within, weights, personas)

    def setup(self, model: JourneyModel) -> None:
        """Set the channel's audience and persona weights."""
        controls = model.controls
        if self.stages is not None:
            controls.target_stages(self.channel, self.stages)
        if self.abandoned_within_days or self.weights is not None:
            controls.set_audience_rule(self.channel, partial(targeted_audience, model.state,
                                                             controls.stage_audience(self.channel),
                                                             self.abandoned_within_days, self.weights))
        if self.personas is not None:
            controls.weight_personas(self.channel, self.personas)


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
    """Targeting with nurture defaults: email keeps its audience, considerers get 4x the emails each."""

    default_channel = "email"
    default_weights = {"considering": 4}


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
        """Build the lever from its validated YAML parameters."""
        return cls(params.impressions_channels("channels"), params.number("power", low=0.0, high=20.0, default=3.0))

    def setup(self, model: JourneyModel) -> None:
        """Raise the affinity power of the channels."""
        for k in self.channels:
            model.controls.set_affinity_power(k, self.power)
