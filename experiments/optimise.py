"""Split a fixed total budget across channels (and between always-on and a burst) to maximise a KPI.

A plan in YAML (``conf/calibration/budget.yaml`` or any file)::

    scenario: baseline           # a packaged scenario, or one in config_dir (e.g. a calibrated one)
    config_dir: null
    overrides: [population.size=5000]
    objective: profit            # profit | acquisitions | revenue
    cac_ceiling: null            # currency per new customer; plans whose mean CAC is above are infeasible
    channels: null               # channels to split between (default: every channel with a budget)
    total_daily: null            # currency per day at reference size (default: their configured total)
    trials: 60                   # candidate plans (Optuna TPE); the configured split and an equal split first
    seeds: 4                     # tuning seeds: every candidate runs on the same ones (common random numbers)
    validation_seeds: 8          # fresh seeds for the best plan against the configured split
    seed: 0
    timing: null                 # or {from_day: 300, to_day: 330, max_burst_share: 0.8}
    curves: {points: 5, seeds: 2}

``journey-optimise PLAN`` writes the trials, the best allocation with its interval on fresh
seeds, the per-channel response curves and the trade-off figure, and a ready-to-run scenario
``scenario/<name>.yaml`` with the best plan as a ``budget_plan`` lever.

Cost in model runs: ``trials * seeds + 2 * validation_seeds + channels * points * curve seeds``.

Why Optuna in-process rather than Hydra's Optuna sweeper: the sweeper (hydra-optuna-sweeper
1.3) caps Optuna at 2.10, samples each parameter on its own range (no simplex, so totals would
drift) and runs each candidate on one seed; here every candidate is a point of the simplex, so
its total is the budget exactly, and is scored on the same seeds as every other candidate.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeysim.experiments.calibration.plan import read_plan_file
from journeysim.experiments.compose import compose_base
from journeysim.experiments.intervals import Interval, mean_interval, paired_difference
from journeysim.experiments.plans import check_keys, override_list, real, whole
from journeysim.experiments.runner import BACKENDS, parallel_map, quiet, run_config
from journeysim.experiments.scenario_file import global_scenario_yaml
from journeysim.sim.errors import EXIT_BAD_INPUT, ConfigError, unknown_name

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from journeysim.sim.model import JourneyModel

OBJECTIVES = ("profit", "acquisitions", "revenue")
KPIS = ("profit", "acquisitions", "revenue", "spend", "cac")
"""KPIs recorded per run: currency, new customers, currency, currency, currency per new customer."""

PLAN_KEYS = ("scenario", "config_dir", "overrides", "objective", "cac_ceiling", "channels", "total_daily", "trials",
             "seeds", "validation_seeds", "seed", "timing", "curves")
VALIDATION_OFFSET = 100_000
"""Validation seeds start this far above the plan's seed: never one the optimiser was tuned on."""


# =========================================================================== the plan
@dataclass(frozen=True)
class Burst:
    """A burst window for the time dimension: part of each channel's budget spent on these days.

    Attributes
    ----------
    from_day, to_day : int
        First and last day of the burst (inclusive, 0-based).
    max_share : float
        Largest share of a channel's budget the optimiser may put into the burst (0..1).
    """

    from_day: int
    to_day: int
    max_share: float = 0.8

    @property
    def days(self) -> int:
        """Length of the burst, days."""
        return self.to_day - self.from_day + 1


@dataclass(frozen=True)
class BudgetPlan:
    """A budget optimisation: objective, channels, total, search size and seeds."""

    name: str
    objective: str = "profit"
    scenario: str | None = None
    config_dir: str | None = None
    overrides: tuple[str, ...] = ()
    cac_ceiling: float | None = None
    channels: tuple[str, ...] | None = None
    total_daily: float | None = None
    trials: int = 60
    seeds: int = 4
    validation_seeds: int = 8
    seed: int = 0
    burst: Burst | None = None
    curve_points: int = 5
    curve_seeds: int = 2

    @property
    def tuning_seeds(self) -> list[int]:
        """Seeds every candidate runs on (common random numbers)."""
        return list(range(self.seed, self.seed + self.seeds))

    @property
    def fresh_seeds(self) -> list[int]:
        """Validation seeds, disjoint from the tuning seeds."""
        start = self.seed + VALIDATION_OFFSET
        return list(range(start, start + self.validation_seeds))

    def runs(self, channels: int) -> int:
        """Model runs the plan needs with ``channels`` channels."""
        return (self.trials * self.seeds + 2 * self.validation_seeds
                + channels * self.curve_points * min(self.curve_seeds, self.seeds))


def parse_plan(name: str, raw: Mapping[str, Any]) -> BudgetPlan:
    """Validate a raw plan mapping (each bad value raises a ConfigError naming its key)."""
    check_keys(raw, PLAN_KEYS)
    objective = raw.get("objective", "profit")
    if objective not in OBJECTIVES:
        raise unknown_name("objective", objective, OBJECTIVES)
    channels = raw.get("channels")
    if channels is not None and (not isinstance(channels, list) or not all(isinstance(c, str) for c in channels)
                                 or len(set(channels)) < max(2, len(channels))):
        raise ConfigError("channels", channels, "a list of at least two different channel names, or null")
    ceiling = raw.get("cac_ceiling")
    total = raw.get("total_daily")
    curves = raw.get("curves") or {}
    if not isinstance(curves, Mapping):
        raise ConfigError("curves", curves, "a mapping with points and seeds")
    check_keys(curves, ("points", "seeds"), "curves.")
    return BudgetPlan(
        name=name, objective=objective, scenario=raw.get("scenario"), config_dir=raw.get("config_dir"),
        overrides=override_list(raw), channels=None if channels is None else tuple(channels),
        cac_ceiling=None if ceiling is None else real(raw, "cac_ceiling", 0.0, 1e-9),
        total_daily=None if total is None else real(raw, "total_daily", 0.0, 1e-9),
        trials=whole(raw, "trials", 60, 2), seeds=whole(raw, "seeds", 4, 1),
        validation_seeds=whole(raw, "validation_seeds", 8, 2), seed=whole(raw, "seed", 0, 0),
        burst=parse_burst(raw.get("timing")), curve_points=whole(curves, "points", 5, 2, "curves."),
        curve_seeds=whole(curves, "seeds", 2, 1, "curves."))


def parse_burst(timing: Any) -> Burst | None:
    """Validate ``timing``: null (always-on only) or ``{from_day, to_day, max_burst_share}``."""
    if timing is None:
        return None
    if not isinstance(timing, Mapping):
        raise ConfigError("timing", timing, "null or a mapping with from_day, to_day and max_burst_share")
    check_keys(timing, ("from_day", "to_day", "max_burst_share"), "timing.")
    start = whole(timing, "from_day", None, 0, "timing.")
    stop = whole(timing, "to_day", None, 0, "timing.")
    if start is None or stop is None or stop < start:
        raise ConfigError("timing", dict(timing), "from_day and to_day with from_day <= to_day")
    share = real(timing, "max_burst_share", 0.8, 0.0, "timing.")
    if share > 1:
        raise ConfigError("timing.max_burst_share", share, "a share from 0 to 1")
    return Burst(start, stop, share)


@dataclass(frozen=True)
class Problem:
    """A plan bound to its base config: channel names, the total and the run length."""

    plan: BudgetPlan
    config: dict[str, Any]
    channels: tuple[str, ...]
    total_daily: float
    days: int

    @property
    def configured(self) -> Allocation:
        """The configured split of the channels (the baseline every candidate is compared with)."""
        budgets = np.array([float(self.config["channels"][c]["daily_budget"]) for c in self.channels])
        if budgets.sum() <= 0:
            return Allocation(self.channels, np.full(len(self.channels), 1.0 / len(self.channels)))
        return Allocation(self.channels, budgets / budgets.sum())


def bind(plan: BudgetPlan, config: Mapping[str, Any]) -> Problem:
    """Check the plan's channels, total and burst against the base config."""
    names = tuple(config["channels"])
    channels = plan.channels or tuple(c for c in names if float(config["channels"][c]["daily_budget"]) > 0)
    for channel in channels:
        if channel not in names:
            raise unknown_name("channels", channel, names)
    if len(channels) < 2:
        raise ConfigError("channels", list(channels), "at least two channels to split a budget between")
    total = plan.total_daily
    if total is None:
        total = sum(float(config["channels"][c]["daily_budget"]) for c in channels)
        if total <= 0:
            raise ConfigError("total_daily", None, "a positive daily total (the channels have no configured budget)")
    days = int(config["days"])
    if plan.burst is not None and (plan.burst.to_day >= days or plan.burst.days >= days):
        raise ConfigError("timing.to_day", plan.burst.to_day, f"a day before the run's end (days = {days}), "
                                                               "leaving some days outside the burst")
    return Problem(plan, dict(config), tuple(channels), float(total), days)


# =========================================================================== allocations
BUDGET_STEP = 1e-4
"""Budgets in a plan are whole multiples of this (currency per day), rounded down."""


def floor_budget(daily: float) -> float:
    """``daily`` rounded down to :data:`BUDGET_STEP` (never up, so sums stay within the total)."""
    return round(math.floor(daily / BUDGET_STEP * (1 + 1e-12)) * BUDGET_STEP, 4) if daily > 0 else 0.0

@dataclass(frozen=True)
class Allocation:
    """Shares of the total for each channel (summing to 1), and the share spent in the burst.

    Attributes
    ----------
    channels : tuple of str
        The channels split between.
    shares : ndarray
        Share of the total per channel, 0..1, summing to 1.
    burst_share : float
        Share of every channel's budget spent in the burst window (0: always-on only).
    """

    channels: tuple[str, ...]
    shares: np.ndarray
    burst_share: float = 0.0

    @classmethod
    def from_unit(cls, channels: Sequence[str], u: Sequence[float], burst_share: float = 0.0) -> Allocation:
        """Shares ``-log(u) / sum(-log(u))``: uniform ``u`` gives a uniform point of the simplex."""
        weights = -np.log(np.clip(np.asarray(u, dtype=np.float64), 1e-300, 1.0))
        if weights.sum() <= 0:
            weights = np.ones(len(channels))
        return cls(tuple(channels), weights / weights.sum(), float(burst_share))

    def unit(self) -> list[float]:
        """Coordinates ``u`` with :meth:`from_unit` giving back these shares."""
        return [float(math.exp(-s)) for s in self.shares]

    def daily(self, total_daily: float) -> dict[str, float]:
        """Mean daily budget per channel, currency per day at reference size."""
        return {c: float(s * total_daily) for c, s in zip(self.channels, self.shares, strict=True)}

    def lever(self, total_daily: float, days: int, burst: Burst | None = None) -> dict[str, Any]:
        """The plan as a ``budget_plan`` lever (always-on, plus the burst when it has a share).

        Each channel spends ``share * total_daily * days`` over the run: ``(1 - burst_share)`` of
        it evenly on the days outside the burst and ``burst_share`` evenly on the burst days.
        Budgets are rounded down to :data:`BUDGET_STEP`, so the plan never exceeds the total.
        """
        channels: dict[str, Any] = {}
        for channel, daily in self.daily(total_daily).items():
            if burst is None or self.burst_share <= 0:
                channels[channel] = floor_budget(daily)
                continue
            budget = daily * days
            channels[channel] = {
                "daily": floor_budget((1 - self.burst_share) * budget / (days - burst.days)),
                "bursts": [{"from_day": burst.from_day, "to_day": burst.to_day,
                            "daily": floor_budget(self.burst_share * budget / burst.days)}]}
        return {"type": "budget_plan", "channels": channels}

    def label(self) -> str:
        """Shares in words."""
        text = ", ".join(f"{c} {s:.0%}" for c, s in zip(self.channels, self.shares, strict=True))
        return text + (f"; {self.burst_share:.0%} in the burst" if self.burst_share > 0 else "")


def plan_config(problem: Problem, allocation: Allocation) -> dict[str, Any]:
    """The base config with the allocation's lever after the scenario's own levers."""
    config = problem.config
    scenario = dict(config.get("scenario") or {})
    lever = allocation.lever(problem.total_daily, problem.days, problem.plan.burst)
    scenario["levers"] = [*(scenario.get("levers") or []), lever]
    return {**config, "scenario": scenario}


def planned_spend(problem: Problem, allocation: Allocation) -> float:
    """Budget the allocation plans for the optimised channels over the run, currency at reference size."""
    from journeysim.scenarios.levers import planned_budgets
    from journeysim.sim.config import parse_config

    spec = parse_config(plan_config(problem, allocation))
    columns = [spec.channel_names.index(c) for c in problem.channels]
    return float(planned_budgets(spec)[:, columns].sum())


# =========================================================================== evaluation
def run_kpis(model: JourneyModel) -> dict[str, float]:
    """The KPIs of :data:`KPIS` of a finished run."""
    from journeysim.sim import kpis

    spend = kpis.spend(model)
    return {"profit": kpis.total(model, "margin") - spend, "acquisitions": float(kpis.acquisitions(model)),
            "revenue": kpis.revenue(model), "spend": spend, "cac": kpis.cac(model)}


@dataclass(frozen=True)
class PlanRun:
    """One run of a candidate plan at a seed (picklable, for joblib workers)."""

    config: dict[str, Any]

    def __call__(self, task: tuple[dict[str, Any], int]) -> dict[str, float]:
        """KPIs of the run of ``task = (lever, seed)``."""
        lever, seed = task
        scenario = dict(self.config.get("scenario") or {})
        scenario["levers"] = [*(scenario.get("levers") or []), lever]
        return run_kpis(run_config({**self.config, "scenario": scenario, "seed": seed}))


def evaluate(problem: Problem, allocations: Sequence[Allocation], seeds: Sequence[int], jobs: int = 1,
             backend: str = "loky") -> list[list[dict[str, float]]]:
    """KPIs of every allocation at every seed: ``result[i][k]`` for allocation i, seed k."""
    tasks = [(a.lever(problem.total_daily, problem.days, problem.plan.burst), s) for a in allocations for s in seeds]
    results = parallel_map(PlanRun(quiet(problem.config)), tasks, jobs, backend)
    n = len(seeds)
    return [results[i * n:(i + 1) * n] for i in range(len(allocations))]


def score(runs: Sequence[Mapping[str, float]], objective: str) -> dict[str, float]:
    """Mean of each KPI over seeds; ``cac`` as total spend / total new customers."""
    out = {k: float(np.mean([r[k] for r in runs])) for k in ("profit", "acquisitions", "revenue", "spend")}
    out["cac"] = out["spend"] / out["acquisitions"] if out["acquisitions"] > 0 else math.inf
    out["objective"] = out[objective]
    return out


# =========================================================================== search
@dataclass
class Optimisation:
    """A finished optimisation.

    Attributes
    ----------
    problem : Problem
        The bound plan.
    trials : DataFrame
        One row per candidate: ``trial``, the shares (``share_<channel>``), ``burst_share``, the mean
        KPIs over the tuning seeds and ``feasible`` (mean CAC within the ceiling).
    best, baseline : Allocation
        The best feasible candidate, and the configured split.
    validation : DataFrame
        Fresh-seed runs: ``plan`` (best or baseline), ``seed`` and the KPIs.
    curves : DataFrame
        Response curves: ``channel``, ``daily`` (its budget, currency/day at reference size) and mean KPIs.
    runs : int
        Model runs done.
    wall_seconds : float
        Time taken.
    """

    problem: Problem
    trials: pd.DataFrame
    best: Allocation
    baseline: Allocation
    validation: pd.DataFrame = field(default_factory=pd.DataFrame)
    curves: pd.DataFrame = field(default_factory=pd.DataFrame)
    runs: int = 0
    wall_seconds: float = 0.0

    @property
    def objective(self) -> str:
        """The KPI maximised."""
        return self.problem.plan.objective

    def _by_seed(self, plan: str, kpi: str) -> dict[int, float]:
        rows = self.validation[self.validation["plan"] == plan]
        return dict(zip(rows["seed"].astype(int), rows[kpi].astype(float), strict=True))

    def interval(self, plan: str = "best", kpi: str | None = None) -> Interval:
        """Mean of a KPI over the fresh seeds with its 95% t interval (``plan``: best or baseline)."""
        return mean_interval(self._by_seed(plan, kpi or self.objective).values())

    def improvement(self, kpi: str | None = None) -> Interval:
        """Best minus baseline on the fresh seeds, paired by seed, with its 95% t interval."""
        kpi = kpi or self.objective
        return paired_difference(self._by_seed("best", kpi), self._by_seed("baseline", kpi))

    def scenario_yaml(self, name: str = "best_plan") -> str:
        """The best plan as a scenario file (``# @package _global_``) for ``DIR/scenario/<name>.yaml``."""
        p, gain = self.problem.plan, self.improvement()
        notes = [f"Found by journey-optimise (plan {p.name}): {self.best.label()}.",
                 f"Total {self.problem.total_daily:,.2f}/day at reference size over {self.problem.days} days, as the "
                 f"configured split ({self.baseline.label()}).",
                 f"{self.objective} vs configured split on {gain.n} fresh seeds: {gain.estimate:+,.4g} "
                 f"(95% interval {gain.low:+,.4g} to {gain.high:+,.4g}).",
                 f"Run: journey --config-dir DIR scenario={name}  (this file is DIR/scenario/{name}.yaml)."]
        return global_scenario_yaml(plan_config(self.problem, self.best), name,
                                    f"Best budget plan: which split of the same total maximises {self.objective}?",
                                    notes)

    def allocation_table(self) -> pd.DataFrame:
        """Baseline and best daily budget per channel, currency per day at reference size."""
        total = self.problem.total_daily
        return pd.DataFrame({"channel": self.problem.channels,
                             "baseline_daily": list(self.baseline.daily(total).values()),
                             "best_daily": list(self.best.daily(total).values()),
                             "best_share": self.best.shares})

    def markdown(self) -> str:
        """The best plan, its interval and the improvement, as Markdown."""
        p, best, base, gain = self.problem.plan, self.interval("best"), self.interval("baseline"), self.improvement()
        lines = [f"Budget optimisation `{p.name}`: maximise **{self.objective}**"
                 + (f" with CAC at most {p.cac_ceiling:,.4g}" if p.cac_ceiling else "")
                 + f"; {self.problem.total_daily:,.2f}/day at reference size over {self.problem.days} days; "
                 f"{len(self.trials)} candidates x {p.seeds} seeds; {self.runs:,} runs in {self.wall_seconds:,.0f} s.",
                 "", "| channel | configured /day | best /day | best share |", "|---|---:|---:|---:|"]
        for row in self.allocation_table().to_dict("records"):
            lines.append(f"| {row['channel']} | {row['baseline_daily']:,.2f} | {row['best_daily']:,.2f} | "
                         f"{row['best_share']:.1%} |")
        if p.burst is not None:
            lines += ["", f"Burst days {p.burst.from_day}-{p.burst.to_day}: best plan spends "
                          f"{self.best.burst_share:.0%} of each channel's budget there."]
        lines += ["", f"On {best.n} fresh seeds (not tuned on): best {best.estimate:,.4g} "
                      f"({best.low:,.4g} to {best.high:,.4g}), configured split {base.estimate:,.4g} "
                      f"({base.low:,.4g} to {base.high:,.4g}); difference paired by seed "
                      f"{gain.estimate:+,.4g} (95% interval {gain.low:+,.4g} to {gain.high:+,.4g})."]
        return "\n".join(lines) + "\n"

    def report(self) -> dict[str, Any]:
        """What was run, what it cost and what it found (``optimisation.json``)."""
        p = self.problem.plan
        return {"plan": plan_mapping(p), "channels": list(self.problem.channels),
                "total_daily": self.problem.total_daily, "days": self.problem.days, "runs": self.runs,
                "wall_seconds": round(self.wall_seconds, 2), "tuning_seeds": p.tuning_seeds,
                "validation_seeds": p.fresh_seeds,
                "best": {"daily": self.best.daily(self.problem.total_daily), "burst_share": self.best.burst_share},
                "baseline": {"daily": self.baseline.daily(self.problem.total_daily)},
                "validation": {"best": vars(self.interval("best")), "baseline": vars(self.interval("baseline")),
                               "difference": vars(self.improvement())}}

    def write(self, out_dir: str | Path, name: str = "best_plan", figures: bool = True) -> list[Path]:
        """Write ``trials.csv``, ``allocation.csv``, ``validation.csv``, ``curves.csv``, ``best_plan.md``,
        ``optimisation.json``, ``scenario/<name>.yaml`` and the figures ``response.png`` and ``tradeoff.png``."""
        from journeysim.outputs import atomic_write, write_csv, write_figure, write_json

        out = Path(out_dir)
        yaml_text, text = self.scenario_yaml(name), self.markdown()
        written = [write_csv(out / "trials.csv", self.trials),
                   write_csv(out / "allocation.csv", self.allocation_table()),
                   write_csv(out / "validation.csv", self.validation), write_csv(out / "curves.csv", self.curves),
                   atomic_write(out / "best_plan.md", lambda tmp: tmp.write_text(text)),
                   write_json(out / "optimisation.json", self.report()),
                   atomic_write(out / "scenario" / f"{name}.yaml", lambda tmp: tmp.write_text(yaml_text))]
        if figures and not self.curves.empty:
            written.append(write_figure(out / "response.png", response_figure(self)))
        if figures:
            written.append(write_figure(out / "tradeoff.png", tradeoff_figure(self)))
        return written


def search(problem: Problem, jobs: int = 1, backend: str = "loky") -> pd.DataFrame:
    """Optuna's TPE over the simplex of shares (and the burst share), every candidate on the tuning seeds.

    The configured split and an equal split are the first candidates. Candidates are asked in
    batches of ``jobs`` and their runs (candidates x seeds) go to the workers together.
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    plan = problem.plan
    ceiling = plan.cac_ceiling
    constraints = (lambda t: [t.user_attrs["cac"] - ceiling]) if ceiling else None
    sampler = optuna.samplers.TPESampler(seed=plan.seed, n_startup_trials=min(10, max(2, plan.trials // 3)),
                                         multivariate=True, constraints_func=constraints)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    for start in (problem.configured, Allocation(problem.channels, np.full(len(problem.channels),
                                                                           1 / len(problem.channels)))):
        study.enqueue_trial(_params(start))
    batch = max(1, jobs if jobs > 0 else (os.cpu_count() or 1))
    rows: list[dict[str, Any]] = []
    while len(rows) < plan.trials:
        trials = [study.ask() for _ in range(min(batch, plan.trials - len(rows)))]
        allocations = [_allocation(problem, t) for t in trials]
        for trial, allocation, runs in zip(trials, allocations, evaluate(problem, allocations, plan.tuning_seeds,
                                                                         jobs, backend), strict=True):
            kpis = score(runs, plan.objective)
            trial.set_user_attr("cac", kpis["cac"])
            study.tell(trial, kpis["objective"])
            rows.append({"trial": trial.number, **{f"share_{c}": s for c, s in zip(allocation.channels,
                                                                                 allocation.shares, strict=True)},
                         "burst_share": allocation.burst_share, **kpis,
                         "feasible": bool(ceiling is None or kpis["cac"] <= ceiling)})
    return pd.DataFrame(rows)


def _params(allocation: Allocation) -> dict[str, float]:
    params = {f"u_{c}": u for c, u in zip(allocation.channels, allocation.unit(), strict=True)}
    params["burst_share"] = allocation.burst_share
    return params


def _allocation(problem: Problem, trial) -> Allocation:
    u = [trial.suggest_float(f"u_{c}", 1e-6, 1.0) for c in problem.channels]
    burst = problem.plan.burst
    share = trial.suggest_float("burst_share", 0.0, burst.max_share) if burst is not None else 0.0
    return Allocation.from_unit(problem.channels, u, share)


def allocation_of(problem: Problem, row: Mapping[str, Any]) -> Allocation:
    """The allocation of a ``trials`` row."""
    shares = np.array([row[f"share_{c}"] for c in problem.channels], dtype=np.float64)
    return Allocation(problem.channels, shares / shares.sum(), float(row["burst_share"]))


def best_row(trials: pd.DataFrame) -> pd.Series:
    """The feasible trial with the highest objective (the least infeasible one when none is feasible)."""
    feasible = trials[trials["feasible"]]
    if feasible.empty:
        return trials.loc[trials["cac"].idxmin()]
    return feasible.loc[feasible["objective"].idxmax()]


def validate(problem: Problem, best: Allocation, baseline: Allocation, jobs: int = 1,
             backend: str = "loky") -> pd.DataFrame:
    """Best and configured split on the fresh seeds (paired: the same seeds for both)."""
    seeds = problem.plan.fresh_seeds
    best_runs, base_runs = evaluate(problem, [best, baseline], seeds, jobs, backend)
    rows = [{"plan": "best", "seed": s, **r} for s, r in zip(seeds, best_runs, strict=True)]
    rows += [{"plan": "baseline", "seed": s, **r} for s, r in zip(seeds, base_runs, strict=True)]
    return pd.DataFrame(rows)


def response_curves(problem: Problem, best: Allocation, jobs: int = 1, backend: str = "loky") -> pd.DataFrame:
    """KPIs against one channel's always-on daily budget (0 to the whole total), the others at the best plan.

    Runs on the first ``curve seeds`` tuning seeds (common random numbers across points).
    """
    plan = problem.plan
    seeds = plan.tuning_seeds[: plan.curve_seeds]
    grid = np.linspace(0.0, problem.total_daily, plan.curve_points)
    base = best.lever(problem.total_daily, problem.days, plan.burst)
    tasks, index = [], []
    for channel in problem.channels:
        for daily in grid:
            lever = {"type": "budget_plan", "channels": {**base["channels"], channel: float(daily)}}
            tasks += [(lever, s) for s in seeds]
            index.append((channel, float(daily)))
    results = parallel_map(PlanRun(quiet(problem.config)), tasks, jobs, backend)
    n = len(seeds)
    rows = [{"channel": c, "daily": d, **score(results[i * n:(i + 1) * n], plan.objective)}
            for i, (c, d) in enumerate(index)]
    return pd.DataFrame(rows)


def optimise(plan: BudgetPlan, jobs: int = 1, backend: str = "loky", curves: bool = True) -> Optimisation:
    """Search, validate on fresh seeds and trace the response curves.

    Parameters
    ----------
    plan : BudgetPlan
        What to maximise, over which channels, with how many candidates and seeds.
    jobs : int
        Worker processes (joblib; -1: every core).
    backend : str
        ``loky`` or ``ray`` (see :func:`journeysim.experiments.runner.run_many`).
    curves : bool
        Also trace the per-channel response curves.
    """
    started = time.perf_counter()
    problem = bind(plan, compose_base(plan.scenario, plan.overrides, plan.config_dir))
    trials = search(problem, jobs, backend)
    best = allocation_of(problem, best_row(trials))
    result = Optimisation(problem, trials, best, problem.configured)
    result.validation = validate(problem, best, result.baseline, jobs, backend)
    result.curves = response_curves(problem, best, jobs, backend) if curves else pd.DataFrame()
    result.runs = len(trials) * plan.seeds + len(result.validation) + len(result.curves) * min(plan.curve_seeds,
                                                                                                 plan.seeds)
    result.wall_seconds = time.perf_counter() - started
    return result


# =========================================================================== figures
def plot_response(curves: pd.DataFrame, kpi: str, best: Mapping[str, float] | None = None,
                  ax: Axes | None = None, **kwargs: Any) -> Axes:
    """A KPI against each channel's daily budget, the others held at the best plan.

    Parameters
    ----------
    curves : DataFrame
        From :func:`response_curves` (``channel``, ``daily`` and KPI columns).
    kpi : str
        The KPI plotted (its unit on the y-axis).
    best : mapping, optional
        The best plan's daily budget per channel, marked on each curve.
    ax : Axes, optional
        Where to draw (default: a new figure).
    **kwargs
        Passed to ``plot`` (over ``{"marker": "o", "markersize": 3}``).
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.subplots(figsize=(5, 3.5))[1]
    for k, (channel, rows) in enumerate(curves.groupby("channel", sort=False)):
        color = f"C{k % 10}"
        ax.plot(rows["daily"], rows[kpi], color=color, label=channel, **{"marker": "o", "markersize": 3, **kwargs})
        if best is not None and channel in best:
            ax.plot([best[channel]], [np.interp(best[channel], rows["daily"], rows[kpi])], marker="*",
                    markersize=12, color=color, linestyle="none")
    ax.set_xlabel("channel's daily budget (others at the best plan), currency/day at reference size")
    ax.set_ylabel(kpi)
    ax.legend(fontsize="x-small")
    return ax


def response_figure(result: Optimisation) -> Figure:
    """Response curves: the objective and acquisitions against each channel's budget."""
    import matplotlib.pyplot as plt

    kpis = [result.objective] + [k for k in ("acquisitions", "profit") if k != result.objective][:1]
    fig, axes = plt.subplots(1, len(kpis), figsize=(6.5 * len(kpis), 4.2), squeeze=False)
    best = result.best.daily(result.problem.total_daily)
    for ax, kpi in zip(axes[0], kpis, strict=True):
        plot_response(result.curves, kpi, best, ax=ax)
        ax.set_title(f"{kpi} response (star: best plan)")
    fig.suptitle(f"Response curves, mean of {min(result.problem.plan.curve_seeds, result.problem.plan.seeds)} "
                 "seeds (common random numbers)", fontsize="medium")
    fig.tight_layout()
    return fig


def plot_tradeoff(trials: pd.DataFrame, x: str = "acquisitions", y: str = "profit", best: int | None = None,
                  baseline: int | None = None, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Every candidate's mean KPIs, one against the other, with the best and configured plans marked.

    Parameters
    ----------
    trials : DataFrame
        From :func:`search` (KPI columns, ``trial``, ``feasible``).
    x, y : str
        The KPIs on the axes.
    best, baseline : int, optional
        Trial numbers to mark.
    ax : Axes, optional
        Where to draw (default: a new figure).
    **kwargs
        Passed to ``scatter`` (over ``{"s": 18, "alpha": 0.7}``).
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.subplots(figsize=(5, 4))[1]
    feasible = trials["feasible"].to_numpy(bool)
    style = {"s": 18, "alpha": 0.7, **kwargs}
    ax.scatter(trials.loc[feasible, x], trials.loc[feasible, y], color="tab:blue", label="candidate", **style)
    if (~feasible).any():
        ax.scatter(trials.loc[~feasible, x], trials.loc[~feasible, y], color="tab:gray", marker="x",
                   label="over the CAC ceiling", **style)
    for number, label, color in ((baseline, "configured split", "tab:orange"), (best, "best", "tab:red")):
        if number is not None:
            row = trials[trials["trial"] == number].iloc[0]
            ax.scatter([row[x]], [row[y]], s=120, marker="*", color=color, label=label, zorder=3)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.legend(fontsize="x-small")
    return ax


def plot_allocation(table: pd.DataFrame, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Configured and best daily budget per channel (bars), currency per day at reference size."""
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.subplots(figsize=(5, 4))[1]
    y = np.arange(len(table))
    style = {"height": 0.4, **kwargs}
    ax.barh(y + 0.2, table["baseline_daily"], color="tab:orange", label="configured split", **style)
    ax.barh(y - 0.2, table["best_daily"], color="tab:red", label="best plan", **style)
    ax.set_yticks(y, table["channel"])
    ax.invert_yaxis()
    ax.set_xlabel("daily budget, currency/day at reference size")
    ax.legend(fontsize="x-small")
    return ax


def tradeoff_figure(result: Optimisation) -> Figure:
    """Candidates' acquisitions against profit (and CAC against revenue), and the best allocation."""
    import matplotlib.pyplot as plt

    trials = result.trials
    best_trial = int(best_row(trials)["trial"])
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.5))
    plot_tradeoff(trials, "acquisitions", "profit", best_trial, 0, ax=axes[0])
    plot_tradeoff(trials, "cac", "revenue", best_trial, 0, ax=axes[1])
    if result.problem.plan.cac_ceiling:
        axes[1].axvline(result.problem.plan.cac_ceiling, color="tab:gray", linestyle="--")
    plot_allocation(result.allocation_table(), ax=axes[2])
    gain = result.improvement()
    axes[2].set_title(f"{result.objective} on fresh seeds: {gain.estimate:+,.4g} "
                      f"({gain.low:+,.4g} to {gain.high:+,.4g})", fontsize="small")
    axes[0].set_title(f"{len(trials)} candidates, mean of {result.problem.plan.seeds} seeds", fontsize="small")
    axes[1].set_title("CAC against revenue", fontsize="small")
    fig.tight_layout()
    return fig


# =========================================================================== command line
def plan_mapping(plan: BudgetPlan) -> dict[str, Any]:
    """The plan as a YAML/JSON-ready mapping (as run)."""
    timing = None if plan.burst is None else {"from_day": plan.burst.from_day, "to_day": plan.burst.to_day,
                                              "max_burst_share": plan.burst.max_share}
    return {"scenario": plan.scenario, "config_dir": plan.config_dir, "overrides": list(plan.overrides),
            "objective": plan.objective, "cac_ceiling": plan.cac_ceiling,
            "channels": None if plan.channels is None else list(plan.channels), "total_daily": plan.total_daily,
            "trials": plan.trials, "seeds": plan.seeds, "validation_seeds": plan.validation_seeds, "seed": plan.seed,
            "timing": timing, "curves": {"points": plan.curve_points, "seeds": plan.curve_seeds}}


def parser() -> argparse.ArgumentParser:
    """The command line of ``journey-optimise``."""
    p = argparse.ArgumentParser(
        prog="journey-optimise",
        description="Split a fixed total budget across channels (and always-on vs a burst) to maximise profit, "
                    "acquisitions or revenue (with a CAC ceiling); every candidate on the same seeds.")
    p.add_argument("plan", nargs="?", default="budget",
                   help="a plan in conf/calibration (by name) or a YAML file (default: budget)")
    p.add_argument("overrides", nargs="*", metavar="key=value", help="config overrides for every run")
    p.add_argument("--objective", choices=OBJECTIVES, help="KPI to maximise (overrides the plan's)")
    p.add_argument("--cac-ceiling", type=float, help="largest mean CAC allowed (overrides the plan's)")
    p.add_argument("--trials", type=int, help="candidate plans (overrides the plan's)")
    p.add_argument("--seeds", type=int, help="tuning seeds per candidate (overrides the plan's)")
    p.add_argument("--validation-seeds", type=int, help="fresh seeds for best vs configured (overrides the plan's)")
    p.add_argument("--jobs", type=int, default=-1, help="worker processes (default -1: every core)")
    p.add_argument("--backend", default="loky", choices=BACKENDS, help="joblib backend (default loky)")
    p.add_argument("--out", help="output directory (default: optimise/<plan>/<time>)")
    p.add_argument("--name", default="best_plan", help="name of the best-plan scenario (default best_plan)")
    p.add_argument("--no-curves", action="store_true", help="skip the response curves")
    p.add_argument("--no-figures", action="store_true", help="skip response.png and tradeoff.png")
    return p


def plan_from_args(args: argparse.Namespace) -> BudgetPlan:
    """The plan named on the command line with its flags and overrides applied."""
    if "=" in args.plan:  # no plan named: the first word is an override
        args.overrides, args.plan = [args.plan, *args.overrides], parser().get_default("plan")
    name, raw = read_plan_file(args.plan)
    flags = {"objective": args.objective, "cac_ceiling": args.cac_ceiling, "trials": args.trials,
             "seeds": args.seeds, "validation_seeds": args.validation_seeds}
    raw = {**raw, **{k: v for k, v in flags.items() if v is not None}}
    for override in args.overrides:
        if "=" not in override:
            raise ConfigError("override", override, "key=value")
    raw["overrides"] = [*(raw.get("overrides") or []), *args.overrides]
    return parse_plan(name, raw)


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``journey-optimise``; returns 0, or exits 2 on bad input."""
    args = parser().parse_intermixed_args(argv)
    try:
        plan = plan_from_args(args)
        result = optimise(plan, jobs=args.jobs, backend=args.backend, curves=not args.no_curves)
    except ConfigError as error:
        print(f"journey-optimise: error: {error}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None
    out = Path(args.out or Path("optimise") / plan.name / time.strftime("%Y-%m-%d_%H-%M-%S"))
    written = result.write(out, args.name, figures=not args.no_figures)
    print(result.markdown())
    print(f"run it: journey --config-dir {out} scenario={args.name}")
    print("written: " + ", ".join(str(path) for path in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
