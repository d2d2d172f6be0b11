"""Named random streams spawned from one seed, so phases never share draws.

Changing one channel's budget must not shift the draws of another phase: each phase
has its own generator, and each channel has one generator per day, so scenarios run
under one seed share their random numbers (common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np

PHASES = ("population", "network", "word_of_mouth", "decisions", "retention", "service", "survey",
          "log", "levers", "baskets", "devices", "places")


def _key(name: str) -> int:
    """Stable 32-bit key of a stream name (independent of Python's hash seed)."""
    return zlib.crc32(name.encode())


class RandomStreams:
    """One ``SeedSequence`` from the run's seed, with a named generator per phase.

    Parameters
    ----------
    seed : int
        The run's seed.
    """

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._phases = {name: self.generator(name) for name in PHASES}

    def generator(self, name: str, *keys: int) -> np.random.Generator:
        """A fresh generator for ``name`` and integer ``keys`` (same inputs, same draws)."""
        sequence = np.random.SeedSequence(self.seed, spawn_key=(_key(name), *map(int, keys)))
        return np.random.Generator(np.random.PCG64(sequence))

    def __getitem__(self, phase: str) -> np.random.Generator:
        """The long-lived generator of one phase."""
        return self._phases[phase]

    def channel_day(self, channel: str, day: int) -> np.random.Generator:
        """Generator for one channel's exposures on one day: a budget change on one channel
        or one day leaves every other channel-day's draws unchanged."""
        return self.generator(f"channel:{channel}", day)

    def row_uniform(self, name: str, day: int, rows: np.ndarray) -> np.ndarray:
        """One uniform number in [0, 1) per row for ``name`` on ``day``: a hash of (seed, name,
        day, row), so a customer draws the same number in two runs of one seed whoever else is
        drawing (common random numbers customer by customer: a lever on one persona leaves every
        other customer's numbers unchanged). splitmix64's finaliser over the row number.
        """
        key = (self.seed * 0x9E3779B97F4A7C15 + _key(name) * 0xD1B54A32D192ED03 + int(day) * 0x94D049BB133111EB) % 2**64
        x = np.asarray(rows).astype(np.uint64) * np.uint64(0xBF58476D1CE4E5B9) + np.uint64(key)
        for shift, factor in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB)):
            x = (x ^ (x >> np.uint64(shift))) * np.uint64(factor)
        x ^= x >> np.uint64(31)
        return (x >> np.uint64(11)).astype(np.float64) * 2.0**-53
