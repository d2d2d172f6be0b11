"""Every console script answers bad input the same way: one line naming the key or file, the value
and what is allowed, exit status 2, no traceback.

The matrix runs over every console script of ``pyproject.toml``: a command added later must say in
:data:`COMMANDS` how it meets each class of bad input (or that the class does not apply to it), or
``test_every_console_script_declares_how_it_meets_bad_input`` fails. ``make test`` runs a sample of
the matrix (one command per class); ``make test-robust`` (``JOURNEYSIM_ROBUST=all``) runs all of it.
"""

from __future__ import annotations

import errno
import functools
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeysim.sim.errors import EXIT_BAD_INPUT
from tests.test_commands import BIN, SCRIPTS, call

CHEAP = ("population.size=300", "days=3", "outputs.progress=false", "outputs.figures=false")
"""Overrides that keep a run that does start small."""


@dataclass(frozen=True)
class Command:
    """How one console script meets each class of bad input (None: the class does not apply).

    ``before`` comes first on every command line (a plan and a data file); ``overrides``: the
    command takes config overrides; ``user_yaml``: arguments naming a user's YAML file
    (``{dir}`` is the folder holding ``broken.yaml`` and ``scenario/broken.yaml``); ``writes``:
    the command writes into ``hydra.run.dir``.
    """

    before: tuple[str, ...] = ()
    overrides: bool = True
    user_yaml: tuple[str, ...] | None = None
    writes: bool = True


COMMANDS = {
    "journey": Command(user_yaml=("--config-dir", "{dir}", "scenario=broken")),
    "journey-scenarios": Command(overrides=False, writes=False),  # prints packaged files only
    "journey-compare": Command(before=("{dir}/sweep",), overrides=False),  # reads a sweep, writes beside it
    "journey-sensitivity": Command(user_yaml=("{dir}/broken.yaml",)),
    "journey-app": Command(overrides=False, writes=False),  # serves a page
    "journey-calibrate": Command(before=("recovery", "{dir}/observed.csv"),
                                 user_yaml=("{dir}/broken.yaml", "{dir}/observed.csv")),
    "journey-optimise": Command(user_yaml=("{dir}/broken.yaml",)),
    "journey-truth": Command(before=("--seeds", "1")),  # overrides; --plan CSV: test below, test_spend_plan.py
    "journey-attribution": Command(),  # config overrides only: no user files
    "journey-ab": Command(),  # config overrides only: no user files
    "journey-arena": Command(),  # overrides; --truth DIR: tests/test_arena.py
}

FULL = os.environ.get("JOURNEYSIM_ROBUST") == "all"


def matrix(applies, turn: int) -> list[str]:
    """The commands a class of bad input applies to: all of them with ``JOURNEYSIM_ROBUST=all``,
    else the ``turn``-th (each class takes a different turn, so ``make test`` samples the matrix)."""
    names = [name for name in sorted(SCRIPTS) if name in COMMANDS and applies(COMMANDS[name])]
    return names if FULL or not names else [names[turn % len(names)]]


def expand(args: tuple[str, ...], folder: Path) -> list[str]:
    return [arg.replace("{dir}", str(folder)) for arg in args]


def bad_input(name: str, *argv: str) -> str:
    """Run ``name`` in this process; assert exit status 2 and one error line; return that line."""
    status, _, err = call(name, *argv)
    lines = [line for line in err.splitlines() if line.startswith(f"{name}: error: ")]
    assert status == EXIT_BAD_INPUT, err
    assert "Traceback" not in err and len(lines) == 1, err
    return lines[0]


@pytest.fixture
def files(tmp_path) -> Path:
    """A user's folder: a plan and a scenario that do not parse as YAML, and an empty sweep."""
    (tmp_path / "scenario").mkdir()
    (tmp_path / "broken.yaml").write_text("name: secret_plan\nparameters: {budget: 1\n")
    (tmp_path / "scenario" / "broken.yaml").write_text("# @package _global_\nseed: 3\ndays:\t5\n")
    (tmp_path / "observed.csv").write_text("week,acquisitions\n1,5\n")
    (tmp_path / "sweep").mkdir()
    return tmp_path


def test_every_console_script_declares_how_it_meets_bad_input() -> None:
    assert set(COMMANDS) == set(SCRIPTS), "add the new command to COMMANDS in tests/test_robust.py"


@pytest.mark.parametrize("name", matrix(lambda c: c.overrides, turn=2))
def test_a_misspelt_config_key_names_the_key_and_the_closest_one(name: str, files: Path) -> None:
    line = bad_input(name, *expand(COMMANDS[name].before, files), "seed=2", "sedes=2", *CHEAP)
    assert "sedes" in line and "did you mean 'seed'" in line


@pytest.mark.parametrize("name", matrix(lambda c: c.user_yaml is not None, turn=1))
def test_a_user_yaml_file_that_does_not_parse_names_file_line_and_column(name: str, files: Path) -> None:
    line = bad_input(name, *expand(COMMANDS[name].user_yaml, files), *CHEAP, f"hydra.run.dir={files}/run")
    assert "broken.yaml" in line and "line " in line and "valid YAML" in line
    assert "secret_plan" not in line and "budget" not in line  # the file's contents are not echoed


def test_a_spend_plan_that_is_not_a_plan_names_the_file_and_what_is_allowed(files: Path) -> None:
    line = bad_input("journey-truth", "--seeds", "1", "--plan", str(files / "observed.csv"), *CHEAP,
                     f"hydra.run.dir={files}/run")
    assert "observed.csv" in line and "acquisitions" in line
    assert not (files / "run").exists()  # refused before any run


def test_a_user_yaml_file_that_does_not_parse_stops_a_sweep_before_any_job(files: Path) -> None:
    line = bad_input("journey", "--multirun", "--config-dir", str(files), "scenario=baseline,broken", *CHEAP,
                     f"hydra.sweep.dir={files}/sweep_out")
    assert "scenario/broken.yaml" in line and "line 3, column 6" in line and "tabs" in line
    assert not (files / "sweep_out").exists()  # not even the first job (baseline) ran


def read_only(monkeypatch, folder: Path, flag: int = os.ST_RDONLY, free: int = 10**9) -> None:
    """The operating system reports ``folder``'s file system read-only (or with ``free`` bytes)."""
    real = os.statvfs

    def statvfs(path):
        stats = real(path)
        if str(Path(path).resolve()).startswith(str(folder.resolve())):
            return SimpleNamespace(f_flag=stats.f_flag | flag, f_bavail=free // stats.f_frsize,
                                   f_frsize=stats.f_frsize)
        return stats

    monkeypatch.setattr(os, "statvfs", statvfs)


OUTPUT_PROBLEMS = {
    "a file where the directory should be": (lambda d: d / "a_file" / "run", {}, "a_file is a file"),
    "a read-only file system": (lambda d: d / "run", {"flag": os.ST_RDONLY}, "read-only"),
    "a full disk": (lambda d: d / "run", {"flag": 0, "free": 0}, "disk is full"),
}


@pytest.mark.parametrize("problem", sorted(OUTPUT_PROBLEMS))
@pytest.mark.parametrize("name", matrix(lambda c: c.writes, turn=3))
def test_an_output_location_that_cannot_be_written_is_refused_before_any_work(
        name: str, problem: str, files: Path, monkeypatch) -> None:
    where, statvfs, words = OUTPUT_PROBLEMS[problem]
    (files / "a_file").write_text("")
    if statvfs:
        read_only(monkeypatch, files, **statvfs)
    command = COMMANDS[name]
    line = bad_input(name, *expand(command.before, files), *(CHEAP if command.overrides else ()),
                     f"hydra.run.dir={where(files)}")
    assert "hydra.run.dir" in line and str(where(files)) in line and words in line


def test_a_disk_that_fills_during_writing_names_the_file_and_the_run_says_failed(files: Path, monkeypatch) -> None:
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        if str(dst).endswith("flows.csv"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # as a write() fails: no file name
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    line = bad_input("journey", *CHEAP, f"hydra.run.dir={files}/run")
    assert "flows.csv" in line and "disk is full" in line
    status = (files / "run" / "status.json").read_text()
    assert '"failed"' in status and "No space left" in status


def test_every_console_script_started_from_the_shell_answers_a_typo_without_traceback(files: Path) -> None:
    """The installed console scripts, all at once (each answers in about a second)."""
    processes = {}
    for name in sorted(SCRIPTS):
        command = COMMANDS.get(name, Command())
        typo = ("seed=2", "sedes=2") if command.overrides else ("--sedes", "2")
        argv = [str(BIN / name), *expand(command.before, files), *typo]
        processes[name] = subprocess.Popen(argv, cwd=files, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                           text=True, env={**os.environ, "MPLBACKEND": "Agg"})
    for name, process in processes.items():
        _, err = process.communicate(timeout=120)
        assert process.returncode == EXIT_BAD_INPUT, (name, err)
        assert "Traceback" not in err and err.count(f"{name}: error: ") == 1, (name, err)
        assert "sedes" in err, (name, err)


def test_self_loops_and_duplicate_edges_are_dropped_with_a_warning_that_counts_them(tmp_path, caplog) -> None:
    from journeysim.sim.network import read_edge_list

    path = tmp_path / "edges.csv"
    path.write_text("source,target\n0,1\n1,0\n0,1\n2,2\n1,2\n")
    u, v = read_edge_list(path, 5)
    assert sorted(zip(u.tolist(), v.tolist(), strict=True)) == [(0, 1), (1, 2)]
    assert "dropped 1 self-loop(s) and 2 duplicate edge(s)" in caplog.text and "2 edges kept" in caplog.text


def test_an_edge_list_message_never_prints_the_lines_of_the_file(tmp_path) -> None:
    from journeysim.sim.errors import ConfigError
    from journeysim.sim.network import read_edge_list

    path = tmp_path / "diary.csv"
    for text in ("dear diary, today the secret launch date was set\n", "0,1\nthe secret launch date\n",
                 "0,1\n1,the secret launch date is near\n"):
        path.write_text(text)
        with pytest.raises(ConfigError) as error:
            read_edge_list(path, 10)
        assert "secret" not in str(error.value) and "diary.csv" in str(error.value)


@pytest.mark.parametrize("host", ["", " "])
def test_an_empty_host_serves_the_page_to_this_machine_only(host: str, capsys) -> None:
    from journeysim.cli import HOST, parse_app_args

    assert parse_app_args(["--host", host]).host == HOST == "127.0.0.1"
    assert "warning" not in capsys.readouterr().err


def test_a_page_served_beyond_this_machine_says_so(capsys) -> None:
    from journeysim.cli import parse_app_args

    assert parse_app_args(["--host", "0.0.0.0"]).host == "0.0.0.0"
    assert "journey-app: warning: serving the page on 0.0.0.0" in capsys.readouterr().err


def test_every_test_the_catalogue_of_bad_input_names_exists() -> None:
    """docs/errors.md names a test for each class of bad input: each must be defined."""
    import re

    repo = Path(__file__).resolve().parents[1]
    catalogue = (repo / "docs" / "errors.md").read_text()
    named = re.findall(r"(test_\w+\.py)?::(test_\w+)", catalogue)
    assert len(named) >= 15
    defined = "".join(path.read_text() for path in (repo / "tests").glob("test_*.py"))
    assert [name for _, name in named if f"def {name}(" not in defined] == []


EDGE_TEXT = st.lists(st.one_of(st.text(alphabet="0123456789,# -x\t", max_size=12),
                               st.sampled_from(["source,target", "0,1", "1,1", "9" * 30, ""])), max_size=8)


@settings(max_examples=60, deadline=None)
@given(lines=EDGE_TEXT)
def test_any_edge_list_file_is_read_or_refused_with_a_config_error(tmp_path_factory, lines) -> None:
    from journeysim.sim.errors import ConfigError
    from journeysim.sim.network import read_edge_list

    path = tmp_path_factory.mktemp("edges") / "edges.csv"
    path.write_text("\n".join(lines) + "\n")
    try:
        u, v = read_edge_list(path, 20)
    except ConfigError as error:
        assert "edges.csv" in str(error)
        return
    assert u.size > 0 and (u < v).all() and v.max() < 20  # edges between two customers, each once


@pytest.mark.parametrize(("option", "words"), [
    ("hydra.callbacks.compare.level=7", "hydra.callbacks.compare.level = 7 is not allowed: a confidence level"),
    ("hydra.callbacks.compare.figures=maybe", "compare.figures = 'maybe' is not allowed: true or false"),
])
def test_a_bad_comparison_option_stops_a_sweep_before_any_job(files: Path, option: str, words: str) -> None:
    line = bad_input("journey", "--multirun", "seed=0,1", option, *CHEAP, f"hydra.sweep.dir={files}/sweep_out")
    assert words in line
    assert not list((files / "sweep_out").rglob("status.json"))  # no job ran


def test_a_kpi_the_runs_do_not_have_fails_the_sweep_with_status_2(files: Path) -> None:
    """Which KPIs a sweep's runs have is known once they ran: the comparison names the KPI then."""
    status, _, err = call("journey", "--multirun", "seed=0", "hydra.callbacks.compare.kpis=[proffit]", *CHEAP,
                          f"hydra.sweep.dir={files}/sweep_out")
    assert status == EXIT_BAD_INPUT and "Traceback" not in err and "UserWarning" not in err, err
    assert "kpi = 'proffit' is not allowed: one of " in err and "did you mean 'profit'" in err


# ------------------------------------------------------------------ the whole config schema, by hypothesis
SCHEMA_EXAMPLES = 300 if FULL else 20
"""Examples of the schema property: ``make test`` tries 20, ``make test-robust`` 300."""

PROBES = (-1e9, -1, 1e9, 1e15)
"""Numbers far outside most keys' ranges: each is refused or would run (then it is not tried)."""


@functools.cache
def schema_leaves() -> dict[str, Any]:
    """Every leaf key of the default run config (dotted) and its default value (lists aside)."""
    from journeysim.experiments.compose import compose_base

    def walk(node: dict, prefix: str) -> Iterator[tuple[str, Any]]:
        for key, value in node.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                yield from walk(value, name + ".")
            elif not isinstance(value, list) and value is not None:
                yield name, value

    return dict(walk(compose_base(None, []), ""))


def override_commands() -> list[str]:
    """Console scripts taking config overrides without a file of the user's before them."""
    return sorted(name for name, command in COMMANDS.items()
                  if command.overrides and not any("{dir}" in arg for arg in command.before))


@st.composite
def wrong_settings(draw) -> tuple[str, str, str, str, bool]:
    """``(command, override, key, value as typed, surely wrong)``: a random key of the schema given
    a value of the wrong type, far out of range, or a key its section does not have."""
    leaves = schema_leaves()
    key = draw(st.sampled_from(sorted(leaves)))
    default = leaves[key]
    word = "x" + draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8))
    kind = draw(st.sampled_from(["type", "range", "unknown"]))
    command = draw(st.sampled_from(override_commands()))
    if kind == "unknown":
        section = key.rpartition(".")[0]
        name = f"{section}.{word}" if section else word
        value = str(draw(st.integers(0, 99)))
        plus = draw(st.sampled_from(["", "+"]))
        return command, f"{plus}{name}={value}", name, value, True
    if kind == "range" and isinstance(default, int | float) and not isinstance(default, bool):
        value = repr(draw(st.sampled_from(PROBES)))
        return command, f"{key}={value}", key, value, False
    # the wrong type: a word where a number or a flag belongs (a text key may take any word)
    return command, f"{key}={word}", key, word, not isinstance(default, str)


def refused(override: str, others: Sequence[str] = ()) -> bool:
    """Whether the config with ``override`` and the ``others`` is refused (composed and checked
    in this process)."""
    from journeysim.experiments.compose import compose_base
    from journeysim.scenarios.spec import parse_config
    from journeysim.sim.errors import ConfigError

    try:
        parse_config(compose_base(None, [*others, override]))
    except ConfigError:
        return True
    return False


def shown(value: str) -> tuple[str, ...]:
    """How a message may show the value typed: as typed, or as the number it is."""
    try:
        number = float(value)
    except ValueError:
        return (value,)
    return (value, repr(number), f"{number:g}", str(int(number)) if number.is_integer() else value)


@settings(max_examples=SCHEMA_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=wrong_settings())
def test_any_wrong_value_of_any_key_exits_2_naming_the_key_and_the_value(tmp_path_factory, case) -> None:
    """Through the command line (in this process): a wrong value of a random key of the schema, or
    a key the schema does not have, exits 2 with one line naming the key and the value, never a
    traceback. A far-out number a key does allow is not run (it could run for long)."""
    command, override, key, value, surely_wrong = case
    # days=3 only for journey: other commands' default plans need their days (a burst to day 334)
    cheap = [arg for arg in CHEAP if arg.partition("=")[0] != key and (command == "journey" or arg != "days=3")]
    if not surely_wrong and not refused(override, cheap):  # judged at the size the command runs
        return
    folder = tmp_path_factory.mktemp("schema")
    before = [arg.replace("{dir}", str(folder)) for arg in COMMANDS[command].before]
    line = bad_input(command, *before, override, *cheap, f"hydra.run.dir={folder / 'run'}")
    assert key in line, line
    assert any(text in line for text in shown(value)), line


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))


@pytest.mark.parametrize(("args", "missing", "given"), [
    (["seed=2"], "the plan argument is missing: a plan in conf/calibration",
     "'seed=2' is a key=value override, not the plan"),
    (["recovery", "seed=2"], "the data argument is missing (given: plan 'recovery'): observed weekly data",
     "'seed=2' is a key=value override, not the data"),
])
def test_an_override_never_fills_a_required_argument_the_message_says_which_is_missing(args, missing, given,
                                                                                         capsys) -> None:
    from journeysim import entry

    try:
        status = entry.launch("journey-calibrate", args)
    except SystemExit as stop:
        status = stop.code
    err = capsys.readouterr().err
    assert status == EXIT_BAD_INPUT and "Traceback" not in err
    assert err.startswith(f"journey-calibrate: error: {missing}") and given in err, err
    assert "plan = 'seed=2'" not in err and "data = 'seed=2'" not in err
