"""The demand issue's six stylised facts re-run with competitors (issue #22): ``competition=three_brands``.

The experiments of :mod:`~journeysim.experiments.validation.market_facts` and
:mod:`~journeysim.experiments.validation.repeat_buying` (price response, advertising elasticity,
NBD repeat buying, cart abandonment, organic base, repeat profile) at their full sizes and
criteria, every run with our brand and the two competitors of ``conf/competition/three_brands.yaml``.
Our list price, our channels' spend and our orders are what change and what is counted; the
competitors keep their plans, so our sales response now includes customers switching between
brands. One experiment, ``facts_three_brands``: its checks are the six facts' checks (criteria
prefixed with the fact's name), its table those checks with their numbers, one table per fact
(``facts_three_brands_<fact>.csv``) and one figure of six panels.

Units: as in the two modules it re-runs (orders counts, elasticities dimensionless, shares 0..1).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from journeysim.experiments.validation import market_facts, repeat_buying
from journeysim.experiments.validation.experiment import Check, Outcome, save_figure, save_table

NAME = "facts_three_brands"
OVERRIDES = ("competition=three_brands",)
"""``journey`` overrides of every run: our brand and two competitors."""

FACTS = (market_facts.PRICE, market_facts.ADVERTISING, repeat_buying.NBD, market_facts.CART, market_facts.ORGANIC,
         repeat_buying.PROFILE)


def relabel(checks: list[Check]) -> list[Check]:
    """The checks of a default-market fact as checks of :data:`NAME`, each criterion naming its fact."""
    return [Check(NAME, f"{check.experiment}: {check.criterion}", check.passed, check.detail) for check in checks]


def facts(seed: int = 0, jobs: int = 1, overrides: tuple[str, ...] = OVERRIDES) -> dict[str, dict]:
    """Run the six facts at full size under ``overrides``: per fact its ``checks``, ``tables`` (name -> frame)
    and ``plot`` (a function drawing its panel on an Axes)."""
    seeds = list(range(seed, seed + market_facts.SEEDS))
    price = market_facts.price_table(seeds=seeds, jobs=jobs, overrides=overrides)
    ad, curve = market_facts.advertising_table(seeds=list(range(seed, seed + market_facts.AD_SEEDS)), jobs=jobs,
                                               overrides=overrides)
    x, nbd, poisson = repeat_buying.nbd_experiment(seed=seed, overrides=overrides)
    cart = market_facts.cart_table(seeds=seeds, jobs=jobs, overrides=overrides)
    organic, weekly = market_facts.organic_table(seeds=seeds, jobs=jobs, overrides=overrides)
    profile = repeat_buying.profile_table(seeds=list(range(seed, seed + repeat_buying.PROFILE_SEEDS)), jobs=jobs,
                                          overrides=overrides)
    return {
        market_facts.PRICE: {"checks": market_facts.price_checks(price), "tables": {"price": price},
                             "plot": lambda ax: market_facts.plot_price(price, ax)},
        market_facts.ADVERTISING: {"checks": market_facts.advertising_checks(ad), "tables": {"advertising": ad},
                                   "plot": lambda ax: market_facts.plot_advertising(curve, ax)},
        repeat_buying.NBD: {"checks": repeat_buying.nbd_checks(x, nbd, poisson),
                            "tables": {"nbd": repeat_buying.fits_table([nbd, poisson])},
                            "plot": lambda ax: repeat_buying.plot_nbd(x, nbd, poisson, ax)},
        market_facts.CART: {"checks": market_facts.cart_checks(cart), "tables": {"cart": cart},
                            "plot": lambda ax: market_facts.plot_cart(cart, ax)},
        market_facts.ORGANIC: {"checks": market_facts.organic_checks(organic), "tables": {"organic": organic},
                               "plot": lambda ax: market_facts.plot_organic(weekly, ax)},
        repeat_buying.PROFILE: {"checks": repeat_buying.profile_checks(profile), "tables": {"profile": profile},
                                "plot": lambda ax: repeat_buying.plot_profile(profile, ax)},
    }


def checks_frame(checks: list[Check]) -> pd.DataFrame:
    """One row per check: fact, status, criterion, detail."""
    return pd.DataFrame([{"fact": c.criterion.split(":", 1)[0], "status": c.status,
                          "criterion": c.criterion.split(": ", 1)[1], "detail": c.detail} for c in checks])


def figure(results: dict[str, dict]):
    """Six panels, one per fact, each titled with its fact and status."""
    fig, axes = plt.subplots(2, 3, figsize=(18, 9), layout="constrained")
    for ax, (fact, result) in zip(axes.flat, results.items(), strict=True):
        result["plot"](ax)
        status = "PASS" if all(c.passed is not False for c in result["checks"]) else "FAIL"
        ax.set_title(f"{fact.replace('_', ' ')}: {status}", fontsize=10)
    fig.suptitle("The six stylised facts of our brand with two competitors (competition=three_brands)", fontsize=12)
    return fig


def run(out_dir: Path, jobs: int = 1, seed: int = 0) -> Outcome:
    """The six facts with ``competition=three_brands``, full size."""
    results = facts(seed=seed, jobs=jobs)
    checks = relabel([c for result in results.values() for c in result["checks"]])
    files = [save_table(out_dir, NAME, checks_frame(checks))]
    for result in results.values():
        files += [save_table(out_dir, f"{NAME}_{name}", frame) for name, frame in result["tables"].items()]
    files.append(save_figure(out_dir, NAME, figure(results)))
    return Outcome(NAME, checks, files)
