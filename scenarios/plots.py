"""Figures comparing scenarios day by day. Helpers take tables, ``ax=None``, and return the Axes.

Caller options are merged over the defaults (``{**defaults, **kwargs}``); nothing is saved here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files, not windows; notebooks switch back to their inline backend

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

SCENARIO_COLOURS = ("#4d4d4d", "#d6604d", "#4393c3", "#5aae61", "#9970ab")
"""Line colours, in the order scenarios are given (the first is the reference)."""

LABELS = {
    "orders": "orders per day",
    "backlog_orders": "orders waiting to ship",
    "mean_delivery_days": "order-to-door days",
    "nps": "NPS (points)",
    "acquisitions": "new customers per day",
    "spend": "media spend per day",
    "programme_cost": "programme cost per day",
    "mean_wait_days": "support wait, days",
}
"""Axis labels of daily columns (units in words)."""


def plot_daily_comparison(dailies: Mapping[str, pd.DataFrame], column: str, ax: Axes | None = None,
                          start: int | None = None, stop: int | None = None, **kwargs: Any) -> Axes:
    """One daily column of several scenarios' ``daily`` tables as lines over days.

    Parameters
    ----------
    dailies : mapping of str to DataFrame
        Scenario label -> its daily table (``day`` and ``column`` columns), reference first.
    column : str
        The daily KPI to plot (see :data:`LABELS` for units).
    ax : Axes, optional
        Where to draw (default: a new figure).
    start, stop : int, optional
        First and last day shown (inclusive).
    **kwargs
        Line options merged over the defaults.
    """
    ax = ax if ax is not None else plt.subplots(figsize=(8, 4), layout="constrained")[1]
    for k, (label, daily) in enumerate(dailies.items()):
        last = daily["day"].max() if stop is None else stop
        shown = daily[(daily["day"] >= (start or 0)) & (daily["day"] <= last)]
        options = {"color": SCENARIO_COLOURS[k % len(SCENARIO_COLOURS)], "linewidth": 1.6, "label": label, **kwargs}
        ax.plot(shown["day"], shown[column], **options)
    ax.set(xlabel="day", ylabel=LABELS.get(column, column))
    ax.grid(alpha=0.3)
    return ax


def plot_what_if(dailies: Mapping[str, pd.DataFrame], columns: tuple[str, ...], start: int | None = None,
                 stop: int | None = None, shade: tuple[int, int] | None = None, title: str = "") -> Figure:
    """A grid of daily comparisons, one panel per column, with an optional shaded date range.

    Parameters
    ----------
    dailies : mapping of str to DataFrame
        Scenario label -> daily table, reference first.
    columns : tuple of str
        Daily KPIs, one panel each (two panels per row).
    start, stop : int, optional
        Days shown (inclusive).
    shade : tuple of int, optional
        First and last ``day`` (table rows, inclusive) of a period to shade in every panel. Row
        ``day = d`` of a daily table holds model day ``d - 1``, so a burst on lever days 326-333
        is ``shade=(327, 334)``.
    title : str
        Figure title.
    """
    rows = (len(columns) + 1) // 2
    figure, axes = plt.subplots(rows, 2, figsize=(11, 3.4 * rows), layout="constrained", squeeze=False)
    for ax, column in zip(axes.flat, columns, strict=False):
        plot_daily_comparison(dailies, column, ax=ax, start=start, stop=stop)
        if shade is not None:
            ax.axvspan(shade[0] - 0.5, shade[1] + 0.5, color="#fee08b", alpha=0.5, linewidth=0)
    for ax in axes.flat[len(columns):]:
        ax.set_visible(False)
    axes.flat[0].legend(frameon=False)
    if title:
        figure.suptitle(title)
    return figure
