"""The ``channels`` section (Hydra group ``conf/channels``): one entry per touchpoint."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import numpy as np

from journeysim.sim.schema.fields import PROBABILITY, Choice, Number, SpecBase, StageList, StageVector, Text, spec
from journeysim.sim.stages import STAGE_NAMES

SATURATION_SHAPES = ("exponential", "hill", "linear")
"""Cumulative response shapes of frequency (diminishing returns)."""
CHANNEL_KINDS = ("impressions", "broadcast")
"""Sampled impressions (a budget buys exposures of some customers) or broadcast media (everyone)."""


@spec
class SaturationSpec(SpecBase):
    """Diminishing returns with frequency: a named cumulative response shape."""

    shape: Annotated[str, Choice(SATURATION_SHAPES)]
    scale: Annotated[float, Number(positive=True)]


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
    target_stages: Annotated[tuple[int, ...] | None, StageList()] = None

    @classmethod
    def from_yaml(cls, data: dict) -> dict:
        """An empty or null ``saturation`` means the default."""
        if data.get("saturation", {}) in (None, {}):
            data.pop("saturation", None)
        return data
