"""Support contacts (#21): contact rates, channels, abandonment (Erlang A), resolution, recovery,
notifications, self-service, and the levers that change them."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from journeysim.sim import kpis
from journeysim.sim.contacts import ABANDONED, DEFLECTED, RESOLVED, UNRESOLVED
from journeysim.sim.errors import ConfigError
from journeysim.sim.satisfaction import contact_change, delivery_penalty
from journeysim.sim.schema.service import ServiceSpec
from journeysim.sim.schema.support import SupportChannelSpec
from journeysim.sim.service import ServiceConfig, ServiceOperations, simulate_mm_c
from journeysim.sim.support import erlang_a, erlang_c_wait
from tests.conftest import run_model


def test_support_queue_with_abandonment_matches_erlang_a() -> None:
    service, servers, patience = 24.0, 3, 1.0 / 24.0  # one hour of work and one hour of patience
    arrival = 1.1 * servers * service  # overloaded: only abandonment keeps the queue stable
    days = 300_000 / arrival
    waits = simulate_mm_c(arrival, service, servers, days, np.random.default_rng(7), 0.02 * days, patience)
    p_abandon, mean_wait = erlang_a(arrival, service, servers, 1.0 / patience)
    assert np.mean(waits < 0) == pytest.approx(p_abandon, rel=0.03)
    assert np.abs(waits).mean() == pytest.approx(mean_wait, rel=0.03)


def test_erlang_a_without_abandonment_is_erlang_c() -> None:
    share, wait = erlang_a(60.0, 24.0, 3, 1e-9)
    assert share == pytest.approx(0.0, abs=1e-9)
    assert wait == pytest.approx(erlang_c_wait(60.0, 24.0, 3), rel=1e-6)


def test_erlang_a_of_one_server_matches_its_birth_death_sum() -> None:
    # M/M/1+M with theta = mu: the chain is M/M/infinity shifted, P(n) ~ a^n / n! for a = lambda / mu
    arrival, service = 2.0, 1.0
    p = np.array([arrival ** n / math.factorial(n) for n in range(60)])
    p /= p.sum()
    mean_queue = float((p * np.maximum(np.arange(60) - 1, 0)).sum())
    share, wait = erlang_a(arrival, service, 1, service)
    assert wait == pytest.approx(mean_queue / arrival, rel=1e-12)
    assert share == pytest.approx(service * mean_queue / arrival, rel=1e-12)


def test_infinite_patience_never_abandons() -> None:
    waits = simulate_mm_c(60.0, 24.0, 3, 50.0, np.random.default_rng(1))
    assert (waits >= 0).all()


def shop(**changes: object) -> ServiceConfig:
    base = ServiceConfig(fulfilment_capacity=math.inf, ticket_probability=0.2, ticket_quality_slope=0.0,
                         staff_schedule=[{"from_day": 0, "staff": 2}], scale_with_population=False)
    return dataclasses.replace(base, **changes)


def run_shop(config: ServiceConfig, orders_per_day: int = 60, days: int = 40, seed: int = 5) -> ServiceOperations:
    ops = ServiceOperations(config, np.random.default_rng(seed))
    for day in range(days):
        customers = np.arange(day * orders_per_day, (day + 1) * orders_per_day)
        ops.place_orders(day, customers, np.full(orders_per_day, 0.2), np.zeros(orders_per_day, np.float32))
        ops.run_day(day)
    ops.run_day(days + 20)
    return ops


def test_fewer_staff_means_more_abandoned_contacts() -> None:
    few, many = run_shop(shop(staff_schedule=[{"from_day": 0, "staff": 1}])), run_shop(shop())
    assert few.summary()["abandoned"] > 2 * many.summary()["abandoned"]
    assert few.badly_served_share(0, 40)[0] > many.badly_served_share(0, 40)[0]


def test_customers_who_give_up_call_again_and_keep_an_overloaded_agent_busy() -> None:
    one_agent = {"staff_schedule": [{"from_day": 0, "staff": 1}], "patience_hours": 2.0}
    never, always = (run_shop(shop(**one_agent, retry_share=share)) for share in (0.0, 1.0))
    assert always.summary()["tickets_opened"] > never.summary()["tickets_opened"]  # the retrials are contacts too
    assert always.summary()["abandoned"] < never.summary()["abandoned"]  # some get through the second time
    assert always.summary()["utilisation"] > never.summary()["utilisation"]  # the queue is not left to empty
    assert never.summary()["abandoned"] > 0


def test_lower_first_contact_resolution_leaves_more_unresolved_and_more_repeat_contacts() -> None:
    good, poor = run_shop(shop(first_contact_resolution=0.9)), run_shop(shop(first_contact_resolution=0.4))
    assert poor.summary()["unresolved"] > good.summary()["unresolved"]
    assert poor.summary()["tickets_opened"] > good.summary()["tickets_opened"]  # repeats are contacts too


def test_notifications_prevent_where_is_my_order_contacts() -> None:
    config = shop(wismo_share=0.5)
    off, on = run_shop(config), run_shop(dataclasses.replace(config, proactive_notifications=True))
    assert on.summary()["wismo_prevented"] > 0
    assert on.summary()["contacts_per_order"] < off.summary()["contacts_per_order"]


def test_late_orders_bring_where_is_my_order_contacts() -> None:
    config = shop(ticket_probability=0.0, late_wismo_probability=0.5)
    ample, tight = run_shop(config), run_shop(dataclasses.replace(config, fulfilment_capacity=40.0))
    assert tight.summary()["contacts"] > ample.summary()["contacts"] + 100


def test_self_service_deflects_contacts_from_the_desk() -> None:
    faq = SupportChannelSpec(name="faq", share=0.5, self_service=True, first_contact_resolution=0.6)
    without, with_faq = run_shop(shop()), run_shop(shop(channels=(faq,)))
    summary = with_faq.summary()
    assert summary["deflected"] > 0
    assert summary["contacts_by_channel"]["phone"] < without.summary()["contacts_by_channel"]["phone"]


def test_each_staffed_channel_has_its_own_desk_and_cost() -> None:
    chat = SupportChannelSpec(name="chat", share=0.5, staff_schedule=[{"from_day": 0, "staff": 1}],
                              cost_per_contact=2.0, cost_per_agent_day=100.0)
    summary = run_shop(shop(channels=(chat,))).summary()
    assert set(summary["utilisation_by_channel"]) == {"phone", "chat"}
    assert summary["contacts_by_channel"]["chat"] > 0
    assert summary["support_cost"] >= 2.0 * summary["contacts_by_channel"]["chat"] + 100.0 * 40


def test_contact_outcomes_move_satisfaction_and_recovery_never_beats_no_failure() -> None:
    config = ServiceSpec()
    kinds = np.array([RESOLVED, ABANDONED, UNRESOLVED, DEFLECTED])
    change = contact_change(kinds, np.zeros(4), np.full(4, 0.4), config)
    assert change[ABANDONED] < 0 and change[UNRESOLVED] < 0
    assert 0 < change[RESOLVED] < 0.4  # part of the loss back: no recovery paradox
    waited = contact_change(kinds, np.full(4, 1.0), np.full(4, 0.4), config)
    assert (waited < change).all()


def test_delays_the_firm_controls_cost_more_satisfaction() -> None:
    curve = {"promised_days": 3.0, "per_day": 0.05, "max": 0.4}
    carrier = delivery_penalty(np.array([6.0]), curve, backlog_days=0.0, in_control=1.5)
    warehouse = delivery_penalty(np.array([6.0]), curve, backlog_days=3.0, in_control=1.5)
    assert warehouse[0] > carrier[0] > 0


def test_channel_shares_above_one_are_rejected_with_the_key() -> None:
    with pytest.raises(ConfigError, match=r"service\.channels.*at most 1"):
        ServiceSpec.from_dict({"channels": {"chat": {"share": 0.7}, "email": {"share": 0.5}}})


def test_default_contact_rate_is_within_the_published_range() -> None:
    summary = run_model("population.size=3000", "days=200", "seed=4").service.summary()
    assert 0.02 <= summary["contacts_per_order"] <= 0.10


@pytest.mark.parametrize("scenario", ["proactive_notifications", "self_service", "chat_channel"])
def test_support_scenarios_act_through_their_levers(scenario: str) -> None:
    summary = run_model("population.size=2000", "days=120", "seed=3", f"scenario={scenario}").service.summary()
    if scenario == "proactive_notifications":
        assert summary["wismo_prevented"] > 0
    elif scenario == "self_service":
        assert summary["deflected"] > 0
    else:
        assert summary["contacts_by_channel"]["chat"] > 0


def test_moving_staff_between_channels_keeps_the_total() -> None:
    model = run_model("population.size=10000", "days=5", "seed=3", "scenario=chat_channel")
    assert (model.controls.support_staff("phone"), model.controls.support_staff("chat")) == (1, 1)


def test_support_costs_are_booked_daily_and_lower_profit_by_exactly_their_sum() -> None:
    common = ("population.size=2000", "days=90", "seed=4")
    free = run_model(*common)
    costly = run_model(*common, "service.cost_per_contact=5.0", "service.cost_per_agent_day=150.0")
    daily = costly.collector.daily["support_cost"][: costly.day]
    booked = float(daily.sum())
    assert (daily >= 0).all() and booked > 0
    assert math.isclose(booked, costly.service.summary()["support_cost"], rel_tol=1e-9)
    assert free.collector.daily["support_cost"].sum() == 0.0
    free_kpis, costly_kpis = kpis.summary(free), kpis.summary(costly)
    assert math.isclose(free_kpis["profit"] - costly_kpis["profit"], booked, rel_tol=1e-9)
    assert costly_kpis["spend"] == free_kpis["spend"] and costly_kpis["cac"] == free_kpis["cac"]
