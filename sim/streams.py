"""Named random streams spawned from one seed, so phases never share draws.

Changing one channel's budget must not shift the draws of another phase: each phase
has its own generator, and each channel has one counter stream per day, so scenarios run
under one seed share their random numbers (common random numbers).

A customer's own decisions (checkout, thresholds, quality, basket, retention clocks) draw
from :class:`DayDraws`: one number per customer, purpose and day, hashed from the seed, so a
customer draws the same number in two runs of one seed whoever else draws that day. A
counterfactual that moves some customers (a channel switched off) then leaves every other
customer's decisions as they were, and the two runs differ by the channel's effect, not by
numbers handed to other people.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy.special import ndtri

from journeysim.sim import kernels

PHASES = ("population", "network", "log")
"""Phases with one long-lived generator (the start's draws and the event log's sample); the
customers' own decisions draw from :class:`DayDraws`, media from a :class:`CounterStream` per channel
and day, word of mouth from a generator per day."""


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
        self._row_keys: dict[str, np.uint64] = {}  # row_key's answers: a few dozen names a run

    def generator(self, name: str, *keys: int) -> np.random.Generator:
        """A fresh generator for ``name`` and integer ``keys`` (same inputs, same draws)."""
        return np.random.Generator(np.random.PCG64(self._sequence(name, *keys)))

    def __getitem__(self, phase: str) -> np.random.Generator:
        """The long-lived generator of one phase."""
        return self._phases[phase]

    def counter(self, name: str, *keys: int) -> CounterStream:
        """A fresh counter stream for ``name`` and integer ``keys`` (same inputs, same numbers), its key
        taken from the same ``SeedSequence`` as :meth:`generator`'s."""
        return CounterStream(self._sequence(name, *keys).generate_state(1, np.uint64)[0])

    def _sequence(self, name: str, *keys: int) -> np.random.SeedSequence:
        """The ``SeedSequence`` of ``name`` and integer ``keys`` under the run's seed."""
        return np.random.SeedSequence(self.seed, spawn_key=(_key(name), *map(int, keys)))

    def channel_day(self, channel: str, day: int) -> CounterStream:
        """Numbers for one channel's exposures on one day: a budget change on one channel or one
        day leaves every other channel-day's numbers unchanged."""
        return self.counter(f"channel:{channel}", day)

    def row_uniform(self, name: str, day: int | np.ndarray, rows: np.ndarray) -> np.ndarray:
        """One uniform number in [0, 1) per row for ``name`` on ``day``: a hash of (seed, name,
        day, row), so a customer draws the same number in two runs of one seed whoever else is
        drawing (common random numbers customer by customer: a lever on one persona leaves every
        other customer's numbers unchanged). splitmix64's finaliser over the row number.

        ``day`` may be one number per row instead (an occasion: a customer's order count, say),
        so a customer's k-th order draws the same number whatever day it falls on.
        """
        rows = np.asarray(rows, np.int64)
        occasion = np.asarray(day, np.int64).reshape(-1)
        out = np.empty(rows.shape)
        kernels.hashed_uniforms(rows.reshape(-1), occasion, self.row_key(name), out.reshape(-1))
        return out

    def row_key(self, name: str) -> np.uint64:
        """The key under which :meth:`row_uniform` hashes ``name``'s numbers (for a compiled loop that
        draws them itself: :func:`journeysim.sim.kernels.hashed_uniform`)."""
        key = self._row_keys.get(name)
        if key is None:
            key = self._row_keys[name] = np.uint64((self.seed * 0x9E3779B97F4A7C15 + _key(name) * 0xD1B54A32D192ED03)
                                                   % 2**64)
        return key

    def day(self, day: int) -> DayDraws:
        """The customers' own draws of ``day`` (:class:`DayDraws`)."""
        return DayDraws(self, day)


@dataclass
class CounterStream:
    """Uniform numbers in [0, 1) by position: number ``k`` is splitmix64's output ``k + 1`` from the
    state ``key`` (:func:`journeysim.sim.kernels.stream_uniforms`), made in a compiled loop that
    vectorises, several times as fast as a numpy generator's.

    ``position`` counts the numbers taken so far, so the next :meth:`fill` goes on where the last
    stopped.
    """

    key: np.uint64
    position: int = 0

    def fill(self, out: np.ndarray) -> np.ndarray:
        """Write the stream's next ``out.size`` numbers into ``out`` (any shape, in C order) and return it."""
        kernels.stream_uniforms(self.key, self.position, out.reshape(-1))
        self.position += out.size
        return out


class Draws(Protocol):
    """Random numbers for ``rows`` (customer indexes), one per row, for a named purpose."""

    def uniform(self, purpose: str, rows: np.ndarray, occasion: np.ndarray | None = None) -> np.ndarray:
        """Uniform numbers in [0, 1) (``occasion``: a per-row key in place of the day)."""

    def exponential(self, purpose: str, rows: np.ndarray, occasion: np.ndarray | None = None) -> np.ndarray:
        """Exp(1) numbers."""

    def normal(self, purpose: str, rows: np.ndarray, occasion: np.ndarray | None = None) -> np.ndarray:
        """Standard normal numbers."""


@dataclass(frozen=True)
class DayDraws:
    """One day's numbers keyed by customer: ``uniform("checkout", rows)`` gives each row the
    number it gets on that day in every run of the seed, whoever else draws.

    A row draws at most once per purpose and day (a second draw would repeat the first). A
    draw tied to an occasion of the customer's own (``occasion``: their order count, say) is
    keyed by it instead of the day, so the customer's k-th order draws the same number in two
    runs even when a counterfactual moved it to another day.
    """

    streams: RandomStreams
    day: int

    def uniform(self, purpose: str, rows: np.ndarray, occasion: np.ndarray | None = None) -> np.ndarray:
        """Uniform numbers in [0, 1), one per row (:meth:`RandomStreams.row_uniform`)."""
        if occasion is None:
            return self.streams.row_uniform(purpose, self.day, rows)
        return self.streams.row_uniform(f"{purpose}@occasion", occasion, rows)

    def exponential(self, purpose: str, rows: np.ndarray, occasion: np.ndarray | None = None) -> np.ndarray:
        """Exp(1) numbers by inversion, one per row."""
        return -np.log1p(-self.uniform(purpose, rows, occasion))

    def normal(self, purpose: str, rows: np.ndarray, occasion: np.ndarray | None = None) -> np.ndarray:
        """Standard normal numbers by inversion, one per row (the uniform moved off 0)."""
        return ndtri(self.uniform(purpose, rows, occasion) + 2.0**-54)


@dataclass(frozen=True)
class SequentialDraws:
    """Numbers from one generator in the order asked for (purpose ignored): for phases whose
    draws are not tied to a customer's day (an account's members, tests)."""

    rng: np.random.Generator

    def uniform(self, purpose: str, rows: np.ndarray, occasion: np.ndarray | None = None) -> np.ndarray:
        """Uniform numbers in [0, 1)."""
        return self.rng.random(np.size(rows))

    def exponential(self, purpose: str, rows: np.ndarray, occasion: np.ndarray | None = None) -> np.ndarray:
        """Exp(1) numbers."""
        return self.rng.standard_exponential(np.size(rows))

    def normal(self, purpose: str, rows: np.ndarray, occasion: np.ndarray | None = None) -> np.ndarray:
        """Standard normal numbers."""
        return self.rng.standard_normal(np.size(rows))
