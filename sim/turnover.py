"""The open population: prospects enter the market and people leave it.

``population.size`` people are in the market on day 0. Each day

    entrants_t ~ Poisson(entry_rate * N0 / 365),      each person present leaves w.p. 1 - exp(-exit_rate / 365),

with ``N0 = population.size`` and the rates per year (``market.demand``). With equal rates the
expected population stays at ``N0``; otherwise it moves towards ``N0 * entry_rate / exit_rate``.

**Rows.** State arrays are preallocated for the people expected over the run: ``N0`` plus the
expected entrants and a margin of six standard deviations (:func:`rows_needed`), so nothing grows
during the run. Entrants take the next unused rows in order (``state.entered`` counts the rows in
use); their persona (by the personas' shares), traits and funnel levels were drawn at the start
from a stream of their own (``entrants``), so the initial population is the same whatever the
rates. A leaver keeps their row and history but is no longer ``present``: inert (no interest, no
drift, no clock), reached by no channel, conversation or organic discovery, and not counted in
the stage counts. A closed population (both rates 0) has exactly ``N0`` rows, all present.
Entries and exits draw from one generator per day (``turnover``), so no other phase's draws move.
"""

from __future__ import annotations

import math

import numpy as np

from journeysim.sim.network import bernoulli_positions
from journeysim.sim.schema.demand import DemandSpec, expected_entrants, rows_needed
from journeysim.sim.state import CustomerState
from journeysim.sim.streams import RandomStreams

__all__ = ["Turnover", "expected_entrants", "rows_needed"]

class Turnover:
    """Daily entries and exits of an open population.

    Parameters
    ----------
    demand : DemandSpec
        ``entry_rate`` and ``exit_rate``, per year.
    size : int
        People in the market on day 0 (``population.size``).
    state : CustomerState
        Customer arrays with ``present`` and ``entered``.
    streams : RandomStreams
        The run's streams (one ``turnover`` generator per day).
    """

    def __init__(self, demand: DemandSpec, size: int, state: CustomerState, streams: RandomStreams) -> None:
        self.state, self.streams = state, streams
        self.daily_entrants = demand.entry_rate * size / 365.0
        self.exit_probability = -math.expm1(-demand.exit_rate / 365.0)
        self.open = self.daily_entrants > 0 or self.exit_probability > 0

    def entries(self, day: int, rng: np.random.Generator) -> np.ndarray:
        """Rows of today's entrants (the next unused rows; none once the rows run out)."""
        s = self.state
        n = min(int(rng.poisson(self.daily_entrants)), s.size - s.entered) if self.daily_entrants > 0 else 0
        rows = np.arange(s.entered, s.entered + n, dtype=np.int64)
        s.present[rows] = True
        s.entered += n
        return rows

    def exits(self, rng: np.random.Generator) -> np.ndarray:
        """Rows of today's leavers among those present (made inert, no longer present)."""
        s = self.state
        rows = bernoulli_positions(s.entered, self.exit_probability, rng)
        rows = rows[s.present[rows]]
        s.present[rows] = False
        s.make_inert(rows)
        return rows

    def day(self, day: int) -> tuple[np.ndarray, np.ndarray]:
        """Today's entrants and leavers (rows), leavers drawn among those present before entries."""
        if not self.open:
            empty = np.empty(0, np.int64)
            return empty, empty
        rng = self.streams.generator("turnover", day)
        leavers = self.exits(rng) if self.exit_probability > 0 else np.empty(0, np.int64)
        return self.entries(day, rng), leavers
