"""Stylised facts of a market (issue #20): price and advertising response, cart abandonment, organic base.

Four experiments on the default market, each under paired seeds (common random numbers):

* ``price_response``: the list price changed from day 0 by each of -20%, -10%, -5%, +5%, +10% and
  +20%; the sales elasticity ``ln(orders / orders_base) / ln(1 + change)`` of a year's orders
  lies between -4 and -1 at every change (Bijmolt, van Heerde and Pieters 2005: mean -2.62 over
  1,851 estimates; EVIDENCE §1, C).
* ``advertising_elasticity``: every paid channel's spend x1.2 from day 182 on; the elasticity
  ``(orders_new / orders_base - 1) / 0.2`` over the 28 days after the change (short term) lies
  between 0.03 and 0.3, and over the 365 days after it (long term) above the short term and
  below 0.5 (Sethuraman, Tellis and Briesch 2011: short-term mean 0.12, long-term 0.24;
  EVIDENCE §2, C).
* ``cart_abandonment``: carts abandoned among carts created, counted as Baymard counts them
  (browsers who reach deciding and fall back included; :func:`journeysim.sim.kpis.cart_abandonment_rate`),
  between 60% and 80% (Baymard: 69.82%, average of 46 studies; EVIDENCE §4, C).
* ``organic_base``: with every paid channel's spend at 0 from day 0, a year's orders are between
  30% and 90% of the default's. The band is illustrative (no published figure).

Units: orders are counts; elasticities dimensionless; shares 0..1.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from journeysim.experiments.intervals import Interval, mean_interval
from journeysim.experiments.plots import axes_or_new, compact_ticks
from journeysim.experiments.runner import parallel_map
from journeysim.experiments.validation.experiment import Check, Outcome, saved_outcome
from journeysim.experiments.validation.market_runs import MarketJob, market_run
from journeysim.units import PERCENT, axis_formatter

PRICE = "price_response"
ADVERTISING = "advertising_elasticity"
CART = "cart_abandonment"
ORGANIC = "organic_base"

PRICE_CHANGES = (-0.20, -0.10, -0.05, 0.05, 0.10, 0.20)
"""Relative list-price changes of the price arms."""
PRICE_RANGE = (-4.0, -1.0)
"""Accepted sales elasticity at every price change (around Bijmolt et al.'s mean -2.62)."""
PRICE_MEAN = -2.62

AD_LIFT = 0.2
"""Relative spend increase of the advertising arm (x1.2)."""
AD_FROM_DAY = 182
"""Day the spend changes (after half a year of the default market)."""
SHORT_DAYS = 28
"""Days after the change that count as the short term (four weeks)."""
LONG_DAYS = 365
"""Days after the change that count as the long term (a year)."""
SHORT_RANGE = (0.03, 0.3)
LONG_MAX = 0.5
SHORT_MEAN, LONG_MEAN = 0.12, 0.24  # Sethuraman et al. (2011)

CART_RANGE = (0.60, 0.80)
BAYMARD = 0.6982  # average of 46 studies (EVIDENCE §4)

ORGANIC_RANGE = (0.30, 0.90)
"""Accepted orders with paid media off / orders of the default (illustrative band)."""

SIZE = 10_000
"""Customers per run (the default population); the advertising runs use twice as many."""
SEEDS = 4
AD_SEEDS = 24
"""Paired seeds of the advertising experiment: one pair's four-week elasticity varies with an sd near
0.2, so 24 pairs put the mean's standard error near 0.04 (4 pairs could not tell 0.12 from 0.3)."""


def _fmt(interval: Interval, digits: int = 2) -> str:
    e, lo, hi = interval.estimate, interval.low, interval.high
    return f"{e:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}] over {interval.n} seeds"


def _runs(jobs_list: list[MarketJob], jobs: int) -> list[dict]:
    return parallel_map(market_run, jobs_list, jobs)


# --------------------------------------------------------------------------- 1. price
def price_table(size: int = SIZE, days: int = 365, seeds: list[int] | None = None, jobs: int = 1,
                changes: tuple[float, ...] = PRICE_CHANGES, overrides: tuple[str, ...] = ()) -> pd.DataFrame:
    """Paired runs at the list price and at each change: one row per seed and change with the
    year's orders of both arms and the sales elasticity (``overrides``: further ``journey`` overrides
    of every run, e.g. ``competition=three_brands``)."""
    seeds = list(range(SEEDS)) if seeds is None else seeds
    arms = (0.0, *changes)
    results = _runs([MarketJob(size, days, seed, price_change=c, overrides=overrides) for seed in seeds
                      for c in arms], jobs)
    rows = []
    for k, seed in enumerate(seeds):
        base = results[k * len(arms)]["orders_total"]
        for j, change in enumerate(changes, start=1):
            orders = results[k * len(arms) + j]["orders_total"]
            elasticity = math.log(orders / base) / math.log1p(change) if orders > 0 and base > 0 else math.nan
            rows.append({"seed": seed, "price_change": change, "orders_base": base, "orders": orders,
                         "elasticity": elasticity})
    return pd.DataFrame(rows)


def price_checks(table: pd.DataFrame) -> list[Check]:
    """Every change's mean elasticity within :data:`PRICE_RANGE`."""
    low, high = PRICE_RANGE
    found = {c: mean_interval(g["elasticity"]) for c, g in table.groupby("price_change")}
    inside = all(low <= i.estimate <= high for i in found.values())
    detail = "; ".join(f"{c:+.0%}: {i.estimate:.2f}" for c, i in found.items())  # means over seeds
    every = mean_interval(table["elasticity"])
    return [Check(PRICE, f"sales elasticity of a year's orders in [{low:g}, {high:g}] at every list-price change "
                  f"({', '.join(f'{c:+.0%}' for c in found)}; Bijmolt et al. 2005, mean {PRICE_MEAN})", inside,
                  f"{detail}; all changes {every.estimate:.2f} [{every.low:.2f}, {every.high:.2f}] over "
                  f"{table.seed.nunique()} seeds x {len(found)} changes")]


def plot_price(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Mean elasticity (with its interval over seeds) at each price change, against the accepted band."""
    ax = axes_or_new(ax)
    found = [(c, mean_interval(g["elasticity"])) for c, g in table.groupby("price_change")]
    x = np.array([c for c, _ in found])
    y = np.array([i.estimate for _, i in found])
    err = np.array([[i.estimate - i.low for _, i in found], [i.high - i.estimate for _, i in found]])
    ax.axhspan(*PRICE_RANGE, color="tab:green", alpha=0.12, label="accepted band")
    ax.axhline(PRICE_MEAN, color="tab:green", ls="--", lw=1, label=f"Bijmolt et al. mean {PRICE_MEAN}")
    ax.errorbar(x, y, yerr=np.nan_to_num(err), fmt="o", color="tab:blue", capsize=3, label="simulated (95% interval)")
    ax.xaxis.set_major_formatter(axis_formatter(PERCENT))
    ax.set_xlabel("List-price change (%)")
    ax.set_ylabel("Sales elasticity of orders")
    ax.set_ylim(min(-5.0, float(np.nanmin(y)) - 0.5), 0.0)
    ax.set_title("Price response of the default market (a year's orders)")
    ax.legend(loc="lower right", fontsize=8)
    return ax


def run_price(out_dir: Path, jobs: int = 1, seed: int = 0) -> Outcome:
    """Fact 1: the full-size price experiment."""
    table = price_table(seeds=list(range(seed, seed + SEEDS)), jobs=jobs)
    fig = plot_price(table).figure
    return saved_outcome(out_dir, PRICE, price_checks(table), table, fig)


# --------------------------------------------------------------------------- 2. advertising
def advertising_table(size: int = 2 * SIZE, seeds: list[int] | None = None, jobs: int = 1,
                      from_day: int = AD_FROM_DAY, long_days: int = LONG_DAYS,
                      short_days: int = SHORT_DAYS, overrides: tuple[str, ...] = (),
                      lift: float = AD_LIFT) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Paired runs with every channel's spend as planned and x(1 + ``lift``) from ``from_day``
    (elasticities: relative change of orders / ``lift``; ``overrides``: further ``journey``
    overrides of every run).

    Returns the per-seed table (orders and elasticities, short and long term) and the
    elasticity by weeks since the change (cumulative orders; one row per seed and week).
    """
    seeds = list(range(AD_SEEDS)) if seeds is None else seeds
    days = from_day + long_days
    base = MarketJob(size, days, 0, from_day=from_day, overrides=overrides)
    results = _runs([replace(base, seed=s, budget_factor=f) for s in seeds for f in (1.0, 1.0 + lift)], jobs)
    rows, curve = [], []
    for k, seed in enumerate(seeds):
        plain, more = (results[2 * k + j]["orders"][from_day:] for j in (0, 1))
        row = {"seed": seed}
        for term, n in (("short", short_days), ("long", long_days)):
            row[f"orders_base_{term}"], row[f"orders_more_{term}"] = plain[:n].sum(), more[:n].sum()
            row[f"elasticity_{term}"] = (more[:n].sum() / plain[:n].sum() - 1.0) / lift
        rows.append(row)
        for week in range(1, long_days // 7 + 1):
            n = 7 * week
            curve.append({"seed": seed, "weeks": week, "elasticity": (more[:n].sum() / plain[:n].sum() - 1) / lift})
    return pd.DataFrame(rows), pd.DataFrame(curve)


def advertising_checks(table: pd.DataFrame) -> list[Check]:
    """Short term within :data:`SHORT_RANGE`; long term above the short term and below :data:`LONG_MAX`."""
    short, long = mean_interval(table["elasticity_short"]), mean_interval(table["elasticity_long"])
    low, high = SHORT_RANGE
    return [
        Check(ADVERTISING, f"short-term advertising elasticity (orders in the {SHORT_DAYS} days after every channel's "
              f"spend x{1 + AD_LIFT:g}) in [{low:g}, {high:g}] (Sethuraman et al. 2011: mean {SHORT_MEAN})",
              bool(low <= short.estimate <= high), f"short term {_fmt(short, 3)}"),
        Check(ADVERTISING, f"long-term elasticity (the {LONG_DAYS} days after the change) above the short term and "
              f"below {LONG_MAX:g} (Sethuraman et al. 2011: mean {LONG_MEAN})",
              bool(short.estimate < long.estimate < LONG_MAX),
              f"long term {_fmt(long, 3)}; short {short.estimate:.3f}; long minus short, paired: "
              f"{_fmt(mean_interval(table['elasticity_long'] - table['elasticity_short']), 3)}"),
    ]


def plot_advertising(curve: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Elasticity of cumulative orders by weeks since the spend rose, mean over seeds and each seed."""
    ax = axes_or_new(ax)
    for _, g in curve.groupby("seed"):
        ax.plot(g["weeks"], g["elasticity"], color="tab:blue", alpha=0.25, lw=0.8)
    mean = curve.groupby("weeks")["elasticity"].mean()
    ax.plot(mean.index, mean.values, color="tab:blue", lw=2, label="simulated (mean of seeds)")
    ax.axhspan(*SHORT_RANGE, xmax=SHORT_DAYS / 7 / mean.index.max(), color="tab:green", alpha=0.15,
               label=f"short-term band ({SHORT_DAYS // 7} weeks)")
    ax.axhline(SHORT_MEAN, color="tab:green", ls="--", lw=1, label=f"published short term {SHORT_MEAN}")
    ax.axhline(LONG_MEAN, color="tab:purple", ls=":", lw=1, label=f"published long term {LONG_MEAN}")
    ax.axhline(LONG_MAX, color="tab:red", ls="-.", lw=1, label=f"long-term ceiling {LONG_MAX}")
    ax.set_xlabel("Weeks since every channel's spend rose 20%")
    ax.set_ylabel("Advertising elasticity of orders")
    ax.set_title("Advertising response of the default market")
    ax.legend(loc="best", fontsize=7)
    return ax


def run_advertising(out_dir: Path, jobs: int = 1, seed: int = 0) -> Outcome:
    """Fact 2: the full-size advertising experiment."""
    table, curve = advertising_table(seeds=list(range(seed, seed + AD_SEEDS)), jobs=jobs)
    fig = plot_advertising(curve).figure
    return saved_outcome(out_dir, ADVERTISING, advertising_checks(table), table, fig)


# --------------------------------------------------------------------------- 4. cart abandonment
def cart_table(size: int = SIZE, days: int = 365, seeds: list[int] | None = None, jobs: int = 1,
               overrides: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per seed: carts created, orders, cart abandonment (Baymard's count) and checkout abandonment
    (``overrides``: further ``journey`` overrides of every run)."""
    seeds = list(range(SEEDS)) if seeds is None else seeds
    results = _runs([MarketJob(size, days, s, overrides=overrides) for s in seeds], jobs)
    keys = ("carts", "orders_total", "checkout_attempts", "checkout_abandoned", "cart_abandonment",
            "checkout_abandonment")
    return pd.DataFrame([{"seed": s, **{k: r[k] for k in keys}} for s, r in zip(seeds, results, strict=True)])


def cart_checks(table: pd.DataFrame) -> list[Check]:
    """Cart abandonment within :data:`CART_RANGE`."""
    rate = mean_interval(table["cart_abandonment"])
    low, high = CART_RANGE
    return [Check(CART, f"cart abandonment (carts abandoned / carts created, browsers included, as Baymard counts "
                  f"it) in [{low:.0%}, {high:.0%}] (Baymard: {BAYMARD:.2%}, 46 studies)",
                  bool(low <= rate.estimate <= high),
                  f"{_fmt(rate, 3)}; of checkout attempts {table['checkout_abandonment'].mean():.1%} abandoned")]


def plot_cart(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """What became of the carts created (mean over seeds): orders, abandoned at checkout, abandoned before it."""
    ax = axes_or_new(ax, (6, 2.6))
    carts = table["carts"].mean()
    parts = {"ordered": table["orders_total"].mean(), "abandoned at checkout": table["checkout_abandoned"].mean()}
    parts["abandoned before checkout (browsing)"] = max(carts - sum(parts.values()), 0.0)
    left = 0.0
    for (label, value), colour in zip(parts.items(), ("tab:green", "tab:orange", "tab:red"), strict=True):
        ax.barh([0], [value / carts], left=left, color=colour, label=f"{label}: {value / carts:.0%}")
        left += value / carts
    ax.axvline(1 - BAYMARD, color="black", ls="--", lw=1, label=f"Baymard: {1 - BAYMARD:.0%} of carts ordered")
    ax.axvspan(1 - CART_RANGE[1], 1 - CART_RANGE[0], color="grey", alpha=0.15, label="accepted band")
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(axis_formatter(PERCENT))
    ax.set_yticks([])
    ax.set_xlabel("Share of carts created (%)")
    ax.set_title(f"Carts of the default market: {table['cart_abandonment'].mean():.1%} abandoned")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=2, fontsize=8)
    return ax


def run_cart(out_dir: Path, jobs: int = 1, seed: int = 0) -> Outcome:
    """Fact 4: cart abandonment of the default market."""
    table = cart_table(seeds=list(range(seed, seed + SEEDS)), jobs=jobs)
    fig = plot_cart(table).figure
    return saved_outcome(out_dir, CART, cart_checks(table), table, fig)


# --------------------------------------------------------------------------- 5. organic base
def organic_table(size: int = SIZE, days: int = 365, seeds: list[int] | None = None,
                  jobs: int = 1, overrides: tuple[str, ...] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Paired runs with paid media as planned and off from day 0: per-seed orders and their
    ratio, and weekly orders of both arms (one row per seed and week; ``overrides``: further
    ``journey`` overrides of every run)."""
    seeds = list(range(SEEDS)) if seeds is None else seeds
    results = _runs([MarketJob(size, days, s, budget_factor=f, overrides=overrides) for s in seeds
                      for f in (1.0, 0.0)], jobs)
    rows, weekly = [], []
    for k, seed in enumerate(seeds):
        paid, off = results[2 * k]["orders"], results[2 * k + 1]["orders"]
        rows.append({"seed": seed, "orders_default": paid.sum(), "orders_no_paid_media": off.sum(),
                     "ratio": off.sum() / paid.sum() if paid.sum() else math.nan})
        weeks = days // 7
        for arm, daily in (("default", paid), ("no paid media", off)):
            for week, orders in enumerate(daily[: 7 * weeks].reshape(weeks, 7).sum(axis=1)):
                weekly.append({"seed": seed, "arm": arm, "week": week, "orders": orders})
    return pd.DataFrame(rows), pd.DataFrame(weekly)


def organic_checks(table: pd.DataFrame) -> list[Check]:
    """Orders with paid media off within :data:`ORGANIC_RANGE` of the default's."""
    ratio = mean_interval(table["ratio"])
    low, high = ORGANIC_RANGE
    return [Check(ORGANIC, f"every paid channel off: a year's orders {low:.0%}-{high:.0%} of the default's "
                  "(illustrative band)", bool(low <= ratio.estimate <= high), f"ratio {_fmt(ratio, 3)}")]


def plot_organic(weekly: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Weekly orders with paid media as planned and off (mean over seeds)."""
    ax = axes_or_new(ax)
    for (arm, g), colour in zip(weekly.groupby("arm", sort=False), ("tab:blue", "tab:orange"), strict=True):
        mean = g.groupby("week")["orders"].mean()
        ax.plot(mean.index, mean.values, color=colour, label=arm)
    ax.set_ylim(bottom=0)
    compact_ticks(ax, "y")
    ax.set_xlabel("Week")
    ax.set_ylabel("Orders per week")
    ax.set_title("Organic base: orders with every paid channel off")
    ax.legend(fontsize=8)
    return ax


def run_organic(out_dir: Path, jobs: int = 1, seed: int = 0) -> Outcome:
    """Fact 5: the organic base of the default market."""
    table, weekly = organic_table(seeds=list(range(seed, seed + SEEDS)), jobs=jobs)
    fig = plot_organic(weekly).figure
    return saved_outcome(out_dir, ORGANIC, organic_checks(table), table, fig)
