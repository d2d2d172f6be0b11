"""Spend designs for marketing-mix models: randomised flighting (mmm_lab) and spend that follows demand
(mmm_confounded)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_spec

from journeysim.experiments.truth.ledger import weekly_spend_cv
from journeysim.runner import build_model
from journeysim.scenarios.levers import planned_budgets
from journeysim.sim.demand import seasonal_index
from journeysim.sim.errors import ConfigError

FLIGHTING = ("scenario.levers=[{type: flighting, channels: [search, social]}]",)


def paid(plan: np.ndarray) -> np.ndarray:
    return np.flatnonzero(plan.sum(axis=0) > 0)


def test_flighted_scenario_varies_every_paid_channels_weekly_spend_by_at_least_0_3():
    spec = make_spec("scenario=mmm_lab")
    plan = planned_budgets(spec)
    channels = paid(plan)
    assert len(channels) >= 5 and spec.days >= 3 * 364
    assert (weekly_spend_cv(plan)[channels] >= 0.3).all()
    configured = planned_budgets(make_spec("scenario=baseline", f"days={spec.days}"))
    assert np.allclose(plan.sum(axis=0), configured.sum(axis=0))  # each channel keeps its total
    weeks = plan[: 156 * 7].reshape(156, 7, -1).sum(axis=1)[:, channels]
    correlation = np.corrcoef(weeks.T)[np.triu_indices(len(channels), 1)]
    assert np.abs(correlation).max() < 0.3  # independent across channels
    for year in range(3):  # on/off pulses and several levels recur every year
        block = weeks[52 * year: 52 * (year + 1)]
        assert ((block == 0).any(axis=0) & (block > 0).any(axis=0)).all()
        assert all(len(np.unique(np.round(block[:, j], 6))) >= 3 for j in range(len(channels)))


def test_flighted_scenario_spends_its_varied_plan_in_a_run():
    model = build_model(make_spec("scenario=mmm_lab", "population.size=2000", "days=182",
                                  "outputs.event_log_sample=0")).run()
    spend = model.collector.spend
    assert (weekly_spend_cv(spend)[paid(spend)] >= 0.3).all()


def test_flighting_draws_from_its_own_seeded_stream_independently_per_channel():
    def plan(*overrides):
        return planned_budgets(make_spec("days=140", *overrides))

    k = make_spec().channel_names.index("search")
    both = plan(*FLIGHTING)
    alone = plan("scenario.levers=[{type: flighting, channels: [search]}]")
    assert np.array_equal(both[:, k], alone[:, k])  # another channel's draws move nothing
    assert np.array_equal(both, plan(*FLIGHTING, "seed=7"))  # the plan's seed, not the run's
    other = plan("scenario.levers=[{type: flighting, channels: [search, social], seed: 1}]")
    assert not np.array_equal(both[:, k], other[:, k])
    weekly = both[:, k].reshape(20, 7)
    assert (weekly == weekly[:, :1]).all()  # one level per weekly flight
    assert both[:, make_spec().channel_names.index("display")].std() == 0  # channels not listed keep theirs


def test_repeat_yearly_flighting_runs_the_first_years_plan_again():
    plan = planned_budgets(make_spec("days=800", "scenario.levers=[{type: flighting, repeat_yearly: true, "
                                     "keep_total: false}]"))
    assert np.array_equal(plan[365:730], plan[:365]) and np.array_equal(plan[730:], plan[:70])


def test_confounded_scenario_spend_follows_the_demand_index_the_panel_hides():
    spec = make_spec("scenario=mmm_confounded")
    plan = planned_budgets(spec)
    index = seasonal_index(spec.market.demand, spec.days)
    channels = paid(plan)
    assert len(channels) >= 5
    for k in channels:
        assert np.corrcoef(plan[:, k], index)[0, 1] > 0.95
    configured = planned_budgets(make_spec("scenario=baseline", f"days={spec.days}"))
    assert np.allclose(plan.sum(axis=0), configured.sum(axis=0))
    december, february = plan[334:365].sum(axis=1).mean(), plan[31:59].sum(axis=1).mean()
    assert december > 1.5 * february


@pytest.mark.parametrize("lever, key", [
    ("{type: flighting, levels: []}", "scenario.levers[0].levels"),
    ("{type: flighting, levels: [1, -2]}", "scenario.levers[0].levels"),
    ("{type: flighting, off_share: 1.5}", "scenario.levers[0].off_share"),
    ("{type: flighting, flight_days: 0}", "scenario.levers[0].flight_days"),
    ("{type: flighting, channels: [serch]}", "scenario.levers[0].channels"),
    ("{type: follow_demand, elasticity: -1}", "scenario.levers[0].elasticity"),
])
def test_spend_design_levers_reject_bad_parameters_naming_the_key(lever, key):
    with pytest.raises(ConfigError) as error:
        planned_budgets(make_spec("days=30", f"scenario.levers=[{lever}]"))
    assert error.value.key == key
