"""Figures of a Morris study: mu* per parameter, and the mu*-sigma plane.

Helpers take the Morris table (:func:`~journeysim.experiments.sensitivity.method.analyse`),
``ax=None``, and return the Axes.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from journeysim import units
from journeysim.experiments.plots import TITLES, axes_or_new, compact_ticks
from journeysim.units import COUNT, DEFAULT_CURRENCY, Currency


def _with_unit(label: str, unit: str, currency: Currency) -> str:
    """``label`` with the unit of an effect in brackets (``mu* (USD)``; a rate's: ``pp``)."""
    name = units.unit_name(unit, currency, difference=True)
    return f"{label} ({name})" if name else label


def plot_mu_star(table: pd.DataFrame, ax: Axes | None = None, unit: str = COUNT,
                 currency: Currency = DEFAULT_CURRENCY, **kwargs: Any) -> Axes:
    """Morris mu* per parameter (bars, most influential on top) with its bootstrap interval, in the
    KPI's ``unit`` (money in ``currency``)."""
    ax = axes_or_new(ax)
    y = np.arange(len(table))[::-1]
    options = {"color": "#4292c6", "ecolor": "#08306b", "capsize": 3, **kwargs}
    ax.barh(y, table["mu_star"], xerr=table["mu_star_conf"], **options)
    ax.set_yticks(y, [f"{k}. {name}" for k, name in enumerate(table["parameter"], start=1)])
    ax.set(xlabel=_with_unit("mu* (mean |elementary effect|)", unit, currency), title="Influence")
    compact_ticks(ax, unit=unit, currency=currency, difference=True)
    return ax


def plot_morris(table: pd.DataFrame, ax: Axes | None = None, unit: str = COUNT,
                currency: Currency = DEFAULT_CURRENCY, **kwargs: Any) -> Axes:
    """Morris sigma against mu* (in the KPI's ``unit``): far right = influential; high = interacting
    or non-linear.

    Points are numbered in the table's order (as :func:`plot_mu_star` numbers its bars). The
    dashed line is sigma = mu*: near or above it a parameter's effect changes a lot with the
    other parameters' values.
    """
    ax = axes_or_new(ax)
    options = {"s": 40, "color": "#a50f15", "zorder": 3, **kwargs}
    ax.scatter(table["mu_star"], table["sigma"], **options)
    for k, row in enumerate(table.itertuples(), start=1):
        ax.annotate(str(k), (row.mu_star, row.sigma), xytext=(5, 3), textcoords="offset points", fontsize=9)
    top = float(max(table["mu_star"].max(), table["sigma"].max(), 1e-12)) * 1.15
    ax.plot([0, top], [0, top], linestyle="--", color="#969696", linewidth=1)
    ax.set(xlim=(0, top), ylim=(0, top), xlabel=_with_unit("mu*", unit, currency),
           ylabel=_with_unit("sigma", unit, currency), title="Interaction / non-linearity")
    compact_ticks(ax, "both", unit=unit, currency=currency, difference=True)
    return ax


def morris_figure(table: pd.DataFrame, kpi: str, currency: Currency = DEFAULT_CURRENCY) -> Figure:
    """mu* bars beside the mu*-sigma plane for one KPI (axes in its unit, money in ``currency``)."""
    unit = units.kpi(kpi).unit
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 1.6 + 0.45 * len(table)), layout="constrained")
    plot_mu_star(table, ax=left, unit=unit, currency=currency)
    plot_morris(table, ax=right, unit=unit, currency=currency)
    figure.suptitle(f"Morris sensitivity of {TITLES.get(kpi, kpi)} (effects per full parameter range)")
    return figure
