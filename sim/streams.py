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
