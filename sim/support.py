"""The support desk: staffed agents as a SimPy resource, tickets queueing for them, the roster.

Clock in days (floats). Each agent works ``hours_per_day`` hours per calendar day, spread
evenly, so a ticket of ``h`` handle-hours occupies an agent for ``h / hours_per_day`` days.
Staff changes take effect for new service starts: agents above the new level finish the
ticket in hand, then go off duty. The contacts queueing for the desks live in
:mod:`journeysim.sim.contacts` (whose ``simulate_mm_c`` is checked against :func:`erlang_c_wait`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Mapping, Sequence
from typing import Any

import simpy

Process = Generator[simpy.Event, Any, None]
"""A SimPy process: a generator of events."""


def erlang_c_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean waiting time in queue of an M/M/c queue (Erlang C), in the rates' time unit.

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate, lambda.
    service_rate : float
        Service rate of one server, mu (1 / mean service time).
    servers : int
        Number of servers, c.

    Returns
    -------
    float
        ``C(c, a) / (c * mu - lambda)`` with ``a = lambda / mu``; ``inf`` if the queue is
        unstable (``lambda >= c * mu``).
    """
    offered = arrival_rate / service_rate
    if offered >= servers:
        return math.inf
    blocking = 1.0  # Erlang B by the stable recursion B(k) = a B(k-1) / (k + a B(k-1))
    for k in range(1, servers + 1):
        blocking = offered * blocking / (k + offered * blocking)
    prob_wait = servers * blocking / (servers - offered * (1.0 - blocking))
    return prob_wait / (servers * service_rate - arrival_rate)


def erlang_a(arrival_rate: float, service_rate: float, servers: int, abandon_rate: float,
             states: int = 400) -> tuple[float, float]:
    """Abandonment share and mean wait of an M/M/c+M queue (Erlang A), in the rates' time unit.

    Computed from the stationary distribution of the queue's birth-death chain (birth
    ``arrival_rate``; death ``min(n, c) * service_rate + max(n - c, 0) * abandon_rate``),
    truncated at ``states`` customers in the system (far beyond any mass for the loads used).

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate, lambda.
    service_rate : float
        Service rate of one server, mu.
    servers : int
        Number of servers, c.
    abandon_rate : float
        Rate at which one waiting customer gives up, theta (1 / mean patience); > 0.
    states : int
        Truncation of the chain.

    Returns
    -------
    tuple of float
        The share of arrivals that abandon, and the mean time in queue of all arrivals (waits
        to service and times to abandonment alike), by Little's law on the queue.
    """
    weights = [1.0]
    for n in range(1, states):
        death = min(n, servers) * service_rate + max(n - servers, 0) * abandon_rate
        weights.append(weights[-1] * arrival_rate / death)
    total = math.fsum(weights)
    mean_queue = math.fsum(w * max(n - servers, 0) for n, w in enumerate(weights)) / total
    return abandon_rate * mean_queue / arrival_rate, mean_queue / arrival_rate


class SupportDesk(simpy.Resource):
    """The staffed support agents: a ``simpy.Resource`` whose capacity follows the roster.

    SimPy fixes a Resource's capacity, so this subclass changes it in one place,
    :meth:`set_staff`: the capacity (``_capacity``) is replaced and waiting tickets are granted
    while slots are free. A cut takes effect for new service starts; agents busy above the new
    level finish their ticket first. The desk also integrates busy and staffed agent-time
    (agents still finishing above the roster count as staffed), for utilisation.
    """

    def __init__(self, env: simpy.Environment, staff: int) -> None:
        super().__init__(env, capacity=1)
        self._capacity = int(staff)
        self.busy_time = 0.0  # agent-days spent on tickets
        self.staffed_time = 0.0  # agent-days on duty
        self._marked_at = env.now

    def set_staff(self, staff: int) -> None:
        """Set the staffed agents from now on; free slots start waiting tickets at once."""
        if staff < 0:
            raise ValueError(f"staff must be >= 0, got {staff}")
        self.account()
        self._capacity = int(staff)
        while self.put_queue and len(self.users) < self._capacity:
            self._trigger_put(None)

    def account(self) -> None:
        """Add busy and staffed agent-time since the last change up to now."""
        elapsed = self._env.now - self._marked_at
        busy = len(self.users)
        self.busy_time += busy * elapsed
        self.staffed_time += max(busy, self._capacity) * elapsed
        self._marked_at = self._env.now

    def _do_put(self, event: simpy.resources.resource.Request) -> None:
        if len(self.users) < self._capacity:
            self.account()
        super()._do_put(event)

    def _do_get(self, event: simpy.resources.resource.Release) -> None:
        self.account()
        super()._do_get(event)


def staffing(
    env: simpy.Environment,
    support_agents: SupportDesk,
    schedule: Sequence[Mapping[str, int]],
    is_overridden: Callable[[], bool],
) -> Process:
    """Apply the staff roster at the start of each listed day, unless a lever took over."""
    for entry in schedule:
        if entry["from_day"] > env.now:
            yield env.timeout(entry["from_day"] - env.now)
        if is_overridden():
            return
        support_agents.set_staff(entry["staff"])
