"""Budget search: Optuna's TPE over the simplex of shares, validation on fresh seeds, response curves.

Why Optuna in-process rather than Hydra's Optuna sweeper: the sweeper (hydra-optuna-sweeper
1.3) caps Optuna at 2.10, samples each parameter on its own range (no simplex, so totals would
drift) and runs each candidate on one seed; here every candidate is a point of the simplex, so
its total is the budget exactly, and is scored on the same seeds as every other candidate.
Every model run goes through :func:`journeysim.experiments.runner.run_many`.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeysim.experiments.compose import compose_base
from journeysim.experiments.optimisation.allocation import Allocation, Problem, bind
from journeysim.experiments.optimisation.plan import BudgetPlan
from journeysim.experiments.optimisation.result import Optimisation, best_row
from journeysim.experiments.runner import chunks, parallel_map, quiet, run_config

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel


KPIS = ("profit", "acquisitions", "revenue", "spend", "cac")
"""KPIs recorded per run: currency, new customers, currency, currency, currency per new customer."""


def run_kpis(model: JourneyModel) -> dict[str, float]:
    """The KPIs of :data:`KPIS` of a finished run."""
    from journeysim.sim import kpis

    spend = kpis.spend(model)
    return {"profit": kpis.total(model, "margin") - spend, "acquisitions": float(kpis.acquisitions(model)),
            "revenue": kpis.revenue(model), "spend": spend, "cac": kpis.cac(model)}


@dataclass(frozen=True)
class PlanRun:
    """One run of a candidate plan at a seed (picklable, for the runner's workers)."""

    config: dict[str, Any]

    def __call__(self, task: tuple[dict[str, Any] | list[dict[str, Any]], int]) -> dict[str, float]:
        """KPIs of the run of ``task = (lever, seed)`` (``lever`` may be a list of levers, applied in order)."""
        lever, seed = task
        levers = lever if isinstance(lever, list) else [lever]
        scenario = dict(self.config.get("scenario") or {})
        scenario["levers"] = [*(scenario.get("levers") or []), *levers]
        return run_kpis(run_config({**self.config, "scenario": scenario, "seed": seed}))


def evaluate(problem: Problem, allocations: Sequence[Allocation], seeds: Sequence[int], jobs: int = 1,
             backend: str | None = None) -> list[list[dict[str, float]]]:
    """KPIs of every allocation at every seed: ``result[i][k]`` for allocation i, seed k."""
    tasks = [(a.lever(problem.total_daily, problem.days, problem.plan.burst), s) for a in allocations for s in seeds]
    results = parallel_map(PlanRun(quiet(problem.config)), tasks, jobs, backend)
    n = len(seeds)
    return chunks(results, n)


def score(runs: Sequence[Mapping[str, float]], objective: str) -> dict[str, float]:
    """Mean of each KPI over seeds; ``cac`` as total spend / total new customers."""
    out = {k: float(np.mean([r[k] for r in runs])) for k in ("profit", "acquisitions", "revenue", "spend")}
    out["cac"] = out["spend"] / out["acquisitions"] if out["acquisitions"] > 0 else math.inf
    out["objective"] = out[objective]
    return out


def search(problem: Problem, jobs: int = 1, backend: str | None = None) -> pd.DataFrame:
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


def validate(problem: Problem, best: Allocation, baseline: Allocation, jobs: int = 1,
             backend: str | None = None) -> pd.DataFrame:
    """Best and configured split on the fresh seeds (paired: the same seeds for both)."""
    seeds = problem.plan.fresh_seeds
    best_runs, base_runs = evaluate(problem, [best, baseline], seeds, jobs, backend)
    rows = [{"plan": "best", "seed": s, **r} for s, r in zip(seeds, best_runs, strict=True)]
    rows += [{"plan": "baseline", "seed": s, **r} for s, r in zip(seeds, base_runs, strict=True)]
    return pd.DataFrame(rows)


def run_adaptive(problem: Problem, settings: Mapping[str, Any], jobs: int = 1,
                 backend: str | None = None) -> pd.DataFrame:
    """The adaptive budget (:func:`~journeysim.experiments.optimisation.adaptive.adaptive_levers`) on the
    plan's fresh validation seeds: ``plan`` (adaptive), ``seed`` and the KPIs."""
    from journeysim.experiments.optimisation.adaptive import adaptive_levers

    seeds = problem.plan.fresh_seeds
    levers = adaptive_levers(problem, settings)
    runs = parallel_map(PlanRun(quiet(problem.config)), [(levers, s) for s in seeds], jobs, backend)
    return pd.DataFrame([{"plan": "adaptive", "seed": s, **r} for s, r in zip(seeds, runs, strict=True)])


def response_curves(problem: Problem, best: Allocation, jobs: int = 1, backend: str | None = None) -> pd.DataFrame:
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
    rows = [{"channel": c, "daily": d, **score(runs, plan.objective)}
            for (c, d), runs in zip(index, chunks(results, n), strict=True)]
    return pd.DataFrame(rows)


def optimise(plan: BudgetPlan, jobs: int = 1, backend: str | None = None, curves: bool = True,
             adaptive: Mapping[str, Any] | None = None) -> Optimisation:
    """Search, validate on fresh seeds and trace the response curves (and compare the adaptive budget).

    Parameters
    ----------
    plan : BudgetPlan
        What to maximise, over which channels, with how many candidates and seeds.
    jobs : int
        Worker processes (-1: every core).
    backend : str
        A backend of :func:`journeysim.experiments.runner.run_many`.
    curves : bool
        Also trace the per-channel response curves.
    adaptive : mapping, optional
        Settings of the ``adaptive_budget`` lever (``{}``: its defaults): it also runs on the
        fresh seeds, from the configured split, and :meth:`Optimisation.adaptive_comparison`
        compares it with both static plans (:mod:`~journeysim.experiments.optimisation.adaptive`).
        None: not run.
    """
    from journeysim.experiments.optimisation.adaptive import check_adaptive

    started = time.perf_counter()
    problem = bind(plan, compose_base(plan.scenario, plan.overrides, plan.config_dir))
    if adaptive is not None:
        check_adaptive(problem, adaptive)  # a bad setting stops before the search
    trials = search(problem, jobs, backend)
    best = allocation_of(problem, best_row(trials))
    result = Optimisation(problem, trials, best, problem.configured)
    result.validation = validate(problem, best, result.baseline, jobs, backend)
    if adaptive is not None:
        result.adaptive = dict(adaptive)
        result.validation = pd.concat([result.validation, run_adaptive(problem, adaptive, jobs, backend)],
                                      ignore_index=True)
    result.curves = response_curves(problem, best, jobs, backend) if curves else pd.DataFrame()
    result.runs = len(trials) * plan.seeds + len(result.validation) + len(result.curves) * min(plan.curve_seeds,
                                                                                                 plan.seeds)
    result.wall_seconds = time.perf_counter() - started
    return result
