"""Unit tests per phase of the daily step, each on a few hand-made customers with a known result.

No model is built: each test makes a tiny :class:`CustomerState` by hand and calls one phase
function (stages, media, word of mouth, funnel, purchase, retention, satisfaction).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from journeysim.sim import funnel, purchase, retention, satisfaction, stages, word_of_mouth
from journeysim.sim.collectors import Collector
from journeysim.sim.config import TRAITS, ChannelSpec, MarketSpec, NetworkSpec, SaturationSpec
from journeysim.sim.network import Graph
from journeysim.sim.rates import Rates
from journeysim.sim.satisfaction import Reviews
from journeysim.sim.schema.channels import ResponseSpec
from journeysim.sim.stages import Stage
from journeysim.sim.state import NO_TOUCH, CustomerState
from journeysim.sim.streams import DayDraws, RandomStreams, SequentialDraws
from journeysim.sim.touchpoints import Touchpoints

S = Stage
LEVELS = (1.0, 2.0, 3.0, 4.0)
"""Every hand-made customer enters aware at 1, considering at 2, deciding at 3 and buys at 4."""


def customers(*stage: Stage, interest: tuple[float, ...] | None = None,
              satisfaction: tuple[float, ...] | None = None, **traits: float) -> CustomerState:
    """A tiny state: one customer per stage given; traits 1 unless given (decay 0)."""
    n = len(stage)
    values = {name: 1.0 for name in TRAITS} | {"interest_decay": 0.0, "quality_expectation": 0.5} | traits
    return CustomerState(
        stage=np.array(stage, np.int8),
        persona=np.zeros(n, np.int16),
        traits={name: np.full(n, value, np.float32) for name, value in values.items()},
        interest=np.array(interest if interest is not None else [0.0] * n, np.float32),
        levels=np.repeat(np.array(LEVELS, np.float32)[:, None], n, axis=1),
        satisfaction=np.array(satisfaction if satisfaction is not None else [0.0] * n, np.float32),
        survey_bias=np.zeros(n, np.float32),
    )


def market(**changes: float) -> MarketSpec:
    """A market with list price 10, quality 0.8 without noise, purchase step 1, fallback 0.5."""
    values = dict(price=10.0, unit_cost=4.0, quality=0.8, quality_noise=0.0,
                  thresholds={"aware": 1.0, "considering": 1.0, "deciding": 1.0, "purchase": 1.0},
                  fallback=0.5, checkout_friction=0.0, discount=0.0, review_weight=1.0, loyal_after=2,
                  advocate_satisfaction=0.3, winback=1.0, survey_noise=0.0)
    return MarketSpec(**(values | changes))


def network(**changes: float) -> NetworkSpec:
    """Conversations mode; customers and advocates talk, everyone else is silent."""
    talk = np.zeros(len(Stage), np.float32)
    talk[[S.CUSTOMER, S.ADVOCATE]] = 1.0
    values = dict(type="erdos_renyi", mean_degree=1.0, rewiring=0.0, homophily=0.0, edge_list=None,
                  talk_rate=1.0, positive_kick=0.5, negative_kick=0.5, talk=talk, dissatisfied_talk=-1.0,
                  talk_days=None)
    return NetworkSpec(**(values | changes))


def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def draws() -> DayDraws:
    return RandomStreams(0).day(0)


# ---------------------------------------------------------------------- stages
def test_a_move_changes_only_the_customers_whose_stage_differs_and_marks_it_reached() -> None:
    s = customers(S.UNAWARE, S.AWARE, S.DECIDING)
    change = stages.move(s, np.array([0, 1, 2]), np.array([S.CONSIDERING, S.AWARE, S.CUSTOMER], np.int8))
    assert change.rows.tolist() == [0, 2]
    assert change.old.tolist() == [S.UNAWARE, S.DECIDING] and change.new.tolist() == [S.CONSIDERING, S.CUSTOMER]
    assert s.stage.tolist() == [S.CONSIDERING, S.AWARE, S.CUSTOMER]
    assert s.reached[0] & (1 << S.CONSIDERING) and s.reached[2] & (1 << S.CUSTOMER)
    assert not s.reached[1] & (1 << S.AWARE)  # nobody moved customer 1


def test_after_purchase_makes_prospects_customers_and_satisfied_repeat_buyers_loyal() -> None:
    stage = np.array([S.AWARE, S.LAPSED, S.CUSTOMER, S.CUSTOMER, S.CUSTOMER, S.ADVOCATE], np.int8)
    purchases = np.array([1, 3, 2, 2, 1, 5])
    sat = np.array([0.0, 0.0, 0.1, -0.1, 0.9, 0.9], np.float32)
    assert stages.after_purchase(stage, purchases, sat, loyal_after=2).tolist() == [
        S.CUSTOMER, S.CUSTOMER, S.LOYAL, S.CUSTOMER, S.CUSTOMER, S.ADVOCATE]


def test_the_stage_groups_partition_the_journey() -> None:
    assert set(stages.IN_FUNNEL) | set(stages.POST_PURCHASE) | {S.LAPSED} == set(Stage)
    assert not set(stages.IN_FUNNEL) & set(stages.POST_PURCHASE)
    assert stages.POST_PURCHASE.count(np.arange(8)) == S.CUSTOMER + S.LOYAL + S.ADVOCATE


# ---------------------------------------------------------------------- funnel
def funnel_state(*stage: Stage, interest: tuple[float, ...]) -> CustomerState:
    """Hand-made customers with their derived levels kept by :class:`Rates`."""
    s = customers(*stage, interest=interest)
    Rates(s, market(), network()).refresh_all()
    return s


def test_rising_interest_moves_prospects_forward_and_can_skip_stages() -> None:
    s = funnel_state(S.UNAWARE, S.UNAWARE, S.AWARE, interest=(1.5, 3.2, 1.9))
    moves = funnel.crossings(s, lambda rows: np.ones(rows.size, np.float32), fallback=0.5)
    assert dict(zip(moves.rows.tolist(), moves.stages.tolist(), strict=True)) == {0: S.AWARE, 1: S.DECIDING}
    assert moves.checkout.size == moves.repurchase.size == moves.winback.size == 0


def test_interest_below_the_fallback_level_moves_a_prospect_back() -> None:
    s = funnel_state(S.DECIDING, S.CONSIDERING, interest=(1.2, 0.4))
    moves = funnel.crossings(s, lambda rows: np.ones(rows.size, np.float32), fallback=0.5)
    # deciding falls below 0.5 x 3 and holds half of aware (0.5) and of considering (1): considering;
    # considering falls below 0.5 x 2 and holds none: unaware
    assert dict(zip(moves.rows.tolist(), moves.stages.tolist(), strict=True)) == {0: S.CONSIDERING, 1: S.UNAWARE}


def test_crossing_the_buy_level_sends_prospects_to_checkout_and_customers_to_reorder() -> None:
    s = funnel_state(S.DECIDING, S.AWARE, S.LOYAL, S.LAPSED, S.DECIDING, interest=(4.0, 9.0, 4.5, 4.0, 3.9))
    moves = funnel.crossings(s, lambda rows: np.ones(rows.size, np.float32), fallback=0.5)
    assert moves.checkout.tolist() == [0, 1]
    assert moves.repurchase.tolist() == [2] and moves.winback.tolist() == [3]
    assert 4 not in moves.rows  # short of the buy level: stays deciding


def test_a_discount_lowers_the_buy_level_of_price_sensitive_prospects() -> None:
    s = customers(S.DECIDING, S.DECIDING, interest=(3.6, 3.6), price_sensitivity=1.0)
    s.traits["price_sensitivity"][1] = 0.0
    rates = Rates(s, market(discount=0.5), network())
    rates.refresh_all()
    moves = funnel.crossings(s, rates.price_factor, fallback=0.5)
    assert moves.checkout.tolist() == [0]  # buys at 3 + 0.5 x (4 - 3); the insensitive one needs 4


def test_interest_decays_for_prospects_and_drifts_up_for_customers() -> None:
    s = customers(S.AWARE, S.CUSTOMER, interest=(1.0, 1.0), interest_decay=0.25, repurchase_rate=0.1)
    Rates(s, market(), network()).refresh_all()
    funnel.decay_and_drift(s, decays=True, drifts=True)
    assert s.interest.tolist() == pytest.approx([0.75, 1.1])


def test_a_lapsed_customer_won_back_considers_again_with_a_new_purchase_step() -> None:
    s = customers(S.LAPSED, interest=(5.0,))
    new = funnel.win_back(s, np.array([0]), market(), draws())
    assert new.tolist() == [S.CONSIDERING]
    assert s.interest[0] == 2.0  # the considering entry level
    assert s.buy_level[0] > s.entry_level(S.DECIDING)[0] == 3.0


# ---------------------------------------------------------------------- purchase
def test_checkout_without_friction_draws_nothing_and_everyone_buys() -> None:
    generator = rng()
    result = purchase.checkout(np.array([3, 5]), 0.0, SequentialDraws(generator))
    assert result.buyers.tolist() == [3, 5] and result.abandoners.size == 0
    assert generator.random() == rng().random()  # the stream did not move


def test_checkout_with_full_friction_abandons_every_cart() -> None:
    result = purchase.checkout(np.array([3, 5]), 1.0, draws())
    assert result.buyers.size == 0 and result.abandoners.tolist() == [3, 5]


def test_an_order_counts_the_purchase_resets_interest_and_prices_after_discount() -> None:
    s = customers(S.DECIDING, S.CUSTOMER, interest=(4.2, 4.5), quality_expectation=0.9)
    s.purchases[1] = 1
    orders = purchase.purchase(s, np.array([0, 1]), market(), 10.0 * (1 - 0.2), day=7, draws=draws())
    assert orders.first.tolist() == [True, False]
    assert orders.price.tolist() == [8.0, 8.0]
    assert orders.shortfall.tolist() == pytest.approx([0.1, 0.1])  # expectation 0.9 - quality 0.8
    assert s.purchases.tolist() == [1, 2] and s.last_purchase.tolist() == [7, 7]
    assert s.interest.tolist() == [0.0, 0.0]


def test_orders_are_booked_by_acquisition_source() -> None:
    s = customers(S.DECIDING, S.DECIDING, S.DECIDING, S.CUSTOMER)
    s.last_touch[:] = [0, 2, NO_TOUCH, 1]  # channel 0, word of mouth (2 channels), direct, repeat
    referred_by = np.array([-1, 3, -1, -1])
    collector = Collector(days=1, channels=2)
    orders = purchase.Purchases(np.arange(4), np.array([True, True, True, False]), np.full(4, 10.0),
                                np.full(4, 0.8), np.zeros(4, np.float32))
    purchase.book_orders(collector, 0, orders, s, unit_cost=4.0, referred_by=referred_by, referral_reward=5.0)
    assert collector.acquisitions_by_source[0].tolist() == [1, 0, 1, 1]
    daily = {k: v[0] for k, v in collector.daily.items()}
    assert (daily["orders"], daily["acquisitions"], daily["repurchases"]) == (4, 3, 1)
    assert (daily["revenue"], daily["margin"], daily["referrals"], daily["programme_cost"]) == (40, 24, 1, 5)


def test_purchases_keep_their_old_name_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="Purchases"):
        assert purchase.Orders is purchase.Purchases


# ---------------------------------------------------------------------- retention
def test_a_clock_that_rings_lapses_a_customer_with_no_advocacy() -> None:
    s = customers(S.CUSTOMER, S.CUSTOMER, interest=(3.0, 3.0), churn_propensity=0.0, advocacy=0.0)
    s.hazard[:] = [1.0, 0.1]
    s.clock_threshold[:] = [0.5, 5.0]
    exits = retention.ring_clocks(s, market(winback=2.0), draws())
    assert exits.lapsers.tolist() == [0] and exits.advocates.size == 0
    assert s.interest.tolist() == [0.0, 3.0]
    assert s.clock_threshold[0] == np.inf and s.winback_level[0] > 0
    assert s.clock.tolist() == pytest.approx([0.0, 0.1])  # the quiet clock kept running


def test_a_delighted_loyal_customer_with_no_churn_becomes_an_advocate() -> None:
    s = customers(S.LOYAL, satisfaction=(1.0,), churn_propensity=0.0, advocacy=0.4)
    Rates(s, market(), network()).refresh(np.array([0]))
    assert retention.exit_shares(s, np.array([0]), 0.3).tolist() == [1.0]
    s.clock_threshold[:] = 0.1
    exits = retention.ring_clocks(s, market(), draws())
    assert exits.advocates.tolist() == [0] and np.isfinite(s.clock_threshold[0])
    assert stages.after_clock(np.array([True, False])).tolist() == [S.ADVOCATE, S.LAPSED]


# ---------------------------------------------------------------------- satisfaction
def test_a_first_order_sets_satisfaction_and_a_repeat_order_averages_it() -> None:
    s = customers(S.DECIDING, S.CUSTOMER, satisfaction=(0.0, -0.2), quality_expectation=0.5)
    new = satisfaction.after_order(s, np.array([0, 1]), np.array([True, False]), np.array([0.8, 0.8]))
    assert new.tolist() == pytest.approx([0.6, 0.2])  # 2 (0.8 - 0.5); then (-0.2 + 0.6) / 2
    assert s.satisfaction.tolist() == pytest.approx([0.6, 0.2])


def test_service_penalties_add_up_per_customer_and_stop_at_minus_one() -> None:
    s = customers(S.CUSTOMER, S.CUSTOMER, satisfaction=(0.5, -0.8))
    satisfaction.apply_penalties(s, np.array([0, 0, 1]), np.array([-0.1, -0.2, -0.5], np.float32))
    assert s.satisfaction.tolist() == pytest.approx([0.2, -1.0])


def test_reviews_follow_buyers_and_scale_only_evaluating_prospects() -> None:
    reviews = Reviews(weight=2.0)
    stage = np.array([S.AWARE, S.CONSIDERING, S.DECIDING, S.CUSTOMER], np.int8)
    assert reviews.factor(stage) == 1.0
    reviews.add(np.full(100, 0.5, np.float32))  # weight 100 / 200 of the way to 0.5
    assert reviews.satisfaction == pytest.approx(0.25) and reviews.stars == pytest.approx(3.5)
    assert reviews.factor(stage).tolist() == pytest.approx([1.0, 1.5, 1.5, 1.0])


# ---------------------------------------------------------------------- word of mouth
def test_listeners_in_the_funnel_take_the_kick_and_customers_do_not() -> None:
    s = customers(S.CUSTOMER, S.AWARE, S.CUSTOMER, S.CONSIDERING, S.LAPSED, interest=(0, 1.0, 1.0, 1.0, 0.1))
    talk = word_of_mouth.Conversations(np.array([0, 0, 0, 0]), np.array([1, 2, 3, 4]),
                                       np.array([0.5, 0.5, 0.5, -0.5], np.float32))
    reviews = Reviews(weight=2.0)
    reviews.add(np.full(200, 0.5, np.float32))  # multiplier 2 for evaluating listeners
    referred_by = np.full(5, -1)
    heard = word_of_mouth.listen(s, talk, reviews, referred_by, word_of_mouth_code=7)
    assert heard.listeners.tolist() == [1, 3, 4]
    assert s.interest.tolist() == pytest.approx([0.0, 1.5, 1.0, 2.0, 0.0])  # no negative interest
    assert s.last_touch.tolist() == [NO_TOUCH, 7, NO_TOUCH, 7, NO_TOUCH]
    assert referred_by.tolist() == [-1, 0, -1, 0, -1]


def test_only_customers_with_a_talk_weight_talk_and_only_to_their_neighbours() -> None:
    s = customers(S.CUSTOMER, S.AWARE)
    Rates(s, market(), network()).refresh_all()
    graph = Graph.from_edges(2, np.array([0]), np.array([1]))
    talk = word_of_mouth.WordOfMouth(network(), s, graph, RandomStreams(0)).talk(day=0)
    assert talk.talkers.size > 0
    assert set(talk.talkers.tolist()) == {0} and set(talk.listeners.tolist()) == {1}
    assert talk.kicks.tolist() == pytest.approx([0.5] * talk.kicks.size)


# ---------------------------------------------------------------------- media
def channel(kind: str, budget: float) -> ChannelSpec:
    """A channel at 1 currency per impression (cpm 1000) acting on aware customers only."""
    effect = np.zeros(len(Stage), np.float32)
    effect[S.AWARE] = 0.5
    return ChannelSpec(name="test", kind=kind, cpm=1000.0, daily_budget=budget, effect=effect,
                       saturation=SaturationSpec(shape="linear", scale=1.0), carryover=0.0, target_stages=None)


def test_an_impressions_budget_buys_whole_impressions_and_moves_only_those_reached() -> None:
    s = customers(*([S.AWARE] * 10 + [S.CUSTOMER] * 10))
    media = Touchpoints((channel("impressions", 3.0),), np.ones((1, 1)), s, RandomStreams(1), scale=1.0)
    day = media.expose(0, np.array([3.0]), s.stage_counts(), Reviews(0.0))
    assert day.impressions.tolist() == [3] and day.spend.tolist() == [3.0]
    touched = np.flatnonzero(s.last_touch == 0)
    assert 1 <= touched.size <= day.reach[0] <= 3  # customers are reached too, but not moved
    assert set(np.flatnonzero(s.interest > 0)) == set(touched) and (s.stage[touched] == S.AWARE).all()


def test_a_broadcast_dose_reaches_everyone_by_their_stage_effect() -> None:
    s = customers(S.AWARE, S.CUSTOMER, innovativeness=2.0)
    media = Touchpoints((channel("broadcast", 1.0),), np.ones((1, 1)), s, RandomStreams(1), scale=1.0)
    media.expose(0, np.array([1.0]), s.stage_counts(), Reviews(0.0))
    # one impression over two customers: dose 0.5; effect 0.5 x media response 2 for the aware one
    assert s.interest.tolist() == pytest.approx([0.5, 0.0])


def test_a_day_with_an_empty_audience_carries_no_attended_fraction_to_the_next() -> None:
    s = customers(*([S.CUSTOMER] * 10))  # nobody in the targeted stage
    spec = dataclasses.replace(channel("impressions", 3.0), target_stages=(S.AWARE,),
                               response=ResponseSpec(shape="hill", half_saturation=2.0))
    media = Touchpoints((spec,), np.ones((1, 1)), s, RandomStreams(1), scale=1.0)
    day = media.expose(0, np.array([3.0]), s.stage_counts(), Reviews(0.0))
    assert day.impressions.tolist() == [0] and day.spend.tolist() == [0.0]
    only = media.channels[0]
    assert (only.unspent, only.unattended) == (0.0, 0.0)  # 3 bought x 0.4 attended would carry 0.2
