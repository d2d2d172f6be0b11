"""Figures of a run and what-if comparisons of runs. Every helper takes its table(s), ``ax=None``, returns the Axes.

Caller options are merged over the defaults (``{**defaults, **kwargs}``) so decks can
restyle them. The helpers never save files; :mod:`journeysim.outputs` does. Axis labels and
ticks carry their units from :mod:`journeysim.units` (money in the run's currency).

Nothing here chooses a matplotlib backend: with ``ax=None`` a helper draws on a new pyplot
figure (shown inline in a notebook); file writers pass an Axes of :func:`headless_axes`,
which needs no backend at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch
from matplotlib.ticker import MaxNLocator

from journeysim.sim.stages import STAGE_NAMES
from journeysim.units import COUNT, DEFAULT_CURRENCY, MONEY, Currency, axis_formatter, format_value, kpi, unit_name

STAGE_COLOURS = {
    "unaware": "#d9d9d9", "aware": "#9ecae1", "considering": "#4292c6", "deciding": "#08519c",
    "customer": "#74c476", "loyal": "#238b45", "advocate": "#00441b", "lapsed": "#fc9272",
}


SIZES = {"stages": (8, 4.5), "funnel": (7, 4), "flows": (11, 5.5), "channels": (12, 4.5), "adoption": (7.5, 4.5),
         "service": (9, 4.5), "lifetime_value": (9, 4.5), "journey_map": (14, 7),
         "ab_tests": (9, 5.5), "brand_shares": (9, 4.5), "switching": (7.5, 6)}
"""Default figure size of each helper (inches)."""


def _axes(ax: Axes | None, figure: str) -> Axes:
    return ax if ax is not None else plt.subplots(figsize=SIZES[figure], layout="constrained")[1]


def headless_axes(figure: str) -> Axes:
    """An Axes on a figure outside pyplot (no backend, no window), sized for ``figure`` (a key of
    :data:`SIZES`): what file writers draw on, so writing PNGs never touches the user's backend."""
    return Figure(figsize=SIZES[figure], layout="constrained").subplots()


def plot_stages(daily: pd.DataFrame, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Stage occupancy over time as stacked areas (customers per stage by day)."""
    ax = _axes(ax, "stages")
    options = {"alpha": 0.9, "linewidth": 0, **kwargs}
    stages = [s for s in STAGE_NAMES if s in daily]
    ax.stackplot(daily["day"], *(daily[s] for s in stages), labels=stages,
                 colors=[STAGE_COLOURS[s] for s in stages], **options)
    ax.set(xlabel="day", ylabel="customers", title="Journey stages over time", xlim=(0, daily["day"].max()))
    ax.yaxis.set_major_formatter(axis_formatter(COUNT))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return ax


def plot_funnel(funnel: dict[str, int], ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Customers who ever reached each funnel stage, with step conversion."""
    ax = _axes(ax, "funnel")
    names, counts = list(funnel), np.array(list(funnel.values()), dtype=float)
    options = {"color": [STAGE_COLOURS[n] for n in names], **kwargs}
    y = np.arange(len(names))[::-1]
    ax.barh(y, counts, **options)
    for k, (yy, c) in enumerate(zip(y, counts, strict=True)):
        share = f"  ({c / counts[k - 1]:.0%} of previous)" if k and counts[k - 1] else ""
        step = f"  {format_value(c, COUNT)}{share}"
        ax.text(c, yy, step, va="center", fontsize=9)
    ax.set_yticks(y, names)
    ax.set(xlabel="customers who reached the stage", title="Funnel", xlim=(0, max(counts.max(), 1) * 1.45))
    ax.xaxis.set_major_formatter(axis_formatter(COUNT))
    return ax


def plot_flows(flows: pd.DataFrame, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Journey flows between stages over the run as an arc diagram.

    Stages sit on a line in journey order; forward flows arc above it (green), backward
    flows below it (red). Arc width grows with the number of moves (square root scale). Entries
    into and exits from an open market (from and to ``outside``) are not drawn.
    """
    ax = _axes(ax, "flows")
    inside = flows["from_stage"].isin(STAGE_NAMES) & flows["to_stage"].isin(STAGE_NAMES)
    totals = flows[inside].groupby(["from_stage", "to_stage"])["customers"].sum()
    x = {name: k for k, name in enumerate(STAGE_NAMES)}
    biggest = max(float(totals.max()) if len(totals) else 1.0, 1.0)
    options = {"forward": "#2ca25f", "backward": "#de2d26", **kwargs}
    for (src, dst), count in totals.items():
        if count <= 0 or src == dst:
            continue
        forward = x[dst] > x[src]
        span = abs(x[dst] - x[src])
        bend = (0.35 + 0.08 * span) * (1 if forward else -1)
        arrow = FancyArrowPatch(
            (x[src], 0.06 if forward else -0.06), (x[dst], 0.06 if forward else -0.06),
            connectionstyle=f"arc3,rad={-bend if forward else bend}", arrowstyle="-|>",
            mutation_scale=10, linewidth=0.6 + 9 * np.sqrt(count / biggest),
            color=options["forward" if forward else "backward"], alpha=0.55)
        ax.add_patch(arrow)
        mid = (x[src] + x[dst]) / 2
        height = 0.5 * span * (0.35 + 0.08 * span) * (1 if forward else -1)
        ax.text(mid, height, f"{count:,}", ha="center", va="center", fontsize=7,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    for name, k in x.items():
        ax.scatter([k], [0], s=260, color=STAGE_COLOURS[name], zorder=3, edgecolor="black", linewidth=0.5)
        ax.text(k, 0, name, ha="center", va="center", fontsize=9, zorder=4, fontweight="bold",
                bbox={"boxstyle": "round,pad=0.25", "fc": STAGE_COLOURS[name], "ec": "black", "lw": 0.5},
                color="white" if name in ("deciding", "loyal", "advocate", "considering") else "black")
    ax.set(xlim=(-0.7, len(STAGE_NAMES) - 0.3), ylim=(-2.2, 2.2),
           title="Journey flows (moves over the run): forward above, backward below")
    ax.axis("off")
    return ax


def plot_channels(channels: pd.DataFrame, ax: Axes | None = None, currency: Currency = DEFAULT_CURRENCY,
                  incremental: pd.DataFrame | None = None, **kwargs: Any) -> Axes:
    """Per channel: spend (in ``currency``), exposures bought, and acquisitions by last touch.

    Three panels side by side share the channel axis (channels by spend, largest on top); the
    acquisitions panel writes each channel's last-touch CAC at its bar.

    Parameters
    ----------
    channels : DataFrame
        The run's ``channels`` table (``channel``, ``spend``, ``impressions``, ``last_touch_acquisitions``).
    ax : Axes, optional
        Where to draw; its place in the figure is split into the three panels.
    currency : Currency
        Currency of spend and CAC.
    incremental : DataFrame, optional
        A truth run's incremental acquisitions per channel (``channel``, ``incremental_acquisitions``
        and optionally ``_low``/``_high``): drawn beside the last-touch bars with their interval.

    Returns
    -------
    Axes
        The spend panel (the other two are ``ax.figure.axes``).
    """
    ax = _axes(ax, "channels")
    totals = channels.groupby("channel", sort=False)[["spend", "impressions", "last_touch_acquisitions"]].sum()
    totals = totals[(totals["spend"] > 0) | (totals["last_touch_acquisitions"] > 0)]
    totals = totals.sort_values("spend", ascending=True)  # barh draws bottom up: the largest on top
    spec = ax.get_subplotspec()
    figure = ax.figure
    if spec is not None:
        ax.remove()
        grid = spec.subgridspec(1, 3, wspace=0.08)
        ax = figure.add_subplot(grid[0])
        panels = [ax, figure.add_subplot(grid[1], sharey=ax), figure.add_subplot(grid[2], sharey=ax)]
    else:  # an Axes outside a grid: draw the spend panel only
        panels = [ax]
    y = np.arange(len(totals))
    colour = kwargs.pop("color", "#3182bd")
    panels[0].barh(y, totals["spend"], color=colour, **kwargs)
    panels[0].set_yticks(y, totals.index)
    panels[0].set(xlabel=f"spend ({unit_name(MONEY, currency)})", title=f"Spend over the run ({currency.code})")
    panels[0].xaxis.set_major_formatter(axis_formatter(MONEY, currency))
    panels[0].xaxis.set_major_locator(MaxNLocator(3))  # money ticks are wide ("$12k"): three fit a third of a figure
    if len(panels) == 3:
        panels[1].barh(y, totals["impressions"], color="#e6550d")
        panels[1].set(xlabel="exposures bought", title="Exposures bought")
        panels[1].xaxis.set_major_formatter(axis_formatter(COUNT))
        panels[1].xaxis.set_major_locator(MaxNLocator(4))
        acquisitions = totals["last_touch_acquisitions"]
        height = 0.4 if incremental is not None else 0.8
        offset = height / 2 if incremental is not None else 0.0
        panels[2].barh(y + offset, acquisitions, height=height, color="#31a354", label="last touch")
        if incremental is not None:
            rows = incremental.set_index("channel").reindex(totals.index)
            mean = rows["incremental_acquisitions"].to_numpy(float)
            error, top = None, np.nan_to_num(mean)
            if {"incremental_acquisitions_low", "incremental_acquisitions_high"} <= set(rows.columns):
                low = rows["incremental_acquisitions_low"].to_numpy(float)
                low = np.where(mean >= 0, np.clip(low, 0, None), low)  # as the truth table prints it
                high = rows["incremental_acquisitions_high"].to_numpy(float)
                error, top = np.vstack([np.clip(mean - low, 0, None), np.clip(high - mean, 0, None)]), high
            panels[2].barh(y - offset, mean, height=height, color="#a1d99b", hatch="//", edgecolor="#31a354",
                           xerr=error, capsize=2, label="incremental (95% interval, 0 floor if mean > 0)")
            panels[2].legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8, frameon=False)
            acquisitions_top = max(float(acquisitions.max()) if len(totals) else 1.0, float(np.nanmax(top, initial=0)))
        else:
            acquisitions_top = float(acquisitions.max()) if len(totals) else 1.0
        panels[2].set(xlabel="acquisitions", title="Acquisitions by last touch" if incremental is None
                      else "Acquisitions: last touch and incremental")
        panels[2].xaxis.set_major_formatter(axis_formatter(COUNT))
        for k, (spend, count) in enumerate(zip(totals["spend"], acquisitions, strict=True)):
            text = f"last-touch CAC {currency.amount(spend / count)}" if count else "none by last touch"
            panels[2].text(count, k + offset, f" {text}", va="center", fontsize=7)
        panels[2].set_xlim(0, max(acquisitions_top, 1.0) * 1.45)
        for panel in panels[1:]:
            panel.tick_params(labelleft=False)
    for panel in panels:
        panel.grid(axis="x", alpha=0.3)
        panel.set_axisbelow(True)
    return ax


def plot_adoption(daily: pd.DataFrame, p: float, q: float, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Simulated adopted fraction against the closed-form Bass curve."""
    from journeysim.scenarios.bass import bass_curve

    ax = _axes(ax, "adoption")
    years = daily["day"] / 365.0
    options = {"color": "#3182bd", "linewidth": 2.5, "label": "journeysim (simulated)", **kwargs}
    ax.plot(years, daily["adopted_fraction"], **options)
    ax.plot(years, bass_curve(years.to_numpy(), p, q), "k--", linewidth=1.2,
            label="Bass closed form F(t)")
    ax.set(xlabel="years", ylabel="adopted fraction", ylim=(0, 1),
           title=f"Bass diffusion, p = {p:g}, q = {q:g} per year")
    ax.legend(loc="lower right")
    return ax


def plot_cohort_value(cumulative: np.ndarray, ax: Axes | None = None, currency: Currency = DEFAULT_CURRENCY,
                      **kwargs: Any) -> Axes:
    """Cumulative realised margin per customer of each monthly acquisition cohort, by days since
    acquisition (the cohorts side by side from their customers' first orders).

    ``cumulative`` has shape (days of age, months), currency per customer (NaN: not yet observed
    for every customer of the cohort, or an empty cohort), as
    :meth:`journeysim.sim.lifetime.CustomerValue.cumulative_per_customer` returns it.
    """
    ax = _axes(ax, "lifetime_value")
    months = [m for m in range(cumulative.shape[1]) if np.isfinite(cumulative[:, m]).any()]
    colours = plt.get_cmap("viridis")(np.linspace(0, 0.9, max(len(months), 1)))
    ages = np.arange(cumulative.shape[0])
    for colour, m in zip(colours, months, strict=False):
        ax.plot(ages, cumulative[:, m], color=colour, label=f"month {m}", **{"linewidth": 1.5, **kwargs})
    ax.set(xlabel="days since the first order", ylabel=f"margin per customer ({unit_name(MONEY, currency)})",
           title="Cumulative value per customer of each monthly acquisition cohort")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(axis_formatter(MONEY, currency))
    if months:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize="small")
    return ax


def plot_service(daily: pd.DataFrame, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Support waits (mean and 95th percentile, days) and the order backlog over time."""
    ax = _axes(ax, "service")
    options = {"linewidth": 1.5, **kwargs}
    waits = daily[["mean_wait_days", "p95_wait_days"]].fillna(0.0) * 24  # no ticket started: no wait
    ax.plot(daily["day"], waits["p95_wait_days"], label="95th percentile wait", color="#fd8d3c", **options)
    ax.plot(daily["day"], waits["mean_wait_days"], label="mean support wait", color="#08519c", **options)
    ax.set(xlabel="day", ylabel="support wait (hours)", title="Service: waits and backlog")
    handles, labels = ax.get_legend_handles_labels()
    backlog = daily["backlog_orders"].fillna(0.0)
    if backlog.max() > 0:  # an axis of orders waiting to ship only when some did
        right = ax.twinx()
        right.fill_between(daily["day"], backlog, color="#fdae6b", alpha=0.35, label="order backlog")
        right.set_ylabel("orders waiting to ship")
        right.set_ylim(0, float(backlog.max()) * 1.2)
        extra = right.get_legend_handles_labels()
        handles, labels = handles + extra[0], labels + extra[1]
    else:
        ax.text(0.99, 0.97, "no order waited to ship", transform=ax.transAxes, ha="right", va="top",
                color="#8c510a")
    ax.legend(handles, labels, loc="upper left")
    return ax


# --------------------------------------------------------------------------- what-if comparisons
SCENARIO_COLOURS = ("#4d4d4d", "#d6604d", "#4393c3", "#5aae61", "#9970ab")
"""Line colours, in the order scenarios are given (the first is the reference)."""

DAILY_LABELS = {
    "orders": "orders per day",
    "backlog_orders": "orders waiting to ship",
    "mean_delivery_days": "order-to-door days",
    "nps": "NPS (points)",
    "acquisitions": "new customers per day",
    "spend": "media spend per day",
    "programme_cost": "programme cost per day",
    "mean_wait_days": "support wait, days",
}
"""Axis labels of daily columns (units in words; money columns add the currency code)."""


BRAND_COLOURS = ("#08519c", "#e6550d", "#31a354", "#756bb1", "#d62728", "#8c564b", "#e377c2", "#7f7f7f")
"""One colour per brand in brand order (ours first, in the journey's blue)."""


def plot_brand_shares(brands: pd.DataFrame, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Each brand's share of the category's orders over time (trailing window), one line per brand.

    ``brands`` is the run's ``brands`` table (columns ``day``, ``brand``, ``share_volume``); our
    brand is drawn thicker.
    """
    ax = _axes(ax, "brand_shares")
    for k, (name, rows) in enumerate(brands.groupby("brand", sort=False)):
        options = {"color": BRAND_COLOURS[k % len(BRAND_COLOURS)], "linewidth": 2.6 if k == 0 else 1.6, **kwargs}
        ax.plot(rows["day"], 100 * rows["share_volume"], label=name, **options)
    ax.set(xlabel="day", ylabel="share of category orders (%)", ylim=(0, 100), xlim=(0, brands["day"].max()),
           title="Market share by brand (orders, trailing 28 days)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, title="brand")
    return ax


def plot_switching(switching: Mapping[str, Mapping[str, int]], ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Brand switching: purchases by the brand bought before (rows) and the brand bought (columns),
    shaded by the row's share; the diagonal is staying, the rest is switching."""
    ax = _axes(ax, "switching")
    names = list(switching)
    counts = np.array([[switching[a][b] for b in names] for a in names], dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    options = {"cmap": "Blues", "vmin": 0.0, "vmax": 1.0, **kwargs}
    image = ax.imshow(shares, **options)
    for i in range(len(names)):
        for j in range(len(names)):
            ink = "white" if shares[i, j] > 0.55 else "black"
            ax.text(j, i, f"{counts[i, j]:,.0f}\n{shares[i, j]:.0%}", ha="center", va="center", color=ink, fontsize=10)
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(names)), names)
    ax.set(xlabel="brand bought", ylabel="brand bought before", title="Brand switching (purchases; % of row)")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of the row's purchases")
    return ax


def plot_daily_comparison(dailies: Mapping[str, pd.DataFrame], column: str, ax: Axes | None = None,
                          start: int | None = None, stop: int | None = None, currency: Currency = DEFAULT_CURRENCY,
                          **kwargs: Any) -> Axes:
    """One daily column of several scenarios' ``daily`` tables as lines over days.

    Parameters
    ----------
    dailies : mapping of str to DataFrame
        Scenario label -> its daily table (``day`` and ``column`` columns), reference first.
    column : str
        The daily KPI to plot (see :data:`DAILY_LABELS` for units).
    ax : Axes, optional
        Where to draw (default: a new figure).
    start, stop : int, optional
        First and last day shown (inclusive).
    currency : Currency
        Currency of money columns (axis label and ticks).
    **kwargs
        Line options merged over the defaults.
    """
    ax = ax if ax is not None else plt.subplots(figsize=(8, 4), layout="constrained")[1]
    for k, (label, daily) in enumerate(dailies.items()):
        last = daily["day"].max() if stop is None else stop
        shown = daily[(daily["day"] >= (start or 0)) & (daily["day"] <= last)]
        options = {"color": SCENARIO_COLOURS[k % len(SCENARIO_COLOURS)], "linewidth": 1.6, "label": label, **kwargs}
        ax.plot(shown["day"], shown[column], **options)
    label = DAILY_LABELS.get(column, column)
    if kpi(column).unit == MONEY:
        label = f"{label} ({unit_name(MONEY, currency)})"
        ax.yaxis.set_major_formatter(axis_formatter(MONEY, currency))
    ax.set(xlabel="day", ylabel=label)
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
