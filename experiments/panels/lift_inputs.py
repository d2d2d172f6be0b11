"""Lift tests in the shapes the MMMs take as calibration (:mod:`journeysim.experiments.panels.lift`
runs the tests).

The results are written in the shapes the MMMs take:

* PyMC-Marketing's ``lift_test`` table (:func:`pymc_lift_tests`): ``channel``, ``x`` (the
  channel's weekly spend in the test), ``delta_x`` (its change: all of it, ``-x``), ``delta_y``
  (the weekly change of the target) and ``sigma`` (the standard error of ``delta_y``), for
  ``MMM.add_lift_test_measurements``;
* Meridian's ROI priors (:func:`meridian_roi_priors`): per channel the tested ROI (incremental
  revenue over spend) and its standard error, with the log-normal ``mu`` and ``sigma`` that
  match them, for ``PriorDistribution(roi_m=LogNormal(mu, sigma))``;
* Robyn's ``calibration_input`` (:func:`robyn_calibration`): ``channel``, ``liftStartDate``,
  ``liftEndDate``, ``liftAbs``, ``spend``, ``confidence``, ``metric``, ``calibration_scope``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from journeysim.experiments.exports import START_DATE
from journeysim.sim.errors import ConfigError

TARGETS = ("acquisitions", "orders", "revenue")
"""Outcomes a lift test measures (first orders; all orders; revenue before refunds, currency)."""


def pymc_lift_tests(table: pd.DataFrame, target: str = "acquisitions", prefix: str = "spend_") -> pd.DataFrame:
    """PyMC-Marketing's ``lift_test`` table for ``MMM.add_lift_test_measurements``.

    Parameters
    ----------
    table : DataFrame
        :class:`LiftResult`'s table.
    target : {"acquisitions", "orders", "revenue"}
        The MMM's target column.
    prefix : str
        Prefix of the MMM's channel columns (``spend_`` for ``mmm_weekly.csv``).

    Returns
    -------
    DataFrame
        ``channel`` (the MMM's channel column), ``x`` (weekly spend in the test, currency),
        ``delta_x`` (its change, ``-x``), ``delta_y`` (weekly change of the target) and ``sigma``
        (its standard error), one row per test and seed.
    """
    rows = _target(table, target)
    return pd.DataFrame({"channel": prefix + rows["channel"], "x": rows["x"], "delta_x": rows["delta_x"],
                         "delta_y": rows["delta_y"], "sigma": rows["sigma"]}).reset_index(drop=True)


def meridian_roi_priors(table: pd.DataFrame, week_start: str = START_DATE) -> pd.DataFrame:
    """Meridian's ROI priors from the revenue lift tests, one row per channel.

    Returns
    -------
    DataFrame
        ``channel``, ``roi`` (incremental revenue over spend, mean over its tests), ``roi_se``
        (its standard error), ``mu`` and ``sigma`` (the log-normal of that mean and standard
        deviation, for ``tfp.distributions.LogNormal(mu, sigma)``; empty when the tested ROI is
        not positive), ``start_date`` and ``end_date`` (the first days of the panel's weeks that hold
        the first and last day of the tests: the ``DateRange`` of Meridian's ``roi_calibration``).

    Parameters
    ----------
    table : DataFrame
        :class:`LiftResult`'s table.
    week_start : str
        First day of the panel's first week (its weeks are 7-day blocks from it).
    """
    rows = _target(table, "revenue")
    out = []
    for channel, group in rows.groupby("channel", sort=False):
        roi = float((group["lift"] / group["spend"]).mean())
        se = float(np.sqrt(((group["lift_se"] / group["spend"]) ** 2).sum()) / len(group))
        sigma2 = math.log1p((se / roi) ** 2) if roi > 0 else float("nan")
        start, end = pd.Timestamp(group["date_start"].min()), pd.Timestamp(group["date_end"].max())
        out.append({"channel": channel, "roi": roi, "roi_se": se,
                    "mu": math.log(roi) - sigma2 / 2 if roi > 0 else float("nan"), "sigma": math.sqrt(sigma2),
                    "start_date": _week_of(start, week_start), "end_date": _week_of(end, week_start)})
    return pd.DataFrame(out)


def _week_of(date: pd.Timestamp, week_start: str) -> str:
    """First day of the 7-day block from ``week_start`` that holds ``date`` (ISO)."""
    origin = pd.Timestamp(week_start)
    return (origin + pd.Timedelta(days=7 * ((date - origin).days // 7))).strftime("%Y-%m-%d")


def robyn_calibration(table: pd.DataFrame, metric: str = "revenue", prefix: str = "spend_") -> pd.DataFrame:
    """Robyn's ``calibration_input`` (point estimates), one row per test and seed.

    ``channel`` names Robyn's ``paid_media_spends`` column; ``liftAbs`` is the incremental
    ``metric`` (Robyn's ``dep_var``: ``revenue`` or ``acquisitions``) over the window;
    ``confidence`` is one minus the two-sided p-value of the lift;
    ``calibration_scope`` is ``immediate`` without a cool-down, ``total`` with one.
    """
    from scipy.stats import norm

    if metric not in ("revenue", "acquisitions"):
        raise ConfigError("metric", metric, "revenue or acquisitions (Robyn's dep_var)")
    rows = _target(table, metric)
    z = (rows["lift"] / rows["lift_se"].where(rows["lift_se"] > 0)).abs()
    return pd.DataFrame({
        "channel": prefix + rows["channel"], "liftStartDate": rows["date_start"], "liftEndDate": rows["date_end"],
        "liftAbs": rows["lift"], "spend": rows["spend"], "confidence": np.nan_to_num(1 - 2 * norm.sf(z)),
        "metric": metric,
        "calibration_scope": np.where(rows["window_end_day"] > rows["end_day"], "total", "immediate"),
    }).reset_index(drop=True)


def _target(table: pd.DataFrame, target: str) -> pd.DataFrame:
    if target not in TARGETS:
        raise ConfigError("target", target, ", ".join(TARGETS))
    return table[table["target"] == target]
