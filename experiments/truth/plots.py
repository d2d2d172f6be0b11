"""Figure of the truth: incremental acquisitions per channel with their interval."""

from __future__ import annotations

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
