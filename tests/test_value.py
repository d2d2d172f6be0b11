"""Order value and customer value: baskets, cross-sell, lifetime value, product improvement."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from journeysim.experiments.intervals import paired_difference
from journeysim.runner import build_model
from journeysim.sim import kpis
from journeysim.sim.baskets import Baskets
from journeysim.sim.errors import ConfigError
from journeysim.sim.model import JourneyModel
from journeysim.sim.schema.baskets import BasketSpec
from journeysim.sim.streams import RandomStreams
from tests.conftest import FREQUENT_REPEAT, make_spec, run_model

SEEDS = (1, 2, 3)


def baskets(spec: BasketSpec, means=(1.0, 2.0), n: int = 4) -> Baskets:
    return Baskets(spec, np.array(means), np.arange(n) % len(means))


def test_baskets_have_the_persona_mean_and_a_spread() -> None:
    b = baskets(BasketSpec(spread=0.5), n=200_000)
    rows = np.arange(200_000)
    sizes = b.sizes(rows, np.zeros(rows.size), np.zeros(rows.size), RandomStreams(1).day(0))
    assert sizes[rows % 2 == 0].mean() == pytest.approx(1.0, rel=0.01)
    assert sizes[rows % 2 == 1].mean() == pytest.approx(2.0, rel=0.01)
    assert 0.4 < sizes[rows % 2 == 0].std() < 0.7


def test_baskets_grow_with_satisfaction_and_tenure_and_cross_sell() -> None:
    b = baskets(BasketSpec(satisfaction_upsell=0.2, tenure_upsell=0.05, tenure_cap=4))
    rows, draws = np.zeros(5, np.int64), RandomStreams(0).day(0)
    by_satisfaction = b.sizes(rows, np.array([-1.0, 0.0, 0.5, 1.0, 1.0]), np.zeros(5), draws)
    assert by_satisfaction.tolist() == pytest.approx([1.0, 1.0, 1.1, 1.2, 1.2])  # no penalty below neutral
    by_tenure = b.sizes(rows, np.zeros(5), np.array([0, 1, 4, 9, 20]), draws)
    assert by_tenure.tolist() == pytest.approx([1.0, 1.05, 1.2, 1.2, 1.2])  # capped at tenure_cap orders
    b.set_cross_sell(0.1, mask=np.array([True, False, False, False]))
    assert b.sizes(np.array([0, 2]), np.zeros(2), np.zeros(2), draws).tolist() == pytest.approx([1.1, 1.0])


@functools.lru_cache
def small_run(*overrides: str) -> JourneyModel:
    return run_model("population.size=2000", "days=240", "seed=4", *overrides)


def test_revenue_is_the_sum_of_baskets_and_returns_refund_the_basket() -> None:
    model = small_run()
    summary = kpis.summary(model)
    assert summary["revenue"] == pytest.approx(model.lifetime.revenue.sum())
    assert summary["margin"] == pytest.approx(model.lifetime.margin.sum())
    refunds, returns = kpis.total(model, "refunds"), kpis.total(model, "returns")
    assert returns > 0 and refunds / returns != pytest.approx(model.spec.market.price)  # baskets, not list price
    assert summary["average_order_value"] != pytest.approx(model.spec.market.price)


def test_summary_has_lifetime_value_by_source_and_cohort_that_add_up() -> None:
    model = small_run()
    summary = kpis.summary(model)
    by_source, by_cohort = summary["lifetime_value_by_source"], summary["lifetime_value_by_cohort"]
    customers = sum(v["customers"] for v in by_source.values())
    assert customers == sum(v["customers"] for v in by_cohort.values()) == summary["acquisitions"]
    assert sum(v["margin"] for v in by_source.values()) == pytest.approx(summary["margin"])
    assert summary["customer_lifetime_value"] == pytest.approx(summary["margin"] / customers)
    assert list(by_cohort)[0] == "month_0"
    # early cohorts have had longer to buy again
    assert by_cohort["month_0"]["value_per_customer"] > by_cohort[list(by_cohort)[-1]]["value_per_customer"]
    np.testing.assert_allclose(model.lifetime.cumulative_by_cohort()[-1].sum(), summary["margin"])


def test_referral_programme_customers_are_a_source_of_their_own_compared_with_others() -> None:
    summary = kpis.summary(small_run("scenario=referral_programme"))
    assert summary["lifetime_value_by_source"]["referral"]["customers"] == summary["referrals"]
    assert summary["referral_value"]["customers"] == summary["referrals"] and summary["referral_value"]["ratio"] > 0
    assert np.isnan(kpis.summary(small_run())["referral_value"]["ratio"])  # no programme, no referral source


def paired(kpi, levers: str, *overrides: str) -> object:
    base, treated = {}, {}
    for seed in SEEDS:
        args = ("population.size=1500", "days=150", f"seed={seed}", *overrides)
        base[seed] = kpi(run_model(*args))
        treated[seed] = kpi(run_model(*args, f"scenario.levers={levers}"))
    return paired_difference(treated, base)


def test_cross_sell_raises_revenue_per_order() -> None:
    difference = paired(kpis.average_order_value, "[{type: cross_sell, uplift: 0.15, daily_cost: 10}]")
    assert difference.low > 0


def test_product_improvement_raises_quality_and_satisfaction_at_a_cost() -> None:
    lever = "[{type: product_improvement, survey_budget: 20, learning: 0.2, daily_cost: 30}]"
    model = run_model("population.size=1500", "days=150", "seed=1", f"scenario.levers={lever}", *FREQUENT_REPEAT)
    assert model.controls.quality > model.spec.market.quality
    assert kpis.total(model, "programme_cost") >= 150 * 30 * model.spec.population.scale

    def satisfied(m: JourneyModel) -> float:
        bought = m.state.purchases > 0
        return float(m.state.satisfaction[bought].mean())

    assert paired(satisfied, lever, *FREQUENT_REPEAT).low > 0  # surveys of frequent buyers teach faster


@pytest.mark.parametrize("levers, key", [
    ("[{type: cross_sell, uplift: -0.1}]", "scenario.levers[0].uplift"),
    ("[{type: cross_sell, uplift: 0.1, personas: [nobody]}]", "scenario.levers[0].personas"),
    ("[{type: product_improvement, ceiling: 2}]", "scenario.levers[0].ceiling"),
])
def test_value_levers_refuse_bad_parameters_by_key(levers: str, key: str) -> None:
    with pytest.raises(ConfigError) as error:
        build_model(make_spec("population.size=100", "days=5", f"scenario.levers={levers}"))
    assert error.value.key == key


def test_quality_lever_refuses_a_customer_scope_and_out_of_range_values() -> None:
    controls = build_model(make_spec("population.size=100", "days=5")).controls
    with pytest.raises(ConfigError):
        controls.set_quality(1.5)
    with pytest.raises(ConfigError):
        controls.set_quality(0.8, scope="researcher")


def test_cohort_value_counts_days_from_each_customers_first_order_over_the_whole_cohort() -> None:
    from types import SimpleNamespace

    from journeysim.sim.lifetime import CustomerValue

    value = CustomerValue(3, ("search",), days=40)
    untouched = SimpleNamespace(last_touch=np.full(3, -1, np.int8))  # all acquire reads of the state

    def order(day: int, row: int, first: bool = False) -> None:
        if first:
            value.acquire(untouched, np.array([row]), day, np.array([False]), False)
        value.add(day, np.array([row]), np.array([30.0]), np.array([20.0]))  # margin 10 an order

    order(0, 0, first=True)
    order(5, 1, first=True)  # month 0 has two customers, the last joining on day 5
    order(31, 2, first=True)  # month 1 has one
    order(8, 0)  # customer 0 reorders 8 days after the first order
    per_customer = value.cumulative_per_customer(days_done=20)
    np.testing.assert_allclose(per_customer[:8, 0], 10.0)  # both first orders at age 0, not a ramp
    np.testing.assert_allclose(per_customer[8:15, 0], 15.0)  # the reorder at age 8, over both customers
    assert np.isnan(per_customer[15:, 0]).all()  # day 19 is the last: the day-5 customer is 14 days old
    assert np.isnan(per_customer[:, 1]).all()  # month 1 had not begun by day 19
    assert value.cumulative_per_customer(days_done=40)[8, 1] == 10.0


def test_cohort_value_figure_draws_one_line_per_cohort_from_its_first_orders() -> None:
    from journeysim import plots

    model = small_run()
    cumulative = model.lifetime.cumulative_per_customer(model.day)
    ax = plots.plot_cohort_value(cumulative, ax=plots.headless_axes("lifetime_value"))
    cohorts = kpis.summary(model)["lifetime_value_by_cohort"]
    assert len(ax.lines) == len(cohorts)
    first = ax.lines[0].get_ydata()
    shown = first[np.isfinite(first)]
    assert shown.size == model.day - model.lifetime.acquired[model.lifetime.acquired // 30 == 0].max()
    assert 0 < shown[0] < shown[-1] <= cohorts["month_0"]["margin_per_customer"] + 1e-9
