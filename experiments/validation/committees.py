"""B2B buying committees (#23): group size, the cost of a second decision maker, and cycle length.

The B2B population (``population=b2b``: accounts with buying committees, :mod:`journeysim.sim.accounts`)
at :data:`SIZE` people for :data:`DAYS` days under :data:`SEEDS` seeds, three ways: as configured,
and with every committee fixed at one and at two people (paired: the same seed). Pass criteria
(issue 23, EVIDENCE §11):

* the default buying group's mean size is 5 to 8 people (CEB/Challenger 5.4 to 6.8; Gartner 6 to 10);
* an account of two decision makers buys with 0.5 to 0.85 times the probability of an account of
  one (CEB: 55% against 81%, a ratio of 0.68): the mean over seeds of the ratio of the shares of the
  initial accounts that bought;
* time to purchase grows with committee size: accounts of 7 or more people that bought took longer,
  from the first member's awareness to the first order (median days), than accounts of 1 to 3.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from journeysim.api import compose_config
from journeysim.experiments.intervals import mean_interval
from journeysim.experiments.plots import axes_or_new
from journeysim.experiments.runner import parallel_map
from journeysim.experiments.validation.experiment import Check, Outcome, saved_outcome
from journeysim.runner import build_model
from journeysim.scenarios.spec import parse_config
from journeysim.sim.accounts import NO_DAY

NAME = "buying_committees"
SIZE = 10_000
DAYS = 365
SEEDS = 4
MEAN_SIZE = (5.0, 8.0)  # people per buying group (CEB/Challenger 5.4-6.8, Gartner 6-10; EVIDENCE §11)
RATIO = (0.5, 0.85)  # P(buy | two deciders) / P(buy | one) (CEB 55% / 81% = 0.68; EVIDENCE §11)
SMALL, LARGE = (1, 3), (7, 100)  # committee sizes compared for time to purchase, people


def fixed_committees(people: int) -> list[str]:
    """Overrides fixing every B2B persona's committee at ``people`` people."""
    personas = compose_config(overrides=["population=b2b"]).population.personas
    return [o for p in personas for o in (f"population.personas.{p}.committee.size={people}",
                                          f"+population.personas.{p}.committee.spread=fixed")]


def committee_run(args: tuple[int | None, int, int, int]) -> list[dict]:
    """One run of the B2B population (committees as configured when ``people`` is None, else
    fixed at ``people``): one row per initial account with its size, whether it bought and the
    days from its first member's awareness to its first order."""
    people, seed, size, days = args
    overrides = ["population=b2b", f"seed={seed}", f"population.size={size}", f"days={days}",
                 "outputs.event_log_sample=0", *(fixed_committees(people) if people else [])]
    model = build_model(parse_config(compose_config(overrides=overrides))).run()
    a = model.accounts
    initial = np.unique(a.account[: model.spec.population.size][a.account[: model.spec.population.size] >= 0])
    bought = a.bought_day[initial] != NO_DAY
    return [{"committees": "default" if people is None else f"fixed {people}", "seed": seed, "account": int(i),
             "size": int(a.size[i]), "bought": bool(b), "days_to_purchase": float(d)}
            for i, b, d in zip(initial, bought, a.days_to_purchase()[initial], strict=True)]


def committee_table(size: int = SIZE, days: int = DAYS, seeds: list[int] | None = None, jobs: int = 1) -> pd.DataFrame:
    """One row per initial account of every run (see :func:`committee_run`)."""
    seeds = list(range(SEEDS)) if seeds is None else seeds
    runs = [(people, seed, size, days) for people in (None, 1, 2) for seed in seeds]
    return pd.DataFrame([row for rows in parallel_map(committee_run, runs, jobs) for row in rows])


def pair_ratios(table: pd.DataFrame) -> pd.Series:
    """Per seed: share of the accounts of two that bought over the share of the accounts of one."""
    share = table[table.committees != "default"].groupby(["committees", "seed"]).bought.mean()
    return share["fixed 2"] / share["fixed 1"]


def by_size(table: pd.DataFrame) -> pd.DataFrame:
    """Default committees: accounts, share that bought and median days to purchase per committee size."""
    rows = table[table.committees == "default"]
    return rows.groupby("size").agg(accounts=("bought", "size"), bought_share=("bought", "mean"),
                                    median_days=("days_to_purchase", "median"))


def summary_table(table: pd.DataFrame) -> pd.DataFrame:
    """Per run and committee size: accounts, accounts that bought and their median days to purchase."""
    return table.groupby(["committees", "seed", "size"]).agg(
        accounts=("bought", "size"), bought=("bought", "sum"), median_days=("days_to_purchase", "median")).reset_index()


def checks(table: pd.DataFrame) -> list[Check]:
    """The pass criteria (module notes) on :func:`committee_table`."""
    default = table[table.committees == "default"]
    mean_size = mean_interval(default.groupby("seed")["size"].mean())
    ratio = mean_interval(pair_ratios(table))
    won = default[default.bought]
    small = won[won["size"].between(*SMALL)].days_to_purchase.median()
    large = won[won["size"].between(*LARGE)].days_to_purchase.median()
    return [
        Check(NAME, f"default buying group {MEAN_SIZE[0]:.0f}-{MEAN_SIZE[1]:.0f} people on average "
              "(CEB 5.4-6.8, Gartner 6-10, EVIDENCE §11)", bool(MEAN_SIZE[0] <= mean_size.estimate <= MEAN_SIZE[1]),
              f"{mean_size.estimate:.2f} people [{mean_size.low:.2f}, {mean_size.high:.2f}], "
              f"{len(default) / default.seed.nunique():.0f} accounts a run"),
        Check(NAME, f"two decision makers buy {RATIO[0]}-{RATIO[1]} times as often as one (CEB 55% vs 81%, 0.68)",
              bool(RATIO[0] <= ratio.estimate <= RATIO[1]),
              f"{ratio.estimate:.2f} [{ratio.low:.2f}, {ratio.high:.2f}], {table.seed.nunique()} paired seeds"),
        Check(NAME, f"accounts of {LARGE[0]}+ people take longer to buy than accounts of {SMALL[0]}-{SMALL[1]}",
              bool(large > small), f"median {large:.0f} days against {small:.0f} (first awareness to first order)"),
    ]


def plot_committees(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Median days to purchase (bars) and share of accounts that bought (line) by committee size."""
    ax = axes_or_new(ax, (7, 3.2))
    sizes = by_size(table)
    sizes = sizes[sizes.accounts >= 20]
    ax.bar(sizes.index, sizes.median_days, color="#9ecae1", label="median days to purchase")
    ax.set_xlabel("Committee size (people)")
    ax.set_ylabel("Days, first awareness to first order")
    share = ax.twinx()
    share.plot(sizes.index, 100 * sizes.bought_share, "o-", color="#e6550d", label="accounts that bought")
    share.set_ylabel("Accounts that bought (%)")
    ax.set_title("B2B accounts: larger committees buy later and less often", fontsize=9)
    bars, line = ax.get_legend_handles_labels(), share.get_legend_handles_labels()
    ax.legend(bars[0] + line[0], bars[1] + line[1], loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2,
              fontsize=8, frameon=False)  # below the axes: the line starts top left, the bars are tall on the right
    return ax


def run(out_dir: Path, jobs: int = 1, seed: int = 0) -> Outcome:
    """The committee experiment: its checks, table and figure."""
    table = committee_table(seeds=list(range(seed, seed + SEEDS)), jobs=jobs)
    return saved_outcome(out_dir, NAME, checks(table), summary_table(table), plot_committees(table).figure)
