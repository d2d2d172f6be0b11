"""Support contacts: the channels customers choose, queueing with patience, resolution, repeats.

Clock in days (floats), as in :mod:`journeysim.sim.service`. A contact is a SimPy process:

* it picks a channel by its draw against the channels' current shares (so adding a channel or
  changing shares never shifts the random stream);
* self-service (an FAQ) resolves it with the channel's ``resolution`` (the deflection rate), no
  wait; otherwise the customer goes on to the default channel;
* a staffed channel queues it FCFS; the customer reneges when patience runs out first
  (``yield request | env.timeout(patience)``, patience exponential with the channel's mean);
  a share ``retry_share`` of those who gave up contact again, once, ``retry_days`` later (a
  retrial, as callers who abandon do: so an overloaded desk keeps its queue between waves);
* a handled contact is resolved with the channel's first-contact resolution; an unresolved one
  comes back once after ``recontact_days`` (a repeat contact, same channel) and if that fails
  too it stays unresolved.

Every draw of a contact is made when its order is placed (:class:`ContactDraws`), so staffing
never shifts the stream: a desk with more staff serves the same contacts.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import simpy

from journeysim.sim.support import Process, SupportDesk

RESOLVED, ABANDONED, UNRESOLVED, DEFLECTED = 0, 1, 2, 3
"""Outcomes of a contact (codes in :attr:`SupportLog.outcome_kinds`)."""
COMPLAINT, WISMO = 0, 1
"""Reasons for a contact: a complaint on arrival, or "where is my order"."""
N_DRAWS = 7
"""Uniform draws per order for its contacts: channel, patience, two resolutions, late ask, notified, retrial."""
CHANNEL, PATIENCE, RESOLVE, LATE_ASK, NOTIFIED, RETRY = 0, 1, 2, 4, 5, 6  # columns of the draws


@dataclass
class SupportChannel:
    """A support channel while the run goes: its desk (None for self-service) and numbers.

    ``handle_days`` is the mean handle time in days of staffed time, ``patience_days`` the mean
    patience in calendar days (``inf``: never abandons), ``resolution`` the first-contact
    resolution (self-service: the deflection rate); costs in currency.
    """

    name: str
    desk: SupportDesk | None
    share: float
    handle_days: float
    patience_days: float
    resolution: float
    cost_per_contact: float = 0.0
    cost_per_agent_day: float = 0.0
    handled: int = 0  # contacts handled (or tried, self-service)
    abandoned: int = 0
    overridden: bool = False  # a lever set the staff: the configured schedule no longer applies

    @property
    def self_service(self) -> bool:
        """An FAQ: no agents, no wait."""
        return self.desk is None


@dataclass
class SupportChannels:
    """The run's channels; the first is the default one and takes the share the others leave."""

    channels: list[SupportChannel]
    recontact_days: float = 1.0
    retry_share: float = 0.0  # share of customers who gave up in a queue and contact again (once)
    retry_days: float = 0.0  # days until they do

    @property
    def default(self) -> SupportChannel:
        """The default channel (``service.default_channel``)."""
        return self.channels[0]

    def named(self, name: str) -> SupportChannel:
        """The channel called ``name`` (KeyError naming the known ones)."""
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise KeyError(f"no support channel {name!r}; the run has {[c.name for c in self.channels]}")

    def cost(self) -> float:
        """Support cost so far, currency: contacts handled times each channel's cost per contact,
        plus its staffed agent-days times its cost per agent-day."""
        return sum(c.handled * c.cost_per_contact + (c.desk.staffed_time * c.cost_per_agent_day if c.desk else 0.0)
                   for c in self.channels)

    def choose(self, draw: float) -> SupportChannel:
        """The channel a contact with uniform ``draw`` chooses under today's shares."""
        edge = 0.0
        for channel in self.channels[1:]:
            edge += channel.share
            if draw < edge:
                return channel
        return self.default


class Contact(NamedTuple):
    """One contact's customer, reason, draws (see :data:`N_DRAWS`), unit handle time and what a
    resolution gives back (satisfaction)."""

    customer: int
    reason: int
    draws: np.ndarray
    handle: float
    recovery: float


@dataclass
class SupportLog:
    """What the support desks did since the log was last cleared (cheap Python lists).

    ``started_*``: one entry per service start (waits in days); ``outcome_*``: one entry per
    finished contact (resolved, abandoned, unresolved or deflected) with its total wait and
    the satisfaction a resolution gives back; ``ended_*``: per assisted contact, when it was
    opened, its wait (to service or to abandonment) and whether it was abandoned.
    """

    opened: int = 0
    started_customers: list[int] = field(default_factory=list)
    started_waits: list[float] = field(default_factory=list)
    outcome_customers: list[int] = field(default_factory=list)
    outcome_kinds: list[int] = field(default_factory=list)
    outcome_waits: list[float] = field(default_factory=list)
    outcome_recovery: list[float] = field(default_factory=list)
    ended_opened: list[float] = field(default_factory=list)
    ended_waits: list[float] = field(default_factory=list)
    ended_abandoned: list[bool] = field(default_factory=list)

    def clear(self) -> None:
        """Forget everything logged so far (the ``ended_*`` lists too)."""
        self.opened = 0
        for entries in vars(self).values():
            if isinstance(entries, list):
                entries.clear()

    def finish(self, contact: Contact, kind: int, wait: float) -> None:
        """Record a finished contact."""
        self.outcome_customers.append(contact.customer)
        self.outcome_kinds.append(kind)
        self.outcome_waits.append(wait)
        self.outcome_recovery.append(contact.recovery if kind in (RESOLVED, DEFLECTED) else 0.0)

    def count(self, kind: int) -> int:
        """Finished contacts of outcome ``kind``."""
        return self.outcome_kinds.count(kind)


def contact(env: simpy.Environment, channels: SupportChannels, log: SupportLog, c: Contact) -> Process:
    """A customer's contact from choosing a channel to its outcome (see the module notes)."""
    channel = channels.choose(float(c.draws[CHANNEL]))
    if channel.self_service:
        channel.handled += 1
        if c.draws[RESOLVE] < channel.resolution:
            log.finish(c, DEFLECTED, 0.0)
            return
        channel = channels.default
    waited, retried = 0.0, False
    for attempt in (0, 1):
        served, wait, opened_at = yield from _queue_and_handle(env, channel, log, c)
        if not served and not retried and c.draws[RETRY] < channels.retry_share:
            retried = True
            waited += wait
            yield env.timeout(channels.retry_days)
            served, wait, opened_at = yield from _queue_and_handle(env, channel, log, c)
        if not served:
            log.finish(c, ABANDONED, waited + env.now - opened_at)
            return
        waited += wait
        if c.draws[RESOLVE + attempt] < channel.resolution:
            log.finish(c, RESOLVED, waited)
            return
        if attempt == 0:
            yield env.timeout(channels.recontact_days)
    log.finish(c, UNRESOLVED, waited)


def _queue_and_handle(env: simpy.Environment, channel: SupportChannel, log: SupportLog,
                      c: Contact) -> Generator[simpy.Event, Any, tuple[bool, float, float]]:
    """One turn in ``channel``'s queue: ``(True, wait, opened)`` once an agent has handled the
    contact, ``(False, wait, opened)`` the moment the customer's patience ran out first (wait in
    days; ``opened``, the time the turn began, on the clock of days)."""
    log.opened += 1
    opened_at = env.now
    patience = math.inf if math.isinf(channel.patience_days) else float(c.draws[PATIENCE]) * channel.patience_days
    with channel.desk.request() as request:
        if math.isinf(patience) or request.triggered:  # a free agent takes it now: patience cannot run out
            yield request
        else:
            outcome = yield request | env.timeout(patience)
            if request not in outcome:
                channel.abandoned += 1
                _ended(log, opened_at, env.now - opened_at, abandoned=True)
                return False, env.now - opened_at, opened_at
        wait = env.now - opened_at
        _ended(log, opened_at, wait, abandoned=False)
        log.started_customers.append(c.customer)
        log.started_waits.append(wait)
        yield env.timeout(c.handle * channel.handle_days)
    channel.handled += 1
    return True, wait, opened_at


def _ended(log: SupportLog, opened_at: float, wait: float, abandoned: bool) -> None:
    log.ended_opened.append(opened_at)
    log.ended_waits.append(wait)
    log.ended_abandoned.append(abandoned)


def contact_arrivals(
    env: simpy.Environment, channels: SupportChannels, log: SupportLog,
    open_times: np.ndarray, contacts: list[Contact],
) -> Process:
    """Open ``contacts`` at the given sorted times (days), one :func:`contact` process each."""
    for opens_at, one in zip(open_times.tolist(), contacts, strict=True):
        if opens_at > env.now:
            yield env.timeout(opens_at - env.now)
        env.process(contact(env, channels, log, one))


def simulate_mm_c(
    arrival_rate_per_day: float,
    service_rate_per_day: float,
    servers: int,
    days: float,
    rng: np.random.Generator,
    warmup_days: float = 0.0,
    patience_days: float = math.inf,
) -> np.ndarray:
    """Run one support channel alone as an M/M/c queue (M/M/c+M with finite patience).

    Uses the model's own ``SupportDesk`` and :func:`contact` processes, fed Poisson arrivals
    over ``[0, days)``, exponential service times and exponential patience of mean
    ``patience_days``; every contact is resolved at its first handling.

    Returns
    -------
    numpy.ndarray
        Waits (days) of the contacts that arrived after ``warmup_days``, in arrival order: the
        wait to service, or ``-(time in queue)`` for a contact that abandoned.
    """
    env = simpy.Environment()
    desk = SupportDesk(env, servers)
    channel = SupportChannel("desk", desk, 1.0, 1.0 / service_rate_per_day, patience_days, 1.0)
    channels, log = SupportChannels([channel]), SupportLog()
    n = rng.poisson(arrival_rate_per_day * days)
    open_times = np.sort(rng.uniform(0.0, days, n))
    handle = rng.exponential(1.0, n)
    draws = np.zeros((n, N_DRAWS))
    if math.isfinite(patience_days):
        draws[:, PATIENCE] = rng.exponential(1.0, n)
    contacts = [Contact(i, COMPLAINT, draws[i], float(handle[i]), 0.0) for i in range(n)]
    env.process(contact_arrivals(env, channels, log, open_times, contacts))
    env.run()
    waits = np.empty(n)
    waits_out = np.asarray(log.outcome_waits)
    abandoned = np.asarray(log.outcome_kinds) == ABANDONED
    waits[np.asarray(log.outcome_customers, dtype=np.int64)] = np.where(abandoned, -waits_out, waits_out)
    return waits[open_times >= warmup_days]
