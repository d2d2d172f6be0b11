"""The ``journey`` console script: any working directory, overrides, outputs, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def journey(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run([str(BIN / "journey"), *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300)


def test_journey_runs_from_any_directory_and_writes_outputs(tmp_path) -> None:
    result = journey("population.size=3000", "seed=7", "days=60", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    runs = list((tmp_path / "outputs" / "baseline").iterdir())
    assert len(runs) == 1
    run_dir = runs[0]
    for name in ("summary.json", "daily.csv", "flows.csv", "channels.csv", "events.csv", "stages.png",
                 "funnel.png", "flows.png", "channels.png", "service.png", "status.json"):
        assert (run_dir / name).is_file(), name
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["seed"] == 7 and summary["kpis"]["customers"] == 3000 and summary["kpis"]["days"] == 60
    assert json.loads((run_dir / "status.json").read_text())["status"] == "complete"
    assert "Acquisitions" in result.stdout


def test_bass_scenario_writes_adoption_table_and_figure(tmp_path) -> None:
    result = journey("scenario=bass", "population.size=20000", "days=730", f"hydra.run.dir={tmp_path}/bass",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = (tmp_path / "bass" / "adoption.csv").read_text().splitlines()
    assert lines[0] == "day,adopted_fraction" and len(lines) == 731  # header and days 1..730
    assert (tmp_path / "bass" / "adoption.png").stat().st_size > 10_000


@pytest.mark.parametrize(("arg", "words"), [
    ("scenario=basline", ["scenario", "basline", "did you mean 'baseline'"]),
    ("population=b3c", ["population", "b3c"]),
    ("population.size=-5", ["population.size", "-5", "at least 1"]),
    ("market.checkout_friction=1.5", ["market.checkout_friction", "1.5", "from 0.0 to 1.0"]),
    ("network.type=small_world", ["network.type", "small_world"]),
    ("channels.search.daily_budget=-10", ["channels.search.daily_budget", "-10"]),
])
def test_bad_input_gets_a_clear_error_and_exit_status_2(tmp_path, arg: str, words: list[str]) -> None:
    result = journey(arg, "days=5", cwd=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


def test_plain_install_finds_its_configs_outside_the_source_tree(tmp_path) -> None:
    """A non-editable install ships conf/ as package data (pkg:// configs resolve) and the Hydra
    sweeper plugin (hydra_plugins.journeysim_sweeper), so its sweeps run too."""
    repo = Path(__file__).resolve().parents[1]
    wheel_dir = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(wheel_dir), str(repo)], check=True, capture_output=True, timeout=300)
    site = tmp_path / "site"
    wheel = next(wheel_dir.glob("journeysim-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    code = ("import sys; sys.argv = ['journey', 'scenario=bass', 'population.size=2000', 'days=30', "
            "'hydra.run.dir=run']; import journeysim; assert journeysim.__file__.startswith(sys.argv_site), "
            "journeysim.__file__; from journeysim.cli import main; main()")
    code = code.replace("sys.argv_site", repr(str(site)))
    env = {**os.environ, "PYTHONPATH": str(site), "MPLBACKEND": "Agg"}
    result = subprocess.run([sys.executable, "-I", "-c", code.replace("import sys;", "import sys; sys.path.insert(0, "
                             + repr(str(site)) + ");")], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "run" / "adoption.csv").is_file()
    sweep = code.replace("'scenario=bass'", "'--multirun', 'scenario=bass'").replace(
        "'hydra.run.dir=run'", "'seed=0,1', 'outputs.figures=false', 'hydra.callbacks.compare.figures=false', "
        "'hydra.sweep.dir=sweep'")
    sweep = sweep.replace("main()", "import hydra_plugins.journeysim_sweeper as s; "
                          f"assert s.__file__.startswith({str(site)!r}), s.__file__; main()")
    result = subprocess.run([sys.executable, "-I", "-c", sweep.replace("import sys;", "import sys; sys.path.insert(0, "
                             + repr(str(site)) + ");")], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr  # the sweeper plugin ships in the wheel
    assert len(list((tmp_path / "sweep").rglob("summary.json"))) == 2
