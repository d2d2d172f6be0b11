"""The support desk against queueing theory's closed forms: Erlang C and Erlang A.

The model's own support desk (``SupportDesk`` and the contact processes of
:mod:`journeysim.sim.contacts`, run alone by :func:`journeysim.sim.service.simulate_mm_c`) is fed
Poisson arrivals and exponential handling times, with and without exponential patience, at
loads from light to heavy, each under :data:`SEEDS` seeds. The first 2% of each run (which
starts empty) is discarded. Pass criteria:

* M/M/c (Erlang C; Erlang 1917, e.g. Gross et al., *Fundamentals of Queueing Theory*, 4th ed.,
  §2.3): at every load the mean wait over seeds is within 3 standard errors of the closed form,
  and within 3%; so is the share of contacts that wait at all;
* M/M/c+M (Erlang A; Palm 1943, Mandelbaum and Zeltyn 2007): the share of contacts that abandon
  and the mean time in queue are within 3 standard errors and 3% of the birth-death chain's
  stationary values.

Sizes: a busy queue's mean wait converges slowly (long busy periods correlate waits), so each
case gets a ticket count that puts one seed's relative standard error near 1.5% (measured over
120 seeds for c = 3 at rho = 0.7; the variance grows about as 1 / (1 - rho)^2).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from journeysim.experiments.plots import axes_or_new
from journeysim.experiments.runner import parallel_map
from journeysim.experiments.validation.experiment import Check, Outcome, saved_outcome
from journeysim.sim.service import simulate_mm_c
from journeysim.sim.support import erlang_a, erlang_c_wait

NAME = "support_queues"
SEEDS = 4
SERVICE_RATE = 24.0  # tickets/day per agent: one hour of work each, around the clock
WARMUP = 0.02  # share of each run discarded (it starts empty)
RELATIVE = 0.03  # the largest relative error allowed, on top of 3 standard errors
CASES = (  # (name, agents, utilisation, patience in hours or inf, tickets per run)
    ("M/M/1 at 0.5", 1, 0.5, math.inf, 200_000),
    ("M/M/3 at 0.7", 3, 0.7, math.inf, 450_000),
    ("M/M/4 at 0.8", 4, 0.8, math.inf, 1_000_000),
    ("M/M/10 at 0.9", 10, 0.9, math.inf, 1_500_000),
    ("M/M/3+M at 1.1, 1 h patience", 3, 1.1, 1.0, 300_000),
    ("M/M/10+M at 0.95, 30 min patience", 10, 0.95, 0.5, 600_000),
)


def queue_run(args: tuple[int, int]) -> dict:
    """One run of case ``args[0]`` under seed ``args[1]``: its simulated and closed-form measures."""
    case, seed = args
    name, agents, utilisation, patience_hours, tickets = CASES[case]
    arrival = utilisation * agents * SERVICE_RATE  # tickets/day
    days = tickets / arrival
    patience = patience_hours / 24.0  # days
    waits = simulate_mm_c(arrival, SERVICE_RATE, agents, days, np.random.default_rng(seed), WARMUP * days, patience)
    row = {"case": name, "seed": seed, "agents": agents, "utilisation": utilisation,
           "patience_hours": patience_hours, "tickets": waits.size}
    if math.isinf(patience):
        expected_wait = erlang_c_wait(arrival, SERVICE_RATE, agents)
        blocking = expected_wait * (agents * SERVICE_RATE - arrival)  # P(W > 0) = C(c, a) = Wq (c mu - lambda)
        return row | {"mean_wait_hours": 24 * float(waits.mean()), "expected_mean_wait_hours": 24 * expected_wait,
                      "share_waiting": float(np.mean(waits > 0)), "expected_share_waiting": blocking}
    share, expected_wait = erlang_a(arrival, SERVICE_RATE, agents, 1.0 / patience)
    return row | {"mean_wait_hours": 24 * float(np.abs(waits).mean()), "expected_mean_wait_hours": 24 * expected_wait,
                  "share_abandoned": float(np.mean(waits < 0)), "expected_share_abandoned": share}


def queue_table(seed: int = 0, seeds: int = SEEDS, jobs: int = 1) -> pd.DataFrame:
    """One row per case and seed (see :func:`queue_run`)."""
    items = [(case, seed + s) for case in range(len(CASES)) for s in range(seeds)]
    return pd.DataFrame(parallel_map(queue_run, items, jobs))


def agreement(simulated: pd.Series, expected: float) -> tuple[bool, str]:
    """Whether the mean of ``simulated`` (one value per seed) is within 3 standard errors and
    :data:`RELATIVE` of ``expected``, and the numbers behind it."""
    mean = float(simulated.mean())
    se = float(simulated.std(ddof=1)) / math.sqrt(len(simulated))
    error = mean / expected - 1.0
    held = abs(mean - expected) <= 3 * se and abs(error) <= RELATIVE
    return held, f"{mean:.4g} vs {expected:.4g} ({error:+.1%}, {abs(mean - expected) / se:.1f} SE)"


def checks(table: pd.DataFrame) -> list[Check]:
    """The pass criteria (module notes) on :func:`queue_table`."""
    out = []
    for name, rows in table.groupby("case", sort=False):
        patient = bool(np.isinf(rows.patience_hours.iloc[0]))
        law = "Erlang C" if patient else "Erlang A"
        measures = [("mean wait (h)", "mean_wait_hours"),
                    ("share waiting", "share_waiting") if patient else ("share abandoning", "share_abandoned")]
        for label, column in measures:
            held, detail = agreement(rows[column], float(rows[f"expected_{column}"].iloc[0]))
            out.append(Check(NAME, f"{name}: {label} matches {law} within 3 SE and {RELATIVE:.0%}", held,
                             f"{detail}; {len(rows)} seeds of {rows.tickets.mean():,.0f} tickets"))
    return out


def plot_queues(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Simulated mean wait against the closed form, one point per case (mean over seeds)."""
    ax = axes_or_new(ax, (6, 4))
    means = table.groupby("case", sort=False)[["mean_wait_hours", "expected_mean_wait_hours"]].mean()
    top = 1.1 * float(means.to_numpy().max())
    ax.plot([0, top], [0, top], color="grey", lw=1, label="simulated = closed form")
    patient = table.groupby("case", sort=False).patience_hours.first().map(np.isinf)
    for name, row in means.iterrows():
        marker = "o" if patient[name] else "s"
        ax.scatter(row.expected_mean_wait_hours, row.mean_wait_hours, marker=marker, label=name, zorder=3)
    ax.set_xlabel("Closed form: mean wait (hours)")
    ax.set_ylabel("Support desk: mean wait (hours)")
    ax.set_title("Support desk against Erlang C (circles) and Erlang A (squares)", fontsize=10)
    ax.legend(fontsize=8)
    return ax


def run(out_dir: Path, jobs: int = 1, seed: int = 0) -> Outcome:
    """The queue experiment: its checks, table and figure."""
    table = queue_table(seed=seed, jobs=jobs)
    return saved_outcome(out_dir, NAME, checks(table), table, plot_queues(table).figure)
