"""Marketing-mix panels: Meridian and Robyn layouts, no outcome in the inputs, the observed panel."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from journeysim import columns
from journeysim.experiments.exports import mmm_table, record
from journeysim.experiments.panels import (
    NONE,
    Observation,
    coord_to_columns,
    meridian_panel,
    observe,
    panel_exports,
    robyn_inputs,
    robyn_table,
)
from journeysim.experiments.panels.meridian import OUTCOMES, input_columns
from journeysim.experiments.panels.robyn import ROBYN_ARGUMENTS
from journeysim.sim.errors import ConfigError
from tests.conftest import make_spec

SIZE, DAYS, SEED = 2000, 100, 3


@pytest.fixture(scope="module")
def model():
    """A small attribution lab (three paid channels, TV broadcast), everyone logged."""
    from journeysim.runner import build_model

    return build_model(make_spec("scenario=attribution_lab", f"population.size={SIZE}", f"days={DAYS}",
                                 f"seed={SEED}", f"outputs.event_log_sample={SIZE}")).run()


@pytest.fixture(scope="module")
def rec(model):
    return record(model, need_events=False)


def test_meridian_panel_has_whole_weeks_and_reconciles_with_the_run(model, rec) -> None:
    panel = meridian_panel(rec)
    weeks = DAYS // 7
    assert len(panel) == weeks and list(panel["day"]) == list(range(1, 7 * weeks, 7))
    assert pd.to_datetime(panel["time"]).dt.day_of_week.eq(0).all()  # Mondays, evenly spaced
    assert (panel["geo"] == "national").all()
    assert ((panel["population"] - SIZE).abs() <= 0.02 * SIZE).all()  # people in the (open) market each week
    c = model.collector
    assert panel["orders"].sum() == c.daily["orders"][: 7 * weeks].sum()
    gross = c.daily["revenue"][: 7 * weeks] + c.daily["refunds"][: 7 * weeks]
    assert np.isclose((panel["orders"] * panel["revenue_per_order"]).sum(), gross.sum())
    assert (panel["revenue_per_order"] >= 0).all()
    assert np.isclose(panel["revenue"].sum(), c.daily["revenue"][: 7 * weeks].sum())
    for name in ("search", "display", "tv"):
        k = model.spec.channel_names.index(name)
        assert panel[f"impressions_{name}"].sum() == c.impressions[: 7 * weeks, k].sum()
        reach = panel[f"reach_{name}"].to_numpy()
        on = panel[f"impressions_{name}"].to_numpy() > 0
        assert (reach[on] > 0).all() and (reach <= 1.02 * SIZE).all() and (reach[~on] == 0).all()  # open market
        assert np.allclose(panel[f"frequency_{name}"][on] * reach[on], panel[f"impressions_{name}"][on])
    # a week's reach is the people exposed at least once: no more than the sum of the days' reach
    k = model.spec.channel_names.index("display")
    daily_sum = c.reach[: 7 * weeks, k].reshape(weeks, 7).sum(axis=1)
    assert (panel["reach_display"] <= daily_sum).all() and (panel["reach_display"] < daily_sum).any()


def test_weekly_reach_is_counted_from_the_logged_sample_when_not_everyone_is_logged(model, rec) -> None:
    from journeysim.runner import build_model

    sampled = build_model(make_spec("scenario=attribution_lab", f"population.size={SIZE}", f"days={DAYS}",
                                    f"seed={SEED}", f"outputs.event_log_sample={SIZE // 2}")).run()
    full, half = meridian_panel(rec)["reach_display"], meridian_panel(sampled)["reach_display"]
    assert np.allclose(half, full, rtol=0.15)  # same run (the log's sample draws from its own stream)


def test_meridian_roles_name_columns_of_the_panel_and_each_channel_once(rec) -> None:
    panel = meridian_panel(rec)
    spec = coord_to_columns(panel, rf_channels=["tv"])
    coords = spec["coords"]
    named = [coords[k] for k in ("time", "geo", "population", "kpi", "revenue_per_kpi")] + input_columns(coords)
    assert set(named) <= set(panel.columns)
    assert set(spec["media_to_channel"].values()) == {"search", "display"}
    assert set(spec["reach_to_channel"].values()) == {"tv"}
    assert "revenue_per_kpi" not in coord_to_columns(panel, kpi="acquisitions")["coords"]


def _scrambled(rec):
    """The record with every outcome replaced by noise (media, prices and programmes kept)."""
    rng = np.random.default_rng(0)
    daily = dict(rec.daily)
    for name in ("acquisitions", "orders", "basket_units"):
        daily[name] = rng.integers(0, 50, rec.days).astype(float)
    for name in ("revenue", "refunds"):
        daily[name] = rng.uniform(0, 1000, rec.days)
    return replace(rec, daily=daily)


def test_no_outcome_leaks_into_the_inputs_of_any_export(rec) -> None:
    other = _scrambled(rec)
    merid, merid2 = meridian_panel(rec), meridian_panel(other)
    inputs = input_columns(coord_to_columns(merid, rf_channels=["tv"])["coords"])
    assert not set(inputs) & set(OUTCOMES)
    pd.testing.assert_frame_equal(merid[inputs], merid2[inputs])
    assert not merid["orders"].equals(merid2["orders"])
    robyn, robyn2 = robyn_table(rec), robyn_table(other)
    args = robyn_inputs(robyn)
    robyn_in = args["paid_media_spends"] + args["paid_media_vars"] + args["context_vars"] + args["organic_vars"]
    assert args["dep_var"] not in robyn_in and set(robyn.columns) == {args["date_var"], args["dep_var"], *robyn_in}
    pd.testing.assert_frame_equal(robyn[robyn_in], robyn2[robyn_in])
    mmm, mmm2 = mmm_table(rec, "W"), mmm_table(other, "W")
    mmm_in = [c for c in mmm.columns if c.startswith(("spend_", "impressions_"))] + ["promotion", "discount",
                                                                                      "season_sin", "season_cos"]
    pd.testing.assert_frame_equal(mmm[mmm_in], mmm2[mmm_in])
    assert "season" not in mmm.columns  # the demand index the market hides (the confounded scenario)


def test_robyn_inputs_are_robyns_documented_arguments_naming_its_columns(rec) -> None:
    for dep in ("revenue", "conversion"):
        table = robyn_table(rec, dep_var_type=dep)
        args = robyn_inputs(table, dep_var_type=dep)
        assert set(args) <= set(ROBYN_ARGUMENTS)
        assert args["dep_var_type"] in ("revenue", "conversion") and args["dep_var"] in table
        assert len(args["paid_media_vars"]) == len(args["paid_media_spends"]) == len(args["paid_media_signs"]) == 3
        for var, spend in zip(args["paid_media_vars"], args["paid_media_spends"], strict=True):
            assert var.removeprefix("impressions_") == spend.removeprefix("spend_")
        assert len(args["context_signs"]) == len(args["context_vars"])
        assert len(args["prophet_signs"]) == len(args["prophet_vars"])
        assert set(args["prophet_vars"]) <= {"trend", "season", "weekday", "holiday"}
        dates = pd.to_datetime(table[args["date_var"]], format="%Y-%m-%d")
        assert dates.dt.day_of_week.eq(0).all() and dates.diff().dropna().eq(pd.Timedelta(days=7)).all()
        assert args["window_start"] == table["DATE"].iloc[0] and args["window_end"] == table["DATE"].iloc[-1]
        numbers = table.drop(columns="DATE")
        assert numbers.notna().all().all() and (numbers.drop(columns="revenue", errors="ignore") >= 0).all().all()
        # revenue is net of refunds (as booked): a week of 3 orders and more refunds goes below 0 at 2,000 people
        if "revenue" in table:
            weekly = mmm_table(rec, "W")
            assert np.allclose(table["revenue"], weekly.loc[weekly["days"] == 7, "revenue"])
    with pytest.raises(ConfigError, match="dep_var_type"):
        robyn_table(rec, dep_var_type="sales")


def test_the_observed_panel_without_noise_or_lag_is_the_true_one(rec) -> None:
    seen = observe(rec, SEED, NONE)
    pd.testing.assert_frame_equal(mmm_table(seen, "D"), mmm_table(rec, "D"))


def test_the_observed_panel_has_noisy_media_and_orders_booked_late_from_its_own_stream(rec) -> None:
    lagged = Observation(spend_noise=0.0, impressions_noise=0.0, outcome_noise=0.0, reporting_lag_days=5)
    true, late = mmm_table(rec, "D"), mmm_table(observe(rec, SEED, lagged), "D")
    # orders move later, never earlier; those booked after the last day are missing
    assert (late["orders"].cumsum() <= true["orders"].cumsum()).all()
    assert late["orders"].sum() < true["orders"].sum()
    assert late["orders"].iloc[:-25].sum() >= true["orders"].iloc[:-45].sum()
    assert (late["acquisitions"] <= late["orders"]).all()
    assert np.allclose(late["spend_search"], true["spend_search"])
    noisy = mmm_table(observe(rec, SEED, Observation(spend_noise=0.1, reporting_lag_days=0)), "D")
    error = np.log(noisy["spend_display"] / true["spend_display"])[true["spend_display"] > 0]
    assert 0.05 < error.std() < 0.15 and abs(error.mean()) < 0.05
    again, other = (mmm_table(observe(rec, s), "D") for s in (SEED, SEED + 1))
    pd.testing.assert_frame_equal(again, mmm_table(observe(rec, SEED), "D"))
    assert not np.allclose(again["spend_display"], other["spend_display"])


def test_observation_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match="observation.spend_noise"):
        Observation(spend_noise=-1)
    with pytest.raises(ConfigError, match="observation.reporting_lag_days"):
        Observation(reporting_lag_days=100)
    with pytest.raises(ConfigError, match="observation"):
        Observation.from_mapping({"lag": 2})
    assert Observation.from_mapping({"reporting_lag_days": 0}).lag_weights().tolist() == [1.0]
    assert np.isclose(Observation().lag_weights().sum(), 1.0)


def test_every_column_of_the_panels_is_in_the_column_reference(model) -> None:
    panels = panel_exports(model, SEED)
    tables = {"meridian_weekly": "meridian", "meridian_weekly_observed": "meridian", "robyn_weekly": "robyn",
              "robyn_weekly_observed": "robyn", "mmm_weekly_observed": "mmm"}
    names = set(model.spec.channel_names)

    def generic(column: str) -> str:  # reach_search -> reach_<channel>
        prefix, _, rest = column.partition("_")
        return f"{prefix}_<channel>" if rest in names else column

    for file, table in tables.items():
        missing = [c for c in panels[file].columns if generic(c) not in columns.columns(table)]
        assert missing == [], f"{file}: columns missing from journeysim/columns.py: {missing}"
    conversion = robyn_table(model, dep_var_type="conversion")
    assert all(generic(c) in columns.columns("robyn") for c in conversion.columns)


def test_journey_truth_writes_every_panel_of_the_first_seed(tmp_path) -> None:
    import json

    from journeysim.experiments.panels import PANEL_FILES
    from journeysim.experiments.truth import true_effects

    exact = Observation.parse("spend_noise=0, impressions_noise=0,outcome_noise=0,reporting_lag_days=0")
    result = true_effects("attribution_lab", seeds=1, overrides=["population.size=600", "days=35"], channels=["tv"],
                          marginal=False, jobs=1, observation=exact)
    result.write(tmp_path)
    for name in PANEL_FILES:
        suffix = ".json" if name == "robyn_inputs" else ".csv"
        assert (tmp_path / f"{name}{suffix}").is_file(), name
    args = json.loads((tmp_path / "robyn_inputs.json").read_text())
    robyn = pd.read_csv(tmp_path / "robyn_weekly.csv")
    assert set(args["paid_media_spends"]) <= set(robyn.columns) and len(robyn) == 5
    meridian = pd.read_csv(tmp_path / "meridian_weekly.csv")
    assert meridian["orders"].sum() == result.exports[min(result.exports)]["mmm_daily"]["orders"].iloc[:35].sum()
    observed = pd.read_csv(tmp_path / "mmm_weekly_observed.csv")
    pd.testing.assert_frame_equal(observed, pd.read_csv(tmp_path / "mmm_weekly.csv"))  # no noise, no lag: the truth


def test_observation_settings_parse_from_the_command_line() -> None:
    assert Observation.parse(None) == Observation()
    assert Observation.parse("spend_noise=0.2, reporting_lag_days=7") == Observation(spend_noise=0.2,
                                                                                     reporting_lag_days=7)
    for text, match in (("lag=3", "observation"), ("spend_noise", "--observe"), ("spend_noise=high", "--observe"),
                        ("outcome_noise=2", "observation.outcome_noise")):
        with pytest.raises(ConfigError, match=match):
            Observation.parse(text)
