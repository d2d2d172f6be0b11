"""Figures of a sweep comparison. Helpers take the comparison table, ``ax=None``, and return the Axes.

The table is :func:`journeysim.experiments.aggregate.compare`'s: one row per scenario and KPI.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from journeysim import units
from journeysim.report import ROWS
from journeysim.units import COUNT, DEFAULT_CURRENCY, Currency, axis_formatter

HEADLINE = ("acquisitions", "revenue", "profit", "conversion_rate", "cac", "nps")
"""KPIs drawn by default, one panel each."""

TITLES = {key: label for key, label, _ in ROWS}


def compact_ticks(ax: Axes, axis: str = "x", unit: str = COUNT, currency: Currency = DEFAULT_CURRENCY,
                  difference: bool = False) -> None:
    """At most five compact tick labels in ``unit`` (1.2M, $35k, 40%; with ``difference``
    percentages in points, 2 pp) on ``axis`` (x, y or both)."""
    for name in ("x", "y") if axis == "both" else (axis,):
        getattr(ax, f"{name}axis").set_major_formatter(axis_formatter(unit, currency, difference))
        getattr(ax, f"{name}axis").set_major_locator(MaxNLocator(nbins=5))


def axes_or_new(ax: Axes | None, size: tuple[float, float] = (6, 3.5)) -> Axes:
    """``ax``, or the Axes of a new figure of ``size`` (inches)."""
    return ax if ax is not None else plt.subplots(figsize=size, layout="constrained")[1]


def _rows(table: pd.DataFrame, kpi: str) -> pd.DataFrame:
    return table[table["kpi"] == kpi].reset_index(drop=True)


def plot_kpi_intervals(table: pd.DataFrame, kpi: str, ax: Axes | None = None,
                       currency: Currency = DEFAULT_CURRENCY, **kwargs: Any) -> Axes:
    """Each scenario's mean of ``kpi`` over seeds with its confidence interval (error bars; money in ``currency``)."""
    ax = axes_or_new(ax)
    rows = _rows(table, kpi)
    y = np.arange(len(rows))[::-1]
    low = (rows["mean"] - rows["ci_low"]).fillna(0).to_numpy()
    high = (rows["ci_high"] - rows["mean"]).fillna(0).to_numpy()
    options = {"fmt": "o", "color": "#08519c", "ecolor": "#6baed6", "elinewidth": 3, "capsize": 4, **kwargs}
    ax.errorbar(rows["mean"], y, xerr=[low, high], **options)
    reference = rows[rows["scenario"] == rows["reference"]]
    if len(reference):
        ax.axvline(float(reference["mean"].iloc[0]), color="#969696", linestyle=":", linewidth=1)
    ax.set_yticks(y, rows["scenario"])
    ax.set(title=TITLES.get(kpi, kpi), ylim=(-0.6, len(rows) - 0.4))
    compact_ticks(ax, unit=units.kpi(kpi).unit, currency=currency)
    return ax


def plot_differences(table: pd.DataFrame, kpi: str, ax: Axes | None = None,
                     currency: Currency = DEFAULT_CURRENCY, **kwargs: Any) -> Axes:
    """Each scenario's difference to the reference in ``kpi``: paired interval (dark) over Welch's (light);
    money in ``currency``."""
    ax = axes_or_new(ax)
    rows = _rows(table, kpi)
    rows = rows[rows["scenario"] != rows["reference"]].reset_index(drop=True)
    y = np.arange(len(rows))[::-1]
    options = {"fmt": "o", "color": "#a50f15", "capsize": 4, **kwargs}
    welch = [(rows["diff"] - rows["welch_ci_low"]).fillna(0), (rows["welch_ci_high"] - rows["diff"]).fillna(0)]
    paired = [(rows["diff"] - rows["diff_ci_low"]).fillna(0), (rows["diff_ci_high"] - rows["diff"]).fillna(0)]
    ax.errorbar(rows["diff"], y, xerr=welch, fmt="none", ecolor="#fcbba1", elinewidth=7, label="unpaired (Welch)")
    ax.errorbar(rows["diff"], y, xerr=paired, ecolor="#a50f15", elinewidth=2, label="paired by seed", **options)
    ax.axvline(0, color="#525252", linewidth=0.8)
    ax.set_yticks(y, rows["scenario"])
    reference = rows["reference"].iloc[0] if len(rows) else ""
    # the KPI on one line, the reference on the next: a long label (profit's) stays inside its panel
    ax.set(title=f"{TITLES.get(kpi, kpi)}\nΔ to {reference}", ylim=(-0.6, max(len(rows), 1) - 0.4))
    compact_ticks(ax, unit=units.kpi(kpi).unit, currency=currency, difference=True)
    return ax


def _grid(count: int, size: tuple[float, float]) -> tuple[Figure, np.ndarray]:
    columns = min(count, 3)
    rows = int(np.ceil(count / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(size[0] * columns, size[1] * rows), layout="constrained",
                                squeeze=False)
    for ax in axes.ravel()[count:]:
        ax.set_visible(False)
    return figure, axes.ravel()


def comparison_figure(table: pd.DataFrame, kpis: Sequence[str] = HEADLINE, level: float = 0.95,
                      currency: Currency = DEFAULT_CURRENCY) -> Figure:
    """One panel per KPI: each scenario's mean with its interval (money in ``currency``)."""
    kpis = [k for k in kpis if k in set(table["kpi"])]
    height = 0.9 + 0.45 * table["scenario"].nunique()
    figure, axes = _grid(len(kpis), (5.2, height))
    for kpi, ax in zip(kpis, axes, strict=False):
        plot_kpi_intervals(table, kpi, ax=ax, currency=currency)
    n = int(table["n"].max()) if len(table) else 0
    figure.suptitle(f"KPIs by scenario: mean over up to {n} seeds with {level:.0%} t interval")
    return figure


def differences_figure(table: pd.DataFrame, kpis: Sequence[str] = HEADLINE, level: float = 0.95,
                       currency: Currency = DEFAULT_CURRENCY) -> Figure:
    """One panel per KPI: each scenario's difference to the reference, paired and unpaired intervals
    (money in ``currency``)."""
    kpis = [k for k in kpis if k in set(table["kpi"])]
    height = 1.2 + 0.45 * max(table["scenario"].nunique() - 1, 1)
    figure, axes = _grid(len(kpis), (5.2, height))
    for kpi, ax in zip(kpis, axes, strict=False):
        plot_differences(table, kpi, ax=ax, currency=currency)
    figure.suptitle(f"Difference to the reference ({level:.0%} intervals): paired by seed vs unpaired")
    if len(kpis):  # one legend for every panel, below them (the title holds the top)
        handles, labels = axes[0].get_legend_handles_labels()
        figure.legend(handles, labels, loc="outside lower center", ncols=2, frameon=False, fontsize=8)
    return figure
