"""The observed panel: what an analyst's data would show of a run, beside the true one.

Real marketing-mix data is not the truth of the market. Media platforms report spend and
impressions with errors, and sales arrive late: an order placed on a day is booked a few days
later, and the orders of the last days before the data is pulled are still missing.
:func:`observe` turns a run's :class:`~journeysim.experiments.exports.RunRecord` into the record
an analyst would hold, so every export (:func:`~journeysim.experiments.exports.mmm_table`, the
Meridian and Robyn panels) can be written from either:

* **measurement noise**: each day's spend and impressions of each channel are multiplied by
  an independent log-normal factor of median 1 and log-scale ``spend_noise`` and
  ``impressions_noise`` (0.05 is a 5% error); each day's reported outcomes likewise by
  ``outcome_noise``;
* **reporting lag**: each order (first orders, all orders) is booked ``k`` days after it was
  placed, ``k`` geometric with mean ``reporting_lag_days`` (0: booked the same day), at most
  :data:`MAX_LAG_FACTOR` times the mean; the orders' value and basket units move with them,
  refunds are booked the day they are paid. Orders booked after the last day are missing from
  the panel, as in data pulled on the last day.

The draws come from the run seed's own stream ``observation``
(:class:`~journeysim.sim.streams.RandomStreams`), so observing changes no draw of the run and
the same seed observes the same way. Decisions the analyst knows exactly (the discount of a
promotion, programme cost) are not perturbed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from journeysim.experiments.exports import RunRecord
from journeysim.sim.errors import ConfigError
from journeysim.sim.streams import RandomStreams

MAX_LAG_FACTOR = 4
"""Longest reporting lag, in multiples of its mean (the geometric tail beyond it is folded in)."""

COUNTED = ("acquisitions", "orders")
"""Outcomes counted order by order: each order's booking day is drawn (first orders among them)."""

CARRIED = ("revenue", "basket_units")
"""Outcomes that move with the day's orders (in proportion to the orders booked on each later day);
revenue's refunds are booked on the day they are paid."""


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
    def from_mapping(cls, values: dict[str, Any] | None) -> Observation:
        """An :class:`Observation` from ``{key: value}`` (unknown keys are refused)."""
        values = dict(values or {})
        allowed = tuple(cls.__dataclass_fields__)
        for key in values:
            if key not in allowed:
                from journeysim.sim.errors import unknown_name

                raise unknown_name("observation", key, allowed)
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


NONE = Observation(0.0, 0.0, 0.0, 0.0)
"""An observation that changes nothing (the true panel)."""


def observe(rec: RunRecord, seed: int, observation: Observation | None = None) -> RunRecord:
    """The record an analyst would hold of the run: noisy media, outcomes booked late.

    Parameters
    ----------
    rec : RunRecord
        The true record (:func:`journeysim.experiments.exports.record`).
    seed : int
        The run's seed (draws from its stream ``observation``).
    observation : Observation, optional
        Noise and lag (default :class:`Observation`'s defaults).

    Returns
    -------
    RunRecord
        Same channels, days and log; spend, impressions and the outcomes observed. Counts stay
        whole numbers; spend and revenue are currency.
    """
    obs = observation or Observation()
    rng = RandomStreams(seed).generator("observation")
    days = rec.days
    spend = rec.spend * _factors(rng, obs.spend_noise, rec.spend.shape)
    impressions = np.rint(rec.impressions * _factors(rng, obs.impressions_noise, rec.impressions.shape))
    daily = {name: np.asarray(values, dtype=float).copy() for name, values in rec.daily.items()}
    weights = obs.lag_weights()
    booked_orders = _book(rng, rec.daily["orders"], weights, days)  # (day placed, delay) -> orders
    booked_first = _first_orders(rng, booked_orders, rec.daily["acquisitions"])
    daily["orders"] = _on_booking_day(booked_orders, days)
    daily["acquisitions"] = _on_booking_day(booked_first, days)
    placed = np.asarray(rec.daily["orders"], dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(placed[:, None] > 0, booked_orders / np.where(placed > 0, placed, 1)[:, None], 0.0)
    refunds = np.asarray(rec.daily["refunds"], dtype=float)
    gross = np.asarray(rec.daily["revenue"], dtype=float) + refunds  # order value, before refunds
    gross = _on_booking_day(gross[:, None] * share, days)
    daily["basket_units"] = _on_booking_day(np.asarray(rec.daily["basket_units"], dtype=float)[:, None] * share, days)
    noise = _factors(rng, obs.outcome_noise, (days,))
    for name in COUNTED:
        daily[name] = np.rint(daily[name] * noise)
    daily["basket_units"] = daily["basket_units"] * noise
    daily["refunds"] = refunds * noise
    daily["revenue"] = (gross - refunds) * noise
    return replace(rec, spend=spend, impressions=impressions.astype(np.int64), daily=daily)


def _factors(rng: np.random.Generator, sigma: float, shape: tuple[int, ...]) -> np.ndarray:
    """Log-normal factors of median 1 (all ones when ``sigma`` is 0; the draws are made anyway,
    so one setting's draws do not shift another's)."""
    return np.exp(sigma * rng.standard_normal(shape))


def _book(rng: np.random.Generator, counts: np.ndarray, weights: np.ndarray, days: int) -> np.ndarray:
    """Split each day's whole-number ``counts`` over booking delays: shape (days, delays)."""
    whole = np.rint(np.asarray(counts, dtype=float)).astype(np.int64)
    return rng.multinomial(np.clip(whole, 0, None), weights).astype(float).reshape(days, weights.size)


def _first_orders(rng: np.random.Generator, booked: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Which of each day's booked orders (``booked[day, delay]``) are its ``first`` orders: drawn
    without replacement, so a delay never books more first orders than orders."""
    out = np.zeros_like(booked)
    whole = np.rint(np.asarray(first, dtype=float)).astype(np.int64)
    for day in np.flatnonzero(whole > 0):
        colors = booked[day].astype(np.int64)
        out[day] = rng.multivariate_hypergeometric(colors, min(int(whole[day]), int(colors.sum())))
    return out


def _on_booking_day(booked: np.ndarray, days: int) -> np.ndarray:
    """Sum ``booked[placed, delay]`` onto day ``placed + delay``; bookings after the last day are lost."""
    out = np.zeros(days)
    for delay in range(booked.shape[1]):
        out[delay:] += booked[: days - delay, delay] if delay < days else 0.0
    return out
