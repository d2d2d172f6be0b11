"""Figure of the truth: incremental acquisitions per channel with their interval."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


def plot_truth(table: pd.DataFrame, ax=None, **kwargs: Any):
    """Incremental acquisitions per channel with their interval (horizontal bars); returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.subplots(figsize=(7, 0.5 * len(table) + 1.6), layout="constrained")[1]
    y = np.arange(len(table))[::-1]
    mean = table["incremental_acquisitions"].to_numpy(float)
    err = np.vstack([mean - table["incremental_acquisitions_low"], table["incremental_acquisitions_high"] - mean])
    options = {"color": "#4292c6", "ecolor": "#08306b", "capsize": 4, **kwargs}
    ax.barh(y, mean, xerr=np.nan_to_num(err), **options)
    marginal = table["marginal_roas"] if "marginal_roas" in table else [np.nan] * len(table)
    labels = [f"{c}  (ROAS {r:.1f}" + (f", marginal {m:.1f})" if np.isfinite(m) else ")")
              for c, r, m in zip(table["channel"], table["roas"], marginal, strict=True)]
    ax.set_yticks(y, labels)
    ax.axvline(0, color="#636363", linewidth=0.8)
    ax.set(xlabel="incremental acquisitions over the horizon (customers)", title="True channel effects")
    return ax


def plot_contribution(contribution: pd.DataFrame, ax=None, value: str = "incremental_revenue",
                      channels: Sequence[str] | None = None, colors: dict[str, str] | None = None, **kwargs: Any):
    """Weekly contribution of each channel (``truth_contribution``) with its interval band; returns the Axes.

    Parameters
    ----------
    contribution : DataFrame
        :attr:`~journeysim.experiments.truth.result.TruthResult.contribution`.
    ax : Axes, optional
        Where to draw (default: a new figure).
    value : str
        The contribution to show (``incremental_revenue``, currency per week; or
        ``incremental_first_orders``, ``incremental_orders``, ...).
    channels : sequence of str, optional
        Channels to draw (default: every channel of the table).
    colors : dict of str to str, optional
        A colour per channel (default: matplotlib's cycle).
    """
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.subplots(figsize=(9, 4.5), layout="constrained")[1]
    options = {"linewidth": 1.2, **kwargs}
    for channel, rows in contribution.groupby("channel", sort=False):
        if channels is not None and channel not in channels:
            continue
        colour = {"color": colors[channel]} if colors and channel in colors else {}
        line, = ax.plot(rows["week"], rows[value], label=channel, **colour, **options)
        if f"{value}_low" in rows and rows[f"{value}_low"].notna().any():
            ax.fill_between(rows["week"], rows[f"{value}_low"], rows[f"{value}_high"], color=line.get_color(),
                            alpha=0.15, linewidth=0)
    ax.axhline(0, color="#636363", linewidth=0.8)
    unit = "currency" if "revenue" in value else "orders"
    ax.set(xlabel="week", ylabel=f"{value.replace('_', ' ')} ({unit}/week)",
           title="True weekly contribution per channel (channel on minus off; band: interval over seeds)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return ax


def plot_response(response: pd.DataFrame, ax=None, x: str = "factor", colors: dict[str, str] | None = None,
                  **kwargs: Any):
    """Response curve per channel (``truth_response``): incremental revenue against the budget factor
    (``x="factor"``, times the plan) or the spend over the run (``x="spend"``, currency), with the
    interval over seeds at each point; returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.subplots(figsize=(6.5, 4.5), layout="constrained")[1]
    options = {"marker": "o", "markersize": 4, "capsize": 3, "linewidth": 1.2, **kwargs}
    for channel, rows in response.groupby("channel", sort=False):
        mean = rows["incremental_revenue"].to_numpy(float)
        low = rows.get("incremental_revenue_low", pd.Series(mean)).to_numpy(float)
        high = rows.get("incremental_revenue_high", pd.Series(mean)).to_numpy(float)
        err = np.nan_to_num(np.vstack([mean - low, high - mean]))
        colour = {"color": colors[channel]} if colors and channel in colors else {}
        ax.errorbar(rows[x], mean, yerr=err, label=channel, **colour, **options)
    ax.axhline(0, color="#636363", linewidth=0.8)
    xlabel = "budget, times the plan" if x == "factor" else "the channel's spend over the run (currency)"
    ax.set(xlabel=xlabel, ylabel="incremental revenue over the run (currency)", title="True response curves")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize="small")
    return ax
