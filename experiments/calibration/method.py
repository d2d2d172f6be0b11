"""ABC-SMC (pyabc) of a calibration plan against observed data, and the posterior predictive runs.

Why pyabc's ABC-SMC rather than an Optuna point fit: the simulator is stochastic and has no
likelihood, and the question "does this look like my business?" needs the uncertainty of the
fitted values (which values the data cannot tell apart) as much as a best guess. ABC-SMC gives
a weighted sample of the posterior; a point optimiser gives one value and no interval.

Every model run goes through :func:`journeysim.experiments.runner.run_many`; each run's seed
depends only on its parameter values and the plan's seed, so a calibration repeats exactly
whatever the number of workers.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from journeysim.experiments.calibration.observed import Observed
from journeysim.experiments.calibration.plan import CalibrationPlan, bind
from journeysim.experiments.calibration.result import Calibration
from journeysim.experiments.calibration.statistics import (
    DAYS_PER_WEEK,
    FUNNEL_RATES,
    allowed_statistics,
    is_count,
    weekly_statistics,
)
from journeysim.experiments.compose import compose_base
from journeysim.experiments.keys import set_parameters
from journeysim.experiments.plans import Parameter
from journeysim.experiments.runner import ParallelMap, parallel_map, quiet, run_config
from journeysim.sim.errors import unknown_name


def run_seed(values: Mapping[str, float], base: int) -> int:
    """A seed that depends only on the parameter values and the plan's seed (reruns repeat)."""
    text = repr((base, sorted((k, round(float(v), 12)) for k, v in values.items())))
    return int(hashlib.blake2b(text.encode(), digest_size=4).hexdigest(), 16) % (2**31)


@dataclass
class Simulator:
    """The model as pyabc sees it: fitted-scale parameters in, the observed statistics out.

    Attributes
    ----------
    config : dict
        The base config (quiet outputs, the data's length in days).
    parameters : tuple of Parameter
        The fitted parameters.
    names : tuple of str
        Statistics compared.
    weeks, warmup_weeks : int
        Weeks of data, and simulated weeks before the first.
    count_scale : float
        Market size / population size.
    seed : int
        The plan's seed (mixed with the parameter values into each run's seed).
    """

    config: dict[str, Any]
    parameters: tuple[Parameter, ...]
    names: tuple[str, ...]
    weeks: int
    warmup_weeks: int = 0
    count_scale: float = 1.0
    seed: int = 0

    def values(self, point: Mapping[str, float]) -> dict[str, float | int]:
        """Config values of a pyabc parameter point."""
        return {p.name: p.value(point[p.key]) for p in self.parameters}

    def series(self, values: Mapping[str, float | int], seed: int) -> dict[str, np.ndarray]:
        """Full weekly series of a run with ``values`` set."""
        model = run_config({**set_parameters(self.config, values), "seed": seed})
        return weekly_statistics(model, self.names, self.weeks, self.warmup_weeks, self.count_scale)

    def __call__(self, point: Mapping[str, float]) -> dict[str, np.ndarray]:
        """The statistics pyabc compares with the data."""
        values = self.values(point)
        return self.series(values, run_seed(values, self.seed))


def prepare(plan: CalibrationPlan, observed: Observed, config: Mapping[str, Any] | None = None
            ) -> tuple[CalibrationPlan, Observed, Simulator, dict]:
    """Bind the plan to its base config and check the data against it.

    ``config`` is the plan's base config when the caller has composed it already (see
    :func:`base_config`). Returns the bound plan, the data compared, the simulator to fit with
    and the base config (as configured, with the data's length in days).
    """
    config = dict(config) if config is not None else base_config(plan)
    plan = bind(plan, config)
    allowed = allowed_statistics(tuple(config["channels"]))
    for name in observed.names:
        if name not in allowed:
            raise unknown_name(f"{observed.source}:1:{name}", name, allowed)
    if plan.statistics is not None:
        observed = observed.only(plan.statistics)
    size = int(config["population"]["size"])
    days = DAYS_PER_WEEK * (plan.warmup_weeks + observed.n_weeks)
    simulator = Simulator(quiet(config, days=days), plan.parameters, observed.names, observed.n_weeks,
                          plan.warmup_weeks, (plan.market_size or size) / size, plan.seed)
    return plan, observed, simulator, {**config, "days": days}


def base_config(plan: CalibrationPlan) -> dict[str, Any]:
    """The plan's base config (scenario, config folder and overrides), composed once."""
    return compose_base(plan.scenario, plan.overrides, plan.config_dir)


def calibrate(plan: CalibrationPlan, observed: Observed, jobs: int = 1, backend: str | None = None,
              db_path: str | Path | None = None, truth: Mapping[str, float] | None = None,
              verbose: bool = False, config: Mapping[str, Any] | None = None,
              keep_failed: bool = False) -> Calibration:
    """Fit ``plan``'s parameters to ``observed`` with ABC-SMC; then draw the posterior predictive.

    Parameters
    ----------
    plan : CalibrationPlan
        The parameters, their priors and the inference's size.
    observed : Observed
        The data (see :func:`read_observed`).
    jobs : int
        Worker processes (-1: every core).
    backend : str
        A backend of :func:`journeysim.experiments.runner.run_many`.
    db_path : str or Path, optional
        Where to keep pyabc's SQLite history once the inference has finished (default: nowhere).
        Until then it lives in a temporary folder, removed on every exit, so a calibration that
        fails or is interrupted leaves no database behind.
    truth : mapping, optional
        Known parameter values (synthetic data): the summary says whether each is covered.
    verbose : bool
        Show pyabc's log of each generation.
    config : mapping, optional
        The plan's base config, when already composed (:func:`base_config`).
    keep_failed : bool
        pyabc writes its history at ``db_path`` itself, so it is kept even when the inference
        fails or is interrupted (pyabc can load it).
    """
    import tempfile

    started = time.perf_counter()
    plan, observed, simulator, config = prepare(plan, observed, config)
    with tempfile.TemporaryDirectory(prefix="journeysim-abc-") as tmp:
        db = Path(db_path) if keep_failed and db_path is not None else Path(tmp) / "abc.db"
        particles, generations, simulations = run_abc(plan, simulator, observed.values, db, jobs, backend, verbose)
        if db_path is not None and not keep_failed:
            keep_history(db, Path(db_path))
    calibration = Calibration(plan, observed, particles, generations, simulations, {}, config,
                              truth=dict(truth or {}))
    calibration.predictive = posterior_predictive(calibration, simulator, jobs, backend)
    calibration.wall_seconds = time.perf_counter() - started
    return calibration


def keep_history(db: Path, path: Path) -> Path:
    """Move pyabc's SQLite history ``db`` (and a journal beside it) to ``path``."""
    import shutil

    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-journal", "-wal", "-shm"):
        companion = db.with_name(db.name + suffix)
        if companion.exists():
            shutil.move(companion, path.with_name(path.name + suffix))
    shutil.move(db, path)
    return path


def _not_an_interruption(record: logging.LogRecord) -> bool:
    """Logging filter: drop a record of an interruption (Ctrl-C, SIGTERM). SQLAlchemy logs, with its
    traceback, any exception raised while it closes pyabc's database connection, a signal's
    included, before it passes it on; the command reports the interruption once, in one line."""
    return not (record.exc_info and isinstance(record.exc_info[1], KeyboardInterrupt))


def run_abc(plan: CalibrationPlan, simulator: Simulator, observed: dict[str, np.ndarray], db: Path, jobs: int,
            backend: str, verbose: bool = False) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Run pyabc's ABC-SMC; returns the last generation's particles, the generations and the run count.

    The distance is pyabc's adaptive p-norm (p = 2) on standardised statistics: each simulated
    statistic is divided by its median absolute deviation across the generation's simulations,
    refitted every generation, so weekly counts and shares weigh alike.
    """
    import pyabc

    logging.getLogger("ABC").setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("sqlalchemy.pool").addFilter(_not_an_interruption)
    prior = pyabc.Distribution(**{p.key: pyabc.RV("uniform", p.bounds[0], p.bounds[1] - p.bounds[0])
                                  for p in plan.parameters})
    distance = pyabc.AdaptivePNormDistance(p=2, scale_function=pyabc.distance.mad)
    sampler = seeded_sampler(ParallelMap(jobs, backend))
    abc = pyabc.ABCSMC(simulator, prior, distance, population_size=plan.population_size, sampler=sampler)
    np.random.seed(plan.seed)  # pyabc draws priors and perturbations from numpy's global generator
    abc.new(f"sqlite:///{db}", observed)
    history = abc.run(minimum_epsilon=plan.min_epsilon, max_nr_populations=plan.generations,
                      max_total_nr_simulations=plan.max_simulations)
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    particles = pd.DataFrame({p.name: [p.value(x) for x in frame[p.key]] for p in plan.parameters})
    particles["weight"] = weights / weights.sum()
    populations = history.get_all_populations()
    populations = populations[populations["t"] >= 0]
    generations = pd.DataFrame({"t": populations["t"].astype(int), "epsilon": populations["epsilon"],
                                "simulations": populations["samples"].astype(int),
                                "particles": populations["particles"].astype(int)}).reset_index(drop=True)
    return particles, generations, int(history.total_nr_simulations)


def seeded_sampler(map_: Callable[[Callable, list], list]):
    """pyabc's :class:`~pyabc.sampler.MappingSampler` with one seed per task drawn from numpy's
    global generator: a calibration repeats exactly for a plan seed, whatever the number of workers.

    Each task samples particles until one is accepted (as in pyabc); pyabc's own mapping sampler
    reseeds every task from the operating system, which makes parallel runs unrepeatable.
    """
    from pyabc.sampler import MappingSampler

    class SeededMappingSampler(MappingSampler):
        def map_function(self, simulate_one, seed):  # noqa: D102 - pyabc's interface
            import random

            simulate_one = self.unpickle(simulate_one)
            states = np.random.get_state(), random.getstate()  # in-process tasks leave the caller's alone
            np.random.seed(seed)
            random.seed(seed)
            sample, evaluations = self._create_empty_sample(), 0
            try:
                while True:
                    particle = simulate_one()
                    evaluations += 1
                    sample.append(particle)
                    if particle.accepted:
                        return sample, evaluations
            finally:
                np.random.set_state(states[0])
                random.setstate(states[1])

        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False,  # noqa: ARG002
                                    ana_vars=None):  # noqa: ARG002
            import functools

            seeds = [int(s) for s in np.random.randint(0, 2**31 - 1, size=n)]
            task = functools.partial(self.map_function, self.pickle(simulate_one))
            results = list(self.map_(task, seeds))
            self.nr_evaluations_ = sum(evaluations for _, evaluations in results)
            sample = self._create_empty_sample()
            for part, _ in results:
                sample += part
            return sample

    return SeededMappingSampler(map_=map_)


def posterior_predictive(calibration: Calibration, simulator: Simulator, jobs: int = 1,
                         backend: str | None = None) -> dict[str, np.ndarray]:
    """Series of runs at posterior draws (by weight), each with a fresh seed; shape (draws, weeks)."""
    plan, particles = calibration.plan, calibration.particles
    rng = np.random.default_rng(plan.seed)
    rows = rng.choice(len(particles), size=plan.predictive_draws, p=particles["weight"].to_numpy())
    draws = [({p.name: particles[p.name].iloc[r].item() for p in plan.parameters}, 1_000_003 + plan.seed * 7919 + k)
             for k, r in enumerate(rows)]
    results = parallel_map(_PredictiveRun(simulator), draws, jobs, backend)
    return {name: np.array([r[name] for r in results]).reshape(len(results), -1) for name in simulator.names}


@dataclass(frozen=True)
class _PredictiveRun:
    simulator: Simulator

    def __call__(self, draw: tuple[dict[str, float], int]) -> dict[str, np.ndarray]:
        values, seed = draw
        return self.simulator.series(values, seed)


def synthesise(plan: CalibrationPlan, truth_overrides: Sequence[str], weeks: int, seed: int | None = None,
               statistics: Sequence[str] | None = None, start: date | None = None) -> Observed:
    """Observed-style data simulated by journeysim itself (for parameter recovery and examples).

    The plan's base config with ``truth_overrides`` (``key=value``) is run once at ``seed``;
    counts are scaled to the plan's market size and rounded to whole numbers, as real data are.
    """
    config = compose_base(plan.scenario, [*plan.overrides, *truth_overrides], plan.config_dir)
    channels = tuple(config["channels"])
    if statistics is None:
        active = [f"{name}_conversions" for name, c in config["channels"].items()
                  if c.get("daily_budget", 0) > 0 and c.get("kind") != "broadcast"]  # broadcast is no last touch
        statistics = ("acquisitions", "orders", "churn_rate", "nps", *FUNNEL_RATES, *active,
                      "word_of_mouth_conversions")
    for name in statistics:
        if name not in allowed_statistics(channels):
            raise unknown_name("statistics", name, allowed_statistics(channels))
    size = int(config["population"]["size"])
    days = DAYS_PER_WEEK * (plan.warmup_weeks + weeks)
    model = run_config(quiet(config, days=days, seed=plan.seed if seed is None else seed))
    series = weekly_statistics(model, statistics, weeks, plan.warmup_weeks, (plan.market_size or size) / size)
    values = {name: np.round(v) if is_count(name) else np.round(v, 4) for name, v in series.items()}
    labels = np.arange(1, weeks + 1)
    return Observed("synthetic", labels, values, start)
