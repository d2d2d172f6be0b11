"""The price and value levers of :class:`~journeysim.sim.controls.MarketControls`: list price,
discounts, product quality and cross-selling (a mixin, so ``model.controls`` stays one API).

Every price decision answers through one rule (:mod:`journeysim.sim.pricing`); order values
through the baskets (:mod:`journeysim.sim.baskets`). Prices are currency per standard order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from journeysim.sim.errors import ConfigError
from journeysim.sim.stages import POST_PURCHASE, Stage

if TYPE_CHECKING:
    from collections.abc import Callable

    from journeysim.sim.controls import Scope
    from journeysim.sim.model import JourneyModel


class ValueControls:
    """Price, quality and basket operations (mixed into :class:`~journeysim.sim.controls.MarketControls`)."""

    # provided by MarketControls: the model, today's quality, scopes and the shared-resource check
    _model: JourneyModel
    _quality: float
    scope_mask: Callable[[Scope], np.ndarray]
    _shared: Callable[[str, Scope], None]

    # ------------------------------------------------------------------ price
    @property
    def discount(self) -> float:
        """Today's discount for customers outside any scoped discount (share off the list price)."""
        return self._model.rates.pricing.discount

    @property
    def list_price(self) -> float:
        """Today's list price for customers outside any scoped price (currency per order)."""
        return self._model.rates.pricing.list_price

    def _repriced(self) -> None:
        """Refresh every customer whose next decision depends on price (deciders and active customers)."""
        stage = self._model.state.stage
        self._model.refresh(np.flatnonzero((stage == Stage.DECIDING) | POST_PURCHASE.holds(stage)))

    def set_discount(self, discount: float, scope: Scope = None) -> None:
        """Offer ``discount`` (share off the list price, 0..1) to customers in ``scope`` from today.

        Every price decision goes through one rule (:mod:`journeysim.sim.pricing`); the purchase
        and repurchase levels of deciders and active customers are refreshed at once. An unscoped
        call sets everyone's discount (and ends any scoped one).
        """
        if not 0.0 <= discount < 1.0:
            raise ConfigError("discount", discount, "a share off the list price from 0 up to (not including) 1")
        self._model.rates.pricing.set_discount(discount, None if scope is None else self.scope_mask(scope))
        self._repriced()

    def discount_of(self, rows: np.ndarray) -> float | np.ndarray:
        """Discount offered to ``rows`` today (a number when nobody has a scoped discount)."""
        return self._model.rates.pricing.discount_of(rows)

    def set_list_price(self, price: float, scope: Scope = None) -> None:
        """Set the list price (currency per order) for customers in ``scope`` (None: everyone,
        a persona name, a mask or rows: segment pricing) from today; discounts apply to it.

        Purchase and repurchase decisions answer through the price rule
        (:mod:`journeysim.sim.pricing`); an unscoped call ends any scoped price.
        """
        if not price >= 0:
            raise ConfigError("price", price, "a list price of at least 0")
        self._model.rates.pricing.set_list_price(price, None if scope is None else self.scope_mask(scope))
        self._repriced()

    def offered_price(self, rows: np.ndarray) -> float | np.ndarray:
        """Price ``rows`` pay per order today: list price after their discount (currency)."""
        return self._model.rates.pricing.offered_price(rows)

    # ------------------------------------------------------------------ product
    @property
    def quality(self) -> float:
        """Mean perceived quality of the product today, 0..1 (``market.quality`` at the start)."""
        return self._quality

    def set_quality(self, quality: float, scope: Scope = None) -> None:
        """Mean perceived quality of every order from today (0..1): satisfaction after each order
        compares it with the buyer's expectation (:mod:`journeysim.sim.satisfaction`)."""
        self._shared("set_quality", scope)
        if not 0.0 <= quality <= 1.0:
            raise ConfigError("quality", quality, "a quality from 0 to 1")
        self._quality = float(quality)

    # ------------------------------------------------------------------ baskets
    def set_cross_sell(self, uplift: float, scope: Scope = None) -> None:
        """Cross-sell (recommendations by email or on site) adds ``uplift`` (a share, >= 0) to
        the baskets of customers in ``scope`` from today (:mod:`journeysim.sim.baskets`)."""
        if not uplift >= 0:
            raise ConfigError("uplift", uplift, "a share of the basket of at least 0")
        self._model.baskets.set_cross_sell(uplift, None if scope is None else self.scope_mask(scope))

    def cross_sell_of(self, rows: np.ndarray) -> float | np.ndarray:
        """Cross-sell uplift of ``rows`` today (a number when nobody has a scoped one)."""
        return self._model.baskets.cross_sell_of(rows)
