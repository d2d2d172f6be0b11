"""Journey maps: per persona and stage, computed from what the run recorded, written with every run."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from journeysim.api import Result
from journeysim.journey_map import ALL, ENDS, _median, end_kinds, journey_map_tables, plot_journey_map
from journeysim.plots import headless_axes
from journeysim.runner import run
from journeysim.sim.errors import ConfigError
from journeysim.sim.stages import STAGE_NAMES, Stage
from tests.conftest import make_spec, run_model

DAYS = 150


@pytest.fixture(scope="module")
def model():
    return run_model("population.size=3000", f"days={DAYS}", "seed=7")


@pytest.fixture(scope="module")
def maps(model):
    return journey_map_tables(model)


def everyone(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["persona"] == ALL].set_index("stage")


def test_mean_customers_per_stage_is_the_daily_occupancy_averaged_over_the_run(model, maps) -> None:
    daily = pd.DataFrame(model.collector.stage_counts[1:], columns=list(STAGE_NAMES))
    expected = daily.mean()
    got = everyone(maps[0])["mean_customers"]
    np.testing.assert_allclose(got[list(STAGE_NAMES)].to_numpy(), expected.to_numpy(), rtol=1e-12)


def test_each_stay_ends_onward_back_dropped_or_leaving_the_market_or_is_still_open(maps) -> None:
    table = maps[0][maps[0]["stays"] > 0]
    assert (everyone(table).loc[["unaware", "aware", "customer"], "left_market_share"] > 0).all()  # an open market
    total = table[[f"{end}_share" for end in ENDS]].sum(axis=1) + table["open_share"] + table["left_market_share"]
    np.testing.assert_allclose(total, 1.0, rtol=1e-12)


def test_persona_rows_add_up_to_the_row_for_everyone(maps) -> None:
    table = maps[0]
    personas = table[table["persona"] != ALL].groupby("stage")[["stays", "mean_customers"]].sum()
    np.testing.assert_allclose(personas.loc[list(STAGE_NAMES)].to_numpy(),
                               everyone(table).loc[list(STAGE_NAMES), ["stays", "mean_customers"]].to_numpy())


def test_the_journey_map_by_device_splits_everyone_by_primary_device(model, maps) -> None:
    table, touch = journey_map_tables(model, "device")
    assert set(table["device"]) == {"mobile", "desktop", "tablet", ALL}
    columns = [c for c in maps[0].columns if c != "persona"]
    everyone_by_device = table[table["device"] == ALL].set_index("stage")[columns[1:]]
    pd.testing.assert_frame_equal(everyone_by_device, everyone(maps[0])[columns[1:]])
    devices = table[table["device"] != ALL].groupby("stage")[["stays", "mean_customers"]].sum()
    np.testing.assert_allclose(devices.loc[list(STAGE_NAMES)].to_numpy(),
                               everyone(maps[0]).loc[list(STAGE_NAMES), ["stays", "mean_customers"]].to_numpy())
    by_device = table[table["device"] != ALL].set_index(["device", "stage"])["stays"]
    on = np.bincount(model.devices.primary[: model.state.entered], minlength=3)
    assert by_device[("mobile", "unaware")] > by_device[("tablet", "unaware")] and on[0] > on[2]
    np.testing.assert_allclose(touch[touch["device"] == ALL]["exposures"].to_numpy(),
                               maps[1][maps[1]["persona"] == ALL]["exposures"].to_numpy())


def test_a_journey_map_by_an_unknown_grouping_is_refused(model) -> None:
    with pytest.raises(ConfigError, match="by"):
        journey_map_tables(model, "channel")


def test_exposures_by_stage_add_up_to_each_channels_impressions(model, maps) -> None:
    touch = maps[1][maps[1]["persona"] == ALL].groupby("channel")["exposures"].sum()
    bought = dict(zip(model.spec.channel_names, model.collector.impressions.sum(axis=0), strict=True))
    assert sum(bought.values()) > 0
    for channel, impressions in bought.items():
        assert touch[channel] == pytest.approx(impressions, rel=1e-9)


def test_pain_points_add_up_to_the_days_abandoned_carts_returns_and_negative_talk(model, maps) -> None:
    table = everyone(maps[0])
    daily = model.collector.daily
    for pain, column in (("abandoned_carts", "abandoned"), ("returns", "returns"),
                         ("negative_word_of_mouth", "conversations_negative")):
        events = (table[f"{pain}_per_100_stays"] * table["stays"] / 100).sum()
        assert daily[column].sum() > 0
        assert events == pytest.approx(daily[column].sum(), rel=1e-9)
    carts = table["abandoned_carts_per_100_stays"] * table["stays"]
    assert carts.idxmax() == "deciding"  # carts are abandoned at checkout


def test_stays_end_as_moves_onward_back_or_out_of_the_journey() -> None:
    kind = end_kinds()
    assert kind[Stage.AWARE, Stage.CONSIDERING] == 0 and kind[Stage.LAPSED, Stage.CONSIDERING] == 0
    assert kind[Stage.DECIDING, Stage.CONSIDERING] == 1
    assert kind[Stage.CONSIDERING, Stage.UNAWARE] == 2 and kind[Stage.LOYAL, Stage.LAPSED] == 2


@pytest.mark.parametrize("counts, median", [([0, 3, 0, 1], 1.0), ([1, 0, 0, 1], 1.5), ([0, 0, 2], 2.0)])
def test_median_days_of_a_histogram_of_stay_lengths(counts, median) -> None:
    assert _median(np.array(counts)) == median


def test_median_of_no_ended_stay_is_undefined() -> None:
    assert np.isnan(_median(np.zeros(5, np.int64)))


def test_the_map_draws_the_satisfaction_line_of_the_persona_asked_for(maps) -> None:
    table, touch = maps
    persona = sorted(set(table["persona"]) - {ALL})[0]
    ax = plot_journey_map(table, touch, persona=persona, ax=headless_axes("journey_map"))
    rows = table[(table["persona"] == persona) & (table["stays"] > 0)]
    line = ax.lines[-1].get_ydata()
    np.testing.assert_allclose(line, 1.0 + 0.9 * rows["mean_satisfaction"].to_numpy())
    assert persona in ax.get_title(loc="left")


def test_an_unknown_persona_is_refused_naming_the_personas(maps) -> None:
    with pytest.raises(ConfigError, match="deal_seeker"):
        plot_journey_map(*maps, persona="nobody", ax=headless_axes("journey_map"))


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_every_run_writes_the_map_tables_and_figure_and_a_loaded_result_plots_it(tmp_path, fmt) -> None:
    spec = make_spec("population.size=800", "days=30", "seed=2", f"outputs.format={fmt}", "outputs.figures=true")
    run(spec, tmp_path)
    assert (tmp_path / "journey_map.png").stat().st_size > 10_000
    assert (tmp_path / f"journey_map.{fmt}").is_file() and (tmp_path / f"journey_touchpoints.{fmt}").is_file()
    result = Result.load(tmp_path)
    assert set(result.journey_map["stage"]) == set(STAGE_NAMES)
    ax = result.plot_journey_map(ax=headless_axes("journey_map"))
    assert "everyone" in ax.get_title(loc="left")


def test_a_run_written_before_journey_maps_says_so_when_asked_to_plot_one(tmp_path) -> None:
    run(make_spec("population.size=500", "days=10", "seed=2", "outputs.figures=false"), tmp_path)
    for name in ("journey_map", "journey_touchpoints"):
        (tmp_path / f"{name}.csv").unlink()
    with pytest.raises(ConfigError, match="journey_map"):
        Result.load(tmp_path).plot_journey_map()


def test_the_device_book_holds_everyone_present_by_device_and_stage_and_shares_the_stays_start(model) -> None:
    stays, state = model.stays, model.state
    present = np.flatnonzero(state.present[: state.entered])
    cell = model.devices.primary[present].astype(np.int64) * len(Stage) + state.stage[present]
    occupancy = np.bincount(cell, minlength=stays.also.occupancy.size).reshape(stays.also.occupancy.shape)
    np.testing.assert_array_equal(stays.also.occupancy, occupancy)  # booked in the persona book's pass
    assert stays.also.entered is stays.entered
    with pytest.raises(ValueError, match="at most one second grouping"):
        stays.grouped_by(model.devices.primary, 3)
    with pytest.raises(ValueError, match=r"another.s second grouping: call moved\(\) on the first book"):
        stays.also.moved(DAYS, present[:1], state.stage[present[:1]], state.stage[present[:1]])
