"""The service phase: fulfilment, delivery, support tickets and returns after a purchase.

This module runs the operations day by day (:class:`ServiceOperations`); the actors live in
:mod:`journeysim.sim.support` (the desk and tickets) and :mod:`journeysim.sim.fulfilment`
(orders, backlog, delivery); the satisfaction penalties in :mod:`journeysim.sim.satisfaction`.

The layer runs on a SimPy :class:`simpy.Environment` whose clock is in **days** (floats) and
which the model advances to the end of each simulated day (``run_day``).

Actors
------
``warehouse``
    One process for all orders. At the start of every day it ships up to the day's fulfilment
    capacity from a FIFO backlog held in numpy arrays (vectorised, no process per order).
``delivery``
    One process per shipment (not per parcel): the carrier's rounds, handing parcels over day by
    day as they arrive. On arrival the delivery penalty is applied and returns are decided.
``ticket_arrivals`` and ``ticket``
    A share of orders opens a support ticket when the parcel arrives (the customer finds the
    quality shortfall). Each ticket is a SimPy process queueing FCFS for one of the staffed
    ``support_agents`` (a :class:`SupportDesk`, a ``simpy.Resource`` whose capacity follows the
    staff roster).
``staffing``
    Applies ``staff_schedule`` at the start of each listed day.

Time rules
----------
* Staffed time: each agent works ``hours_per_day`` hours per calendar day, spread evenly over the
  day (the desk never closes, it works at the staffed rate). A ticket of ``h`` handle-hours
  therefore occupies an agent for ``h / hours_per_day`` days, and ``c`` agents resolve at most
  ``c * hours_per_day / handle_time_hours`` tickets a day. Waits are in calendar days.
* Staff changes (schedule or :meth:`ServiceOperations.set_staff`) take effect for new service
  starts: agents above the new level finish the ticket in hand, then go off duty.
* Orders placed on day ``d`` (``place_orders`` before ``run_day(d)``) ship at time ``d`` if
  capacity allows; order-to-door days are arrival time minus ``d``.
* Transit delays are gamma distributed with the configured mean and coefficient of variation;
  handle times are exponential.
* Returns: at delivery, satisfaction at ordering minus the delivery penalty is compared with
  ``return_threshold``; below it, the order is returned with ``return_probability``.

Randomness
----------
All draws come from the Generator passed in, and all of them are made in ``place_orders``
(ticket or not, transit, handle time, return draw: one vectorised call each). Staffing, capacity
and satisfaction therefore never shift the stream: under one seed, scenarios that place the same
orders see the same parcels and tickets, and a desk with more staff serves exactly the same
tickets (waits are then never longer, ticket by ticket).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import simpy

from journeysim.sim.fulfilment import DeliveryLog, OrderBacklog, Orders, delivery, ticket_probability, transit_days
from journeysim.sim.satisfaction import delivery_penalty, wait_penalty
from journeysim.sim.schema.service import ServiceSpec
from journeysim.sim.support import (
    Process,
    SupportDesk,
    SupportLog,
    erlang_c_wait,
    handle_days,
    simulate_mm_c,
    staffing,
    ticket_arrivals,
)

__all__ = [  # the service layer's public names, wherever they live
    "DAY", "POPULATION_UNIT", "Orders", "ServiceConfig", "ServiceDay", "ServiceOperations", "SupportDesk",
    "delivery_penalty", "erlang_c_wait", "population_factor", "simulate_mm_c", "wait_penalty",
]

DAY = 1.0  # days: the simulation clock unit, one model step
POPULATION_UNIT = 10_000  # customers: capacity and staff are stated per this many when scaled


# --------------------------------------------------------------------------------------------
# Configuration: the ``service`` section's spec and its rules live in the config schema
# --------------------------------------------------------------------------------------------
ServiceConfig = ServiceSpec
"""The service operations' configuration: the validated ``service`` section."""


def population_factor(size: int) -> float:
    """Population ``size`` in units of :data:`POPULATION_UNIT` customers: the factor by which a
    population-scaled service config (``service.scale_with_population``) is multiplied."""
    return size / POPULATION_UNIT


@dataclass
class ServiceDay:
    """What the service layer completed during one simulated day.

    ``customers`` is unique; ``satisfaction_delta`` sums a customer's penalties of the day
    (delivery lateness, support waits of resolved tickets; 0 for an on-time delivery).
    ``returned`` has one entry per returned order.
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


class ServiceOperations:
    """Fulfilment, delivery, support and returns on a SimPy clock in days.

    Parameters
    ----------
    config : ServiceConfig
        Absolute numbers (call ``config.scaled(population_factor(n))`` first if it is per 10,000).
    rng : numpy.random.Generator
        The service stream; every draw of the layer comes from it.

    Notes
    -----
    Per day the model calls ``place_orders(day, ...)`` then ``run_day(day)``.
    """

    def __init__(self, config: ServiceConfig, rng: np.random.Generator) -> None:
        self.config = config
        self.rng = rng
        self.env = simpy.Environment()
        self.support_agents = SupportDesk(self.env, config.staff_on(0))
        self.backlog = OrderBacklog()
        self._support_log = SupportLog()
        self._delivery_log = DeliveryLog()
        self._capacity_credit = 0.0  # orders: fractional capacity carried to the next day
        self._staff_overridden = False
        self._totals = _RunTotals()
        self.env.process(self.warehouse())
        self.env.process(
            staffing(self.env, self.support_agents, config.staff_schedule, self._is_overridden)
        )

    # ---- the model's interface ------------------------------------------------------------
    def place_orders(
        self,
        day: int,
        customers: np.ndarray,
        quality_shortfall: np.ndarray,
        satisfaction: np.ndarray,
    ) -> None:
        """Queue the orders placed on ``day``, drawing their tickets, transit, handling, returns.

        Parameters
        ----------
        day : int
            Day of the orders; they can ship from time ``day``.
        customers : numpy.ndarray
            int64 row indices of the buyers (one per order).
        quality_shortfall : numpy.ndarray
            Quality shortfall per order, in [0, 1]; raises the ticket probability.
        satisfaction : numpy.ndarray
            Buyers' satisfaction now (about -1..1), used for the return decision at delivery.
        """
        customers = np.asarray(customers, dtype=np.int64)
        if not self.config.enabled or customers.size == 0:
            return
        if not len(customers) == len(quality_shortfall) == len(satisfaction):
            raise ValueError("customers, quality_shortfall and satisfaction differ in length")
        orders = self._draw_orders(
            day,
            customers,
            np.asarray(quality_shortfall, dtype=np.float64),
            np.asarray(satisfaction, dtype=np.float32),
        )
        self.backlog.push(orders)
        self._totals.orders_placed += len(orders)

    def _draw_orders(
        self, day: int, customers: np.ndarray, shortfall: np.ndarray, satisfaction: np.ndarray
    ) -> Orders:
        """All of the orders' draws at once: ticket, transit, handle time, return."""
        config, n = self.config, customers.size
        p_ticket = ticket_probability(
            shortfall, config.ticket_probability, config.ticket_quality_slope
        )
        return Orders(
            customer=customers,
            order_day=np.full(n, float(day)),
            satisfaction=satisfaction,
            wants_ticket=self.rng.random(n) < p_ticket,
            transit=transit_days(self.rng, n, config.delivery_days_mean, config.delivery_days_cv),
            handle=handle_days(self.rng, n, config.handle_time_days),
            return_draw=self.rng.random(n),
        )

    def run_day(self, day: int) -> ServiceDay:
        """Advance the clock to the end of ``day`` and report what completed since the last call."""
        if day + DAY <= self.env.now:
            raise ValueError(f"day {day} is already simulated (clock at {self.env.now})")
        desk = self.support_agents
        busy_before, staffed_before = desk.busy_time, desk.staffed_time
        self.env.run(until=day + DAY)
        desk.account()
        busy, staffed = desk.busy_time - busy_before, desk.staffed_time - staffed_before
        service_day = self._collect_day(busy, staffed)
        self._support_log.clear()
        self._delivery_log.clear()
        return service_day

    def set_staff(self, staff: int) -> None:
        """Set the staffed agents from now on; later ``staff_schedule`` entries no longer apply."""
        self._staff_overridden = True
        self.support_agents.set_staff(staff)

    def summary(self) -> dict:
        """Run-level KPIs: orders, deliveries, returns, tickets, waits, utilisation, backlog."""
        return self._totals.summary(
            queue_tickets=len(self.support_agents.queue), backlog_orders=len(self.backlog)
        )

    # ---- processes --------------------------------------------------------------------------
    def warehouse(self) -> Process:
        """Ship up to the day's capacity from the backlog at the start of every day."""
        while True:
            self._ship()
            yield self.env.timeout(DAY)

    def _ship(self) -> None:
        shipped = self.backlog.pop(self._shipping_allowance(), up_to_day=self.env.now)
        if shipped is None:
            return
        shipped.arrival = self.env.now + shipped.transit
        self._totals.orders_shipped += len(shipped)
        self.env.process(delivery(self.env, shipped, self._hand_over))
        self._open_tickets_on_arrival(shipped)

    def _shipping_allowance(self) -> float:
        capacity = self.config.fulfilment_capacity
        if math.isinf(capacity):
            return math.inf
        allowance = math.floor(capacity + self._capacity_credit)
        self._capacity_credit = capacity + self._capacity_credit - allowance
        return allowance

    def _open_tickets_on_arrival(self, shipped: Orders) -> None:
        ticketed = shipped.take(shipped.wants_ticket)
        if len(ticketed) == 0:
            return
        order = np.argsort(ticketed.arrival, kind="stable")
        self.env.process(
            ticket_arrivals(
                self.env,
                self.support_agents,
                self._support_log,
                ticketed.arrival[order],
                ticketed.customer[order],
                ticketed.handle[order],
            )
        )

    def _hand_over(self, parcels: Orders) -> None:
        door_days = parcels.arrival - parcels.order_day
        penalty = delivery_penalty(door_days, self.config.delivery_penalty)
        self._delivery_log.customers.append(parcels.customer)
        self._delivery_log.penalties.append(penalty)
        self._delivery_log.days.append(door_days)
        self._delivery_log.returned.append(self._decide_returns(parcels, penalty))

    def _decide_returns(self, parcels: Orders, penalty: np.ndarray) -> np.ndarray:
        """Customers returning: satisfaction at delivery below threshold, then the order's draw."""
        at_delivery = parcels.satisfaction - penalty
        unhappy = at_delivery < self.config.return_threshold
        return parcels.customer[unhappy & (parcels.return_draw < self.config.return_probability)]

    def _is_overridden(self) -> bool:
        return self._staff_overridden

    # ---- the day's record -------------------------------------------------------------------
    def _collect_day(self, busy: float, staffed: float) -> ServiceDay:
        support, deliveries = self._support_log, self._delivery_log
        customers, delta = _net_penalties(
            deliveries.customers + [np.asarray(support.resolved_customers, dtype=np.int64)],
            deliveries.penalties + [wait_penalty(support.resolved_waits, self.config.wait_penalty)],
        )
        waits = np.asarray(support.started_waits, dtype=np.float64)
        door_days = _concat(deliveries.days, np.float64)
        returned = _concat(deliveries.returned, np.int64)
        day = ServiceDay(
            customers=customers,
            satisfaction_delta=delta,
            returned=returned,
            tickets_opened=support.opened,
            tickets_resolved=len(support.resolved_customers),
            mean_wait_days=_mean(waits),
            p95_wait_days=_percentile(waits, 95),
            utilisation=busy / staffed if staffed > 0 else math.nan,
            backlog_orders=len(self.backlog),
            queue_tickets=len(self.support_agents.queue),
            deliveries=door_days.size,
            mean_delivery_days=_mean(door_days),
        )
        self._totals.add(day, waits, door_days, busy, staffed)
        return day


def _net_penalties(
    customers: list[np.ndarray], penalties: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Unique customers and their summed satisfaction change (negative penalties), float32."""
    who = _concat(customers, np.int64)
    lost = _concat(penalties, np.float64)
    if who.size == 0:
        return who, np.empty(0, dtype=np.float32)
    unique, inverse = np.unique(who, return_inverse=True)
    return unique, (-np.bincount(inverse, weights=lost, minlength=unique.size)).astype(np.float32)


def _concat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype=dtype)


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else math.nan


def _percentile(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q)) if values.size else math.nan


@dataclass
class _RunTotals:
    """Run-level accumulators behind ``ServiceOperations.summary``."""

    orders_placed: int = 0
    orders_shipped: int = 0
    deliveries: int = 0
    delivery_days_sum: float = 0.0
    returns: int = 0
    tickets_opened: int = 0
    tickets_resolved: int = 0
    busy_time: float = 0.0  # agent-days
    staffed_time: float = 0.0  # agent-days
    max_backlog_orders: int = 0
    max_queue_tickets: int = 0
    waits: list[np.ndarray] = field(default_factory=list)  # days, one array per day

    def add(
        self, day: ServiceDay, waits: np.ndarray, door_days: np.ndarray, busy: float,
        staffed: float,
    ) -> None:
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

    def summary(self, queue_tickets: int, backlog_orders: int) -> dict:
        waits = _concat(self.waits, np.float64)
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
            "mean_wait_days": _mean(waits),
            "p95_wait_days": _percentile(waits, 95),
            "utilisation": self.busy_time / self.staffed_time if self.staffed_time else math.nan,
            "max_backlog_orders": self.max_backlog_orders,
            "max_queue_tickets": self.max_queue_tickets,
            "backlog_orders": backlog_orders,
            "queue_tickets": queue_tickets,
        }
