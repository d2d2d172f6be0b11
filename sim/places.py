"""Purchase places: web shop, app or store for each checkout attempt, and cross-channel journeys.

Each checkout attempt happens at a place drawn from the customer's persona shares
(``market.places.shares`` or the persona's ``places``). Web attempts are sessions on a device
(:class:`~journeysim.sim.devices.Devices`: device friction and counts); app and store attempts are
not. Checkout success differs by place (``market.places.conversion``, relative), rescaled so the
attempt-weighted mean keeps ``market.checkout_friction`` (on the odds scale, as devices do); order baskets are scaled by
``market.places.basket``; an attempt that switches place mid-journey is abandoned with the extra
probability ``market.places.switching_friction`` (the omnichannel lever lowers it). A store order
whose journey since the last order had online sessions is *research online, buy in store*; a web or
app order whose journey included a store visit (an abandoned store attempt) is *research in store,
buy online*. Two levers use the stores: **click-and-collect** (a share of web and app orders is
collected in a store: checkout success rises on the odds scale, no delivery cost to surprise, and
the pickup adds to the basket) and **store returns** (a customer returning an order may do it in a
store and take another product there: an exchange, a store order). Draws come from the ``places``
stream, none at all when everyone buys on the web and no lever is on (the default), so runs without
stores are unchanged.
"""

from __future__ import annotations

import numpy as np

from journeysim.sim.collectors import Collector
from journeysim.sim.devices import Devices
from journeysim.sim.mixes import (
    REFERENCE_SUCCESS,
    draw_options,
    mean_preserving_scale,
    odds_multipliers,
    option_shares,
    relative_success,
    scale_success,
)
from journeysim.sim.schema.places import PLACES, PlaceSpec
from journeysim.sim.schema.population import PersonaSpec
from journeysim.sim.streams import RandomStreams

WEB, APP, STORE = range(len(PLACES))


def place_mix(spec: PlaceSpec, personas: tuple[PersonaSpec, ...]) -> np.ndarray:
    """Share of checkout attempts per place of each persona, shape (personas, places)."""
    return np.array([[(p.places or spec.shares)[name] for name in PLACES] for p in personas], np.float64)


class Places:
    """Where customers check out: the place of each attempt, success and basket by place.

    Parameters
    ----------
    spec : PlaceSpec
        ``market.places``.
    personas : tuple of PersonaSpec
        The personas (their shares weight the population's place mix).
    persona : ndarray
        Persona code of every row.
    streams : RandomStreams
        The run's streams (``places``).
    devices : Devices
        The devices of web sessions (web attempts go through it).
    collector : Collector
        Where the daily place columns are counted.
    friction : float
        The configured checkout friction (``market.checkout_friction``).
    """

    def __init__(self, spec: PlaceSpec, personas: tuple[PersonaSpec, ...], persona: np.ndarray,
                 streams: RandomStreams, devices: Devices, collector: Collector, friction: float = 0.5) -> None:
        shares = place_mix(spec, personas)
        self._web_only = bool((shares[:, WEB] == 1.0).all())
        self._cumulative = option_shares(shares)
        self.mix = np.array([p.share for p in personas]) @ shares  # population share of attempts per place
        self.success = relative_success(np.array([spec.conversion[name] for name in PLACES]), self.mix)
        reference = odds_multipliers(self.success, REFERENCE_SUCCESS)
        self.odds = mean_preserving_scale(reference, self.mix, 1.0 - friction) * reference  # odds of success
        self.basket = np.array([spec.basket[name] for name in PLACES])
        self.switching_friction = spec.switching_friction  # extra abandonment when switching place mid-journey
        self.persona, self.devices, self.collector = persona, devices, collector
        self._streams = streams  # numbers hashed per customer and day (sim/streams.py: DayDraws)
        self.at_checkout = np.zeros(persona.size, np.int8)  # place of each customer's latest attempt
        self.visited_store = np.zeros(persona.size, bool)  # a store visit since the last order
        self.collected = np.zeros(persona.size, bool)  # the latest attempt is collected in a store
        self.collect_share, self.collect_odds, self.collect_basket = 0.0, 1.0, 1.0  # click-and-collect lever
        self.exchange_share = 0.0  # store returns lever: share of returns exchanged in a store

    def click_and_collect(self, share: float, odds: float, basket: float) -> None:
        """From today ``share`` of web and app attempts are collected in a store: their checkout
        success odds are multiplied by ``odds`` and their basket by ``basket`` (items added at pickup)."""
        self.collect_share, self.collect_odds, self.collect_basket = share, odds, basket

    def exchanges(self, day: int, returned: np.ndarray) -> np.ndarray:
        """Store returns: of the customers ``returned`` (distinct) who return an order today, those who
        bring it to a store and take another product there (``exchange_share``). They are at the store:
        their next order (the exchange, with no checkout to pass) is a store order."""
        if self.exchange_share <= 0 or returned.size == 0:
            return returned[:0]
        rows = returned[self._streams.row_uniform("store_returns", day, returned) < self.exchange_share]
        self.at_checkout[rows] = STORE
        self.collected[rows] = False
        self.visited_store[rows] = True
        self.collector.daily["store_exchanges"][day] += rows.size
        return rows

    def _draw(self, day: int, rows: np.ndarray) -> np.ndarray:
        """The place of each checkout attempt of ``rows`` on ``day``, from its persona's shares."""
        if self._web_only:
            return np.zeros(rows.size, np.int8)
        return draw_options(self._cumulative, self.persona[rows], self._streams.day(day).uniform("place", rows))

    def checkout(self, day: int, rows: np.ndarray, friction: float | np.ndarray) -> np.ndarray:
        """Abandonment probability of each checkout attempt of ``rows`` (distinct) at its place.

        ``friction`` is the checkout friction before places and devices (one for all or one per
        row); web attempts also pass their device (:meth:`Devices.checkout`).
        """
        place = self._draw(day, rows)
        self.at_checkout[rows] = place
        friction = np.broadcast_to(np.asarray(friction, np.float64), rows.shape)
        web = place == WEB
        out = np.empty(rows.size)
        out[web] = self.devices.checkout(day, rows[web], friction[web])
        if self.success[WEB] != 1.0:
            out[web] = 1.0 - scale_success(1.0 - out[web], self.odds[WEB])
        other = ~web
        out[other] = 1.0 - scale_success(1.0 - friction[other], self.odds[place[other]])
        if self.switching_friction > 0:
            store = place == STORE
            switching = (store & (self.devices.used[rows] != 0)) | (~store & self.visited_store[rows])
            out[switching] = 1.0 - (1.0 - out[switching]) * (1.0 - self.switching_friction)
        self.visited_store[rows[place == STORE]] = True
        if self.collect_share > 0:
            u = self._streams.row_uniform("click_and_collect", day, rows)
            collect = (place != STORE) & (u < self.collect_share)
            self.collected[rows] = collect
            out[collect] = 1.0 - scale_success(1.0 - out[collect], self.collect_odds)
        return out

    def basket_of(self, rows: np.ndarray) -> np.ndarray:
        """Basket multiplier of the orders of ``rows`` (the place of their checkout)."""
        basket = self.basket[self.at_checkout[rows]]
        if self.collect_basket != 1.0:
            basket = np.where(self.collected[rows], basket * self.collect_basket, basket)
        return basket

    def ordered(self, day: int, rows: np.ndarray) -> None:
        """Orders of ``rows``: counted by place and as cross-channel journeys; web orders by
        device (:meth:`Devices.ordered`). Every journey restarts."""
        if rows.size == 0:
            return
        place = self.at_checkout[rows]
        counts = np.bincount(place, minlength=len(PLACES))
        daily = self.collector.daily
        for code, name in enumerate(PLACES):
            daily[f"orders_{name}"][day] += counts[code]
        store = place == STORE
        daily["online_to_store_orders"][day] += int((store & (self.devices.used[rows] != 0)).sum())
        daily["store_to_online_orders"][day] += int((~store & self.visited_store[rows]).sum())
        daily["click_and_collect_orders"][day] += int(self.collected[rows].sum())
        self.devices.ordered(day, rows[place == WEB])
        self.devices.used[rows] = 0
        self.visited_store[rows] = False
        self.collected[rows] = False


def summary(collector: Collector, days: int) -> dict:
    """By-place KPIs of a run of ``days`` days (``summary.json``'s ``places``): orders and share of
    orders per place, and cross-channel orders (research online, buy in store, and the reverse)."""
    daily = collector.daily
    orders = np.array([daily[f"orders_{name}"][:days].sum() for name in PLACES])
    total = orders.sum()
    out: dict = {name: {"orders": int(orders[k]), "order_share": float(orders[k] / total) if total else float("nan")}
                 for k, name in enumerate(PLACES)}
    for key in ("online_to_store_orders", "store_to_online_orders", "click_and_collect_orders", "store_exchanges"):
        out[key] = int(daily[key][:days].sum())
    out["cross_channel_share"] = ((out["online_to_store_orders"] + out["store_to_online_orders"]) / total
                                  if total else float("nan"))
    return out
