"""Lift tests: holdout experiments per channel against the channel-off truth, in the MMMs' calibration shapes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from journeysim.experiments.panels.lift import (
    LiftDesign,
    default_designs,
    holdout_mask,
    lift_tests,
    meridian_roi_priors,
    pymc_lift_tests,
    robyn_calibration,
)
from journeysim.sim.errors import ConfigError
from tests.conftest import make_spec

OVERRIDES = ["population.size=5000", "days=120"]


@pytest.fixture(scope="module")
def result():
    """Search and display tested for four weeks, half the customers held out (5 runs, a few seconds)."""
    return lift_tests("attribution_lab", seeds=1, overrides=OVERRIDES, holdout_share=0.5, jobs=1)


def test_each_lift_test_agrees_in_sign_and_rough_size_with_the_channel_off_truth(result) -> None:
    table = result.table
    assert set(table["channel"]) == {"search", "display"}  # tv is broadcast: no one can be held out
    assert not table["budget_split"].any()  # one budget for both groups unless asked
    for _, row in table.iterrows():
        assert row["true_lift"] > 0 and row["lift"] > 0, (row["channel"], row["target"])
        assert row["lift"] - 3 * row["lift_se"] < row["true_lift"] < row["lift"] + 3 * row["lift_se"]
        assert 0.4 < row["lift"] / row["true_lift"] < 2.5
    acquisitions = table[table["target"] == "acquisitions"]
    assert (acquisitions["customers_holdout"] / (acquisitions["customers_holdout"]
                                                 + acquisitions["customers_treated"])).between(0.45, 0.55).all()


def test_a_lift_test_compares_only_the_customers_the_channel_reached() -> None:
    """Ghost ads: held-out customers' exposures are drawn as everyone's, so the first one falls on
    the same day in either arm; customers never reached during the test are left out."""
    from journeysim.experiments.panels.lift import NEVER, first_exposures
    from journeysim.runner import build_model
    from journeysim.sim.journey_log import Event

    spec = make_spec("scenario=attribution_lab", "population.size=2000", "days=60", "outputs.event_log_sample=2000")
    model = build_model(spec).run()
    design = LiftDesign("display", 20, 40)
    seen = first_exposures(model, design, model.state.size)
    customer, day, _, channel = model.journey_log.select(kinds=[Event.EXPOSURE])
    during = (channel == spec.channel_names.index("display")) & (day >= 19) & (day <= 39)
    assert set(np.flatnonzero(seen < NEVER)) == set(customer[during])
    assert 0 < (seen < NEVER).sum() < model.state.entered
    first = pd.Series(day[during]).groupby(customer[during]).min()
    assert (seen[first.index] == first.to_numpy()).all()


def email_exposures_of_each_group(boost: float, split: bool) -> tuple[int, int]:
    """Email exposures of the held-out half and of the rest over 60 days of 10,000 customers of the
    MMM lab, the rest's social exposures ``boost`` times as effective, with or without a budget split."""
    from journeysim.runner import build_model
    from journeysim.sim.journey_log import Event

    spec = make_spec("scenario=mmm_lab", "population.size=10000", "days=60", "outputs.event_log_sample=10000",
                     "seed=3")
    model = build_model(spec)
    held = holdout_mask(3, 0, model.state.size, 0.5)
    model.controls.add_exposure_modifier(boost, channels=["social"], scope=~held)
    if split:
        model.controls.split_budgets(held, 0, spec.days - 1, share=0.5)
    customer, _, _, channel = model.run().journey_log.select(kinds=[Event.EXPOSURE])
    email = held[customer[channel == spec.channel_names.index("email")]]
    return int(email.sum()), int((~email).sum())


@pytest.mark.parametrize("arm", ["factual", "holdout", "truth"])
def test_a_lift_run_that_stops_at_its_window_end_reads_what_the_whole_run_gives(arm) -> None:
    """Each arm stops once its test's window has ended: nothing after it is read."""
    from journeysim.experiments.panels.lift import LiftRun

    spec = make_spec("scenario=attribution_lab", "population.size=2000", "days=90")
    design = LiftDesign("display", 20, 40, 0.5, cooldown_days=10)
    short = LiftRun(spec, design, arm, design.window[1])()
    whole = LiftRun(spec, design, arm)()
    assert short["spend"].shape[0] == 50 and whole["spend"].shape[0] == 90
    assert np.array_equal(short["spend"], whole["spend"][:50])
    for target, daily in short["daily"].items():
        assert np.array_equal(daily, whole["daily"][target][:50]), target
    assert short.get("groups") == whole.get("groups") and short.get("customers") == whole.get("customers")
    if arm == "holdout":
        assert short["groups"]["holdout"]["n"] > 0


def test_a_budget_split_keeps_exposed_customers_from_taking_the_held_out_customers_impressions() -> None:
    """Social moves the customers it reaches into email's target stages. With one budget for both
    groups, a stronger social effect on one group draws email's fixed impressions away from the
    other (cannibalization bias of a holdout test); with the budget split, each group keeps its half."""
    shared = [email_exposures_of_each_group(boost, split=False) for boost in (1.0, 6.0)]
    split = [email_exposures_of_each_group(boost, split=True) for boost in (1.0, 6.0)]
    assert shared[1][0] < 0.9 * shared[0][0] and shared[1][1] > 1.1 * shared[0][1]
    assert abs(split[1][0] / split[0][0] - 1) < 0.02
    for held, rest in split:
        assert abs(held / (held + rest) - 0.5) < 0.02


def test_a_budget_split_is_checked() -> None:
    from journeysim.runner import build_model

    model = build_model(make_spec("population.size=500", "days=10"))
    with pytest.raises(ConfigError, match="split_budgets\\(share=...\\) = 1.5"):
        model.controls.split_budgets(None, 0, 5, share=1.5)
    with pytest.raises(ConfigError, match="first_day, last_day"):
        model.controls.split_budgets(np.arange(100), 5, 2)


def test_the_lift_tests_count_the_reached_customers_of_each_arm(result) -> None:
    searched = result.table.query("channel == 'search'")
    reached = searched["customers_treated"] + searched["customers_holdout"]
    assert (reached < 5000).all()  # not every customer of the market: only those search reached


def test_the_calibration_inputs_have_the_shapes_the_mmms_take(result) -> None:
    pymc = pymc_lift_tests(result.table, "acquisitions")
    assert list(pymc.columns) == ["channel", "x", "delta_x", "delta_y", "sigma"]
    assert set(pymc["channel"]) == {"spend_search", "spend_display"}  # the MMM's channel columns
    assert (pymc["x"] > 0).all() and np.allclose(pymc["delta_x"], -pymc["x"])
    assert (pymc["delta_y"] < 0).all() and (pymc["sigma"] > 0).all()  # switching the spend off loses customers
    search = result.table.query("channel == 'search' and target == 'acquisitions'").iloc[0]
    assert np.isclose(pymc.loc[pymc["channel"] == "spend_search", "x"].iloc[0], search["spend"] / 4)  # weekly
    priors = meridian_roi_priors(result.table).set_index("channel")
    assert (priors["roi"] > 0).all() and (priors["roi_se"] > 0).all()
    mean = np.exp(priors["mu"] + priors["sigma"] ** 2 / 2)  # the log-normal's mean is the tested ROI
    assert np.allclose(mean, priors["roi"])
    robyn = robyn_calibration(result.table, "revenue")
    assert list(robyn.columns) == ["channel", "liftStartDate", "liftEndDate", "liftAbs", "spend", "confidence",
                                   "metric", "calibration_scope"]
    assert (robyn["confidence"].between(0, 1)).all() and (robyn["calibration_scope"] == "immediate").all()
    assert (pd.to_datetime(robyn["liftEndDate"]) - pd.to_datetime(robyn["liftStartDate"])).dt.days.eq(27).all()
    with pytest.raises(ConfigError, match="metric"):
        robyn_calibration(result.table, "profit")


def test_the_holdout_comes_from_its_own_stream_per_seed_and_channel() -> None:
    a, b, c = holdout_mask(1, 0, 10_000, 0.3), holdout_mask(1, 0, 10_000, 0.3), holdout_mask(1, 1, 10_000, 0.3)
    assert (a == b).all() and not (a == c).all() and 0.28 < a.mean() < 0.32
    assert (holdout_mask(1, 0, 10_000, 0.5) >= a).all()  # a larger share holds out a superset


def test_lift_designs_are_checked_and_test_channels_on_air() -> None:

    spec = make_spec("scenario=attribution_lab", "population.size=500", "days=120")
    designs = {d.channel: d for d in default_designs(spec)}
    assert set(designs) == {"search", "display"}
    from journeysim.scenarios.levers import planned_budgets

    plan = planned_budgets(spec)
    display = spec.channel_names.index("display")
    assert plan[designs["display"].start_day - 1, display] > 0
    for bad, key in ((LiftDesign("tv", 10, 20), "lift.channel"), (LiftDesign("radio", 10, 20), "lift.channel"),
                     (LiftDesign("search", 30, 20), "lift.start_day"), (LiftDesign("search", 10, 20, 1.0),
                                                                        "lift.holdout_share"),
                     (LiftDesign("search", 100, 110, 0.2, 30), "lift.cooldown_days")):
        with pytest.raises(ConfigError, match=key):
            bad.check(spec)


def test_lift_tables_written_have_every_column_in_the_column_reference(result, tmp_path) -> None:
    from journeysim import columns

    result.write(tmp_path)
    for table in ("lift_tests", "lift_tests_pymc", "lift_tests_meridian", "lift_tests_robyn"):
        frame = pd.read_csv(tmp_path / f"{table}.csv")
        assert len(frame) > 0
        assert list(frame.columns) == list(columns.columns(table)), table


def test_journey_truth_runs_lift_tests_with_a_cooldown_and_writes_the_calibration_inputs(tmp_path, capsys) -> None:
    from journeysim.experiments.truth.cli import main

    code = main(["scenario=attribution_lab", "--seeds", "1", "population.size=1500", "days=60", "--marginal", "false",
                 "--pulses", "0", "--jobs", "1", "--lift-tests", "14", "--holdout-share", "0.3",
                 "--lift-cooldown", "7", "--lift-budget-split", f"hydra.run.dir={tmp_path}"])
    assert code in (0, None)
    for name in ("lift_tests", "lift_tests_pymc", "lift_tests_meridian", "lift_tests_robyn"):
        assert (tmp_path / f"{name}.csv").is_file(), name
    table = pd.read_csv(tmp_path / "lift_tests.csv")
    assert (table["end_day"] - table["start_day"] == 13).all() and (table["holdout_share"] == 0.3).all()
    assert (table["window_end_day"] == table["end_day"] + 7).all()  # the cooldown's days count too
    assert table["budget_split"].all()
    assert (pd.read_csv(tmp_path / "lift_tests_robyn.csv")["calibration_scope"] == "total").all()
    assert "lift test" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        main(["--lift-tests", "-3", f"hydra.run.dir={tmp_path / 'bad'}"])
    captured = capsys.readouterr()
    assert exit_.value.code == 2 and "--lift-tests = -3 is not allowed" in captured.out + captured.err
    with pytest.raises(SystemExit) as exit_:
        main(["--lift-tests", "14", "--lift-cooldown", "-1", f"hydra.run.dir={tmp_path / 'bad'}"])
    captured = capsys.readouterr()
    assert exit_.value.code == 2 and "--lift-cooldown = -1 is not allowed" in captured.out + captured.err


def test_a_lift_test_runs_in_the_window_whose_spend_is_closest_to_the_plans_mean() -> None:
    from journeysim.experiments.panels.lift import representative_start

    plan = np.r_[np.zeros(20), np.full(20, 10.0), np.full(20, 30.0)]  # dark, low, high: 13.33 a day on average
    assert representative_start(plan, 0, 10, 60) == 33  # rows 32-41: 8 days at 10 and 2 at 30, 14 a day
    assert representative_start(plan, 0, 10, 35) == 21  # no window may reach the high weeks: the low ones, first
    assert representative_start(np.full(100, 5.0), 33, 28, 100) == 34  # always on: the first day after a third
    assert representative_start(np.r_[np.full(50, 5.0), np.zeros(50)], 60, 28, 100) == 61  # never on after it


def test_each_flighted_channel_is_tested_in_weeks_that_spend_about_its_mean() -> None:
    from journeysim.scenarios.levers import planned_budgets

    spec = make_spec("scenario=mmm_lab", "population.size=500")
    plan = planned_budgets(spec)
    designs = default_designs(spec)
    assert len(designs) == 7  # every impressions channel of the plan (TV is broadcast)
    for design in designs:
        spend = plan[:, spec.channel_names.index(design.channel)]
        tested = spend[design.start_day - 1: design.end_day]
        assert design.start_day > spec.days // 3 and tested[0] > 0, design
        assert abs(tested.mean() / spend.mean() - 1) < 0.05, (design.channel, tested.mean() / spend.mean())


def test_tests_in_several_windows_take_one_window_per_span_of_the_run_from_a_third_on() -> None:
    from journeysim.scenarios.levers import planned_budgets

    spec = make_spec("scenario=mmm_lab", "population.size=500")
    plan = planned_budgets(spec)
    single = default_designs(spec)
    designs = default_designs(spec, windows=3)
    assert default_designs(spec, windows=1) == single and len(designs) == 3 * len(single)
    third, span = spec.days // 3, (spec.days - spec.days // 3) / 3
    for channel in {d.channel for d in single}:
        mine = [d for d in designs if d.channel == channel]
        for w, design in enumerate(mine):  # each test inside its own span, on air, about the plan's mean spend
            assert third + w * span < design.start_day and design.end_day <= third + (w + 1) * span + 1, design
            spend = plan[:, spec.channel_names.index(channel)]
            assert spend[design.start_day - 1] > 0
            assert abs(spend[design.start_day - 1: design.end_day].mean() / spend.mean() - 1) < 0.1, design


def test_a_lift_test_at_a_spend_level_runs_in_the_window_nearest_that_multiple_of_the_mean() -> None:
    from journeysim.experiments.panels.lift import representative_start

    plan = np.r_[np.zeros(20), np.full(20, 10.0), np.full(20, 30.0)]  # 13.33 a day on average
    assert representative_start(plan, 0, 10, 60, level=0.75) == 21  # rows 20-29 at 10 a day: 0.75 of the mean
    assert representative_start(plan, 0, 10, 60, level=2.25) == 41  # rows 40-49 at 30 a day
    assert representative_start(plan, 0, 10, 60, level=1.0) == representative_start(plan, 0, 10, 60)


def test_tests_at_several_spend_levels_take_one_window_per_level_below_and_above_the_mean() -> None:
    from journeysim.scenarios.levers import planned_budgets

    spec = make_spec("scenario=mmm_lab", "population.size=500")
    plan = planned_budgets(spec)
    single = default_designs(spec)
    designs = default_designs(spec, levels=(0.5, 1.0, 1.5))
    assert len(designs) == 3 * len(single) and designs[1::3] == single  # the level 1 test is the default one
    for design, level in zip(designs, [0.5, 1.0, 1.5] * len(single), strict=True):
        spend = plan[:, spec.channel_names.index(design.channel)]
        tested = spend[design.start_day - 1: design.end_day]
        assert design.start_day > spec.days // 3 and tested[0] > 0, design
        assert abs(tested.mean() / spend.mean() - level) < 0.1, (design, tested.mean() / spend.mean())


def test_spend_levels_that_are_not_positive_numbers_are_refused_naming_the_option(tmp_path, capsys) -> None:
    from journeysim.experiments.truth.cli import main

    spec = make_spec("scenario=mmm_lab", "population.size=500", "days=120")
    with pytest.raises(ConfigError, match=r"lift.levels = \[0, 1\] is not allowed.*positive numbers"):
        default_designs(spec, levels=(0, 1))
    with pytest.raises(ConfigError, match=r"lift.levels = \[\] is not allowed"):
        default_designs(spec, levels=())
    for text in ("half,1", "1,-0.5", "nan"):
        with pytest.raises(SystemExit) as exit_:
            main(["scenario=mmm_lab", "days=120", "--lift-tests", "28", "--lift-levels", text,
                  f"hydra.run.dir={tmp_path / 'bad'}"])
        captured = capsys.readouterr()
        assert exit_.value.code == 2 and f"--lift-levels = '{text}' is not allowed" in captured.out + captured.err
        assert "Traceback" not in captured.out + captured.err
    assert not (tmp_path / "bad").exists()  # refused before any run


def test_more_windows_than_the_run_holds_are_refused_naming_the_option(tmp_path, capsys) -> None:
    from journeysim.experiments.truth.cli import main

    spec = make_spec("scenario=mmm_lab", "population.size=500", "days=120")
    with pytest.raises(ConfigError, match="lift.windows = 0 is not allowed"):
        default_designs(spec, windows=0)
    with pytest.raises(ConfigError, match="1 to 2 tests per channel"):  # 80 days from day 40: two 28-day tests
        default_designs(spec, windows=3)
    with pytest.raises(SystemExit) as exit_:
        main(["scenario=mmm_lab", "days=120", "--lift-tests", "28", "--lift-windows", "3",
              f"hydra.run.dir={tmp_path / 'bad'}"])
    captured = capsys.readouterr()
    assert exit_.value.code == 2 and "--lift-windows = 3 is not allowed" in captured.out + captured.err
    assert not (tmp_path / "bad").exists()  # refused before any run


def test_a_persistent_holdout_runs_from_a_third_of_the_run_to_its_end_on_air() -> None:
    from journeysim.scenarios.levers import planned_budgets

    spec = make_spec("scenario=mmm_lab", "population.size=500")
    plan = planned_budgets(spec)
    single = default_designs(spec)
    designs = default_designs(spec, persistent=["email", "website"], levels=(0.5, 1.0))
    windowed = default_designs(spec, levels=(0.5, 1.0))
    assert [d for d in designs if d.channel not in ("email", "website")] == [
        d for d in windowed if d.channel not in ("email", "website")]  # the other channels' tests unchanged
    for channel in ("email", "website"):
        (design,) = [d for d in designs if d.channel == channel]  # one test, whatever the levels
        spend = plan[:, spec.channel_names.index(channel)]
        on = np.flatnonzero(spend[spec.days // 3:] > 0)[0] + spec.days // 3 + 1  # first day on air from a third on
        assert (design.start_day, design.end_day) == (on, spec.days), design
        assert design.holdout_share == single[0].holdout_share and not design.budget_split
    cooled = default_designs(spec, persistent=["email"], cooldown_days=20)
    assert [d.end_day for d in cooled if d.channel == "email"] == [spec.days - 20]  # its cooldown inside the run


def test_a_persistent_holdout_measures_about_what_the_channel_returns_over_its_days() -> None:
    result = lift_tests("mmm_lab", seeds=1, overrides=["population.size=4000", "days=150"], channels=["email"],
                        persistent=["email"], holdout_share=0.5, jobs=1)
    row = result.table.query("target == 'revenue'").iloc[0]
    assert (row.start_day, row.end_day) == (51, 150)
    assert row.lift > 0 and abs(row.lift - row.true_lift) < 3 * row.lift_se + 0.25 * row.true_lift, row


def test_a_persistent_holdout_of_a_channel_that_cannot_be_held_out_is_refused_naming_the_option(
        tmp_path, capsys) -> None:
    from journeysim.experiments.truth.cli import main

    spec = make_spec("scenario=mmm_lab", "population.size=500", "days=120")
    with pytest.raises(ConfigError, match=r"lift.persistent = 'tv' is not allowed: one of content, display, email"):
        default_designs(spec, persistent=["tv"])  # broadcast: no one can be held out
    with pytest.raises(SystemExit) as exit_:
        main(["scenario=mmm_lab", "days=120", "--lift-tests", "28", "--lift-persistent", "email,emial",
              f"hydra.run.dir={tmp_path / 'bad'}"])
    captured = capsys.readouterr()
    assert exit_.value.code == 2 and "--lift-persistent = 'emial' is not allowed" in captured.out + captured.err
    assert "email" in captured.out + captured.err and "Traceback" not in captured.out + captured.err
    assert not (tmp_path / "bad").exists()  # refused before any run


def test_journey_truth_and_journey_arena_read_the_same_lift_options_into_the_same_settings() -> None:
    """One definition of the shared lift-test options (experiments/panels/lift_options.py): the same
    command-line values give both commands the same settings of ``lift_tests``, and their defaults are
    ``lift_tests``' own."""
    import inspect

    from journeysim.experiments.arena.cli import parser as arena_parser
    from journeysim.experiments.panels.lift import lift_tests
    from journeysim.experiments.panels.lift_options import LiftOptions
    from journeysim.experiments.truth.cli import parser as truth_parser

    given = ["--lift-cooldown", "14", "--holdout-share", "0.3", "--lift-budget-split", "--lift-windows", "2",
             "--lift-levels", "0.5,1.5", "--lift-persistent", "email, search"]
    settings = [LiftOptions.from_args(p.parse_args(given)).settings() for p in (truth_parser(), arena_parser())]
    assert settings[0] == settings[1] == {"cooldown_days": 14, "holdout_share": 0.3, "budget_split": True,
                                          "windows": 2, "levels": (0.5, 1.5), "persistent": ("email", "search")}
    defaults = LiftOptions.from_args(truth_parser().parse_args([])).settings()
    signature = inspect.signature(lift_tests).parameters
    assert {key: signature[key].default for key in defaults} == defaults
