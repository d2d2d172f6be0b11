"""The purchase phase: checkout (cart abandonment), orders, price and the next order's level.

Customers reach this phase when their interest crossed their buy level (prospects) or their
repurchase level (active customers). Satisfaction after an order is set by
:func:`journeysim.sim.satisfaction.after_order`; the new stage by
:func:`journeysim.sim.stages.after_purchase`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from journeysim.sim.collectors import Collector
from journeysim.sim.config import MarketSpec
from journeysim.sim.stages import LOYAL_STAGES, Stage
from journeysim.sim.state import NO_TOUCH, CustomerState
from journeysim.sim.streams import Draws

if TYPE_CHECKING:
    from journeysim.sim.funnel import FunnelMoves


@dataclass
class Checkout:
    """Outcome of today's checkout attempts."""

    buyers: np.ndarray
    abandoners: np.ndarray


@dataclass
class Purchases:
    """Today's purchases: who bought, at what price, what quality they perceived and how far
    quality fell short of their expectation."""

    rows: np.ndarray
    first: np.ndarray  # bool: the customer's first order
    price: np.ndarray  # currency paid per order: offered price x basket size
    quality: np.ndarray  # perceived quality of the order
    shortfall: np.ndarray  # expectation minus perceived quality, in [0, 1]
    basket: np.ndarray | None = None  # basket size per order, standard orders (None: 1 each)


def carts_created(stage: np.ndarray, moves: FunnelMoves) -> int:
    """Carts created today, counted as Baymard counts them (EVIDENCE §4): a prospect who reaches
    deciding creates one (whether they go on to buy or only browse and fall back), so does a
    prospect who goes straight to checkout from an earlier stage, and so does every repeat order
    attempt. ``stage`` holds the stage codes before today's moves.
    """
    deciding = np.int8(Stage.DECIDING)
    opened = int(((moves.stages == deciding) & (stage[moves.rows] < deciding)).sum())
    return opened + int((stage[moves.checkout] != deciding).sum()) + moves.repurchase.size


def cart_abandonment(carts: float, orders: float, open_carts: float = 0.0) -> float:
    """Share of carts created that were abandoned (Baymard's count, EVIDENCE §4):
    ``(carts - orders - open) / (carts - open)``, the carts still open (customers deciding at the
    end) left out; NaN without carts."""
    closed = carts - open_carts
    return (closed - orders) / closed if closed > 0 else float("nan")


def checkout(attempts: np.ndarray, friction: float | np.ndarray, draws: Draws) -> Checkout:
    """Split checkout attempts into buyers and cart abandoners (probability ``friction``, one
    for all or one per attempt)."""
    if attempts.size == 0 or not np.any(friction > 0):
        return Checkout(attempts, attempts[:0])
    abandon = draws.uniform("checkout", attempts) < friction
    return Checkout(attempts[~abandon], attempts[abandon])


def purchase(state: CustomerState, rows: np.ndarray, market: MarketSpec, price: float | np.ndarray,
             day: int, draws: Draws, basket: np.ndarray | None = None,
             quality: float | None = None) -> Purchases:
    """Turn buyers into orders: perceived quality, price paid and the purchase counters
    (``purchases``, ``last_purchase``; interest restarts from zero).

    ``price`` is the offered price of a standard order (currency: list price after discount;
    one for all, or one per buyer); ``basket`` the size of each order in standard orders
    (:mod:`journeysim.sim.baskets`; None: 1). Each order pays ``price x basket``. ``quality``
    is the product's mean quality today (None: ``market.quality``).
    """
    first = state.purchases[rows] == 0
    mean = market.quality if quality is None else quality
    quality = mean + market.quality_noise * draws.normal("quality", rows, occasion=state.purchases[rows])
    expectation = state.traits["quality_expectation"][rows]
    state.purchases[rows] += 1
    state.last_purchase[rows] = day
    state.interest[rows] = 0.0
    price = np.full(rows.size, price, dtype=np.float64)
    if basket is not None:
        price = price * basket
    shortfall = np.clip(expectation - quality, 0.0, 1.0).astype(np.float32)
    return Purchases(rows, first, price, quality, shortfall, basket=basket)


def redraw_repurchase_level(state: CustomerState, rows: np.ndarray, market: MarketSpec, draws: Draws) -> None:
    """Interest a customer needs for the next order (intent restarts from zero): exponential
    around the purchase step (1 when the step is 0)."""
    state.repurchase_level[rows] = (market.thresholds["purchase"] or 1.0) * draws.exponential("repurchase_level", rows)


def restart_intent(state: CustomerState, rows: np.ndarray, market: MarketSpec, draws: Draws) -> None:
    """Repeat customers ``rows`` abandoned their cart: intent restarts from zero towards a new
    repurchase level (they stay customers)."""
    state.interest[rows] = 0.0
    redraw_repurchase_level(state, rows, market, draws)


def book_orders(collector: Collector, day: int, orders: Purchases, state: CustomerState,
                unit_cost: float, referred_by: np.ndarray, referral_reward: float) -> None:
    """Count orders, acquisitions by source, revenue, margin and referrals of ``day``.

    Sources are channel codes, then word of mouth (``n_channels``), then direct (no touch).
    """
    c = collector
    n_channels = c.acquisitions_by_source.shape[1] - 2
    first = orders.rows[orders.first]
    c.add(day, "orders", orders.rows.size)
    c.add(day, "acquisitions", first.size)
    c.add(day, "repurchases", orders.rows.size - first.size)
    c.add(day, "loyal_repurchases", int(LOYAL_STAGES.holds(state.stage[orders.rows]).sum()))
    revenue = float(orders.price.sum())
    c.add(day, "revenue", revenue)
    c.first_order_revenue[day] += float(orders.price[orders.first].sum())
    goods = orders.rows.size if orders.basket is None else float(orders.basket.sum())  # standard orders
    c.add(day, "margin", revenue - goods * unit_cost)
    c.add(day, "basket_units", goods)
    source = state.last_touch[first].astype(np.int64)
    source[source == NO_TOUCH] = n_channels + 1  # direct / broadcast only
    c.acquisitions_by_source[day] += np.bincount(source, minlength=n_channels + 2)
    referred = first[(state.last_touch[first] == n_channels) & (referred_by[first] >= 0)]
    c.add(day, "referrals", referred.size)
    c.add(day, "programme_cost", referred.size * referral_reward)


def book_returns(collector: Collector, day: int, returned: int, refund: float) -> None:
    """Count ``returned`` orders of ``day`` and their ``refund`` (currency)."""
    collector.add(day, "returns", returned)
    collector.add(day, "refunds", refund)
    collector.add(day, "revenue", -refund)
    collector.add(day, "margin", -refund)


def __getattr__(name: str):
    if name == "Orders":
        warnings.warn("journeysim.sim.purchase.Orders is now Purchases", DeprecationWarning, stacklevel=2)
        return Purchases
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
