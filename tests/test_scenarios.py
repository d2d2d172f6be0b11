"""The scenario library: every scenario runs and writes its outputs, reallocations keep the
baseline's total budget, and ``journey-scenarios`` lists the library one line per scenario."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from journeysim.cli import scenarios_main
from journeysim.runner import run
from journeysim.scenarios import catalogue
from journeysim.scenarios.levers import planned_budgets
from tests.conftest import make_spec

REQUIRED = ("baseline", "email_nurture", "referral_programme", "checkout_fix", "support_staffing",
            "black_friday_burst", "personalisation", "omnichannel")
JOURNEY_SCENARIOS = [s.name for s in catalogue.library() if s.name != "bass"]
OWN_MEDIA_PLAN = {"attribution_lab"}
"""Scenarios that configure their own channels (ground truth for attribution), not a reallocation."""
DECIDED_IN_THE_RUN = {"adaptive_budget"}
"""Scenarios whose levers choose the split between channels while the run goes on (from what it has
observed): no plan fixes a channel's budget in advance, only each day's total."""
TABLES = ("summary.json", "daily.csv", "flows.csv", "channels.csv", "events.csv", "status.json")
FIGURES = ("stages.png", "funnel.png", "flows.png", "channels.png")
BIN = Path(sys.executable).parent


def test_library_holds_the_named_scenarios_each_opening_with_its_question() -> None:
    names = [s.name for s in catalogue.library()]
    assert set(REQUIRED) <= set(names) and len(JOURNEY_SCENARIOS) >= 8
    for scenario in catalogue.library():
        assert scenario.question.endswith("?"), (scenario.name, scenario.question)


@pytest.mark.parametrize("name", JOURNEY_SCENARIOS)
def test_every_scenario_runs_at_small_size_and_writes_its_outputs(tmp_path, name: str) -> None:
    spec = make_spec(f"scenario={name}", "population.size=1000", "days=45", "seed=3", "outputs.figures=false")
    outcome = run(spec, tmp_path / name)
    for file in TABLES:
        assert (tmp_path / name / file).is_file(), file
    summary = json.loads((tmp_path / name / "summary.json").read_text())
    assert summary["scenario"] == name and summary["kpis"]["days"] == 45
    assert json.loads((tmp_path / name / "status.json").read_text())["status"] == "complete"
    plan = planned_budgets(spec) * spec.population.scale
    one_impression = np.array([c.cpm for c in spec.channels]) / 1000  # impressions are whole
    spend = outcome.model.collector.spend
    if name in DECIDED_IN_THE_RUN:  # each day's total, split as the lever decided
        assert (spend.sum(axis=1) <= plan.sum(axis=1) + one_impression.sum() + 1e-9).all()
    else:
        assert (spend <= plan + one_impression + 1e-9).all()


@pytest.fixture(scope="module")
def baseline_spec():
    return make_spec("scenario=baseline")


@pytest.mark.parametrize("name", sorted(set(JOURNEY_SCENARIOS) - OWN_MEDIA_PLAN))
def test_every_scenario_plans_the_baseline_total_media_budget(baseline_spec, name: str) -> None:
    spec = make_spec(f"scenario={name}")
    for days in (365, 120):  # a year, and a shorter run (bursts beyond it simply do not happen)
        planned = planned_budgets(dataclasses.replace(spec, days=days)).sum()
        assert planned == pytest.approx(planned_budgets(dataclasses.replace(baseline_spec, days=days)).sum(),
                                        rel=0.005)


def test_black_friday_burst_peaks_orders_in_its_week_and_writes_figures(tmp_path) -> None:
    spec = make_spec("scenario=black_friday_burst", "population.size=1000", "seed=3")
    outcome = run(spec, tmp_path)
    orders = outcome.model.collector.daily["orders"]
    assert orders[326:334].mean() > 2.5 * orders[280:326].mean()
    assert outcome.model.collector.spend.sum() == pytest.approx(
        planned_budgets(make_spec("scenario=baseline")).sum() * spec.population.scale, rel=0.005)
    for file in FIGURES:
        assert (tmp_path / file).stat().st_size > 5_000, file


def test_journey_scenarios_lists_every_scenario_on_one_line(capsys) -> None:
    scenarios_main([])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(catalogue.library())
    line = next(line for line in lines if line.startswith("referral_programme "))
    assert "what if" in line.lower()


def test_journey_scenarios_prints_one_scenario_and_rejects_unknown_names(capsys) -> None:
    scenarios_main(["checkout_fix"])
    assert "type: checkout_fix" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        scenarios_main(["chekout_fix"])
    assert exit_info.value.code == 2
    assert "did you mean 'checkout_fix'" in capsys.readouterr().err


def journey(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run([str(BIN / "journey"), *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300)


def test_journey_runs_a_library_scenario_by_name(tmp_path) -> None:
    result = journey("scenario=referral_programme", "population.size=1000", "days=30", "outputs.figures=false",
                     "scenario.levers.0.reward=20", f"hydra.run.dir={tmp_path}/run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    daily = np.genfromtxt(tmp_path / "run" / "daily.csv", delimiter=",", names=True)
    assert summary["scenario"] == "referral_programme"
    assert np.nansum(daily["programme_cost"]) == pytest.approx(20 * summary["kpis"]["referrals"])


def test_a_bad_lever_parameter_exits_2_naming_the_key(tmp_path) -> None:
    result = journey("scenario=spring_sale", "scenario.levers.0.discount=1.5", "days=5", "population.size=500",
                     f"hydra.run.dir={tmp_path}/run", cwd=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert "scenario.levers[0].discount" in result.stderr and "1.5" in result.stderr


def test_daily_comparison_plots_each_scenarios_column_over_the_chosen_days() -> None:
    from journeysim.plots import plot_daily_comparison, plot_what_if

    days = np.arange(10)
    dailies = {"a": pd.DataFrame({"day": days, "orders": days * 2.0}),
               "b": pd.DataFrame({"day": days, "orders": days * 3.0})}
    ax = plot_daily_comparison(dailies, "orders", start=2, stop=5, linestyle="--")
    assert [line.get_label() for line in ax.lines] == ["a", "b"]
    assert ax.lines[1].get_xdata().tolist() == [2, 3, 4, 5]
    assert ax.lines[1].get_ydata().tolist() == [6.0, 9.0, 12.0, 15.0]
    assert ax.lines[0].get_linestyle() == "--"
    figure = plot_what_if(dailies, ("orders",), shade=(3, 4))
    assert sum(ax.get_visible() for ax in figure.axes) == 1
    assert figure.axes[0].patches[0].get_x() == 2.5  # the shaded days, half a day either side
