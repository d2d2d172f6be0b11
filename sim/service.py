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
``contact_arrivals`` and ``contact`` (:mod:`journeysim.sim.contacts`)
    Contacts per order: a complaint when the parcel arrives (more with a quality shortfall), a
    "where is my order" (WISMO) question while it is in transit (``wismo_share`` of
    ``ticket_probability``), and a WISMO question from a share ``late_wismo_probability`` of
    customers whose order is not delivered by the promised day (asked on that day, or at the
    start of the first day after it while the order still waits in the warehouse). Proactive
    notifications prevent a share of WISMO contacts. Each contact chooses a channel; staffed
    channels are :class:`SupportDesk` resources (``support_agents`` is the default channel's),
    queueing FCFS with patience (reneging) and first-contact resolution.
``staffing``
    Applies each channel's ``staff_schedule`` at the start of each listed day.

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
All draws are made in ``place_orders`` (contact or not, transit, handle time, return draw, the
contacts' channel, patience, resolution and notification draws: one vectorised call each). With
the run's :class:`~journeysim.sim.streams.RandomStreams` each order's numbers are keyed by its
customer and order number (the customer's k-th order draws the same numbers in every run of the
seed, whoever else orders: common random numbers); with a Generator they come from it in order.
Staffing, capacity and satisfaction therefore never shift the numbers: under one seed, scenarios
that place the same orders see the same parcels and tickets, and a desk with more staff serves
exactly the same tickets (waits are then never longer, ticket by ticket).
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from journeysim.sim.contacts import (
    ABANDONED,
    COMPLAINT,
    LATE_ASK,
    N_DRAWS,
    NOTIFIED,
    RESOLVED,
    WISMO,
    Contact,
    SupportChannel,
    SupportChannels,
    SupportLog,
    contact_arrivals,
    simulate_mm_c,
)
from journeysim.sim.fulfilment import DeliveryLog, OrderBacklog, Orders, delivery, ticket_probability, transit_days
from journeysim.sim.satisfaction import contact_change, delivery_penalty, wait_penalty
from journeysim.sim.schema.service import ServiceSpec
from journeysim.sim.schema.support import SupportChannelSpec
from journeysim.sim.service_totals import BURST_WAIT_DAYS, RunTotals, ServiceDay, concat, mean, net_changes, percentile
from journeysim.sim.streams import RandomStreams, SequentialDraws
from journeysim.sim.support import Process, SupportDesk, erlang_c_wait, staffing

__all__ = [  # the service layer's public names, wherever they live
    "DAY", "POPULATION_UNIT", "Orders", "ServiceConfig", "ServiceDay", "ServiceOperations", "SupportDesk",
    "SupportChannel", "delivery_penalty", "erlang_c_wait", "population_factor", "simulate_mm_c",
    "wait_penalty",
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


class ServiceOperations:
    """Fulfilment, delivery, support and returns on a SimPy clock in days.

    Parameters
    ----------
    config : ServiceConfig
        Absolute numbers (call ``config.scaled(population_factor(n))`` first if it is per 10,000).
    rng : numpy.random.Generator or RandomStreams
        The service stream (every draw of the layer from it, in order), or the run's streams
        (each order's draws keyed by its customer and order number).

    Notes
    -----
    Per day the model calls ``place_orders(day, ...)`` then ``run_day(day)``.
    """

    def __init__(self, config: ServiceConfig, rng: np.random.Generator | RandomStreams) -> None:
        self.config = config
        self._draws_on = rng.day if isinstance(rng, RandomStreams) else (lambda day: SequentialDraws(rng))
        self.env = simpy.Environment()
        self.support_agents = SupportDesk(self.env, config.staff_on(0))
        default = SupportChannel(
            config.default_channel, self.support_agents, 1.0, config.handle_time_days,
            config.patience_days, config.first_contact_resolution, config.cost_per_contact,
            config.cost_per_agent_day)
        self.channels = SupportChannels([default], config.recontact_days, config.retry_share, config.retry_days)
        self.backlog = OrderBacklog()
        self._support_log = SupportLog()
        self._delivery_log = DeliveryLog()
        self._capacity_credit = 0.0  # orders: fractional capacity carried to the next day
        self._late_checked_through = -math.inf  # order day up to which late orders were asked about
        self._totals = RunTotals()
        self._support_cost_booked = 0.0  # currency, up to the last collected day
        self._staffing(default, config.staff_schedule)
        for spec in config.channels:
            self.add_channel(spec)
        self.env.process(self.warehouse())

    # ---- the model's interface ------------------------------------------------------------
    def place_orders(
        self,
        day: int,
        customers: np.ndarray,
        quality_shortfall: np.ndarray,
        satisfaction: np.ndarray,
        occasion: np.ndarray | None = None,
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
        occasion : numpy.ndarray, optional
            Each order's number among its customer's orders (keys its draws; None: the day).
        """
        customers = np.asarray(customers, dtype=np.int64)
        if not self.config.enabled or customers.size == 0:
            return
        if not len(customers) == len(quality_shortfall) == len(satisfaction):
            raise ValueError("customers, quality_shortfall and satisfaction differ in length")
        orders = self._draw_orders(
            day,
            customers,
            np.clip(np.asarray(quality_shortfall, dtype=np.float64), 0.0, 1.0),
            np.asarray(satisfaction, dtype=np.float32),
            occasion,
        )
        self.backlog.push(orders)
        self._totals.orders_placed += len(orders)

    def _draw_orders(
        self, day: int, customers: np.ndarray, shortfall: np.ndarray, satisfaction: np.ndarray,
        occasion: np.ndarray | None = None,
    ) -> Orders:
        """All of the orders' draws at once: contacts, transit, handle time, return."""
        config, n = self.config, customers.size
        p_wismo = config.ticket_probability * config.wismo_share
        p_complaint = ticket_probability(
            shortfall, config.ticket_probability - p_wismo, config.ticket_quality_slope
        )
        numbers = self._draws_on(day)
        contact_draw = numbers.uniform("ticket", customers, occasion)
        draws = np.column_stack([numbers.uniform(f"contact:{k}", customers, occasion) for k in range(N_DRAWS)])
        draws[:, 1] = -np.log1p(-draws[:, 1])  # unit exponential patience
        return Orders(
            customer=customers,
            order_day=np.full(n, float(day)),
            satisfaction=satisfaction,
            wants_ticket=contact_draw < p_complaint,
            wants_wismo=(contact_draw >= p_complaint) & (contact_draw < p_complaint + p_wismo),
            shortfall=shortfall,
            contact=draws,
            transit=transit_days(numbers.uniform("transit", customers, occasion), config.delivery_days_mean,
                                 config.delivery_days_cv),
            handle=numbers.exponential("handle", customers, occasion),
            return_draw=numbers.uniform("return", customers, occasion),
        )

    def run_day(self, day: int) -> ServiceDay:
        """Advance the clock to the end of ``day`` and report what completed since the last call."""
        if day + DAY <= self.env.now:
            raise ValueError(f"day {day} is already simulated (clock at {self.env.now})")
        desks = [c.desk for c in self.channels.channels if c.desk is not None]
        before = [(desk.busy_time, desk.staffed_time) for desk in desks]
        self.env.run(until=day + DAY)
        for desk in desks:
            desk.account()
        busy, staffed = (self.support_agents.busy_time - before[0][0],
                         self.support_agents.staffed_time - before[0][1])
        service_day = self._collect_day(busy, staffed)
        self._support_log.clear()
        self._delivery_log.clear()
        return service_day

    def set_staff(self, staff: int, channel: str | None = None) -> None:
        """Set a channel's staffed agents from now on (default: the default channel); its later
        ``staff_schedule`` entries no longer apply."""
        target = self.channels.default if channel is None else self.channels.named(channel)
        if target.desk is None:
            raise ValueError(f"support channel {target.name!r} is self-service: it has no staff")
        target.overridden = True
        target.desk.set_staff(staff)

    def add_channel(self, spec: SupportChannelSpec) -> SupportChannel:
        """Open a support channel from now on (its staff schedule counted from day 0)."""
        if spec.name in [c.name for c in self.channels.channels]:
            raise ValueError(f"support channel {spec.name!r} already exists")
        desk = None if spec.self_service else SupportDesk(self.env, 0)
        channel = SupportChannel(
            spec.name, desk, spec.share, spec.handle_time_days, spec.patience_days,
            spec.first_contact_resolution, spec.cost_per_contact, spec.cost_per_agent_day)
        self.channels.channels.append(channel)
        if desk is not None:
            self._staffing(channel, spec.staff_schedule)
        return channel

    def _staffing(self, channel: SupportChannel, schedule: list[dict]) -> None:
        self.env.process(staffing(self.env, channel.desk, schedule, lambda: channel.overridden))

    def summary(self) -> dict:
        """Run-level KPIs: orders, deliveries, returns, contacts and their outcomes, waits,
        utilisation (default channel, and ``utilisation_by_channel``), support cost, backlog."""
        summary = self._totals.summary(
            queue_tickets=len(self.support_agents.queue), backlog_orders=len(self.backlog)
        )
        desks = {c.name: c.desk for c in self.channels.channels if c.desk is not None}
        summary["utilisation_by_channel"] = {
            name: desk.busy_time / desk.staffed_time if desk.staffed_time else math.nan
            for name, desk in desks.items()}
        summary["contacts_by_channel"] = {c.name: c.handled for c in self.channels.channels}
        summary["support_cost"] = self.channels.cost()
        return summary

    def badly_served_share(self, from_day: float, to_day: float) -> tuple[float, int]:
        """Share of assisted contacts opened in ``[from_day, to_day)`` that were abandoned or
        waited more than a day, and how many contacts opened then."""
        return self._totals.badly_served_share(from_day, to_day)

    # ---- processes --------------------------------------------------------------------------
    def warehouse(self) -> Process:
        """Ship up to the day's capacity from the backlog at the start of every day."""
        while True:
            self._ask_about_late_orders()
            self._ship()
            yield self.env.timeout(DAY)

    def _ask_about_late_orders(self) -> None:
        """Orders still in the warehouse past their promised day: some customers ask now."""
        promised = self.config.delivery_penalty["promised_days"]
        cutoff = self.env.now - promised
        late = self.backlog.placed_in(self._late_checked_through, cutoff)
        self._late_checked_through = cutoff
        if late is not None:
            p_ask = self.config.late_wismo_probability
            asking = late.take(late.contact[:, LATE_ASK] < p_ask)
            self._open(asking, self.env.now + asking.contact[:, LATE_ASK] / p_ask, WISMO)  # over the day

    def _ship(self) -> None:
        shipped = self.backlog.pop(self._shipping_allowance(), up_to_day=self.env.now)
        if shipped is None:
            return
        shipped.arrival = self.env.now + shipped.transit
        self._totals.orders_shipped += len(shipped)
        self.env.process(delivery(self.env, shipped, self._hand_over))
        self._open_contacts(shipped)

    def _shipping_allowance(self) -> float:
        capacity = self.config.fulfilment_capacity
        if math.isinf(capacity):
            return math.inf
        allowance = math.floor(capacity + self._capacity_credit)
        self._capacity_credit = capacity + self._capacity_credit - allowance
        return allowance

    def _open_contacts(self, shipped: Orders) -> None:
        """Complaints on arrival, WISMO questions in transit and on the promised day if late."""
        complaints = shipped.take(shipped.wants_ticket)
        self._open(complaints, complaints.arrival, COMPLAINT)
        in_transit = shipped.take(shipped.wants_wismo)
        self._open(in_transit, in_transit.arrival - 0.5 * in_transit.transit, WISMO)
        promised = shipped.order_day + self.config.delivery_penalty["promised_days"]
        late = (shipped.arrival > promised) & (promised > self.env.now)
        late &= shipped.contact[:, LATE_ASK] < self.config.late_wismo_probability
        asking = shipped.take(late)
        self._open(asking, asking.order_day + self.config.delivery_penalty["promised_days"], WISMO)

    def _open(self, orders: Orders, times: np.ndarray, reason: int) -> None:
        """Start the contacts of ``orders`` at ``times`` (days); notifications prevent WISMO ones."""
        if len(orders) and reason == WISMO and self.config.proactive_notifications:
            prevented = orders.contact[:, NOTIFIED] < self.config.notification_prevention
            self._totals.wismo_prevented += int(prevented.sum())
            orders, times = orders.take(~prevented), times[~prevented]
        if len(orders) == 0:
            return
        recovery = (np.minimum(2.0 * orders.shortfall, 1.0) if reason == COMPLAINT
                    else np.zeros(len(orders)))
        order = np.argsort(times, kind="stable")
        contacts = [Contact(int(orders.customer[i]), reason, orders.contact[i], float(orders.handle[i]),
                            float(recovery[i])) for i in order.tolist()]
        self.env.process(contact_arrivals(self.env, self.channels, self._support_log, times[order], contacts))

    def _hand_over(self, parcels: Orders) -> None:
        door_days = parcels.arrival - parcels.order_day
        backlog_days = door_days - parcels.transit
        penalty = delivery_penalty(door_days, self.config.delivery_penalty, backlog_days,
                                   self.config.in_control_factor)
        self._delivery_log.customers.append(parcels.customer)
        self._delivery_log.penalties.append(penalty)
        self._delivery_log.days.append(door_days)
        self._delivery_log.returned.append(self._decide_returns(parcels, penalty))

    def _decide_returns(self, parcels: Orders, penalty: np.ndarray) -> np.ndarray:
        """Customers returning: satisfaction at delivery below threshold, then the order's draw."""
        at_delivery = parcels.satisfaction - penalty
        unhappy = at_delivery < self.config.return_threshold
        return parcels.customer[unhappy & (parcels.return_draw < self.config.return_probability)]

    # ---- the day's record -------------------------------------------------------------------
    def _collect_day(self, busy: float, staffed: float) -> ServiceDay:
        support, deliveries = self._support_log, self._delivery_log
        kinds = np.asarray(support.outcome_kinds, dtype=np.int64)
        contact_loss = -contact_change(kinds, np.asarray(support.outcome_waits, dtype=np.float64),
                                       np.asarray(support.outcome_recovery, dtype=np.float64), self.config)
        customers, delta = net_changes(
            deliveries.customers + [np.asarray(support.outcome_customers, dtype=np.int64)],
            deliveries.penalties + [contact_loss],
        )
        waits = np.asarray(support.started_waits, dtype=np.float64)
        door_days = concat(deliveries.days, np.float64)
        returned = concat(deliveries.returned, np.int64)
        late = [c[p > 0] for c, p in zip(deliveries.customers, deliveries.penalties, strict=True)]
        outcome_waits = np.asarray(support.outcome_waits, dtype=np.float64)
        day = ServiceDay(
            customers=customers,
            satisfaction_delta=delta,
            returned=returned,
            tickets_opened=support.opened,
            tickets_resolved=int((kinds == RESOLVED).sum()),
            mean_wait_days=mean(waits),
            p95_wait_days=percentile(waits, 95),
            utilisation=busy / staffed if staffed > 0 else math.nan,
            backlog_orders=len(self.backlog),
            queue_tickets=len(self.support_agents.queue),
            deliveries=door_days.size,
            mean_delivery_days=mean(door_days),
            support_cost=self.channels.cost() - self._support_cost_booked,
            late_deliveries=concat(late, np.int64),
            long_waits=np.asarray(support.outcome_customers, np.int64)[(kinds == ABANDONED)
                                                                       | (outcome_waits > BURST_WAIT_DAYS)],
        )
        self._support_cost_booked += day.support_cost
        self._totals.add(day, waits, door_days, busy, staffed)
        self._totals.outcomes += np.bincount(kinds, minlength=4)
        self._totals.add_contacts(support.ended_opened, support.ended_waits, support.ended_abandoned)
        return day
