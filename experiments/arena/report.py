"""The arena's scoreboard as Markdown and as a figure.

Numbers go through :mod:`journeysim.units` (ROAS as a ratio, contributions in the run's currency,
shares as percentages), as every face of journeysim writes them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from journeysim.experiments.arena.score import HORIZON_WEEKS, LEVEL
from journeysim.units import DEFAULT_CURRENCY, MONEY, PERCENT, RATIO, Currency, format_value

MODEL_COLOURS = {"pymc_marketing": "C0", "meridian": "C1"}
"""Colour of each MMM in the figure (another model takes the next free colour)."""

MODEL_NAMES = {"pymc_marketing": "PyMC-Marketing", "meridian": "Meridian"}
"""How each MMM is named where people read it (tables and figures); the key stays in the CSVs."""

CALIBRATION_NAMES = {"none": "none", "lift_tests": "lift tests"}
"""How each calibration is named in tables and figures."""


def model_name(model: str) -> str:
    """The library's own name of ``model`` (``pymc_marketing`` -> ``PyMC-Marketing``)."""
    return MODEL_NAMES.get(model, model)


def calibration_name(calibration: str) -> str:
    """``lift_tests`` -> ``lift tests``."""
    return CALIBRATION_NAMES.get(calibration, calibration)


def _ratio(value: float) -> str:
    return format_value(value, RATIO, 2)


def _interval(mean: float, low: float, high: float, unit: str = RATIO, digits: int = 2,
              currency: Currency = DEFAULT_CURRENCY) -> str:
    return (f"{format_value(mean, unit, digits, currency)} [{format_value(low, unit, digits, currency)}, "
            f"{format_value(high, unit, digits, currency)}]")


def board_markdown(board: pd.DataFrame) -> str:
    """The scoreboard (one row per fit) as a Markdown table."""
    lines = ["| model | scenario | calibration | 94% interval covers the true ROAS | covers and narrower than it | "
             "median abs. relative error | median width / true ROAS | rank correlation | contribution covered |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in board.to_dict("records"):
        lines.append(f"| {model_name(r['model'])} | {r['scenario']} | {calibration_name(r['calibration'])} | "
                     f"{r['covered']} of {r['channels']} | "
                     f"{r['informative']} of {r['channels']}{' (majority)' if r['majority_informative'] else ''} | "
                     f"{format_value(r['median_abs_relative_error'], PERCENT, 0)} | "
                     f"{_ratio(r['median_width_over_true'])} | {_ratio(r['rank_correlation'])} | "
                     f"{format_value(r['contribution_coverage'], PERCENT, 0)} |")
    return "\n".join(lines)


def channels_markdown(scored: pd.DataFrame, currency: Currency = DEFAULT_CURRENCY) -> str:
    """Every fit's channels beside the truth, one Markdown table per fit."""
    parts = []
    for (model, scenario, calibration), fit in scored.groupby(["model", "scenario", "calibration"], sort=False):
        lines = [f"**{model_name(model)}, {scenario}, calibration {calibration_name(calibration)}**", "",
                 f"| channel | true {HORIZON_WEEKS}-week ROAS [95%] | MMM ROAS [{LEVEL:.0%}] | covers | "
                 f"width / true | true contribution | MMM contribution [{LEVEL:.0%}] |",
                 "|---|---|---|---|---|---|---|"]
        for r in fit.to_dict("records"):
            tick = "yes" + (", narrower" if r["informative"] else "") if r["roas_covered"] else "no"
            contribution = _interval(r["contribution_mean"], r["contribution_low"], r["contribution_high"], MONEY, 0,
                                     currency)
            lines.append(
                f"| {r['channel']}{' (lift test)' if r['lift_tested'] else ''} | "
                f"{_interval(r['true_roas'], r['true_roas_low'], r['true_roas_high'])} | "
                f"{_interval(r['roas_mean'], r['roas_low'], r['roas_high'])} | {tick} | "
                f"{_ratio(r['width_over_true'])} | {format_value(r['true_contribution'], MONEY, 0, currency)} | "
                f"{contribution} |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def calibration_markdown(effect: pd.DataFrame) -> str:
    """Absolute ROAS error and interval width of the lift-tested channels, before and after calibration."""
    lines = ["| model | scenario | channel | abs. error before | after | width before | after | error narrowed |",
             "|---|---|---|---|---|---|---|---|"]
    for r in effect.to_dict("records"):
        lines.append(f"| {model_name(r['model'])} | {r['scenario']} | {r['channel']} | "
                     f"{_ratio(r['abs_error_before'])} | {_ratio(r['abs_error_after'])} | "
                     f"{_ratio(r['width_before'])} | {_ratio(r['width_after'])} | "
                     f"{'yes' if r['narrowed'] else 'no'} |")
    return "\n".join(lines)


def plot_fit(fit: pd.DataFrame, ax: Axes | None = None, colour: str = "C0", offset: float = 0.12,
             truth: bool = True, **kwargs: Any) -> Axes:
    """One fit's ROAS intervals (a bar per channel, dot at the mean, ``offset`` above the channel's
    row) and, with ``truth``, the true ROAS with its interval (black diamonds below the row)."""
    if ax is None:
        ax = Figure(figsize=(6, 4), layout="constrained").subplots()
    options = {"linewidth": 5, "alpha": 0.55, **kwargs}
    y = np.arange(len(fit))[::-1]
    ax.hlines(y + offset, fit["roas_low"], fit["roas_high"], color=colour, **options)
    ax.plot(fit["roas_mean"], y + offset, "o", color=colour, markersize=4)
    if truth:
        ax.errorbar(fit["true_roas"], y - 0.3, xerr=[fit["true_roas"] - fit["true_roas_low"],
                                                    fit["true_roas_high"] - fit["true_roas"]],
                    fmt="D", color="black", markersize=4, capsize=2, linewidth=1, label="truth")
        ax.set_yticks(y, [f"{c}{' *' if t else ''}" for c, t in zip(fit["channel"], fit["lift_tested"], strict=True)])
        ax.axvline(0, color="grey", linewidth=0.6)
    return ax


def scoreboard_figure(scored: pd.DataFrame, board: pd.DataFrame) -> Figure:
    """One panel per scenario and calibration, the models' intervals side by side with the truth.

    Each panel: per channel each model's 94% ROAS interval (a bar, dot at the mean) and the true
    13-week ROAS (black diamond, its 95% interval over seeds); ``*`` marks lift-tested channels;
    the title gives each model's coverage and count of intervals that cover and are narrower than
    the true ROAS.
    """
    panels = list(dict.fromkeys(zip(scored["scenario"], scored["calibration"], strict=True)))
    models = list(dict.fromkeys(scored["model"]))
    columns = min(2, len(panels))
    rows = -(-len(panels) // columns)
    figure = Figure(figsize=(7.2 * columns, 3.8 * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for ax, (scenario, calibration) in zip(axes, panels, strict=False):
        panel = scored[(scored["scenario"] == scenario) & (scored["calibration"] == calibration)]
        channels = list(dict.fromkeys(panel["channel"]))
        notes = []
        for k, model in enumerate(models):
            fit = panel[panel["model"] == model].set_index("channel").reindex(channels).reset_index()
            if fit["roas_mean"].isna().all():
                continue
            plot_fit(fit, ax=ax, colour=MODEL_COLOURS.get(model, f"C{k + 2}"), offset=0.25 * k, truth=k == 0,
                     label=model_name(model))
            row = board[(board["model"] == model) & (board["scenario"] == scenario)
                        & (board["calibration"] == calibration)].iloc[0]
            notes.append(f"{model_name(model)}: covers {row['covered']}/{row['channels']}, "
                         f"also narrower {row['informative']}")
        ax.set_title(f"{scenario}, calibration {calibration_name(calibration)}\n" + "; ".join(notes), fontsize=9)
        # channels' returns differ by orders of magnitude: linear within +-1, logarithmic beyond;
        # the view holds every model interval and true mean (a truth interval may run off it)
        seen = pd.concat([panel["roas_low"], panel["roas_high"], panel["true_roas"]]).dropna()
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set_xlim(min(seen.min(), 0) * 1.5 - 0.5, max(seen.max(), 0) * 1.5 + 0.5)
        ax.set_xlabel(f"ROAS over {HORIZON_WEEKS} weeks (revenue per unit of spend; logarithmic beyond ±1)")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    return figure
