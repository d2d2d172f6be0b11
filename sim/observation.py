"""What an analyst observes of a market: the measurement noise and reporting lags of real data.

Real marketing data is not the truth of the market. Media platforms report spend and
impressions with errors, and sales arrive late: an order placed on a day is booked a few days
later, and the orders of the last days before the data is pulled are still missing. This
module holds that rule once, for everything that plays an analyst:

* :class:`Observation`: how noisy and how late (the settings of the truth lab's observed panel,
  ``journey-truth --observe``);
* :func:`factors`, :func:`book`, :func:`first_orders`, :func:`on_booking_day`: the draws and
  the bookkeeping of the rule, which the truth lab applies to a finished run
  (:func:`journeysim.experiments.panels.observed.observe`);
* :class:`AnalystFeed` and :class:`ObservedPanel`: the same rule applied day by day while a run
  goes on, so a policy inside the run (the ``adaptive_budget`` lever) sees the panel an analyst
  would hold on that morning, and nothing else.

The rule:

* **measurement noise**: each day's spend and impressions of each channel are multiplied by an
  independent log-normal factor of median 1 and log-scale ``spend_noise`` and
  ``impressions_noise`` (0.05 is a 5% error); each day's booked outcomes likewise by
  ``outcome_noise``;
* **reporting lag**: each order is booked ``k`` days after it was placed, ``k`` geometric with
  mean ``reporting_lag_days`` (0: booked the same day), at most :data:`MAX_LAG_FACTOR` times the
  mean; the orders' value moves with them, refunds are booked the day they are paid. Orders
  booked after the last day observed are missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from journeysim.sim.errors import ConfigError, unknown_name
from journeysim.sim.streams import RandomStreams

MAX_LAG_FACTOR = 4
"""Longest reporting lag, in multiples of its mean (the geometric tail beyond it is folded in)."""

FEED_STREAM = "analyst_feed"
"""Random stream of the day-by-day feed (its own: observing inside a run changes no draw of the run)."""


@dataclass(frozen=True)
class Observation:
    """How the observed panel differs from the truth.

    Attributes
    ----------
    spend_noise : float
        Log-scale standard deviation of the daily spend error per channel (0.05: about 5%).
    impressions_noise : float
        Log-scale standard deviation of the daily impressions error per channel.
    outcome_noise : float
        Log-scale standard deviation of the daily error of the booked outcomes.
    reporting_lag_days : float
        Mean delay, days, from an order to its booking (0: none).
    """

    spend_noise: float = 0.05
    impressions_noise: float = 0.10
    outcome_noise: float = 0.05
    reporting_lag_days: float = 3.0

    def __post_init__(self) -> None:
        for name in ("spend_noise", "impressions_noise", "outcome_noise"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ConfigError(f"observation.{name}", value, "a log-scale standard deviation from 0 to 1")
        lag = self.reporting_lag_days
        if isinstance(lag, bool) or not isinstance(lag, int | float) or not 0 <= lag <= 60:
            raise ConfigError("observation.reporting_lag_days", lag, "a mean delay from 0 to 60 days")

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None, key: str = "observation") -> Observation:
        """An :class:`Observation` from ``{key: value}`` (unknown keys are refused)."""
        values = dict(values or {})
        allowed = tuple(cls.__dataclass_fields__)
        for name in values:
            if name not in allowed:
                raise unknown_name(key, name, allowed)
        return cls(**values)

    @classmethod
    def parse(cls, text: str | None, key: str = "--observe") -> Observation:
        """An :class:`Observation` from ``"spend_noise=0.1,reporting_lag_days=5"`` (None or empty: defaults)."""
        allowed = tuple(cls.__dataclass_fields__)
        values: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in (text or "").split(","))):
            name, sep, number = part.partition("=")
            try:
                values[name.strip()] = float(number)
            except ValueError:
                raise ConfigError(key, part, f"key=value pairs separated by commas, keys {', '.join(allowed)}, "
                                             "values numbers") from None
            if not sep:
                raise ConfigError(key, part, f"key=value pairs separated by commas, keys {', '.join(allowed)}")
        return cls.from_mapping(values)

    def lag_weights(self) -> np.ndarray:
        """Probability of each booking delay 0, 1, ... days (sums to 1)."""
        mean = float(self.reporting_lag_days)
        if mean <= 0:
            return np.ones(1)
        p = 1.0 / (1.0 + mean)  # geometric on 0, 1, ... with mean (1 - p) / p
        longest = int(np.ceil(MAX_LAG_FACTOR * mean))
        weights = p * (1 - p) ** np.arange(longest + 1)
        weights[-1] += 1.0 - weights.sum()  # the tail is booked on the longest delay
        return weights

    @property
    def longest_lag(self) -> int:
        """Longest booking delay, days: a day's bookings are complete this many days later."""
        return self.lag_weights().size - 1


NONE = Observation(0.0, 0.0, 0.0, 0.0)
"""An observation that changes nothing (the true panel)."""


def factors(rng: np.random.Generator, sigma: float, shape: tuple[int, ...]) -> np.ndarray:
    """Log-normal factors of median 1 (all ones when ``sigma`` is 0; the draws are made anyway,
    so one setting's draws do not shift another's)."""
    return np.exp(sigma * rng.standard_normal(shape))


def book(rng: np.random.Generator, counts: np.ndarray, weights: np.ndarray, days: int) -> np.ndarray:
    """Split each day's whole-number ``counts`` over booking delays: shape (days, delays)."""
    whole = np.rint(np.asarray(counts, dtype=float)).astype(np.int64)
    return rng.multinomial(np.clip(whole, 0, None), weights).astype(float).reshape(days, weights.size)


def first_orders(rng: np.random.Generator, booked: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Which of each day's booked orders (``booked[day, delay]``) are its ``first`` orders: drawn
    without replacement, so a delay never books more first orders than orders."""
    out = np.zeros_like(booked)
    whole = np.rint(np.asarray(first, dtype=float)).astype(np.int64)
    for day in np.flatnonzero(whole > 0):
        colors = booked[day].astype(np.int64)
        out[day] = rng.multivariate_hypergeometric(colors, min(int(whole[day]), int(colors.sum())))
    return out


def on_booking_day(booked: np.ndarray, days: int) -> np.ndarray:
    """Sum ``booked[placed, delay]`` onto day ``placed + delay``; bookings after the last day are lost."""
    out = np.zeros(days)
    for delay in range(booked.shape[1]):
        out[delay:] += booked[: days - delay, delay] if delay < days else 0.0
    return out


def _frozen(values: np.ndarray) -> np.ndarray:
    """A read-only copy of ``values`` (owning its memory: no view of anyone's array)."""
    out = np.array(values, dtype=np.float64, copy=True)
    out.flags.writeable = False
    return out


@dataclass(frozen=True, slots=True)
class ObservedPanel:
    """The panel an analyst holds on the morning of ``day``: plain read-only numbers, no model.

    Attributes
    ----------
    day : int
        Days observed (day indices 0 to ``day - 1``; today's decision is for day ``day``).
    channels : tuple of str
        The channels of the ``spend`` columns.
    spend : ndarray, shape (day, channels)
        Reported media spend per day and channel, currency (with measurement noise).
    orders : ndarray, shape (day,)
        Orders booked per day (late, noisy; the last days' orders are still missing).
    revenue : ndarray, shape (day,)
        Revenue booked per day, net of refunds, currency (as ``orders``).
    budget : float
        Today's total daily budget of ``channels``, currency per day at reference size.
    """

    day: int
    channels: tuple[str, ...]
    spend: np.ndarray
    orders: np.ndarray
    revenue: np.ndarray
    budget: float


class AnalystFeed:
    """The observation rule applied day by day: each finished day's truth in, the panel out.

    The feed keeps the truth it was given to itself (the bookings still to come) and hands out
    only :class:`ObservedPanel` copies. Its draws come from the run seed's own stream
    :data:`FEED_STREAM`, a fixed number per day whatever the settings, so observing changes no draw
    of the run and the same seed observes the same way.

    Parameters
    ----------
    channels : tuple of str
        Channels whose spend is reported.
    days : int
        Length of the run, days.
    seed : int
        The run's seed.
    observation : Observation
        Noise and lag (the truth lab's observed panel's defaults).
    """

    def __init__(self, channels: tuple[str, ...], days: int, seed: int, observation: Observation) -> None:
        self.channels, self.observation = tuple(channels), observation
        self._rng = RandomStreams(seed).generator(FEED_STREAM)
        self._weights = observation.lag_weights()
        horizon = days + self._weights.size
        self._booked_orders, self._booked_gross = np.zeros(horizon), np.zeros(horizon)
        self._spend = np.zeros((days, len(self.channels)))
        self._orders, self._revenue = np.zeros(days), np.zeros(days)
        self.day = 0

    def record(self, spend: np.ndarray, orders: float, revenue: float, refunds: float) -> None:
        """Take the truth of the next day: its spend per channel (currency), orders placed, revenue
        net of refunds and refunds paid (currency); book it as an analyst's data would."""
        d, obs, rng = self.day, self.observation, self._rng
        self._spend[d] = np.asarray(spend, dtype=float) * factors(rng, obs.spend_noise, (len(self.channels),))
        booked = book(rng, np.array([orders]), self._weights, 1)[0]
        share = booked / orders if orders > 0 else np.zeros_like(booked)
        self._booked_orders[d: d + booked.size] += booked
        self._booked_gross[d: d + booked.size] += (revenue + refunds) * share
        noise = float(factors(rng, obs.outcome_noise, (1,))[0])  # today's bookings are complete tonight
        self._orders[d] = np.rint(self._booked_orders[d] * noise)
        self._revenue[d] = (self._booked_gross[d] - refunds) * noise
        self.day = d + 1

    def panel(self, budget: float) -> ObservedPanel:
        """The panel of the days recorded so far, with today's total daily ``budget`` to allocate."""
        d = self.day
        return ObservedPanel(d, self.channels, _frozen(self._spend[:d]), _frozen(self._orders[:d]),
                             _frozen(self._revenue[:d]), float(budget))
