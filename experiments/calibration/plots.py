"""Figures of a calibration: observed against the posterior predictive, and the posterior of each parameter.

Helpers take ``ax=None`` and return the Axes; the ``*_figure`` functions take a finished
:class:`~journeysim.experiments.calibration.result.Calibration`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from journeysim.experiments.intervals import weighted_quantiles
from journeysim.experiments.plans import Parameter

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from journeysim.experiments.calibration.result import Calibration


def plot_fit(weeks: Sequence, observed: np.ndarray, draws: np.ndarray, name: str = "",
             ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Observed series against the posterior predictive: median, 50% and 90% bands.

    Parameters
    ----------
    weeks : sequence
        Week labels (numbers or dates), one per value.
    observed : ndarray
        Observed values, in the statistic's unit.
    draws : ndarray, shape (draws, weeks)
        Simulated series at posterior draws.
    name : str
        The statistic (title).
    ax : Axes, optional
        Where to draw (default: a new figure).
    **kwargs
        Passed to the observed series' ``plot`` (over ``{"color": "black", "marker": "o"}``).
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.subplots(figsize=(5, 3))[1]
    x = list(weeks)
    if draws.size:
        q = np.nanquantile(draws, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
        ax.fill_between(x, q[0], q[4], color="tab:blue", alpha=0.15, label="simulated 90%", linewidth=0)
        ax.fill_between(x, q[1], q[3], color="tab:blue", alpha=0.3, label="simulated 50%", linewidth=0)
        ax.plot(x, q[2], color="tab:blue", label="simulated median")
    ax.plot(x, observed, **{"color": "black", "marker": "o", "markersize": 3, "linewidth": 1, "label": "observed",
                            **kwargs})
    ax.set_title(name.replace("_", " "))
    ax.set_xlabel("week")
    return ax


def fit_figure(calibration: Calibration) -> Figure:
    """Observed vs posterior predictive, one panel per statistic."""
    observed = calibration.observed
    names = list(calibration.predictive)
    fig, axes = _grid(len(names), (4.2, 2.8))
    for ax, name in zip(axes, names, strict=False):
        plot_fit(observed.labels(), observed.values[name], calibration.predictive[name], name, ax=ax)
    axes[0].legend(fontsize="x-small")
    fig.suptitle(f"Posterior predictive check: {len(next(iter(calibration.predictive.values())))} runs at "
                 f"posterior draws, fresh seeds", fontsize="medium")
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    return fig


def plot_posterior(values: np.ndarray, weights: np.ndarray, parameter: Parameter, truth: float | None = None,
                   ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Weighted posterior histogram of one parameter over its prior range, with median and 95% interval.

    Parameters
    ----------
    values, weights : ndarray
        The particles' values (the key's unit) and weights.
    parameter : Parameter
        The parameter (its prior range sets the x-axis).
    truth : float, optional
        A known true value (synthetic data), drawn as a red line.
    ax : Axes, optional
        Where to draw (default: a new figure).
    **kwargs
        Passed to ``hist`` (over ``{"bins": 20, "color": "tab:blue", "alpha": 0.6}``).
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.subplots(figsize=(4, 3))[1]
    edges = np.geomspace(parameter.low, parameter.high, 21) if parameter.log else \
        np.linspace(parameter.low, parameter.high, 21)
    ax.hist(values, weights=weights, density=True, **{"bins": edges, "color": "tab:blue", "alpha": 0.6, **kwargs})
    low, median, high = weighted_quantiles(values, weights, [0.025, 0.5, 0.975])
    ax.axvspan(low, high, color="tab:blue", alpha=0.1, label="95% interval")
    ax.axvline(median, color="tab:blue", label="median")
    if truth is not None:
        ax.axvline(truth, color="tab:red", linestyle="--", label="true value")
    if parameter.log:
        from matplotlib.ticker import NullFormatter

        ax.set_xscale("log")
        ticks = np.geomspace(parameter.low, parameter.high, 5)
        ax.set_xticks(ticks, [f"{t:.3g}" for t in ticks])
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlim(parameter.low, parameter.high)
    ax.set_title(parameter.name, fontsize="small")
    ax.set_ylabel("posterior density")
    return ax


def posterior_figure(calibration: Calibration) -> Figure:
    """Posterior of each parameter over its prior range."""
    parameters = calibration.plan.parameters
    fig, axes = _grid(len(parameters), (4.2, 2.8))
    w = calibration.particles["weight"].to_numpy()
    for ax, p in zip(axes, parameters, strict=False):
        plot_posterior(calibration.particles[p.name].to_numpy(), w, p, calibration.truth.get(p.name), ax=ax)
    axes[0].legend(fontsize="x-small")
    fig.suptitle("ABC-SMC posterior (x-axis: prior range)", fontsize="medium")
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    return fig


def _grid(count: int, size: tuple[float, float]) -> tuple[Figure, list[Axes]]:
    import matplotlib.pyplot as plt

    cols = min(3, max(1, count))
    rows = math.ceil(count / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(size[0] * cols, size[1] * rows), squeeze=False)
    flat = list(axes.ravel())
    for ax in flat[count:]:
        ax.set_visible(False)
    return fig, flat[:count]
