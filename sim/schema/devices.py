"""The ``market.devices`` section: devices people use per session and at checkout (:mod:`journeysim.sim.devices`)."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from pydantic import model_validator

from journeysim.sim.schema.fields import PROBABILITY, Number, NumberMap, Rule, SpecBase, spec

DEVICES = ("mobile", "desktop", "tablet")
"""Device names, in the order of their codes (0, 1, 2) and of the by-device columns."""


def device_shares(value: dict[str, float], key: str) -> dict[str, float]:
    """``value`` (a share per device; missing devices 0) rescaled to sum to 1.

    Raises
    ------
    Rule
        When every share is 0 (no device to use), naming ``key``.
    """
    total = sum(value.get(name, 0.0) for name in DEVICES)
    if total <= 0:
        raise Rule(value, "shares of mobile, desktop and tablet, at least one above 0", (key,))
    return {name: value.get(name, 0.0) / total for name in DEVICES}


@spec
class DeviceSpec(SpecBase):
    """``market.devices``: the device of each session and checkout attempt.

    Attributes
    ----------
    shares : dict
        Share of sessions on each device (``mobile``, ``desktop``, ``tablet``), rescaled to sum to 1;
        a persona's ``devices`` replaces it for that persona. Each customer's primary device is
        drawn from these shares.
    conversion : dict
        Relative checkout success per device (orders per session relative to the average). Rescaled
        so that the session-weighted mean leaves ``market.checkout_friction`` as it is: devices
        move orders between each other, not in total.
    switch : float
        Probability a session or checkout attempt is on a device drawn afresh from the customer's
        persona shares rather than on their primary device, per session.
    """

    shares: Annotated[dict[str, float], NumberMap(Number(low=0.0), keys=DEVICES)] = dataclasses.field(
        default_factory=lambda: {"mobile": 0.6, "desktop": 0.33, "tablet": 0.07})
    conversion: Annotated[dict[str, float], NumberMap(Number(positive=True), keys=DEVICES)] = dataclasses.field(
        default_factory=lambda: dict.fromkeys(DEVICES, 1.0))
    switch: Annotated[float, PROBABILITY] = 0.0

    @model_validator(mode="after")
    def _complete(self) -> DeviceSpec:
        object.__setattr__(self, "shares", device_shares(self.shares, "shares"))
        object.__setattr__(self, "conversion", {name: self.conversion.get(name, 1.0) for name in DEVICES})
        return self
