"""Purchase places: web shop, app and store, their baskets and the cross-channel journeys."""

from __future__ import annotations

import numpy as np
import pytest

from journeysim.runner import build_model
from journeysim.sim import places
from journeysim.sim.errors import ConfigError
from tests.conftest import make_spec

SMALL = ("population.size=1500", "days=150", "outputs.event_log_sample=0", "seed=4")
STORE_ONLY = ("market.places.shares={web: 0, app: 0, store: 1}",)


def run(*overrides: str):
    return build_model(make_spec(*SMALL, *overrides)).run()


def test_by_default_every_order_is_placed_on_the_web() -> None:
    model = run("days=60")
    daily = model.collector.daily
    assert daily["orders_web"].sum() == daily["orders"].sum() > 0
    assert daily["orders_app"].sum() == daily["orders_store"].sum() == 0


def test_stores_and_app_split_orders_by_place_and_count_cross_channel_journeys() -> None:
    model = run("scenario=stores_and_app")
    out = places.summary(model.collector, model.day)
    assert sum(out[p]["orders"] for p in ("web", "app", "store")) == model.collector.daily["orders"].sum()
    assert all(out[p]["orders"] > 0 for p in ("web", "app", "store"))
    assert out["online_to_store_orders"] > 0 and out["store_to_online_orders"] > 0
    assert out["online_to_store_orders"] <= out["store"]["orders"]


def test_place_success_keeps_the_attempt_weighted_mean_of_checkout_success() -> None:
    model = build_model(make_spec("scenario=stores_and_app", "population.size=500", "days=1"))
    p = model.places
    assert float(p.mix @ p.success) == pytest.approx(1.0)
    assert p.success[2] / p.success[0] == pytest.approx(1.6)


def test_store_orders_are_not_web_sessions_and_have_no_device() -> None:
    model = run(*STORE_ONLY, "days=60")
    daily = model.collector.daily
    assert daily["orders_store"].sum() == daily["orders"].sum() > 0
    assert sum(daily[f"orders_{d}"].sum() for d in ("mobile", "desktop", "tablet")) == 0


def test_a_bigger_store_basket_scales_store_revenue_and_leaves_orders_alone() -> None:
    one, two = run(*STORE_ONLY, "days=90"), run(*STORE_ONLY, "days=90", "market.places.basket.store=2")
    assert np.array_equal(one.collector.daily["orders"], two.collector.daily["orders"])
    assert two.collector.daily["basket_units"].sum() == pytest.approx(2 * one.collector.daily["basket_units"].sum())


@pytest.mark.parametrize(("override", "key"), [
    ("market.places.shares={web: 0, app: 0, store: 0}", "market.places.shares"),
    ("+market.places.shares.kiosk=1", "market.places.shares.kiosk"),
    ("market.places.basket.store=0", "market.places.basket.store"),
    ("+population.personas.loyalist.places={web: 0}", "population.personas.loyalist.places"),
])
def test_bad_place_values_name_the_key_and_what_is_allowed(override: str, key: str) -> None:
    with pytest.raises(ConfigError) as error:
        make_spec(override)
    assert key in str(error.value) and "allowed" in str(error.value).lower()


def test_omnichannel_lowers_the_friction_of_switching_place_and_sells_more_in_stores() -> None:
    stores = ("scenario=stores_and_app", "market.places.switching_friction=0.4")
    lever = "+scenario.levers=[{type: omnichannel, synergy: 0, place_switching: 0}]"
    totals = {}
    for name, extra in (("fragmented", ()), ("consistent", (lever,))):
        models = [build_model(make_spec(*SMALL[:3], f"seed={seed}", *stores, *extra)).run() for seed in (1, 2, 3)]
        assert all(m.places.switching_friction == (0.0 if extra else 0.4) for m in models)
        totals[name] = sum(m.collector.daily["orders_store"].sum() for m in models)
    assert totals["consistent"] > totals["fragmented"]


def test_click_and_collect_counts_collected_orders_and_sells_more_paired() -> None:
    more = 0
    for seed in (1, 2, 3):
        base = run("scenario=stores_and_app", f"seed={seed}")
        collect = run("scenario=click_and_collect", f"seed={seed}")
        daily = collect.collector.daily
        assert 0 < daily["click_and_collect_orders"].sum() <= daily["orders_web"].sum() + daily["orders_app"].sum()
        assert base.collector.daily["click_and_collect_orders"].sum() == 0
        more += daily["orders"].sum() - base.collector.daily["orders"].sum()
    assert more > 0


def test_store_returns_turn_some_returns_into_store_orders_and_keep_revenue_paired() -> None:
    kept = 0.0
    for seed in (1, 2, 3):
        base = run("scenario=stores_and_app", f"seed={seed}", "days=240")
        exchange = run("scenario=stores_and_app", f"seed={seed}", "days=240",
                       "+scenario.levers=[{type: store_returns, exchange: 1.0}]")
        daily = exchange.collector.daily
        assert 0 < daily["store_exchanges"].sum() <= daily["returns"].sum()
        assert daily["orders_store"].sum() > base.collector.daily["orders_store"].sum()
        kept += daily["revenue"].sum() - base.collector.daily["revenue"].sum()
    assert kept > 0


def test_click_and_collect_without_stores_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"scenario\.levers"):
        build_model(make_spec(*SMALL, "+scenario.levers=[{type: click_and_collect, share: 0.3}]"))
