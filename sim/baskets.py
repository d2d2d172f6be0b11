"""Baskets: what each order is worth.

An order's **basket size** is a multiple of the standard order (``market.price`` is the list
price of a standard order, currency): the persona's mean basket, a lognormal spread per order
with mean 1, an up-sell that grows with satisfaction and tenure, and the cross-sell uplift a
lever sets (recommendations by email or on site)::

    size = persona_mean x spread x (1 + satisfaction_upsell x max(s, 0))
           x (1 + tenure_upsell x min(previous orders, tenure_cap)) x (1 + cross_sell)

The order's value is the offered price times the basket size (currency); its cost is
``market.unit_cost`` times the basket size. Revenue is the sum of the baskets; a returned order
refunds the customer's last basket.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from journeysim.sim.schema.baskets import BasketSpec
from journeysim.sim.scoped import PerCustomer
from journeysim.sim.streams import Draws


@dataclass
class Baskets:
    """Per-order basket sizes and each customer's last basket.

    Parameters
    ----------
    spec : BasketSpec
        ``market.baskets``.
    persona_mean : ndarray
        Mean basket size per persona code (the personas' ``basket_size``).
    persona : ndarray of int
        Persona code of each customer.
    """

    spec: BasketSpec
    persona_mean: np.ndarray  # mean basket size per persona code
    persona: np.ndarray
    cross_sell: PerCustomer | None = None  # uplift (share of the basket)
    last_value: np.ndarray | None = None  # currency: each customer's last order

    def __post_init__(self) -> None:
        if self.cross_sell is None:
            self.cross_sell = PerCustomer(0.0, self.persona.size)
        if self.last_value is None:
            self.last_value = np.zeros(self.persona.size, np.float64)

    def set_cross_sell(self, uplift: float, mask: np.ndarray | None = None) -> None:
        """Cross-sell uplift (a share added to the basket) for everyone or the customers in ``mask``."""
        self.cross_sell.set(uplift, mask)

    def cross_sell_of(self, rows: np.ndarray) -> float | np.ndarray:
        """Cross-sell uplift of ``rows`` (a number unless a lever scoped one)."""
        return self.cross_sell.of(rows)

    def sizes(self, rows: np.ndarray, satisfaction: np.ndarray, previous_orders: np.ndarray,
              draws: Draws) -> np.ndarray:
        """Basket size of one order of each of ``rows`` (multiples of a standard order).

        Parameters
        ----------
        rows : ndarray of int
            Buyers.
        satisfaction : ndarray
            Their satisfaction (-1..1) when ordering.
        previous_orders : ndarray of int
            Their orders before this one (tenure).
        draws : Draws
            The buyers' draws (one lognormal draw per order when ``spread > 0``).
        """
        spec = self.spec
        size = self.persona_mean[self.persona[rows]].copy()
        if spec.spread > 0:
            sigma = spec.spread
            noise = draws.normal("basket", rows, occasion=previous_orders)  # the customer's k-th order
            size *= np.exp(sigma * noise - 0.5 * sigma * sigma)  # mean 1
        size *= 1.0 + spec.satisfaction_upsell * np.maximum(satisfaction, 0.0)
        size *= 1.0 + spec.tenure_upsell * np.minimum(previous_orders, spec.tenure_cap)
        size *= 1.0 + np.asarray(self.cross_sell_of(rows), np.float64)
        return size

    def remember(self, rows: np.ndarray, values: np.ndarray) -> None:
        """The value of each customer's latest order (currency), refunded if it comes back."""
        self.last_value[rows] = values
