"""True channel effects from the counterfactual runs' totals: the per-channel and run-wide tables.

Definitions, per seed, then mean and Student t interval over seeds:

* incremental acquisitions of channel c = acquisitions(all on) - acquisitions(c off);
  incremental revenue likewise (net revenue over the horizon, repeat orders included);
* ROAS = incremental revenue / the channel's spend in the factual run;
* marginal ROAS = (revenue(+10%) - revenue(-10%)) / (spend(+10%) - spend(-10%)) (central difference);
* share = incremental acquisitions / the sum over the evaluated channels;
* interaction share = 1 - sum of single-channel increments / (acquisitions(all on) - acquisitions(all off)):
  0 when channels act independently; negative when they need each other (an awareness channel
  and a closing channel: switching either off loses the same customers, so the single-channel
  increments add up to more than the joint effect); positive when they can stand in for each
  other (switching one off loses little because another reaches the same people).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from journeysim.experiments.intervals import LEVEL, Interval, mean_interval

TOP_CHANNELS = 4
"""Channels whose weekly contribution :meth:`TruthResult.mmm_figure` draws (the largest; more are unreadable)."""

METRICS = ("acquisitions", "revenue", "orders", "margin", "spend")
"""Run totals recorded per counterfactual run (counts; currency)."""


@dataclass
class TruthResult:
    """True effects of a scenario's channels.

    Attributes
    ----------
    table : DataFrame
        One row per evaluated channel: ``spend`` (currency, mean over seeds),
        ``incremental_acquisitions``, ``incremental_revenue`` (currency), ``roas``,
        ``marginal_roas`` and ``share`` (of the summed increments), each with ``_low`` and
        ``_high`` bounds; ``last_touch_acquisitions`` (mean over seeds, for reference);
        ``weekly_spend_cv`` (the coefficient of variation of the channel's weekly spend in the
        factual runs, mean over seeds: below about 0.3 a marketing-mix model learns little).
    totals : DataFrame
        ``acquisitions_all_on``, ``acquisitions_all_off``, ``total_effect``,
        ``sum_of_channel_effects``, ``interaction_share``, ``revenue_all_on``,
        ``revenue_all_off`` with mean, low and high.
    runs : DataFrame
        Every run's totals (seed, variant, channel, acquisitions, revenue, orders, margin, spend).
    exports : dict of int to dict
        Per seed with exports: ``paths``, ``mmm_daily`` and ``mmm_weekly`` of its factual run, and its
        Meridian, Robyn and observed panels (:data:`~journeysim.experiments.panels.PANEL_FILES`).
    meta : dict
        Scenario, seeds, overrides, size, days, channels, level, table format and wall seconds.
    ledger : DataFrame
        The truth per day: each seed's and channel's incremental orders and revenue, first and
        later orders apart (:data:`~journeysim.experiments.truth.ledger.LEDGER_COLUMNS`); a
        channel's rows of a seed sum to its incremental effect in ``runs``.
    ledger_weekly : DataFrame
        The same summed into weeks (7-day blocks from day 1, as the MMM exports).
    baseline : DataFrame
        The organic baseline: daily orders and revenue of each seed's run with every channel off.
    contribution : DataFrame
        Weekly contribution per channel: the weekly ledger's mean over seeds with t intervals
        (:func:`~journeysim.experiments.truth.horizons.contribution_table`).
    pulses : DataFrame
        Each pulse counterfactual's removed spend and increments over each horizon, per seed.
    horizons : DataFrame
        ROAS over each horizon after the spend per channel, from the pulses, with t intervals.
    response : DataFrame
        Response curve per channel: spend and incremental revenue at each budget factor run.
    """

    table: pd.DataFrame
    totals: pd.DataFrame
    runs: pd.DataFrame
    exports: dict[int, dict[str, pd.DataFrame]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    ledger: pd.DataFrame = field(default_factory=pd.DataFrame)
    ledger_weekly: pd.DataFrame = field(default_factory=pd.DataFrame)
    baseline: pd.DataFrame = field(default_factory=pd.DataFrame)
    contribution: pd.DataFrame = field(default_factory=pd.DataFrame)
    pulses: pd.DataFrame = field(default_factory=pd.DataFrame)
    horizons: pd.DataFrame = field(default_factory=pd.DataFrame)
    response: pd.DataFrame = field(default_factory=pd.DataFrame)

    def shares(self) -> pd.Series:
        """True incremental share of acquisitions per channel (sums to 1)."""
        return self.table.set_index("channel")["share"]

    def write(self, directory: str | Path) -> Path:
        """Write the tables, ``truth.json``, the figure and the first seed's exports into ``directory``.

        The per-period tables (``truth_ledger``, ``truth_ledger_weekly``, ``truth_baseline``,
        ``truth_contribution``, ``truth_pulses``) are written in the run's ``outputs.format``
        (``.csv`` or ``.parquet``), the others as CSV (``truth_horizons.csv`` and
        ``truth_response.csv`` when pulses and response factors were run).
        """
        from journeysim.experiments.exports import channelattribution_table
        from journeysim.outputs import write_csv, write_figure, write_json, write_table

        directory = Path(directory)
        write_csv(directory / "truth.csv", self.table)
        write_csv(directory / "truth_totals.csv", self.totals)
        write_csv(directory / "truth_runs.csv", self.runs)
        fmt = self.meta.get("format", "csv")
        for name, frame in (("truth_ledger", self.ledger), ("truth_ledger_weekly", self.ledger_weekly),
                            ("truth_baseline", self.baseline), ("truth_contribution", self.contribution),
                            ("truth_pulses", self.pulses)):
            if not frame.empty:
                write_table(directory / f"{name}.{fmt}", frame, fmt)
        if not self.horizons.empty:
            write_csv(directory / "truth_horizons.csv", self.horizons)
        if not self.response.empty:
            write_csv(directory / "truth_response.csv", self.response)
        write_json(directory / "truth.json", {**self.meta, "totals": self.totals.set_index("metric").to_dict("index"),
                                              "channels": self.table.to_dict("records")})
        from journeysim.experiments.truth.plots import plot_truth

        write_figure(directory / "truth.png", plot_truth(self.table).figure)
        write_figure(directory / "channels.png", self.channels_figure().figure)
        if not self.contribution.empty:
            write_figure(directory / "truth_weekly.png", self.mmm_figure())
        if self.exports:
            seed = min(self.exports)
            write_csv(directory / "paths.csv", self.exports[seed]["paths"])
            write_csv(directory / "paths_channelattribution.csv",
                      channelattribution_table(self.exports[seed]["paths"]))
            write_csv(directory / "mmm_daily.csv", self.exports[seed]["mmm_daily"])
            write_csv(directory / "mmm_weekly.csv", self.exports[seed]["mmm_weekly"])
            from journeysim.experiments.panels import PANEL_FILES, write_panels

            write_panels(directory, {k: v for k, v in self.exports[seed].items() if k in PANEL_FILES})
        return directory

    def mmm_figure(self):
        """The truth in MMM terms as one figure (outside pyplot): weekly contribution of the
        :data:`TOP_CHANNELS` largest channels and, when budget factors were run, every channel's
        response curve."""
        from matplotlib.figure import Figure

        from journeysim.experiments.truth.plots import plot_contribution, plot_response

        curves = not self.response.empty and self.response["factor"].nunique() > 2
        figure = Figure(figsize=(15, 4.8) if curves else (10, 4.5), layout="constrained")
        axes = figure.subplots(1, 2, width_ratios=(2, 1)) if curves else [figure.subplots()]
        totals = self.contribution.groupby("channel", sort=False)["incremental_revenue"].sum()
        top = list(totals.sort_values(ascending=False).index[:TOP_CHANNELS])
        palette = [f"C{k}" for k in range(10)]
        colors = {c: palette[k % 10] for k, c in enumerate(totals.index)}
        plot_contribution(self.contribution, ax=axes[0], channels=top, colors=colors)
        if len(totals) > len(top):
            axes[0].set_title(f"True weekly contribution of the {len(top)} largest channels (band: interval over "
                              "seeds; truth_contribution has all)")
        if curves:
            plot_response(self.response, ax=axes[1], colors=colors)
        return figure

    def channels_figure(self, currency=None):
        """Spend, exposures (the first exported seed's, if any) and acquisitions per channel: by last
        touch and, beside them, the true incremental acquisitions with their intervals."""
        from journeysim.plots import headless_axes, plot_channels
        from journeysim.units import DEFAULT_CURRENCY

        frame = self.table[["channel", "spend", "last_touch_acquisitions"]].copy()
        daily = self.exports[min(self.exports)]["mmm_daily"] if self.exports else None
        frame["impressions"] = [float(daily[f"impressions_{c}"].sum()) if daily is not None
                                and f"impressions_{c}" in daily else float("nan") for c in frame["channel"]]
        return plot_channels(frame, ax=headless_axes("channels"), currency=currency or DEFAULT_CURRENCY,
                             incremental=self.table)


def _by(outputs: list[dict], kind: str, channel: str | None) -> dict[int, dict]:
    return {o["seed"]: o for o in outputs if o["variant"] == kind and o["channel"] == channel}


def channel_table(outputs: list[dict], names: Sequence[str], all_names: Sequence[str], marginal: bool = True,
                  level: float = LEVEL) -> pd.DataFrame:
    """Per-channel truth from the runs' totals (see :class:`TruthResult` for the columns).

    Parameters
    ----------
    outputs : list of dict
        :func:`run_variant` results of every seed: ``all``, ``off`` per channel (and ``up``
        and ``down`` with ``marginal``).
    names : sequence of str
        Channels evaluated.
    all_names : sequence of str
        Every channel, in the order of ``channel_spend`` and ``last_touch``.
    """
    factual = _by(outputs, "all", None)
    seeds = sorted(factual)
    off = {c: _by(outputs, "off", c) for c in names}
    inc_acq = {c: {s: factual[s]["acquisitions"] - off[c][s]["acquisitions"] for s in seeds} for c in names}
    totals = {s: sum(inc_acq[c][s] for c in names) for s in seeds}
    rows = []
    for c in names:
        k = all_names.index(c)
        spend = {s: float(factual[s]["channel_spend"][k]) for s in seeds}
        inc_rev = {s: factual[s]["revenue"] - off[c][s]["revenue"] for s in seeds}
        row = {"channel": c, "spend": float(np.mean(list(spend.values())))}
        row |= _columns("incremental_acquisitions", mean_interval(inc_acq[c].values(), level))
        row |= _columns("incremental_revenue", mean_interval(inc_rev.values(), level))
        row |= _columns("roas", mean_interval([_ratio(inc_rev[s], spend[s]) for s in seeds], level))
        if marginal:
            up, down = _by(outputs, "up", c), _by(outputs, "down", c)
            mroas = [_ratio(up[s]["revenue"] - down[s]["revenue"], up[s]["spend"] - down[s]["spend"]) for s in seeds]
            row |= _columns("marginal_roas", mean_interval(mroas, level))
        row |= _columns("share", mean_interval([_ratio(inc_acq[c][s], totals[s]) for s in seeds], level))
        row["last_touch_acquisitions"] = float(np.mean([factual[s]["last_touch"][k] for s in seeds]))
        rows.append(row)
    return pd.DataFrame(rows)


def totals_table(outputs: list[dict], names: Sequence[str], level: float = LEVEL) -> pd.DataFrame:
    """Run-wide truth: acquisitions with all channels on and off, their difference, the sum of
    single-channel effects and the interaction share (mean, low, high over seeds)."""
    factual = _by(outputs, "all", None)
    seeds = sorted(factual)
    none = _by(outputs, "none", None)
    singles = {s: sum(factual[s]["acquisitions"] - _by(outputs, "off", c)[s]["acquisitions"] for c in names)
               for s in seeds}
    effect = {s: factual[s]["acquisitions"] - none[s]["acquisitions"] for s in seeds}
    values = {
        "acquisitions_all_on": [factual[s]["acquisitions"] for s in seeds],
        "acquisitions_all_off": [none[s]["acquisitions"] for s in seeds],
        "total_effect": list(effect.values()),
        "sum_of_channel_effects": list(singles.values()),
        "interaction_share": [1.0 - _ratio(singles[s], effect[s]) for s in seeds],
        "revenue_all_on": [factual[s]["revenue"] for s in seeds],
        "revenue_all_off": [none[s]["revenue"] for s in seeds],
    }
    rows = [{"metric": name, **_columns("", mean_interval(v, level))} for name, v in values.items()]
    return pd.DataFrame(rows).rename(columns={"": "mean", "_low": "low", "_high": "high"})


def _ratio(a: float, b: float) -> float:
    return float(a) / float(b) if b else float("nan")


def _columns(name: str, interval: Interval) -> dict[str, float]:
    return {name: interval.estimate, f"{name}_low": interval.low, f"{name}_high": interval.high}
