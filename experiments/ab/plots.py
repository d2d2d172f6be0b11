"""The A/B tests' figure: each test's interval beside the truths it should find."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from journeysim.plots import _axes
from journeysim.units import DEFAULT_CURRENCY, Currency

SHOWN = 60
"""Most tests drawn (the first ones by seed)."""


def plot_ab_tests(tests: pd.DataFrame, metric: str, ax: Axes | None = None, currency: Currency = DEFAULT_CURRENCY,
                  **kwargs: Any) -> Axes:
    """Each test's estimate of ``metric`` with its interval (grey: covers the true effect on the
    treated arm; red: misses it), the true effect on the treated arm (dot) and of rolling out to
    everyone (cross), tests sorted by estimate; money in ``currency``."""
    from journeysim.experiments.ab.metrics import METRIC_UNITS
    from journeysim.units import axis_formatter

    ax = _axes(ax, "ab_tests")
    shown = tests.head(SHOWN).sort_values(f"{metric}_estimate").reset_index(drop=True)
    est, low, high = (shown[f"{metric}_{k}"].to_numpy() for k in ("estimate", "low", "high"))
    truth, rollout = shown[f"{metric}_true_treated"].to_numpy(), shown[f"{metric}_true_rollout"].to_numpy()
    covers = (low <= truth) & (truth <= high)
    y = np.arange(len(shown))
    for hit, colour in ((True, "#888888"), (False, "#d6604d")):
        rows = covers == hit
        ax.hlines(y[rows], low[rows], high[rows], color=colour, linewidth=2,
                  label="interval covers the treated arm's true effect" if hit else "interval misses it")
    ax.plot(est, y, "|", color="black", markersize=8, label="estimate")
    ax.plot(truth, y, "o", **{"color": "#4393c3", "markersize": 4, "label": "true effect on the treated arm",
                               **kwargs})
    ax.plot(rollout, y, "x", color="#5aae61", markersize=5, label="true effect of rolling out to everyone")
    ax.axvline(0, color="#333333", linewidth=0.8)
    label, unit = METRIC_UNITS[metric]
    ax.xaxis.set_major_formatter(axis_formatter(unit, currency, difference=True))
    ax.set(xlabel=f"{label}: treatment − control", ylabel="test (sorted by estimate)", yticks=[],
           title=f"A/B tests: {len(shown)} of {len(tests)} shown; "
                 f"{covers.mean():.0%} of these intervals cover the truth")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return ax
