"""A real plan in: a CSV of spend per channel per day or week sets the run's budgets; its truth out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from journeysim.scenarios.levers import planned_budgets
from journeysim.scenarios.spend_plan import read_spend_plan, with_plan
from journeysim.sim.errors import ConfigError
from tests.conftest import make_spec

SIZE, DAYS = 1000, 28


@pytest.fixture()
def spec():
    return make_spec("scenario=attribution_lab", f"population.size={SIZE}", f"days={DAYS}", "seed=1")


def write(path, text: str):
    path.write_text(text)
    return path


def test_a_weekly_plan_spreads_each_weeks_spend_over_its_days_and_the_run_spends_it(spec, tmp_path) -> None:
    from journeysim.runner import build_model

    plan = write(tmp_path / "plan.csv", "week,search,spend_display\n1,0,700\n2,1400,1400\n3,0,2800\n4,700,0\n")
    planned = with_plan(spec, plan)
    model = build_model(planned).run()
    k = {n: planned.channel_names.index(n) for n in ("search", "display", "tv")}
    spend = model.collector.spend
    weekly = spend[:DAYS].reshape(4, 7, -1).sum(axis=1)
    # whole impressions: within a CPM; search has nobody deciding to reach in week 1, so it starts in week 2
    assert np.allclose(weekly[:, k["search"]], [0, 1400, 0, 700], rtol=0.02)
    assert np.allclose(weekly[:, k["display"]], [700, 1400, 2800, 0], rtol=0.02)
    before = planned_budgets(spec)[:, k["tv"]]
    assert np.allclose(planned_budgets(planned)[:, k["tv"]], before)  # a channel the plan leaves out keeps its plan


def test_a_daily_plan_by_date_in_reference_amounts_is_the_budget_itself(spec, tmp_path) -> None:
    dates = pd.date_range("2025-03-03", periods=DAYS, freq="D").strftime("%Y-%m-%d")
    frame = pd.DataFrame({"date": dates, "tv": np.arange(DAYS) * 10.0})
    schedule, controls = read_spend_plan(write(tmp_path / "p.csv", frame.to_csv(index=False)), spec,
                                         amounts="reference")
    k = spec.channel_names.index("tv")
    assert controls.tolist() == [n == "tv" for n in spec.channel_names]
    assert np.allclose(schedule[:, k], np.arange(DAYS) * 10.0)
    population, _ = read_spend_plan(tmp_path / "p.csv", spec)
    assert np.allclose(population[:, k] * spec.population.scale, np.arange(DAYS) * 10.0)


def test_the_mmm_export_of_a_run_read_back_as_a_plan_gives_the_same_spend(spec, tmp_path) -> None:
    from journeysim.experiments.exports import mmm_table
    from journeysim.runner import build_model

    first = build_model(spec).run()
    daily = mmm_table(first, "D")
    daily[["day", *[c for c in daily if c.startswith("spend_")]]].to_csv(tmp_path / "spent.csv", index=False)
    again = build_model(with_plan(spec, tmp_path / "spent.csv")).run()
    assert np.allclose(again.collector.spend[:DAYS], first.collector.spend[:DAYS], atol=1.0)
    assert np.abs(again.collector.impressions[:DAYS] - first.collector.impressions[:DAYS]).max() <= 1  # rounding


@pytest.mark.parametrize(("text", "words"), [
    ("day,search,radio\n1,1,1\n", ["column 'radio'", "radio", "search"]),
    ("search,display\n1,1\n", ["header", "exactly one time column (day, week or date)"]),
    ("day\n1\n", ["at least one channel column"]),
    ("day,search\n1,10\n2,-5\n", ["line 3, column 'search'", "-5", "at least 0"]),
    ("day,search\n1,10\n2,ten\n", ["line 3, column 'search'", "ten"]),
    ("day,search\n1,10\n3,10\n", ["column 'day'", "3", "1, 2, 3, ... in order"]),
    ("week,search\n1,10\n2,10\n", ["2 weeks", "covering the run's 28 days", "days=14"]),
    ("date,search\n2025-01-06,1\n2025-01-09,1\n", ["column 'date'", "2025-01-09", "one day apart"]),
    ("date,search\n2025-01-06,1\nsoon,1\n", ["column 'date'", "soon", "ISO date"]),
    ("day,search,spend_search\n1,1,1\n", ["each channel once"]),
    ("", ["an empty file"]),
])
def test_a_bad_plan_names_the_file_the_place_the_value_and_what_is_allowed(spec, tmp_path, text, words) -> None:
    path = write(tmp_path / "bad_plan.csv", text)
    with pytest.raises(ConfigError) as error:
        read_spend_plan(path, spec)
    message = str(error.value)
    assert "bad_plan.csv" in message and all(w in message for w in words), message


def test_a_missing_plan_file_and_bad_amounts_are_refused(spec, tmp_path) -> None:
    with pytest.raises(ConfigError, match="existing CSV file"):
        read_spend_plan(tmp_path / "nope.csv", spec)
    with pytest.raises(ConfigError, match="plan.amounts"):
        read_spend_plan(write(tmp_path / "p.csv", "day,tv\n" + "".join(f"{d},1\n" for d in range(1, 29))), spec,
                        amounts="euros")


def test_journey_truth_gives_the_truth_for_a_plan_file(tmp_path, capsys) -> None:
    from journeysim.experiments.truth.cli import main

    plan = write(tmp_path / "q1.csv", "week,search,display,tv\n" + "".join(
        f"{w},{300 * (w % 2)},{500 if w < 3 else 0},{800 if w == 2 else 0}\n" for w in range(1, 6)))
    main(["scenario=attribution_lab", "--seeds", "1", "population.size=800", "days=35", "--marginal", "false",
          "--pulses", "0", "--jobs", "1", "--plan", str(plan), f"hydra.run.dir={tmp_path / 'out'}"])
    truth = pd.read_csv(tmp_path / "out" / "truth.csv").set_index("channel")
    assert truth.loc["display", "spend"] == pytest.approx(1000, rel=0.02)
    assert truth.loc["tv", "spend"] == pytest.approx(800, rel=0.02)
    assert 0 < truth.loc["search", "spend"] <= 900 + 1  # weeks 1, 3, 5 (nobody deciding to reach early on)
    weekly = pd.read_csv(tmp_path / "out" / "mmm_weekly.csv")
    assert (weekly["spend_display"].iloc[2:] == 0).all() and (weekly["spend_tv"].iloc[[0, 2, 3, 4]] == 0).all()
    with pytest.raises(SystemExit) as exit_:
        main(["--plan", str(tmp_path / "missing.csv"), f"hydra.run.dir={tmp_path / 'bad'}"])
    out = capsys.readouterr()
    assert exit_.value.code == 2 and "missing.csv" in out.out + out.err
