"""True channel effects: counterfactual switches, the truth's formulas and the journey-truth command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_spec

from journeysim.experiments.truth import (
    Variant,
    channel_table,
    main,
    run_variant,
    totals_table,
    true_effects,
)

SMALL = {"population.size": 2000, "days": 120}


def test_switching_off_a_zero_budget_channel_changes_nothing():
    truth = true_effects("attribution_lab", seeds=1, overrides=SMALL, channels=["webinars", "display"],
                         marginal=False, exports="none", jobs=1)
    table = truth.table.set_index("channel")
    assert table.loc["webinars", "spend"] == 0
    assert table.loc["webinars", "incremental_acquisitions"] == 0
    assert table.loc["webinars", "incremental_revenue"] == 0
    assert table.loc["display", "incremental_acquisitions"] > 0  # the same switch does change a live channel


def test_switched_off_channel_spends_nothing_even_when_a_budget_plan_sets_it():
    spec = make_spec("scenario=attribution_lab", "population.size=1000", "days=60")
    k = spec.channel_names.index("display")  # display's budget comes from the scenario's budget_plan lever
    factual, off = run_variant(spec, Variant("all")), run_variant(spec, Variant("off", "display"))
    up, down = run_variant(spec, Variant("up", "display")), run_variant(spec, Variant("down", "display"))
    tv = spec.channel_names.index("tv")  # broadcast: spends its budget whoever is out there
    assert factual["channel_spend"][k] > 0
    assert off["channel_spend"][k] == 0
    assert off["channel_spend"][tv] == factual["channel_spend"][tv] > 0
    assert up["channel_spend"][k] == pytest.approx(1.1 * factual["channel_spend"][k], rel=0.01)
    assert down["channel_spend"][k] == pytest.approx(0.9 * factual["channel_spend"][k], rel=0.01)


def _run(seed: int, variant: str, channel: str | None, acquisitions: int, revenue: float, spend: float,
         channel_spend: tuple[float, float] = (100.0, 50.0)) -> dict:
    return {"seed": seed, "variant": variant, "channel": channel, "acquisitions": acquisitions, "revenue": revenue,
            "spend": spend, "channel_spend": np.array(channel_spend), "last_touch": np.array([7, 3])}


def test_truth_tables_follow_their_definitions():
    outputs = [
        _run(0, "all", None, 100, 1000.0, 150.0), _run(1, "all", None, 110, 1100.0, 150.0),
        _run(0, "none", None, 10, 100.0, 0.0), _run(1, "none", None, 12, 120.0, 0.0),
        _run(0, "off", "a", 60, 600.0, 50.0), _run(1, "off", "a", 66, 700.0, 50.0),
        _run(0, "off", "b", 80, 900.0, 100.0), _run(1, "off", "b", 88, 1000.0, 100.0),
        _run(0, "up", "a", 0, 1030.0, 160.0), _run(1, "up", "a", 0, 1130.0, 160.0),
        _run(0, "down", "a", 0, 970.0, 140.0), _run(1, "down", "a", 0, 1060.0, 140.0),
    ]
    table = channel_table(outputs, ["a", "b"], ["a", "b"], marginal=False)
    a, b = table.set_index("channel").loc["a"], table.set_index("channel").loc["b"]
    assert a["incremental_acquisitions"] == pytest.approx((40 + 44) / 2)
    assert b["incremental_revenue"] == pytest.approx((100 + 100) / 2)
    assert a["roas"] == pytest.approx((400 / 100 + 400 / 100) / 2)
    assert a["share"] == pytest.approx((40 / 60 + 44 / 66) / 2)
    marginal = channel_table(outputs, ["a"], ["a", "b"], marginal=True).iloc[0]
    assert marginal["marginal_roas"] == pytest.approx((60 / 20 + 70 / 20) / 2)
    totals = totals_table(outputs, ["a", "b"]).set_index("metric")["mean"]
    assert totals["total_effect"] == pytest.approx((90 + 98) / 2)
    assert totals["interaction_share"] == pytest.approx(((1 - 60 / 90) + (1 - 66 / 98)) / 2)


def test_journey_truth_command_writes_truth_and_exports(tmp_path, capsys):
    main(["scenario=attribution_lab", "--seeds", "1", "population.size=1500", "days=90", "--marginal", "false",
          "--jobs", "1", f"hydra.run.dir={tmp_path}"])
    for name in ("truth.csv", "truth_totals.csv", "truth_runs.csv", "truth.json", "truth.png", "channels.png",
                 "paths.csv", "paths_channelattribution.csv", "mmm_daily.csv", "mmm_weekly.csv"):
        assert (tmp_path / name).is_file(), name
    table = pd.read_csv(tmp_path / "truth.csv")
    assert list(table["channel"]) == ["search", "display", "tv"]
    runs = pd.read_csv(tmp_path / "truth_runs.csv")
    factual = runs[runs["variant"] == "all"].iloc[0]
    paths = pd.read_csv(tmp_path / "paths.csv")
    assert paths["converted"].sum() == factual["acquisitions"]
    assert json.loads((tmp_path / "truth.json").read_text())["scenario"] == "attribution_lab"
    out = capsys.readouterr().out
    assert "interaction share" in out
    assert "warning: intervals from 1 seed are unreliable" in out and "spend (USD)" in out
    from journeysim.manifest import verify_manifest

    assert verify_manifest(tmp_path) == []  # the output rule: hydra.run.dir honoured, a manifest there


def test_truth_table_prints_intervals_and_clips_bounds_that_cannot_be_negative():
    from journeysim.experiments.truth.cli import format_table

    row = {"channel": "search", "spend": 1000.0, "incremental_acquisitions": 12.0,
           "incremental_acquisitions_low": -3.0, "incremental_acquisitions_high": 27.0, "share": 0.4,
           "share_low": 0.1, "share_high": 0.7, "roas": 0.07, "roas_low": -8.9, "roas_high": 9.0,
           "marginal_roas": 0.5, "marginal_roas_low": -1.0, "marginal_roas_high": 2.0}
    text = format_table(pd.DataFrame([row]), seeds=5)
    assert "12 [0, 27]" in text and "0.07 [0.00, 9.00]" in text and "0.50 [-1.00, 2.00]" in text
    assert "40.0% [10.0%, 70.0%]" in text and "note: lower bounds below 0" in text and "warning" not in text


def test_a_negative_mean_keeps_its_raw_interval_so_the_mean_lies_inside_it():
    from journeysim.experiments.truth.cli import format_table

    row = {"channel": "tv", "spend": 1000.0, "incremental_acquisitions": -2.0,
           "incremental_acquisitions_low": -9.0, "incremental_acquisitions_high": 5.0, "share": -0.006,
           "share_low": -0.02, "share_high": 0.01, "roas": -0.04, "roas_low": -0.5, "roas_high": 0.4,
           "marginal_roas": 0.1, "marginal_roas_low": -1.0, "marginal_roas_high": 2.0}
    text = format_table(pd.DataFrame([row]), seeds=5)
    assert "-2 [-9, 5]" in text and "-0.04 [-0.50, 0.40]" in text and "-0.6% [-2.0%, 1.0%]" in text
    assert "note: lower bounds below 0" not in text


@pytest.mark.parametrize("argv, key", [
    (["--seeds", "0"], "seeds"),
    (["seeds=0"], "seeds"),  # the old option style still works
    (["scenario=attribution_labb"], "scenario"),
    (["--marginal", "maybe"], "marginal"),
    (["population.size=-5"], "population.size"),
])
def test_journey_truth_rejects_bad_input_with_status_2(argv, key, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert key in capsys.readouterr().err


def test_console_script_reports_bad_input_without_traceback():
    script = Path(sys.executable).with_name("journey-truth")
    done = subprocess.run([str(script), "seeds=zero"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "seeds" in done.stderr and "Traceback" not in done.stderr
