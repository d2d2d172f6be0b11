"""The truth per period: the ledger of each channel's increments per day and week, and the baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from journeysim import columns
from journeysim.experiments.truth.cli import run_command
from journeysim.experiments.truth.ledger import BASELINE_COLUMNS, LEDGER_COLUMNS, SERIES
from journeysim.outputs import read_table

DAYS = 60


@pytest.fixture(scope="module")
def truth(tmp_path_factory):
    """journey-truth on a small attribution lab, one seed, written to disk."""
    directory = tmp_path_factory.mktemp("truth")
    result, _ = run_command(["scenario=attribution_lab", "--seeds", "1", "population.size=1500", f"days={DAYS}",
                             "--marginal", "false", "--jobs", "1", "--exports", "none", "--pulses", "1",
                             "--horizons", "2,4,52", "--response", "2", f"hydra.run.dir={directory}"])
    return result, directory


def test_each_channels_ledger_sums_exactly_to_its_incremental_effect(truth):
    result, _ = truth
    runs, ledger = result.runs, result.ledger
    seed = result.meta["seeds"][0]
    factual = runs[(runs["variant"] == "all") & (runs["seed"] == seed)].iloc[0]
    assert set(ledger["channel"]) == set(result.meta["channels"])
    for channel in result.meta["channels"]:
        off = runs[(runs["variant"] == "off") & (runs["channel"] == channel) & (runs["seed"] == seed)].iloc[0]
        rows = ledger[(ledger["channel"] == channel) & (ledger["seed"] == seed)]
        assert list(rows["day"]) == list(range(1, DAYS + 1))
        assert rows["incremental_first_orders"].sum() == factual["acquisitions"] - off["acquisitions"]
        assert rows["incremental_orders"].sum() == factual["orders"] - off["orders"]
        assert rows["incremental_revenue"].sum() == pytest.approx(factual["revenue"] - off["revenue"], rel=1e-12,
                                                                  abs=1e-9)
        row = result.table.set_index("channel").loc[channel]
        assert rows["incremental_first_orders"].sum() == row["incremental_acquisitions"]
    # first and later orders make up all orders; gross first and later revenue minus refunds is net revenue
    assert (ledger["incremental_first_orders"] + ledger["incremental_later_orders"]
            == ledger["incremental_orders"]).all()
    net = (ledger["incremental_first_order_revenue"] + ledger["incremental_later_order_revenue"]
           - ledger["incremental_refunds"])
    assert np.allclose(net, ledger["incremental_revenue"], atol=1e-9)
    assert (ledger.groupby("channel")["incremental_first_orders"].sum() > 0).any()  # a ledger that can fail


def test_weekly_ledger_is_the_daily_ledger_in_seven_day_blocks(truth):
    result, _ = truth
    daily, weekly = result.ledger, result.ledger_weekly
    assert list(weekly.columns) == list(LEDGER_COLUMNS) == list(daily.columns)
    weeks = -(-DAYS // 7)
    for channel, rows in weekly.groupby("channel"):
        assert list(rows["week"]) == list(range(1, weeks + 1))
        assert list(rows["day"]) == list(range(1, DAYS + 1, 7))
        assert list(rows["days"]) == [7] * (weeks - 1) + [DAYS - 7 * (weeks - 1)]
        per_day = daily[daily["channel"] == channel]
        assert rows["incremental_orders"].sum() == per_day["incremental_orders"].sum()
        assert rows["spend"].sum() == pytest.approx(per_day["spend"].sum())
        first_week = per_day[per_day["day"] <= 7]["incremental_revenue"].sum()
        assert rows.iloc[0]["incremental_revenue"] == pytest.approx(first_week)


def test_baseline_is_the_run_with_every_channel_off(truth):
    result, _ = truth
    baseline, runs = result.baseline, result.runs
    none = runs[runs["variant"] == "none"].iloc[0]
    assert list(baseline.columns) == list(BASELINE_COLUMNS)
    assert baseline["first_orders"].sum() == none["acquisitions"]
    assert baseline["orders"].sum() == none["orders"] > 0
    assert baseline["revenue"].sum() == pytest.approx(none["revenue"])


def generic(column: str) -> str:
    """``roas_low`` -> ``<estimate>_low`` (the bounds are documented once)."""
    for bound in ("_low", "_high"):
        if column.endswith(bound):
            return f"<estimate>{bound}"
    return column


def test_journey_truth_writes_the_ledger_and_documents_every_column(truth):
    result, directory = truth
    for name, table in (("truth_ledger", "truth_ledger"), ("truth_ledger_weekly", "truth_ledger"),
                        ("truth_baseline", "truth_baseline"), ("truth_contribution", "truth_contribution"),
                        ("truth_pulses", "truth_pulses"), ("truth_horizons", "truth_horizons"),
                        ("truth_response", "truth_response")):
        frame = read_table(directory / f"{name}.csv")
        documented = columns.columns(table)
        assert not frame.empty, name
        assert [c for c in frame.columns if generic(c) not in documented] == [], name
    assert (directory / "truth_weekly.png").stat().st_size > 10_000
    written = read_table(directory / "truth_ledger.csv")
    assert len(written) == len(result.ledger) == DAYS * len(result.meta["channels"])
    assert (written["incremental_orders"].to_numpy() == result.ledger["incremental_orders"].to_numpy()).all()
    assert set(SERIES) <= set(columns.columns("truth_baseline"))
    assert pd.to_datetime(written["date"]).iloc[0] == pd.Timestamp("2025-01-06")
    import json

    assert "1 seed are unreliable" in json.loads((directory / "truth.json").read_text())["warning"]


def test_journey_truth_prints_and_writes_the_truth_in_mmm_terms(truth, capsys):
    result, directory = truth
    horizons = read_table(directory / "truth_horizons.csv")
    channels = result.meta["channels"]
    assert sorted(horizons["horizon_weeks"].unique()) == [2, 4, 52]
    assert set(horizons["channel"]) == set(channels) and (horizons["pulses"] == 1).all()
    assert horizons[horizons["horizon_weeks"] == 52]["roas"].isna().all()  # past the end of a 60-day run
    pulses = read_table(directory / "truth_pulses.csv")
    assert (pulses["before"] == 0).all() and (pulses["spend"] > 0).all()
    response = read_table(directory / "truth_response.csv")
    for channel in channels:
        curve = response[response["channel"] == channel].set_index("factor")
        assert list(curve.index) == [0.0, 1.0, 2.0]
        row = result.table.set_index("channel").loc[channel]
        assert curve.loc[1.0, "incremental_revenue"] == pytest.approx(row["incremental_revenue"])
        assert curve.loc[2.0, "spend"] == pytest.approx(2 * row["spend"], rel=0.01)
    contribution = read_table(directory / "truth_contribution.csv")
    weekly = result.ledger_weekly
    first = weekly[weekly["channel"] == channels[0]]["incremental_revenue"].to_numpy()
    assert np.allclose(contribution[contribution["channel"] == channels[0]]["incremental_revenue"], first)


@pytest.mark.parametrize("argv, key", [(["--horizons", "4,x"], "--horizons"), (["--response", "-1"], "response"),
                                       (["--pulses", "-2"], "pulses"), (["--horizons", "0"], "horizons")])
def test_journey_truth_rejects_bad_pulse_options_with_status_2(argv, key, capsys):
    from journeysim.experiments.truth import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--seeds", "1", "population.size=200", "days=30", "--jobs", "1", *argv])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert key in err and "Traceback" not in err


def test_journey_truth_reports_each_channels_weekly_spend_variation(truth):
    from journeysim.experiments.truth.cli import format_spend_variation

    result, directory = truth
    written = pd.read_csv(directory / "truth.csv").set_index("channel")["weekly_spend_cv"]
    cv = result.ledger.pivot_table(index="week", columns="channel", values="spend", aggfunc="sum").iloc[:DAYS // 7]
    expected = cv.std(ddof=0) / cv.mean()
    for channel in result.meta["channels"]:
        assert written[channel] == pytest.approx(expected[channel], abs=1e-6)
    assert written["search"] < 0.3 < written["display"]  # always-on search; display flighted 4 weeks on, 2 off
    text = format_spend_variation(result.table)
    assert "weekly spend variation" in text and "note: search" in text and "display" not in text.split("note:")[1]


def test_the_ledger_records_the_part_of_each_days_spend_that_bought_attended_exposures(truth):
    result, _ = truth
    ledger = result.ledger
    assert (ledger["attended_spend"] >= 0).all()
    assert (ledger["attended_spend"] <= ledger["spend"] + 1e-9).all()  # no channel attends more than it buys
    spent = ledger[ledger["spend"] > 0]
    share = spent.groupby("channel")["attended_spend"].sum() / spent.groupby("channel")["spend"].sum()
    assert (share < 1).any() and (share > 0).all(), share  # channels near their half-saturation attend less
