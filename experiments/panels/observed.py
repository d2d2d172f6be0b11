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

The rule (:class:`Observation`, its draws and bookkeeping) lives in :mod:`journeysim.sim.observation`,
which the ``adaptive_budget`` lever also applies day by day inside a run; this module applies it
to a finished run. The draws come from the run seed's own stream ``observation``
(:class:`~journeysim.sim.streams.RandomStreams`), so observing changes no draw of the run and
the same seed observes the same way. Decisions the analyst knows exactly (the discount of a
promotion, programme cost) are not perturbed.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from journeysim.experiments.exports import RunRecord
from journeysim.sim.observation import MAX_LAG_FACTOR, NONE, Observation, book, factors, first_orders, on_booking_day
from journeysim.sim.streams import RandomStreams

__all__ = ["CARRIED", "COUNTED", "MAX_LAG_FACTOR", "NONE", "Observation", "observe"]

COUNTED = ("acquisitions", "orders")
"""Outcomes counted order by order: each order's booking day is drawn (first orders among them)."""

CARRIED = ("revenue", "basket_units")
"""Outcomes that move with the day's orders (in proportion to the orders booked on each later day);
revenue's refunds are booked on the day they are paid."""


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
    spend = rec.spend * factors(rng, obs.spend_noise, rec.spend.shape)
    impressions = np.rint(rec.impressions * factors(rng, obs.impressions_noise, rec.impressions.shape))
    daily = {name: np.asarray(values, dtype=float).copy() for name, values in rec.daily.items()}
    weights = obs.lag_weights()
    booked_orders = book(rng, rec.daily["orders"], weights, days)  # (day placed, delay) -> orders
    booked_first = first_orders(rng, booked_orders, rec.daily["acquisitions"])
    daily["orders"] = on_booking_day(booked_orders, days)
    daily["acquisitions"] = on_booking_day(booked_first, days)
    placed = np.asarray(rec.daily["orders"], dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(placed[:, None] > 0, booked_orders / np.where(placed > 0, placed, 1)[:, None], 0.0)
    refunds = np.asarray(rec.daily["refunds"], dtype=float)
    gross = np.asarray(rec.daily["revenue"], dtype=float) + refunds  # order value, before refunds
    gross = on_booking_day(gross[:, None] * share, days)
    daily["basket_units"] = on_booking_day(np.asarray(rec.daily["basket_units"], dtype=float)[:, None] * share, days)
    noise = factors(rng, obs.outcome_noise, (days,))
    for name in COUNTED:
        daily[name] = np.rint(daily[name] * noise)
    daily["basket_units"] = daily["basket_units"] * noise
    daily["refunds"] = refunds * noise
    daily["revenue"] = (gross - refunds) * noise
    return replace(rec, spend=spend, impressions=impressions.astype(np.int64), daily=daily)
