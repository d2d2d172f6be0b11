"""Every executor: results in job order, a failed or lost job retried once then recorded, no worker left."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from functools import partial
from pathlib import Path

import cloudpickle
import pytest

from journeysim import interrupts
from journeysim.experiments import executors
from journeysim.experiments.executors import Executor, from_args, use
from journeysim.experiments.runner import Failure, run_many
from journeysim.sim.errors import ConfigError, Interrupted

EXECUTORS = ["local", "dask", "submitit"]

# submitit's job processes cannot import this test module: send its functions by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def square(x: int) -> int:
    return x * x


def first_attempt_fails(marker: str, how: str) -> str:
    """Fails (raises, or its process dies) on the first attempt only: the marker file remembers it."""
    if not os.path.exists(marker):
        Path(marker).write_text("tried")
        if how == "die":
            os._exit(17)
        raise RuntimeError("first attempt")
    return "second attempt"


def always_fails() -> None:
    raise ValueError("every time")


def count_and_fail(marker: str) -> None:
    with open(marker, "a") as f:
        f.write("x")
    raise ValueError("counted")


@pytest.mark.parametrize("name", EXECUTORS)
def test_a_failed_or_lost_job_is_retried_once_then_recorded(tmp_path, name):
    jobs = [partial(square, 3), partial(first_attempt_fails, str(tmp_path / "raise"), "raise"),
            partial(count_and_fail, str(tmp_path / "n")), always_fails]
    results = run_many(jobs, workers=2, backend=Executor(name))
    assert results.outcomes[:2] == (9, "second attempt")
    assert (tmp_path / "n").read_text() == "xx"  # tried twice, not more
    assert [f.index for f in results.failures] == [2, 3]
    assert isinstance(results.outcomes[3], Failure) and "ValueError: every time" in results.outcomes[3].error
    # a job whose worker dies is run again (once) elsewhere
    died = run_many([partial(first_attempt_fails, str(tmp_path / "die"), "die"), partial(square, 4)],
                    workers=2, backend=Executor(name))
    assert died.values() == ["second attempt", 16]


def test_a_signal_swallowed_while_waiting_on_dask_stops_the_jobs_within_seconds():
    """A signal handled (``interrupts.stop`` records it) whose exception something swallowed while
    Dask waited: the wait notices it at its next poll instead of waiting for the jobs to end."""
    swallowed = threading.Timer(1.0, setattr, (interrupts, "RECEIVED", signal.SIGTERM))
    swallowed.start()
    started = time.monotonic()
    try:
        with pytest.raises(Interrupted):
            run_many([partial(time.sleep, 30), partial(time.sleep, 30)], workers=2, backend=Executor("dask"))
    finally:
        swallowed.cancel()
        interrupts.RECEIVED = None
    assert time.monotonic() - started < 15


def bad_input() -> None:
    raise ConfigError("market.price", -1, "a positive number")


def test_bad_input_is_not_retried_and_reaches_the_caller(tmp_path):
    with pytest.raises(ConfigError, match="market.price"):
        run_many([bad_input, partial(square, 2)], workers=2, backend=Executor("dask")).values()


def test_the_command_s_executor_is_used_by_every_run_many_inside():
    with use(Executor("dask")):
        from journeysim.experiments.executors import current

        assert current().name == "dask"
        assert run_many([partial(square, k) for k in range(5)], workers=2).values() == [0, 1, 4, 9, 16]
    assert current().name == "local"


def test_options_name_the_bad_value():
    import argparse

    with pytest.raises(ConfigError, match="executor = 'slurm'"):
        Executor("slurm")
    with pytest.raises(ConfigError, match="no address with the local executor"):
        Executor("local", "tcp://x:8786")
    with pytest.raises(ConfigError, match="--executor-option"):
        from_args(argparse.Namespace(executor="submitit", address=None, executor_option=["partition"]))


def test_an_unreachable_dask_scheduler_is_bad_input(monkeypatch):
    monkeypatch.setattr(executors, "SCHEDULER_TIMEOUT_S", 1.0)  # nothing listens there: no need to wait 10 s
    with pytest.raises(ConfigError, match="a reachable Dask scheduler"):
        run_many([partial(square, 1), partial(square, 2)], workers=2,
                 backend=Executor("dask", "tcp://127.0.0.1:9")).values()


SLEEPER = textwrap.dedent("""
    import sys, time
    from functools import partial
    from journeysim.experiments.executors import Executor
    from journeysim.experiments.runner import run_many
    print("started", flush=True)
    run_many([partial(time.sleep, 60) for _ in range(4)], workers=2, backend=Executor(sys.argv[1]))
""")


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_gone(pids: set[int], timeout: float) -> list[int]:
    """The processes of ``pids`` still alive after up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return [pid for pid in pids if alive(pid)]


@pytest.mark.parametrize(("name", "signum"), [*((name, signal.SIGTERM) for name in EXECUTORS),
                                              ("local", signal.SIGKILL)],
                         ids=[*(f"{name}-SIGTERM" for name in EXECUTORS), "local-SIGKILL"])
def test_a_killed_parent_leaves_no_worker(name, signum):
    """SIGTERM cancels the jobs and stops the workers; after SIGKILL, which the parent cannot
    handle, the local workers notice their parent is gone and exit."""
    process = subprocess.Popen([sys.executable, "-c", SLEEPER, name], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "started"
        deadline = time.monotonic() + 60
        while len(descendants(process.pid)) < 2:  # the workers are up
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.2)
        time.sleep(1.0)
        workers = descendants(process.pid)
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert not wait_gone(workers, 15)
    assert "InvalidStateError" not in err and "ExecutorManagerThread" not in err, err


def test_a_sweep_whose_parent_is_killed_leaves_no_worker_and_its_runs_marked_interrupted(tmp_path):
    """``journey --multirun hydra/launcher=joblib``: SIGKILL to the sweep's command alone; its
    workers stop the runs at the end of a day (marked incomplete, signal SIGTERM) and exit."""
    sweep = tmp_path / "sweep"
    argv = [str(Path(sys.executable).parent / "journey"), "--multirun", "hydra/launcher=joblib",
            "hydra.launcher.n_jobs=2", "seed=0,1", "population.size=20000", "days=3650",
            "outputs.figures=false", f"hydra.sweep.dir={sweep}"]
    process = subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "MPLBACKEND": "Agg"})
    try:
        deadline = time.monotonic() + 120
        while sum('"running"' in path.read_text() for path in sweep.rglob("status.json")) < 2:
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.1)
        workers = descendants(process.pid)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert not wait_gone(workers, 40)
    status = [json.loads(path.read_text()) for path in sweep.rglob("status.json")]
    assert [(s["status"], s.get("reason"), s.get("signal")) for s in status] == [
        ("incomplete", "interrupted", "SIGTERM")] * 2


def test_joblib_can_reuse_the_local_executor_s_workers_in_the_same_process():
    """The local executor and joblib (Hydra's joblib launcher) share loky's one reusable executor:
    a joblib run after a local run must not find it without joblib's temporary-folder manager."""
    import joblib

    from journeysim.experiments.executors import _LocalSession

    session = _LocalSession(2)
    assert session.result(session.submit(abs, -3)) == 3
    assert joblib.Parallel(n_jobs=2)(joblib.delayed(abs)(i) for i in (-1, -2)) == [1, 2]


def collections_after_a_job() -> tuple[bool, bool]:
    """Run an empty job; whether the process will end without a garbage collection, and whether the
    objects alive after its first job are frozen out of the collector's sight."""
    import gc

    from journeysim.experiments import workers

    with workers.worker_job():
        pass
    return workers._WATCH["exit"], gc.get_freeze_count() > 0


def test_a_local_worker_freezes_its_heap_after_its_first_job_and_this_process_does_not() -> None:
    """A worker that ran a job freezes what its first job left alive (later full collections walk only
    what later jobs create) and ends without a collection (the sweep's command no longer waits half a
    second for each worker's shutdown collection); the process that started it is left alone."""
    import gc

    from joblib import Parallel, delayed

    in_workers = Parallel(n_jobs=2, backend="loky")(delayed(collections_after_a_job)() for _ in range(2))
    assert in_workers == [(True, True), (True, True)]
    frozen = gc.get_freeze_count()
    assert collections_after_a_job() == (False, frozen > 0) and gc.get_freeze_count() == frozen


def test_a_local_submitit_job_counts_as_lost_a_second_after_its_process_ended_without_a_result(tmp_path):
    """submitit waits 15 s for a finished job's result file (a cluster's shared file system may show it
    late); a local job writes it on this disk before it ends, so the wait is cut to LOCAL_RESULT_WAIT_S
    through submitit's ``_results_timeout_s`` (a private name: this fails if submitit renames it)."""
    import submitit

    from journeysim.experiments.executors import LOCAL_RESULT_WAIT_S, _SubmititSession

    assert isinstance(submitit.core.core.Job._results_timeout_s, int | float)
    session = _SubmititSession(1, str(tmp_path), ())
    job = session.submit(square, 5)
    assert job._results_timeout_s == LOCAL_RESULT_WAIT_S < submitit.core.core.Job._results_timeout_s
    assert session.result(job) == 25
