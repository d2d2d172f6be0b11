"""Laws of brand buying in simulated markets (issue #22): quick versions of the make-validate experiments.

Full size (``make validate``: brand_laws_market, cross_price_elasticity, facts_three_brands) runs
tens of thousands of customers over one or two years; here each runs small, in seconds.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from journeysim.api import compose_config
from journeysim.experiments.validation import brand_markets, facts_three_brands, market_facts
from journeysim.experiments.validation.experiment import Check
from journeysim.scenarios.spec import parse_config

matplotlib.use("Agg")


def test_validation_market_brands_differ_only_in_media_weight() -> None:
    weights = (0.5, 1.0, 4.0)
    spec = parse_config(compose_config(overrides=brand_markets.validation_brands(weights)))
    brands = spec.competition.brands
    assert [b.name for b in brands] == ["w1", "w2", "w3"]
    assert len({(b.price, b.quality, b.service_level, b.launch_day) for b in brands}) == 1
    for brand, weight in zip(brands, weights, strict=True):
        assert brand.media == pytest.approx({c: v * weight for c, v in brand_markets.VALIDATION_MEDIA.items()})


@pytest.fixture(scope="module")
def small_market():
    return brand_markets.market_tables(size=3000, seeds=[0], weights=(0.5, 2.0, 8.0), warm_up=60, panel_days=120)


def test_validation_market_panel_counts_every_brand_and_bigger_budgets_reach_more_buyers(small_market) -> None:
    pooled, per_seed = small_market
    assert pooled.brands == ("ours", "w1", "w2", "w3")
    assert np.isclose(pooled.share.sum(), 1.0)
    assert (pooled.penetration > 0).all() and (pooled.penetration < 1).all()
    assert pooled.penetration[1] < pooled.penetration[2] < pooled.penetration[3]
    assert list(per_seed["weight"].iloc[1:]) == [0.5, 2.0, 8.0]


def test_validation_market_tests_the_competitors_and_reports_every_brand(small_market) -> None:
    checks = brand_markets.market_checks(small_market[0])
    tested, reported = checks[:4], checks[4:]
    assert all(c.passed is not None for c in tested) and "over 3 brands" in tested[0].detail
    assert len(reported) == 4 and all(c.passed is None for c in reported)
    assert "over 4 brands" in reported[0].detail
    fig = brand_markets.plot_market(small_market[0], "small")
    assert len(fig.axes[0].texts) == 3  # the competitors are named; ours is the red cross


def test_a_rivals_price_cut_takes_orders_from_us() -> None:
    table = brand_markets.cross_price_table(size=3000, days=150, seeds=[0, 1], rivals=("value",))
    assert table["orders"].sum() < table["orders_base"].sum()  # one seed alone can go either way at this size
    assert table["elasticity"].mean() > 0
    checks = brand_markets.cross_price_checks(table)
    assert len(checks) == 1 and checks[0].criterion.startswith("value cuts its price 20%")
    assert brand_markets.plot_cross_price(table).get_yticklabels()[0].get_text() == "value cuts 20%"


def test_with_three_brands_a_price_rise_still_sells_fewer_of_our_orders() -> None:
    table = market_facts.price_table(size=2000, days=120, seeds=[0], changes=(0.1,),
                                     overrides=facts_three_brands.OVERRIDES)
    assert (table["orders"] < table["orders_base"]).all()
    assert (table["elasticity"] < 0).all()


def test_competitors_take_some_of_our_orders_in_the_fact_runs() -> None:
    alone = market_facts.cart_table(size=2000, days=120, seeds=[0])
    among = market_facts.cart_table(size=2000, days=120, seeds=[0], overrides=facts_three_brands.OVERRIDES)
    assert among["orders_total"].iloc[0] < alone["orders_total"].iloc[0]


def test_three_brand_facts_keep_each_facts_criterion_under_one_experiment() -> None:
    checks = facts_three_brands.relabel([Check("price_response", "elasticity in [-4, -1]", True, "-2.4"),
                                         Check("organic_base", "ratio in [30%, 90%]", False, "0.2")])
    assert {c.experiment for c in checks} == {facts_three_brands.NAME}
    frame = facts_three_brands.checks_frame(checks)
    assert list(frame["fact"]) == ["price_response", "organic_base"]
    assert list(frame["status"]) == ["PASS", "FAIL"]
    assert frame["criterion"].iloc[0] == "elasticity in [-4, -1]"
