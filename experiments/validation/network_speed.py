"""Network structure and speed: word of mouth on graphs never beats full mixing.

Fibich, G. and Levin, T. (2023), "Universal bounds for spreading on networks" (arXiv:2312.05450),
prove for the stochastic Bass model on networks, where each customer's peer influence totals q,
that the adoption level on any network is bounded above by that of the infinite complete
(fully mixed) network. The engine's default word of mouth, ``conversations``, gives each
adopter a budget of ``talk_rate`` conversations a day with a random neighbour: on a fully mixed
market it is exactly the Bass model, and on a regular graph exactly the model of the theorem.

Here the same market (the meta-analysis mean shape, q/p = 12.7, with one "year" compressed to
30 days) runs on Erdős–Rényi, Watts–Strogatz (rewiring 0, 0.01, 0.1, 1) and Barabási–Albert
graphs of mean degree 10, against the fully mixed market. Each network's mean curve must stay
at or below the fully mixed curve within sampling error.

A contrast, reported rather than tested: in the ``cascade`` mode each tie transmits
independently, so a hub talks in proportion to its degree -- that model is outside the theorem,
and there the Barabási–Albert graph does beat full mixing early on.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from journeysim.experiments.runner import parallel_map
from journeysim.experiments.validation.bass_products import share_variance
from journeysim.experiments.validation.diffusion import (
    adopted_fraction,
    diffusion_spec,
    milestone_days,
    run_market,
    word_of_mouth,
)
from journeysim.experiments.validation.experiment import Check, Outcome, save_figure, save_table
from journeysim.scenarios.bass import bass_curve
from journeysim.sim.config import RunSpec

NAME = "network_speed"

P, Q = 0.001, 0.38 / 30
"""Innovation and imitation per day: the meta-analysis mean (0.03, 0.38 per year) with time
compressed about twelvefold, so a run needs 540 days instead of 18 years (the curve's shape
depends only on q/p and (p + q) t)."""

MEAN_DEGREE = 10
SIZE = 20_000
"""Customers. One run's share has a standard error of at most 0.008 (around day 200; linear-noise
approximation, :func:`~journeysim.experiments.validation.bass_products.share_variance`);
the mean of four runs 0.004, so 4 SE is 0.016 at the steepest point and under 0.005 in the
tails -- small against the networks' largest gaps below full mixing (0.05 to 0.16)."""

REPLICATIONS = 4
DAYS = 540

NETWORKS: dict[str, dict[str, float | str]] = {
    "fully mixed": {"kind": "fully_mixed"},
    "Erdős–Rényi": {"kind": "erdos_renyi"},
    "Watts–Strogatz, rewiring 0": {"kind": "watts_strogatz", "rewiring": 0.0},
    "Watts–Strogatz, rewiring 0.01": {"kind": "watts_strogatz", "rewiring": 0.01},
    "Watts–Strogatz, rewiring 0.1": {"kind": "watts_strogatz", "rewiring": 0.1},
    "Watts–Strogatz, rewiring 1": {"kind": "watts_strogatz", "rewiring": 1.0},
    "Barabási–Albert": {"kind": "barabasi_albert"},
}
CASCADE_NETWORKS = ("fully mixed", "Erdős–Rényi", "Barabási–Albert")
"""Networks of the per-tie cascade contrast."""

COLOURS = dict(zip(NETWORKS, ("black", "tab:blue", "tab:green", "tab:olive", "tab:purple", "tab:orange", "tab:red"),
                   strict=True))
"""One colour per network, the same in every panel."""


def daily_bass(p: float, q: float, days: int) -> np.ndarray:
    """The fully mixed market's expected share after each day: the deterministic daily recursion
    F += (1 - F)(1 - exp(-(p + q F))) of the engine's step (its exact large-market limit)."""
    share = np.zeros(days + 1)
    for day in range(days):
        F = share[day]
        share[day + 1] = F + (1.0 - F) * -math.expm1(-p - q * F)
    return share


def network_spec(name: str, mode: str, seed: int) -> RunSpec:
    """The market on one network, in the conversations mode or the per-tie cascade."""
    settings = dict(NETWORKS[name])
    kind = str(settings.pop("kind"))
    if mode == "conversations":
        network = word_of_mouth(kind, talk_rate=Q, mean_degree=MEAN_DEGREE, **settings)
    else:  # each tie transmits at Q / degree a day: the same mean number of contacts per adopter
        per_tie = Q / (SIZE - 1) if kind == "fully_mixed" else Q / MEAN_DEGREE
        network = word_of_mouth(kind, mode="cascade", transmission=per_tie, mean_degree=MEAN_DEGREE, **settings)
    return diffusion_spec(size=SIZE, days=DAYS, seed=seed, advertising=-math.expm1(-P), network=network,
                          name="network_speed")


def simulate_network(args: tuple[str, int]) -> list[tuple[str, str, np.ndarray]]:
    """Runs on one network and seed: (network, mode, adopted share per day) for the
    conversations mode and, for :data:`CASCADE_NETWORKS`, the cascade on the same graph."""
    name, seed = args
    model = run_market(network_spec(name, "conversations", seed))
    out = [(name, "conversations", adopted_fraction(model))]
    if name in CASCADE_NETWORKS:
        cascade = run_market(network_spec(name, "cascade", seed), graph=model.graph)
        out.append((name, "cascade", adopted_fraction(cascade)))
    return out


def simulate_all(jobs: int = 1, seed: int = 0, replications: int = REPLICATIONS) -> dict[tuple[str, str], np.ndarray]:
    """Mean share per day of every network and mode, over ``replications`` seeds (common
    seeds across networks)."""
    tasks = [(name, seed + r) for name in NETWORKS for r in range(replications)]
    curves: dict[tuple[str, str], list[np.ndarray]] = {}
    for runs in parallel_map(simulate_network, tasks, jobs):
        for name, mode, fraction in runs:
            curves.setdefault((name, mode), []).append(fraction)
    return {key: np.mean(values, axis=0) for key, values in curves.items()}


def tolerance(days: np.ndarray, replications: int) -> np.ndarray:
    """Allowed excess of a network's mean share over the fully mixed one: four standard errors of
    a mean of ``replications`` runs, plus 0.001."""
    return 4.0 * np.sqrt(share_variance(days, P, Q, SIZE) / replications) + 0.001


def summary_table(curves: dict[tuple[str, str], np.ndarray], replications: int) -> pd.DataFrame:
    """One row per network and mode: milestones and the largest excess over full mixing."""
    days = np.arange(DAYS + 1)
    reference = daily_bass(P, Q, DAYS)
    allowed = tolerance(days, replications)
    mixed_cascade = curves.get(("fully mixed", "cascade"))
    rows = []
    for (name, mode), share in curves.items():
        baseline = reference if mode == "conversations" else mixed_cascade
        excess = (share - baseline)[1:]  # day 0 is the same start for every market
        allowed_after = allowed[1:]
        worst = int(np.argmax(excess / allowed_after))
        rows.append({"network": name, "mode": mode, "t16_days": milestone_days(share, 0.16),
                     "t50_days": milestone_days(share, 0.5), "t95_days": milestone_days(share, 0.95),
                     "share_day_180": share[180], "max_excess_over_mixed": float(excess.max()),
                     "day_of_max_excess": int(np.argmax(excess)) + 1,
                     "excess_over_tolerance": float((excess / allowed_after)[worst]),
                     "abs_error_over_tolerance": float((np.abs(excess) / allowed_after).max())})
    return pd.DataFrame(rows)


def checks(table: pd.DataFrame) -> list[Check]:
    """No network beats full mixing beyond noise; the engine's fully mixed market is Bass."""
    out = []
    talk = table[table["mode"] == "conversations"].set_index("network")
    for name, row in talk.iterrows():
        if name == "fully mixed":
            criterion = "fully mixed market matches the daily Bass recursion within 4 SE (both ways)"
            passed = row.abs_error_over_tolerance <= 1.0
        else:
            criterion = f"{name}: never above the fully mixed curve beyond 4 SE"
            passed = row.excess_over_tolerance <= 1.0
        out.append(Check(NAME, criterion, bool(passed), f"largest excess {row.max_excess_over_mixed:+.4f} on day "
                         f"{row.day_of_max_excess} ({row.excess_over_tolerance:.2f} of tolerance); "
                         f"t50 {row.t50_days:.0f} d"))
    ring, random_graph = talk.loc["Watts–Strogatz, rewiring 0"], talk.loc["Watts–Strogatz, rewiring 1"]
    out.append(Check(NAME, "small world: rewiring the ring lattice speeds diffusion (t50, rewiring 0 vs 1)", None,
                     f"{ring.t50_days:.0f} d vs {random_graph.t50_days:.0f} d"))
    cascade = table[table["mode"] == "cascade"].set_index("network")
    if "Barabási–Albert" in cascade.index:
        ba = cascade.loc["Barabási–Albert"]
        out.append(Check(NAME, "contrast, per-tie cascade (outside the theorem): Barabási–Albert vs fully mixed",
                         None, f"largest excess {ba.max_excess_over_mixed:+.3f} on day {ba.day_of_max_excess}: "
                         + ("hubs beat full mixing early" if ba.excess_over_tolerance > 1 else "no faster")))
    return out


def plot_speed(curves: dict[tuple[str, str], np.ndarray], replications: int):
    """Left: mean adoption curves against full mixing; right: excess over full mixing with the
    noise band, for the conversations mode and the per-tie cascade contrast."""
    import matplotlib.pyplot as plt

    days = np.arange(DAYS + 1)
    reference = daily_bass(P, Q, DAYS)
    figure, (left, right) = plt.subplots(1, 2, figsize=(15, 5), gridspec_kw={"width_ratios": (1, 1)})
    left.plot(days, bass_curve(days, P, Q), color="black", lw=2.5, alpha=0.35, label="Bass closed form")
    for (name, mode), share in curves.items():
        if mode == "conversations":
            left.plot(days, share, lw=1.2, color=COLOURS[name], label=name)
    left.set_xlabel("days")
    left.set_ylabel("adopted share")
    left.set_title(f"conversations mode, mean degree {MEAN_DEGREE}, n={SIZE:,}, {replications} runs each",
                   fontsize=10)
    left.legend(fontsize=8)
    band = tolerance(days, replications)
    right.fill_between(days, -band, band, color="grey", alpha=0.25, label="±4 SE")
    for (name, mode), share in curves.items():
        if mode == "conversations" and name != "fully mixed":
            right.plot(days, share - reference, lw=1.2, color=COLOURS[name], label=name)
    mixed_cascade = curves.get(("fully mixed", "cascade"))
    for name in CASCADE_NETWORKS[1:]:
        if (name, "cascade") in curves:
            right.plot(days, curves[(name, "cascade")] - mixed_cascade, lw=1.5, ls="--", color=COLOURS[name],
                       label=f"{name}, per-tie cascade (vs fully mixed cascade)")
    right.axhline(0, color="black", lw=0.8)
    right.set_xlabel("days")
    right.set_ylabel("share minus fully mixed share")
    right.set_title("excess over full mixing (dashed: cascade contrast)", fontsize=10)
    right.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    figure.tight_layout()
    return figure


def run(out_dir: Path, jobs: int = 1, seed: int = 0, replications: int = REPLICATIONS) -> Outcome:
    """Run every network, write the curves, the summary and the figure, and check the bound."""
    curves = simulate_all(jobs, seed=seed, replications=replications)
    table = summary_table(curves, replications)
    frame = pd.DataFrame({f"{name} ({mode})": share for (name, mode), share in curves.items()})
    frame.insert(0, "day", np.arange(DAYS + 1))
    frame.insert(1, "daily Bass recursion", daily_bass(P, Q, DAYS))
    files = [save_table(out_dir, NAME, table), save_table(out_dir, f"{NAME}_curves", frame),
             save_figure(out_dir, NAME, plot_speed(curves, replications))]
    return Outcome(NAME, checks(table), files)
