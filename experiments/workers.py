"""What a local worker process (loky: ``run_many``'s local executor, ``hydra/launcher=joblib``) does
around its jobs.

- It ends when the command that started it does, even when that command is killed with SIGKILL
  (:func:`watch_parent`): a running journey is asked to stop and keeps its finished days.
- After its first job, what that job left alive (the modules every job uses) is frozen out of the
  garbage collector's sight (:func:`freeze_imports`), and the worker ends without a collection
  (:func:`skip_exit_collection`).

:func:`worker_job` does all of this around one job.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

_WATCH: dict[str, Any] = {"thread": None, "jobs": 0, "exit": False, "frozen": False}
"""This worker's parent watch (started once per process), the number of jobs it is running, whether
its exit skips the garbage collection (:func:`skip_exit_collection`) and whether its first job's
heap is frozen (:func:`freeze_imports`)."""

PARENT_WATCH_INTERVAL = 0.5
"""Seconds between two looks at a worker's parent."""

ORPHAN_GRACE = 20.0
"""Seconds an orphaned worker gives its running job to stop after SIGTERM (a journey run marks
itself interrupted and keeps its finished days) before it exits anyway."""


def in_local_worker() -> bool:
    """Whether this process is a worker of loky, the local executor's engine (and joblib's)."""
    module = sys.modules.get("joblib.externals.loky.process_executor")
    return module is not None and getattr(module, "_CURRENT_DEPTH", 0) > 0


def watch_parent(parent: int | None = None) -> None:
    """In a local worker, start (once) a thread that ends the process when its parent dies.

    A worker whose parent (the command that started the sweep) is killed, even by SIGKILL, must
    not live on. The thread looks at the parent every :data:`PARENT_WATCH_INTERVAL` seconds; once
    it is gone, a running job is sent SIGTERM when it handles that signal (``journey`` stops at the
    end of the day, marks its run interrupted and keeps the finished days) and is given
    :data:`ORPHAN_GRACE` seconds; then the worker exits with status 143.

    Parameters
    ----------
    parent : int, optional
        The parent's process id (default: this process's parent now). Nothing happens outside a
        local worker.
    """
    if _WATCH["thread"] is not None or not in_local_worker():
        return
    parent = os.getppid() if parent is None else parent
    thread = threading.Thread(target=_watch, args=(parent,), name="journeysim-parent-watch", daemon=True)
    _WATCH["thread"] = thread
    thread.start()


def _watch(parent: int) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(PARENT_WATCH_INTERVAL)
    if _WATCH["jobs"] and callable(signal.getsignal(signal.SIGTERM)):
        with contextlib.suppress(OSError):
            os.kill(os.getpid(), signal.SIGTERM)
        deadline = time.monotonic() + ORPHAN_GRACE
        while _WATCH["jobs"] and time.monotonic() < deadline:
            time.sleep(0.1)
    os._exit(128 + signal.SIGTERM)


def skip_exit_collection() -> None:
    """In a local worker, let the process end without collecting its garbage (once per process).

    A worker that ran journeys holds a large heap (numpy, pandas, Mesa, numba, SciPy modules and the
    last model), and Python's shutdown spent about 0.5 s collecting it, while the command that
    started the sweep waited for the worker to end. At exit every object is frozen
    (:func:`gc.freeze`), so shutdown frees what reference counts free and skips the cycle
    collections. Every output of a job is written, flushed and renamed before the job returns, so
    nothing waits on a collection at exit.
    """
    if _WATCH["exit"] or not in_local_worker():
        return
    _WATCH["exit"] = True
    import atexit
    import gc

    atexit.register(gc.freeze)


def freeze_imports() -> None:
    """In a local worker, after its first job, move every object then alive out of the garbage
    collector's sight (once per process).

    The first job imports what every job uses (numpy, pandas, Mesa, numba and its kernels, SciPy,
    Hydra): some 200,000 objects that live as long as the worker. Every full collection walked them
    all again (0.1 to 0.3 s each, one or two a job); once they are frozen (:func:`gc.freeze`, after a
    collection that frees the first job's own garbage), a collection walks only what later jobs
    create. Objects frozen stay alive for the worker's life, as they would anyway.
    """
    if _WATCH["frozen"] or not in_local_worker():
        return
    _WATCH["frozen"] = True
    import gc

    gc.collect()
    gc.freeze()


@contextlib.contextmanager
def worker_job(parent: int | None = None) -> Iterator[None]:
    """Around one job in a local worker: the parent watch runs (:func:`watch_parent`), and knows a
    job is running; the worker will end without a garbage collection (:func:`skip_exit_collection`)."""
    watch_parent(parent)
    skip_exit_collection()
    _WATCH["jobs"] += 1
    try:
        yield
    finally:
        _WATCH["jobs"] -= 1
        freeze_imports()


def _watched(parent: int, call: Callable[..., Any], *args: Any) -> Any:
    """``call(*args)`` in a local worker that ends when ``parent`` does."""
    with worker_job(parent):
        return call(*args)
