"""Preallocated daily records of a run: stage counts, flows, channels and KPIs."""

from __future__ import annotations

import numpy as np

from journeysim.sim.schema.devices import DEVICES
from journeysim.sim.schema.places import PLACES
from journeysim.sim.stages import Stage

DEVICE_COLUMNS: tuple[str, ...] = (*(f"sessions_{d}" for d in DEVICES), *(f"orders_{d}" for d in DEVICES),
                                   "cross_device_orders")
"""Daily columns by device (``sim/devices.py``): sessions (a day's reach by an impressions channel, or a
checkout attempt) and orders per device, and orders whose journey used two or more devices."""
PLACE_COLUMNS: tuple[str, ...] = (*(f"orders_{p}" for p in PLACES), "online_to_store_orders", "store_to_online_orders",
                                  "click_and_collect_orders", "store_exchanges")
"""Daily columns by purchase place (``sim/places.py``): orders per place, store orders after online sessions
(research online, buy in store), web or app orders after a store visit (the reverse), orders collected in a
store (click-and-collect) and returns exchanged in a store."""

DAILY_KPIS: tuple[str, ...] = (
    "acquisitions", "repurchases", "orders", "winbacks", "churned", "switched", "checkout_attempts",
    "abandoned", "revenue", "margin", "refunds", "returns", "conversations_positive",
    "conversations_negative", "referrals", "nps", "review_score", "tickets", "mean_wait_days",
    "p95_wait_days", "utilisation", "backlog_orders", "queue_tickets", "deliveries",
    "mean_delivery_days", "programme_cost", "loyal_repurchases", "basket_units",
    "list_price", "discount", "support_cost", "organic_discoveries", "season", "carts",
    "entrants", "leavers", *DEVICE_COLUMNS, *PLACE_COLUMNS,
)
"""Daily KPI columns (counts per day; currency per day; days; NPS in points).
``programme_cost``: currency per day of scenario programmes (referral rewards, loyalty, ...);
``loyal_repurchases``: orders of customers who were loyal or advocates when they ordered;
``basket_units``: orders counted in standard orders (the sum of their basket sizes);
``list_price`` (currency per order) and ``discount`` (share off it, 0..1): the day's market-wide
offer, for customers outside any scoped price or discount; ``support_cost``: currency per day of
support contacts and staffed agent-days (an operating cost: in profit, not in spend, CAC or ROAS);
``organic_discoveries``: prospects who found the category without paid media that day;
``season``: the day's index of category demand (1 on a flat calendar; ``sim/demand.py``);
``carts``: carts created per day (a prospect reaching deciding or going straight to checkout, and
every repeat order attempt; :func:`journeysim.sim.purchase.carts_created`);
``churned``: our customers who lapsed; ``switched``: our customers who bought a competitor at a
reorder (switchers, not counted as lapsed; ``sim/competition_phase.py``);
``entrants`` and ``leavers``: people who entered or left the market that day (``sim/turnover.py``)."""


class Collector:
    """Daily arrays, filled in place by the model (no per-agent reporters).

    Parameters
    ----------
    days : int
        Length of the run.
    channels : int
        Number of channels.
    """

    def __init__(self, days: int, channels: int) -> None:
        stages = len(Stage)
        self.stage_counts = np.zeros((days + 1, stages), np.int64)
        self.flows = np.zeros((days, stages, stages), np.int64)
        self.impressions = np.zeros((days, channels), np.int64)
        self.reach = np.zeros((days, channels), np.int64)
        self.spend = np.zeros((days, channels))
        self.attended_spend = np.zeros((days, channels))  # currency/day: spend that bought attended exposures
        self.acquisitions_by_source = np.zeros((days, channels + 2), np.int64)
        self.departures = np.zeros((days, stages), np.int64)  # leavers per day by the stage they left from
        self.daily = {name: np.zeros(days) for name in DAILY_KPIS}
        self.first_order_revenue = np.zeros(days)  # currency/day: gross value of first orders (truth ledger)
        self.days_done = 0

    def count_flows(self, day: int, old: np.ndarray, new: np.ndarray) -> None:
        """Add stage-to-stage moves of one phase to the day's flow matrix and occupancy."""
        stages = len(Stage)
        moves = np.bincount(old.astype(np.int64) * stages + new, minlength=stages * stages)
        moves = moves.reshape(stages, stages)
        self.flows[day] += moves
        self.stage_counts[day + 1] += moves.sum(axis=0) - moves.sum(axis=1)

    def count_turnover(self, day: int, entrants: int, leavers_stages: np.ndarray) -> None:
        """Book an open population's day: ``entrants`` enter unaware, leavers leave the market from
        ``leavers_stages``. Occupancy then moves by flows plus entrants minus departures."""
        departures = np.bincount(leavers_stages.astype(np.int64), minlength=len(Stage))
        self.departures[day] = departures
        self.stage_counts[day + 1] -= departures
        self.stage_counts[day + 1, Stage.UNAWARE] += entrants
        self.daily["entrants"][day] = entrants
        self.daily["leavers"][day] = leavers_stages.size

    def add(self, day: int, name: str, value: float) -> None:
        """Add ``value`` to a daily KPI."""
        self.daily[name][day] += value
