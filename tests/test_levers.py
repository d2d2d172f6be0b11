"""Campaign levers: each moves its KPI in the expected direction against the baseline under
the same seed, and bad lever parameters are ConfigErrors naming the key."""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pytest

from journeysim.experiments.intervals import paired_difference
from journeysim.runner import build_model
from journeysim.scenarios.levers import build_levers, planned_budgets
from journeysim.scenarios.omnichannel import channels_met
from journeysim.sim import kpis
from journeysim.sim.config import RunSpec
from journeysim.sim.errors import ConfigError
from journeysim.sim.journey_log import Event
from journeysim.sim.model import JourneyModel
from journeysim.sim.stages import Stage
from tests.conftest import FREQUENT_REPEAT, make_spec

SMALL = ("population.size=2000", "days=150", "seed=7")


@functools.lru_cache
def small_spec(*overrides: str) -> RunSpec:
    """The small baseline spec (composed once per set of overrides; specs are frozen)."""
    return make_spec(*SMALL, *overrides)


def spec_with(levers: list[dict], *overrides: str) -> RunSpec:
    """The small baseline spec with ``scenario.levers`` replaced."""
    spec = small_spec(*overrides)
    return dataclasses.replace(spec, scenario_params={**spec.scenario_params, "levers": levers})


def run_levers(levers: list[dict], *overrides: str) -> JourneyModel:
    """Run the small baseline with these levers to the end."""
    return build_model(spec_with(levers, *overrides)).run()


@pytest.fixture(scope="module")
def baseline() -> JourneyModel:
    return run_levers([])


def exposure_share(model: JourneyModel, channel: str, persona: str) -> float:
    """Share of a channel's exposures (customer-days, from the journey log of everyone) that
    went to customers of ``persona``."""
    customer, _, kind, detail = model.journey_log.arrays()
    exposed = customer[(kind == Event.EXPOSURE) & (detail == model.spec.channel_names.index(channel))]
    return float(np.mean(model.state.persona[exposed] == model.population.names.index(persona)))


def window_total(model: JourneyModel, name: str, start: int, stop: int) -> float:
    """A daily KPI summed over days ``start`` to ``stop`` inclusive."""
    return float(model.collector.daily[name][start:stop + 1].sum())


# ------------------------------------------------------------------ budgets
def test_budget_burst_raises_spend_and_reach_in_its_window_at_equal_total(baseline) -> None:
    burst = {"bursts": [{"from_day": 60, "to_day": 74, "daily": 400}]}
    levers = [{"type": "budget_plan", "keep_total": True, "channels": {"search": burst, "social": burst}}]
    model = run_levers(levers)
    assert planned_budgets(model.spec).sum() == pytest.approx(planned_budgets(baseline.spec).sum(), rel=1e-9)
    assert model.collector.spend[60:75].sum() > 2 * baseline.collector.spend[60:75].sum()
    assert model.collector.spend[:60].sum() < baseline.collector.spend[:60].sum()
    # with saturating media (#20) four times the spend reaches about a fifth more people; since the
    # tuned repeat and checkout defaults (#20) the window's acquisitions (about 50) no longer show it
    assert model.collector.reach[60:74].sum() > 1.1 * baseline.collector.reach[60:74].sum()


def test_a_burst_at_equal_total_sells_fewer_orders_than_steady_spend() -> None:
    """Media response is concave (Hill, EVIDENCE §12): the burst's extra spend buys little, the weeks
    it is taken from lose more. Paired seeds, 5,000 customers x 150 days: over seeds 0-5 the
    window's orders moved -2.7 (se 3.4) and the run's -42.7 (se 7.5) of about 1,350."""
    burst = {"bursts": [{"from_day": 60, "to_day": 74, "daily": 400}]}
    levers = [{"type": "budget_plan", "keep_total": True, "channels": {"search": burst, "social": burst}}]
    orders: dict[str, dict[int, float]] = {"steady": {}, "burst": {}}
    for seed in range(6):
        for arm, plan in (("steady", []), ("burst", levers)):
            model = run_levers(plan, "population.size=5000", f"seed={seed}")
            orders[arm][seed] = kpis.total(model, "orders")
    change = paired_difference(orders["burst"], orders["steady"])
    assert change.high < 0, change


def test_pulsing_spends_only_in_flights_and_keeps_the_total() -> None:
    levers = [{"type": "budget_plan", "keep_total": True, "channels": {"tv": {"daily": 240, "on_days": 14,
                                                                               "off_days": 14}}}]
    model = run_levers(levers)
    tv = model.collector.spend[:, model.spec.channel_names.index("tv")]
    day = np.arange(tv.size)
    assert (tv[day % 28 >= 14] == 0).all() and (tv[day % 28 < 14] > 0).all()
    plan = planned_budgets(model.spec)
    assert plan.sum() == pytest.approx(planned_budgets(small_spec()).sum(), rel=1e-9)


def test_budget_split_follows_shares_and_shifts_acquisitions_to_the_favoured_channel(baseline) -> None:
    model = run_levers([{"type": "budget_split", "shares": {"search": 0.7, "social": 0.3}}])
    names = model.spec.channel_names
    spend = model.collector.spend.sum(axis=0)
    assert spend[names.index("tv")] == 0 and spend[names.index("display")] == 0
    assert spend[names.index("search")] / spend.sum() == pytest.approx(0.7, abs=0.02)
    assert planned_budgets(model.spec).sum() == pytest.approx(planned_budgets(baseline.spec).sum())
    search = kpis.acquisitions_by_source(model)["search"]
    assert search > kpis.acquisitions_by_source(baseline)["search"]


# ------------------------------------------------------------------ targeting
def test_retargeting_recovers_more_abandoned_carts(baseline) -> None:
    def recovery(model: JourneyModel) -> float:
        s = model.state
        abandoned = s.last_abandon >= 0
        return float(np.mean(s.last_purchase[abandoned] > s.last_abandon[abandoned]))

    model = run_levers([{"type": "retargeting", "channel": "search"}])  # deciders and 14-day abandoners
    assert recovery(model) > recovery(baseline) + 0.1
    assert kpis.acquisitions(model) > kpis.acquisitions(baseline)


def test_retargeting_audience_is_deciders_and_recent_abandoners_who_have_not_bought() -> None:
    model = build_model(spec_with([{"type": "retargeting", "abandoned_within_days": 14}],
                                  "population.size=200", "days=40"))
    s = model.state
    s.stage[:6] = [Stage.DECIDING, Stage.CONSIDERING, Stage.CONSIDERING, Stage.CONSIDERING, Stage.AWARE,
                   Stage.CUSTOMER]
    s.last_abandon[:6] = [-1, 25, 5, 25, 28, 25]   # day of the last abandoned checkout (-1: never)
    s.last_purchase[:6] = [-1, -1, -1, 27, -1, 26]  # row 3 and 5 bought after abandoning
    audience = model.controls.audience_rule("display")(30)
    assert set(audience[audience < 6].tolist()) == {0, 1, 4}


def test_win_back_offers_to_lapsed_customers_raise_winbacks() -> None:
    budget = {"type": "budget_plan", "channels": {"display": 30, "promotions": 10}}
    untargeted = run_levers([budget])
    targeted = run_levers([budget, {"type": "win_back", "channel": "promotions"}])
    assert kpis.total(targeted, "winbacks") > 1.2 * kpis.total(untargeted, "winbacks")


def test_nurture_emails_raise_considering_to_deciding_conversion() -> None:
    # three seeds of their own: the lift (+2.7 points over seeds 0-5, positive in each) is within one
    # seed's noise of the small market (seed 7 of the shared baseline: -0.6 points)
    step = "considering_to_deciding"
    for seed in (0, 1, 2):
        nurtured = run_levers([{"type": "nurture", "stage_weights": {"considering": 6}}], f"seed={seed}")
        assert kpis.funnel_conversion(nurtured)[step] > kpis.funnel_conversion(run_levers([], f"seed={seed}"))[step]


def test_persona_targeting_moves_reach_to_the_persona(baseline) -> None:
    model = run_levers([{"type": "targeting", "channel": "display", "personas": {"researcher": 5.0}}])
    assert exposure_share(model, "display", "researcher") > exposure_share(baseline, "display", "researcher") + 0.1


def test_personalisation_gives_impressions_to_high_affinity_personas(baseline) -> None:
    model = run_levers([{"type": "personalisation", "channels": ["social"], "power": 3.0}])
    # impulse buyers have the highest social affinity (2.0), researchers the lowest (0.7)
    assert exposure_share(model, "social", "impulse_buyer") > exposure_share(baseline, "social", "impulse_buyer")
    assert exposure_share(model, "social", "researcher") < exposure_share(baseline, "social", "researcher")


# ------------------------------------------------------------------ offers and programmes
def test_promotion_raises_conversion_and_lowers_margin_per_order(baseline) -> None:
    model = run_levers([{"type": "promotion", "discount": 0.25, "from_day": 20, "to_day": 120}])
    assert kpis.conversion_rate(model) > kpis.conversion_rate(baseline)
    per_order = lambda m: kpis.total(m, "margin") / kpis.total(m, "orders")  # noqa: E731
    assert per_order(model) < per_order(baseline)
    assert model.controls.discount == model.spec.market.discount  # the sale ended after day 120


def test_referral_programme_raises_word_of_mouth_share_and_books_rewards(baseline) -> None:
    model = run_levers([{"type": "referral_programme", "reward": 12.0, "talk_lift": 2.5}])
    assert kpis.word_of_mouth_share(model) > kpis.word_of_mouth_share(baseline)
    referrals = kpis.total(model, "referrals")
    assert referrals > kpis.total(baseline, "referrals")
    assert kpis.total(model, "programme_cost") == pytest.approx(12.0 * referrals)
    media = model.collector.spend.sum()
    assert kpis.spend(model) == pytest.approx(media + 12.0 * referrals)
    assert kpis.cac(model) == pytest.approx(kpis.spend(model) / kpis.acquisitions(model))


def test_checkout_fix_lowers_abandonment_and_books_its_cost(baseline) -> None:
    model = run_levers([{"type": "checkout_fix", "friction": 0.1, "from_day": 30, "cost": 5000}])
    rate = lambda m: kpis.total(m, "abandoned") / kpis.total(m, "checkout_attempts")  # noqa: E731
    assert rate(model) < rate(baseline) - 0.1
    assert kpis.acquisitions(model) > kpis.acquisitions(baseline)
    assert model.collector.daily["programme_cost"][30] == pytest.approx(5000 * model.spec.population.scale)


def test_loyalty_programme_raises_repurchases_and_lowers_churn(baseline) -> None:
    # enough repeat orders in 2,000 customers to see the lift; 300 days, so that customers have become
    # loyal: over 150 days seed 7 sold 303 repeat orders with it against 308 without (since e7fc2f8);
    # over 300 days seeds 7-10 gave +145 to +270 with it, and fewer lapsed in all four
    frequent = (*FREQUENT_REPEAT, "days=300")
    baseline = run_levers([], *frequent)
    model = run_levers([{"type": "loyalty_programme", "repurchase_lift": 1.5, "churn_factor": 0.5}], *frequent)
    assert kpis.total(model, "repurchases") > kpis.total(baseline, "repurchases")
    assert kpis.total(model, "churned") < kpis.total(baseline, "churned")
    assert kpis.total(model, "programme_cost") > 0


def test_omnichannel_synergy_raises_acquisitions(baseline) -> None:
    model = run_levers([{"type": "omnichannel", "synergy": 0.3, "window": 7}])
    assert kpis.acquisitions(model) > kpis.acquisitions(baseline)
    assert kpis.spend(model) == pytest.approx(kpis.spend(baseline), rel=0.01)


def test_omnichannel_counts_other_channels_met_within_the_window() -> None:
    model = build_model(make_spec("population.size=200", "days=10", "seed=1"))
    tp = model.touchpoints
    search, social, display = (tp.channels[model.spec.channel_names.index(n)] for n in ("search", "social", "display"))
    rows = np.array([0, 1, 2])
    for channel in (search, social, display):
        channel.decayed_stock(rows, 0)  # allocate the stock arrays
    social.stock[[0, 1]], social.stock_day[[0, 1]] = 1.0, [9, 1]  # row 1 met social 9 days ago
    display.stock[0], display.stock_day[0] = 1.0, 8
    search.stock[:] = 1.0  # the channel itself never counts
    members = np.ones(len(tp.channels), bool)
    assert channels_met(tp, members, search, rows, 10, 7).tolist() == [2, 0, 0]


# ------------------------------------------------------------------ operations
def test_more_support_staff_shortens_waits() -> None:
    congested = ("days=90", "service=understaffed", "service.ticket_probability=0.4")
    short = run_levers([], *congested)
    staffed = run_levers([{"type": "support_staffing", "schedule": [{"from_day": 0, "staff": 15}],
                           "cost_per_agent_day": 100}], *congested)
    assert staffed.service.summary()["mean_wait_days"] < 0.5 * short.service.summary()["mean_wait_days"]
    assert staffed.service.support_agents.capacity == 3  # 15 per 10,000 at 2,000 customers
    assert kpis.total(staffed, "programme_cost") == pytest.approx(90 * 2 * 100)  # 2 agents over the 1


def test_more_fulfilment_capacity_shortens_deliveries() -> None:
    tight = ("days=90", "service.fulfilment_capacity=15")  # per 10,000 customers: 3 orders a day here, below demand
    slow = run_levers([], *tight)
    fast = run_levers([{"type": "fulfilment_capacity", "schedule": [{"from_day": 0, "orders_per_day": 400}]}], *tight)
    assert fast.service.summary()["mean_delivery_days"] < slow.service.summary()["mean_delivery_days"]
    assert fast.service.summary()["max_backlog_orders"] < slow.service.summary()["max_backlog_orders"]


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize(("levers", "words"), [
    ([{"type": "promo", "discount": 0.2}], ["scenario.levers[0].type", "did you mean 'promotion'"]),
    ([{"type": "checkout_fix", "friction": 0.1}, {"type": "promotion", "discount": 1.5}],
     ["scenario.levers[1].discount", "1.5"]),
    ([{"type": "promotion", "discont": 0.2}], ["scenario.levers[0].discont", "did you mean 'discount'"]),
    ([{"type": "budget_split", "shares": {"search": 0.5, "social": 0.3}}], ["scenario.levers[0].shares", "sum to 0.8"]),
    ([{"type": "budget_plan", "channels": {"serch": 10}}], ["scenario.levers[0].channels.serch", "'search'"]),
    ([{"type": "budget_plan", "keep_total": True, "channels": {"tv": {"bursts": [
        {"from_day": 0, "to_day": 100, "daily": 9999}]}}}], ["scenario.levers[0].keep_total", "bursts"]),
    ([{"type": "targeting", "channel": "tv", "stages": ["deciding"]}], ["scenario.levers[0].channel", "impressions"]),
    ([{"type": "nurture", "stage_weights": {"considring": 3}}], ["stage_weights.considring", "'considering'"]),
    ([{"type": "promotion", "discount": 0.2, "from_day": 50, "to_day": 10}], ["scenario.levers[0].to_day"]),
    ("promotion", ["scenario.levers", "a list"]),
])
def test_bad_lever_parameters_name_the_key(levers, words: list[str]) -> None:
    with pytest.raises(ConfigError) as error:
        build_levers(spec_with(levers))
    for word in words:
        assert word in str(error.value), (word, str(error.value))


def test_service_levers_need_the_service_layer() -> None:
    levers = [{"type": "support_staffing", "schedule": [{"from_day": 0, "staff": 3}]}]
    with pytest.raises(ConfigError, match="service.enabled"):
        build_levers(spec_with(levers, "service.enabled=false"))


def test_promotion_discount_applies_only_within_its_dates() -> None:
    model = build_model(spec_with([{"type": "promotion", "discount": 0.3, "from_day": 2, "to_day": 3}]))
    seen = []
    for _ in range(6):
        model.step()
        seen.append(model.controls.discount)
    assert seen == [0.0, 0.0, 0.3, 0.3, 0.0, 0.0]
    assert (model.state.stage == Stage.DECIDING).any()
