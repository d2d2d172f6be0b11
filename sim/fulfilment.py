"""Fulfilment and delivery: orders as numpy batches, the FIFO backlog, the carrier's rounds.

Everything random about an order (ticket or not, transit, handle time, return draw) is drawn
when it is placed, so staffing, capacity and satisfaction never shift the service stream.
Transit delays are gamma distributed with the configured mean and coefficient of variation.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import simpy
from scipy.special import gammaincinv

from journeysim.sim.support import Process


def transit_days(uniform: np.ndarray, mean: float, cv: float) -> np.ndarray:
    """Gamma transit delays (days) with the given mean and coefficient of variation, one per
    uniform number in [0, 1) (by inversion, so each order's delay follows its own number)."""
    if cv == 0 or mean == 0:
        return np.full(np.size(uniform), float(mean))
    shape = 1.0 / cv**2
    return gammaincinv(shape, uniform) * (mean / shape)


def ticket_probability(shortfall: np.ndarray, base: float, slope: float) -> np.ndarray:
    """Probability that an order opens a ticket, given its quality shortfall in [0, 1]."""
    return np.clip(base + slope * np.clip(shortfall, 0.0, 1.0), 0.0, 1.0)



_ORDER_COLUMNS = (
    "customer",
    "order_day",
    "satisfaction",
    "wants_ticket",
    "wants_wismo",
    "shortfall",
    "contact",
    "transit",
    "handle",
    "return_draw",
)


@dataclass
class Orders:
    """A batch of orders as parallel arrays (one row per order).

    Everything random about an order is drawn when it is placed, so staffing, capacity and
    satisfaction never shift the service stream: under one seed, scenarios that place the same
    orders see the same tickets, transit and handle times (common random numbers).
    """

    customer: np.ndarray  # int64 row indices
    order_day: np.ndarray  # float64, days
    satisfaction: np.ndarray  # float32, at ordering
    wants_ticket: np.ndarray  # bool: opens a complaint when the parcel arrives
    wants_wismo: np.ndarray  # bool: asks "where is my order" while the parcel is in transit
    shortfall: np.ndarray  # float64, quality shortfall in [0, 1]
    contact: np.ndarray  # float64 (n, contacts.N_DRAWS) uniforms and unit patience of its contacts
    transit: np.ndarray  # float64, days from shipping to the door
    handle: np.ndarray  # float64, unit exponential: handle time in the channel's mean handle times
    return_draw: np.ndarray  # float64 uniform [0, 1): returned if below return_probability
    arrival: np.ndarray | None = None  # float64, days; set when shipped

    def __len__(self) -> int:
        return len(self.customer)

    def take(self, index: np.ndarray | slice) -> Orders:
        """Rows ``index`` as a new batch."""
        columns = {name: getattr(self, name)[index] for name in _ORDER_COLUMNS}
        arrival = None if self.arrival is None else self.arrival[index]
        return Orders(**columns, arrival=arrival)

    @staticmethod
    def concat(batches: Sequence[Orders]) -> Orders:
        """Stack unshipped batches in order."""
        return Orders(
            **{name: np.concatenate([getattr(b, name) for b in batches]) for name in _ORDER_COLUMNS}
        )

    def by_arrival_day(self) -> Iterator[Orders]:
        """Shipped orders grouped by the calendar day of arrival, earliest first."""
        order = np.argsort(self.arrival, kind="stable")
        arrival_day = np.floor(self.arrival[order])
        cuts = np.flatnonzero(np.diff(arrival_day)) + 1
        for rows in np.split(order, cuts):
            yield self.take(rows)


class OrderBacklog:
    """FIFO of orders waiting to ship, kept as a queue of numpy batches."""

    def __init__(self) -> None:
        self._batches: deque[Orders] = deque()
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def push(self, orders: Orders) -> None:
        """Queue a batch (all of one order day) behind the others."""
        if len(orders):
            self._batches.append(orders)
            self._size += len(orders)

    def placed_in(self, after: float, up_to: float) -> Orders | None:
        """The waiting orders placed after day ``after`` and no later than ``up_to``."""
        parts = [b.take((b.order_day > after) & (b.order_day <= up_to)) for b in self._batches
                 if after < b.order_day[0] <= up_to]
        return Orders.concat(parts) if parts else None

    def pop(self, n: float, up_to_day: float) -> Orders | None:
        """Take up to ``n`` of the oldest orders placed no later than ``up_to_day``."""
        taken: list[Orders] = []
        while n > 0 and self._batches and self._batches[0].order_day[0] <= up_to_day:
            head = self._batches[0]
            if len(head) <= n:
                taken.append(self._batches.popleft())
            else:
                cut = int(n)
                taken.append(head.take(slice(0, cut)))
                self._batches[0] = head.take(slice(cut, None))
            n -= len(taken[-1])
        shipped = Orders.concat(taken) if taken else None
        self._size -= 0 if shipped is None else len(shipped)
        return shipped


@dataclass
class DeliveryLog:
    """Deliveries handed over since the log was last cleared."""

    customers: list[np.ndarray] = field(default_factory=list)
    penalties: list[np.ndarray] = field(default_factory=list)
    days: list[np.ndarray] = field(default_factory=list)  # order-to-door, days
    returned: list[np.ndarray] = field(default_factory=list)

    def clear(self) -> None:
        """Forget everything logged so far."""
        for entries in (self.customers, self.penalties, self.days, self.returned):
            entries.clear()


def delivery(
    env: simpy.Environment, shipment: Orders, hand_over: Callable[[Orders], None]
) -> Process:
    """The carrier's rounds for one shipment: hand parcels over day by day as they arrive."""
    for parcels in shipment.by_arrival_day():
        last_arrival = float(parcels.arrival.max())
        if last_arrival > env.now:
            yield env.timeout(last_arrival - env.now)
        hand_over(parcels)
