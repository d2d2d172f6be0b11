"""Behaviour of the service layer: fulfilment, delivery, support queue, returns and penalties."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
import simpy
import yaml
from hypothesis import given
from hypothesis import strategies as st

from journeysim.sim.service import (
    ServiceConfig,
    ServiceDay,
    ServiceOperations,
    SupportDesk,
    delivery_penalty,
    erlang_c_wait,
    simulate_mm_c,
    wait_penalty,
)

SERVICE_CONF = Path(__file__).resolve().parents[1] / "conf" / "service"
NO_DELIVERY_PENALTY = {"promised_days": 0.0, "per_day": 0.0, "max": 0.0}


def busy_shop(**changes: object) -> ServiceConfig:
    """A small shop with plenty of tickets, so support effects show within weeks: complaints
    only, patient customers, every handled ticket resolved (no repeats)."""
    base = ServiceConfig(
        patience_hours=math.inf,
        first_contact_resolution=1.0,
        wismo_share=0.0,
        late_wismo_probability=0.0,
        fulfilment_capacity=math.inf,
        ticket_probability=0.3,
        ticket_quality_slope=0.0,
        handle_time_hours=2.0,
        hours_per_day=8.0,
        staff_schedule=[{"from_day": 0, "staff": 3}],
        scale_with_population=False,
    )
    return dataclasses.replace(base, **changes)


def run_shop(
    config: ServiceConfig,
    orders_per_day: int,
    days: int,
    seed: int = 7,
    satisfaction: float = 0.5,
    shortfall: float = 0.0,
) -> tuple[ServiceOperations, list[ServiceDay]]:
    """Place ``orders_per_day`` orders (customer ids never repeat) each day and run the days."""
    ops = ServiceOperations(config, np.random.default_rng(seed))
    service_days = []
    for day in range(days):
        customers = np.arange(day * orders_per_day, (day + 1) * orders_per_day, dtype=np.int64)
        ops.place_orders(
            day,
            customers,
            np.full(orders_per_day, shortfall),
            np.full(orders_per_day, satisfaction, dtype=np.float32),
        )
        service_days.append(ops.run_day(day))
    return ops, service_days


# ---- 1. the support queue is an M/M/c queue --------------------------------------------------
def test_erlang_c_wait_matches_textbook_values() -> None:
    # Hillier & Lieberman, County Hospital emergency room: lambda = 2/h, mu = 3/h.
    assert erlang_c_wait(2.0, 3.0, 1) == pytest.approx(2.0 / 3.0)  # Wq = 0.667 h with one doctor
    assert erlang_c_wait(2.0, 3.0, 2) == pytest.approx(1.0 / 24.0)  # Wq = 0.0417 h with two


@pytest.mark.parametrize(
    ("arrival_rate", "service_rate", "servers"), [(5.0, 2.0, 3), (9.5, 1.0, 12)]
)
def test_erlang_c_wait_matches_the_factorial_formula(
    arrival_rate: float, service_rate: float, servers: int
) -> None:
    offered = arrival_rate / service_rate
    rho = offered / servers
    tail = offered**servers / math.factorial(servers) / (1 - rho)
    prob_wait = tail / (sum(offered**k / math.factorial(k) for k in range(servers)) + tail)
    expected = prob_wait / (servers * service_rate - arrival_rate)
    assert erlang_c_wait(arrival_rate, service_rate, servers) == pytest.approx(expected, rel=1e-12)


def test_erlang_c_wait_is_infinite_for_an_overloaded_queue() -> None:
    assert erlang_c_wait(6.0, 2.0, 3) == math.inf


# Sizes: the mean wait of a busy queue converges slowly (long busy periods correlate waits).
# Over 120 seeds (checked with the Kiefer-Wolfowitz recursion, which these waits equal exactly),
# the relative error of the mean had a standard deviation of 1.55% for c=3 at rho=0.7 with
# 450,000 tickets. The 5% bound is over 3 standard errors. The first 2% of the run (starting
# empty) is discarded. Heavier loads (c=4 at 0.8 with 1,000,000 tickets, c=10 at 0.9) and Erlang A
# run over seeds in ``make validate`` (experiments/validation/queues.py).
@pytest.mark.parametrize(("servers", "utilisation", "tickets"), [(3, 0.7, 450_000)])
def test_support_queue_matches_erlang_c_mean_wait(
    servers: int, utilisation: float, tickets: int
) -> None:
    service_rate = 24.0  # tickets/day per agent: one hour of work each, around the clock
    arrival_rate = utilisation * servers * service_rate  # tickets/day
    days = tickets / arrival_rate
    waits = simulate_mm_c(
        arrival_rate, service_rate, servers, days, np.random.default_rng(2024), 0.02 * days
    )
    expected = erlang_c_wait(arrival_rate, service_rate, servers)
    assert waits.mean() == pytest.approx(expected, rel=0.05)


# ---- 2. staffing -------------------------------------------------------------------------------
def test_more_staff_never_increases_mean_wait() -> None:
    means, p95s = [], []
    for staff in (2, 3, 4, 6):
        config = busy_shop(staff_schedule=[{"from_day": 0, "staff": staff}])
        ops, _ = run_shop(config, orders_per_day=40, days=60)
        summary = ops.summary()
        means.append(summary["mean_wait_days"])
        p95s.append(summary["p95_wait_days"])
    assert means[0] > 0.5 and means[-1] < 0.05  # 2 agents are overloaded, 6 hardly queue
    assert np.all(np.diff(means) <= 0)
    assert np.all(np.diff(p95s) <= 0)


def test_more_staff_never_increases_mm_c_waits_ticket_by_ticket() -> None:
    waits = [simulate_mm_c(40.0, 12.0, c, 200.0, np.random.default_rng(3)) for c in (4, 5, 7)]
    assert all(np.all(more <= fewer + 1e-12) for fewer, more in zip(waits, waits[1:], strict=False))


def test_staffing_and_capacity_do_not_shift_the_random_stream() -> None:
    def outcomes(**changes: object) -> list[tuple]:
        _, days = run_shop(busy_shop(**changes), orders_per_day=40, days=25, satisfaction=-0.5)
        return [(day.tickets_opened, day.returned.tobytes()) for day in days]

    few = outcomes(staff_schedule=[{"from_day": 0, "staff": 2}])
    many = outcomes(staff_schedule=[{"from_day": 0, "staff": 6}])
    assert few == many  # the same parcels arrive, open the same tickets, are returned alike
    tight = run_shop(busy_shop(fulfilment_capacity=30.0), orders_per_day=40, days=25)[0]
    ample = run_shop(busy_shop(), orders_per_day=40, days=25)[0]
    tight.run_day(60)
    ample.run_day(60)
    assert tight.summary()["tickets_opened"] == ample.summary()["tickets_opened"]


def test_staff_schedule_changes_staffing_on_its_day() -> None:
    schedule = [
        {"from_day": 0, "staff": 2},
        {"from_day": 5, "staff": 6},
        {"from_day": 9, "staff": 1},
    ]
    ops = ServiceOperations(busy_shop(staff_schedule=schedule), np.random.default_rng(0))
    staffed = []
    for day in range(12):
        ops.run_day(day)
        staffed.append(ops.support_agents.capacity)  # at the end of the day
    assert staffed == [2] * 5 + [6] * 4 + [1] * 3


def test_set_staff_overrides_the_schedule_from_then_on() -> None:
    schedule = [{"from_day": 0, "staff": 2}, {"from_day": 5, "staff": 6}]
    ops = ServiceOperations(busy_shop(staff_schedule=schedule), np.random.default_rng(0))
    ops.run_day(0)
    ops.set_staff(4)
    for day in range(1, 10):
        ops.run_day(day)
    assert ops.support_agents.capacity == 4


def test_cutting_staff_lets_busy_agents_finish_and_adding_staff_serves_the_queue() -> None:
    env = simpy.Environment()
    desk = SupportDesk(env, 3)
    started: list[float] = []

    def job(duration: float) -> simpy.events.ProcessGenerator:
        with desk.request() as request:
            yield request
            started.append(env.now)
            yield env.timeout(duration)

    for _ in range(5):
        env.process(job(1.0))
    env.run(until=0.5)
    desk.set_staff(1)  # the three busy agents finish; nobody new starts until only 0 are busy
    env.run(until=1.5)
    assert started == [0.0, 0.0, 0.0, 1.0]  # at t=1 all three finished, one slot is staffed
    desk.set_staff(2)  # the fifth ticket starts at once
    env.run(until=3.0)
    assert started == [0.0, 0.0, 0.0, 1.0, 1.5]
    desk.account()
    assert desk.busy_time <= desk.staffed_time


# ---- 3. fulfilment backlog -------------------------------------------------------------------
def test_orders_beyond_capacity_build_a_backlog_and_later_orders_wait_longer() -> None:
    config = busy_shop(fulfilment_capacity=50.0, delivery_days_mean=2.0, delivery_days_cv=0.3)
    _, days = run_shop(config, orders_per_day=80, days=30)
    backlog = [day.backlog_orders for day in days]
    assert backlog[0] == 30 and backlog[-1] == 30 * 30  # 30 more orders than capacity each day
    door = np.array([day.mean_delivery_days for day in days[5:]])
    assert np.all(np.diff(door) > 0)  # each day's deliveries were ordered longer ago
    assert door[-1] > door[0] + 7  # 0.375 days more per day: 50 shipped of 80 ordered


def test_orders_within_capacity_take_the_transit_time() -> None:
    config = busy_shop(fulfilment_capacity=200.0, delivery_days_mean=2.0, delivery_days_cv=0.3)
    ops, days = run_shop(config, orders_per_day=100, days=40)
    assert max(day.backlog_orders for day in days) == 0
    assert ops.summary()["mean_delivery_days"] == pytest.approx(2.0, rel=0.03)
    assert ops.summary()["deliveries"] > 0.9 * ops.summary()["orders_placed"]


def test_fractional_capacity_ships_its_average_per_day() -> None:
    config = busy_shop(fulfilment_capacity=12.5)
    ops, _ = run_shop(config, orders_per_day=20, days=40)
    assert ops.summary()["orders_shipped"] == 500  # 40 days x 12.5 orders


# ---- 4. tickets follow quality shortfall -----------------------------------------------------
def test_customers_with_larger_quality_shortfall_open_more_tickets() -> None:
    config = busy_shop(ticket_probability=0.05, ticket_quality_slope=0.3)
    orders = 20 * 200
    opened = {}
    for shortfall in (0.0, 0.5, 1.0):
        ops, _ = run_shop(config, orders_per_day=200, days=20, shortfall=shortfall)
        ops.run_day(40)  # every parcel delivered, so every ticket opened
        opened[shortfall] = ops.summary()["tickets_opened"]
    assert opened[0.0] < opened[0.5] < opened[1.0]
    for shortfall, count in opened.items():
        p = 0.05 + 0.3 * shortfall
        assert abs(count - orders * p) < 4 * math.sqrt(orders * p * (1 - p))


# ---- 5. returns --------------------------------------------------------------------------------
def test_returns_only_happen_for_satisfaction_below_the_threshold() -> None:
    config = busy_shop(
        return_threshold=-0.2, return_probability=0.5, delivery_penalty=NO_DELIVERY_PENALTY
    )
    rng = np.random.default_rng(11)
    satisfaction = rng.uniform(-1.0, 1.0, 4000).astype(np.float32)
    ops = ServiceOperations(config, np.random.default_rng(5))
    ops.place_orders(0, np.arange(4000), np.zeros(4000), satisfaction)
    returned = np.concatenate([ops.run_day(day).returned for day in range(30)])
    below = satisfaction < -0.2
    assert np.all(satisfaction[returned] < -0.2)
    assert returned.size == pytest.approx(0.5 * below.sum(), rel=0.1)


def test_a_late_delivery_can_push_a_customer_below_the_return_threshold() -> None:
    late = {"promised_days": 0.0, "per_day": 1.0, "max": 0.3}
    config = busy_shop(return_threshold=-0.2, return_probability=1.0, delivery_penalty=late)
    ops = ServiceOperations(config, np.random.default_rng(5))
    ops.place_orders(0, np.arange(100), np.zeros(100), np.full(100, 0.05, dtype=np.float32))
    returned = np.concatenate([ops.run_day(day).returned for day in range(30)])
    assert returned.size == 100  # 0.05 - 0.3 < -0.2 for everyone (transit > 1 day)


# ---- 6. reproducibility ------------------------------------------------------------------------
def _as_tuple(day: ServiceDay) -> tuple:
    return tuple(
        value.tobytes() if isinstance(value, np.ndarray) else repr(value)
        for value in dataclasses.astuple(day)
    )


def test_same_seed_gives_identical_service_days() -> None:
    config = busy_shop(fulfilment_capacity=35.0, staff_schedule=[{"from_day": 0, "staff": 2}])
    runs = [run_shop(config, orders_per_day=40, days=40, seed=seed)[1] for seed in (3, 3, 4)]
    first, same, other = ([_as_tuple(day) for day in run] for run in runs)
    assert first == same
    assert first != other


def test_service_day_reports_unique_customers_and_penalties() -> None:
    config = busy_shop(fulfilment_capacity=30.0)
    _, days = run_shop(config, orders_per_day=40, days=30)
    for day in days:
        assert np.unique(day.customers).size == day.customers.size
        assert day.customers.dtype == np.int64 and day.returned.dtype == np.int64
        assert day.satisfaction_delta.dtype == np.float32
        assert np.all(day.satisfaction_delta <= 0)
        assert math.isnan(day.utilisation) or 0.0 <= day.utilisation <= 1.0 + 1e-9
    assert sum(day.tickets_resolved for day in days) > 0


def test_a_day_cannot_be_run_twice() -> None:
    ops = ServiceOperations(busy_shop(), np.random.default_rng(0))
    ops.run_day(0)
    with pytest.raises(ValueError, match="already simulated"):
        ops.run_day(0)


# ---- 7. penalty curves -------------------------------------------------------------------------
waits = st.floats(min_value=0.0, max_value=60.0, allow_nan=False)
linear_curves = st.fixed_dictionaries(
    {
        "shape": st.just("linear"),
        "per_day": st.floats(0.0, 5.0),
        "max": st.floats(0.0, 2.0),
    }
)
logistic_curves = st.fixed_dictionaries(
    {
        "shape": st.just("logistic"),
        "midpoint_days": st.floats(0.0, 10.0),
        "steepness_per_day": st.floats(0.01, 20.0),
        "max": st.floats(0.0, 2.0),
    }
)


@given(curve=linear_curves | logistic_curves, a=waits, b=waits)
def test_longer_waits_never_give_smaller_penalties_and_never_exceed_max(
    curve: dict, a: float, b: float
) -> None:
    shorter, longer = wait_penalty(np.array([min(a, b), max(a, b)]), curve)
    assert shorter <= longer + 1e-12
    assert shorter >= 0.0 and longer <= curve["max"]


@pytest.mark.parametrize(
    "curve",
    [
        {"shape": "linear", "per_day": 0.3, "max": 0.6},
        {"shape": "logistic", "midpoint_days": 1.0, "steepness_per_day": 3.0, "max": 0.6},
    ],
)
def test_wait_penalty_starts_at_zero_and_reaches_max(curve: dict) -> None:
    penalty = wait_penalty(np.array([0.0, 100.0]), curve)
    assert penalty[0] == pytest.approx(0.0, abs=1e-12)
    assert penalty[1] == pytest.approx(0.6)


@given(a=waits, b=waits)
def test_late_deliveries_never_give_smaller_penalties_and_never_exceed_max(
    a: float, b: float
) -> None:
    curve = {"promised_days": 3.0, "per_day": 0.05, "max": 0.4}
    shorter, longer = delivery_penalty(np.array([min(a, b), max(a, b)]), curve)
    assert 0.0 <= shorter <= longer <= 0.4
    assert delivery_penalty(np.array([3.0]), curve)[0] == 0.0


# ---- configuration -----------------------------------------------------------------------------
def load_service_yaml(name: str) -> ServiceConfig:
    return ServiceConfig.from_dict(yaml.safe_load((SERVICE_CONF / f"{name}.yaml").read_text()))


def test_service_yaml_files_load_and_order_staffing() -> None:
    names = ("understaffed", "default", "well_staffed")
    configs = {name: load_service_yaml(name) for name in names}
    staff = [configs[name].staff_on(100) for name in names]
    assert staff == sorted(staff) and len(set(staff)) == 3
    assert all(config.scale_with_population for config in configs.values())


def test_scaled_config_multiplies_capacity_and_rounds_staff_to_at_least_one() -> None:
    config = load_service_yaml("default")
    big = config.scaled(10.0)
    small = config.scaled(0.1)
    assert big.fulfilment_capacity == pytest.approx(10 * config.fulfilment_capacity)
    staff = [entry["staff"] for entry in config.staff_schedule]
    assert [entry["staff"] for entry in big.staff_schedule] == [10 * n for n in staff]
    assert all(e["staff"] == 1 for e in small.staff_schedule)
    assert not big.scale_with_population and config.scale_with_population


@pytest.mark.parametrize(
    "bad",
    [
        {"fulfilment_capacty": 10},
        {"staff_schedule": [{"from_day": 3, "staff": 2}]},
        {"wait_penalty": {"shape": "cubic", "max": 1.0}},
        {"ticket_probability": 1.5},
    ],
)
def test_invalid_service_config_is_rejected(bad: dict) -> None:
    with pytest.raises(ValueError):
        ServiceConfig.from_dict(bad)


def test_disabled_service_does_nothing() -> None:
    ops, days = run_shop(busy_shop(enabled=False), orders_per_day=50, days=5)
    assert sum(day.deliveries + day.tickets_opened for day in days) == 0
    assert ops.summary()["orders_placed"] == 0
