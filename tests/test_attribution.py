"""Exports (journey paths, MMM tables) and attribution models against the simulator's truth."""

from __future__ import annotations

import importlib.util
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from conftest import run_model

from journeysim.api import Result, simulate
from journeysim.experiments.attribution import (
    attribute,
    evaluate,
    markov,
    removal_effects,
    shapley,
    touches,
)
from journeysim.experiments.exports import channelattribution_table, journey_paths, mmm_table
from journeysim.experiments.truth import true_effects
from journeysim.sim import kpis
from journeysim.sim.errors import ConfigError

PRICE = 60.0  # market.price
PROMOTION = (140, 153, 0.15)  # attribution_lab's first promotion: from day, to day, discount


@pytest.fixture(scope="module")
def lab():
    """Truth and attribution of attribution_lab at 5,000 customers for a year, one seed."""
    truth = true_effects("attribution_lab", seeds=[1], overrides={"population.size": 5000}, marginal=False,
                         exports="all", jobs=2)
    return evaluate(truth)


@pytest.fixture(scope="module")
def lab_run():
    """attribution_lab over the first promotion, every journey logged."""
    return run_model("scenario=attribution_lab", "population.size=2000", "days=160",
                     "outputs.event_log_sample=2000", "seed=3")


# ---------------------------------------------------------------------- against the truth
def test_last_touch_undercredits_the_awareness_channel_and_overcredits_search(lab):
    shares = lab.shares()
    truth, last = shares.loc["truth"], shares.loc["last_touch"]
    assert last["display"] < truth["display"] - 0.1
    assert last["search"] > truth["search"] + 0.1


def test_broadcast_tv_has_a_true_effect_no_path_can_show(lab):
    shares = lab.shares()
    assert shares.loc["truth", "tv"] > 0.02
    assert (shares.drop(index="truth")["tv"] == 0).all()


def test_markov_and_shapley_move_toward_the_truth(lab):
    shares, errors = lab.shares(), lab.errors.set_index("method")
    for method in ("markov", "shapley"):
        assert errors.loc[method, "error"] < errors.loc["last_touch", "error"] - 0.1
        assert errors.loc[method, "visible_error"] < errors.loc["last_touch", "visible_error"] - 0.1
        for channel in ("display", "search"):
            assert abs(shares.loc[method, channel] - shares.loc["truth", channel]) < \
                abs(shares.loc["last_touch", channel] - shares.loc["truth", channel])


@pytest.mark.skipif(importlib.util.find_spec("ChannelAttribution") is None, reason="channelattribution not installed")
def test_own_markov_model_agrees_with_the_channelattribution_package(lab):
    credits = lab.credits[1]
    ours, theirs = credits.loc["markov"], credits.loc["channelattribution"]
    assert ours.sum() == pytest.approx(theirs.sum(), rel=1e-6)
    assert np.allclose(ours / ours.sum(), theirs / theirs.sum(), atol=0.02)


# ---------------------------------------------------------------------- exports reconcile
def test_paths_reconcile_with_the_runs_conversions_and_revenue(lab_run):
    model = lab_run
    paths = journey_paths(model)
    days = model.day
    assert paths["customer"].is_unique
    converted = paths[paths["converted"] == 1]
    per_day = np.bincount(converted["conversion_day"].astype(int) - 1, minlength=days)  # days 1..days
    assert np.array_equal(per_day, model.collector.daily["acquisitions"][:days].astype(int))
    assert set(converted["customer"]) == set(np.flatnonzero(model.state.purchases > 0))
    start, stop, discount = PROMOTION
    price = np.where((np.arange(days) >= start) & (np.arange(days) <= stop), PRICE * (1 - discount), PRICE)
    assert math.isclose(converted["value"].sum(), float((per_day * price).sum()), rel_tol=1e-12)
    assert not paths["path"].str.contains("tv").any()  # broadcast reaches people without a logged exposure
    touched = paths[paths["touches"] > 0]
    assert (touched["path"].str.count(" > ") + 1 == touched["touches"]).all()
    assert (touched["first_touch_day"] <= touched["conversion_day"].fillna(days)).all()
    table = channelattribution_table(paths)
    assert table["total_conversions"].sum() == kpis.acquisitions(model)
    assert table["total_conversions"].sum() + table["total_null"].sum() == len(paths)


def test_mmm_tables_reconcile_with_the_runs_totals(lab_run):
    model = lab_run
    daily, weekly = mmm_table(model, "D"), mmm_table(model, "W")
    impressions = model.collector.impressions[: model.day].sum(axis=0)
    for table in (daily, weekly):
        assert table["days"].sum() == model.day
        assert table["acquisitions"].sum() == kpis.acquisitions(model)
        assert table["orders"].sum() == kpis.total(model, "orders")
        assert math.isclose(table["revenue"].sum(), kpis.revenue(model), rel_tol=1e-12)
        spend = table.filter(like="spend_").to_numpy().sum() + table["programme_cost"].sum()
        assert math.isclose(spend, kpis.spend(model), rel_tol=1e-12)
        for name in ("search", "display", "tv"):
            k = model.spec.channel_names.index(name)
            assert table[f"impressions_{name}"].sum() == impressions[k]
    # lever days are 0-based: lever day d is table day d + 1
    assert list(daily.loc[daily["promotion"] == 1, "day"]) == list(range(PROMOTION[0] + 1, PROMOTION[1] + 2))
    assert daily["discount"].max() == pytest.approx(PROMOTION[2])
    assert weekly["date"].iloc[0] == pd.Timestamp("2025-01-06")
    assert (weekly["date"].dt.day_of_week == 0).all() and len(weekly) == math.ceil(model.day / 7)


def test_result_exports_survive_a_save_and_load(tmp_path):
    overrides = {"population.size": 800, "days": 45, "outputs.event_log_sample": 800, "outputs.figures": False}
    result = simulate("attribution_lab", overrides, seed=2)
    paths = result.paths()
    assert paths.equals(journey_paths(result.model))
    assert result.mmm_table("D").equals(mmm_table(result.model, "D"))
    loaded = Result.load(result.save(tmp_path / "run"))
    again = loaded.paths()
    assert list(again["path"]) == list(paths["path"]) and list(again["converted"]) == list(paths["converted"])
    assert np.allclose(loaded.mmm_table()["revenue"], result.mmm_table()["revenue"])


def test_paths_need_every_journey_logged_and_mmm_tables_do_not():
    result = simulate("attribution_lab", {"population.size": 500, "days": 10, "outputs.event_log_sample": 100,
                                          "outputs.figures": False}, seed=0)
    with pytest.raises(ConfigError, match="outputs.event_log_sample"):
        result.paths()
    assert result.mmm_table("D")["days"].sum() == 10
    with pytest.raises(ConfigError, match="freq"):
        result.mmm_table("M")


# ---------------------------------------------------------------------- the models' rules
def _journeys(rows: list[tuple[str, str, int | None]]) -> pd.DataFrame:
    """Journeys from (path, touch days, conversion day or None)."""
    return pd.DataFrame({"path": [r[0] for r in rows], "touch_days": [r[1] for r in rows],
                         "converted": [int(r[2] is not None) for r in rows],
                         "conversion_day": pd.array([r[2] for r in rows], dtype="Int64")})


def test_heuristic_models_credit_a_known_journey_by_their_rules():
    paths = _journeys([("a > b > c", "0 > 7 > 14", 14), ("b", "3", 3), ("a > c", "1 > 2", None)])
    credits = attribute(paths, ["first_touch", "last_touch", "linear", "time_decay", "position_based", "shapley"])
    expect = {
        "first_touch": {"a": 1, "b": 1, "c": 0},
        "last_touch": {"a": 0, "b": 1, "c": 1},
        "linear": {"a": 1 / 3, "b": 1 + 1 / 3, "c": 1 / 3},
        "time_decay": {"a": 0.25 / 1.75, "b": 1 + 0.5 / 1.75, "c": 1 / 1.75},
        "position_based": {"a": 0.4, "b": 1.2, "c": 0.4},
        "shapley": {"a": 1 / 3, "b": 1 + 1 / 3, "c": 1 / 3},
    }
    for method, values in expect.items():
        for channel, value in values.items():
            assert credits.loc[method, channel] == pytest.approx(value), (method, channel)


def test_markov_removal_effects_of_a_known_chain():
    paths = _journeys([("a > b", "0 > 1", 1), ("a", "0", None), ("b", "0", 0)])
    t = touches(paths)
    # P(conversion) = 2/3 * 1/2 + 1/3 = 2/3; without a: 1/3 (effect 1/2); without b: 0 (effect 1)
    assert removal_effects(t).to_dict() == pytest.approx({"a": 0.5, "b": 1.0})
    assert markov(t).to_dict() == pytest.approx({"a": 2 / 3, "b": 4 / 3})


def test_shapley_equals_the_enumerated_shapley_value_of_the_channel_set_game():
    rng = np.random.default_rng(5)
    players = ["a", "b", "c", "d"]
    rows = []
    for _ in range(40):
        path = " > ".join(rng.choice(players, size=rng.integers(1, 5)))
        rows.append((path, " > ".join(["0"] * (path.count(" > ") + 1)), 0 if rng.random() < 0.6 else None))
    paths = _journeys(rows)
    sets = [frozenset(p.split(" > ")) for p, c in zip(paths["path"], paths["converted"], strict=True) if c]

    def value(coalition: frozenset) -> int:
        return sum(s <= coalition for s in sets)

    n = len(players)
    for player in players:
        others = [p for p in players if p != player]
        phi = sum(math.factorial(len(c)) * math.factorial(n - len(c) - 1) / math.factorial(n)
                  * (value(frozenset(c) | {player}) - value(frozenset(c)))
                  for r in range(n) for c in itertools.combinations(others, r))
        assert shapley(touches(paths))[player] == pytest.approx(phi)


def test_paths_streamed_in_pieces_are_the_paths_of_the_whole_run(lab_run):
    from journeysim.experiments.exports import iter_journey_paths

    whole = journey_paths(lab_run)
    pieces = list(iter_journey_paths(lab_run, customers=97))
    assert len(pieces) > 3 and all(len(p) <= 97 for p in pieces)
    assert pd.concat(pieces, ignore_index=True).equals(whole)
    assert (whole["path"] == "direct").any() or not (whole["touches"] == 0).any()
