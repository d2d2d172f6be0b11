"""Repeat buying (issue #20): purchases per prior buyer follow a negative binomial; a year's buyers return.

Two experiments on the default market over two years:

* ``repeat_buying``: among the customers who bought in year 1, the number of purchases in year 2
  follows a negative binomial distribution (NBD: Poisson buying at gamma-distributed rates,
  Ehrenberg 1959; EVIDENCE §6). Criteria: at least 5,000 prior buyers; the NBD fitted by maximum
  likelihood is not rejected at 1% by a chi-square goodness-of-fit test (bins of expected count
  at least 5, two parameters fitted), and it fits better than a Poisson (higher likelihood and
  lower AIC).
* ``repeat_profile``: the share of year 1's buyers who buy again in year 2 lies between 30% and
  60% (Dawes, Graham and Trinh: 57% of a brand's buyers do not buy it in the following year,
  i.e. 43% do; EVIDENCE §7, C).

Units: purchases are counts per customer-year; shares 0..1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator
from scipy import optimize, stats

from journeysim.experiments.intervals import mean_interval
from journeysim.experiments.plots import axes_or_new, compact_ticks
from journeysim.experiments.runner import parallel_map
from journeysim.experiments.validation.experiment import Check, Outcome, saved_outcome
from journeysim.experiments.validation.market_runs import MarketJob, market_run
from journeysim.units import PERCENT, axis_formatter

NBD = "repeat_buying"
PROFILE = "repeat_profile"

BUYERS_MIN = 5_000
"""Fewest prior buyers the NBD test rests on."""
ALPHA = 0.01
"""Significance level of the chi-square test."""
MIN_EXPECTED = 5.0
"""Smallest expected count of a chi-square bin (the tail is merged until it holds this many)."""
PROFILE_RANGE = (0.30, 0.60)
DAWES = 0.43  # 1 - 0.57: share of a brand's buyers buying it again the next year (EVIDENCE §7)

NBD_SIZE = 25_000
"""Customers of the NBD run (enough for at least 5,000 year-1 buyers)."""
PROFILE_SIZE = 10_000
PROFILE_SEEDS = 3
DAYS = 730


def next_year_purchases(run: dict) -> tuple[np.ndarray, np.ndarray]:
    """Year-2 purchases of each customer who bought in year 1, and their persona codes."""
    first, second = run["purchases"][0], run["purchases"][1]
    bought = first > 0
    return (second[: first.size] - first)[bought], run["persona"][: first.size][bought]


@dataclass(frozen=True)
class Fit:
    """A count distribution fitted to purchase counts, and its chi-square test."""

    name: str
    params: dict[str, float]
    log_likelihood: float
    chi_square: float
    dof: int
    p_value: float
    bins: int

    @property
    def aic(self) -> float:
        """Akaike information criterion: 2 parameters - 2 log likelihood."""
        return 2 * len(self.params) - 2 * self.log_likelihood


def nbd_pmf(x: np.ndarray, mean: float, k: float) -> np.ndarray:
    """NBD probabilities of ``x`` with mean ``mean`` and shape ``k`` (variance ``mean + mean^2 / k``)."""
    return stats.nbinom.pmf(x, k, k / (k + mean))


def chi_square(counts: np.ndarray, pmf, fitted: int) -> tuple[float, int, float, int]:
    """Pearson chi-square of observed ``counts`` (one per value 0, 1, 2, ...) against ``pmf``
    (values -> probabilities): one bin per value while it and the tail beyond it each expect at
    least :data:`MIN_EXPECTED`, then one bin for the tail.

    Returns the statistic, degrees of freedom (bins - 1 - ``fitted``), p-value and number of bins.
    """
    n = float(counts.sum())
    expected, below = [], 0.0
    while True:
        p = float(pmf(np.array([len(expected)]))[0])
        if n * p < MIN_EXPECTED or n * (1.0 - below - p) < MIN_EXPECTED:
            break
        expected.append(n * p)
        below += p
    cut = len(expected)
    expected.append(n * (1.0 - below))
    observed = np.append(np.pad(counts, (0, max(cut - counts.size, 0)))[:cut], counts[cut:].sum())
    expected = np.array(expected)
    stat = float(((observed - expected) ** 2 / expected).sum())
    dof = max(expected.size - 1 - fitted, 1)
    return stat, dof, float(stats.chi2.sf(stat, dof)), int(expected.size)


def fit_poisson(x: np.ndarray) -> Fit:
    """Poisson fitted by maximum likelihood (the mean) and its chi-square test."""
    mean = float(x.mean())
    counts = np.bincount(x)
    ll = float(stats.poisson.logpmf(x, mean).sum())
    stat, dof, p, bins = chi_square(counts, lambda v: stats.poisson.pmf(v, mean), 1)
    return Fit("Poisson", {"mean": mean}, ll, stat, dof, p, bins)


def fit_nbd(x: np.ndarray) -> Fit:
    """NBD fitted by maximum likelihood (the mean is the sample mean; the shape ``k`` by a
    one-dimensional search) and its chi-square test."""
    mean = float(x.mean())
    values, counts_of = np.unique(x, return_counts=True)

    def minus_ll(log_k: float) -> float:
        k = math.exp(log_k)
        return -float((counts_of * stats.nbinom.logpmf(values, k, k / (k + mean))).sum())

    best = optimize.minimize_scalar(minus_ll, bounds=(-8.0, 8.0), method="bounded")
    k = math.exp(best.x)
    stat, dof, p, bins = chi_square(np.bincount(x), lambda v: nbd_pmf(v, mean, k), 2)
    return Fit("NBD", {"mean": mean, "k": k}, -float(best.fun), stat, dof, p, bins)


def fits_table(fits: list[Fit]) -> pd.DataFrame:
    """One row per fitted distribution."""
    return pd.DataFrame([{"distribution": f.name, **{f"param_{k}": v for k, v in f.params.items()},
                          "log_likelihood": f.log_likelihood, "aic": f.aic, "chi_square": f.chi_square,
                          "dof": f.dof, "p_value": f.p_value, "bins": f.bins} for f in fits])


def nbd_checks(x: np.ndarray, nbd: Fit, poisson: Fit) -> list[Check]:
    """Enough buyers; NBD not rejected at :data:`ALPHA`; NBD better than Poisson."""
    return [
        Check(NBD, f"at least {BUYERS_MIN:,} year-1 buyers tested", bool(x.size >= BUYERS_MIN),
              f"{x.size:,} buyers, {x.mean():.2f} year-2 purchases each (variance {x.var():.2f})"),
        Check(NBD, f"year-2 purchases per year-1 buyer: NBD not rejected at {ALPHA:.0%} (chi-square; EVIDENCE §6)",
              bool(nbd.p_value >= ALPHA), f"NBD mean {nbd.params['mean']:.2f}, k {nbd.params['k']:.2f}: "
              f"chi-square {nbd.chi_square:.1f} on {nbd.dof} df, p = {nbd.p_value:.3g}"),
        Check(NBD, "NBD fits better than Poisson (higher likelihood, lower AIC)",
              bool(nbd.log_likelihood > poisson.log_likelihood and nbd.aic < poisson.aic),
              f"AIC NBD {nbd.aic:,.0f} vs Poisson {poisson.aic:,.0f}; Poisson chi-square p = {poisson.p_value:.3g}"),
    ]


def plot_nbd(x: np.ndarray, nbd: Fit, poisson: Fit, ax: Axes | None = None) -> Axes:
    """Observed year-2 purchase counts of year-1 buyers against the fitted NBD and Poisson."""
    ax = axes_or_new(ax)
    top = int(min(x.max(), np.quantile(x, 0.995) + 2))
    values = np.arange(top + 1)
    observed = np.bincount(x, minlength=top + 1)[: top + 1]
    ax.bar(values, observed, color="lightgrey", edgecolor="grey", label="simulated buyers")
    mean, k = nbd.params["mean"], nbd.params["k"]
    ax.plot(values, x.size * nbd_pmf(values, mean, k), "o-", color="tab:blue", ms=4,
            label=f"NBD (k = {k:.2f}), p = {nbd.p_value:.2g}")
    ax.plot(values, x.size * stats.poisson.pmf(values, poisson.params["mean"]), "s--", color="tab:red", ms=3,
            label=f"Poisson, p = {poisson.p_value:.2g}")
    compact_ticks(ax, "y")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Purchases in year 2")
    ax.set_ylabel("Year-1 buyers")
    ax.set_title(f"Repeat buying: {x.size:,} year-1 buyers, mean {mean:.2f} purchases")
    ax.legend(fontsize=8)
    return ax


def nbd_experiment(size: int = NBD_SIZE, seed: int = 0, days: int = DAYS,
                   overrides: tuple[str, ...] = ()) -> tuple[np.ndarray, Fit, Fit]:
    """Year-2 purchases of the year-1 buyers of one run, with both fits (``overrides``: further
    ``journey`` overrides)."""
    x, _ = next_year_purchases(market_run(MarketJob(size, days, seed, yearly=True, overrides=overrides)))
    x = x.astype(np.int64)
    return x, fit_nbd(x), fit_poisson(x)


def run_nbd(out_dir: Path, jobs: int = 1, seed: int = 0) -> Outcome:
    """Fact 3: NBD repeat buying on the default market."""
    x, nbd, poisson = nbd_experiment(seed=seed)
    fig = plot_nbd(x, nbd, poisson).figure
    return saved_outcome(out_dir, NBD, nbd_checks(x, nbd, poisson), fits_table([nbd, poisson]), fig)


# --------------------------------------------------------------------------- repeat profile
def profile_table(size: int = PROFILE_SIZE, seeds: list[int] | None = None, jobs: int = 1,
                  days: int = DAYS, overrides: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per seed and persona (and ``all``): year-1 buyers and the share of them buying in year 2
    (``overrides``: further ``journey`` overrides of every run)."""
    seeds = list(range(PROFILE_SEEDS)) if seeds is None else seeds
    runs = [MarketJob(size, days, s, yearly=True, overrides=overrides) for s in seeds]
    results = parallel_map(market_run, runs, jobs)
    rows = []
    for seed, run in zip(seeds, results, strict=True):
        x, persona = next_year_purchases(run)
        groups = [("all", np.ones(x.size, bool))]
        groups += [(name, persona == code) for code, name in enumerate(run["persona_names"])]
        for name, members in groups:
            n = int(members.sum())
            rows.append({"seed": seed, "persona": name, "buyers_year_1": n,
                         "buy_again_share": float((x[members] > 0).mean()) if n else math.nan})
    return pd.DataFrame(rows)


def profile_checks(table: pd.DataFrame) -> list[Check]:
    """The share of year-1 buyers buying again within :data:`PROFILE_RANGE`."""
    share = mean_interval(table.loc[table.persona == "all", "buy_again_share"])
    low, high = PROFILE_RANGE
    return [Check(PROFILE, f"share of a year's buyers who buy again the next year in [{low:.0%}, {high:.0%}] "
                  f"(Dawes et al.: {DAWES:.0%}; EVIDENCE §7)", bool(low <= share.estimate <= high),
                  f"{share.estimate:.1%} [{share.low:.1%}, {share.high:.1%}] over {share.n} seeds, "
                  f"{table.loc[table.persona == 'all', 'buyers_year_1'].mean():,.0f} year-1 buyers a seed")]


def plot_profile(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Share of year-1 buyers buying again in year 2, by persona and for all (mean over seeds)."""
    ax = axes_or_new(ax)
    share = table.groupby("persona", sort=False)["buy_again_share"].mean()
    colours = ["tab:blue" if name == "all" else "tab:grey" for name in share.index]
    ax.axhspan(*PROFILE_RANGE, color="tab:green", alpha=0.15, label="accepted band", zorder=0)
    ax.bar([name.replace("_", " ") for name in share.index], share.values, color=colours, alpha=0.8, zorder=1)
    ax.axhline(DAWES, color="tab:green", ls="--", lw=1, label=f"Dawes et al. {DAWES:.0%}")
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(axis_formatter(PERCENT))
    ax.set_ylabel("Buy again next year (%)")
    ax.set_title("Repeat profile: year-1 buyers who buy in year 2")
    ax.legend(fontsize=8, loc="upper right")
    return ax


def run_profile(out_dir: Path, jobs: int = 1, seed: int = 0) -> Outcome:
    """Fact 6: the repeat profile of the default market."""
    table = profile_table(seeds=list(range(seed, seed + PROFILE_SEEDS)), jobs=jobs)
    fig = plot_profile(table).figure
    return saved_outcome(out_dir, PROFILE, profile_checks(table), table, fig)
