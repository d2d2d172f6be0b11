"""The competitive scenarios: a competitor's price cut, a new entrant, matching a loyalty programme."""

from __future__ import annotations

import dataclasses

import pytest

from journeysim.experiments.intervals import paired_difference
from journeysim.runner import build_model
from journeysim.sim import market_share
from tests.conftest import make_spec

SMALL = ("population.size=2500", "days=100", "outputs.event_log_sample=0", "outputs.mesa_agents=lazy")
SEEDS = (1, 2, 3, 4, 5, 6)


def our_shares(spec) -> dict[int, float]:
    """Our volume share per seed (the spec composed once, the seed replaced)."""
    return {seed: market_share.market_share(build_model(dataclasses.replace(spec, seed=seed)).run())["ours"]
            for seed in SEEDS}


def test_a_competitors_20_percent_price_cut_lowers_our_share_with_a_paired_interval_excluding_zero() -> None:
    cut = make_spec(*SMALL, "scenario=competitor_price_cut", "competition.brands.value.levers.price_change.from_day=0")
    assert cut.competition.brands[0].levers.price_change.change == pytest.approx(-0.2)
    reference = make_spec(*SMALL, "scenario=baseline", "competition=three_brands")
    interval = paired_difference(our_shares(cut), our_shares(reference))
    assert interval.high < 0, interval  # our share falls, and the paired interval excludes no change


@pytest.mark.parametrize("name", ["competitor_price_cut", "new_entrant", "loyalty_match"])
def test_each_competitive_scenario_runs_with_three_brands_and_our_media_plan(name: str) -> None:
    spec = make_spec(f"scenario={name}", "population.size=1000", "days=150", "seed=2")
    model = build_model(spec).run()
    names = model.competition.names
    assert names[:3] == ("ours", "value", "premium")
    assert model.competition.orders[:, 0].sum() > 0
    if name == "new_entrant":
        challenger = names.index("challenger")
        assert model.competition.orders[:120, challenger].sum() == 0 < model.competition.orders[120:, challenger].sum()
        assert market_share.share_of_voice(model)["challenger"] > market_share.share_of_voice(model)["value"]
    if name == "loyalty_match":
        assert model.competition.members.any()  # our programme's members choose us with a bonus
