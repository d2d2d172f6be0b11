"""Laws of brand buying in simulated markets (issue #22): Double Jeopardy, duplication, cross-price elasticity.

Two experiments on markets with competitors (:mod:`journeysim.sim.competition`), checked with
:mod:`~journeysim.experiments.validation.brand_laws`:

* ``brand_laws_market``: a steady-state validation market of our brand and six competitors
  (:data:`VALIDATION_WEIGHTS`) that differ only in media weight (same price, quality and
  service; each one's budget on every channel of :data:`VALIDATION_MEDIA` times its weight), in
  an open population (:data:`STEADY`). After a year's warm-up (``competition.panel_start``) each
  brand's share, penetration b, purchase frequency w and duplication are counted over year 2,
  pooled over seeds. Criteria over the competitors, the brands that differ only in media weight:
  Double Jeopardy (Ehrenberg, Goodhardt and Barwise 1990) and duplication of purchase (R² >= 0.7),
  as in :mod:`brand_laws`; the same numbers with our brand (its own funnel: it differs in more
  than media weight) are reported.
* ``cross_price_elasticity``: ``competition=three_brands``; each competitor's price cut by 20%
  from day 0 against its plan, paired seeds; the elasticity of a year's orders of our brand
  ``ln(orders / orders_base) / ln(0.8)`` in [0.05, 1] (Auer and Papies 2019: mean 0.26, median
  0.10; EVIDENCE §1).

Units: budgets in currency per day at ``population.reference_size``; prices currency per order;
shares and penetrations 0..1; w purchases per brand buyer in the panel year.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from journeysim.experiments.intervals import mean_interval
from journeysim.experiments.plots import axes_or_new
from journeysim.experiments.runner import parallel_map
from journeysim.experiments.validation import brand_laws
from journeysim.experiments.validation.brand_laws import BrandTable
from journeysim.experiments.validation.experiment import Check, Outcome, save_table, saved_outcome
from journeysim.experiments.validation.market_runs import MarketJob, build

MARKET = "brand_laws_market"
CROSS_PRICE = "cross_price_elasticity"

VALIDATION_WEIGHTS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
"""Media weight of each competitor of the validation market (times :data:`VALIDATION_MEDIA`)."""
VALIDATION_MEDIA = {"search": 40.0, "social": 25.0, "display": 15.0}
"""Daily budget by channel of a competitor of weight 1 (currency per day; illustrative)."""
VALIDATION_PRICE, VALIDATION_QUALITY, VALIDATION_SERVICE = 60.0, 0.70, 0.90  # as our brand's defaults
WARM_UP = 365
"""Days before the panel year starts (``competition.panel_start``)."""
PANEL_DAYS = 365
STEADY = ("market.demand.entry_rate=0.5", "market.demand.exit_rate=0.5")
"""An open population (half the population enters and leaves a year), so our brand's sales reach a
steady state in year 2 (in a closed market they fall every quarter as prospects run out)."""
MARKET_SIZE = 20_000
MARKET_SEEDS = 3

RIVAL_CUT = -0.2
"""Relative price change of the competitor in the cross-price arms (a 20% cut)."""
CROSS_SIZE = 10_000
CROSS_DAYS = 365
CROSS_SEEDS = 4
RIVALS = ("value", "premium")
"""The competitors of ``conf/competition/three_brands.yaml`` whose price is cut, one arm each."""


def validation_brands(weights: tuple[float, ...] = VALIDATION_WEIGHTS) -> list[str]:
    """``journey`` overrides adding one competitor per weight, ``w1`` .. ``wN``, alike but for media weight."""
    out = []
    for j, weight in enumerate(weights, start=1):
        media = ", ".join(f"{channel}: {budget * weight:g}" for channel, budget in VALIDATION_MEDIA.items())
        out.append(f"+competition.brands.w{j}={{price: {VALIDATION_PRICE:g}, quality: {VALIDATION_QUALITY:g}, "
                   f"service_level: {VALIDATION_SERVICE:g}, media: {{{media}}}}}")
    return out


@dataclass(frozen=True)
class BrandJob:
    """One run of a market with competitors.

    Attributes
    ----------
    market : MarketJob
        Size, days, seed and ``journey`` overrides (competitors included).
    panel_start : int
        First day of the brand panel (``competition.panel_start``).
    """

    market: MarketJob
    panel_start: int = 0


def brand_run(job: BrandJob) -> dict:
    """Run ``job``; return ``brands`` (names), ``bought`` (panel members x brands, bool: bought the brand
    since the panel start), ``purchases`` (each brand's orders since it) and ``orders`` (our orders
    over the run).

    The panel is everyone in the market at some time from the panel start on: present that day,
    or entering later (an open population); people who leave stay in it with what they bought.
    """
    market = replace(job.market, overrides=(*job.market.overrides, f"competition.panel_start={job.panel_start}"))
    model = build(market)
    state = model.state
    while model.day < market.days:
        if model.day == job.panel_start:
            first, present = state.entered, state.present[: state.entered].copy()
        model.step()
    panel = np.zeros(state.size, bool)
    panel[:first] = present
    panel[first: state.entered] = True
    competition = model.competition
    names = tuple(competition.names)
    return {"brands": names, "bought": brand_laws.bought_from_mask(competition.bought[panel], len(names)),
            "purchases": competition.orders[job.panel_start: model.day].sum(axis=0).astype(np.float64),
            "orders": float(competition.orders[: model.day, 0].sum())}


# --------------------------------------------------------------------------- Double Jeopardy and duplication
def market_tables(size: int = MARKET_SIZE, seeds: list[int] | None = None, jobs: int = 1,
                  weights: tuple[float, ...] = VALIDATION_WEIGHTS, warm_up: int = WARM_UP,
                  panel_days: int = PANEL_DAYS, overrides: tuple[str, ...] = STEADY) -> tuple[BrandTable, pd.DataFrame]:
    """The validation market's brand table pooled over seeds, and one row per seed and brand."""
    seeds = list(range(MARKET_SEEDS)) if seeds is None else seeds
    overrides = (*overrides, *validation_brands(weights))
    runs = parallel_map(brand_run, [BrandJob(MarketJob(size, warm_up + panel_days, s, overrides=overrides), warm_up)
                                    for s in seeds], jobs)
    rows = []
    for seed, run in zip(seeds, runs, strict=True):
        table = brand_laws.brand_table_from_buyers(run["bought"], run["purchases"], run["brands"])
        frame = table.frame()[["brand", "share", "penetration", "frequency", "w_1_minus_b"]]
        rows.append(frame.assign(seed=seed, weight=[np.nan, *weights][: len(frame)]))
    pooled = brand_laws.brand_table_from_buyers(np.concatenate([r["bought"] for r in runs]),
                                                np.sum([r["purchases"] for r in runs], axis=0), runs[0]["brands"])
    return pooled, pd.concat(rows, ignore_index=True)


def market_checks(table: BrandTable) -> list[Check]:
    """Double Jeopardy and duplication of purchase over the competitors (they differ only in media
    weight), and the same numbers over every brand, our brand included, reported (our brand reaches
    customers through its own funnel, so it differs in more than media weight)."""
    rivals = table.subset(range(1, len(table.brands)))
    tested = brand_laws.double_jeopardy_checks(rivals, MARKET) + brand_laws.duplication_checks(rivals, MARKET)
    every = brand_laws.double_jeopardy_checks(table, MARKET) + brand_laws.duplication_checks(table, MARKET)
    reported = [Check(MARKET, f"reported, every brand with ours: {c.criterion}", None, f"{c.status}: {c.detail}")
                for c in every]
    return tested + reported


def plot_market(table: BrandTable, title: str):
    """The laws over the competitors, with our brand drawn apart on the Double Jeopardy panel."""
    fig = brand_laws.plot_brand_laws(table.subset(range(1, len(table.brands))), title)
    ax = fig.axes[0]
    ax.scatter(table.penetration[:1], table.frequency[:1], marker="X", s=90, color="tab:red", zorder=4,
               label=f"{table.brands[0]} (own funnel; reported, not tested)")
    ax.set_xlim(0, min(max(ax.get_xlim()[1], float(table.penetration[0]) * 1.15), 0.99))
    low, high = ax.get_ylim()
    ax.set_ylim(min(low, float(table.frequency[0]) - 0.1), high)
    ax.legend(fontsize=7, loc="upper left", framealpha=0.9)
    return fig


def run_market(out_dir: Path, jobs: int = 1, seed: int = 0) -> Outcome:
    """Double Jeopardy and duplication of purchase in the validation market, full size."""
    pooled, per_seed = market_tables(seeds=list(range(seed, seed + MARKET_SEEDS)), jobs=jobs)
    fig = plot_market(pooled, f"Validation market: {len(VALIDATION_WEIGHTS)} competitors differing only in media "
                      f"weight, and ours ({MARKET_SIZE:,} customers x {MARKET_SEEDS} seeds, open population, year 2)")
    outcome = saved_outcome(out_dir, MARKET, market_checks(pooled), pooled.frame(), fig)
    outcome.files.append(save_table(out_dir, f"{MARKET}_seeds", per_seed))
    return outcome


# --------------------------------------------------------------------------- cross-price elasticity
def cross_price_table(size: int = CROSS_SIZE, days: int = CROSS_DAYS, seeds: list[int] | None = None, jobs: int = 1,
                      rivals: tuple[str, ...] = RIVALS, change: float = RIVAL_CUT) -> pd.DataFrame:
    """Paired runs of ``competition=three_brands`` as planned and with each rival's price changed by
    ``change`` from day 0: one row per seed and rival with our orders in both arms and the elasticity."""
    seeds = list(range(CROSS_SEEDS)) if seeds is None else seeds
    arms = [()] + [(f"+competition.brands.{r}.levers.price_change={{change: {change:g}, from_day: 0}}",)
                   for r in rivals]
    jobs_list = [BrandJob(MarketJob(size, days, s, overrides=("competition=three_brands", *arm))) for s in seeds
                 for arm in arms]
    results = parallel_map(brand_run, jobs_list, jobs)
    rows = []
    for k, seed in enumerate(seeds):
        base = results[k * len(arms)]["orders"]
        for j, rival in enumerate(rivals, start=1):
            orders = results[k * len(arms) + j]["orders"]
            rows.append({"seed": seed, "rival": rival, "price_change": change, "orders_base": base, "orders": orders,
                         "elasticity": brand_laws.cross_price_elasticity(base, orders, change)})
    return pd.DataFrame(rows)


def cross_price_checks(table: pd.DataFrame) -> list[Check]:
    """Each rival's mean cross-price elasticity (over seeds) in the accepted range."""
    checks = []
    for rival, group in table.groupby("rival", sort=False):
        e = mean_interval(group["elasticity"])
        for check in brand_laws.cross_price_checks(e.estimate, CROSS_PRICE,
                                                   f"[{e.low:.3f}, {e.high:.3f}] over {e.n} paired seeds"):
            checks.append(replace(check, criterion=f"{rival} cuts its price {-RIVAL_CUT:.0%}: {check.criterion}"))
    return checks


def plot_cross_price(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Each rival's cross-price elasticity (mean and 95% interval over seeds) against the accepted band."""
    ax = axes_or_new(ax, (7, 3.6))
    found = [(rival, mean_interval(g["elasticity"])) for rival, g in table.groupby("rival", sort=False)]
    y = np.arange(len(found))[::-1]
    low, high = brand_laws.CROSS_PRICE_RANGE
    ax.axvspan(low, high, color="tab:green", alpha=0.12, label=f"accepted band [{low:g}, {high:g}]")
    ax.axvline(brand_laws.AUER_PAPIES_MEAN, color="tab:green", ls="--", lw=1,
               label=f"Auer and Papies mean {brand_laws.AUER_PAPIES_MEAN}")
    ax.axvline(brand_laws.AUER_PAPIES_MEDIAN, color="tab:green", ls=":", lw=1,
               label=f"median {brand_laws.AUER_PAPIES_MEDIAN}")
    err = np.nan_to_num([[i.estimate - i.low for _, i in found], [i.high - i.estimate for _, i in found]])
    ax.errorbar([i.estimate for _, i in found], y, xerr=err, fmt="o", color="tab:blue", capsize=4,
                label="simulated (95% interval over seeds)")
    ax.set_yticks(y, [f"{rival} cuts {-RIVAL_CUT:.0%}" for rival, _ in found])
    ax.set_ylim(-0.7, len(found) - 0.3)
    ax.set_xlabel("Cross-price elasticity of our orders")
    ax.set_title(f"Our orders when a rival cuts its price {-RIVAL_CUT:.0%} (competition=three_brands)", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    return ax


def run_cross_price(out_dir: Path, jobs: int = 1, seed: int = 0) -> Outcome:
    """Cross-price elasticity of our orders in the three-brand market, full size."""
    table = cross_price_table(seeds=list(range(seed, seed + CROSS_SEEDS)), jobs=jobs)
    fig = plot_cross_price(table).figure
    return saved_outcome(out_dir, CROSS_PRICE, cross_price_checks(table), table, fig)
