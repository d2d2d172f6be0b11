"""Every heavy command's runs give byte-identical results on a Dask cluster and on submitit's executor.

Each command is started as a user would (its ``main`` with a small job: a few hundred customers,
a few days) and stopped at its first ``run_many`` call, where its jobs are taken; two of every
command's jobs then run in this process (what local processes run) and on one local Dask cluster,
the first of each on submitit's local executor, and their results must be the same bytes (tables as the CSV a
command writes). One command runs end to end with ``--executor dask`` and writes the same tables
as with local processes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from journeysim.experiments import runner
from journeysim.experiments.executors import Executor

SMALL = ["population.size=300", "days=6"]


class Taken(BaseException):
    """Raised at a command's first ``run_many``: its jobs were taken."""


def take_jobs(monkeypatch, start: Callable[[], object], count: int = 2) -> list:
    """The first ``count`` jobs of the first ``run_many`` call ``start()`` makes."""
    taken: list = []

    def take(jobs, *args, **kwargs):
        taken.extend(list(jobs)[:count])
        raise Taken

    monkeypatch.setattr(runner, "run_many", take)
    for module in ("truth.method", "sensitivity.method"):  # these bound the name at import
        monkeypatch.setattr(f"journeysim.experiments.{module}.run_many", take)
    with pytest.raises(Taken):
        start()
    monkeypatch.undo()
    assert taken
    return taken


def command_jobs(tmp_path: Path, monkeypatch) -> dict[str, list]:
    from journeysim.experiments.attribution import cli as attribution
    from journeysim.experiments.calibration import cli as calibration
    from journeysim.experiments.optimisation import cli as optimisation
    from journeysim.experiments.sensitivity import cli as sensitivity
    from journeysim.experiments.truth import cli as truth
    from journeysim.experiments.validation.price_elasticity import price_response

    data = tmp_path / "observed.csv"
    calibration.main(["recovery", str(data), "--synthesise", "--weeks", "2", "population.size=300"])
    starts = {
        "journey-truth": lambda: truth.main(["--seeds", "2", "--marginal", "false", *SMALL]),
        "journey-attribution": lambda: attribution.main(["--seeds", "2", "--marginal", "false", *SMALL]),
        "journey-sensitivity": lambda: sensitivity.main(["growth_levers", "--trajectories", "2", *SMALL]),
        "journey-calibrate": lambda: calibration.main(["recovery", str(data), "--population-size", "10",
                                                       "--generations", "1", "population.size=300"]),
        "journey-optimise": lambda: optimisation.main(["budget", "--trials", "2", "--seeds", "1",
                                                       "population.size=300"]),
        "validation": lambda: price_response(300, 10, [0], jobs=2),
    }
    return {name: take_jobs(monkeypatch, start) for name, start in starts.items()}


def canonical(value):
    """``value`` as plain data: tables as the bytes a command writes (CSV) with their dtypes,
    arrays and numpy numbers as their bytes, objects as their attributes. A pickle of the
    objects themselves depends on memo sharing and a DataFrame's block layout, which a trip
    through a worker changes while every value stays the same."""
    if isinstance(value, pd.DataFrame | pd.Series):
        return type(value).__name__, value.to_csv().encode(), str(value.dtypes)
    if isinstance(value, np.ndarray | np.generic):
        return type(value).__name__, str(value.dtype), np.shape(value), np.ascontiguousarray(value).tobytes()
    if isinstance(value, dict):
        return [(canonical(key), canonical(item)) for key, item in value.items()]
    if isinstance(value, list | tuple):
        return type(value).__name__, [canonical(item) for item in value]
    if hasattr(value, "__dict__") and not isinstance(value, type):  # e.g. pyabc's Sample and Particle
        return type(value).__name__, canonical(vars(value))
    return value


def digest(outcome) -> str:
    assert not isinstance(outcome, runner.Failure), outcome
    # repr, not pickle: a pickle writes a string seen twice as a reference to the first one, so two equal
    # outcomes pickle differently when one shares its strings (a local run) and the other does not (a
    # result that came back from a worker); repr of plain data depends on the values only
    return hashlib.sha256(repr(canonical(outcome)).encode()).hexdigest()


def test_every_command_s_runs_are_byte_identical_on_dask_and_submitit(tmp_path, monkeypatch):
    jobs = command_jobs(tmp_path, monkeypatch)
    flat = [job for name in jobs for job in jobs[name]]
    local = [digest(job()) for job in flat]
    outcomes = runner.run_many(flat, workers=2, backend=Executor("dask")).outcomes
    assert [digest(o) for o in outcomes] == local, "dask"
    # submitit starts a process for every job (about 2 s each): the first job of each command there
    first = np.cumsum([0] + [len(taken) for taken in jobs.values()])[:-1]  # where each command's jobs start
    outcomes = runner.run_many([flat[k] for k in first], workers=2,
                               backend=Executor("submitit", str(tmp_path / "submitit"))).outcomes
    assert [digest(o) for o in outcomes] == [local[k] for k in first], "submitit"
    assert len(jobs) == 6 and len(first) == 6


def tables(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.csv"))}


@pytest.mark.parametrize("executor", ["dask"])  # submitit end to end: tests/test_experiments.py (its launcher)
def test_a_command_writes_the_same_tables_whatever_the_executor(tmp_path, executor):
    from journeysim.experiments.sensitivity import cli as sensitivity

    argv = ["growth_levers", "--trajectories", "2", "--no-figure", "--jobs", "2", *SMALL]
    assert sensitivity.main([*argv, f"hydra.run.dir={tmp_path / 'local'}"]) == 0
    assert sensitivity.main([*argv, "--executor", executor, f"hydra.run.dir={tmp_path / executor}"]) == 0
    assert tables(tmp_path / executor) == tables(tmp_path / "local") != {}
