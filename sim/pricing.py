"""The one price rule: offered price against each customer's reference price.

Every purchase decision (a prospect's first order, an active customer's repurchase) needs a
level of interest; the price rule multiplies the part of it that price moves (a prospect's
purchase step, a customer's repurchase level) by a **price factor**

.. math::

    f_i = \\Bigl(\\frac{L_i}{R_i\\,(1 + \\pi(s_i))}\\Bigr)^{\\beta_i}\\;(1 - d_i)^{\\beta_i\\,\\delta}

where ``L_i`` is the list price customer *i* is offered (currency per order), ``d_i`` their
discount (share off the list price; the offered price is ``L_i (1 - d_i)``), ``R_i`` their
reference price, ``pi(s)`` the premium a customer of satisfaction ``s`` accepts, ``beta_i``
their price sensitivity in choosing our brand and ``delta`` the deal-to-regular elasticity
ratio. At the reference price, with no discount, ``f = 1``: the funnel as configured.
``f > 1`` (a price above reference) raises the level, so fewer or later orders; ``f < 1``
lowers it.

* **Reference price.** While the market has one brand, the reference price stands for the
  alternatives a customer could buy instead (an outside option, ``market.pricing.reference_price``).
  It drifts towards the prices a customer has paid: ``R_i = (1 - w) R + w m_i`` with the
  price memory ``m_i`` moving a share ``adaptation`` towards each price paid (adaptation-level
  reference prices, exponentially smoothed).
* **Sensitivity.** ``beta_i = scale x price_sensitivity_i`` (the persona trait), times
  ``loyal_sensitivity`` for loyal customers and advocates: loyal customers are less price
  sensitive in choosing the brand (Krishnamurthi and Raj 1991, EVIDENCE §10, C).
* **Premium.** ``pi(s) = premium x s^3``: flat around neutral satisfaction, rising steeply only
  for the highly satisfied (and a demanded discount for the angry): the inverse-S shape of
  Homburg, Koschate and Hoyer (2005), EVIDENCE §10, C; the size is illustrative.
* **Deals.** A temporary discount has the larger elasticity: ``delta`` = 3.63 / 2.62 (deal vs
  regular-price elasticity, Bijmolt et al. 2005 via van Heerde and Neslin 2008, EVIDENCE §1 and
  §3, C).

Units: prices in currency per order; factors dimensionless.
"""

from __future__ import annotations

import numpy as np

from journeysim.sim.rate_kernels import price_terms
from journeysim.sim.schema.pricing import PricingSpec
from journeysim.sim.scoped import PerCustomer
from journeysim.sim.stages import LOYAL_STAGES


def satisfaction_premium(satisfaction: np.ndarray, premium: float) -> np.ndarray:
    """Share above the reference price a customer of ``satisfaction`` (-1..1) accepts:
    ``premium x s^3`` (inverse-S: flat near neutral, steep for the delighted and the angry)."""
    s = np.asarray(satisfaction, dtype=np.float32)
    return np.float32(premium) * s * s * s


class Pricing:
    """Prices offered to each customer, their reference prices, and the price factor.

    Parameters
    ----------
    spec : PricingSpec
        ``market.pricing`` (:class:`journeysim.sim.schema.pricing.PricingSpec`).
    list_price, discount : float
        ``market.price`` (currency per order) and ``market.discount`` (share off, 0..1).
    size : int
        Number of customers.
    """

    def __init__(self, spec: PricingSpec, list_price: float, discount: float, size: int) -> None:
        self.spec = spec
        self.reference = float(spec.reference_price or list_price)  # the outside option, currency per order
        self._list_price = PerCustomer(list_price, size)  # currency per order
        self._discount = PerCustomer(discount, size)  # share off the list price
        self.memory = np.full(size, self.reference, np.float32)  # price memory, currency per order

    # ------------------------------------------------------------------ what is offered
    @property
    def list_price(self) -> float:
        """List price for customers outside any scoped price (currency per order)."""
        return self._list_price.value

    @property
    def discount(self) -> float:
        """Discount for customers outside any scoped discount (share off the list price)."""
        return self._discount.value

    def list_price_of(self, rows: np.ndarray) -> float | np.ndarray:
        """List price offered to ``rows`` (currency per order; a number unless a price is scoped)."""
        return self._list_price.of(rows)

    def discount_of(self, rows: np.ndarray) -> float | np.ndarray:
        """Discount offered to ``rows`` (a number unless a discount is scoped to some customers)."""
        return self._discount.of(rows)

    def offered_price(self, rows: np.ndarray) -> float | np.ndarray:
        """Price ``rows`` pay per order today: list price after their discount (currency)."""
        return self.list_price_of(rows) * (1.0 - self.discount_of(rows))

    def set_list_price(self, price: float, mask: np.ndarray | None = None) -> None:
        """List price (currency per order) for everyone, or for the customers in ``mask``."""
        self._list_price.set(price, mask)

    def set_discount(self, discount: float, mask: np.ndarray | None = None) -> None:
        """Discount (share off the list price) for everyone, or for the customers in ``mask``."""
        self._discount.set(discount, mask)

    # ------------------------------------------------------------------ what customers expect
    def reference_price(self, rows: np.ndarray) -> np.ndarray:
        """Reference price of ``rows``: the outside option blended with their price memory (currency)."""
        w = np.float32(self.spec.memory)
        return (np.float32(1.0) - w) * np.float32(self.reference) + w * self.memory[rows]

    def observe(self, rows: np.ndarray, paid: float | np.ndarray) -> None:
        """``rows`` paid ``paid`` (currency per order): their price memory moves towards it."""
        a = np.float32(self.spec.adaptation)
        if a == 0 or rows.size == 0:
            return
        memory = self.memory[rows]
        self.memory[rows] = memory + a * (np.asarray(paid, np.float32) - memory)

    def sensitivity(self, rows: np.ndarray, stage: np.ndarray, price_sensitivity: np.ndarray) -> np.ndarray:
        """Price sensitivity ``beta`` of ``rows`` in choosing the brand (loyal customers and
        advocates: times ``loyal_sensitivity``)."""
        beta = np.float32(self.spec.scale) * price_sensitivity
        loyal = LOYAL_STAGES.holds(stage)
        return np.where(loyal, beta * np.float32(self.spec.loyal_sensitivity), beta).astype(np.float32)

    def factor(self, rows: np.ndarray, stage: np.ndarray, satisfaction: np.ndarray,
               price_sensitivity: np.ndarray) -> np.ndarray:
        """Price factor of ``rows`` (see the module docstring): 1 at the reference price with no
        discount, above 1 when the offer is dearer than they expect.

        Parameters
        ----------
        rows : ndarray of int
            Customers.
        stage, satisfaction, price_sensitivity : ndarray
            Their stage codes, satisfaction (-1..1) and persona trait, aligned with ``rows``.
        """
        if rows.size == 0:
            return np.ones(0, np.float32)
        spec, weight = self.spec, np.float32(self.spec.memory)
        rule = (np.float32(spec.scale), np.float32(spec.loyal_sensitivity), np.float32(spec.premium),
                (np.float32(1.0) - weight) * np.float32(self.reference), weight, np.float32(spec.deal_ratio))
        ratio, beta, deal, deal_beta = price_terms(
            rows, stage, satisfaction, price_sensitivity, self.memory,
            np.asarray(self.list_price_of(rows), np.float32).reshape(-1),
            np.asarray(self.discount_of(rows), np.float32).reshape(-1), rule)  # the rule above, compiled
        return (np.power(ratio, beta) * np.power(deal, deal_beta)).astype(np.float32)
