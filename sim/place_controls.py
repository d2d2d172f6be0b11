"""The lever API of purchase places (a mixin of :class:`~journeysim.sim.controls.MarketControls`):
click-and-collect and store returns (:mod:`journeysim.sim.places`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeysim.sim.errors import ConfigError

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel


class PlaceControls:
    """Levers over the places where customers buy and return."""

    _model: JourneyModel

    def set_click_and_collect(self, share: float, conversion: float = 1.0, basket: float = 1.0) -> None:
        """Click-and-collect from today: ``share`` (0..1) of web and app checkout attempts are collected
        in a store; their checkout success odds are multiplied by ``conversion`` (no delivery cost) and
        their basket by ``basket`` (items added at pickup). ``share`` 0 turns it off."""
        for key, value, low, high in (("share", share, 0.0, 1.0), ("conversion", conversion, 1e-9, 100.0),
                                      ("basket", basket, 1e-9, 100.0)):
            if not low <= value <= high:
                raise ConfigError(f"click_and_collect.{key}", value, f"a number from {low:g} to {high:g}")
        self._model.places.click_and_collect(share, conversion, basket)

    def set_store_returns(self, exchange: float) -> None:
        """Store returns from today: a customer returning an order brings it to a store and takes
        another product there (an exchange, a store order) with probability ``exchange`` (0: off)."""
        if not 0.0 <= exchange <= 1.0:
            raise ConfigError("store_returns.exchange", exchange, "a probability from 0 to 1")
        self._model.places.exchange_share = exchange
