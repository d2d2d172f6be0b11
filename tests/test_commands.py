"""One command-line skeleton: every console script has journeysim's help, version, errors and output rule."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tomllib
from importlib import import_module
from pathlib import Path

import pytest

import journeysim
from journeysim import commands
from journeysim.sim.errors import EXIT_BAD_INPUT

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
BIN = Path(sys.executable).parent


def entry_point(name: str):
    module, _, function = SCRIPTS[name].partition(":")
    return getattr(import_module(module), function)


def call(name: str, *argv: str) -> tuple[int, str, str]:
    """Run a console script's function in this process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = entry_point(name)(list(argv))
        except SystemExit as stop:
            status = stop.code
    return int(status or 0), out.getvalue(), err.getvalue()


def parser_with_overrides():
    p = commands.parser("x", "x: test.")
    commands.add_overrides(p)
    commands.add_deprecated_out(p)
    return p


SKELETON_COMMANDS = sorted(SCRIPTS)
"""Every console script of pyproject.toml."""


@pytest.mark.parametrize("name", SKELETON_COMMANDS)
def test_help_opens_with_what_the_command_does_in_journeysims_words(name: str) -> None:
    status, out, _ = call(name, "--help")
    assert status == 0
    assert out.startswith(f"{name}: ")
    assert "Hydra" not in out.splitlines()[0]
    assert "examples:" in out and commands.EXIT_STATUSES.split(";")[0] in out


@pytest.mark.parametrize("name", SKELETON_COMMANDS)
def test_version_is_journeysims_own(name: str) -> None:
    status, out, _ = call(name, "--version")
    assert status == 0
    assert out.strip() == f"{name} (journeysim {journeysim.__version__})"


def test_journey_help_lists_each_scenario_with_its_question_and_how_to_see_the_config() -> None:
    _, out, _ = call("journey", "--help")
    assert "spring_sale" in out and "what if" in out.lower()
    assert "--cfg job" in out
    assert out.index("examples:") < out.index("scenarios (") < out.index("config groups")


def test_bad_input_is_one_line_on_stderr_and_exit_status_2(tmp_path) -> None:
    status, _, err = call("journey-compare", str(tmp_path / "missing"))
    assert status == EXIT_BAD_INPUT
    assert err.startswith("journey-compare: error: ") and "Traceback" not in err and err.count("\n") == 1


@pytest.mark.parametrize("name", ["journey-truth", "journey-sensitivity", "journey-optimise"])
def test_an_unknown_option_is_bad_input_on_one_line(name: str) -> None:
    status, _, err = call(name, "--no-such-option")
    assert status == EXIT_BAD_INPUT
    assert err.startswith(f"{name}: error: ") and err.count("\n") == 1


def test_a_hydra_composition_error_in_an_experiment_command_is_one_line_without_traceback() -> None:
    status, _, err = call("journey-truth", "population.sise=5")
    assert status == EXIT_BAD_INPUT
    assert err.startswith("journey-truth: error: unknown key 'population.sise' (value '5'); did you mean 'size'?")
    assert "Traceback" not in err


def test_an_override_that_is_not_key_value_is_bad_input() -> None:
    with pytest.raises(journeysim.sim.errors.ConfigError, match="key=value"):
        commands.parse(parser_with_overrides(), ["population.size"])


def test_hydra_run_dir_chooses_the_output_directory_and_the_default_is_under_outputs() -> None:
    args = commands.parse(parser_with_overrides(), ["days=5", "hydra.run.dir=here"])
    assert args.output_dir == "here" and args.overrides == ["days=5"]
    assert commands.output_dir(args.output_dir, "truth", "baseline") == Path("here")
    default = commands.output_dir(None, "truth", "baseline")
    assert default.parts[:3] == ("outputs", "truth", "baseline") and len(default.parts) == 4


def test_journey_reports_where_it_wrote(tmp_path) -> None:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run([str(BIN / "journey"), "population.size=500", "days=10", "outputs.figures=false",
                             f"hydra.run.dir={tmp_path / 'run'}"], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"outputs: {tmp_path / 'run'}"
    assert json.loads((tmp_path / "run" / "status.json").read_text())["status"] == "complete"


def test_options_once_written_as_overrides_still_work_with_a_note(capsys) -> None:
    argv = commands.legacy_options("journey-truth", ["seeds=3", "out=d", "days=5"], ["seeds", "out"])
    assert argv == ["--seeds", "3", "hydra.run.dir=d", "days=5"]
    assert "deprecated" in capsys.readouterr().err


def test_out_still_chooses_the_output_directory_with_a_note(capsys) -> None:
    assert commands.parse(parser_with_overrides(), ["--out", "old"]).output_dir == "old"
    assert "hydra.run.dir=old" in capsys.readouterr().err


def test_a_left_out_plan_leaves_its_slot_to_the_overrides() -> None:
    p = commands.parser("x", "x: test.")
    p.add_argument("plan", nargs="?", default="budget")
    commands.add_overrides(p)
    args = commands.parse(p, ["days=5", "seed=2"])
    commands.omitted_positional(args, "plan", "budget")
    assert (args.plan, args.overrides) == ("budget", ["days=5", "seed=2"])


@pytest.mark.parametrize("through_a_command", [True, False], ids=["a command", "no command"])
def test_a_command_ends_without_the_shutdown_collection(through_a_command: bool) -> None:
    """After a command's body returns, its process ends with every object frozen out of the garbage
    collector's sight (Python's shutdown collections of numpy, pandas, Hydra and the model took about
    half a second); a process that ran no command is left alone. An exit hook registered first runs
    last and sees the heap."""
    body = "commands.run('journey', lambda: None, [])" if through_a_command else "pass"
    code = ("import atexit, gc; atexit.register(lambda: print('frozen' if gc.get_freeze_count() else 'not frozen')); "
            f"from journeysim import commands; {body}")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == (["frozen"] if through_a_command else ["not", "frozen"])
