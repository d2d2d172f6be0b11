"""The adaptive budget (issue #25, part 3): a policy that reallocates the media budget every few
days from the observed panel alone, keeping each day's total."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeysim.runner import build_model
from journeysim.scenarios.adaptive import AdaptiveBudget, ThompsonBudget, split_total
from journeysim.scenarios.levers import planned_budgets
from journeysim.sim.errors import ConfigError
from journeysim.sim.model import JourneyModel
from journeysim.sim.observation import NONE, AnalystFeed, Observation, ObservedPanel
from tests.conftest import make_spec

FIVE = ["search", "social", "display", "tv", "content"]


def with_levers(spec, *levers: dict[str, Any]):
    """``spec`` with ``levers`` after its scenario's own."""
    own = list(spec.scenario_params.get("levers") or [])
    return dataclasses.replace(spec, scenario_params={**spec.scenario_params, "levers": [*own, *levers]})


def adaptive_model(*overrides: str, **lever: Any) -> JourneyModel:
    spec = with_levers(make_spec(*overrides), {"type": "adaptive_budget", **lever})
    return build_model(spec)


# ---------------------------------------------------------------------- the total
@settings(max_examples=60, deadline=None)
@given(total=st.floats(0.0, 1e6), weights=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=8),
       floor=st.floats(0.0, 0.1))
def test_a_split_adds_up_to_the_total_with_every_channel_at_its_floor(total, weights, floor) -> None:
    policy = ThompsonBudget(np.full(len(weights), 1 / len(weights)), every=7, floor=floor / len(weights), step=1.0,
                            prior_media_share=0.2, prior_sd=1.0, settle_days=0, from_day=0, seed=0)
    shares = policy._floored(np.asarray(weights))
    assert shares.sum() == pytest.approx(1.0, abs=1e-12) and (shares >= floor / len(weights) - 1e-15).all()
    parts = split_total(total, shares)
    assert abs(parts.sum() - total) <= 1e-9 * max(total, 1.0) and (parts >= 0).all()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31), days=st.integers(0, 90), channels=st.integers(2, 5),
       noise=st.floats(0.0, 1.0))
def test_the_policy_returns_shares_above_the_floor_from_any_panel(seed, days, channels, noise) -> None:
    rng = np.random.default_rng(seed)
    spend = rng.uniform(0, 100, (days, channels))
    revenue = 500 + spend @ rng.uniform(0, 2, channels) + noise * 100 * rng.standard_normal(days)
    panel = ObservedPanel(days, tuple(f"c{k}" for k in range(channels)), spend, np.rint(revenue / 50),
                          revenue, 300.0)
    policy = ThompsonBudget(np.full(channels, 1 / channels), every=7, floor=0.02, step=1.0, prior_media_share=0.2,
                            prior_sd=1.0, settle_days=3, from_day=0, seed=seed)
    shares = policy.decide(panel)
    assert shares.sum() == pytest.approx(1.0, abs=1e-12) and (shares >= 0.02 - 1e-15).all()


def test_each_day_the_channels_spend_the_total_the_plan_before_the_lever_gave_them() -> None:
    # tv pulses (two weeks on, two off): the daily total changes and the adaptive split follows it
    spec = with_levers(make_spec("scenario=tv_pulsing", "population.size=1000", "days=70", "seed=4"),
                       {"type": "adaptive_budget", "channels": FIVE, "every": 5})
    columns = [spec.channel_names.index(c) for c in FIVE]
    planned = planned_budgets(spec)[:, columns]  # the plan before the adaptive lever (it fixes no plan)
    plan = planned.sum(axis=1)
    model = build_model(spec)
    reallocated = 0
    for day in range(spec.days):
        model.step()
        today = model.controls.budgets[columns]
        assert today.sum() == pytest.approx(plan[day], rel=1e-12, abs=1e-9), day
        reallocated += not np.allclose(today, planned[day])
    assert reallocated > 30  # it did move the split
    one_impression = np.array([spec.channels[k].cpm for k in columns]).sum() / 1000  # impressions are whole
    spent = model.collector.spend[:, columns].sum(axis=1)
    assert np.all(spent <= plan * spec.population.scale + one_impression + 1e-9)
    assert spent.sum() == pytest.approx(plan.sum() * spec.population.scale, rel=0.01)


# ---------------------------------------------------------------------- what the policy sees
def reachable(root: object) -> Iterator[object]:
    """Every object held by ``root``'s data: instance attributes, slots, containers, array bases
    (not classes, modules or functions, whose globals reach the whole program)."""
    seen, todo = set(), [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, type | type(np) | type(reachable) | str | bytes | int | float):
            continue
        seen.add(id(obj))
        yield obj
        if isinstance(obj, np.ndarray):
            todo.append(obj.base) if obj.base is not None else None
        elif isinstance(obj, dict):
            todo += [*obj.keys(), *obj.values()]
        elif isinstance(obj, list | tuple | set | frozenset):
            todo += list(obj)
        else:
            todo += list(getattr(obj, "__dict__", {}).values())
            for name in getattr(type(obj), "__slots__", ()):
                if hasattr(obj, name):
                    todo.append(getattr(obj, name))


def test_the_policy_is_handed_only_a_read_only_panel_and_cannot_reach_the_model(monkeypatch) -> None:
    handed: list[tuple[tuple, dict]] = []
    decide = ThompsonBudget.decide

    def spy(self, *args, **kwargs):
        handed.append((args, kwargs))
        return decide(self, *args, **kwargs)

    monkeypatch.setattr(ThompsonBudget, "decide", spy)
    model = adaptive_model("population.size=1000", "days=40", "seed=2", every=10, channels=FIVE).run()
    policy = model.levers[0].policy
    assert len(handed) == 4 and all(not kwargs and len(args) == 1 for args, kwargs in handed)
    panels = [args[0] for args, _ in handed]
    assert all(type(p) is ObservedPanel for p in panels) and [p.day for p in panels] == [0, 10, 20, 30]
    model_arrays = [model.collector.spend, *model.collector.daily.values(), model.controls._budgets,
                    *vars(model.state).values()]
    for root in (policy, *panels):
        for obj in reachable(root):
            assert not isinstance(obj, JourneyModel | AnalystFeed | AdaptiveBudget), type(obj)
            assert "journeysim.sim" not in type(obj).__module__ or type(obj) is ObservedPanel, type(obj)
            if isinstance(obj, np.ndarray):
                assert not any(isinstance(a, np.ndarray) and np.shares_memory(obj, a) for a in model_arrays)
    panel = panels[-1]
    with pytest.raises(AttributeError):
        panel.model  # noqa: B018 - the panel has no way back to the run
    with pytest.raises(ValueError, match="read-only"):
        panel.revenue[0] = 1e9
    with pytest.raises(dataclasses.FrozenInstanceError):
        panel.spend = np.zeros(1)  # type: ignore[misc]
    with pytest.raises((AttributeError, TypeError)):
        panel.extra = model  # type: ignore[attr-defined]  # slots: nothing can be hung on it


def test_the_feed_without_noise_or_lag_is_the_truth_and_with_a_lag_books_orders_late() -> None:
    model = adaptive_model("population.size=1000", "days=60", "seed=5", every=20).run()
    daily, k = model.collector.daily, [model.spec.channel_names.index(c) for c in model.levers[0].feed.channels]
    feeds = {}
    for name, obs in (("exact", NONE), ("late", Observation(spend_noise=0, outcome_noise=0, reporting_lag_days=4))):
        feed = AnalystFeed(model.levers[0].feed.channels, 60, model.spec.seed, obs)
        for d in range(60):
            feed.record(model.collector.spend[d, k], daily["orders"][d], daily["revenue"][d], daily["refunds"][d])
        feeds[name] = feed.panel(0.0)
    exact, late = feeds["exact"], feeds["late"]
    np.testing.assert_array_equal(exact.spend, model.collector.spend[:60, k])
    np.testing.assert_array_equal(exact.orders, daily["orders"][:60])
    np.testing.assert_allclose(exact.revenue, daily["revenue"][:60], rtol=1e-12, atol=1e-9)
    placed, booked = np.cumsum(daily["orders"][:60]), np.cumsum(late.orders)
    longest = Observation(reporting_lag_days=4).longest_lag
    assert (booked <= placed).all() and (booked[longest:] >= placed[:-longest]).all()
    assert booked[-1] < placed[-1]  # the last days' orders are still missing


# ---------------------------------------------------------------------- it learns
CLEAR_MARKET = ("population.size=5000", "days=240", "channels.search.daily_budget=150",
                "channels.display.daily_budget=150", "channels.search.response.half_saturation=1000",
                *(f"channels.{c}.daily_budget=0" for c in ("social", "tv", "content", "website", "reviews", "email")),
                *(f"channels.display.effect.{s}=0" for s in ("unaware", "aware", "considering", "deciding", "lapsed")))
"""Two channels at 150 a day each: search sells (hardly saturating), display does nothing."""


def test_the_policy_moves_the_budget_to_the_channel_that_sells() -> None:
    shares = []
    for seed in range(4):  # paired with the static plan on the same seeds: it spends 50% on search
        model = adaptive_model(*CLEAR_MARKET, f"seed={seed}", channels=["search", "display"], every=7).run()
        spend = model.collector.spend[120:]
        search, display = (model.spec.channel_names.index(c) for c in ("search", "display"))
        shares.append(spend[:, search].sum() / spend[:, [search, display]].sum())
    assert np.mean(shares) > 0.65 and sum(s > 0.5 for s in shares) >= 3, shares


# ---------------------------------------------------------------------- bytes and input
def test_the_same_seed_reallocates_to_the_same_bytes_and_another_seed_differently() -> None:
    runs = [adaptive_model("population.size=800", "days=45", f"seed={s}", every=7).run() for s in (1, 1, 2)]
    first, again, other = (m.collector.spend.tobytes() + m.collector.daily["revenue"].tobytes() for m in runs)
    assert first == again and first != other
    assert [d for d, _ in runs[0].levers[0].decisions] == list(range(0, 45, 7))


@pytest.mark.parametrize(("lever", "key"), [
    ({"every": 0}, "scenario.levers[0].every"),
    ({"channels": ["search"]}, "scenario.levers[0].channels"),
    ({"channels": ["search", "search"]}, "scenario.levers[0].channels"),
    ({"channels": ["search", "radio"]}, "scenario.levers[0].channels"),
    ({"channels": ["search", "display"], "floor": 0.6}, "scenario.levers[0].floor"),
    ({"prior_media_share": 0}, "scenario.levers[0].prior_media_share"),
    ({"observation": {"spend_noise": 2}}, "scenario.levers[0].observation.spend_noise"),
    ({"observation": {"lag": 3}}, "scenario.levers[0].observation"),
    ({"speed": 3}, "scenario.levers[0].speed"),
])
def test_bad_adaptive_budget_parameters_name_their_key(lever, key) -> None:
    with pytest.raises(ConfigError) as error:
        adaptive_model("population.size=500", "days=10", **lever)
    assert error.value.key.startswith(key), error.value.key


# ---------------------------------------------------------------------- journey-optimise --adaptive
SMALL_PLAN = """\
scenario: baseline
overrides: [population.size=1000, days=70, service.enabled=false]
objective: profit
channels: [search, social, display]
trials: 3
seeds: 1
validation_seeds: 3
curves: {points: 2, seeds: 1}
"""


def test_journey_optimise_adaptive_compares_it_with_both_static_plans_on_the_same_seeds(tmp_path, capsys) -> None:
    from journeysim.experiments.optimisation import main

    (tmp_path / "small.yaml").write_text(SMALL_PLAN)
    out = tmp_path / "out"
    assert main([str(tmp_path / "small.yaml"), "--adaptive-settings", "every=7", "--no-curves", "--no-figures",
                 "--jobs", "1", f"hydra.run.dir={out}"]) == 0
    printed = capsys.readouterr().out
    assert "adaptive minus baseline" in printed and "adaptive minus best" in printed
    validation = pd.read_csv(out / "validation.csv")
    seeds = {plan: sorted(rows["seed"]) for plan, rows in validation.groupby("plan")}
    assert set(seeds) == {"adaptive", "baseline", "best"} and seeds["adaptive"] == seeds["baseline"] == seeds["best"]
    spend = validation.groupby("plan")["spend"].mean()
    assert spend["adaptive"] == pytest.approx(spend["baseline"], rel=0.01)  # the same total, reallocated
    table = pd.read_csv(out / "adaptive.csv").set_index("comparison")
    profit = validation.pivot(index="seed", columns="plan", values="profit")
    gain = (profit["adaptive"] - profit["baseline"]).mean()
    assert table.loc["adaptive - baseline", "estimate"] == pytest.approx(gain)
    assert table.loc["adaptive - best", "wins"] == (profit["adaptive"] > profit["best"]).sum()
    assert json.loads((out / "optimisation.json").read_text())["adaptive"]["settings"] == {"every": 7}


@pytest.mark.parametrize(("settings", "words"), [
    ("every=0", "scenario.levers[1].every"),
    ("every", "--adaptive-settings"),
    ("every=weekly", "--adaptive-settings"),
    ("observation.lag=3", "scenario.levers[1].observation"),
    ("channels=3", "--adaptive-settings channels"),
])
def test_journey_optimise_refuses_bad_adaptive_settings_with_exit_2(settings, words, capsys) -> None:
    from journeysim.experiments.optimisation import main

    with pytest.raises(SystemExit) as stop:
        main(["budget", "--adaptive-settings", settings, "--trials", "2", "population.size=300"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and words in err and "Traceback" not in err, err


def test_the_adaptive_path_holds_each_decision_and_plots_one_area_per_channel(tmp_path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from journeysim.experiments.compose import compose_base
    from journeysim.experiments.optimisation import bind, parse_plan, read_plan_file
    from journeysim.experiments.optimisation.adaptive import adaptive_path
    from journeysim.experiments.optimisation.plots import plot_adaptive_path

    (tmp_path / "small.yaml").write_text(SMALL_PLAN)
    plan = parse_plan(*read_plan_file(str(tmp_path / "small.yaml")))
    problem = bind(plan, compose_base(plan.scenario, plan.overrides))
    path = adaptive_path(problem, {"every": 10}, seed=3)
    assert list(path["day"]) == list(range(0, 70, 10)) and list(path.columns[1:]) == list(problem.channels)
    np.testing.assert_allclose(path[list(problem.channels)].sum(axis=1), 1.0, atol=1e-12)
    assert path.drop(columns="day").nunique().max() > 1  # it moved
    ax = plot_adaptive_path(path, problem.configured.daily(1.0), problem.days)
    assert len(ax.collections) == len(problem.channels) + 1 and ax.get_xlim() == (0, 70)


def test_the_comparison_table_writes_profit_in_currency_not_in_scientific_notation() -> None:
    from journeysim.experiments.optimisation.adaptive import comparison_markdown

    table = pd.DataFrame([{"comparison": "adaptive", "estimate": 14710.4, "low": 13130.0, "high": 16290.0, "n": 8,
                           "wins": 0},
                          {"comparison": "adaptive - baseline", "estimate": 10510.0, "low": 9845.0, "high": 11170.0,
                           "n": 8, "wins": 8}])
    text = comparison_markdown(table, "profit")
    assert "| $14,710 | $13,130 to $16,290 |" in text
    assert "| +$10,510 | +$9,845 to +$11,170 | 8 of 8 |" in text
