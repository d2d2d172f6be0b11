"""Stylised facts of a market (issue #20): quick versions of the make-validate experiments.

The full-size experiments (``make validate``: price_response, advertising_elasticity,
repeat_buying, cart_abandonment, organic_base, repeat_profile) run thousands of customers over
one or two years; here each runs small, in seconds, and the counting and statistics behind
them are checked on cases whose answer is known.
"""

from __future__ import annotations

import numpy as np
import pytest

from journeysim.experiments.intervals import mean_interval
from journeysim.experiments.validation import market_facts, repeat_buying
from journeysim.sim import kpis
from journeysim.sim.funnel import FunnelMoves
from journeysim.sim.purchase import cart_abandonment, carts_created
from journeysim.sim.stages import Stage
from tests.conftest import run_model

EMPTY = np.zeros(0, np.int64)


# ---------------------------------------------------------------- cart abandonment, counted as Baymard counts it
def test_cart_abandonment_counts_browsers() -> None:
    stage = np.array([Stage.CONSIDERING, Stage.DECIDING, Stage.AWARE, Stage.CUSTOMER, Stage.DECIDING], np.int8)
    moves = FunnelMoves(rows=np.array([0, 4]), stages=np.array([Stage.DECIDING, Stage.CONSIDERING], np.int8),
                        checkout=np.array([1, 2]), repurchase=np.array([3]), winback=EMPTY)
    # row 0 reaches deciding (a cart, bought or not), row 2 goes straight to checkout (a cart),
    # row 1 checks out the cart it already had (none), row 3 reorders (a cart), row 4 falls back (none)
    assert carts_created(stage, moves) == 3
    assert cart_abandonment(carts=10, orders=3, open_carts=2) == pytest.approx(5 / 8)


def test_cart_abandonment_of_a_market_includes_carts_that_never_reach_checkout() -> None:
    model = run_model("population.size=2000", "days=120", "seed=1")
    carts, attempts = kpis.total(model, "carts"), kpis.total(model, "checkout_attempts")
    assert carts > attempts
    rate = kpis.cart_abandonment_rate(model)
    assert 0 < rate < 1
    assert kpis.summary(model)["abandonment_rate"] == rate
    assert kpis.summary(model)["checkout_abandonment_rate"] == pytest.approx(kpis.total(model, "abandoned") / attempts)


def test_cart_experiment_reports_the_share_of_carts_abandoned() -> None:
    table = market_facts.cart_table(size=2000, days=120, seeds=[0])
    assert (table["cart_abandonment"] > table["checkout_abandoned"] / table["carts"]).all()
    assert len(market_facts.cart_checks(table)) == 1


# ---------------------------------------------------------------- NBD repeat buying
def test_nbd_fit_accepts_gamma_poisson_counts_and_poisson_rejects_them() -> None:
    rng = np.random.default_rng(1)
    x = rng.poisson(rng.gamma(0.8, 1.5, 6000))
    nbd, poisson = repeat_buying.fit_nbd(x), repeat_buying.fit_poisson(x)
    assert nbd.p_value > repeat_buying.ALPHA
    assert nbd.params["k"] == pytest.approx(0.8, rel=0.15)
    assert poisson.p_value < 1e-6
    assert nbd.aic < poisson.aic


def test_nbd_fit_rejects_counts_with_too_many_zeros() -> None:
    rng = np.random.default_rng(2)
    x = np.where(rng.random(6000) < 0.4, 0, rng.poisson(4.0, 6000))
    assert repeat_buying.fit_nbd(x).p_value < repeat_buying.ALPHA


def test_chi_square_bins_each_expect_at_least_five() -> None:
    x = np.random.default_rng(3).poisson(2.0, 500)
    stat, dof, p, bins = repeat_buying.chi_square(np.bincount(x), lambda v: repeat_buying.stats.poisson.pmf(v, 2.0), 1)
    assert bins >= 5 and dof == bins - 2 and 0 <= p <= 1


def test_repeat_buying_counts_year_two_purchases_of_year_one_buyers() -> None:
    x, nbd, poisson = repeat_buying.nbd_experiment(size=2000, days=730)
    assert x.size > 300 and (x >= 0).all()
    assert nbd.log_likelihood >= poisson.log_likelihood
    assert repeat_buying.nbd_checks(x, nbd, poisson)[0].passed is bool(x.size >= repeat_buying.BUYERS_MIN)


def test_repeat_profile_share_is_between_zero_and_one_for_each_persona() -> None:
    table = repeat_buying.profile_table(size=2000, seeds=[0])
    assert set(table.persona) >= {"all", "loyalist"}
    assert table.buy_again_share.between(0, 1).all()
    overall = table.loc[table.persona == "all"].iloc[0]
    personas = table.loc[table.persona != "all"]
    assert personas.buyers_year_1.sum() == overall.buyers_year_1


# ---------------------------------------------------------------- price, advertising, organic base
def test_a_price_rise_sells_fewer_orders_with_a_negative_elasticity() -> None:
    table = market_facts.price_table(size=2000, days=120, seeds=[0], changes=(0.1,))
    assert (table["orders"] < table["orders_base"]).all()
    assert (table["elasticity"] < 0).all()


def test_more_advertising_sells_more_orders_in_the_short_and_long_term() -> None:
    # spend x3 on 5,000 customers: at x1.2 and 2,000 the ~3% more orders drown in the noise of one
    # pair of runs (either sign came out over seeds, closed market or open); here +8-10% over seeds 0-3
    table, curve = market_facts.advertising_table(size=5000, seeds=[0], from_day=30, long_days=90, short_days=28,
                                                  lift=2.0)
    assert (table["orders_more_long"] >= table["orders_base_long"]).all()
    assert table["elasticity_long"].iloc[0] > 0
    assert curve["weeks"].max() == 90 // 7


def test_the_effect_of_a_spend_rise_builds_up_over_weeks() -> None:
    # carry-over (brand channels' half-lives of three to seven weeks): the first four weeks sell
    # under the elasticity of the first 34, by about 0.026 on average over seeds 0-7. One seed's
    # build-up at 5,000 customers has a spread of 0.015 to 0.019, so about one seed in fourteen comes
    # out below zero (seed 3 at -0.007 once the media drew from counter streams; 0.014 to 0.053
    # before): the test asks the paired mean, with its 95% interval above zero, as make validate
    # asks the means (24 seeds, a year, x1.2). From day 120: a rise from day 30 meets prospects the
    # market has not yet worked through, and the long term's pull-forward hides the build-up (0.19
    # against 0.20 at x2).
    table, _ = market_facts.advertising_table(size=5000, seeds=list(range(8)), from_day=120, long_days=240,
                                              short_days=28, lift=2.0)
    build_up = mean_interval(table["elasticity_long"] - table["elasticity_short"])
    assert build_up.low > 0 and build_up.estimate > 0.02, table.to_dict("records")
    assert (table["elasticity_short"] > 0).all()


def test_switching_paid_media_off_sells_fewer_orders() -> None:
    table, weekly = market_facts.organic_table(size=2000, days=120, seeds=[0])
    assert (table["ratio"] < 1).all()
    assert set(weekly.arm) == {"default", "no paid media"}


# ---------------------------------------------------------------- the tuned defaults, small
def test_default_market_abandons_60_to_80_percent_of_carts() -> None:
    table = market_facts.cart_table(size=4000, days=365, seeds=[0])
    assert market_facts.cart_checks(table)[0].passed, table.to_dict("records")


def test_default_market_keeps_30_to_60_percent_of_a_years_buyers_the_next_year() -> None:
    table = repeat_buying.profile_table(size=4000, seeds=[0])
    assert repeat_buying.profile_checks(table)[0].passed, table.to_dict("records")
