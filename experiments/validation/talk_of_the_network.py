"""Goldenberg, Libai and Muller (2001), "Talk of the network", replicated on the engine.

Goldenberg, J., Libai, B. and Muller, E. (2001). Talk of the network: a complex systems look at
the underlying process of word-of-mouth. *Marketing Letters* 12(3): 211-223.

The market is split into personal groups of ``s`` people. Each period an uninformed person is
informed with probability 1 - (1 - alpha)(1 - beta_w)^j (1 - beta_s)^m, where ``m`` is the number
of informed members of their group (strong ties), ``j`` the number of informed people among
``w`` random contacts outside the group that period (weak ties), and ``alpha`` advertising.
Informed people stay informed and keep talking. The paper varied the five parameters over
s, w in 5..29, alpha in 0.0005..0.01, beta_w in 0.005..0.015 and beta_s in 0.01..0.07, regressed
the periods to 16%, 50% and 95% penetration on the standardised parameters, and found that
weak ties' effect "approximates or exceeds" strong ties' at every stage, and that advertising
matters early but "beyond a relatively early stage ... quickly diminishes".

On the engine this is ``network.type: groups`` with ``network.mode: cascade``: an informed
customer tells each group member with probability ``transmission`` (beta_s) and meets
``weak_ties`` (w) random people outside the group, telling each with ``weak_transmission``
(beta_w); a broadcast channel converts with probability alpha a day. Weak contacts are drawn
by the informed (talker) side: an uninformed person then hears from Poisson(w F) informed weak
contacts instead of Binomial(w, F), which changes the per-period probability by at most
w beta_w^2 / 2 < 0.4% of its value over the paper's ranges.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from journeysim.experiments.runner import parallel_map
from journeysim.experiments.validation.diffusion import diffusion_spec, milestone_days, run_diffusion, word_of_mouth
from journeysim.experiments.validation.experiment import Check, Outcome, save_figure, save_table

NAME = "talk_of_the_network"

DESIGN: dict[str, tuple[float, ...]] = {
    "s": (5, 17, 29),
    "w": (5, 17, 29),
    "alpha": (0.0005, 0.00525, 0.01),
    "beta_w": (0.005, 0.01, 0.015),
    "beta_s": (0.01, 0.04, 0.07),
}
"""Three levels per parameter (ends and middle of the paper's ranges): a 3^5 full factorial
of 243 cells, reduced from a finer grid over the same ranges."""

WEAK, STRONG = ("w", "beta_w"), ("s", "beta_s")
"""Parameters of each tie type: how many ties, and how strong."""

SIZE = 9_860
"""Customers: 4 x 5 x 17 x 29, so every personal group is full at every level of s. Between the
two replications of a cell a milestone has an sd of 0.3 periods on average (they differ by 0.5 on
average, 3 at most), so the sampling noise is small; each regression coefficient, from 486 runs,
has a standard error of 0.1 to 0.45 periods -- mostly the linear model's misfit, not noise --
against effects of 0.5 to 9 periods."""

REPLICATIONS = 2
MAX_DAYS = 2_000
"""Safety cap; the slowest cell reaches 95% in about 150 periods (days)."""

MILESTONES = {"t16": 0.16, "t50": 0.5, "t95": 0.95}
STAGES = {"to 16%": ("t16", None), "16% to 50%": ("t50", "t16"), "50% to 95%": ("t95", "t50")}
"""Stage durations: periods from one milestone to the next."""

COMPARABLE = 0.5
"""Weak ties' effect is 'comparable' to strong ties' if at least half of it (same order)."""

PAPER_CLAIM = 0.8
"""The paper's claim, 'approximates or exceeds', read as a ratio of at least 0.8."""


def simulate_cell(args: tuple[tuple[float, ...], int]) -> list[float]:
    """One run of one design cell: the cell's parameters, the seed and the three milestones."""
    (s, w, alpha, beta_w, beta_s), seed = args
    network = word_of_mouth("groups", mode="cascade", transmission=beta_s, weak_transmission=beta_w,
                            group_size=int(s), weak_ties=int(w))
    spec = diffusion_spec(size=SIZE, days=MAX_DAYS, seed=seed, advertising=alpha, network=network,
                          name="talk_of_the_network")
    fraction = run_diffusion(spec, stop_at=max(MILESTONES.values()))
    return [s, w, alpha, beta_w, beta_s, seed] + [milestone_days(fraction, level) for level in MILESTONES.values()]


def simulate_design(jobs: int = 1, seed: int = 0, replications: int = REPLICATIONS) -> pd.DataFrame:
    """Every cell of :data:`DESIGN` ``replications`` times: one row per run."""
    cells = list(itertools.product(*DESIGN.values()))
    jobs_list = [(cell, seed + i * replications + r) for i, cell in enumerate(cells) for r in range(replications)]
    rows = parallel_map(simulate_cell, jobs_list, jobs)
    return pd.DataFrame(rows, columns=[*DESIGN, "seed", *MILESTONES])


def stage_durations(runs: pd.DataFrame) -> pd.DataFrame:
    """Periods spent in each stage (to 16%, 16 to 50%, 50 to 95%) of every run."""
    out = runs[list(DESIGN)].copy()
    for stage, (end, start) in STAGES.items():
        out[stage] = runs[end] - (runs[start] if start else 0.0)
    return out


def standardised_regression(frame: pd.DataFrame, response: str, log: bool = False) -> pd.DataFrame:
    """OLS of ``response`` on the z-scored design parameters.

    Returns one row per parameter: ``effect`` (change of the response, in periods -- or in log
    periods if ``log`` -- per standard deviation of the parameter), its standard error, and
    the regression's R^2.
    """
    X = frame[list(DESIGN)].to_numpy(float)
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    A = np.column_stack([np.ones(len(Z)), Z])
    y = frame[response].to_numpy(float)
    y = np.log(y) if log else y
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    residual = y - A @ coef
    dof = len(y) - A.shape[1]
    covariance = residual @ residual / dof * np.linalg.inv(A.T @ A)
    r2 = 1.0 - residual @ residual / ((y - y.mean()) @ (y - y.mean()))
    return pd.DataFrame({"response": response, "parameter": list(DESIGN), "effect": coef[1:],
                         "se": np.sqrt(np.diag(covariance))[1:], "r2": r2, "log_time": log})


def effects_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Standardised effects on the milestones (periods and log periods) and on stage durations."""
    durations = stage_durations(runs)
    parts = [standardised_regression(runs, m) for m in MILESTONES]
    parts += [standardised_regression(runs, m, log=True) for m in MILESTONES]
    parts += [standardised_regression(durations, stage) for stage in STAGES]
    return pd.concat(parts, ignore_index=True)


def tie_ratio(effects: pd.DataFrame, response: str, log: bool = False) -> float:
    """Weak ties' summed |effect| (count and strength) over strong ties' for one response."""
    rows = effects[(effects.response == response) & (effects.log_time == log)].set_index("parameter").effect.abs()
    return float(rows[list(WEAK)].sum() / rows[list(STRONG)].sum())


def strong_effect_by_group_size(runs: pd.DataFrame, response: str = "t50") -> dict[int, tuple[float, float]]:
    """How much strong ties speed diffusion in the smallest and the largest personal groups:
    mean ``response`` at the highest minus at the lowest beta_s, in periods and as a share
    of the time at the lowest beta_s."""
    low, high = min(DESIGN["beta_s"]), max(DESIGN["beta_s"])
    out = {}
    for s in (min(DESIGN["s"]), max(DESIGN["s"])):
        cell = runs[runs.s == s]
        slow, fast = cell[cell.beta_s == low][response].mean(), cell[cell.beta_s == high][response].mean()
        out[int(s)] = (float(fast - slow), float(fast / slow - 1.0))
    return out


def checks(runs: pd.DataFrame, effects: pd.DataFrame) -> list[Check]:
    """The replication's criteria and the paper's headline claim, from the regressions."""
    return [*tie_checks(effects), advertising_check(effects), group_size_check(runs)]


def tie_checks(effects: pd.DataFrame) -> list[Check]:
    """Weak against strong ties: comparable (a criterion), and the paper's stronger claim (reported)."""
    ratios = {m: tie_ratio(effects, m) for m in MILESTONES}
    shown = ", ".join(f"{m} {r:.2f}" for m, r in ratios.items())
    comparable = Check(NAME, f"weak ties' effect is at least comparable to strong ties' (|w| + |beta_w| >= "
                       f"{COMPARABLE} x (|s| + |beta_s|)) at 16%, 50% and 95%",
                       all(r >= COMPARABLE for r in ratios.values()), f"weak/strong ratio: {shown}")
    verdict = "reproduced" if all(r >= PAPER_CLAIM for r in ratios.values()) else "not reproduced"
    claim = Check(NAME, f"paper's claim: weak ties' effect approximates or exceeds strong ties' (ratio >= "
                  f"{PAPER_CLAIM})", None, f"{verdict}: weak/strong ratio {shown}")
    return [comparable, claim]


def advertising_check(effects: pd.DataFrame) -> Check:
    """Advertising has the largest effect on the time to 16% and is the weakest force afterwards."""
    size = effects[~effects.log_time].set_index(["response", "parameter"]).effect.abs()
    word_of_mouth_params = (*WEAK, *STRONG)
    early = size.loc["t16"]
    later = {stage: (size.loc[(stage, "alpha")], min(size.loc[(stage, p)] for p in word_of_mouth_params))
             for stage in list(STAGES)[1:]}
    fades = early.idxmax() == "alpha" and all(alpha < others for alpha, others in later.values())
    shown = "; ".join(f"{stage}: alpha {a:.2f} vs word of mouth >= {o:.2f}" for stage, (a, o) in later.items())
    return Check(NAME, "advertising fades after the early stage: largest effect on the time to 16%, and on the "
                 "later stages (16-50%, 50-95%) smaller than every word-of-mouth parameter's", bool(fades),
                 f"t16: alpha {early['alpha']:.2f} (next {early.drop('alpha').max():.2f}); {shown}")


def group_size_check(runs: pd.DataFrame) -> Check:
    """The paper's third finding, reported: strong ties matter less in small personal groups."""
    by_size = strong_effect_by_group_size(runs)
    (small, small_share), (large, large_share) = by_size[min(by_size)], by_size[max(by_size)]
    relative = abs(small_share) < abs(large_share)
    absolute = abs(small) < abs(large)
    verdict = ("reproduced" if relative and absolute else "reproduced in relative terms only" if relative
               else "reproduced in periods only" if absolute else "not reproduced")
    return Check(NAME, "paper's finding: strong ties' effect diminishes as personal groups get smaller "
                 "(t50 at beta_s high vs low, groups of 5 vs 29)", None,
                 f"{verdict}: s=5 {small:+.1f} periods ({small_share:+.0%}); s=29 {large:+.1f} periods "
                 f"({large_share:+.0%})")


def plot_effects(effects: pd.DataFrame):
    """Bars: standardised effect of each parameter on the milestones and on the stage durations."""
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(12, 4.4), sharey=False)
    labels = {"s": "s (group size)", "w": "w (weak ties)", "alpha": "alpha (advertising)",
              "beta_w": "beta_w (weak strength)", "beta_s": "beta_s (strong strength)"}
    colours = {"s": "tab:blue", "beta_s": "tab:cyan", "w": "tab:red", "beta_w": "tab:pink", "alpha": "tab:grey"}
    panels = ((axes[0], list(MILESTONES), "time to 16%, 50%, 95% (periods)"),
              (axes[1], list(STAGES), "duration of each stage (periods)"))
    for ax, responses, title in panels:
        x = np.arange(len(responses))
        width = 0.16
        for k, parameter in enumerate((*STRONG, *WEAK, "alpha")):
            values = [effects[(effects.response == r) & (effects.parameter == parameter) & ~effects.log_time]
                      .effect.iloc[0] for r in responses]
            ax.bar(x + (k - 2) * width, values, width, label=labels[parameter], color=colours[parameter])
        ax.set_xticks(x, responses)
        ax.axhline(0, color="black", lw=0.8)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel("effect per standard deviation (periods)")
    axes[0].legend(fontsize=8, loc="lower left")
    figure.suptitle("Talk of the network (Goldenberg, Libai and Muller 2001): standardised regression effects "
                    f"(3^5 design x {REPLICATIONS} runs, n={SIZE:,})", fontsize=10)
    figure.tight_layout()
    return figure


def run(out_dir: Path, jobs: int = 1, seed: int = 0, replications: int = REPLICATIONS) -> Outcome:
    """Run the design, write the runs, the effects and the figure, and check the findings."""
    runs = simulate_design(jobs, seed=seed, replications=replications)
    if runs[list(MILESTONES)].isna().any().any():
        missing = int(runs[list(MILESTONES)].isna().any(axis=1).sum())
        return Outcome(NAME, [Check(NAME, f"every run reaches 95% within {MAX_DAYS} days", False,
                                    f"{missing} runs did not")])
    effects = effects_table(runs)
    files = [save_table(out_dir, f"{NAME}_runs", runs), save_table(out_dir, f"{NAME}_effects", effects),
             save_figure(out_dir, NAME, plot_effects(effects))]
    return Outcome(NAME, checks(runs, effects), files)


def log_time_ratios(effects: pd.DataFrame) -> dict[str, float]:
    """Weak/strong ratio when the milestones are regressed in log periods (a check of robustness)."""
    return {m: tie_ratio(effects, m, log=True) for m in MILESTONES}

