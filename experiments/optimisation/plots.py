"""Figures of a budget optimisation: response curves, candidates' trade-offs and the best allocation.

Helpers take ``ax=None`` and return the Axes; the ``*_figure`` functions take a finished
:class:`~journeysim.experiments.optimisation.result.Optimisation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeysim.units import format_kpi

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from journeysim.experiments.optimisation.result import Optimisation


def plot_response(curves: pd.DataFrame, kpi: str, best: Mapping[str, float] | None = None,
                  ax: Axes | None = None, **kwargs: Any) -> Axes:
    """A KPI against each channel's daily budget, the others held at the best plan.

    Parameters
    ----------
    curves : DataFrame
        From :func:`~journeysim.experiments.optimisation.method.response_curves`: ``channel``, ``daily``, KPIs.
    kpi : str
        The KPI plotted (its unit on the y-axis).
    best : mapping, optional
        The best plan's daily budget per channel, marked on each curve.
    ax : Axes, optional
        Where to draw (default: a new figure).
    **kwargs
        Passed to ``plot`` (over ``{"marker": "o", "markersize": 3}``).
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.subplots(figsize=(5, 3.5))[1]
    for k, (channel, rows) in enumerate(curves.groupby("channel", sort=False)):
        color = f"C{k % 10}"
        ax.plot(rows["daily"], rows[kpi], color=color, label=channel, **{"marker": "o", "markersize": 3, **kwargs})
        if best is not None and channel in best:
            ax.plot([best[channel]], [np.interp(best[channel], rows["daily"], rows[kpi])], marker="*",
                    markersize=12, color=color, linestyle="none")
    ax.set_xlabel("channel's daily budget (others at the best plan), currency/day at reference size")
    ax.set_ylabel(kpi)
    ax.legend(fontsize="x-small")
    return ax


def response_figure(result: Optimisation) -> Figure:
    """Response curves: the objective and acquisitions against each channel's budget."""
    import matplotlib.pyplot as plt

    kpis = [result.objective] + [k for k in ("acquisitions", "profit") if k != result.objective][:1]
    fig, axes = plt.subplots(1, len(kpis), figsize=(6.5 * len(kpis), 4.2), squeeze=False)
    best = result.best.daily(result.problem.total_daily)
    for ax, kpi in zip(axes[0], kpis, strict=True):
        plot_response(result.curves, kpi, best, ax=ax)
        ax.set_title(f"{kpi} response (star: best plan)")
    fig.suptitle(f"Response curves, mean of {min(result.problem.plan.curve_seeds, result.problem.plan.seeds)} "
                 "seeds (common random numbers)", fontsize="medium")
    fig.tight_layout()
    return fig


def plot_tradeoff(trials: pd.DataFrame, x: str = "acquisitions", y: str = "profit", best: int | None = None,
                  baseline: int | None = None, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Every candidate's mean KPIs, one against the other, with the best and configured plans marked.

    Parameters
    ----------
    trials : DataFrame
        From :func:`~journeysim.experiments.optimisation.method.search` (KPI columns, ``trial``, ``feasible``).
    x, y : str
        The KPIs on the axes.
    best, baseline : int, optional
        Trial numbers to mark.
    ax : Axes, optional
        Where to draw (default: a new figure).
    **kwargs
        Passed to ``scatter`` (over ``{"s": 18, "alpha": 0.7}``).
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.subplots(figsize=(5, 4))[1]
    feasible = trials["feasible"].to_numpy(bool)
    style = {"s": 18, "alpha": 0.7, **kwargs}
    ax.scatter(trials.loc[feasible, x], trials.loc[feasible, y], color="tab:blue", label="candidate", **style)
    if (~feasible).any():
        ax.scatter(trials.loc[~feasible, x], trials.loc[~feasible, y], color="tab:gray", marker="x",
                   label="over the CAC ceiling", **style)
    for number, label, color in ((baseline, "configured split", "tab:orange"), (best, "best", "tab:red")):
        if number is not None:
            row = trials[trials["trial"] == number].iloc[0]
            ax.scatter([row[x]], [row[y]], s=120, marker="*", color=color, label=label, zorder=3)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.legend(fontsize="x-small")
    return ax


def plot_allocation(table: pd.DataFrame, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Configured and best daily budget per channel (bars), currency per day at reference size."""
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.subplots(figsize=(5, 4))[1]
    y = np.arange(len(table))
    style = {"height": 0.4, **kwargs}
    ax.barh(y + 0.2, table["baseline_daily"], color="tab:orange", label="configured split", **style)
    ax.barh(y - 0.2, table["best_daily"], color="tab:red", label="best plan", **style)
    ax.set_yticks(y, table["channel"])
    ax.invert_yaxis()
    ax.set_xlabel("daily budget, currency/day at reference size")
    ax.legend(fontsize="x-small")
    return ax


def plot_adaptive_path(path: pd.DataFrame, configured: Mapping[str, float] | None = None, days: int | None = None,
                       ax: Axes | None = None, **kwargs: Any) -> Axes:
    """The adaptive budget's shares over the run as stacked areas, each held for its block.

    Parameters
    ----------
    path : DataFrame
        From :func:`~journeysim.experiments.optimisation.adaptive.adaptive_path`: ``day`` and a share
        (0 to 1) per channel.
    configured : mapping, optional
        The configured share per channel, marked at the right edge.
    days : int, optional
        Length of the run, days (default: the last block held for as long as the others).
    ax : Axes, optional
        Where to draw (default: a new figure).
    **kwargs
        Passed to ``stackplot`` (over ``{"alpha": 0.85, "step": "post"}``).
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.subplots(figsize=(7, 3.5))[1]
    channels = [c for c in path.columns if c != "day"]
    step = int(np.diff(path["day"]).min()) if len(path) > 1 else 1
    end = days if days is not None else path["day"].iloc[-1] + step
    x = np.append(path["day"].to_numpy(), end)  # hold the last block's shares to its end
    shares = [np.append(path[c].to_numpy(), path[c].iloc[-1]) for c in channels]
    ax.stackplot(x, *shares, labels=channels, **{"alpha": 0.85, "step": "post", **kwargs})
    if configured:
        edge = np.cumsum([configured.get(c, 0.0) for c in channels])
        ax.scatter(np.full(edge.size, x[-1]), edge, marker="<", color="black", s=18, zorder=3,
                   label="configured split (tops)", clip_on=False)
    ax.set(xlim=(0, x[-1]), ylim=(0, 1), xlabel="day", ylabel="share of the day's total")
    ax.legend(fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return ax


def tradeoff_figure(result: Optimisation) -> Figure:
    """Candidates' acquisitions against profit (and CAC against revenue), and the best allocation."""
    import matplotlib.pyplot as plt

    trials = result.trials
    best_trial = result.best_trial
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.5))
    plot_tradeoff(trials, "acquisitions", "profit", best_trial, 0, ax=axes[0])
    plot_tradeoff(trials, "cac", "revenue", best_trial, 0, ax=axes[1])
    if result.problem.plan.cac_ceiling:
        axes[1].axvline(result.problem.plan.cac_ceiling, color="tab:gray", linestyle="--")
    plot_allocation(result.allocation_table(), ax=axes[2])
    gain = result.improvement()
    diff = [format_kpi(result.objective, v, difference=True) for v in (gain.estimate, gain.low, gain.high)]
    axes[2].set_title(f"{result.objective} on fresh seeds: {diff[0]} ({diff[1]} to {diff[2]})", fontsize="small")
    axes[0].set_title(f"{len(trials)} candidates, mean of {result.problem.plan.seeds} seeds", fontsize="small")
    axes[1].set_title("CAC against revenue", fontsize="small")
    fig.tight_layout()
    return fig
