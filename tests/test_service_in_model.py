"""Service capacity is a real lever: an understaffed campaign burst costs loyalty and advocacy."""

from __future__ import annotations

import numpy as np
import pytest

from journeysim.sim import kpis
from journeysim.sim.stages import Stage
from tests.conftest import run_model

BURST = ("population.size=10000", "days=200", "seed=3", "channels.search.daily_budget=600",
         "channels.social.daily_budget=250", "channels.display.daily_budget=200",
         "service.ticket_probability=0.10")


@pytest.fixture(scope="module")
def staffing_pair():
    understaffed = run_model(*BURST, "service.staff_schedule=[{from_day:0,staff:1}]")
    staffed = run_model(*BURST, "service.staff_schedule=[{from_day:0,staff:3}]")
    return understaffed, staffed


def mean_satisfaction(model) -> float:
    bought = model.state.purchases > 0
    return float(model.state.satisfaction[bought].mean())


def test_understaffed_burst_has_longer_support_waits(staffing_pair) -> None:
    understaffed, staffed = staffing_pair
    assert understaffed.service.summary()["mean_wait_days"] > 5 * staffed.service.summary()["mean_wait_days"]
    p95 = [np.nanmax(m.collector.daily["p95_wait_days"]) for m in staffing_pair]
    assert p95[0] > p95[1]


def test_understaffed_burst_lowers_satisfaction_and_nps(staffing_pair) -> None:
    understaffed, staffed = staffing_pair
    assert mean_satisfaction(understaffed) < mean_satisfaction(staffed)
    assert kpis.nps(understaffed) < kpis.nps(staffed)


def test_understaffed_burst_makes_fewer_advocates(staffing_pair) -> None:
    understaffed, staffed = staffing_pair
    assert understaffed.collector.stage_counts[-1, Stage.ADVOCATE] < staffed.collector.stage_counts[-1, Stage.ADVOCATE]


def test_service_kpis_are_recorded_daily(staffing_pair) -> None:
    understaffed, _ = staffing_pair
    daily = understaffed.collector.daily
    assert daily["tickets"].sum() == understaffed.service.summary()["tickets_opened"]
    assert (daily["utilisation"] >= 0).all() and (daily["utilisation"] <= 1 + 1e-9).all()
    assert daily["deliveries"].sum() > 0
