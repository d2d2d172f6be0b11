"""Stays in each stage, by persona: how long, how they end, what reached customers there.

The record behind the journey map (:mod:`journeysim.journey_map`). A *stay* is one customer's
time in one stage, from the day they entered it (day 0 for the initial stage) to the day they
left it, or to the end of the run (an open stay). Everything here is counted from what the
step already decides (stage moves, exposures, abandoned carts, conversations, service
outcomes): it draws no random number, so a run is the same with or without it.

Counts are per persona and stage (``[persona, stage]``); pain points are counted at the stage
the customer was in when they happened. The same book can group customers by another code per row
(``groups``: the primary device, :mod:`journeysim.sim.devices`): :meth:`StageStays.grouped_by` adds
such a book, ``also``, which records everything this one records (the model keeps one by persona
and one by device; the two share the days the stays began, and a move is booked in both in one
pass). The population may grow during a run: rows beyond those known (``state.entered``) are taken
as entering the stage they are in on the day they are first seen; a leaver's stay ends uncounted
(:meth:`StageStays.left`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from journeysim.sim import kernels
from journeysim.sim.stages import Stage
from journeysim.sim.state import DAY

if TYPE_CHECKING:
    from journeysim.sim.state import CustomerState

# No second grouping: what kernels.book_moves and kernels.count_cells take in its place (then they book one)
_NO_GROUP = np.empty(0, np.int8)
_NO_BOOK = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), np.empty(0, np.int64), np.empty(0, np.int64))
_NO_CELLS = np.empty(0)

PAIN_POINTS: tuple[str, ...] = (
    "abandoned_carts", "long_support_waits", "late_deliveries", "returns", "negative_word_of_mouth",
)
"""Pain points counted per persona and stage (events, not customers)."""


class StageStays:
    """Per persona and stage: stays, their lengths and ends, exposures by channel, pain points
    and satisfaction at the end of stays.

    Parameters
    ----------
    state : CustomerState
        The customers (read only: stage, persona, satisfaction).
    personas : int
        Number of personas.
    channels : int
        Number of channels.
    days : int
        Length of the run (stays longer than that are impossible).
    groups : ndarray, optional
        Group code of every row, below ``personas`` (default: the persona).
    """

    def __init__(self, state: CustomerState, personas: int, channels: int, days: int,
                 groups: np.ndarray | None = None) -> None:
        self.state = state
        self.group = state.persona if groups is None else groups
        self.also: StageStays | None = None  # a book by another grouping of the same stays (grouped_by)
        self._second_grouping = False  # this book is another's ``also`` (grouped_by)
        stages = len(Stage)
        self.entered = np.zeros(state.size, DAY)  # day the current stay began (0: before day 1)
        self.occupancy = np.zeros((personas, stages), np.int64)  # customers in the stage now
        self.started = np.zeros((personas, stages), np.int64)  # stays begun (initial ones included)
        self.moves = np.zeros((personas, stages, stages), np.int64)  # ended stays by where they went
        self.lengths = np.zeros((personas, stages, days + 1), np.int64)  # ended stays by length, days
        self.left_satisfaction = np.zeros((personas, stages))  # sum of satisfaction on leaving
        self.exposures = np.zeros((personas, stages, channels))  # exposures by channel, at the stage
        self.pains = np.zeros((len(PAIN_POINTS), personas, stages), np.int64)
        self.departures = np.zeros((personas, stages), np.int64)  # stays ended by leaving the market
        self.departed_days = np.zeros((personas, stages), np.int64)  # ... and their days in the stage
        self._known, self._today = 0, 0
        self._meet_newcomers(0)

    # ------------------------------------------------------------------ recording
    def moved(self, day: int, rows: np.ndarray, old: np.ndarray, new: np.ndarray) -> None:
        """``rows`` left stage ``old`` for ``new`` during ``day`` (after the stage was written)."""
        if self._second_grouping:
            raise ValueError("this book is another's second grouping: call moved() on the first book, which books both")
        for book in self.books:
            book._today = day
            book._meet_newcomers(day)
        other = self.also
        kernels.book_moves(self.state.satisfaction, self.entered, rows, old, new, day, self.group, self._counts(),
                           _NO_GROUP if other is None else other.group,
                           _NO_BOOK if other is None else other._counts())

    @property
    def books(self) -> tuple[StageStays, ...]:
        """This book, and its second grouping if it has one."""
        return (self,) if self.also is None else (self, self.also)

    def grouped_by(self, groups: np.ndarray, count: int) -> StageStays:
        """Add ``also``, a book of the same stays grouped by ``groups`` (a code below ``count`` per row)
        in place of the persona: it records every event this book records."""
        if self.also is not None or self._second_grouping:
            raise ValueError("a book of stays has at most one second grouping")
        self.also = StageStays(self.state, count, self.exposures.shape[2], self.lengths.shape[2] - 1, groups)
        self.also.entered = self.entered  # the same stays began on the same days
        self.also._second_grouping = True
        return self.also

    def _counts(self) -> tuple[np.ndarray, ...]:
        """The flat counts :func:`journeysim.sim.kernels.book_moves` books a move in."""
        return (self.lengths.reshape(-1), self.moves.reshape(-1), self.left_satisfaction.reshape(-1),
                self.occupancy.reshape(-1), self.started.reshape(-1))

    def exposed(self, rows: np.ndarray, counts: np.ndarray, channel: int) -> None:
        """``counts`` exposures of one channel reached ``rows`` (one entry per customer)."""
        kernels.count_cells(self.state.stage, rows, counts, *self.exposure_books(), *self.exposures.shape[1:], channel)

    def exposure_books(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The group code of every row and the flat exposures (by group, stage and channel) of this
        book, then of its second grouping (empty arrays without one): what
        :func:`journeysim.sim.kernels.count_cells` and :func:`journeysim.sim.media_kernels.expose_rows`
        count exposures into."""
        for book in self.books:
            book._meet_newcomers(None)
        other = self.also
        return (self.group, self.exposures.reshape(-1), _NO_GROUP if other is None else other.group,
                _NO_CELLS if other is None else other.exposures.reshape(-1))

    def broadcast(self, impressions: int, channel: int) -> None:
        """A broadcast channel's ``impressions``, spread evenly over everyone."""
        self._meet_newcomers(None)
        self.exposures[:, :, channel] += impressions * self.occupancy / max(self.occupancy.sum(), 1)
        if self.also is not None:
            self.also.broadcast(impressions, channel)

    def pain(self, kind: str, rows: np.ndarray) -> None:
        """One pain point of ``kind`` (see :data:`PAIN_POINTS`) per entry of ``rows``, at their stage now."""
        if rows.size:
            self._meet_newcomers(None)
            np.add.at(self.pains[PAIN_POINTS.index(kind)], (self.group[rows], self.state.stage[rows]), 1)
        if self.also is not None:
            self.also.pain(kind, rows)

    def arrived(self, day: int) -> None:
        """Entrants (the rows added since the last call, if any) entered the market on ``day``:
        their first stays begin that day."""
        self._today = day
        self._meet_newcomers(day)
        if self.also is not None:
            self.also.arrived(day)

    def left(self, day: int, rows: np.ndarray) -> None:
        """``rows`` left the market (open population) on ``day``: their stays end, neither onward nor
        back (no stage follows), and their days count in the stage's occupancy; the length of a stay
        cut short this way is not a stay length (censored)."""
        if rows.size:
            self._meet_newcomers(None)
            personas, stages = self.occupancy.shape
            cell = self.group[rows].astype(np.int64) * stages + self.state.stage[rows]
            cells = personas * stages
            ended = np.bincount(cell, minlength=cells).reshape(personas, stages)
            self.occupancy -= ended
            self.departures += ended
            self.departed_days += np.bincount(cell, weights=day - self.entered[rows],
                                              minlength=cells).reshape(personas, stages).astype(np.int64)
            self.left_satisfaction.reshape(-1)[:] += np.bincount(cell, weights=self.state.satisfaction[rows],
                                                                 minlength=cells)
        if self.also is not None:
            self.also.left(day, rows)

    # ------------------------------------------------------------------ open stays
    def open_stays(self, days: int) -> tuple[np.ndarray, np.ndarray]:
        """Stays still open after ``days`` days: their days so far and their satisfaction summed,
        per persona and stage (one pass over everyone: call it once, at the end)."""
        self._meet_newcomers(None)
        n, shape = self.state.entered, self.occupancy.shape
        rows = np.flatnonzero(self.state.present[:n]) if self.state.open else np.arange(n)  # leavers' stays ended
        key = self.group[rows].astype(np.int64) * shape[1] + self.state.stage[rows]
        spent = np.bincount(key, weights=days - self.entered[rows], minlength=shape[0] * shape[1])
        satisfaction = np.bincount(key, weights=self.state.satisfaction[rows], minlength=shape[0] * shape[1])
        return spent.reshape(shape), satisfaction.reshape(shape)

    def _meet_newcomers(self, day: int | None) -> None:
        """Count rows added since the last call as starting a stay at their stage on ``day``
        (the day of the last move when None is given)."""
        n = self.state.entered  # rows in use (open population: entrants take the next rows)
        if n <= self._known:
            return
        new = np.arange(self._known, n)
        self.entered[new] = self._today if day is None else day
        keys = (self.group[new].astype(np.int64), self.state.stage[new].astype(np.int64))
        np.add.at(self.occupancy, keys, 1)
        np.add.at(self.started, keys, 1)
        self._known = n
