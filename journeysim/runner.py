"""Build a model from a validated spec, run it with a progress bar, and write its outputs."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journeysim.manifest import write_manifest
from journeysim.outputs import mark_status, run_summary, tables, write_run, write_table
from journeysim.sim.config import RunSpec, to_container
from journeysim.sim.errors import Interrupted, signal_name
from journeysim.sim.model import JourneyModel
from journeysim.sim.stages import STAGE_NAMES
from journeysim.version import version


def config_hash(cfg: Any) -> str:
    """Stable hash of a resolved config (without Hydra's own settings; a ``competition`` section
    without brands is left out, so a one-brand run hashes as it did before competitors existed)."""
    data = {k: v for k, v in to_container(cfg).items() if k != "hydra"}
    if not (data.get("competition") or {}).get("brands"):
        data.pop("competition", None)
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def make_service(spec: RunSpec):
    """The spec's service operations (None when ``service.enabled`` is false)."""
    from journeysim.sim.service import ServiceOperations, population_factor
    from journeysim.sim.streams import RandomStreams

    if not spec.service.enabled:
        return None
    config = spec.service
    if config.scale_with_population:
        config = config.scaled(population_factor(spec.population.size))
    return ServiceOperations(config, RandomStreams(spec.seed))


def build_model(spec: RunSpec) -> JourneyModel:
    """A ready-to-step model with the spec's service operations and scenario levers."""
    from journeysim.scenarios.levers import build_levers

    return JourneyModel(spec, levers=build_levers(spec), service=make_service(spec))


@dataclass
class RunOutcome:
    """A finished run: the model, its summary and where it was written."""

    model: JourneyModel
    summary: dict[str, Any]
    run_dir: Path | None
    wall_seconds: float


def run(spec: RunSpec, run_dir: Path | None = None, *, cfg: Any = None, progress: bool = False) -> RunOutcome:
    """Run ``spec`` to the end; with ``run_dir`` write every output there atomically.

    With ``run_dir`` the run holds the directory's lock (:func:`journeysim.rundir.run_lock`: a
    second run into it is refused with a :class:`ConfigError`) and ``status.json`` says how it
    ended. A signal (Ctrl-C, SIGTERM; see :func:`request_stop`) stops it between two days: the
    tables of the days it finished are written, the directory is marked ``incomplete`` with
    ``"partial": true``, and :class:`~journeysim.sim.errors.Interrupted` is raised. A signal while
    outputs are written lets every file finish whole, then marks the run ``incomplete`` and raises
    too. An error marks it ``failed`` with the error and re-raises.
    """
    if run_dir is None:
        return _run(spec, None, cfg, progress)
    from journeysim.rundir import run_lock

    with run_lock(run_dir):
        return _run(spec, Path(run_dir), cfg, progress)


def _run(spec: RunSpec, run_dir: Path | None, cfg: Any, progress: bool) -> RunOutcome:
    started, cpu_started = time.perf_counter(), time.process_time()
    model, stage = None, "building"
    if run_dir is not None:
        mark_status(run_dir, "running", scenario=spec.scenario, seed=spec.seed, pid=os.getpid())
    try:
        model = build_model(spec)
        stage = "stepping"
        _step_all(model, progress)
        meta = {"scenario": spec.scenario, "seed": spec.seed, "days": spec.days,
                "customers": spec.population.size, "version": version(),
                "config_hash": config_hash(cfg) if cfg is not None else None}
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        if run_dir is None:
            return RunOutcome(model, run_summary(model, meta), None, wall)
        stage = "writing"
        summary = write_run(model, run_dir, meta)
        _check_stop(model.day, "while its outputs were written (every file is whole)")
        mark_status(run_dir, "complete", wall_seconds=round(time.perf_counter() - started, 3),
                    simulation_seconds=round(wall, 3), simulation_cpu_seconds=round(cpu, 3))  # build and step
        write_manifest(run_dir, config=cfg if cfg is not None else spec, seeds=[spec.seed])
        return RunOutcome(model, summary, run_dir, wall)
    except KeyboardInterrupt as interruption:
        if run_dir is not None:
            _mark_end(run_dir, "incomplete", **_keep_finished_days(model, run_dir, stage, interruption))
        raise
    except Exception as error:
        if run_dir is not None:
            _mark_end(run_dir, "failed", error=f"{type(error).__name__}: {error}")
        raise


def _keep_finished_days(model: JourneyModel | None, run_dir: Path, stage: str,
                        interruption: BaseException) -> dict[str, Any]:
    """Write the tables of the days an interrupted run finished; the status details to record."""
    details = {"reason": "interrupted", "signal": signal_name(getattr(interruption, "signum", signal.SIGINT)),
               "while": stage}
    if model is None or stage != "stepping" or model.day == 0:
        return details
    details.update(partial=True, days_finished=model.day, days=model.spec.days)
    if not model.spec.outputs.tables:
        return details
    fmt = model.spec.outputs.format
    try:
        for name, frame in tables(model, events=False).items():
            write_table(run_dir / name, frame, fmt)
        write_table(run_dir / "events", model.journey_log.frames(model.spec.channel_names, STAGE_NAMES), fmt)
        details["tables"] = "written for the finished days"
    except (OSError, KeyboardInterrupt) as error:  # a second Ctrl-C or a full disk: keep what is whole
        details["tables"] = f"not all written ({type(error).__name__})"
    return details


def _mark_end(run_dir: Path, status: str, **details: Any) -> None:
    """Record how the run ended, even on a full disk (the status is rewritten in place when no
    temporary file fits); an error writing it must not hide the error that ended the run."""
    try:
        mark_status(run_dir, status, **details)
    except OSError:
        try:
            with open(Path(run_dir) / "status.json", "r+") as handle:  # reuses the file's blocks
                handle.truncate(0)
                handle.write(json.dumps({"status": status, **details}, default=str) + "\n")
        except OSError:
            pass  # the directory itself is gone or unwritable: the caller reports the first error


STOP = threading.Event()
"""Set by a signal handler (Ctrl-C, SIGTERM): the run stops between two days."""
_STOP_SIGNAL = [signal.SIGINT]
"""The signal that set :data:`STOP` last."""


def request_stop(signum: int, frame: object) -> None:  # noqa: ARG001 - signal handler signature
    """Signal handler: ask the running model to stop at the end of the current day."""
    _STOP_SIGNAL[0] = signum
    STOP.set()


def _check_stop(day: int, detail: str = "") -> None:
    """Raise :class:`Interrupted` if a signal asked the run to stop."""
    if STOP.is_set():
        STOP.clear()
        raise Interrupted(_STOP_SIGNAL[0], detail or f"after day {day}")


def _step_all(model: JourneyModel, progress: bool) -> None:
    """Step to the end, stopping cleanly between days when a signal asked for it (a signal
    never interrupts a library mid-call, where the interruption could be swallowed)."""
    if not progress:
        model.run(progress=_check_stop)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("days"), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(f"{model.spec.scenario}", total=model.spec.days)

        def advance(day: int) -> None:
            bar.update(task, completed=day)
            _check_stop(day)

        model.run(progress=advance)
