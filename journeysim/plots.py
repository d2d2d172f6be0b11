"""Figures of a run. Every helper takes its table, ``ax=None``, and returns the Axes.

Caller options are merged over the defaults (``{**defaults, **kwargs}``) so decks can
restyle them. The helpers never save files; :mod:`journeysim.outputs` does.
"""

from __future__ import annotations

import sys
from typing import Any

import matplotlib

if "ipykernel" not in sys.modules:  # files, not windows; a notebook keeps its inline backend
    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.patches import FancyArrowPatch  # noqa: E402

from journeysim.sim.stages import STAGE_NAMES  # noqa: E402

STAGE_COLOURS = {
    "unaware": "#d9d9d9", "aware": "#9ecae1", "considering": "#4292c6", "deciding": "#08519c",
    "customer": "#74c476", "loyal": "#238b45", "advocate": "#00441b", "lapsed": "#fc9272",
}


def _axes(ax: Axes | None, size: tuple[float, float] = (8, 4.5)) -> Axes:
    return ax if ax is not None else plt.subplots(figsize=size, layout="constrained")[1]


def plot_stages(daily: pd.DataFrame, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Stage occupancy over time as stacked areas (customers per stage by day)."""
    ax = _axes(ax)
    options = {"alpha": 0.9, "linewidth": 0, **kwargs}
    stages = [s for s in STAGE_NAMES if s in daily]
    ax.stackplot(daily["day"], *(daily[s] for s in stages), labels=stages,
                 colors=[STAGE_COLOURS[s] for s in stages], **options)
    ax.set(xlabel="day", ylabel="customers", title="Journey stages over time", xlim=(0, daily["day"].max()))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return ax


def plot_funnel(funnel: dict[str, int], ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Customers who ever reached each funnel stage, with step conversion."""
    ax = _axes(ax, (7, 4))
    names, counts = list(funnel), np.array(list(funnel.values()), dtype=float)
    options = {"color": [STAGE_COLOURS[n] for n in names], **kwargs}
    y = np.arange(len(names))[::-1]
    ax.barh(y, counts, **options)
    for k, (yy, c) in enumerate(zip(y, counts, strict=True)):
        step = f"  {c:,.0f}" + (f"  ({c / counts[k - 1]:.0%} of previous)" if k and counts[k - 1] else "")
        ax.text(c, yy, step, va="center", fontsize=9)
    ax.set_yticks(y, names)
    ax.set(xlabel="customers who reached the stage", title="Funnel", xlim=(0, max(counts.max(), 1) * 1.45))
    return ax


def plot_flows(flows: pd.DataFrame, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Journey flows between stages over the run as an arc diagram.

    Stages sit on a line in journey order; forward flows arc above it (green), backward
    flows below it (red). Arc width grows with the number of moves (square root scale).
    """
    ax = _axes(ax, (11, 5.5))
    totals = flows.groupby(["from_stage", "to_stage"])["customers"].sum()
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


def plot_channels(channels: pd.DataFrame, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Spend per channel (bars) against the impressions it bought (dots, right axis)."""
    ax = _axes(ax, (9, 4.5))
    totals = channels.groupby("channel", sort=False)[["spend", "impressions"]].sum()
    totals = totals[totals["spend"] > 0].sort_values("spend", ascending=False)
    options = {"color": "#3182bd", **kwargs}
    x = np.arange(len(totals))
    ax.bar(x, totals["spend"], label="spend", **options)
    ax.set_xticks(x, totals.index, rotation=30, ha="right")
    ax.set(ylabel="spend (currency)", title="Channel spend and exposures")
    right = ax.twinx()
    right.plot(x, totals["impressions"], "o", color="#e6550d", label="impressions")
    right.set_ylabel("impressions", color="#e6550d")
    right.set_ylim(0, max(totals["impressions"].max() if len(totals) else 1, 1) * 1.15)
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], loc="upper right")
    return ax


def plot_adoption(daily: pd.DataFrame, p: float, q: float, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Simulated adopted fraction against the closed-form Bass curve."""
    from journeysim.scenarios.bass import bass_curve

    ax = _axes(ax, (7.5, 4.5))
    years = daily["day"] / 365.0
    options = {"color": "#3182bd", "linewidth": 2.5, "label": "journeysim (simulated)", **kwargs}
    ax.plot(years, daily["adopted_fraction"], **options)
    ax.plot(years, bass_curve(years.to_numpy(), p, q), "k--", linewidth=1.2,
            label="Bass closed form F(t)")
    ax.set(xlabel="years", ylabel="adopted fraction", ylim=(0, 1),
           title=f"Bass diffusion, p = {p:g}, q = {q:g} per year")
    ax.legend(loc="lower right")
    return ax


def plot_service(daily: pd.DataFrame, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Support waits (mean and 95th percentile, days) and the order backlog over time."""
    ax = _axes(ax, (9, 4.5))
    options = {"linewidth": 1.5, **kwargs}
    waits = daily[["mean_wait_days", "p95_wait_days"]].fillna(0.0) * 24  # no ticket started: no wait
    ax.plot(daily["day"], waits["p95_wait_days"], label="95th percentile wait", color="#fd8d3c", **options)
    ax.plot(daily["day"], waits["mean_wait_days"], label="mean support wait", color="#08519c", **options)
    ax.set(xlabel="day", ylabel="support wait (hours)", title="Service: waits and backlog")
    right = ax.twinx()
    right.fill_between(daily["day"], daily["backlog_orders"], color="#fdae6b", alpha=0.35, label="order backlog")
    right.set_ylabel("orders waiting to ship")
    right.set_ylim(0, max(1.0, float(daily["backlog_orders"].max()) * 1.2))
    lines = ax.get_legend_handles_labels()
    extra = right.get_legend_handles_labels()
    ax.legend(lines[0] + extra[0], lines[1] + extra[1], loc="upper left")
    return ax
