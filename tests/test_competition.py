"""Competitors: brand choice by multinomial logit, consideration, switching and the per-brand books."""

from __future__ import annotations

import numpy as np
import pytest

from journeysim.sim.brand_choice import Offers, choose, loyalty, probabilities, utilities
from journeysim.sim.schema.competition import ChoiceSpec
from tests.conftest import run_model

SMALL = ("population.size=3000", "days=200", "seed=5")


def offers(m: int = 1, price=(60.0, 60.0), satisfaction=(0.0, 0.0), considered=(True, True),
           bonus=(0.0, 0.0)) -> Offers:
    """Two brands (ours, a rival) of equal quality and reviews offered to ``m`` customers."""
    def rows(values, dtype):
        return np.tile(np.asarray(values, dtype), (m, 1))
    return Offers(rows(price, np.float64), np.array([0.7, 0.7], np.float32), np.array([3.0, 3.0], np.float32),
                  rows(satisfaction, np.float32), rows(bonus, np.float32), rows(considered, bool))


def rival_share(o: Offers, beta: float = 2.0, last: int = -1, streak: int = 0) -> float:
    v = utilities(o, np.full(len(o.price), beta, np.float32), np.full(len(o.price), last, np.int8),
                  np.full(len(o.price), streak, np.uint8), ChoiceSpec(price=1.0))
    return float(probabilities(v)[0, 1])


def test_equal_offers_split_evenly_and_a_cheaper_rival_wins_more_the_more_price_sensitive_the_buyer() -> None:
    assert rival_share(offers()) == pytest.approx(0.5)
    cut = offers(price=(60.0, 48.0))
    assert rival_share(cut, beta=1.0) > 0.5
    assert rival_share(cut, beta=3.0) > rival_share(cut, beta=1.0)
    # a 20% cut with sensitivity 2: odds (60/48)^2
    assert rival_share(cut, beta=2.0) == pytest.approx(1.25**2 / (1 + 1.25**2), rel=1e-5)


def test_satisfaction_loyalty_and_a_programme_lower_switching_to_a_cheaper_rival() -> None:
    cut = offers(price=(60.0, 48.0))
    base = rival_share(cut)
    assert rival_share(offers(price=(60.0, 48.0), satisfaction=(0.8, 0.0))) < base
    assert rival_share(cut, last=0, streak=1) < base
    assert rival_share(cut, last=0, streak=4) < rival_share(cut, last=0, streak=1)  # loyalty grows with the streak
    assert rival_share(offers(price=(60.0, 48.0), bonus=(1.0, 0.0))) < base
    assert loyalty(np.array([0, 1, 2], np.uint8), 0.5).tolist() == [0.0, 0.5, 0.75]


def test_a_brand_outside_the_consideration_set_is_never_chosen_and_choices_follow_the_logit() -> None:
    o = offers(m=1000, price=(90.0, 30.0), considered=(True, False))
    v = utilities(o, np.full(1000, 2.0, np.float32), np.full(1000, -1, np.int8), np.zeros(1000, np.uint8),
                  ChoiceSpec())
    rng = np.random.default_rng(0)
    assert (choose(v, rng.random(1000)) == 0).all()
    both = offers(m=20_000, price=(60.0, 48.0))
    v = utilities(both, np.full(20_000, 2.0, np.float32), np.full(20_000, -1, np.int8), np.zeros(20_000, np.uint8),
                  ChoiceSpec())
    assert (choose(v, rng.random(20_000)) == 1).mean() == pytest.approx(probabilities(v)[0, 1], abs=0.01)


def test_per_customer_numbers_are_uniform_and_the_same_for_a_customer_whoever_else_draws() -> None:
    model = run_model("population.size=500", "days=3", "seed=5", "competition=three_brands")
    c = model.competition
    rows = np.arange(200_000)
    u = c.uniform(rows, "choice")
    assert u.min() >= 0.0 and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.005
    assert np.histogram(u, bins=10, range=(0, 1))[0].min() > 19_000
    assert np.array_equal(c.uniform(rows[[7, 99_999]], "choice"), u[[7, 99_999]])
    assert not np.array_equal(c.uniform(rows[:100], "service"), u[:100])
    c.day += 1
    assert not np.array_equal(c.uniform(rows[:100], "choice"), u[:100])
    z = c.normal(rows, "quality")
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1.0) < 0.01


@pytest.fixture(scope="module")
def three() -> object:
    return run_model(*SMALL, "competition=three_brands")


def test_without_competitors_the_model_has_no_competition_phase() -> None:
    model = run_model("population.size=500", "days=20", "seed=5")
    assert model.competition is None


def test_every_brand_sells_and_our_books_match_the_collector(three) -> None:
    c, daily = three.competition, three.collector.daily
    assert c.names == ("ours", "value", "premium")
    assert (c.orders.sum(axis=0) > 0).all()
    assert c.orders[:, 0].sum() == daily["orders"].sum()
    assert c.revenue[:, 0].sum() == pytest.approx(daily["revenue"].sum() + daily["refunds"].sum())
    assert c.revenue[:, 1].sum() == pytest.approx(52.0 * c.orders[:, 1].sum())  # value brand's list price
    assert c.spend[:, 0].sum() == pytest.approx(three.collector.spend.sum())
    assert c.spend[:, 2].sum() == pytest.approx((30 + 20 + 40 + 5) * 0.3 * 200)  # premium's plan at 3,000 / 10,000


def test_switching_matrix_counts_every_purchase_of_someone_who_bought_before(three) -> None:
    c = three.competition
    buyers = int((c.last_brand >= 0).sum())
    assert c.switches.sum() == c.orders.sum() - buyers  # each buyer's first purchase has no previous brand
    assert c.switches[0, 1:].sum() > 0 and c.switches[1:, 0].sum() > 0  # won and lost both ways
    assert c.lost.sum() > 0


def test_customers_who_buy_a_rival_at_a_reorder_are_switchers_not_lapses() -> None:
    from journeysim.sim import kpis

    no_churn = [f"population.personas.{p}.churn_propensity=0"
                for p in ("deal_seeker", "researcher", "loyalist", "impulse_buyer")]
    model = run_model(*SMALL, "competition=three_brands", *no_churn)
    daily = model.collector.daily
    assert daily["churned"].sum() == 0  # nobody lapses on their own
    assert daily["switched"].sum() > 0  # yet customers leave us for a rival at a reorder
    assert kpis.summary(model)["switched"] == daily["switched"].sum()
    assert run_model(*SMALL).collector.daily["switched"].sum() == 0  # no rivals, no switchers


def test_state_per_brand_is_one_byte_per_customer_whatever_the_number_of_brands(three) -> None:
    c = three.competition
    for array in (c.aware, c.considered, c.bought, c.streak):
        assert array.dtype == np.uint8 and array.shape == (three.state.size,)
    assert c.last_brand.dtype == np.int8
    penetration = [int(((c.bought >> k) & 1).sum()) for k in range(3)]
    assert penetration[0] == int((three.state.purchases > 0).sum())


def test_a_new_entrant_sells_and_spends_nothing_before_its_launch_day() -> None:
    model = run_model("population.size=2000", "days=120", "seed=5", "competition=three_brands",
                      "competition.brands.premium.launch_day=60")
    c = model.competition
    assert c.orders[:60, 2].sum() == 0 and c.spend[:60, 2].sum() == 0
    assert c.orders[60:, 2].sum() > 0 and c.spend[60:, 2].sum() > 0


def test_in_an_open_population_competitors_reach_and_sell_only_to_people_in_the_market() -> None:
    model = run_model("population.size=2000", "days=150", "seed=5", "competition=three_brands",
                      "market.demand.entry_rate=1.0", "market.demand.exit_rate=1.0")
    c, s = model.competition, model.state
    assert s.entered > 2000 and not s.present[: s.entered].all()  # people entered and left
    assert not c.aware[s.entered:].any() and not c.considered[s.entered:].any()  # rows yet to enter: untouched
    assert (c.last_brand[s.entered:] == -1).all()
    assert c.orders[:, 0].sum() == model.collector.daily["orders"].sum() and c.orders[:, 1:].sum() > 0
