"""Ray through its own API (``make test-ray``, in its own venv with ``.[ray]``; skipped without Ray)."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

import pytest

pytest.importorskip("ray")

from journeysim.experiments.executors import Executor  # noqa: E402
from journeysim.experiments.runner import Failure, run_many  # noqa: E402
from tests.test_executors import always_fails, first_attempt_fails, square  # noqa: E402
from tests.test_executors_commands import command_jobs, digest  # noqa: E402
from tests.test_experiments import run_journey, runs_compared, statuses  # noqa: E402


@pytest.fixture(scope="module")
def local_ray():
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_a_failed_or_lost_job_on_ray_is_retried_once_then_recorded(tmp_path, local_ray):
    jobs = [partial(square, 3), partial(first_attempt_fails, str(tmp_path / "raise"), "raise"),
            partial(first_attempt_fails, str(tmp_path / "die"), "die"), always_fails]
    results = run_many(jobs, workers=2, backend=Executor("ray"))
    assert results.outcomes[:3] == (9, "second attempt", "second attempt")
    assert isinstance(results.outcomes[3], Failure) and "every time" in results.outcomes[3].error


def test_every_command_s_runs_are_byte_identical_on_ray(tmp_path, monkeypatch, local_ray):
    jobs = command_jobs(tmp_path, monkeypatch)
    flat = [job for name in jobs for job in jobs[name]]
    local = [digest(job()) for job in flat]
    assert [digest(o) for o in run_many(flat, workers=2, backend=Executor("ray")).outcomes] == local


def test_a_command_runs_on_a_local_ray(tmp_path):
    from journeysim.experiments.sensitivity import cli as sensitivity

    argv = ["growth_levers", "--trajectories", "2", "--no-figure", "--jobs", "2", "population.size=300", "days=6"]
    assert sensitivity.main([*argv, f"hydra.run.dir={tmp_path / 'local'}"]) == 0
    assert sensitivity.main([*argv, "--executor", "ray", f"hydra.run.dir={tmp_path / 'ray'}"]) == 0
    assert (tmp_path / "ray" / "samples.csv").read_bytes() == (tmp_path / "local" / "samples.csv").read_bytes()
    assert (tmp_path / "ray" / "morris.csv").read_bytes() == (tmp_path / "local" / "morris.csv").read_bytes()


def test_a_sweep_runs_on_ray_through_hydra(tmp_path: Path):
    sweep = tmp_path / "sweep"
    result = run_journey("--multirun", "hydra/launcher=ray", "hydra.launcher.n_jobs=2", "seed=0,1",
                         "population.size=1000", "days=20", "outputs.figures=false", "outputs.tables=false",
                         "outputs.progress=false", f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(statuses(sweep).values()) == ["complete"] * 2
    assert runs_compared(sweep) == 2
    assert sys.modules.get("ray") is not None
