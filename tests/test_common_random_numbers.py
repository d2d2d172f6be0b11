"""Common random numbers: a counterfactual run of a seed differs from the factual one only by
what the changed channel set in motion.

The truth lab measures a channel's effect as the difference of two runs of one seed (as
planned, and with the channel off). That difference is exact only if every customer the
channel did not touch draws the same numbers in both runs: their decisions are keyed by
customer, purpose and day or order (:class:`~journeysim.sim.streams.DayDraws`), a channel's
candidate recipients do not depend on the customers' stages, and word of mouth draws each
candidate talker's listener with the candidate.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from journeysim import simulate
from journeysim.api import compose_config
from journeysim.sim.streams import RandomStreams


def test_a_customer_draws_the_same_number_whoever_else_draws() -> None:
    draws = RandomStreams(11).day(40)
    crowd = draws.uniform("checkout", np.array([3, 5, 9, 1_000_000]))
    alone = draws.uniform("checkout", np.array([5]))
    assert crowd[1] == alone[0]
    assert RandomStreams(11).day(41).uniform("checkout", np.array([5]))[0] != alone[0]  # another day
    assert draws.uniform("quality", np.array([5]))[0] != alone[0]  # another purpose
    assert RandomStreams(12).day(40).uniform("checkout", np.array([5]))[0] != alone[0]  # another seed


def test_a_customers_kth_order_draws_the_same_number_on_any_day() -> None:
    rows, third_order = np.array([7, 8]), np.array([3, 3])
    monday = RandomStreams(2).day(10).normal("quality", rows, occasion=third_order)
    friday = RandomStreams(2).day(14).normal("quality", rows, occasion=third_order)
    assert monday.tolist() == friday.tolist()
    assert RandomStreams(2).day(10).normal("quality", rows, occasion=third_order + 1).tolist() != monday.tolist()


@pytest.mark.parametrize("law, draw", [
    ("uniform", lambda d, rows: d.uniform("u", rows)),
    ("expon", lambda d, rows: d.exponential("e", rows)),
    ("norm", lambda d, rows: d.normal("n", rows)),
])
def test_hashed_draws_follow_their_law(law, draw) -> None:
    values = draw(RandomStreams(5).day(3), np.arange(200_000))
    assert stats.kstest(values, law).pvalue > 0.001
    assert np.isfinite(values).all()


def null_channel_runs(scenario: str, channel: str) -> tuple:
    """A seed run as planned and with ``channel`` off, where the channel has no effect."""
    no_effect = {stage: 0 for stage in compose_config(scenario).channels[channel].effect}
    base = {"population.size": 2_000, "days": 120, f"channels.{channel}.effect": no_effect}
    factual = simulate(scenario, overrides=base, seed=3)
    off = simulate(scenario, overrides=base | {f"channels.{channel}.daily_budget": 0}, seed=3)
    return factual, off


@pytest.mark.parametrize("scenario, channel", [
    ("baseline", "search"),  # word of mouth, service, devices, a targeted channel
    ("mmm_lab", "email"),  # open population, flighted budgets, a small targeted audience
])
def test_switching_off_a_channel_without_effect_changes_no_order(scenario: str, channel: str) -> None:
    factual, off = null_channel_runs(scenario, channel)
    reach = {name: run.channels.loc[run.channels["channel"] == channel, "reach"].sum()
             for name, run in (("factual", factual), ("off", off))}
    assert reach["factual"] > 1_000 and reach["off"] == 0  # the channel reached many, to no effect
    for column in ("orders", "revenue", "acquisitions", "tickets"):
        assert factual.daily[column].tolist() == off.daily[column].tolist(), column


def test_a_larger_budget_reaches_a_superset_of_the_people() -> None:
    """A channel-day's candidates do not depend on its budget: more impressions take more of the
    same candidates (before, the batch's layout changed with the budget)."""
    from journeysim.runner import build_model
    from journeysim.sim.journey_log import Event
    from tests.conftest import make_spec

    def reached(budget: int) -> set[int]:
        spec = make_spec("population.size=3000", "days=2", "outputs.event_log_sample=3000",
                         f"channels.social.daily_budget={budget}")
        model = build_model(spec)
        model.step()
        customer, _, _, channel = model.journey_log.select(kinds=[Event.EXPOSURE])
        return set(customer[channel == spec.channel_names.index("social")].tolist())

    small, large = reached(48), reached(120)
    assert 0 < len(small) < len(large)
    assert small <= large
