"""The one runner for many runs: jobs in, results out in job order, failures recorded.

Every experiment that makes more than one model run (calibration, optimisation, sensitivity,
truth, validation) hands its runs to :func:`run_many` as *jobs*: picklable callables of no
arguments (a ``functools.partial`` or a small frozen dataclass with ``__call__``), each composed
and configured by the caller, so a worker only runs. Where they run is an *executor*
(:mod:`journeysim.experiments.executors`): local processes (the default), Dask, submitit (SLURM)
or Ray, chosen once by the command (``--executor``) or per call (``backend=``).

Results do not depend on the executor or the number of workers: a job carries its seed. A job
that fails or is lost is retried once, then recorded as a :class:`Failure`.

The module also runs one config to the end (:func:`run_config`) with the outputs an
inference needs (:func:`quiet`).
"""

from __future__ import annotations

import copyreg
import pickle
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from journeysim import interrupts
from journeysim.experiments.executors import ALIASES, EXECUTORS, Executor, execute, lost_text, open_session, resolve
from journeysim.sim.errors import ConfigError

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel

BACKENDS = (*EXECUTORS, *ALIASES)
"""Names of the executors :func:`run_many` knows (``loky`` is the old name of ``local``)."""

QUIET_OUTPUTS = {"event_log_sample": 0, "mesa_agents": "lazy", "figures": False, "tables": False,
                 "progress": False}
"""Output settings of the many runs of an experiment (nothing written, no journey log)."""

Job = Callable[[], Any]
"""A picklable callable of no arguments: one unit of work (usually one model run)."""

# ConfigError takes (key, value, allowed): pickle it by those, so a worker's bad-input error
# reaches the caller as the same ConfigError (and the command exits 2 with its message).
copyreg.pickle(ConfigError, lambda error: (ConfigError, (error.key, error.value, error.allowed)))


@dataclass(frozen=True)
class Failure:
    """A job that raised.

    Attributes
    ----------
    index : int
        The job's position in the list given to :func:`run_many`.
    error : str
        ``Type: message`` of the exception.
    traceback : str
        The worker's traceback, as text.
    exception : BaseException or None
        The exception itself where it could be carried back from the worker.
    """

    index: int
    error: str
    traceback: str
    exception: BaseException | None = None


class JobFailed(RuntimeError):
    """A job failed with an exception that could not be carried back from its worker."""


@dataclass(frozen=True)
class Results:
    """What :func:`run_many` returns: one outcome per job, in job order.

    Attributes
    ----------
    outcomes : tuple
        Each job's return value, or a :class:`Failure` for a job that raised.
    """

    outcomes: tuple[Any, ...]

    def __len__(self) -> int:
        return len(self.outcomes)

    @property
    def failures(self) -> list[Failure]:
        """The failed jobs, in job order."""
        return [o for o in self.outcomes if isinstance(o, Failure)]

    def values(self) -> list[Any]:
        """Every job's return value; raises the first failure's exception if any job failed."""
        for failure in self.failures:
            if failure.exception is not None:
                raise failure.exception
            raise JobFailed(f"job {failure.index} failed: {failure.error}\n{failure.traceback}")
        return list(self.outcomes)


def _attempt(job: Job, index: int, local: bool = False) -> Any:
    """Run ``job``; on an exception return a :class:`Failure` (its exception kept if picklable).

    ``local``: the job runs in the caller's process, so the exception itself is kept.
    """
    try:
        return job()
    except Exception as error:  # noqa: BLE001 - every failure is recorded, none lost
        carried: BaseException | None = error
        if not local:
            try:
                carried = pickle.loads(pickle.dumps(error))
            except Exception:  # noqa: BLE001 - an exception that does not pickle travels as text
                carried = None
        return Failure(index, f"{type(error).__name__}: {error}", traceback.format_exc(), carried)


def _retriable(outcome: Any) -> bool:
    """A failed job is tried once more, unless it failed on bad input (it would fail again)."""
    return isinstance(outcome, Failure) and not isinstance(outcome.exception, ConfigError)


def _lost(index: int, error: BaseException) -> Failure:
    return Failure(index, *lost_text(error))


def run_many(jobs: Iterable[Job], workers: int = 1, backend: str | Executor | None = None,
             progress: Callable[[int], None] | None = None) -> Results:
    """Run every job; return their outcomes in job order, failures recorded (not raised).

    Parameters
    ----------
    jobs : iterable of callables
        Picklable callables of no arguments.
    workers : int
        Parallel jobs; ``-1`` uses every core. With the local executor, 1 runs the jobs in this
        process, one after the other.
    backend : str or Executor, optional
        Where the jobs run: an executor or its name (one of :data:`BACKENDS`); default the
        current one (:func:`journeysim.experiments.executors.current`, chosen by the command).
    progress : callable, optional
        Called with the number of jobs finished, after each one (in job order).

    Raises
    ------
    ConfigError
        For an unknown executor, ``ray`` when Ray is not installed, or a cluster that cannot
        be reached.
    KeyboardInterrupt
        After Ctrl-C or SIGTERM, once the jobs not yet finished are cancelled.
    """
    interrupts.raise_received()  # a signal swallowed while the command loaded: stop before any job
    jobs = list(jobs)
    executor = resolve(backend)
    if executor.name == "local" and (workers == 1 or len(jobs) <= 1):
        outcomes = []
        for index, job in enumerate(jobs):
            outcome = _attempt(job, index, local=True)
            if _retriable(outcome):
                outcome = _attempt(job, index, local=True)
            outcomes.append(outcome)
            if progress is not None:
                progress(index + 1)
        return Results(tuple(outcomes))
    if not jobs:
        return Results(())
    session = open_session(executor, workers)
    return Results(tuple(execute(_attempt, jobs, session, _retriable, _lost, progress)))


def parallel_map(func: Callable[[Any], Any], items: Iterable[Any], workers: int = 1,
                 backend: str | Executor | None = None) -> list[Any]:
    """``[func(x) for x in items]`` through :func:`run_many`; raises the first failure.

    ``func`` must be picklable (a module-level function or a dataclass instance).
    """
    return run_many([partial(func, item) for item in items], workers, backend).values()


@dataclass(frozen=True)
class ParallelMap:
    """A ``map(func, items)`` over :func:`run_many`'s workers (for pyabc's mapping sampler)."""

    workers: int
    backend: str | Executor | None = None

    def __call__(self, func: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        """``list(map(func, items))`` in parallel."""
        return parallel_map(func, items, self.workers, self.backend)


# --------------------------------------------------------------------------- one run
def quiet(config: Mapping[str, Any], days: int | None = None, seed: int | None = None) -> dict[str, Any]:
    """``config`` with :data:`QUIET_OUTPUTS` (and optionally ``days`` and ``seed``) set."""
    out = {**config, "outputs": {**(config.get("outputs") or {}), **QUIET_OUTPUTS}}
    if days is not None:
        out["days"] = days
    if seed is not None:
        out["seed"] = seed
    return out


def run_config(config: Mapping[str, Any]) -> JourneyModel:
    """Validate ``config`` (a composed config as a dict) and run its model to the end."""
    from journeysim.runner import build_model
    from journeysim.scenarios.spec import parse_config

    return build_model(parse_config(dict(config))).run()


def chunks(values: Sequence[Any], size: int) -> list[list[Any]]:
    """``values`` cut into consecutive lists of ``size`` (the runs of one candidate over its seeds)."""
    return [list(values[k:k + size]) for k in range(0, len(values), size)]
