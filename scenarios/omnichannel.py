"""Omnichannel levers: consistent messaging across channels (each exposure reinforced by the others),
click-and-collect and store returns."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from journeysim.scenarios.base import Lever, Params, register
from journeysim.sim.errors import ConfigError

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel
    from journeysim.sim.touchpoints import Channel, Touchpoints


def channels_met(touchpoints: Touchpoints, members: np.ndarray, channel: Channel, rows: np.ndarray,
                 day: int, window: int) -> np.ndarray:
    """For ``rows`` exposed to ``channel`` today: how many OTHER member channels exposed them
    within the last ``window`` days (each channel's ``stock_day`` is its last exposure day)."""
    met = np.zeros(rows.size, np.float32)
    for k in np.flatnonzero(members):
        other = touchpoints.channels[k]
        if k == channel.index or other.stock is None:
            continue
        met += (other.stock[rows] > 0) & (day - other.stock_day[rows] <= window)
    return met


@register("omnichannel")
class Omnichannel(Lever):
    """Cross-channel synergy: an exposure's effect is multiplied by ``1 + synergy * m``, where
    ``m`` is the number of other channels that reached the customer within ``window`` days.

    Only impressions channels count (broadcast media reach everyone and keep no per-customer
    exposure days). Without this lever the engine does no extra work. With ``place_switching``, a
    consistent experience across web, app and store also sets the extra abandonment of checkout
    attempts that switch place mid-journey (``market.places.switching_friction``) from day 0.

    YAML::

        type: omnichannel
        synergy: 0.15              # extra effect per other channel met recently
        window: 7                  # days
        channels: [search, social, display, content, email]   # default: every impressions channel
        place_switching: 0.0       # optional: switching-place abandonment with the lever (default: as configured)

    Parameters
    ----------
    synergy : float
        Extra share of effect per other channel met.
    window : int
        Days within which an exposure on another channel counts.
    channels : list of int
        Channels taking part (exposures on them count and are reinforced).
    place_switching : float, optional
        Abandonment probability added to attempts that switch place mid-journey (None: as configured).
    """

    keys = ("synergy", "window", "channels", "place_switching")

    def __init__(self, synergy: float, window: int, channels: list[int], place_switching: float | None = None) -> None:
        self.synergy, self.window, self.channels = synergy, window, channels
        self.place_switching = place_switching

    @classmethod
    def from_params(cls, params: Params) -> Omnichannel:
        """Build the lever from its validated YAML parameters."""
        channels = params.impressions_channels("channels")
        switching = params.probability("place_switching") if params.has("place_switching") else None
        return cls(params.number("synergy", low=0.0, high=10.0, default=0.15),
                   int(params.number("window", low=0, integer=True, default=7)), channels, switching)

    def setup(self, model: JourneyModel) -> None:
        """Add the synergy as an exposure modifier of the member channels."""
        touchpoints = model.touchpoints
        members = np.zeros(len(touchpoints.channels), bool)
        members[self.channels] = True

        def synergy(channel: int, rows: np.ndarray, day: int) -> np.ndarray:
            met = channels_met(touchpoints, members, touchpoints.channels[channel], rows, day, self.window)
            return 1.0 + np.float32(self.synergy) * met

        model.controls.add_exposure_modifier(synergy, channels=self.channels)
        if self.place_switching is not None:
            model.controls.set_place_switching(self.place_switching)


@register("click_and_collect")
class ClickAndCollect(Lever):
    """Click-and-collect: customers order on the web or in the app and collect in a store, from a
    given day. Collected orders have no delivery cost to surprise at checkout (their success odds are
    multiplied by ``conversion``) and pick up extra items in store (``basket``); they are counted in
    ``click_and_collect_orders``. Needs stores to collect from (``market.places``, e.g. scenario
    ``stores_and_app``).

    YAML::

        type: click_and_collect
        share: 0.3          # share of web and app checkout attempts collected in a store
        conversion: 1.3     # odds multiplier of their checkout success
        basket: 1.1         # basket multiplier (items added at pickup)
        from_day: 0

    Parameters
    ----------
    share, conversion, basket : float
        See YAML.
    day : int
        Day it starts.
    """

    keys = ("share", "conversion", "basket", "from_day")

    def __init__(self, share: float, conversion: float, basket: float, day: int) -> None:
        self.share, self.conversion, self.basket, self.day = share, conversion, basket, day

    @classmethod
    def from_params(cls, params: Params) -> ClickAndCollect:
        """Build the lever from its validated YAML parameters."""
        if params.spec.market.places.shares["store"] == 0 and not any(
                (p.places or {}).get("store", 0) > 0 for p in params.spec.population.personas):
            raise ConfigError(params.prefix, dict(params.values),
                              "a market with stores to collect from (market.places.shares.store above 0, e.g. "
                              "scenario stores_and_app)")
        return cls(params.probability("share"), params.number("conversion", low=0.01, high=100.0, default=1.0),
                   params.number("basket", low=0.01, high=100.0, default=1.0),
                   int(params.number("from_day", low=0, integer=True, default=0)))

    def before_day(self, model: JourneyModel, day: int) -> None:
        """Start click-and-collect on its day."""
        if day == self.day:
            model.controls.set_click_and_collect(self.share, self.conversion, self.basket)


@register("store_returns")
class StoreReturns(Lever):
    """Store returns: customers may bring an order back to a store, where some take another product
    (an exchange: a store order with no checkout to pass, counted in ``store_exchanges``), from a
    given day. Returns come from the service layer (``service.return_probability``).

    YAML::

        type: store_returns
        exchange: 0.3       # probability a return is exchanged in a store
        from_day: 0

    Parameters
    ----------
    exchange : float
        Probability a return is exchanged in a store.
    day : int
        Day it starts.
    """

    keys = ("exchange", "from_day")

    def __init__(self, exchange: float, day: int) -> None:
        self.exchange, self.day = exchange, day

    @classmethod
    def from_params(cls, params: Params) -> StoreReturns:
        """Build the lever from its validated YAML parameters."""
        return cls(params.probability("exchange"), int(params.number("from_day", low=0, integer=True, default=0)))

    def before_day(self, model: JourneyModel, day: int) -> None:
        """Start store returns on its day."""
        if day == self.day:
            model.controls.set_store_returns(self.exchange)
