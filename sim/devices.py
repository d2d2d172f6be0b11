"""Devices: the device of each session and checkout attempt, and checkout success by device.

Every customer has a primary device drawn from their persona's device shares
(``market.devices.shares`` or the persona's ``devices``). A session (a day's reach by an
impressions channel, or a checkout attempt) is on the primary device, or, with probability
``market.devices.switch``, on a device drawn afresh from the same shares, so the share of
sessions by device equals the shares. Checkout success differs by device
(``market.devices.conversion``, relative), rescaled so that the session-weighted mean success is
``1 - checkout_friction``: the default mix moves orders from mobile to desktop without changing
the configured average friction. A device multiplies the **odds** of success
(:mod:`journeysim.sim.mixes`: at the default friction each device's success is the relative one,
and at any configured friction the mean success is kept), so every friction moves every device's
success and none is clipped at certainty. A journey whose sessions since the last order used two or more devices
ends in a cross-device order. Draws come from the ``devices`` stream only (and the primary
device from a generator of its own), so no other phase's random numbers change.
"""

from __future__ import annotations

import numpy as np

from journeysim.sim import media_kernels
from journeysim.sim.collectors import Collector
from journeysim.sim.mixes import (
    REFERENCE_SUCCESS,
    draw_options,
    mean_preserving_scale,
    odds_multipliers,
    option_shares,
    relative_success,
    scale_success,
)
from journeysim.sim.schema.devices import DEVICES, DeviceSpec
from journeysim.sim.schema.population import PersonaSpec
from journeysim.sim.streams import RandomStreams

_BITS = np.array([bin(mask).count("1") for mask in range(1 << len(DEVICES))], np.int8)
"""Number of devices in each bit mask of devices used."""


def session_mix(spec: DeviceSpec, personas: tuple[PersonaSpec, ...]) -> np.ndarray:
    """Share of sessions per device of each persona, shape (personas, devices)."""
    return np.array([[(p.devices or spec.shares)[d] for d in DEVICES] for p in personas], np.float64)


class Devices:
    """The devices customers use: primary device, session devices, checkout success by device.

    Parameters
    ----------
    spec : DeviceSpec
        ``market.devices``.
    personas : tuple of PersonaSpec
        The personas (their shares weight the population's device mix).
    persona : ndarray
        Persona code of every row (entrants included).
    streams : RandomStreams
        The run's streams (``devices`` per session; ``device_primary`` for primary devices).
    collector : Collector
        Where the daily device columns (:data:`~journeysim.sim.collectors.DEVICE_COLUMNS`) are counted.
    friction : float
        The configured checkout friction (``market.checkout_friction``) at which the devices' successes
        are the relative ones.
    """

    def __init__(self, spec: DeviceSpec, personas: tuple[PersonaSpec, ...], persona: np.ndarray,
                 streams: RandomStreams, collector: Collector, friction: float = 0.5) -> None:
        shares = session_mix(spec, personas)
        self._cumulative = option_shares(shares)
        self.mix = np.array([p.share for p in personas]) @ shares  # population share of sessions per device
        self.base_success = relative_success(np.array([spec.conversion[d] for d in DEVICES]), self.mix)
        self.success = self.base_success.copy()  # relative checkout success per device today
        reference = odds_multipliers(self.success, REFERENCE_SUCCESS)
        self.scale = mean_preserving_scale(reference, self.mix, 1.0 - friction)  # keeps the configured mean
        self.odds = self.scale * reference  # odds multiplier of checkout success per device
        self.switch = spec.switch
        self.persona = persona
        self.collector = collector
        self._streams = streams
        self.primary = self._draw(np.arange(persona.size), streams.generator("device_primary"))
        self.used = np.zeros(persona.size, np.uint8)  # bit mask of devices used since the last order
        self.at_checkout = self.primary.copy()  # device of each customer's latest checkout attempt

    def _draw(self, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A device per row from its persona's shares."""
        return draw_options(self._cumulative, self.persona[rows], rng.random(rows.size))

    def _count(self, day: int, kind: str, device: np.ndarray) -> None:
        self._add(day, kind, np.bincount(device, minlength=len(DEVICES)))

    def _add(self, day: int, kind: str, counts: np.ndarray) -> None:
        for code, name in enumerate(DEVICES):
            self.collector.daily[f"{kind}_{name}"][day] += counts[code]

    def visit(self, day: int, rows: np.ndarray, purpose: str = "checkout") -> np.ndarray:
        """Sessions of ``rows`` (distinct customers) on ``day``: each on the primary device, or,
        with probability ``switch``, on one drawn afresh; counted and remembered for the
        journey. Returns the device code of each session.

        ``purpose`` names the session (a channel's reach, the checkout): a customer's numbers
        are drawn per purpose and day (:class:`~journeysim.sim.streams.DayDraws`)."""
        if rows.size == 0:
            return np.empty(0, np.int8)
        switch_key = self._streams.row_key(f"{purpose}:switch")  # DayDraws' numbers of the purpose
        device_key = self._streams.row_key(f"{purpose}:device")
        device, counts = media_kernels.session_devices(self.primary, self.persona, self._cumulative, rows,
                                                       self.switch, switch_key, device_key, day, self.used)
        self._add(day, "sessions", counts)
        return device

    def checkout(self, day: int, rows: np.ndarray, friction: float | np.ndarray) -> np.ndarray:
        """Abandonment probability of each checkout attempt of ``rows`` (distinct) on its device.

        ``friction`` is the checkout friction before devices (one for all or one per row); the
        odds of success ``1 - friction`` are multiplied by the device's (``odds``). The attempt is a
        session on its device.
        """
        device = self.visit(day, rows)
        self.at_checkout[rows] = device
        return 1.0 - scale_success(1.0 - np.asarray(friction, np.float64), self.odds[device])

    def ordered(self, day: int, rows: np.ndarray) -> None:
        """Orders of ``rows`` on the device of their checkout; a journey that used two or more
        devices since the last order is a cross-device order. The journey restarts."""
        if rows.size == 0:
            return
        self._count(day, "orders", self.at_checkout[rows])
        self.collector.daily["cross_device_orders"][day] += int((_BITS[self.used[rows]] >= 2).sum())
        self.used[rows] = 0

    def narrow_gap(self, closing: float) -> None:
        """Responsive design: each device closes ``closing`` (0..1) of its gap in checkout success
        to the best device (from today on; 0 restores the configured gaps)."""
        best = self.base_success.max()
        self.success = self.base_success + closing * (best - self.base_success)
        self.odds = self.scale * odds_multipliers(self.success, REFERENCE_SUCCESS)


def summary(collector: Collector, days: int) -> dict:
    """By-device KPIs of a run of ``days`` days (``summary.json``'s ``devices``).

    Per device: sessions, orders, their shares of all sessions and orders, and conversion
    (orders per session); then mobile's traffic-minus-orders share gap (points), desktop's
    conversion over mobile's, and cross-device orders (count and share of orders).
    """
    daily = collector.daily
    sessions = np.array([daily[f"sessions_{d}"][:days].sum() for d in DEVICES])
    orders = np.array([daily[f"orders_{d}"][:days].sum() for d in DEVICES])
    with np.errstate(invalid="ignore", divide="ignore"):
        traffic, bought = sessions / sessions.sum(), orders / orders.sum()
        conversion = orders / sessions
    cross = float(daily["cross_device_orders"][:days].sum())
    out: dict = {d: {"sessions": int(sessions[k]), "orders": int(orders[k]), "traffic_share": float(traffic[k]),
                     "order_share": float(bought[k]), "conversion_rate": float(conversion[k])}
                 for k, d in enumerate(DEVICES)}
    out["mobile_share_gap_points"] = float(100 * (traffic[0] - bought[0]))
    out["desktop_vs_mobile_conversion"] = float(conversion[1] / conversion[0]) if conversion[0] > 0 else float("nan")
    out["cross_device_orders"] = int(cross)
    out["cross_device_share"] = float(cross / orders.sum()) if orders.sum() else float("nan")
    return out
