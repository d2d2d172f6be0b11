"""The ``channels`` section (Hydra group ``conf/channels``): one entry per touchpoint."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import numpy as np

from journeysim.sim.schema.fields import PROBABILITY, Choice, Number, SpecBase, StageList, StageVector, Text, spec
from journeysim.sim.stages import STAGE_NAMES

SATURATION_SHAPES = ("exponential", "hill", "linear")
"""Cumulative response shapes of frequency (diminishing returns)."""
RESPONSE_SHAPES = ("hill", "linear")
"""Channel-level response shapes of (adstocked) spend: Hill saturation or none."""
CHANNEL_KINDS = ("impressions", "broadcast")
"""Sampled impressions (a budget buys exposures of some customers) or broadcast media (everyone)."""


@spec
class SaturationSpec(SpecBase):
    """Diminishing returns with frequency: a named cumulative response shape."""

    shape: Annotated[str, Choice(SATURATION_SHAPES)]
    scale: Annotated[float, Number(positive=True)]


@spec
class ResponseSpec(SpecBase):
    """Response of a channel's effect to its spend: geometric adstock of daily spend, then a
    Hill curve (see :mod:`journeysim.sim.adresponse`).

    Attributes
    ----------
    shape : str
        ``hill`` (saturation) or ``linear`` (every exposure at full effect, whatever the spend).
    half_saturation : float or None
        Adstocked spend at which the channel gives half its maximum response, currency per day
        at ``population.reference_size`` (None: no saturation).
    slope : float
        Hill exponent (1: concave; above 1: S-shaped).
    half_life : float
        Days for the adstock of a spend pulse to halve (0: no carry-over).
    """

    shape: Annotated[str, Choice(RESPONSE_SHAPES)] = "linear"
    half_saturation: Annotated[float | None, Number(positive=True, optional=True)] = None  # currency per day
    slope: Annotated[float, Number(low=1.0, high=5.0)] = 1.0
    half_life: Annotated[float, Number(low=0.0, high=3650.0)] = 0.0  # days


def _default_saturation() -> SaturationSpec:
    return SaturationSpec(shape="exponential", scale=2.0)


def _no_effect() -> np.ndarray:
    return np.zeros(len(STAGE_NAMES), dtype=np.float64)


@spec
class ChannelSpec(SpecBase):
    """One touchpoint: cost, budget, effect per stage, saturation and carry-over."""

    name: Annotated[str, Text()]
    kind: Annotated[str, Choice(CHANNEL_KINDS)] = "impressions"
    cpm: Annotated[float, Number(positive=True)]  # currency per 1,000 impressions
    daily_budget: Annotated[float, Number(low=0.0)]  # currency per day
    effect: Annotated[np.ndarray, StageVector(low=0.0)] = dataclasses.field(default_factory=_no_effect)
    saturation: SaturationSpec = dataclasses.field(default_factory=_default_saturation)
    carryover: Annotated[float, PROBABILITY] = 0.0  # share of the dose kept per day
    response: ResponseSpec = dataclasses.field(default_factory=ResponseSpec)  # to spend: adstock + saturation
    target_stages: Annotated[tuple[int, ...] | None, StageList()] = None

    @classmethod
    def from_yaml(cls, data: dict) -> dict:
        """An empty or null ``saturation`` or ``response`` means the default."""
        for key in ("saturation", "response"):
            if data.get(key, {}) in (None, {}):
                data.pop(key, None)
        return data
