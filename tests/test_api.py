"""The Python API: the CLI's tables from the same configs, save/load, plots, sweeps and comparisons."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes

from journeysim import Result, compare, compose_config, simulate, sweep
from journeysim.api import TABLES, format_value, job_dirname
from journeysim.sim.errors import ConfigError
from journeysim.sim.stages import STAGE_NAMES

BIN = Path(sys.executable).parent
SMALL = {"population.size": 1200, "days": 60}
QUIET = {"outputs.figures": False, "outputs.progress": False}
TINY = {"population.size": 800, "days": 40}


def _json(data: dict) -> dict:
    """A summary as it reads back from JSON (NaN becomes null)."""
    return json.loads(json.dumps(data, default=float).replace("NaN", "null"))


@pytest.fixture(scope="module")
def small_result() -> Result:
    """A short cart-recovery run (levers, service and every table non-empty)."""
    return simulate("cart_recovery", overrides=SMALL | QUIET, seed=4)


def test_api_and_cli_write_identical_tables_for_the_same_scenario_and_seed(tmp_path, small_result) -> None:
    cli_dir = tmp_path / "cli"
    args = [f"{key}={value}" for key, value in SMALL.items()]
    result = subprocess.run(
        [str(BIN / "journey"), "scenario=cart_recovery", *args, "seed=4", f"hydra.run.dir={cli_dir}",
         "outputs.figures=false", "outputs.progress=false"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env={**os.environ, "MPLBACKEND": "Agg"})
    assert result.returncode == 0, result.stderr
    api_dir = small_result.save(tmp_path / "api")
    for name in TABLES:
        assert (api_dir / f"{name}.csv").read_bytes() == (cli_dir / f"{name}.csv").read_bytes(), name
    cli = Result.load(cli_dir)
    assert cli.summary["config_hash"] == small_result.summary["config_hash"]
    assert cli.kpis == _json(small_result.kpis)
    assert cli.config == small_result.config
    assert len(small_result.daily) == SMALL["days"] and len(small_result.events) > 0
    pd.testing.assert_frame_equal(cli.daily, small_result.daily, rtol=1e-9, check_dtype=False)


def test_result_save_and_load_round_trip(tmp_path, small_result) -> None:
    path = small_result.save(tmp_path / "run", figures=True)
    loaded = Result.load(path)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(small_result, name), rtol=1e-9,
                                      check_dtype=False, obj=name)
    assert loaded.summary == _json(small_result.summary)
    assert loaded.config == small_result.config
    assert loaded.overrides == ["scenario=cart_recovery", "population.size=1200", "days=60", "outputs.figures=false",
                                "outputs.progress=false", "seed=4"]
    assert loaded.path == path and loaded.model is None
    assert all((path / f"{name}.png").stat().st_size > 5_000 for name in ("stages", "funnel", "flows", "channels"))
    assert json.loads((path / "status.json").read_text())["status"] == "complete"


def test_load_rejects_a_directory_without_a_run(tmp_path) -> None:
    with pytest.raises(ConfigError, match="summary.json"):
        Result.load(tmp_path)


def test_plot_methods_return_axes_holding_the_runs_data(small_result) -> None:
    r = small_result
    ax = r.plot_stages()
    assert isinstance(ax, Axes)
    stacked = sum(np.asarray(poly.get_paths()[0].vertices)[:, 1].max() > 0 for poly in ax.collections)
    assert len(ax.collections) == 8 and stacked >= 2
    tops = ax.collections[-1].get_paths()[0].vertices[:, 1]
    assert np.isclose(tops.max(), r.daily[list(STAGE_NAMES)].sum(axis=1).max())  # the people in the market

    _, given = plt.subplots()
    ax = r.plot_funnel(ax=given)
    assert ax is given
    assert sorted(p.get_width() for p in ax.patches) == sorted(r.kpis["funnel"].values())

    ax = r.plot_flows()
    between_stages = (r.flows["from_stage"] != "outside") & (r.flows["to_stage"] != "outside")  # not entries, exits
    moves = r.flows[between_stages & (r.flows["from_stage"] != r.flows["to_stage"])].groupby(
        ["from_stage", "to_stage"]).size()
    assert len(ax.patches) == len(moves)

    ax = r.plot_channels()
    totals = r.channels.groupby("channel")[["spend", "impressions", "last_touch_acquisitions"]].sum()
    shown = totals[(totals["spend"] > 0) | (totals["last_touch_acquisitions"] > 0)]
    spend_panel, exposures_panel, acquisitions_panel = ax.figure.axes
    assert spend_panel is ax and "USD" in ax.get_xlabel()
    for panel, column in ((spend_panel, "spend"), (exposures_panel, "impressions"),
                          (acquisitions_panel, "last_touch_acquisitions")):
        widths = sorted(p.get_width() for p in panel.patches)
        assert np.allclose(widths, sorted(shown[column])), column

    ax = r.plot_service()
    assert np.allclose(ax.lines[1].get_ydata(), r.daily["mean_wait_days"].fillna(0) * 24)
    with pytest.raises(ConfigError, match="bass"):
        r.plot_adoption()
    plt.close("all")


@pytest.mark.parametrize("backlog", [[0, 0, 0, 0], [0, 3, 5, 0]])
def test_service_figure_has_an_axis_of_orders_waiting_to_ship_only_when_some_waited(backlog) -> None:
    from journeysim.plots import plot_service

    daily = pd.DataFrame({"day": [1, 2, 3, 4], "mean_wait_days": [0.0, 0.01, np.nan, 0.0],
                          "p95_wait_days": [0.0, 0.05, np.nan, 0.0], "backlog_orders": backlog})
    ax = plot_service(daily)
    if max(backlog):
        (right,) = [axes for axes in ax.figure.axes if axes is not ax]
        assert right.get_ylabel() == "orders waiting to ship" and right.get_ylim()[1] == pytest.approx(6.0)
        assert [t.get_text() for t in ax.texts] == []
    else:
        assert ax.figure.axes == [ax]
        assert [t.get_text() for t in ax.texts] == ["no order waited to ship"]
    assert ax.get_legend() is not None
    plt.close("all")


def test_sweep_lays_out_runs_like_a_hydra_sweep_pairs_seeds_and_reuses_runs(tmp_path) -> None:
    from journeysim.experiments.compare import main as journey_compare

    comparison = sweep(["baseline", "checkout_fix"], seeds=2, overrides=TINY, path=tmp_path, figures=False)
    run = tmp_path / "checkout_fix" / "days=40,population.size=800,seed=1"
    assert json.loads((run / "status.json").read_text())["status"] == "complete"
    assert (run / ".hydra" / "overrides.yaml").is_file()
    table = comparison.table.set_index(["scenario", "kpi"])
    assert table.loc[("baseline", "acquisitions"), "n"] == 2
    assert table.loc[("checkout_fix", "abandonment_rate"), "n_pairs"] == 2
    assert table.loc[("checkout_fix", "abandonment_rate"), "diff"] < 0
    assert (tmp_path / "comparison.csv").is_file() and (tmp_path / "comparison.md").is_file()

    journey_compare([str(tmp_path), "--no-figures", f"hydra.run.dir={tmp_path / 'cli'}"])
    assert (tmp_path / "cli" / "comparison.csv").read_bytes() == (tmp_path / "comparison.csv").read_bytes()
    again = compare(tmp_path, write=False)
    pd.testing.assert_frame_equal(again.table, comparison.table)

    first = (run / "summary.json").stat().st_mtime_ns
    more = sweep(["baseline", "checkout_fix"], seeds=[1, 2], overrides=TINY, path=tmp_path, figures=False)
    assert (run / "summary.json").stat().st_mtime_ns == first  # seed 1 was complete: reused
    assert more.table.set_index(["scenario", "kpi"]).loc[("baseline", "acquisitions"), "n"] == 3


def test_a_sweep_without_a_path_leaves_nothing_behind_when_python_exits(tmp_path) -> None:
    script = ("import json; from journeysim import sweep; "
              f"c = sweep('baseline', seeds=1, overrides={TINY!r}, figures=False); "
              "print(json.dumps([str(c.sweep_dir), (c.sweep_dir / 'comparison.csv').is_file()]))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, check=True)
    sweep_dir, written = json.loads(done.stdout.strip().splitlines()[-1])
    assert written  # the runs and the comparison were there while the session lasted
    assert not Path(sweep_dir).exists()


def test_sweep_rejects_an_unknown_scenario_before_running_anything(tmp_path) -> None:
    with pytest.raises(ConfigError, match="did you mean 'baseline'"):
        sweep(["baseline", "basline"], seeds=2, overrides=TINY, path=tmp_path)
    assert not any(tmp_path.iterdir())
    with pytest.raises(ConfigError, match="seeds"):
        sweep("baseline", seeds=0, path=tmp_path)


def test_python_values_become_hydra_overrides() -> None:
    assert [format_value(v) for v in (None, True, 0.5, "b2b")] == ["null", "true", "0.5", "b2b"]
    assert format_value({"a": [1, 2], "b": None}) == "{a:[1,2],b:null}"
    cfg = compose_config("baseline", {"channels.search.target_stages": ["aware", "deciding"],
                                      "network.talk_days": 30, "outputs.figures": False}, seed=3)
    assert list(cfg.channels.search.target_stages) == ["aware", "deciding"]
    assert cfg.network.talk_days == 30 and cfg.outputs.figures is False and cfg.seed == 3
    assert job_dirname(["scenario=a", "seed=3", "days=60"]) == "days=60,seed=3"
    with pytest.raises(ConfigError, match="overrides"):
        compose_config(overrides="days=5")
