"""The run's worker threads: independent pieces of one phase, done at once on the machine's cores.

A phase hands :func:`map_in_order` pieces that share no state they write (each channel's draws
from its own stream, say) and gets the results back in its own order, so nothing that follows
depends on how many threads there are or which finished first. The work inside each piece is
numpy and compiled kernels, which release the interpreter's lock: Python threads then run on all
cores. ``JOURNEYSIM_THREADS`` sets their number (default: the cores this process may use; 1 does
every piece in turn on the calling thread; a sweep's local worker processes use 1).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from journeysim.sim.errors import ConfigError

__all__ = ["map_in_order", "row_ranges", "thread_count"]

Item = TypeVar("Item")
Result = TypeVar("Result")

_pool: ThreadPoolExecutor | None = None

SMALLEST_RANGE = 200_000
"""Rows: a pass over fewer is not shared among threads (handing it over would cost more than it saves)."""


def thread_count() -> int:
    """Threads a phase may use: ``JOURNEYSIM_THREADS`` if set, else the cores this process may run on."""
    configured = os.environ.get("JOURNEYSIM_THREADS", "").strip()
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise ConfigError("JOURNEYSIM_THREADS (environment)", configured, "a whole number of threads, 1 or more")
        return int(configured)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def map_in_order(work: Callable[[Item], Result], items: Iterable[Item]) -> list[Result]:
    """``[work(item) for item in items]``, the items shared among the run's threads.

    The pieces must not write anything another piece reads; the results come back in the order
    of ``items`` whatever order the threads finish in.
    """
    items = list(items)
    threads = thread_count()
    if threads == 1 or len(items) < 2:
        return [work(item) for item in items]
    global _pool
    if _pool is None or _pool._max_workers != threads:
        _pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="journeysim")
    return list(_pool.map(work, items))


def row_ranges(n: int, align: int) -> list[tuple[int, int]]:
    """Rows ``0 .. n - 1`` cut into one ``(first, stop)`` range per thread, each at least
    :data:`SMALLEST_RANGE` rows and starting at a multiple of ``align``: a pass over every row done
    range by range gives what one pass gives (its results concatenated in range order)."""
    pieces = max(min(thread_count(), n // SMALLEST_RANGE), 1)
    cuts = [0] + [(n * k // pieces) // align * align for k in range(1, pieces)] + [n]
    return list(zip(cuts[:-1], cuts[1:], strict=True))
