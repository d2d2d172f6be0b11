"""Organic demand, seasonality and the response of advertising to spend (issue #20)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_spec

from journeysim.runner import build_model
from journeysim.sim.adresponse import HillResponse, SpendResponse, make_response
from journeysim.sim.config import ConfigError
from journeysim.sim.demand import seasonal_index
from journeysim.sim.schema.channels import ResponseSpec
from journeysim.sim.schema.demand import DemandSpec


def _orders(*overrides: str, budget_factor: float = 1.0, days: int = 365) -> np.ndarray:
    model = build_model(make_spec("population.size=3000", f"days={days}", "seed=5", *overrides))
    if budget_factor != 1.0:
        model.controls.scale_budgets(np.full(model.n_channels, budget_factor))
    return model.run().collector.daily["orders"]


def test_no_paid_media_still_sells() -> None:
    default, no_media = _orders().sum(), _orders(budget_factor=0.0).sum()
    assert 0.3 * default <= no_media <= 0.9 * default


def test_without_organic_demand_no_paid_media_sells_nothing() -> None:
    assert _orders("market.demand.need_rate=0", budget_factor=0.0, days=120).sum() == 0


def test_category_demand_peaks_in_november_and_december() -> None:
    season = seasonal_index(make_spec().market.demand, 365)
    by_month = np.add.reduceat(season, np.cumsum([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30]))
    assert set(np.argsort(by_month)[-2:]) == {10, 11}
    assert season.mean() == pytest.approx(1.0, abs=0.02)


def test_weekly_pattern_repeats_every_seven_days_and_a_flat_calendar_is_one() -> None:
    spec = DemandSpec(weekly={"sat": 2.0}, yearly={})
    season = seasonal_index(spec, 28)
    assert season[5] == pytest.approx(2.0 / (8.0 / 7.0))  # day 5 is the first Saturday
    np.testing.assert_allclose(season[:7], season[7:14])
    np.testing.assert_array_equal(seasonal_index(DemandSpec(), 400), np.ones(400))


def test_organic_discoveries_follow_the_season() -> None:
    model = build_model(make_spec("population.size=3000", "seed=2", "market.demand.yearly={jun: 0.2, dec: 3.0}"))
    model.controls.scale_budgets(np.zeros(model.n_channels))
    daily = model.run().collector.daily
    assert daily["organic_discoveries"][334:365].sum() > 3 * daily["organic_discoveries"][151:181].sum()


def test_advertising_saturates() -> None:
    spec = ResponseSpec(shape="hill", half_saturation=100.0, slope=1.0, half_life=0.0)
    totals = []
    for spend in (25.0, 50.0, 100.0, 200.0, 400.0):
        response = make_response(spec)
        response.update(spend)
        totals.append(spend * response.multiplier())  # the channel's total effect ~ spend x effect per exposure
        if spend == 100.0:
            assert response.hill() == pytest.approx(0.5)
    gains = np.diff(totals)
    assert (gains > 0).all() and (np.diff(gains / np.diff([25.0, 50.0, 100.0, 200.0, 400.0])) < 0).all()


def test_a_spend_pulse_carries_over_and_halves_after_the_half_life() -> None:
    response = HillResponse(ResponseSpec(shape="hill", half_saturation=50.0, half_life=7.0))
    response.update(100.0)
    start = response.adstock
    for _ in range(7):
        response.update(0.0)
    assert response.adstock == pytest.approx(start / 2)


def test_response_builds_up_after_a_rise_in_spend() -> None:
    response = make_response(ResponseSpec(shape="hill", half_saturation=50.0, half_life=7.0))
    for _ in range(200):
        response.update(100.0)
    steady = response.multiplier()
    response.update(120.0)
    first_day = 120.0 * response.multiplier()
    for _ in range(200):
        response.update(120.0)
    assert 100.0 * steady < first_day < 120.0 * response.multiplier()


def test_linear_response_keeps_every_exposure_at_its_configured_effect() -> None:
    response = SpendResponse(ResponseSpec())
    response.update(1e6)
    assert response.multiplier() == 1.0


@pytest.mark.parametrize(("override", "key"), [
    ("market.demand.need_rate=-1", "market.demand.need_rate"),
    ("+market.demand.yearly.dez=2", "market.demand.yearly.dez"),
    ("channels.tv.response.slope=0.5", "channels.tv.response.slope"),
    ("channels.tv.response.shape=logistic", "channels.tv.response.shape"),
])
def test_demand_and_response_config_errors_name_the_key(override: str, key: str) -> None:
    with pytest.raises(ConfigError) as error:
        make_spec(override)
    assert error.value.key == key
