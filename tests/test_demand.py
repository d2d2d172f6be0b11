"""Organic demand, seasonality and the response of advertising to spend (issue #20)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_spec

from journeysim import simulate
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
        totals.append(spend * response.attended_share())  # attended exposures ~ spend x attended share
        if spend == 100.0:
            assert response.hill() == pytest.approx(0.5)
    gains = np.diff(totals)
    assert (gains > 0).all() and (np.diff(gains / np.diff([25.0, 50.0, 100.0, 200.0, 400.0])) < 0).all()


def test_a_channels_sales_follow_its_hill_curve_of_spend() -> None:
    """Search at three times its default budget (its half-saturation) sells 1.5 times its default
    contribution, as its Hill curve says (0.75 against 0.5 of the maximum), pooled over two seeds:
    1.64. Shrinking every exposure's effect instead of attending fewer exposures gave 1.18."""
    def revenue(multiple: float, seed: int) -> float:
        result = simulate("baseline", overrides=["population.size=8000", "days=300",
                                                 f"channels.search.daily_budget={120 * multiple}"], seed=seed)
        return float(result.daily.loc[result.daily.day > 60, "revenue"].sum())

    runs = np.array([[revenue(m, seed) for m in (0, 1, 3)] for seed in (0, 1)]).sum(axis=0)
    gains = runs[1:] - runs[0]
    assert 1.3 < gains[1] / gains[0] < 1.8, gains


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
    steady = response.attended_share()
    response.update(120.0)
    first_day = 120.0 * response.attended_share()
    for _ in range(200):
        response.update(120.0)
    assert 100.0 * steady < first_day < 120.0 * response.attended_share()


def test_an_always_on_plan_starts_at_its_steady_response() -> None:
    """The first day's spend stands for the days before the run: a long half-life does not leave the
    first weeks of every run with almost no media effect."""
    response = make_response(ResponseSpec(shape="hill", half_saturation=50.0, half_life=46.0))
    response.update(50.0)
    first = response.attended_share()
    for _ in range(300):
        response.update(50.0)
    assert first == pytest.approx(response.attended_share()) and first == pytest.approx(0.5)


def test_a_channel_switched_on_later_builds_up_over_its_half_life() -> None:
    response = make_response(ResponseSpec(shape="hill", half_saturation=50.0, half_life=7.0))
    response.update(0.0)
    for _ in range(7):
        response.update(50.0)
    assert response.adstock == pytest.approx(25.0)  # half-way after one half-life


def test_linear_response_keeps_every_exposure_at_its_configured_effect() -> None:
    response = SpendResponse(ResponseSpec())
    response.update(1e6)
    assert response.attended_share() == 1.0


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


# ---------------------------------------------------------------------- the open population
OPEN = ("market.demand.entry_rate=0.5", "market.demand.exit_rate=0.5")
"""An open population: half the market renews a year."""


def _three_years(*overrides: str):
    return build_model(make_spec("population.size=2000", "days=1095", "seed=4", "service.enabled=false",
                                 "outputs.mesa_agents=eager", *OPEN, *overrides)).run()


@pytest.fixture(scope="module")
def three_years():
    """The default market, open population, 2,000 customers for three years."""
    return _three_years()


def test_population_renews_over_three_years(three_years) -> None:
    model = three_years
    acquisitions = model.collector.daily["acquisitions"]
    year2, year3 = acquisitions[365:730].sum(), acquisitions[730:].sum()
    assert abs(year3 / year2 - 1) < 0.25
    closed = _three_years("market.demand.entry_rate=0", "market.demand.exit_rate=0")
    assert closed.collector.daily["acquisitions"][730:].sum() < 0.8 * year3  # a closed market runs down


def test_population_size_is_the_market_at_the_start_and_stays_near_it_with_equal_rates(three_years) -> None:
    model = three_years
    counts = model.collector.stage_counts
    assert counts[0].sum() == 2000 and model.spec.population.size == 2000
    assert counts.sum(axis=1).min() > 0.85 * 2000 and counts.sum(axis=1).max() < 1.15 * 2000
    daily = model.collector.daily
    assert counts[-1].sum() == 2000 + daily["entrants"].sum() - daily["leavers"].sum()
    assert counts[-1].sum() == model.state.in_market == len(model.agents)  # the Mesa facade follows


def test_people_out_of_the_market_are_never_reached_and_never_buy() -> None:
    model = build_model(make_spec("population.size=2000", "days=400", "seed=1", *OPEN))
    bought_before = {}
    for day in range(400):
        model.step()
        if day == 200:
            gone = np.flatnonzero(~model.state.present[: model.state.entered])
            bought_before = model.state.purchases[gone].copy()
    s = model.state
    assert gone.size > 0
    np.testing.assert_array_equal(s.purchases[gone], bought_before)
    assert (s.interest[gone] == 0).all() and not s.present[s.entered:].any()
    assert (s.purchases[s.entered:] == 0).all()  # rows kept for people who did not enter


def test_a_closed_population_has_exactly_its_rows_and_no_turnover() -> None:
    model = build_model(make_spec("population.size=1000", "days=60", "market.demand.entry_rate=0",
                                  "market.demand.exit_rate=0")).run()
    assert model.state.size == model.state.entered == 1000 and not model.state.open
    assert model.collector.daily["entrants"].sum() == model.collector.daily["leavers"].sum() == 0


def test_entrants_rows_are_preallocated_and_the_memory_estimate_counts_them() -> None:
    from journeysim.sim.validate import estimate_bytes

    closed = make_spec("population.size=10000", "days=730", "market.demand.entry_rate=0")
    open_ = make_spec("population.size=10000", "days=730", "market.demand.entry_rate=0.5")
    assert build_model(open_).state.size >= 10000 + 10000  # 0.5 a year for two years, plus a margin
    assert estimate_bytes(open_) > 1.9 * estimate_bytes(closed)


def test_the_initial_population_does_not_depend_on_the_entry_rate() -> None:
    a = build_model(make_spec("population.size=1000", "market.demand.entry_rate=0")).state
    b = build_model(make_spec("population.size=1000", "market.demand.entry_rate=2")).state
    np.testing.assert_array_equal(a.levels[:, :1000], b.levels[:, :1000])
    np.testing.assert_array_equal(a.traits["threshold_scale"], b.traits["threshold_scale"][:1000])
