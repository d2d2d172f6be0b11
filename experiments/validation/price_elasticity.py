"""Price elasticity of the default market: list price, deals and loyal customers.

Bijmolt, van Heerde and Pieters (2005) pooled 1,851 own-price elasticities of brand sales,
share and choice from 81 studies: mean -2.62 (EVIDENCE §1, status C). A temporary price cut
(a deal) has the larger elasticity, -3.63 (the same meta-analysis via van Heerde and Neslin
2008; EVIDENCE §3, C). Krishnamurthi and Raj (1991) found loyal households less price
sensitive in choosing a brand (EVIDENCE §10, C).

The default market runs under paired seeds at its list price and at +-10% (the ``price_change``
lever from day 0); the sales elasticity ``ln(orders_new / orders_base) / ln(price_new / price_base)``
must lie between -4 and -1 for +10%, and -10% must sell more. Then a +10% change from mid-run:
the repurchases of the customers who were loyal on that day must fall less, in per cent, than
the first purchases of the prospects of that day (paired interval of the difference of log
ratios excluding 0). A 10% deal must sell more than a 10% list-price cut (reported).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from journeysim.experiments.intervals import Interval, mean_interval
from journeysim.experiments.runner import parallel_map
from journeysim.experiments.validation.experiment import Check, Outcome, save_table
from journeysim.sim.stages import LOYAL_STAGES

NAME = "price_elasticity"

SIZE = 10_000
"""Customers per run: the default population (the tests use a few thousand)."""
DAYS = 365
SEEDS = 6
"""Paired seeds of the arms changed from day 0 (elasticities: a standard error of 0.05 to 0.1)."""
LOYAL_SEEDS = 24
"""Paired seeds of the mid-run arms: a pair's loyal-minus-new difference varies with an sd near 0.07
around about 0.06, so 6 pairs (a standard error near 0.03) could not tell it from 0; 24 put the
standard error near 0.015."""
CHANGE = 0.10
"""Relative price change of the treatment arms (+-10%)."""
ELASTICITY_RANGE = (-4.0, -1.0)
"""Accepted sales elasticity for +10% (around Bijmolt et al.'s mean -2.62)."""


@dataclass(frozen=True)
class PriceRun:
    """Orders of one run after the day the price changed (counts)."""

    orders: float
    first_purchases: float
    loyal_repurchases: float
    """Orders of the customers who were loyal or advocates on the day of the change."""


def price_run(size: int, days: int, seed: int, change: float = 0.0, from_day: int = 0, deal: bool = False,
              overrides: tuple[str, ...] = ()) -> PriceRun:
    """Run the default market with the list price changed by ``change`` (a share) from ``from_day``
    (``deal``: a discount of ``-change`` instead, the list price unchanged); count the orders
    from that day on.
    """
    from journeysim.api import compose_config
    from journeysim.runner import build_model
    from journeysim.scenarios.spec import parse_config

    levers = ""
    if change and deal:
        levers = f"[{{type: promotion, discount: {-change}, from_day: {from_day}}}]"
    elif change:
        levers = f"[{{type: price_change, change: {change}, from_day: {from_day}}}]"
    args = [f"population.size={size}", f"days={days}", f"seed={seed}", "outputs.figures=false", *overrides]
    if levers:
        args.append(f"scenario.levers={levers}")
    model = build_model(parse_config(compose_config(overrides=args)))
    while model.day < from_day:
        model.step()
    loyal = np.flatnonzero(LOYAL_STAGES.holds(model.state.stage))
    before = model.state.purchases[loyal].copy()
    model.run()
    daily = model.collector.daily
    return PriceRun(float(daily["orders"][from_day:].sum()), float(daily["acquisitions"][from_day:].sum()),
                    float((model.state.purchases[loyal] - before).sum()))


def elasticity(new: float, base: float, change: float) -> float:
    """Arc elasticity on the log scale: ``ln(new / base) / ln(1 + change)``."""
    return math.log(new / base) / math.log1p(change) if new > 0 and base > 0 else math.nan


def _job(args: tuple) -> PriceRun:
    return price_run(*args)


@dataclass(frozen=True)
class PriceResponse:
    """Per-seed elasticities and the paired loyal-versus-new comparison."""

    table: pd.DataFrame
    up: Interval  # sales elasticity for +change
    down: Interval  # for -change
    deal: Interval  # sales elasticity of a -change deal
    loyal_minus_new: Interval  # log ratio of loyal repurchases minus that of first purchases (+change)


ARMS = {"base": (0.0, False), "up": (1.0, False), "down": (-1.0, False), "deal": (-1.0, True)}
"""Arms from day 0: price change in units of ``change`` and whether it is a deal (a discount)."""
MID_ARMS = {"mid_base": 0.0, "mid_up": 1.0}
"""Arms with the change from mid-run (the loyal-versus-new comparison)."""


def price_response(size: int, days: int, seeds: list[int], change: float = CHANGE, jobs: int = 1,
                   overrides: tuple[str, ...] = (), whole_run: bool = True, mid_run: bool = True) -> PriceResponse:
    """Paired runs of the default market: base, +change, -change and a -change deal from day 0
    (``whole_run``), and base and +change from mid-run (``mid_run``: loyal versus new)."""
    mid = days // 2
    arms = {name: (size, days, 0, c * change, 0, deal, overrides) for name, (c, deal) in ARMS.items()
            if whole_run}
    arms |= {name: (size, days, 0, c * change, mid, False, overrides) for name, c in MID_ARMS.items() if mid_run}
    jobs_list = [(a[0], a[1], seed, *a[3:]) for seed in seeds for a in arms.values()]
    results = parallel_map(_job, jobs_list, jobs)
    rows = []
    for k, seed in enumerate(seeds):
        run = dict(zip(arms, results[k * len(arms):(k + 1) * len(arms)], strict=True))
        row: dict[str, float] = {"seed": seed}
        if whole_run:
            base = run["base"].orders
            row |= {f"orders_{name}": run[name].orders for name in ARMS}
            row |= {f"elasticity_{name}": elasticity(run[name].orders, base, ARMS[name][0] * change)
                    for name in ("up", "down", "deal")}
        if mid_run:
            loyal = math.log(run["mid_up"].loyal_repurchases / run["mid_base"].loyal_repurchases)
            new = math.log(run["mid_up"].first_purchases / run["mid_base"].first_purchases)
            row |= {"loyal_log_ratio": loyal, "new_log_ratio": new, "loyal_minus_new": loyal - new}
        rows.append(row)
    table = pd.DataFrame(rows)
    nan = Interval(math.nan, math.nan, math.nan, 0)

    def interval(column: str) -> Interval:
        return mean_interval(table[column]) if column in table else nan

    return PriceResponse(table, interval("elasticity_up"), interval("elasticity_down"), interval("elasticity_deal"),
                         interval("loyal_minus_new"))


def _fmt(interval: Interval) -> str:
    return f"{interval.estimate:.2f} [{interval.low:.2f}, {interval.high:.2f}] over {interval.n} seeds"


def checks(response: PriceResponse) -> list[Check]:
    """The pass criteria (and one reported finding) of a price response."""
    low, high = ELASTICITY_RANGE
    t = response.table
    up, down, deal, loyal = response.up, response.down, response.deal, response.loyal_minus_new
    found = []
    if "orders_up" in t:
        day0 = t.dropna(subset=["orders_up"])  # the seeds that ran the arms from day 0
        fewer = bool((day0["orders_up"] < day0["orders_base"]).all())
        found += [
            Check(NAME, f"+{CHANGE:.0%} list price: fewer orders in every seed, sales elasticity in "
                  f"[{low:g}, {high:g}]", fewer and low <= up.estimate <= high,
                  f"elasticity {_fmt(up)} (Bijmolt et al. 2005 mean -2.62)"),
            Check(NAME, f"-{CHANGE:.0%} list price: more orders in every seed",
                  bool((day0["orders_down"] > day0["orders_base"]).all()), f"elasticity {_fmt(down)}"),
            Check(NAME, f"a {CHANGE:.0%} deal sells more than a {CHANGE:.0%} list-price cut (deal elasticity -3.63 vs "
                  "regular -2.62)", None if not np.isfinite(deal.estimate) else bool(deal.estimate < down.estimate),
                  f"deal elasticity {_fmt(deal)}; list-price cut {_fmt(down)}"),
        ]
    if "loyal_minus_new" in t:  # means skip the seeds without the mid-run arms (NaN)
        found.append(Check(NAME, f"+{CHANGE:.0%} from mid-run: loyal customers' repurchases fall less than first "
                           "purchases (paired interval of the log-ratio difference above 0)", bool(loyal.low > 0),
                           f"loyal minus new log ratio {_fmt(loyal)}; loyal {t['loyal_log_ratio'].mean():+.3f}, "
                           f"new {t['new_log_ratio'].mean():+.3f}"))
    return found


def run(out_dir: Path, jobs: int = 1, seed: int = 0) -> Outcome:
    """The full-size experiment: tables and the pass/fail checks."""
    whole = price_response(SIZE, DAYS, list(range(seed, seed + SEEDS)), jobs=jobs, mid_run=False)
    mid = price_response(SIZE, DAYS, list(range(seed, seed + LOYAL_SEEDS)), jobs=jobs, whole_run=False)
    table = whole.table.merge(mid.table, on="seed", how="outer")  # one row a seed; NaN: arm not run
    response = PriceResponse(table, whole.up, whole.down, whole.deal, mid.loyal_minus_new)
    files = [save_table(out_dir, NAME, response.table)]
    return Outcome(NAME, checks(response), files)
