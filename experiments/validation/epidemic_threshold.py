"""The word-of-mouth epidemic threshold: cascades on Erdős–Rényi and Barabási–Albert graphs.

In the ``cascade`` mode a customer who adopts talks for ``talk_days`` days and tells each
neighbour with probability ``transmission`` a day, so a tie passes the word with the fixed
transmissibility T = 1 - (1 - transmission)^talk_days. The final reach is then bond
percolation of the graph (Newman 2002, "Spread of epidemic disease on networks", *Physical
Review E* 66: 016128): a cascade needs T above T_c = <k> / (<k^2> - <k>), which is 1/<k> on an
Erdős–Rényi graph, while on heavy-tailed Barabási–Albert graphs <k^2> grows with the market
and T_c falls towards zero (Pastor-Satorras and Vespignani 2001, *Physical Review Letters* 86:
3200), so the word spreads below the Erdős–Rényi threshold.

Advertising on day 0 seeds a share ``SEED_SHARE`` of customers; then only word of mouth acts.
The simulated final reach is compared with the message-passing prediction for each run's own
degree sequence and seeds (exact for Erdős–Rényi as the market grows; an approximation for
Barabási–Albert, whose degrees are correlated).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from journeysim.experiments.runner import parallel_map
from journeysim.experiments.validation.diffusion import (
    SeedOnFirstDay,
    adopted_fraction,
    diffusion_spec,
    run_market,
    word_of_mouth,
)
from journeysim.experiments.validation.experiment import Check, Outcome, save_figure, save_table

NAME = "epidemic_threshold"

MEAN_DEGREE = 10
TALK_DAYS = 5
SEED_SHARE = 0.002
"""Share of customers advertising converts on day 0 (40 seeds at 20,000 customers)."""

SIZE = 20_000
"""Customers. Above the threshold the final reach has a standard deviation of about 0.003
between runs, below it the 40 seeds' small outbreaks total about 0.004 +- 0.001; the
Barabási–Albert threshold at this size is about 0.037 (it falls as the market grows)."""

REPLICATIONS = 3
DAYS = 250
"""Long enough for every cascade to end (the slowest, near the threshold, ends by day ~150)."""

TRANSMISSIBILITY = (0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3)
GRAPHS = {"Erdős–Rényi": "erdos_renyi", "Barabási–Albert": "barabasi_albert"}
BELOW, ABOVE = 0.05, 0.2
"""The Erdős–Rényi test points: half and twice its threshold 1/<k> = 0.1."""

HEAVY_TAIL_POINT = 0.08
"""The Barabási–Albert test point: below the Erdős–Rényi threshold, about twice its own (near
its own threshold, at 0.04 to 0.06, a cascade's size varies too much between runs to test)."""

NO_CASCADE = 5.0
"""Below the threshold each seed's outbreak averages 1 / (1 - T (<k^2> - <k>) / <k>) = 2
customers: a final reach under 5 seed shares is no cascade."""

ABOVE_TOLERANCE = 0.03
"""Allowed |simulated - predicted| final reach above the threshold (10 standard deviations of
one run: the prediction neglects finite-size effects of order 1/sqrt(n))."""


def transmission_for(transmissibility: float, talk_days: int = TALK_DAYS) -> float:
    """Daily probability per neighbour giving ``transmissibility`` over ``talk_days`` days."""
    return 1.0 - (1.0 - transmissibility) ** (1.0 / talk_days)


def critical_transmissibility(degree: np.ndarray) -> float:
    """T_c = <k> / (<k^2> - <k>) of a degree sequence."""
    k1, k2 = degree.mean(), (degree.astype(float) ** 2).mean()
    return float(k1 / (k2 - k1))


def predicted_reach(degree: np.ndarray, transmissibility: float, seed_share: float = SEED_SHARE) -> float:
    """Final adopted share of bond percolation from random seeds on a configuration-model graph
    with this degree sequence.

    With G0 and G1 the generating functions of the degrees and excess degrees, the probability
    ``v`` that a neighbour ends up adopting (not counting the focal customer) solves
    v = s + (1 - s)(1 - G1(1 - T v)), and the final share is 1 - (1 - s) G0(1 - T v).
    """
    pk = np.bincount(degree) / degree.size
    k = np.arange(pk.size)
    mean = float((k * pk).sum())

    def g0(x: float) -> float:
        return float((pk * x**k).sum())

    def g1(x: float) -> float:
        return float((k[1:] * pk[1:] * x ** (k[1:] - 1)).sum() / mean)

    def gap(v: float) -> float:
        return seed_share + (1.0 - seed_share) * (1.0 - g1(1.0 - transmissibility * v)) - v

    v = brentq(gap, seed_share, 1.0) if gap(1.0) < 0 else 1.0
    return 1.0 - (1.0 - seed_share) * g0(1.0 - transmissibility * v)


def simulate_graph(args: tuple[str, int, int, tuple[float, ...]]) -> list[dict[str, float | str | int | bool]]:
    """Cascades on one graph (one seed) at each transmissibility: one row per cascade with its
    final reach, the predicted reach and the graph's T_c. The graph is built once and reused."""
    graph_name, seed, size, points = args
    rows, graph = [], None
    for transmissibility in points:
        network = word_of_mouth(GRAPHS[graph_name], mode="cascade", transmission=transmission_for(transmissibility),
                                talk_days=TALK_DAYS, mean_degree=MEAN_DEGREE)
        spec = diffusion_spec(size=size, days=DAYS, seed=seed, advertising=SEED_SHARE, network=network,
                              name="epidemic_threshold")
        model = run_market(spec, quiet_days=TALK_DAYS + 1, levers=[SeedOnFirstDay()], graph=graph)
        graph = model.graph
        share = adopted_fraction(model)
        last_adoption = int(np.flatnonzero(np.diff(share) > 0).max(initial=0)) + 1
        rows.append({"graph": graph_name, "transmissibility": transmissibility, "seed": seed, "size": size,
                     "seeds_share": float(share[1]), "final_share": float(share[-1]),
                     "predicted_share": predicted_reach(graph.degree, transmissibility, float(share[1])),
                     "critical_transmissibility": critical_transmissibility(graph.degree),
                     "last_adoption_day": last_adoption, "finished": last_adoption + TALK_DAYS < DAYS})
    return rows


def simulate_point(args: tuple[str, float, int, int]) -> dict[str, float | str | int | bool]:
    """One cascade: (graph, transmissibility, seed, size) -> its row (see :func:`simulate_graph`)."""
    graph_name, transmissibility, seed, size = args
    return simulate_graph((graph_name, seed, size, (transmissibility,)))[0]


def simulate_grid(jobs: int = 1, seed: int = 0, replications: int = REPLICATIONS, size: int = SIZE,
                  points: tuple[float, ...] = TRANSMISSIBILITY,
                  graphs: tuple[str, ...] = tuple(GRAPHS)) -> pd.DataFrame:
    """Every graph x transmissibility x replication: one row per run (a replication's seed, hence
    its graph, is shared across transmissibilities)."""
    tasks = [(graph, seed + r, size, points) for graph in graphs for r in range(replications)]
    return pd.DataFrame([row for rows in parallel_map(simulate_graph, tasks, jobs) for row in rows])


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and spread of the final reach, and the mean prediction, per graph and transmissibility."""
    grouped = runs.groupby(["graph", "transmissibility"], sort=False)
    return grouped.agg(final_share=("final_share", "mean"), final_sd=("final_share", "std"),
                       predicted_share=("predicted_share", "mean"),
                       critical_transmissibility=("critical_transmissibility", "mean"),
                       all_finished=("finished", "all"), runs=("final_share", "size")).reset_index()


def checks(summary: pd.DataFrame) -> list[Check]:
    """Erdős–Rényi: no cascade below T_c, the predicted cascade above; Barabási–Albert spreads below it."""
    at = summary.set_index(["graph", "transmissibility"])
    out = erdos_renyi_checks(at)
    if "Barabási–Albert" in at.index.get_level_values(0):
        out.append(heavy_tail_check(at))
    finished = bool(summary.all_finished.all())
    out.append(Check(NAME, f"every cascade ended within {DAYS} days", finished,
                     "yes" if finished else "some were still spreading: raise DAYS"))
    return out


def erdos_renyi_checks(at: pd.DataFrame) -> list[Check]:
    """No cascade at half the threshold; a cascade of the predicted size at twice it."""
    below, above = at.loc[("Erdős–Rényi", BELOW)], at.loc[("Erdős–Rényi", ABOVE)]
    quiet = Check(NAME, f"Erdős–Rényi below the threshold (T = {BELOW} < T_c = {below.critical_transmissibility:.3f})"
                  f": no cascade (final reach <= {NO_CASCADE:g} x seeds)",
                  bool(below.final_share <= NO_CASCADE * SEED_SHARE),
                  f"final reach {below.final_share:.4f} (predicted {below.predicted_share:.4f}, seeds {SEED_SHARE})")
    error = abs(above.final_share - above.predicted_share)
    cascade = Check(NAME, f"Erdős–Rényi above the threshold (T = {ABOVE}): cascade of the predicted size "
                    f"(within {ABOVE_TOLERANCE})", bool(error <= ABOVE_TOLERANCE),
                    f"final reach {above.final_share:.3f} +- {above.final_sd:.3f} vs predicted "
                    f"{above.predicted_share:.3f}")
    return [quiet, cascade]


def heavy_tail_check(at: pd.DataFrame) -> Check:
    """The Barabási–Albert graph cascades below the Erdős–Rényi threshold."""
    ba, er = at.loc[("Barabási–Albert", HEAVY_TAIL_POINT)], at.loc[("Erdős–Rényi", HEAVY_TAIL_POINT)]
    return Check(NAME, f"Barabási–Albert spreads below the Erdős–Rényi threshold (T = {HEAVY_TAIL_POINT}): "
                 f"final reach >= {2 * NO_CASCADE:g} x seeds", bool(ba.final_share >= 2 * NO_CASCADE * SEED_SHARE),
                 f"final reach {ba.final_share:.3f} (predicted {ba.predicted_share:.3f}; Erdős–Rényi "
                 f"{er.final_share:.3f}); its own T_c {ba.critical_transmissibility:.3f}")


def plot_threshold(runs: pd.DataFrame, summary: pd.DataFrame):
    """Final reach against transmissibility: runs (dots), mean, prediction, thresholds."""
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(8.5, 5))
    colours = {"Erdős–Rényi": "tab:blue", "Barabási–Albert": "tab:red"}
    for graph, colour in colours.items():
        part = summary[summary.graph == graph]
        if part.empty:
            continue
        dots = runs[runs.graph == graph]
        ax.plot(dots.transmissibility, dots.final_share, "o", ms=3, color=colour, alpha=0.5)
        ax.plot(part.transmissibility, part.final_share, "-", color=colour, lw=1.5, label=f"{graph}: engine")
        ax.plot(part.transmissibility, part.predicted_share, "--", color=colour, lw=1.2,
                label=f"{graph}: percolation prediction")
        ax.axvline(part.critical_transmissibility.mean(), color=colour, ls=":", lw=1.2,
                   label=f"{graph}: T_c = {part.critical_transmissibility.mean():.3f}")
    ax.set_xlabel(f"transmissibility T = 1 - (1 - daily probability)^{TALK_DAYS}")
    ax.set_ylabel("final adopted share")
    ax.set_title(f"Word-of-mouth cascades, mean degree {MEAN_DEGREE}, n={SIZE:,}, seeds {SEED_SHARE:.1%}",
                 fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    return figure


def run(out_dir: Path, jobs: int = 1, seed: int = 0, replications: int = REPLICATIONS) -> Outcome:
    """Run the grid on both graphs, write the runs, the summary and the figure, and check."""
    runs = simulate_grid(jobs, seed=seed, replications=replications)
    summary = summarise(runs)
    files = [save_table(out_dir, f"{NAME}_runs", runs), save_table(out_dir, NAME, summary),
             save_figure(out_dir, NAME, plot_threshold(runs, summary))]
    return Outcome(NAME, checks(summary), files)
