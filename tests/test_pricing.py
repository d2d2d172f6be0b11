"""The one price rule (sim/pricing.py), the price_change lever and the market's price response."""

from __future__ import annotations

import numpy as np
import pytest

from journeysim.experiments.validation.price_elasticity import checks, price_response
from journeysim.runner import build_model
from journeysim.sim.errors import ConfigError
from journeysim.sim.pricing import Pricing, satisfaction_premium
from journeysim.sim.schema.pricing import PricingSpec
from journeysim.sim.stages import Stage
from tests.conftest import make_spec

SPEC = PricingSpec(reference_price=60.0, scale=2.0, memory=0.5, adaptation=0.5, loyal_sensitivity=0.5,
                   premium=0.2)


def rule(size: int = 4) -> Pricing:
    return Pricing(SPEC, list_price=60.0, discount=0.0, size=size)


def factor(pricing: Pricing, stage=Stage.DECIDING, satisfaction=0.0, sensitivity=1.0, rows=None) -> np.ndarray:
    rows = np.arange(pricing.memory.size) if rows is None else rows
    n = rows.size
    return pricing.factor(rows, np.full(n, stage, np.int8), np.full(n, satisfaction, np.float32),
                          np.full(n, sensitivity, np.float32))


def test_the_factor_is_one_at_the_reference_price_and_rises_with_the_list_price() -> None:
    pricing = rule()
    np.testing.assert_allclose(factor(pricing), 1.0)
    pricing.set_list_price(66.0)
    np.testing.assert_allclose(factor(pricing), 1.1 ** 2.0, rtol=1e-6)  # (price / reference) ** (scale x trait)


def test_a_deal_moves_the_factor_more_than_the_same_cut_in_list_price() -> None:
    listed, deal = rule(), rule()
    listed.set_list_price(54.0)
    deal.set_discount(0.1)
    assert listed.offered_price(np.arange(4)) == pytest.approx(deal.offered_price(np.arange(4)))
    assert (factor(deal) < factor(listed)).all()
    np.testing.assert_allclose(np.log(factor(deal)) / np.log(factor(listed)), SPEC.deal_ratio, rtol=1e-5)


def test_loyal_customers_and_advocates_are_less_price_sensitive_in_choosing_the_brand() -> None:
    pricing = rule()
    pricing.set_list_price(66.0)
    new, loyal, advocate = (factor(pricing, stage) for stage in (Stage.CUSTOMER, Stage.LOYAL, Stage.ADVOCATE))
    np.testing.assert_allclose(np.log(loyal), 0.5 * np.log(new), rtol=1e-5)
    np.testing.assert_allclose(loyal, advocate)


def test_the_accepted_premium_is_flat_near_neutral_and_steep_for_the_delighted() -> None:
    s = np.linspace(-1, 1, 9)
    premium = satisfaction_premium(s, 0.2)
    assert premium[4] == 0 and premium[-1] == pytest.approx(0.2) and premium[0] == pytest.approx(-0.2)
    steps = np.diff(premium)
    assert (steps > 0).all() and steps[4] < steps[-1] / 5  # inverse S: flat in the middle
    pricing = rule()
    assert factor(pricing, satisfaction=1.0)[0] < factor(pricing, satisfaction=0.5)[0] < 1.0


def test_the_reference_price_drifts_towards_prices_paid() -> None:
    pricing = rule(2)
    pricing.observe(np.array([0]), 80.0)
    assert pricing.memory[0] == pytest.approx(70.0) and pricing.memory[1] == 60.0
    assert pricing.reference_price(np.array([0, 1])) == pytest.approx([65.0, 60.0])
    pricing.set_list_price(80.0)
    before, after = factor(pricing, rows=np.array([1, 0]))
    assert after < before  # having paid more, the same price looks cheaper


def test_pricing_config_errors_name_the_key_and_what_is_allowed() -> None:
    with pytest.raises(ConfigError, match=r"market\.pricing\.memory"):
        make_spec("population.size=100", "market.pricing.memory=1.5")
    with pytest.raises(ConfigError, match="did you mean 'premium'"):
        make_spec("population.size=100", "+market.pricing.premum=0.1")


@pytest.mark.parametrize("levers, key", [
    ("[{type: price_change}]", "scenario.levers[0].change"),
    ("[{type: price_change, change: 0.1, price: 70}]", "scenario.levers[0].change"),
    ("[{type: price_change, change: 0.1, personas: [nobody]}]", "scenario.levers[0].personas"),
])
def test_price_change_lever_refuses_bad_parameters_by_key(levers: str, key: str) -> None:
    with pytest.raises(ConfigError) as error:
        build_model(make_spec("population.size=100", "days=5", f"scenario.levers={levers}"))
    assert error.value.key == key


def test_price_change_lever_reprices_one_persona_from_its_day() -> None:
    model = build_model(make_spec("population.size=400", "days=6",
                                  "scenario.levers=[{type: price_change, change: 0.1, from_day: 3, "
                                  "personas: [researcher]}]"))
    researchers = model.state.persona == model.population.names.index("researcher")
    rows = np.arange(model.state.size)
    seen = []
    while model.day < 6:
        model.step()
        seen.append(np.unique(np.broadcast_to(model.controls.offered_price(rows), rows.shape)[researchers]).tolist())
    assert seen[:3] == [[60.0]] * 3 and seen[3:] == [[pytest.approx(66.0)]] * 3
    assert (model.controls.offered_price(rows)[~researchers] == 60.0).all()


def test_list_price_changes_demand_with_a_sales_elasticity_between_minus_4_and_minus_1() -> None:
    response = price_response(2000, 200, [1, 2, 3], mid_run=False)
    t = response.table
    assert (t["orders_up"] < t["orders_base"]).all() and (t["orders_down"] > t["orders_base"]).all()
    assert -4.0 <= response.up.estimate <= -1.0, t
    assert response.deal.estimate < response.down.estimate  # deal elasticity larger than regular-price


def test_after_a_price_rise_loyal_repurchases_fall_less_than_first_purchases() -> None:
    # loyal customers who reorder often (the default's repeat rates x4), so that 5,000 customers
    # give enough repurchases to compare; organic first purchases add noise, and so do people leaving
    # the market (with the open default these 5 seeds gave +0.08 [-0.03, 0.20], closed they pass): a
    # closed market for the mechanism. A +30% rise: at +10% the difference (about 0.04 here since the
    # brand channels carry over for weeks, e7fc2f8) needs 30 seeds at this size; make validate checks
    # +10% at full size over 24 seeds (0.06 [0.03, 0.09]); +30% gives 0.21 [0.12, 0.30] over these 5
    frequent = tuple(f"population.personas.{name}.repurchase_rate={rate}" for name, rate in
                     (("deal_seeker", 0.006), ("researcher", 0.004), ("loyalist", 0.010), ("impulse_buyer", 0.008)))
    frequent += ("market.demand.entry_rate=0", "market.demand.exit_rate=0")
    response = price_response(5000, 240, [1, 2, 3, 4, 5], whole_run=False, overrides=frequent, change=0.3)
    assert response.loyal_minus_new.low > 0, response.table
    assert (response.table["loyal_log_ratio"] < 0).mean() >= 0.6  # they still fall


def test_validation_checks_fail_when_the_price_does_not_move_demand() -> None:
    response = price_response(300, 30, [1, 2], overrides=("market.pricing.scale=0",), mid_run=False)
    assert checks(response)[0].passed is False
