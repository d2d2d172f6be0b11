"""Checkout and purchase: cart abandonment, price, revenue, and satisfaction after buying."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from journeysim.sim.config import MarketSpec
from journeysim.sim.state import CustomerState


@dataclass
class Checkout:
    """Outcome of today's checkout attempts."""

    buyers: np.ndarray
    abandoners: np.ndarray


@dataclass
class Orders:
    """Today's orders: who bought, at what price, how satisfied, and how far quality fell short."""

    rows: np.ndarray
    first: np.ndarray  # bool: the customer's first order
    price: np.ndarray  # currency paid per order
    satisfaction: np.ndarray
    shortfall: np.ndarray  # expectation minus perceived quality, >= 0


def checkout(attempts: np.ndarray, friction: float | np.ndarray, rng: np.random.Generator) -> Checkout:
    """Split checkout attempts into buyers and cart abandoners (probability ``friction``, one
    for all or one per attempt)."""
    if attempts.size == 0 or not np.any(friction > 0):
        return Checkout(attempts, attempts[:0])
    abandon = rng.random(attempts.size) < friction
    return Checkout(attempts[~abandon], attempts[abandon])


def perceived_satisfaction(quality: np.ndarray, expectation: np.ndarray) -> np.ndarray:
    """Satisfaction from one order: twice the gap of perceived quality over expectation, in [-1, 1]."""
    return np.clip(2.0 * (quality - expectation), -1.0, 1.0).astype(np.float32)


def purchase(state: CustomerState, rows: np.ndarray, market: MarketSpec, price: float | np.ndarray,
             day: int, rng: np.random.Generator) -> Orders:
    """Turn buyers into orders: price paid, satisfaction update and purchase counters.

    ``price`` is what each order pays (currency: list price after discount; one for all, or
    one per buyer).

    Satisfaction of a repeat buyer averages the new experience with the old (weight 1/2).
    """
    first = state.purchases[rows] == 0
    quality = market.quality + market.quality_noise * rng.standard_normal(rows.size)
    expectation = state.traits["quality_expectation"][rows]
    experienced = perceived_satisfaction(quality, expectation)
    old = state.satisfaction[rows]
    satisfaction = np.where(first, experienced, 0.5 * (old + experienced)).astype(np.float32)
    state.satisfaction[rows] = satisfaction
    state.purchases[rows] += 1
    state.last_purchase[rows] = day
    state.interest[rows] = 0.0
    price = np.full(rows.size, price, dtype=np.float64)
    shortfall = np.clip(expectation - quality, 0.0, 1.0).astype(np.float32)
    return Orders(rows, first, price, satisfaction, shortfall)
