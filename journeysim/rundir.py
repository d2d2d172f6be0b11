"""An honest run directory: one run writes into it at a time, and a run that died is seen as dead.

A run holds ``run.lock`` in its directory while it works: an exclusive ``flock`` on the file, which
also names the process (its pid). A second run into the same directory is refused while the first
lives; the operating system drops the lock of a process that dies, so a later run takes the directory
over. A directory whose ``status.json`` still says ``running`` but whose lock names no live process
was left by a process that died without a word: :func:`is_stale` says so, and
:func:`journeysim.outputs.read_status` reports it as ``stale``.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from journeysim.sim.errors import ConfigError

LOCK_FILE = "run.lock"
"""The lock a run holds in its directory while it works (text: the holder's pid)."""

_HELD: dict[Path, tuple[int, int]] = {}
"""Locks this process holds: directory -> (file descriptor, nesting depth)."""


def lock_holder(run_dir: str | Path) -> int | None:
    """The pid written in ``run_dir``'s lock (None without a lock or a readable pid)."""
    try:
        return int((Path(run_dir) / LOCK_FILE).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def process_alive(pid: int) -> bool:
    """Whether a process with this pid exists (a zombie counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def is_stale(run_dir: str | Path) -> bool:
    """Whether a run that says ``running`` in ``run_dir`` died without a word: its lock is gone or
    names a process that no longer lives."""
    pid = lock_holder(run_dir)
    return pid is None or not process_alive(pid)


@contextmanager
def run_lock(run_dir: str | Path, key: str = "hydra.run.dir") -> Iterator[Path]:
    """Hold ``run_dir``'s lock for the block (creating the directory); re-entrant in one process.

    Parameters
    ----------
    run_dir : str or Path
        The run directory.
    key : str
        What names the directory on the command line, for the error.

    Raises
    ------
    ConfigError
        When another live process holds the lock: naming the directory and that process.
    """
    directory = Path(run_dir).resolve()
    if directory in _HELD:
        fd, depth = _HELD[directory]
        _HELD[directory] = (fd, depth + 1)
        try:
            yield directory
        finally:
            _HELD[directory] = (fd, _HELD[directory][1] - 1)
        return
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LOCK_FILE
    fd = _acquire(path, key, run_dir)
    previous = os.read(fd, 64).decode(errors="replace").split()
    if previous and previous[0] != str(os.getpid()):
        print(f"note: {run_dir} was left by process {previous[0]}, which died before it finished; "
              "this run takes it over", file=sys.stderr)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    _HELD[directory] = (fd, 1)
    try:
        yield directory
    finally:
        depth = _HELD[directory][1]
        if depth <= 1:
            del _HELD[directory]
            path.unlink(missing_ok=True)  # while still held: no one else can have taken it
            os.close(fd)
        else:
            _HELD[directory] = (fd, depth - 1)


def _acquire(path: Path, key: str, run_dir: str | Path) -> int:
    """Open and lock ``path``; retry when the file was unlinked by its last holder meanwhile."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            pid = lock_holder(path.parent)
            holder = f"process {pid}" if pid is not None else "another process"
            raise ConfigError(key, str(run_dir), f"a directory no other run is writing into ({holder} is "
                              "running there; wait for it to end or choose another directory)") from None
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # the holder released and removed it between our open and our lock


def scratch_directory(prefix: str) -> Path:
    """A new temporary directory, removed with everything in it when this Python process exits
    (for runs nobody asked to keep: :func:`journeysim.api.sweep` without a path)."""
    scratch = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    return scratch
