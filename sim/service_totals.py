"""Run-level accumulators of the service layer behind ``ServiceOperations.summary``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

BURST_WAIT_DAYS = 1.0
"""Days of wait beyond which a contact counts as badly served (with the abandoned ones)."""


def concat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    """The parts stacked as one array of ``dtype`` (empty if there are none)."""
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype=dtype)


def mean(values: np.ndarray) -> float:
    """Mean, NaN if empty."""
    return float(values.mean()) if values.size else math.nan


def percentile(values: np.ndarray, q: float) -> float:
    """``q``-th percentile, NaN if empty."""
    return float(np.percentile(values, q)) if values.size else math.nan


@dataclass
class ServiceDay:
    """What the service layer completed during one simulated day.

    ``customers`` is unique; ``satisfaction_delta`` sums a customer's changes of the day
    (delivery lateness, support waits and contact outcomes; 0 for an on-time delivery).
    ``returned`` has one entry per returned order; ``late_deliveries`` one per parcel delivered
    after its promised day; ``long_waits`` one per contact that was abandoned or waited more than
    :data:`BURST_WAIT_DAYS` (customers, rows).
    """

    customers: np.ndarray
    satisfaction_delta: np.ndarray
    returned: np.ndarray
    tickets_opened: int
    tickets_resolved: int
    mean_wait_days: float
    p95_wait_days: float
    utilisation: float
    backlog_orders: int
    queue_tickets: int
    deliveries: int
    mean_delivery_days: float
    support_cost: float  # currency spent on support that day (contacts and staffed agent-days)
    late_deliveries: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))  # one per late parcel
    long_waits: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))  # abandoned or > a day


@dataclass
class RunTotals:
    """Run-level accumulators: orders, deliveries, contacts and their outcomes, waits, busy time."""

    orders_placed: int = 0
    orders_shipped: int = 0
    deliveries: int = 0
    delivery_days_sum: float = 0.0
    returns: int = 0
    tickets_opened: int = 0
    tickets_resolved: int = 0
    outcomes: np.ndarray = field(default_factory=lambda: np.zeros(4, dtype=np.int64))
    wismo_prevented: int = 0
    busy_time: float = 0.0  # agent-days, default channel
    staffed_time: float = 0.0  # agent-days, default channel
    max_backlog_orders: int = 0
    max_queue_tickets: int = 0
    waits: list[np.ndarray] = field(default_factory=list)  # days, one array per day
    ended_opened: list[np.ndarray] = field(default_factory=list)  # days: when each contact opened
    ended_waits: list[np.ndarray] = field(default_factory=list)  # days: to service or abandonment
    ended_abandoned: list[np.ndarray] = field(default_factory=list)

    def add(self, day: object, waits: np.ndarray, door_days: np.ndarray, busy: float, staffed: float) -> None:
        """Add one ``ServiceDay`` with its service-start waits, order-to-door days and the default
        channel's busy and staffed agent-days."""
        self.deliveries += day.deliveries
        self.delivery_days_sum += float(door_days.sum())
        self.returns += day.returned.size
        self.tickets_opened += day.tickets_opened
        self.tickets_resolved += day.tickets_resolved
        self.busy_time += busy
        self.staffed_time += staffed
        self.max_backlog_orders = max(self.max_backlog_orders, day.backlog_orders)
        self.max_queue_tickets = max(self.max_queue_tickets, day.queue_tickets)
        if waits.size:
            self.waits.append(waits)

    def add_contacts(self, opened: list[float], waits: list[float], abandoned: list[bool]) -> None:
        """Keep the assisted contacts that ended today (service started or abandoned)."""
        if opened:
            self.ended_opened.append(np.asarray(opened))
            self.ended_waits.append(np.asarray(waits))
            self.ended_abandoned.append(np.asarray(abandoned, dtype=bool))

    def badly_served_share(self, from_day: float, to_day: float) -> tuple[float, int]:
        """Share of the assisted contacts opened in ``[from_day, to_day)`` that were abandoned or
        waited more than :data:`BURST_WAIT_DAYS`, and their number."""
        opened = concat(self.ended_opened, np.float64)
        inside = (opened >= from_day) & (opened < to_day)
        bad = concat(self.ended_abandoned, bool) | (concat(self.ended_waits, np.float64) > BURST_WAIT_DAYS)
        count = int(inside.sum())
        return (float(bad[inside].mean()) if count else math.nan), count

    def summary(self, queue_tickets: int, backlog_orders: int) -> dict:
        """The run's service KPIs (see ``ServiceOperations.summary``)."""
        from journeysim.sim.contacts import ABANDONED, DEFLECTED, RESOLVED, UNRESOLVED

        waits = concat(self.waits, np.float64)
        finished = int(self.outcomes.sum())
        return {
            "orders_placed": self.orders_placed,
            "orders_shipped": self.orders_shipped,
            "deliveries": self.deliveries,
            "mean_delivery_days": (
                self.delivery_days_sum / self.deliveries if self.deliveries else math.nan
            ),
            "returns": self.returns,
            "return_rate": self.returns / self.deliveries if self.deliveries else math.nan,
            "tickets_opened": self.tickets_opened,
            "tickets_resolved": self.tickets_resolved,
            "contacts": finished,
            "contacts_per_order": finished / self.orders_placed if self.orders_placed else math.nan,
            "resolved": int(self.outcomes[RESOLVED]),
            "abandoned": int(self.outcomes[ABANDONED]),
            "unresolved": int(self.outcomes[UNRESOLVED]),
            "deflected": int(self.outcomes[DEFLECTED]),
            "abandonment_rate": int(self.outcomes[ABANDONED]) / finished if finished else math.nan,
            "wismo_prevented": self.wismo_prevented,
            "mean_wait_days": mean(waits),
            "p95_wait_days": percentile(waits, 95),
            "utilisation": self.busy_time / self.staffed_time if self.staffed_time else math.nan,
            "max_backlog_orders": self.max_backlog_orders,
            "max_queue_tickets": self.max_queue_tickets,
            "backlog_orders": backlog_orders,
            "queue_tickets": queue_tickets,
        }


def net_changes(
    customers: list[np.ndarray], penalties: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Unique customers and their summed satisfaction change (negative penalties), float32."""
    who = concat(customers, np.int64)
    lost = concat(penalties, np.float64)
    if who.size == 0:
        return who, np.empty(0, dtype=np.float32)
    unique, inverse = np.unique(who, return_inverse=True)
    return unique, (-np.bincount(inverse, weights=lost, minlength=unique.size)).astype(np.float32)
