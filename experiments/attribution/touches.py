"""Journeys as flat arrays of touches (:class:`Touches`), the input of every attribution model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from journeysim.experiments.exports import SEPARATOR
from journeysim.sim.errors import ConfigError


@dataclass(frozen=True)
class Touches:
    """The touches of every journey as flat arrays, journey by journey, in time order.

    Attributes
    ----------
    names : ndarray of str
        Channel names; ``channel`` codes index it.
    journey, position, length, channel : ndarray of int
        Journey row, position in the journey (0 = first), the journey's number of touches,
        and the channel code of each touch.
    age : ndarray of float
        Days from the touch to the conversion (0 for journeys without conversion).
    converted : ndarray of bool, shape (journeys,)
        Whether each journey ended in a conversion.
    """

    names: np.ndarray
    journey: np.ndarray
    position: np.ndarray
    length: np.ndarray
    channel: np.ndarray
    age: np.ndarray
    converted: np.ndarray

    @property
    def conversions(self) -> int:
        """Number of converting journeys."""
        return int(self.converted.sum())

    def credit(self, weights: np.ndarray) -> pd.Series:
        """Sum ``weights`` of converting journeys' touches by channel (conversions)."""
        weights = np.where(self.converted[self.journey], weights, 0.0)
        return pd.Series(np.bincount(self.channel, weights, minlength=self.names.size), index=self.names)


def touches(paths: pd.DataFrame) -> Touches:
    """Flatten journey paths (``path``, ``converted``; ``touch_days`` and ``conversion_day``
    for time decay) into :class:`Touches`."""
    missing = {"path", "converted"} - set(paths.columns)
    if missing:
        raise ConfigError("paths", sorted(paths.columns), f"a journey table with columns {sorted(missing)}")
    split = paths["path"].astype(str).str.split(SEPARATOR.strip())
    length = split.str.len().to_numpy(np.int64)
    names, channel = np.unique(split.explode().str.strip().to_numpy(str), return_inverse=True)
    journey = np.repeat(np.arange(len(paths)), length)
    starts = np.cumsum(length) - length
    position = np.arange(length.sum()) - np.repeat(starts, length)
    converted = paths["converted"].to_numpy().astype(bool)
    return Touches(names, journey, position, length[journey], channel, _ages(paths, length), converted)


def _ages(paths: pd.DataFrame, length: np.ndarray) -> np.ndarray:
    """Days from each touch to its journey's conversion (a ``direct`` touch is on the day)."""
    if "touch_days" not in paths or "conversion_day" not in paths:
        return np.zeros(int(length.sum()))
    conversion = paths["conversion_day"].astype("Float64").fillna(0).to_numpy(float)
    days = paths["touch_days"].fillna("").astype(str).str.split(SEPARATOR.strip())
    if not np.array_equal(days.str.len().to_numpy(np.int64), length):
        raise ConfigError("paths.touch_days", "mismatch", "one day per touch of the path")
    flat = pd.to_numeric(days.explode().str.strip(), errors="coerce").to_numpy(float)
    ages = np.repeat(conversion, length) - flat
    return np.where(np.isnan(ages), 0.0, np.clip(ages, 0.0, None))
