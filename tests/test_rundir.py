"""One run writes into a run directory at a time, and a run whose process died is seen as stale."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from journeysim.outputs import read_status
from journeysim.rundir import LOCK_FILE, is_stale, run_lock
from tests.test_commands import call
from tests.test_robust import CHEAP

HOLDER = ("import sys; from journeysim.rundir import run_lock\n"
          "with run_lock(sys.argv[1]):\n    print('held', flush=True); sys.stdin.read()\n")
"""A process that holds a directory's lock until its standard input closes."""


def test_a_second_run_into_a_busy_directory_is_refused_and_leaves_it_alone(tmp_path) -> None:
    run_dir = tmp_path / "run"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(run_dir)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        status, _, err = call("journey", *CHEAP, "seed=7", f"hydra.run.dir={run_dir}")
        assert status == 2, err
        assert f"process {holder.pid} is running there" in err and "hydra.run.dir" in err and "Traceback" not in err
        assert sorted(p.name for p in run_dir.iterdir()) == [LOCK_FILE]  # Hydra wrote nothing there
    finally:
        holder.communicate("")
    assert not (run_dir / LOCK_FILE).exists()


def dead_pid() -> int:
    """The pid of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_run_whose_process_died_is_stale_and_the_next_run_takes_it_over(tmp_path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "status.json").write_text(json.dumps({"status": "running", "seed": 0}))
    (run_dir / LOCK_FILE).write_text(f"{dead_pid()}\n")  # killed with SIGKILL: the lock stays, unheld
    assert is_stale(run_dir) and read_status(run_dir) == "stale"
    status, _, err = call("journey", *CHEAP, f"hydra.run.dir={run_dir}")
    assert status == 0, err
    assert "died before it finished" in err and read_status(run_dir) == "complete"


def test_a_running_directory_whose_lock_is_held_is_not_stale(tmp_path) -> None:
    with run_lock(tmp_path):
        (tmp_path / "status.json").write_text(json.dumps({"status": "running"}))
        assert not is_stale(tmp_path) and read_status(tmp_path) == "running"
        with run_lock(Path(tmp_path) / "."):  # the same process may enter again (journey, then its run)
            pass
        assert (tmp_path / LOCK_FILE).exists()
    assert read_status(tmp_path) == "stale"  # it says running, but no one holds it any more
