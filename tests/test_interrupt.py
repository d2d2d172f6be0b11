"""An interrupted run (Ctrl-C, SIGTERM) leaves no half-written file, is marked incomplete, keeps the
tables of the days it finished and exits 128 + the signal; at any moment, never with a traceback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import weakref
from pathlib import Path

import pandas as pd
import pytest

from journeysim import outputs
from journeysim.outputs import read_status
from journeysim.runner import run
from tests.conftest import make_spec

JOURNEY = Path(sys.executable).parent / "journey"


def assert_no_partial_files(run_dir: Path) -> None:
    """No temporary file is left, and every table present parses whole (ends with a newline)."""
    assert not [p.name for p in run_dir.iterdir() if p.name.endswith(".tmp")]
    for table in run_dir.glob("*.csv"):
        assert table.read_bytes().endswith(b"\n"), table
        pd.read_csv(table)
    for document in run_dir.glob("*.json"):
        json.loads(document.read_text())


def wait_for_status(run_dir: Path, status: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while read_status(run_dir) != status:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{run_dir} never became {status}"
        time.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signalled_run_exits_128_plus_the_signal_and_keeps_the_finished_days_marked_partial(
        tmp_path, signum) -> None:
    run_dir = tmp_path / "run"
    args = [str(JOURNEY), "population.size=20000", "days=3650", "outputs.progress=false",
            f"hydra.run.dir={run_dir}"]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    # A shell that starts jobs in the background ignores SIGINT in them; restore Ctrl-C's default.
    process = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        wait_for_status(run_dir, "running", process)
        time.sleep(1.0)  # well into the daily steps
        assert process.poll() is None, "the run ended before it could be interrupted"
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr and "marked incomplete" in stderr and signal.Signals(signum).name in stderr
    status = json.loads((run_dir / "status.json").read_text())
    assert status["status"] == "incomplete" and status["reason"] == "interrupted"
    assert status["signal"] == signal.Signals(signum).name and status["partial"] is True
    assert 0 < status["days_finished"] < 3650
    assert len(pd.read_csv(run_dir / "daily.csv")) == status["days_finished"]  # the finished days, whole
    assert not (run_dir / "summary.json").exists() and not (run_dir / "run.lock").exists()
    assert_no_partial_files(run_dir)


def test_an_interrupt_while_a_table_is_written_leaves_it_absent_not_half_written(tmp_path, monkeypatch) -> None:
    """Ctrl-C in the middle of writing ``flows.csv``: the daily table already written stays
    whole, the flows table is absent, no temporary file remains, the run is incomplete."""
    spec = make_spec("population.size=1000", "days=20", "outputs.figures=false")
    from journeysim import outputs

    real_piece = outputs._write_csv_piece
    calls = []

    def interrupted_piece(handle, piece, header):
        calls.append(Path(handle.name).name)  # the temporary file the table is written to
        if len(calls) == 2:  # the second table: write half of it, then the user presses Ctrl-C
            real_piece(handle, piece.head(len(piece) // 2), header)
            raise KeyboardInterrupt
        return real_piece(handle, piece, header)

    monkeypatch.setattr(outputs, "_write_csv_piece", interrupted_piece)
    with pytest.raises(KeyboardInterrupt):
        run(spec, tmp_path)
    assert calls[1].startswith(".flows.csv.")
    assert read_status(tmp_path) == "incomplete"
    assert not (tmp_path / "flows.csv").exists() and not (tmp_path / "summary.json").exists()
    assert len(pd.read_csv(tmp_path / "daily.csv")) == 20  # days 1..20
    assert_no_partial_files(tmp_path)


def test_atomic_write_replaces_a_previous_file_only_when_the_new_one_is_whole(tmp_path) -> None:
    path = tmp_path / "table.csv"
    path.write_text("a\n1\n")

    def fail_halfway(tmp: Path) -> None:
        tmp.write_text("a\n")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        outputs.atomic_write(path, fail_halfway)
    assert path.read_text() == "a\n1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_a_signal_while_outputs_are_written_is_not_swallowed(tmp_path, monkeypatch) -> None:
    """SIGTERM arrives while the figures are drawn: every file finishes whole, then the run says it
    was interrupted and raises (the command exits 143), instead of reporting complete."""
    from journeysim import runner
    from journeysim.sim.errors import Interrupted

    spec = make_spec("population.size=500", "days=5", "outputs.progress=false")
    real_write_figures = outputs.write_figures

    def write_figures_then_sigterm(*args, **kwargs):
        runner.request_stop(signal.SIGTERM, None)
        return real_write_figures(*args, **kwargs)

    monkeypatch.setattr(outputs, "write_figures", write_figures_then_sigterm)
    with pytest.raises(Interrupted) as stopped:
        run(spec, tmp_path)
    assert stopped.value.signum == signal.SIGTERM
    status = json.loads((tmp_path / "status.json").read_text())
    assert status["status"] == "incomplete" and status["while"] == "writing" and status["signal"] == "SIGTERM"
    assert_no_partial_files(tmp_path)


INTERRUPTIBLE = ("journey", "journey-truth", "journey-attribution", "journey-sensitivity", "journey-optimise")
"""Commands whose work lasts (each given a run of several seconds below)."""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_in_the_first_moments_of_any_command_exits_quietly(tmp_path, signum) -> None:
    """The signal arrives while the commands' modules are still loading (about 0.6 s for ``journey``,
    2 s for ``journey-truth`` on an idle machine; five at once take longer) or Hydra composes the
    config: one line, exit 128 + the signal."""
    processes = {}
    for name in INTERRUPTIBLE:
        argv = [str(JOURNEY.parent / name), "population.size=20000", "days=3650", f"hydra.run.dir={tmp_path / name}"]
        processes[name] = subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                           text=True, env={**os.environ, "MPLBACKEND": "Agg"},
                                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(1.0)  # the interpreter has started (before that Python itself prints the traceback)
    for process in processes.values():
        process.send_signal(signum)
    for name, process in processes.items():
        _, err = process.communicate(timeout=60)
        assert process.returncode == 128 + signum, (name, err)
        assert "Traceback" not in err and err.count(f"{name}: interrupted") == 1, (name, err)


def test_sigterm_during_a_numba_compilation_stops_the_command_when_the_compilation_ends():
    """In a fresh checkout numba compiles the kernels on first use, partly inside llvmlite's ctypes
    callbacks, where a raised exception is printed and dropped (the command then went on and exited
    0). The handler notes a signal that arrives during a compilation and raises it when the
    compilation ends: the kernel is compiled whole and the command stops."""
    import numba
    from numba.core import event

    from journeysim import interrupts
    from journeysim.sim.errors import Interrupted

    class SignalOnCompile(event.Listener):
        def on_start(self, event):  # noqa: ARG002 - numba's listener signature
            if not sent:
                sent.append(True)
                os.kill(os.getpid(), signal.SIGTERM)  # handled at the next bytecode: inside the compiler

        def on_end(self, event):  # noqa: ARG002 - numba's listener signature
            pass

    @numba.njit(cache=False)
    def fresh_kernel(x):
        return x * 2 + 1

    sent: list[bool] = []
    previous = signal.signal(signal.SIGTERM, interrupts.stop)
    interrupts.guard()
    listener = SignalOnCompile()
    event.register("numba:compile", listener)
    try:
        with pytest.raises(Interrupted) as stopped:
            fresh_kernel(3)
    finally:
        event.unregister("numba:compile", listener)
        signal.signal(signal.SIGTERM, previous)
        interrupts.RECEIVED = None  # handled here: later tests in this process start afresh
    assert sent and stopped.value.signum == signal.SIGTERM
    assert len(fresh_kernel.overloads) == 1 and fresh_kernel(3) == 7  # compiled whole before the stop
    assert interrupts.COMPILATIONS.depth == 0 and interrupts.COMPILATIONS.pending is None


def test_a_signal_swallowed_while_a_command_loads_still_stops_it() -> None:
    """Some libraries catch every exception around optional imports: a SIGTERM raised there was lost
    and the command went on. The entry point raises it again once the command's modules are loaded."""
    import contextlib

    from journeysim import interrupts
    from journeysim.sim.errors import Interrupted

    try:
        with contextlib.suppress(BaseException):  # what such a library does
            interrupts.stop(signal.SIGTERM, None)
        with pytest.raises(Interrupted) as stopped:
            interrupts.raise_received()
        assert stopped.value.signum == signal.SIGTERM
    finally:
        interrupts.RECEIVED = None
    interrupts.raise_received()  # nothing received: nothing raised


def test_a_signal_that_hydra_turns_into_an_error_of_its_own_still_exits_quietly(tmp_path, monkeypatch, capsys):
    """A SIGTERM while Hydra opens a config file makes Hydra's ``finally`` raise an
    ``UnboundLocalError`` of its own (in CI one signal in forty sent while Hydra composed the config
    did this, or left OmegaConf with a half-built node): the interruption is behind that error, and
    the command still ends with one line and exit 143."""
    from journeysim.cli import main
    from journeysim.sim.errors import Interrupted

    opened = Path.open

    def open_then_signalled(self, *args, **kwargs):
        if sys._getframe(1).f_globals.get("__name__", "").startswith("hydra."):  # Hydra reading a config
            raise Interrupted(signal.SIGTERM)
        return opened(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_then_signalled)
    with pytest.raises(SystemExit) as ended:
        main(["population.size=100", "days=2", f"hydra.run.dir={tmp_path}"])
    assert ended.value.code == 128 + signal.SIGTERM
    assert capsys.readouterr().err.strip() == "journey: interrupted"


def test_a_swallowed_signal_is_raised_once_and_stops_an_experiment_before_its_first_job() -> None:
    from functools import partial

    from journeysim import interrupts
    from journeysim.experiments.runner import run_many
    from journeysim.sim.errors import Interrupted

    interrupts.RECEIVED = signal.SIGTERM  # handled by interrupts.stop, then swallowed
    try:
        with pytest.raises(Interrupted):
            run_many([partial(pow, 2, 3)])
    finally:
        interrupts.RECEIVED = None
    assert run_many([partial(pow, 2, 3)]).values() == [8]  # raised once: the next run goes on


def test_a_signal_swallowed_while_a_run_loads_stops_journey_before_its_first_day(tmp_path, capsys) -> None:
    """``journey`` loads the engine after the entry point's check (lazily, to start fast); a SIGTERM
    that a library swallowed then was lost when the run's own handler took over, and a CI run went
    on for 3,650 days and exited 0. The job raises it before it takes over."""
    from journeysim import cli, interrupts

    interrupts.RECEIVED = signal.SIGTERM  # handled by interrupts.stop, then swallowed
    try:
        with pytest.raises(SystemExit) as stopped:
            cli.main(["population.size=300", "days=30", "outputs.figures=false", "outputs.progress=false",
                      f"hydra.run.dir={tmp_path}"])
    finally:
        interrupts.RECEIVED = None
    assert stopped.value.code == 128 + signal.SIGTERM
    assert "journey: interrupted" in capsys.readouterr().err
    assert not (tmp_path / "summary.json").exists()


class _SignalsWhileFreed:
    """An object whose ``__del__`` receives SIGTERM: Python drops what a ``__del__`` raises."""

    def __del__(self) -> None:
        _signal_here()


def _signal_here(*_) -> None:
    """Send SIGTERM to this process and run on, so that its handler runs in this frame."""
    os.kill(os.getpid(), signal.SIGTERM)
    for _ in range(1_000):  # bytecodes, between which the handler runs, here
        pass


class _Freed:
    pass


def _free_with_weakref_callback() -> None:
    """Free an object whose weak reference's callback receives SIGTERM (as importlib's module locks
    and Mesa's weak dictionaries have callbacks)."""
    freed = _Freed()
    reference = weakref.ref(freed, _signal_here)
    del freed
    assert reference() is None


def _free_with_finaliser() -> None:
    freed = _SignalsWhileFreed()
    del freed


@pytest.mark.parametrize("free", [_free_with_finaliser, _free_with_weakref_callback])
def test_a_signal_that_arrives_while_an_object_is_freed_is_raised_once_that_is_done(free, capfd):
    """A handler that raises inside ``__del__`` or a weak-reference callback (a model freed as a run
    ends; an import's module lock) would print "Exception ignored" and let the command go on: the
    signal is sent again."""
    from journeysim import interrupts
    from journeysim.sim.errors import Interrupted

    previous_handler, previous_hook = signal.signal(signal.SIGTERM, interrupts.stop), sys.unraisablehook
    interrupts.guard()
    try:
        with pytest.raises(Interrupted):
            free()
            time.sleep(5)  # the signal sent again arrives here
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
        sys.unraisablehook = previous_hook
        interrupts.RECEIVED = None
    assert "Exception ignored" not in capfd.readouterr().err


def test_a_library_that_logs_an_interruption_before_raising_it_again_prints_no_traceback(capfd):
    """SQLAlchemy's pool logs "Exception during reset or similar" with the traceback of a SIGTERM that
    arrives while a connection is returned, then raises it again (journey-calibrate under pyabc):
    the command says it was interrupted, the log record is dropped; other errors still print."""
    import logging

    from journeysim import interrupts
    from journeysim.sim.errors import Interrupted

    logger = logging.getLogger("journeysim.tests.pool")
    logger.propagate = False  # no handler anywhere: Python's last resort prints, as in journey-calibrate
    interrupts.guard()
    try:
        for error in (Interrupted(signal.SIGTERM), KeyboardInterrupt(), ValueError("a real failure")):
            try:
                raise error
            except BaseException:
                logger.error("Exception during reset or similar", exc_info=True)
    finally:
        interrupts.RECEIVED = None
        logger.propagate = True
    err = capfd.readouterr().err
    assert err.count("Exception during reset or similar") == 1 and "ValueError: a real failure" in err
    assert "Interrupted" not in err and "KeyboardInterrupt" not in err


def test_a_signal_that_breaks_a_module_s_import_still_exits_quietly(tmp_path, monkeypatch, capsys) -> None:
    """Ctrl-C inside the import of an extension module (numba's ``_dispatcher`` importing
    ``_devicearray``, in CI) comes out as ``ImportError: numba._devicearray failed to import``, with
    the interruption as its context: the command still ends with one line and exit 130, and an
    import that fails for any other reason still fails with its own error."""
    from journeysim import entry

    (tmp_path / "signalled_import.py").write_text(
        "try:\n    raise KeyboardInterrupt\nexcept KeyboardInterrupt:\n"
        "    raise ImportError('signalled_import._core failed to import')\n")
    (tmp_path / "broken_import.py").write_text("raise ImportError('broken_import needs a library')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(entry.TARGETS, "journey-signalled", "signalled_import:main")
    monkeypatch.setitem(entry.TARGETS, "journey-broken", "broken_import:main")
    assert entry.launch("journey-signalled", []) == 128 + signal.SIGINT
    assert capsys.readouterr().err.strip() == "journey-signalled: interrupted"
    with pytest.raises(ImportError, match="needs a library"):
        entry.launch("journey-broken", [])
