"""Figure of attribution against the truth: credit share per channel by method beside the true share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from journeysim.experiments.attribution.result import AttributionResult

METHOD_COLOURS = {
    "first_touch": "#fdae6b", "last_touch": "#e6550d", "linear": "#9ecae1", "time_decay": "#6baed6",
    "position_based": "#3182bd", "markov": "#31a354", "channelattribution": "#a1d99b", "shapley": "#756bb1",
}


def plot_attribution(result: AttributionResult, ax=None, **kwargs: Any):
    """Credit share per channel by method beside the true incremental share (with its interval);
    the legend gives each method's error scores (all paid channels / the channels paths show).
    Returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.subplots(figsize=(10, 4.8), layout="constrained")[1]
    shares = result.shares()
    errors = result.errors.set_index("method")
    channels, methods = list(shares.columns), list(shares.index)
    width = 0.8 / len(methods)
    x = np.arange(len(channels))
    for j, method in enumerate(methods):
        offset = x - 0.4 + width * (j + 0.5)
        if method == "truth":
            bounds = result.truth.table.set_index("channel").loc[channels]
            err = np.vstack([shares.loc[method] - bounds["share_low"], bounds["share_high"] - shares.loc[method]])
            ax.bar(offset, shares.loc[method], width, color="#252525", label="true incremental share",
                   yerr=np.nan_to_num(err), ecolor="#969696", capsize=3)
            continue
        options = {"color": METHOD_COLOURS.get(method, "#bdbdbd"), **kwargs}
        label = f"{method} (error {errors.loc[method, 'error']:.2f} / {errors.loc[method, 'visible_error']:.2f})"
        ax.bar(offset, shares.loc[method], width, label=label, **options)
    ax.set_xticks(x, channels)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set(ylabel="share of credited conversions", ylim=(0, max(1.0, float(np.nanmax(shares.to_numpy())) + 0.05)),
           title=f"Attribution vs truth: {result.truth.meta.get('scenario', '')}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=9,
              title="error: all paid channels / channels in paths", title_fontsize=8)
    ax.axhline(0, color="#636363", linewidth=0.8)
    return ax
