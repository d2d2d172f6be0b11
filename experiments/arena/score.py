"""Scoring marketing-mix models against the truth: error, interval coverage, width, rank.

A fitted MMM gives, per paid channel, a posterior of its ROAS (the revenue its spend brought
within the model's carry-over window, over the spend) and of its contribution (that revenue
summed over the panel's weeks). :func:`score` sets each beside the truth lab's:

* **true ROAS over the horizon** (13 weeks by default), from each seed's exact weekly ledger of
  the channel (factual run minus the channel off, under common random numbers: the channel's
  contribution week by week, nothing else): :func:`ledger_roas` regresses it on the channel's
  attended spend (its Hill curve of adstocked spend) of the same week and the ``horizon - 1``
  weeks before (with an intercept for the slow tail of older spend: repeat orders of customers it
  acquired long ago), and the sum of the weekly coefficients times the attended share of the
  spend is the revenue one unit of spend brings within the horizon; the mean over seeds with its
  95% t interval. The pulse counterfactuals of
  :mod:`journeysim.experiments.truth.horizons` define the same quantity directly, but one week's
  spend is a small signal: at the arena's sizes their intervals span hundreds (``pulse_roas``
  keeps them when the truth has them);
* **true contribution**: the channel's weekly ledger (factual run minus channel off) of the seed
  whose observed panel the model was fitted on, summed over the panel's weeks, with the mean over
  seeds and its interval for reference.

Per channel: the error (estimate minus truth), the relative error, whether the model's 94%
interval covers the truth, its width and the width over the true ROAS (an interval is
*informative* when it covers the truth and is narrower than the true ROAS itself: an interval
that covers everything does not count). :func:`scoreboard` sums each fit up: coverage,
informative coverage, median absolute relative error and the Spearman rank correlation of the
channels' estimated and true ROAS.

Paid channels are those with spend in the plan (as in :mod:`journeysim.experiments.panels.geo`).
Units: ROAS in currency per currency; contributions and spend in currency.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from journeysim.experiments.intervals import mean_interval

LEVEL = 0.94
"""Level of the models' posterior intervals (ArviZ's and PyMC-Marketing's default HDI probability)."""

HORIZON_WEEKS = 13
"""Horizon of the true ROAS the models are scored against, weeks after the spend (a quarter)."""

KEYS = ("model", "scenario", "calibration")
"""Columns naming one fit: the MMM, the scenario it was fitted on, its calibration (``none`` or ``lift_tests``)."""

SUMMARY_COLUMNS = (*KEYS, "channel", "spend", "roas_mean", "roas_low", "roas_high", "contribution_mean",
                   "contribution_low", "contribution_high")
"""Columns of the posterior summaries a fit writes (``posterior_summaries.csv``): one row per fit and
channel; spend and contributions in currency, summed over the panel's weeks; ``_low``/``_high`` bound the
:data:`LEVEL` interval (equal-tailed quantiles of the posterior draws)."""

TRUTH_COLUMNS = ("scenario", "channel", "spend", "true_roas", "true_roas_low", "true_roas_high", "true_contribution",
                 "true_contribution_mean", "true_contribution_low", "true_contribution_high", "run_roas", "pulse_roas",
                 "pulse_roas_low", "pulse_roas_high", "lift_tested")
"""Columns of the truth the fits are scored against (``arena_truth.csv``), one row per scenario and channel."""


def ledger_roas(ledger_weekly: pd.DataFrame, horizon: int = HORIZON_WEEKS) -> pd.DataFrame:
    """Each seed's and channel's ROAS over ``horizon`` weeks from its exact weekly ledger.

    The channel's weekly incremental revenue is regressed (least squares) on its *attended spend*
    (``attended_spend``: the part of the spend that bought attended exposures, the channel's Hill
    curve of its adstocked spend, :mod:`journeysim.sim.adresponse`) in the same week and each of
    the ``horizon - 1`` weeks before, with an intercept; the weeks with a whole history enter (from
    week ``horizon`` on). The sum of the coefficients is the revenue a unit of attended spend adds
    in its week and the ``horizon - 1`` weeks after; times the attended share of the spend (total
    attended spend over total spend, full weeks) it is the revenue a unit of spend brings within
    the horizon, averaged over the plan, as an MMM's ROAS is (contribution over spend).

    Why attended spend: a channel's sales follow its Hill curve, which is concave. A straight line
    through a concave response measures its slope about the plan's spend, not the revenue per unit
    spent, and its intercept takes up the difference: for a flighted channel with its
    half-saturation at its mean spend, the line gives 0.81 of the revenue per unit of spend at a
    two-day half-life and 0.92 at 21 days (``tests/test_arena.py``).
    Regressing on the curve itself (the MMMs' own form, ``beta * Hill(adstock(x))``, with the
    market's true curve) keeps the intercept for what it is meant to hold, the slow tail of older
    spend (repeat orders of customers the channel acquired long ago, less the prospects it took
    from later weeks). A ledger without ``attended_spend`` (a truth written before it) is
    regressed on its spend. A plan whose spend varies week to week (``mmm_lab``'s flighting)
    identifies the ROAS; a constant plan does not (NaN).

    Parameters
    ----------
    ledger_weekly : DataFrame
        ``truth_ledger_weekly``: ``seed``, ``channel``, ``week``, ``days``, ``spend``,
        ``incremental_revenue`` and, optionally, ``attended_spend`` (currency).
    horizon : int
        Weeks, at least 1.

    Returns
    -------
    DataFrame
        ``seed``, ``channel``, ``roas`` (currency per currency).
    """
    rows = []
    whole = ledger_weekly[ledger_weekly["days"] == 7]
    for (seed, channel), group in whole.groupby(["seed", "channel"], sort=False):
        group = group.sort_values("week")
        spend = group["spend"].to_numpy(float)
        driver = group["attended_spend"].to_numpy(float) if "attended_spend" in group else spend
        revenue = group["incremental_revenue"].to_numpy(float)
        n = len(spend) - horizon + 1
        roas = math.nan
        if n > horizon + 1 and spend.sum() > 0:
            lags = np.column_stack([driver[horizon - 1 - k: horizon - 1 - k + n] for k in range(horizon)])
            design = np.column_stack([np.ones(n), lags])
            if np.linalg.matrix_rank(design) == design.shape[1]:
                coefficients = np.linalg.lstsq(design, revenue[horizon - 1:], rcond=None)[0]
                roas = float(coefficients[1:].sum() * driver.sum() / spend.sum())
        rows.append({"seed": seed, "channel": channel, "roas": roas})
    return pd.DataFrame(rows, columns=["seed", "channel", "roas"])


def truth_table(scenario: str, ledger_weekly: pd.DataFrame, weeks: Sequence[int], panel_seed: int,
                horizon: int = HORIZON_WEEKS, tested: Sequence[str] = (), run_roas: pd.Series | None = None,
                horizons: pd.DataFrame | None = None) -> pd.DataFrame:
    """The truth of one scenario in the arena's terms.

    Parameters
    ----------
    scenario : str
        The arena's name of the scenario (``flighted``...).
    ledger_weekly : DataFrame
        ``truth_ledger_weekly`` (``seed``, ``channel``, ``week``, ``days``, ``spend``,
        ``incremental_revenue``; currency).
    weeks : sequence of int
        The panel's weeks (1-based 7-day blocks from day 1) the models were fitted on.
    panel_seed : int
        The seed whose observed panel the models saw: its ledger is the true contribution.
    horizon : int
        Weeks of the true ROAS (:func:`ledger_roas`).
    tested : sequence of str
        Channels with a lift test.
    run_roas : Series, optional
        ``truth.csv``'s ROAS over the whole run by channel (repeat orders included), for reference.
    horizons : DataFrame, optional
        ``truth_horizons.csv``: its pulse ROAS over ``horizon`` weeks, for reference.

    Returns
    -------
    DataFrame
        :data:`TRUTH_COLUMNS`: ``spend`` is the panel seed's spend over ``weeks`` (currency);
        ``true_roas`` and its bounds the mean of :func:`ledger_roas` over seeds with a 95% t
        interval; ``true_contribution`` the panel seed's incremental revenue over ``weeks``,
        ``true_contribution_mean`` and its bounds the mean over seeds.
    """
    inside = ledger_weekly[ledger_weekly["week"].isin(list(weeks))]
    totals = inside.groupby(["channel", "seed"], sort=False)[["incremental_revenue", "spend"]].sum()
    per_seed = ledger_roas(ledger_weekly, horizon)
    pulses = (horizons[horizons["horizon_weeks"] == horizon].set_index("channel")
              if horizons is not None and not horizons.empty else pd.DataFrame())
    rows = []
    for channel in dict.fromkeys(ledger_weekly["channel"]):
        roas = mean_interval(per_seed.loc[per_seed["channel"] == channel, "roas"])
        contribution = totals.loc[channel, "incremental_revenue"]
        overall = mean_interval(contribution.to_numpy())
        pulse = pulses.loc[channel] if channel in pulses.index else {}
        rows.append({"scenario": scenario, "channel": channel,
                     "spend": float(totals.loc[channel, "spend"].get(panel_seed, math.nan)),
                     "true_roas": roas.estimate, "true_roas_low": roas.low, "true_roas_high": roas.high,
                     "true_contribution": float(contribution.get(panel_seed, math.nan)),
                     "true_contribution_mean": overall.estimate, "true_contribution_low": overall.low,
                     "true_contribution_high": overall.high,
                     "run_roas": float(run_roas.get(channel, math.nan)) if run_roas is not None else math.nan,
                     "pulse_roas": float(pulse.get("roas", math.nan)),
                     "pulse_roas_low": float(pulse.get("roas_low", math.nan)),
                     "pulse_roas_high": float(pulse.get("roas_high", math.nan)),
                     "lift_tested": channel in set(tested)})
    return pd.DataFrame(rows, columns=list(TRUTH_COLUMNS))


def score(summaries: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Each fit's channels beside the truth.

    Parameters
    ----------
    summaries : DataFrame
        Posterior summaries (:data:`SUMMARY_COLUMNS`).
    truth : DataFrame
        :func:`truth_table` rows of the scenarios fitted (:data:`TRUTH_COLUMNS`).

    Returns
    -------
    DataFrame
        The summaries' columns, the truth's, and per channel ``roas_error`` (estimate minus truth),
        ``roas_relative_error`` (error over the true ROAS's magnitude), ``roas_covered`` (the
        interval holds the true ROAS), ``roas_width`` (high minus low), ``width_over_true`` (width
        over the true ROAS; NaN when it is not positive), ``informative`` (covered and narrower than
        a positive true ROAS), and the same error, relative error and coverage for the contribution
        (``contribution_error``, ``contribution_relative_error``, ``contribution_covered``).
    """
    missing = [c for c in SUMMARY_COLUMNS if c not in summaries]
    if missing:
        raise ValueError(f"posterior summaries lack the columns {missing}")
    out = summaries.merge(truth.drop(columns="spend"), on=["scenario", "channel"], how="inner",
                          validate="many_to_one")
    true = out["true_roas"]
    out["roas_error"] = out["roas_mean"] - true
    out["roas_relative_error"] = out["roas_error"] / true.abs().where(true != 0)
    out["roas_covered"] = (out["roas_low"] <= true) & (true <= out["roas_high"])
    out["roas_width"] = out["roas_high"] - out["roas_low"]
    out["width_over_true"] = out["roas_width"] / true.where(true > 0)
    out["informative"] = out["roas_covered"] & (out["roas_width"] < true)
    contribution = out["true_contribution"]
    out["contribution_error"] = out["contribution_mean"] - contribution
    out["contribution_relative_error"] = out["contribution_error"] / contribution.abs().where(contribution != 0)
    out["contribution_covered"] = (out["contribution_low"] <= contribution) & (contribution <= out["contribution_high"])
    return out


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman's rank correlation of two equally long sequences (NaN with fewer than 3 pairs or no spread)."""
    x, y = pd.Series(list(a), dtype=float), pd.Series(list(b), dtype=float)
    keep = x.notna() & y.notna()
    if keep.sum() < 3:
        return math.nan
    rx, ry = x[keep].rank(), y[keep].rank()
    if rx.std() == 0 or ry.std() == 0:
        return math.nan
    return float(np.corrcoef(rx, ry)[0, 1])


BOARD_COLUMNS = (*KEYS, "channels", "covered", "informative", "coverage", "informative_share",
                 "median_abs_relative_error", "median_width_over_true", "rank_correlation",
                 "contribution_coverage", "median_abs_contribution_relative_error", "majority_informative")
"""Columns of :func:`scoreboard`."""


def scoreboard(scored: pd.DataFrame) -> pd.DataFrame:
    """One row per fit (:data:`KEYS`): how well it recovered the truth over its paid channels.

    Returns
    -------
    DataFrame
        :data:`BOARD_COLUMNS`: ``covered`` and ``informative`` count channels, ``coverage`` and
        ``informative_share`` are their shares of the channels, ``rank_correlation`` is Spearman's
        between estimated and true ROAS, ``majority_informative`` says whether more than half the
        channels have an informative interval (the arena's bar for trusting an MMM's ROAS).
    """
    rows = []
    for keys, fit in scored.groupby(list(KEYS), sort=False):
        n = len(fit)
        covered, informative = int(fit["roas_covered"].sum()), int(fit["informative"].sum())
        rows.append({**dict(zip(KEYS, keys, strict=True)), "channels": n, "covered": covered,
                     "informative": informative, "coverage": covered / n, "informative_share": informative / n,
                     "median_abs_relative_error": float(fit["roas_relative_error"].abs().median()),
                     "median_width_over_true": float(fit["width_over_true"].median()),
                     "rank_correlation": spearman(fit["roas_mean"], fit["true_roas"]),
                     "contribution_coverage": float(fit["contribution_covered"].mean()),
                     "median_abs_contribution_relative_error": float(fit["contribution_relative_error"].abs().median()),
                     "majority_informative": informative > n / 2})
    return pd.DataFrame(rows, columns=list(BOARD_COLUMNS))


CALIBRATION_COLUMNS = ("model", "scenario", "channel", "abs_error_before", "abs_error_after", "width_before",
                       "width_after", "narrowed")
"""Columns of :func:`calibration_effect`."""


def calibration_effect(scored: pd.DataFrame) -> pd.DataFrame:
    """For each model and lift-tested channel: the absolute ROAS error and interval width without
    calibration and with the lift tests (``narrowed``: the error shrank)."""
    tested = scored[scored["lift_tested"]]
    before = tested[tested["calibration"] == "none"].set_index(["model", "scenario", "channel"])
    after = tested[tested["calibration"] == "lift_tests"].set_index(["model", "scenario", "channel"])
    both = before.index.intersection(after.index)
    frame = pd.DataFrame({"abs_error_before": before.loc[both, "roas_error"].abs(),
                          "abs_error_after": after.loc[both, "roas_error"].abs(),
                          "width_before": before.loc[both, "roas_width"],
                          "width_after": after.loc[both, "roas_width"]}, index=both)
    frame["narrowed"] = frame["abs_error_after"] < frame["abs_error_before"]
    return frame.reset_index().reindex(columns=list(CALIBRATION_COLUMNS))
