"""Lift tests under interference: one budget for both groups against a budget split.

A holdout lift test compares exposed and held-out customers in one market. Email, reviews,
search and the website spend fixed budgets on customers in their target stages, so a tested
channel that moves exposed customers into those stages makes them take impressions the held-out
customers would have had: the test counts the exposed customers' gain and not the held-out
customers' loss (cannibalization bias; Liu, Mao and Kang 2021, "Trustworthy online marketplace
experimentation with budget-split design", KDD). A budget-split test gives the held-out group
its share of every other impressions channel's budget, drawn from its own members.

The three-year flighted market (``scenario=mmm_lab``, :data:`SIZE` customers), social and
content tested for 91 days with 45 after, a fifth held out, :data:`SEEDS` seeds, in both
designs. Each test's return per unit of spend is compared with its own truth: the same seed with
the channel without effect for everyone during the test, under common random numbers. Pass
criteria:

* budget-split tests measure their truth: for each channel the mean over seeds of test minus
  truth lies within :data:`SPLIT_SE` standard errors of zero;
* one-budget tests of social overstate it: its test exceeds its truth by more than
  :data:`BIAS_SE` standard errors (content's excess is reported, not a criterion).

Reported beside them: how much of the excess the split removes, paired by seed.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from journeysim.experiments.intervals import mean_interval
from journeysim.experiments.panels.lift import lift_tests
from journeysim.experiments.validation.experiment import Check, Outcome, saved_outcome
from journeysim.units import DEFAULT_CURRENCY

NAME = "lift_interference"
SIZE = 100_000
SEEDS = 5
CHANNELS = ("social", "content")
TEST_DAYS, COOLDOWN_DAYS, HOLDOUT = 91, 45, 0.2
SPLIT_SE = 2.5
BIAS_SE = 2.0
DESIGNS = {"one budget": False, "budget split": True}


def interference_table(seeds: list[int], size: int = SIZE, jobs: int = 1) -> pd.DataFrame:
    """One row per design, channel and seed: the test's and its truth's revenue per unit of spend."""
    frames = []
    for design, split in DESIGNS.items():
        table = lift_tests("mmm_lab", seeds=seeds, overrides=[f"population.size={size}"], channels=list(CHANNELS),
                           test_days=TEST_DAYS, cooldown_days=COOLDOWN_DAYS, holdout_share=HOLDOUT,
                           budget_split=split, jobs=jobs).table
        revenue = table[table["target"] == "revenue"]
        frames.append(pd.DataFrame({"design": design, "channel": revenue["channel"], "seed": revenue["seed"],
                                    "test_roas": revenue["lift"] / revenue["spend"],
                                    "true_roas": revenue["true_lift"] / revenue["spend"]}))
    out = pd.concat(frames, ignore_index=True)
    return out.assign(excess=out["test_roas"] - out["true_roas"])


def checks(table: pd.DataFrame) -> list[Check]:
    """The pass criteria (module notes) on :func:`interference_table`."""
    result = []
    for channel in CHANNELS:
        for design in DESIGNS:
            rows = table[(table["design"] == design) & (table["channel"] == channel)]
            excess, se = mean_interval(rows["excess"]), float(rows["excess"].sem())
            z = excess.estimate / se if se > 0 else float("inf")
            detail = (f"test {rows['test_roas'].mean():.2f} against its truth {rows['true_roas'].mean():.2f} "
                      f"revenue per unit of spend; excess {excess.estimate:+.2f} [{excess.low:+.2f}, "
                      f"{excess.high:+.2f}] = {z:+.1f} se, {len(rows)} seeds")
            if design == "budget split":
                result.append(Check(NAME, f"{channel}: a budget-split test measures its truth (excess within "
                                          f"{SPLIT_SE} se of 0)", bool(abs(z) <= SPLIT_SE), detail))
            elif channel == "social":
                result.append(Check(NAME, f"{channel}: a one-budget test overstates its truth (excess above "
                                          f"{BIAS_SE} se)", bool(z > BIAS_SE), detail))
            else:
                result.append(Check(NAME, f"{channel}: a one-budget test's excess over its truth", None, detail))
        pairs = table[table["channel"] == channel].pivot_table(index="seed", columns="design", values="excess")
        removed = mean_interval(pairs["one budget"] - pairs["budget split"])
        result.append(Check(NAME, f"{channel}: excess the split removes (one budget - split, paired by seed)", None,
                            f"{removed.estimate:+.2f} [{removed.low:+.2f}, {removed.high:+.2f}] revenue per unit "
                            f"of spend, {removed.n} seeds"))
    return result


def plot_interference(table: pd.DataFrame):
    """Each design's tests beside their truth, mean over seeds with 95% intervals, per channel."""
    figure, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
    width = 0.25
    bars = [("truth (channel off for everyone)", "one budget", "true_roas", "0.55"),
            ("test, one budget", "one budget", "test_roas", "tab:red"),
            ("test, budget split", "budget split", "test_roas", "tab:blue")]
    for k, (label, design, column, color) in enumerate(bars):
        means, errors = [], []
        for channel in CHANNELS:
            interval = mean_interval(table[(table["design"] == design) & (table["channel"] == channel)][column])
            means.append(interval.estimate)
            errors.append(interval.high - interval.estimate)
        ax.bar([i + (k - 1) * width for i in range(len(CHANNELS))], means, width, yerr=errors, capsize=3,
               label=label, color=color)
    ax.set_xticks(range(len(CHANNELS)), CHANNELS)
    ax.set_ylabel(f"Revenue per unit of spend ({DEFAULT_CURRENCY.code} per {DEFAULT_CURRENCY.code})")
    ax.set_title(f"Lift tests of {TEST_DAYS} days + {COOLDOWN_DAYS} after, {HOLDOUT:.0%} held out "
                 f"(mean of {table['seed'].nunique()} seeds, 95% intervals)", fontsize=9)
    ax.legend(fontsize=8, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False)
    return figure


def run(out_dir: Path, jobs: int = 1, seed: int = 0) -> Outcome:
    """The interference experiment: its checks, table and figure."""
    table = interference_table(list(range(seed, seed + SEEDS)), jobs=jobs)
    return saved_outcome(out_dir, NAME, checks(table), table, plot_interference(table))
