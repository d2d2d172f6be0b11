"""Where :func:`journeysim.experiments.runner.run_many`'s jobs run: one interface, four engines.

==============  ===========================================================================
executor        where the jobs run (``address``)
==============  ===========================================================================
``local``       worker processes on this machine (loky), the default (no address)
``dask``        Dask distributed: a ``LocalCluster`` of ``workers`` processes, or the
                scheduler at ``address`` (``tcp://host:8786``)
``submitit``    SLURM through submitit where ``sbatch`` exists, else submitit's local
                executor (one process per job, ``workers`` at a time); ``address`` is the
                job folder (on a file system the nodes share; default: a temporary one)
``ray``         Ray's own API (``ray.remote``): a local Ray of ``workers`` CPUs, or the
                cluster at ``address`` (``auto``, ``ray://head:10001``); ``pip install
                -e '.[ray]'`` in the repository
==============  ===========================================================================

Every engine runs the same jobs (each carries its seed), so results are byte-identical whatever
the executor. A job that fails or is lost (its worker died, the cluster dropped it) is retried
once, then recorded as a :class:`~journeysim.experiments.runner.Failure` with its error; bad
input (:class:`~journeysim.sim.errors.ConfigError`) is not retried, as it would fail again.
Interrupting (Ctrl-C, SIGTERM) cancels the jobs on the cluster and stops every worker this
module started.

A command chooses the executor once (:func:`add_options`, :func:`from_args`, :func:`use`); every
``run_many`` inside then uses it, however deep in an experiment it is called.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from journeysim import interrupts
from journeysim.experiments.workers import _watched
from journeysim.sim.errors import ConfigError, unknown_name

EXECUTORS = ("local", "dask", "submitit", "ray")
"""Names of the executors."""

ALIASES = {"loky": "local"}
"""Older names still accepted (``--backend loky``)."""

RESULT_POLL_S = 0.5
"""Seconds a wait for a Dask job's result lasts before it checks for a signal received meanwhile."""

SCHEDULER_TIMEOUT_S = 10.0
"""Seconds to wait for a Dask scheduler at ``--executor-address`` to answer before it counts as unreachable."""

LOCAL_RESULT_WAIT_S = 1
"""Seconds submitit's local executor waits for the result file of a job whose process has ended before
the job counts as lost (submitit waits 15 s, for a cluster's shared file system to show the file; a
local job writes it on this machine's disk before it ends)."""

RAY_INSTALL = "in journeysim's repository: pip install -e '.[ray]'; journeysim is not on a package index"


@dataclass(frozen=True)
class Executor:
    """An executor: which engine runs the jobs and where.

    Attributes
    ----------
    name : str
        One of :data:`EXECUTORS` (or an alias in :data:`ALIASES`).
    address : str or None
        The cluster to use (see the module's table); None starts a local one.
    options : tuple of (str, str)
        Engine parameters: submitit's ``update_parameters`` keys (``(("slurm_partition", "short"),
        ("timeout_min", "60"))``); Ray's runtime environment (``pip=WHEEL``, ``working_dir=DIR``).
    """

    name: str = "local"
    address: str | None = None
    options: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        name = ALIASES.get(self.name, self.name)
        if name not in EXECUTORS:
            raise unknown_name("executor", self.name, EXECUTORS)
        object.__setattr__(self, "name", name)
        if name == "local" and self.address:
            raise ConfigError("address", self.address, "no address with the local executor "
                                                       "(choose --executor dask, submitit or ray)")


_CURRENT: ContextVar[Executor] = ContextVar("executor", default=Executor())  # noqa: B039 - frozen


def current() -> Executor:
    """The executor ``run_many`` uses when it is given none."""
    return _CURRENT.get()


@contextlib.contextmanager
def use(executor: Executor) -> Iterator[Executor]:
    """Make ``executor`` the one every ``run_many`` inside the block uses."""
    token = _CURRENT.set(executor)
    try:
        yield executor
    finally:
        _CURRENT.reset(token)


def resolve(backend: str | Executor | None) -> Executor:
    """An :class:`Executor` from a name, an executor, or None (the current one)."""
    if backend is None:
        return current()
    if isinstance(backend, Executor):
        return backend
    if ALIASES.get(backend, backend) == current().name:
        return current()
    return Executor(backend)


# --------------------------------------------------------------------------- command-line options
def add_options(parser: argparse.ArgumentParser, legacy_backend: bool = False) -> None:
    """Add ``--executor``, ``--address`` and ``--executor-option`` to a command's parser.

    ``legacy_backend``: also accept ``--backend NAME``, the option's old name (with a note).
    """
    group = parser.add_argument_group("where the runs go (docs/cluster.md)")
    group.add_argument("--executor", default="local", metavar="NAME",
                       help=f"one of {', '.join(EXECUTORS)} (default local: processes on this machine)")
    group.add_argument("--address", metavar="ADDR",
                       help="the cluster: a Dask scheduler (tcp://host:8786), a Ray cluster (auto, "
                            "ray://head:10001) or submitit's job folder; default: start one locally")
    group.add_argument("--executor-option", action="append", default=[], metavar="KEY=VALUE",
                       help="an engine parameter, e.g. slurm_partition=short (submitit), repeatable")
    if legacy_backend:
        group.add_argument("--backend", help=argparse.SUPPRESS)


def from_args(args: argparse.Namespace) -> Executor:
    """The executor chosen by :func:`add_options`' options."""
    name = args.executor
    if getattr(args, "backend", None) is not None:
        import warnings

        message = f"--backend is deprecated; write --executor {ALIASES.get(args.backend, args.backend)}"
        warnings.warn(message, DeprecationWarning, stacklevel=2)
        print(f"note: {message}", file=sys.stderr)
        name = args.backend
    options = []
    for item in args.executor_option:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError("--executor-option", item, "KEY=VALUE, e.g. slurm_partition=short")
        options.append((key, value))
    return Executor(name, args.address, tuple(options))


# --------------------------------------------------------------------------- sessions (one per engine)
class Lost(RuntimeError):
    """A job that did not come back: its worker died, or the cluster dropped or cancelled it."""


class Session:
    """One engine, open for one ``run_many`` call: submit jobs, collect results, cancel, close.

    ``window`` is how many jobs may be submitted at once (None: all; the engine queues them).
    """

    window: int | None = None

    def submit(self, call: Callable[..., Any], *args: Any) -> Any:
        """Start ``call(*args)`` somewhere; return a handle."""
        raise NotImplementedError

    def result(self, handle: Any) -> Any:
        """Wait for a handle's value; raise if the job was lost."""
        raise NotImplementedError

    def cancel(self, handles: Sequence[Any]) -> None:
        """Cancel jobs not yet collected."""

    def close(self) -> None:
        """Release the engine (stop what this session started)."""


class _LocalSession(Session):
    """Worker processes on this machine (loky's reusable executor, as joblib uses).

    Each worker watches this process (:func:`~journeysim.experiments.workers.watch_parent`): killed
    even by SIGKILL, it leaves no worker behind.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.executors: list[Any] = []  # every loky executor a job went to (a broken one is replaced)

    def submit(self, call: Callable[..., Any], *args: Any) -> Any:
        from joblib.executor import get_memmapping_executor

        # joblib's factory, not loky's: the executor is shared with joblib (hydra's joblib launcher),
        # which expects the temporary-folder manager only its factory sets; a broken executor (a
        # worker died) is replaced by a new one here
        executor = get_memmapping_executor(self.workers)
        if not any(executor is known for known in self.executors):
            self.executors.append(executor)
        return executor.submit(_watched, os.getpid(), call, *args)

    def result(self, handle: Any) -> Any:
        return handle.result()

    def cancel(self, handles: Sequence[Any]) -> None:  # noqa: ARG002 - every job of the executors goes
        # no future is cancelled one by one: loky's shutdown with kill_workers fails the pending ones
        # itself, and a future cancelled before it made its manager thread raise (InvalidStateError)
        # before it killed the workers, which then outlived the command
        _quiet_manager_threads()
        for executor in self.executors:
            workers = [process.pid for process in dict(getattr(executor, "_processes", None) or {}).values()]
            with contextlib.suppress(Exception):
                executor.shutdown(wait=False, kill_workers=True)
            if workers:
                _stop_process_trees(workers, grace=5.0)
        self.executors.clear()


def _quiet_manager_threads() -> None:
    """Once jobs are cancelled (the command is stopping), loky's manager thread may still trip over
    a result of a killed job (``KeyError: 5``): print nothing for it, the command says it stopped."""
    previous = threading.excepthook
    if getattr(previous, "quiet_loky", False):
        return

    def hook(args: Any) -> None:
        if args.thread is not None and args.thread.name == "ExecutorManagerThread":
            return
        previous(args)

    hook.quiet_loky = True  # type: ignore[attr-defined]
    threading.excepthook = hook


class _DaskSession(Session):
    """Dask distributed: a ``LocalCluster`` of single-threaded worker processes, or a scheduler."""

    def __init__(self, workers: int, address: str | None) -> None:
        import logging

        from distributed import Client, LocalCluster

        self.cluster = None
        if address is None:
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.ERROR)
            address = self.cluster.scheduler_address
        try:
            self.client = Client(address, set_as_default=False, timeout=SCHEDULER_TIMEOUT_S)
        except OSError as error:
            self.close()
            raise ConfigError("address", address, f"a reachable Dask scheduler ({error})") from None

    def submit(self, call: Callable[..., Any], *args: Any) -> Any:
        return self.client.submit(call, *args, pure=False)

    def result(self, handle: Any) -> Any:
        while True:  # in short waits: Dask's wait can swallow the interruption a signal raised in it
            try:
                return handle.result(timeout=RESULT_POLL_S)
            except TimeoutError:
                interrupts.raise_received()

    def cancel(self, handles: Sequence[Any]) -> None:
        if handles:
            self.client.cancel(list(handles), force=True)

    def close(self) -> None:
        if getattr(self, "client", None) is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    @contextlib.contextmanager
    def current(self) -> Iterator[Any]:
        """Within the block the client is Dask's current one (joblib's ``dask`` backend uses it);
        closed after it."""
        try:
            with self.client.as_current():
                yield self.client
        finally:
            self.close()


class _SubmititSession(Session):
    """submitit: SLURM where ``sbatch`` exists, else its local executor (``workers`` jobs at a time)."""

    def __init__(self, workers: int, address: str | None, options: tuple[tuple[str, str], ...]) -> None:
        import submitit

        self.temporary = address is None
        self.folder = tempfile.mkdtemp(prefix="journeysim-submitit-") if address is None else address
        self.executor = submitit.AutoExecutor(folder=self.folder)
        self.window = workers if self.executor.cluster == "local" else None
        parameters: dict[str, Any] = {"timeout_min": 24 * 60}
        for key, value in options:
            parameters[key] = _number(value)
        try:
            self.executor.update_parameters(**parameters)
        except (ValueError, TypeError) as error:
            self.close()
            raise ConfigError("--executor-option", ", ".join(f"{k}={v}" for k, v in options),
                              f"submitit parameters of the {self.executor.cluster} cluster ({error})") from None

    def submit(self, call: Callable[..., Any], *args: Any) -> Any:
        job = self.executor.submit(call, *args)
        if self.executor.cluster == "local":  # a lost job is retried 14 s sooner
            job._results_timeout_s = LOCAL_RESULT_WAIT_S
        return job

    def result(self, handle: Any) -> Any:
        return handle.result()

    def cancel(self, handles: Sequence[Any]) -> None:
        for handle in handles:
            with contextlib.suppress(Exception):
                handle.cancel(check=False)
        # a local job is a controller process and its task: gone within seconds, or killed (a
        # controller started with SIGINT ignored, as in a background shell job, ignores cancel)
        processes = [handle._process for handle in handles if getattr(handle, "_process", None) is not None]
        if processes:
            _stop_process_trees([process.pid for process in processes], grace=3.0)

    def close(self) -> None:
        if self.temporary:
            shutil.rmtree(self.folder, ignore_errors=True)


class _RaySession(Session):
    """Ray's own API: tasks of one CPU each on a local Ray or the cluster at ``address``."""

    def __init__(self, workers: int, address: str | None, options: tuple[tuple[str, str], ...] = ()) -> None:
        runtime_env: dict[str, Any] = {}
        for key, value in options:  # pip=dist/journeysim-0.1.0-py3-none-any.whl: Ray installs it on workers
            if key not in ("pip", "working_dir"):
                raise ConfigError("--executor-option", f"{key}={value}", "pip=WHEEL or working_dir=DIR for Ray "
                                                                         "(its runtime environment)")
            if key == "pip":
                runtime_env.setdefault("pip", []).append(value)
            else:
                runtime_env[key] = value
        try:
            import ray
        except ImportError:
            raise ConfigError("executor", "ray", f"local, dask or submitit, unless Ray is installed "
                                                 f"({RAY_INSTALL})") from None
        self.ray = ray
        self.started = not ray.is_initialized()
        if self.started:
            local = address is None and not os.environ.get("RAY_ADDRESS")
            ray.init(address=address, num_cpus=workers if local else None, include_dashboard=False,
                     log_to_driver=False, configure_logging=False, runtime_env=runtime_env or None)
        self.remote = ray.remote(num_cpus=1, max_retries=0)(_call)

    def submit(self, call: Callable[..., Any], *args: Any) -> Any:
        return self.remote.remote(call, *args)

    def result(self, handle: Any) -> Any:
        return self.ray.get(handle)

    def cancel(self, handles: Sequence[Any]) -> None:
        for handle in handles:
            with contextlib.suppress(Exception):
                self.ray.cancel(handle, force=True)

    def close(self) -> None:
        if self.started:
            self.ray.shutdown()


def register_joblib_ray() -> None:
    """Make ``ray`` a joblib backend (for ``journey --multirun hydra/launcher=ray``).

    Raises
    ------
    ConfigError
        When Ray is not installed.
    """
    try:
        from ray.util.joblib import register_ray
    except ImportError:
        raise ConfigError("hydra/launcher", "ray", f"joblib, slurm or submitit_local, unless Ray is installed "
                                                   f"({RAY_INSTALL})") from None
    register_ray()


def _stop_process_trees(pids: Sequence[int], grace: float) -> None:
    """Kill each process and its descendants still alive after ``grace`` seconds."""
    import psutil

    trees = []
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(pid)
            trees += [root, *root.children(recursive=True)]
    _, alive = psutil.wait_procs(trees, timeout=grace)
    for process in alive:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(alive, timeout=grace)


def _call(call: Callable[..., Any], *args: Any) -> Any:
    return call(*args)


def _number(text: str) -> Any:
    """An option's value as an int or float where it reads as one."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def open_session(executor: Executor, workers: int) -> Session:
    """Start (or connect to) the executor's engine for ``workers`` parallel jobs."""
    workers = (os.cpu_count() or 1) if workers < 1 else workers
    if executor.name == "dask":
        return _DaskSession(workers, executor.address)
    if executor.name == "submitit":
        return _SubmititSession(workers, executor.address, executor.options)
    if executor.name == "ray":
        return _RaySession(workers, executor.address, executor.options)
    return _LocalSession(workers)


# --------------------------------------------------------------------------- running jobs
@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Within the block, SIGTERM raises KeyboardInterrupt (as Ctrl-C does), so cleanup runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous not in (signal.SIG_DFL, None):  # someone else handles it (journey's run loop)
        yield
        return
    signal.signal(signal.SIGTERM, interrupts.stop)  # raises Interrupted, even mid-compilation
    interrupts.guard()
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def execute(attempt: Callable[..., Any], jobs: Sequence[Any], session: Session,
            retriable: Callable[[Any], bool], lost: Callable[[int, BaseException], Any],
            progress: Callable[[int], None] | None = None) -> list[Any]:
    """Run ``attempt(job, index)`` for every job on ``session``; outcomes in job order.

    An outcome for which ``retriable`` is true, or a job the engine lost (``lost(index,
    error)`` makes its outcome), is submitted once more (once for each: a job may fail once
    and be lost once). On any interruption the jobs not
    yet collected are cancelled; the session is closed in every case.
    """
    window = session.window or len(jobs)
    handles: dict[int, Any] = {}
    submitted = 0
    outcomes: list[Any] = []

    def collect(handle: Any, index: int) -> tuple[Any, bool]:
        try:
            outcome = session.result(handle)
        except Exception as error:  # noqa: BLE001 - a lost job is recorded, not raised
            interrupts.raise_received()  # unless a library turned the interruption into this error
            return lost(index, error), True
        interrupts.raise_received()  # or swallowed it while it waited
        return outcome, False

    try:
        with sigterm_interrupts():
            for index in range(len(jobs)):
                while submitted < len(jobs) and len(handles) < window:
                    handles[submitted] = session.submit(attempt, jobs[submitted], submitted)
                    submitted += 1
                outcome, was_lost = collect(handles[index], index)
                del handles[index]  # only once collected: an interruption cancels it too
                # one retry after a failure, one after a loss: a worker that dies (loky) takes the
                # jobs running beside it down too, and their own retry must not be spent on that
                retries = {"failed": 1, "lost": 1}
                while retries["lost" if was_lost else "failed"] and (was_lost or retriable(outcome)):
                    retries["lost" if was_lost else "failed"] -= 1
                    handles[index] = session.submit(attempt, jobs[index], index)
                    outcome, was_lost = collect(handles[index], index)
                    del handles[index]
                outcomes.append(outcome)
                if progress is not None:
                    progress(index + 1)
    except BaseException:
        session.cancel(list(handles.values()))
        raise
    finally:
        session.close()
    return outcomes


def lost_text(error: BaseException) -> tuple[str, str]:
    """``(error, traceback)`` of a lost job, as text."""
    return (f"lost ({type(error).__name__}: {error})",
            "".join(traceback.format_exception(type(error), error, error.__traceback__)))
