"""The word-of-mouth phase: the daily conversations and what listeners take from them.

Talkers (customers with a non-zero talk weight) hold conversations sparsely: a Poisson
number of candidate talkers a day, thinned by their talk weight, then with whom (over the
graph of :mod:`journeysim.sim.network`, in personal groups, or fully mixed); or, in cascade
mode, an independent cascade from recent buyers. :func:`listen` applies the conversations to
receptive listeners: positive ones raise interest, negative ones lower it.

Each day draws from its own generator, and in talk mode each candidate talker's listener is
drawn with the candidate, before the candidates are thinned: a counterfactual that changes
some customers' talk weights changes who of the same candidates talks, not whom the others
talk to (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from journeysim.sim.config import NetworkSpec
from journeysim.sim.network import Graph, segment_hits
from journeysim.sim.satisfaction import Reviews
from journeysim.sim.stages import RECEPTIVE
from journeysim.sim.state import CustomerState
from journeysim.sim.streams import RandomStreams

REDRAWS = 20
"""Open population: times a listener drawn among people not in the market is drawn again."""


@dataclass
class Conversations:
    """Today's conversations: who talked, to whom, and how strongly (signed)."""

    talkers: np.ndarray
    listeners: np.ndarray
    kicks: np.ndarray

    @classmethod
    def empty(cls) -> Conversations:
        """No conversations."""
        e = np.empty(0, np.int64)
        return cls(e, e, np.empty(0, np.float32))


class WordOfMouth:
    """Daily conversations between customers.

    Parameters
    ----------
    spec : NetworkSpec
        Talk rate, kicks, graph type.
    state : CustomerState
        ``talk`` weights are read; listeners' interest is changed.
    graph : Graph or None
        Who can talk to whom (None: fully mixed, or personal groups).
    streams : RandomStreams
        The run's streams: each day's draws come from ``generator("word_of_mouth", day)``.
    groups : ndarray or None
        Group id per row for the personal-groups network.
    """

    def __init__(self, spec: NetworkSpec, state: CustomerState, graph: Graph | None,
                 streams: RandomStreams, groups: np.ndarray | None = None) -> None:
        self.spec, self.state, self.graph, self.streams = spec, state, graph, streams
        self.rng = streams.generator("word_of_mouth", 0)  # today's generator (talk sets it)
        self.groups = groups
        self.talk_multiplier = 1.0
        self.kick_multiplier = 1.0
        if groups is not None:
            order = np.argsort(groups, kind="stable")
            self._group_rows = order
            self._group_start = np.searchsorted(groups[order], np.arange(groups.max() + 2))
        self._talkers = np.empty(0, np.int64)  # cascade mode: customers in their talk period
        self._since = np.empty(0, np.int32)  # ... and the purchase day that started it
        self._enrolled_through = 0  # purchases before this day are enrolled

    def talk(self, day: int) -> Conversations:
        """Hold today's conversations (only with people in the market when the population is open)."""
        self.rng = self.streams.generator("word_of_mouth", day)
        talk = self._cascade(day) if self.spec.mode == "cascade" else self._conversations(day)
        if not self.state.open or talk.listeners.size == 0:
            return talk
        keep = self.state.present[talk.listeners]
        return Conversations(talk.talkers[keep], talk.listeners[keep], talk.kicks[keep])

    def _conversations(self, day: int) -> Conversations:
        """Talk mode: each talker speaks to one listener."""
        rate = self.spec.talk_rate * self.talk_multiplier
        if rate <= 0:
            return Conversations.empty()
        # Every customer holds Poisson(rate * |talk weight|) conversations a day: draw the
        # candidates among all rows, then keep talkers by their weight (no full scan).
        n = self.state.entered  # rows of people yet to enter are never drawn
        talkers = self.rng.integers(0, n, self.rng.poisson(rate * n))
        columns = 4 if self.groups is not None else 2  # per candidate: talks?, listener (, weak tie?, outsider)
        u = self.rng.random((talkers.size, columns))
        keep = u[:, 0] < np.abs(self.state.talk[talkers])
        if self.spec.talk_days is not None and talkers.size:
            since = day - self.state.last_purchase[talkers]
            keep &= (since <= self.spec.talk_days) & (self.state.last_purchase[talkers] >= 0)
        talkers, u = talkers[keep], u[keep]
        if talkers.size == 0:
            return Conversations.empty()
        weight = self.state.talk[talkers]
        listeners, strength = self._listeners(talkers, u[:, 1:])
        ok = listeners >= 0
        talkers, listeners, strength, weight = talkers[ok], listeners[ok], strength[ok], weight[ok]
        kick = np.where(weight > 0, self.spec.positive_kick, -self.spec.negative_kick) * strength
        kick = (kick * self.kick_multiplier).astype(np.float32)
        return Conversations(talkers, listeners, kick)

    def _listeners(self, talkers: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One listener per talker (-1: the talker has nobody to talk to) and the tie strength.
        ``u`` holds each talker's uniform numbers: listener, weak tie or not, outside listener."""
        n = self.state.entered
        strength = np.ones(talkers.size, np.float32)
        if self.groups is not None:
            return self._group_listeners(talkers, strength, u)
        if self.graph is None:
            return self._present(lambda at, v: (v * n).astype(np.int64), u[:, 0]), strength
        start = self.graph.indptr[talkers]
        degree = self.graph.indptr[talkers + 1] - start
        last = self.graph.indices.size - 1

        def neighbour(at: np.ndarray, v: np.ndarray) -> np.ndarray:
            pick = start[at] + (v * degree[at]).astype(np.int64)
            return np.where(degree[at] > 0, self.graph.indices[np.minimum(pick, last)], -1)

        return self._present(neighbour, u[:, 0]), strength

    def _present(self, draw: Callable[[np.ndarray, np.ndarray], np.ndarray], u: np.ndarray) -> np.ndarray:
        """One listener per number of ``u`` from ``draw(at, u[at])`` (the listeners of positions
        ``at``), those who are not in the market drawn again, with fresh numbers, up to
        :data:`REDRAWS` times (open population). A talker thus talks to people present, and
        conversations do not thin out as the rows of leavers and of people yet to enter outnumber
        them. Listeners still absent are dropped in :meth:`talk`; -1 (nobody to talk to) is kept."""
        rows = draw(np.arange(u.size), u)
        if not self.state.open:
            return rows
        for _ in range(REDRAWS):
            absent = np.flatnonzero((rows >= 0) & ~self.state.present[np.maximum(rows, 0)])
            if absent.size == 0:
                break
            rows[absent] = draw(absent, self.rng.random(absent.size))
        return rows

    def _group_listeners(self, talkers: np.ndarray, strength: np.ndarray,
                         u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Personal groups (Goldenberg, Libai and Muller 2001): a strong tie inside the
        talker's group, or one of ``weak_ties`` random contacts outside it (``u``: each
        talker's numbers for the member, the choice of tie and the outsider)."""
        spec = self.spec
        group = self.groups[talkers]
        start, stop = self._group_start[group], self._group_start[group + 1]
        size = stop - start
        strong_ties = size - 1
        weak = u[:, 1] * (strong_ties + spec.weak_ties) >= strong_ties
        end = self._group_rows.size - 1

        def member(at: np.ndarray, v: np.ndarray) -> np.ndarray:
            pick = start[at] + (v * np.maximum(strong_ties[at], 1)).astype(np.int64)
            inside = self._group_rows[np.minimum(pick, end)]
            return np.where(inside == talkers[at], self._group_rows[np.minimum(stop[at] - 1, end)], inside)

        inside = self._present(member, u[:, 0])
        outside = self._present(lambda at, v: self._outside_group(start[at], size[at], v), u[:, 2])
        listeners = np.where(weak, outside, np.where(strong_ties > 0, inside, -1))
        weak_kick = spec.weak_kick if spec.weak_kick is not None else spec.positive_kick
        strength[weak] = weak_kick / spec.positive_kick if spec.positive_kick > 0 else 0.0
        return listeners, strength

    def _outside_group(self, start: np.ndarray, size: np.ndarray, u: np.ndarray) -> np.ndarray:
        """One customer drawn uniformly from outside each group (given by its first position
        ``start`` in the group-sorted rows and its ``size``), by the uniform numbers ``u``; -1 if
        the group is everyone."""
        n = self.state.size
        others = n - size
        pick = (u * np.maximum(others, 1)).astype(np.int64)
        pick = np.where(pick >= start, pick + size, pick)
        return np.where(others > 0, self._group_rows[np.minimum(pick, n - 1)], -1)

    # ------------------------------------------------------------------ independent cascade
    def _cascade(self, day: int) -> Conversations:
        """Independent cascade: each customer in their talk period (``talk_days`` after a purchase,
        or for ever) tells each neighbour today with probability ``transmission`` times their
        talk weight; in personal groups each also meets ``weak_ties`` random people outside the
        group and tells each with probability ``weak_transmission``. Work is in proportion to the
        talkers' ties (plus one vectorised pass over ``last_purchase`` a day to enrol new buyers),
        never to all edges."""
        talkers = self._cascade_talkers(day)
        if talkers.size == 0:
            return Conversations.empty()
        weight = self.state.talk[talkers]
        scale = np.abs(weight).astype(np.float64) * self.talk_multiplier
        strong = np.minimum(self.spec.transmission * scale, 1.0)
        if self.groups is not None:
            weak_rate = self.spec.transmission if self.spec.weak_transmission is None else self.spec.weak_transmission
            who, listeners = self._group_cascade(talkers, strong, np.minimum(weak_rate * scale, 1.0))
        elif self.graph is not None:
            who, listeners = self._edge_cascade(talkers, strong)
        else:
            who, listeners = self._mixed_cascade(talkers, strong)
        kick = np.where(weight[who] > 0, self.spec.positive_kick, -self.spec.negative_kick)
        kick = (kick * self.kick_multiplier).astype(np.float32)
        return Conversations(talkers[who], listeners, kick)

    def _cascade_talkers(self, day: int) -> np.ndarray:
        """Customers talking today: enrol yesterday's buyers, drop those past ``talk_days``
        (and entries superseded by a later purchase) and those with no talk weight."""
        last = self.state.last_purchase
        if day > self._enrolled_through:
            fresh = np.flatnonzero((last >= self._enrolled_through) & (last < day))
            self._talkers = np.concatenate([self._talkers, fresh])
            self._since = np.concatenate([self._since, last[fresh]])
            self._enrolled_through = day
        keep = last[self._talkers] == self._since
        if self.spec.talk_days is not None:
            keep &= day - self._since <= self.spec.talk_days
        self._talkers, self._since = self._talkers[keep], self._since[keep]
        return self._talkers[self.state.talk[self._talkers] != 0]

    def _edge_cascade(self, talkers: np.ndarray, prob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each edge of each talker transmits with the talker's probability: (talker index, listener)."""
        start = self.graph.indptr[talkers]
        who, position = segment_hits(start, self.graph.indptr[talkers + 1] - start, prob, self.rng)
        return who, self.graph.indices[position]

    def _mixed_cascade(self, talkers: np.ndarray, prob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fully mixed: Binomial(n - 1, p) listeners per talker (n: people in the market), uniform
        among the others present."""
        n = self.state.entered
        count = self.rng.binomial(self.state.in_market - 1, prob)
        who = np.repeat(np.arange(talkers.size), count)

        def other(at: np.ndarray, v: np.ndarray) -> np.ndarray:
            listeners = (v * max(n - 1, 1)).astype(np.int64)
            return np.where(listeners >= talkers[who[at]], listeners + 1, listeners)

        return who, self._present(other, self.rng.random(who.size))

    def _group_cascade(self, talkers: np.ndarray, strong: np.ndarray,
                       weak: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Personal groups (Goldenberg, Libai and Muller 2001): each other member of the talker's
        group hears with probability ``strong``; of ``weak_ties`` random contacts outside the
        group, Binomial(weak_ties, weak) hear."""
        group = self.groups[talkers]
        start, stop = self._group_start[group], self._group_start[group + 1]
        size = stop - start
        who, position = segment_hits(start, size, strong, self.rng)
        member = self._group_rows[position]
        hit = member != talkers[who]
        weak_who = np.repeat(np.arange(talkers.size), self.rng.binomial(self.spec.weak_ties, weak))
        first, members = start[weak_who], size[weak_who]
        outside = self._present(lambda at, v: self._outside_group(first[at], members[at], v),
                                self.rng.random(weak_who.size))
        ok = outside >= 0
        return (np.concatenate([who[hit], weak_who[ok]]), np.concatenate([member[hit], outside[ok]]))


@dataclass
class Heard:
    """Conversations that reached receptive listeners today, and their signed effect."""

    talkers: np.ndarray
    listeners: np.ndarray
    kicks: np.ndarray


def listen(state: CustomerState, talk: Conversations, reviews: Reviews, referred_by: np.ndarray,
           word_of_mouth_code: int) -> Heard:
    """Apply today's conversations to receptive listeners (prospects and lapsed customers).

    The effect is the talker's kick times the listener's social susceptibility, times the
    review factor for listeners who are evaluating. Interest rises or falls (never below 0);
    a positive conversation becomes the listener's last touch (``word_of_mouth_code``) and
    records who referred them in ``referred_by``.
    """
    listeners = talk.listeners
    receptive = RECEPTIVE.holds(state.stage[listeners])
    listeners, talkers, kick = listeners[receptive], talk.talkers[receptive], talk.kicks[receptive]
    kick = kick * state.traits["social_susceptibility"][listeners]
    kick = kick * reviews.factor(state.stage[listeners])
    np.add.at(state.interest, listeners, kick)
    negative = listeners[kick < 0]
    state.interest[negative] = np.maximum(state.interest[negative], 0.0)  # no debt of interest
    positive = kick > 0
    state.last_touch[listeners[positive]] = word_of_mouth_code
    referred_by[listeners[positive]] = talkers[positive]
    return Heard(talkers, listeners, kick)
