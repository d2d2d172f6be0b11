"""How the response to a customer's exposure stock saturates: the shapes ``saturation.shape`` names.

Each shape is a cumulative response ``R(s)`` to a frequency stock of ``s`` exposures, normalised so
``R(1) = 1``; an exposure's extra response on top of a stock is ``R(s + m) - R(s)``
(:mod:`journeysim.sim.touchpoints` applies it to the exposed rows, a broadcast channel to its dose).
"""

from __future__ import annotations

import math

import numpy as np

from journeysim.sim.config import SaturationSpec


class Saturation:
    """Cumulative response ``R(s)`` to an exposure stock ``s``, normalised so ``R(1) = 1``."""

    def __init__(self, scale: float) -> None:
        self.scale = float(scale)

    def cumulative(self, stock: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        """Response to a stock of ``stock`` exposures."""
        raise NotImplementedError

    def increment(self, stock: np.ndarray, new: np.ndarray) -> np.ndarray:
        """Extra response of ``new`` exposures on top of ``stock``: R(s + m) - R(s)."""
        return self.cumulative(stock + new) - self.cumulative(stock)


class ExponentialSaturation(Saturation):
    """R(s) = (1 - e^{-s/θ}) / (1 - e^{-1/θ}): each further exposure is worth e^{-1/θ} of the last."""

    def cumulative(self, stock: np.ndarray) -> np.ndarray:
        """Response to a stock of ``stock`` exposures."""
        return -np.expm1(-stock / self.scale) / -math.expm1(-1.0 / self.scale)


class HillSaturation(Saturation):
    """R(s) = s (1 + θ) / (s + θ): half of the maximum response at θ exposures."""

    def cumulative(self, stock: np.ndarray) -> np.ndarray:
        """Response to a stock of ``stock`` exposures."""
        return stock * (1.0 + self.scale) / (stock + self.scale)


class LinearSaturation(Saturation):
    """R(s) = s / θ: no diminishing returns (reference case)."""

    def cumulative(self, stock: np.ndarray) -> np.ndarray:
        """Response to a stock of ``stock`` exposures."""
        return stock / self.scale


SATURATIONS: dict[str, type[Saturation]] = {
    "exponential": ExponentialSaturation,
    "hill": HillSaturation,
    "linear": LinearSaturation,
}
"""Saturation shapes by the name used in YAML (``saturation.shape``)."""


def make_saturation(spec: SaturationSpec) -> Saturation:
    """Instantiate the shape named in ``spec``."""
    return SATURATIONS[spec.shape](spec.scale)
