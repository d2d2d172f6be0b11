"""Morris elementary effects (SALib): the design, one mean KPI per design point, and the indices.

Every design point runs on the same seeds (common random numbers), through
:func:`journeysim.experiments.runner.run_many`.

SALib 1.6: the same ``num_levels`` goes to ``sample`` and ``analyze`` (a mismatch silently
changes the result), and ``Y`` follows ``X``'s row order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from journeysim.experiments.keys import set_keys
from journeysim.experiments.runner import run_many
from journeysim.experiments.sensitivity.plan import Plan, base_config, bind
from journeysim.experiments.sensitivity.result import SensitivityResult, design_values
from journeysim.sim.errors import unknown_name


def sample(plan: Plan) -> np.ndarray:
    """The Morris design: ``trajectories * (parameters + 1)`` rows, one column per parameter."""
    from SALib.sample import morris as morris_sample

    return morris_sample.sample(plan.problem, N=plan.trajectories, num_levels=plan.num_levels, seed=plan.seed)


def kpi_of_point(config: dict[str, Any], values: dict[str, float | int], seeds: Sequence[int], kpi: str) -> float:
    """Mean KPI over ``seeds`` of runs of ``config`` with ``values`` set (one design point)."""
    from journeysim.runner import run
    from journeysim.scenarios.spec import parse_config

    results = []
    for seed in seeds:
        spec = parse_config({**set_keys(config, values), "seed": seed})
        kpis = run(spec).summary["kpis"]
        if kpi not in kpis or isinstance(kpis[kpi], dict):
            choices = [k for k, v in kpis.items() if not isinstance(v, dict)]
            raise unknown_name("kpi", kpi, choices)
        results.append(np.nan if kpis[kpi] is None else float(kpis[kpi]))
    return float(np.mean(results))


def evaluate(plan: Plan, config: dict[str, Any], X: np.ndarray, jobs: int = 1,
             progress: Callable[[int], None] | None = None) -> np.ndarray:
    """The KPI at every design row, in the rows' order (SALib pairs ``Y[i]`` with ``X[i]``).

    Parameters
    ----------
    plan : Plan
        The bound plan (see :func:`bind`).
    config : dict
        The base config.
    X : ndarray
        The design from :func:`sample`.
    jobs : int
        Worker processes; 1 runs in this process.
    progress : callable, optional
        Called with the number of design points done.
    """
    points = design_values(plan, X)
    runs = [partial(kpi_of_point, config, point, plan.seeds, plan.kpi) for point in points]
    return np.array(run_many(runs, jobs, progress=progress).values(), dtype=np.float64)


def analyse(plan: Plan, X: np.ndarray, Y: np.ndarray, conf_level: float = 0.95) -> pd.DataFrame:
    """Morris indices per parameter, most influential first.

    Returns
    -------
    DataFrame
        ``parameter``, ``mu`` (mean elementary effect: the sign says the direction), ``mu_star``
        (mean absolute effect: the influence), ``sigma`` (spread: interaction or non-linearity)
        and ``mu_star_conf`` (bootstrap half-width of mu*), all in the KPI's unit per
        parameter range.
    """
    from SALib.analyze import morris

    indices = morris.analyze(plan.problem, X, Y, num_levels=plan.num_levels, conf_level=conf_level,
                             print_to_console=False, seed=plan.seed)
    table = pd.DataFrame({"parameter": list(indices["names"]), "mu": indices["mu"], "mu_star": indices["mu_star"],
                          "sigma": indices["sigma"], "mu_star_conf": indices["mu_star_conf"]})
    return table.sort_values("mu_star", ascending=False, kind="stable").reset_index(drop=True)


def run_sensitivity(plan: Plan, jobs: int = 1, progress: Callable[[int], None] | None = None) -> SensitivityResult:
    """Bind, sample, run and analyse ``plan`` (no files written)."""
    config = base_config(plan)
    plan = bind(plan, config)
    X = sample(plan)
    Y = evaluate(plan, config, X, jobs=jobs, progress=progress)
    from journeysim.units import currency_from

    return SensitivityResult(plan, X, Y, analyse(plan, X, Y), currency=currency_from(config))
