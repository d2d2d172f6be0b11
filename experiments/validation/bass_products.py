"""Bass docking across products: simulated diffusion for published (p, q) pairs against the closed form.

Sources of the coefficients (per year, estimated on annual adoption data):

* Sultan, Farley and Lehmann (1990), "A meta-analysis of applications of diffusion models",
  *Journal of Marketing Research* 27(1): 70-77 -- the mean over 213 applications, p = 0.03,
  q = 0.38.
* Christophe Van den Bulte's compilation of published Bass estimates by product, as tabulated
  in the appendix of the DecisionPro Bass forecasting tutorial
  (https://decisionpro.freshdesk.com/support/solutions/articles/64000304644).

For each product the engine runs the Bass scenario (:mod:`journeysim.scenarios.bass`) until
95% have adopted; the simulated share at every year end and the days to 16%, 50% and 95%
penetration are compared with the closed form within their sampling error.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.integrate import cumulative_trapezoid

from journeysim.experiments.runner import parallel_map
from journeysim.experiments.validation.diffusion import QUIET_OUTPUTS, milestone_days, run_diffusion
from journeysim.experiments.validation.experiment import Check, Outcome, save_figure, save_table
from journeysim.scenarios.bass import bass_curve, bass_run_spec

NAME = "bass_products"

PRODUCTS: dict[str, tuple[float, float, str]] = {
    "meta-analysis mean": (0.03, 0.38, "Sultan, Farley and Lehmann (1990)"),
    "turntable": (0.0577, 0.21, "Van den Bulte compilation"),
    "cable TV": (0.02116, 0.2698, "Van den Bulte compilation"),
    "disk drive": (0.0208, 0.995, "Van den Bulte compilation"),
    "radio": (0.01034, 0.4537, "Van den Bulte compilation"),
    "tractor": (0.0072, 0.11795, "Van den Bulte compilation"),
    "digital watch": (0.0056, 0.3542, "Van den Bulte compilation"),
    "cell telephone": (0.00471, 0.506, "Van den Bulte compilation"),
    "CD player": (0.0017, 0.3991, "Van den Bulte compilation"),
    "calculator": (0.00136, 0.438, "Van den Bulte compilation"),
    "camcorder": (0.000094, 0.4679, "Van den Bulte compilation"),
}
"""Product -> (p, q per year, source)."""

SIZE = 200_000
"""Customers per run. The adopted share then has a binomial standard error of at most
sqrt(0.25 / 200,000) = 0.0011, and with imitation propagating early luck (:func:`share_variance`)
the days to a milestone have a standard error of 5 to 44 days (:func:`time_sd_days`), small
against milestones of 2 to 46 years -- except the camcorder's, whose few innovators
(q/p = 5,000) make its take-off date uncertain by about 120 days at any affordable size.
A run costs about 1.5 ms a simulated day whatever the size up to here (the step's fixed
cost dominates), so the larger market is free in time."""

MILLION = 1_000_000
"""Customers of the large-market runs: the closed form must hold at this size too."""

MILLION_CASES = ((0.03, 0.38), (0.005, 1.5))
"""(p, q) per year run at :data:`MILLION` customers for ten years: the meta-analysis mean and a
steep curve (imitation 300 times innovation) whose take-off is over within three years."""

MILLION_TOLERANCE = 0.01
"""Largest allowed |simulated - closed form| adopted share at a year end of the large runs."""

LEVELS = (0.16, 0.5, 0.95)
"""Penetration milestones (Rogers' innovators+early adopters, half, near saturation)."""

DAYS_PER_YEAR = 365


def bass_time(level: float, p: float, q: float) -> float:
    """Years until the closed-form Bass curve reaches ``level``:
    t = ln((1 + level q / p) / (1 - level)) / (p + q)."""
    return math.log((1.0 + level * q / p) / (1.0 - level)) / (p + q)


def bass_density(t: np.ndarray | float, p: float, q: float) -> np.ndarray:
    """Adoption rate dF/dt of the closed form, per year: (p + q F)(1 - F)."""
    F = bass_curve(t, p, q)
    return (p + q * F) * (1.0 - F)


def share_variance(t: np.ndarray, p: float, q: float, size: int) -> np.ndarray:
    """Variance of the simulated adopted share at times ``t`` (years): the linear-noise
    approximation of the stochastic Bass process.

    Adoptions are a Poisson flow of rate ``size * (p + q F)(1 - F)``; a deviation ``x`` of the
    share grows at rate J = q - p - 2 q F (the derivative of the drift), so
    dV/dt = 2 J V + (p + q F)(1 - F) / size with V(0) = 0. Early on this reproduces the random
    take-off of a birth process with immigration (a shift of the whole curve with variance
    trigamma(size p / q) / q^2, large when q/p is in the thousands); it is a tighter and more
    honest error than a binomial share alone, which ignores that imitation propagates early luck.
    """
    t = np.atleast_1d(np.asarray(t, dtype=float))
    grid = np.linspace(0.0, max(float(t.max()), 1e-9), 4 * DAYS_PER_YEAR * max(1, math.ceil(t.max())) + 1)
    F = bass_curve(grid, p, q)
    growth = cumulative_trapezoid(2.0 * (q - p - 2.0 * q * F), grid, initial=0.0)
    source = (p + q * F) * (1.0 - F) / size
    variance = np.exp(growth) * cumulative_trapezoid(np.exp(-growth) * source, grid, initial=0.0)
    return np.interp(t, grid, variance)


def daily_lag_days(level: float, p: float, q: float) -> float:
    """Days by which the engine's daily steps trail the closed form at ``level``: the
    deterministic daily recursion F += (1 - F)(1 - exp(-(p + q F) / 365)) against the formula
    (1 to 5 days for the products here)."""
    share, day = 0.0, 0
    while share < level:
        share += (1.0 - share) * -math.expm1(-(p + q * share) / DAYS_PER_YEAR)
        day += 1
    return max(0.0, day - bass_time(level, p, q) * DAYS_PER_YEAR)


def share_tolerance(t: np.ndarray, p: float, q: float, size: int) -> np.ndarray:
    """Allowed |simulated - closed form| share at times ``t`` (years): four standard errors
    (:func:`share_variance`) plus 0.002 for the daily steps."""
    return 4.0 * np.sqrt(share_variance(t, p, q, size)) + 0.002


def time_sd_days(level: float, p: float, q: float, size: int) -> float:
    """Standard error of the days to ``level``: the share's error over the adoption rate."""
    t = bass_time(level, p, q)
    return float(np.sqrt(share_variance(t, p, q, size))[0] / bass_density(t, p, q)) * DAYS_PER_YEAR


def time_tolerance(level: float, p: float, q: float, size: int) -> float:
    """Allowed |simulated - closed form| days to ``level``: four standard errors, the daily
    steps' lag and one day (the milestone is the first whole day at or above the level)."""
    return 4.0 * time_sd_days(level, p, q, size) + daily_lag_days(level, p, q) + 1.0


def simulate_product(args: tuple[str, int, int]) -> tuple[str, np.ndarray]:
    """Run the Bass scenario of one product to 95% penetration: (product, share per day)."""
    product, size, seed = args
    p, q, _ = PRODUCTS[product]
    days = math.ceil(bass_time(0.99, p, q) * DAYS_PER_YEAR)
    cfg = {"scenario": {"name": "bass", "p": p, "q": q}, "population": {"size": size}, "outputs": QUIET_OUTPUTS}
    return product, run_diffusion(bass_run_spec(cfg, seed=seed, days=days), stop_at=0.955)


def simulate_million(args: tuple[float, float, int]) -> tuple[tuple[float, float], float]:
    """Ten years of the Bass scenario at :data:`MILLION` customers: ((p, q), the largest
    |simulated - closed form| adopted share at a year end)."""
    p, q, seed = args
    cfg = {"scenario": {"name": "bass", "p": p, "q": q}, "population": {"size": MILLION}, "outputs": QUIET_OUTPUTS}
    fraction = run_diffusion(bass_run_spec(cfg, seed=seed, days=10 * DAYS_PER_YEAR))
    years = np.arange(1, 11)
    return (p, q), float(np.abs(fraction[years * DAYS_PER_YEAR] - bass_curve(years, p, q)).max())


def compare_product(product: str, fraction: np.ndarray, size: int) -> dict[str, float | str | bool]:
    """One table row: milestones simulated and closed form, and the worst yearly share error."""
    p, q, source = PRODUCTS[product]
    row: dict[str, float | str | bool] = {"product": product, "p": p, "q": q, "source": source}
    ok = True
    for level in LEVELS:
        tag = f"t{round(level * 100)}"
        expected = bass_time(level, p, q) * DAYS_PER_YEAR
        simulated = milestone_days(fraction, level)
        tolerance = time_tolerance(level, p, q, size)
        row |= {f"{tag}_closed_days": expected, f"{tag}_sim_days": simulated, f"{tag}_tolerance_days": tolerance}
        ok &= abs(simulated - expected) <= tolerance
    years = np.arange(1, (fraction.size - 1) // DAYS_PER_YEAR + 1)
    error = np.abs(fraction[years * DAYS_PER_YEAR] - bass_curve(years, p, q))
    allowed = share_tolerance(years, p, q, size)
    worst = int(np.argmax(error / allowed)) if years.size else 0
    row |= {"t50_sd_days": time_sd_days(0.5, p, q, size),
            "max_share_error": float(error.max()) if years.size else math.nan,
            "share_error_over_tolerance": float((error / allowed)[worst]) if years.size else math.nan}
    row["passed"] = bool(ok and (error <= allowed).all())
    return row


def plot_products(curves: dict[str, np.ndarray], size: int):
    """Small multiples: each product's simulated share (dots, yearly) over its closed form."""
    import matplotlib.pyplot as plt

    columns = 4
    rows = math.ceil(len(curves) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(13, 2.9 * rows), squeeze=False)
    for ax, (product, fraction) in zip(axes.flat, curves.items(), strict=False):
        p, q, _ = PRODUCTS[product]
        years = np.arange(fraction.size) / DAYS_PER_YEAR
        t = np.linspace(0, years[-1], 400)
        ax.plot(t, bass_curve(t, p, q), color="black", lw=1.2, label="closed form")
        step = max(1, fraction.size // 40)
        ax.plot(years[::step], fraction[::step], "o", ms=3, color="tab:orange", label=f"engine, n={size:,}")
        for level in LEVELS:
            ax.axhline(level, color="grey", lw=0.5, ls=":")
        ax.set_title(f"{product} (p={p:g}, q={q:g})", fontsize=9)
        ax.set_ylim(0, 1)
        ax.tick_params(labelsize=8)
    for ax in axes.flat[len(curves):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("adopted share", fontsize=9)
    for ax in axes[-1, :]:
        ax.set_xlabel("years", fontsize=9)
    axes.flat[0].legend(fontsize=7, loc="lower right")
    figure.suptitle("Bass docking: engine vs closed form for published (p, q)", fontsize=11)
    figure.tight_layout()
    return figure


def run(out_dir: Path, jobs: int = 1, size: int = SIZE, seed: int = 0,
        products: tuple[str, ...] | None = None) -> Outcome:
    """Run every product, write ``bass_products.csv`` and ``bass_products.png``, and check
    that each product's yearly shares and milestones match the closed form."""
    chosen = products or tuple(PRODUCTS)
    seeds = {name: seed + i for i, name in enumerate(chosen)}
    longest_first = sorted(chosen, key=lambda name: -bass_time(0.95, *PRODUCTS[name][:2]))
    curves = dict(parallel_map(simulate_product, [(name, size, seeds[name]) for name in longest_first], jobs))
    table = pd.DataFrame([compare_product(name, curves[name], size) for name in chosen])
    files = [save_table(out_dir, NAME, table), save_figure(out_dir, NAME, plot_products(curves, size))]
    checks = [Check(NAME, f"{row.product}: yearly shares within 4 SE + 0.002 and days to 16/50/95% "
                    "within 4 SE + daily-step lag + 1 day of the closed form", bool(row.passed),
                    f"t16/t50/t95 {row.t16_sim_days:.0f}/{row.t50_sim_days:.0f}/{row.t95_sim_days:.0f} d vs "
                    f"{row.t16_closed_days:.0f}/{row.t50_closed_days:.0f}/{row.t95_closed_days:.0f} d; "
                    f"worst share error {row.max_share_error:.4f} "
                    f"({row.share_error_over_tolerance:.2f} of tolerance)")
              for row in table.itertuples()]
    for (p, q), error in parallel_map(simulate_million, [(p, q, seed) for p, q in MILLION_CASES], jobs):
        checks.append(Check(NAME, f"p={p:g}, q={q:g} at {MILLION:,} customers: every year end of ten within "
                                  f"{MILLION_TOLERANCE} of the closed form", bool(error < MILLION_TOLERANCE),
                            f"largest share error {error:.4f}"))
    return Outcome(NAME, checks, files)
