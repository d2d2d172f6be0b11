"""The ``market.places`` section: where orders are placed, web shop, app or store (:mod:`journeysim.sim.places`)."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from pydantic import model_validator

from journeysim.sim.schema.fields import PROBABILITY, Number, NumberMap, Rule, SpecBase, spec

PLACES = ("web", "app", "store")
"""Purchase places, in the order of their codes (0, 1, 2) and of the by-place columns."""


def place_shares(value: dict[str, float], key: str) -> dict[str, float]:
    """``value`` (a share per place; missing places 0) rescaled to sum to 1.

    Raises
    ------
    Rule
        When every share is 0 (nowhere to buy), naming ``key``.
    """
    total = sum(value.get(name, 0.0) for name in PLACES)
    if total <= 0:
        raise Rule(value, "shares of web, app and store, at least one above 0", (key,))
    return {name: value.get(name, 0.0) / total for name in PLACES}


@spec
class PlaceSpec(SpecBase):
    """``market.places``: where each checkout attempt happens.

    Attributes
    ----------
    shares : dict
        Share of checkout attempts at each place (``web``, ``app``, ``store``), rescaled to sum to 1;
        a persona's ``places`` replaces it for that persona.
    conversion : dict
        Relative checkout success per place, rescaled so that the attempt-weighted mean leaves
        ``market.checkout_friction`` as it is.
    basket : dict
        Multiplier of the basket size of orders placed there.
    switching_friction : float
        Extra probability that an attempt switching place mid-journey is abandoned (a store attempt
        after online sessions, or a web or app attempt after a store visit); the omnichannel lever
        lowers it (a consistent experience across places).
    """

    shares: Annotated[dict[str, float], NumberMap(Number(low=0.0), keys=PLACES)] = dataclasses.field(
        default_factory=lambda: {"web": 1.0, "app": 0.0, "store": 0.0})
    conversion: Annotated[dict[str, float], NumberMap(Number(positive=True), keys=PLACES)] = dataclasses.field(
        default_factory=lambda: dict.fromkeys(PLACES, 1.0))
    basket: Annotated[dict[str, float], NumberMap(Number(positive=True), keys=PLACES)] = dataclasses.field(
        default_factory=lambda: dict.fromkeys(PLACES, 1.0))
    switching_friction: Annotated[float, PROBABILITY] = 0.0

    @model_validator(mode="after")
    def _complete(self) -> PlaceSpec:
        object.__setattr__(self, "shares", place_shares(self.shares, "shares"))
        for key in ("conversion", "basket"):
            object.__setattr__(self, key, {name: getattr(self, key).get(name, 1.0) for name in PLACES})
        return self
