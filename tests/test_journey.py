"""The default journey: conservation, non-linear moves, channels and word of mouth."""

from __future__ import annotations

import numpy as np
import pytest

from journeysim.runner import build_model
from journeysim.sim import kpis
from journeysim.sim.stages import Stage
from tests.conftest import make_spec, run_model

SMALL = ("population.size=3000", "days=200", "seed=5")


def test_customers_are_conserved_every_day(baseline_model) -> None:
    c, state = baseline_model.collector, baseline_model.state
    turnover = c.daily["entrants"] - c.daily["leavers"]
    assert c.daily["entrants"].sum() > 0 and c.daily["leavers"].sum() > 0  # the default market is open
    people = baseline_model.spec.population.size + np.concatenate([[0], np.cumsum(turnover)])
    assert (c.stage_counts.sum(axis=1) == people).all()
    assert people[-1] == state.present.sum() == state.in_market
    assert (c.stage_counts[-1] == np.bincount(state.stage[state.present], minlength=8)).all()
    assert (c.departures.sum(axis=1) == c.daily["leavers"]).all()
    assert (c.stage_counts >= 0).all()


def test_flows_reconcile_with_stage_counts(baseline_model) -> None:
    c = baseline_model.collector
    net = c.flows.sum(axis=1) - c.flows.sum(axis=2)  # in minus out, per day and stage
    net[:, Stage.UNAWARE] += c.daily["entrants"].astype(np.int64)  # entrants arrive unaware
    net -= c.departures  # leavers leave from the stage they are in
    assert c.departures[:, Stage.CUSTOMER].sum() > 0  # customers leave the market too
    assert (c.stage_counts[1:] - c.stage_counts[:-1] == net).all()


def test_a_closed_population_keeps_its_customers_and_its_rows() -> None:
    model = run_model(*SMALL, "market.demand.entry_rate=0", "market.demand.exit_rate=0")
    assert model.state.size == model.state.entered == 3000 and model.state.present.all()
    assert (model.collector.stage_counts.sum(axis=1) == 3000).all()
    assert model.collector.departures.sum() == 0 and model.collector.daily["entrants"].sum() == 0


def test_backward_and_skipping_flows_occur_in_default_scenario(baseline_model) -> None:
    flows = baseline_model.collector.flows.sum(axis=0)
    backward = [(Stage.CONSIDERING, Stage.AWARE), (Stage.AWARE, Stage.UNAWARE),
                (Stage.DECIDING, Stage.CONSIDERING), (Stage.CUSTOMER, Stage.LAPSED)]
    skipping = [(Stage.UNAWARE, Stage.CONSIDERING), (Stage.AWARE, Stage.DECIDING)]
    for a, b in backward + skipping:
        assert flows[a, b] > 0, (a.label, b.label)
    assert flows[Stage.LAPSED, Stage.CONSIDERING] > 0  # win-back
    assert kpis.total(baseline_model, "repurchases") > 0


def test_doubling_a_channel_budget_never_lowers_its_exposures() -> None:
    base = run_model(*SMALL)
    doubled = run_model(*SMALL, "channels.display.daily_budget=80")
    k = base.spec.channel_names.index("display")
    assert (doubled.collector.impressions[:, k] >= base.collector.impressions[:, k]).all()
    assert (doubled.collector.reach[:, k] >= base.collector.reach[:, k]).all()
    assert doubled.collector.reach[:, k].sum() > 1.5 * base.collector.reach[:, k].sum()


def test_spend_to_date_never_exceeds_budget_to_date(baseline_model) -> None:
    budgets = baseline_model.touchpoints.planned_budgets * baseline_model.spec.population.scale
    spend = baseline_model.collector.spend
    assert (np.cumsum(spend, axis=0) <= np.cumsum(np.broadcast_to(budgets, spend.shape), axis=0) + 1e-6).all()
    assert spend.sum() > 0.99 * budgets.sum() * baseline_model.day  # nothing is lost to rounding


def test_no_budget_no_word_of_mouth_and_no_organic_demand_leave_everyone_unaware() -> None:
    spec = make_spec(*SMALL)
    silence = [f"channels.{name}.daily_budget=0" for name in spec.channel_names]
    model = run_model(*SMALL, *silence, "network.talk_rate=0", "market.demand.need_rate=0")
    assert model.collector.daily["entrants"].sum() > 0  # entrants too stay unaware
    assert model.collector.stage_counts[-1, Stage.UNAWARE] == model.state.in_market > 0
    assert (model.collector.stage_counts[:, Stage.UNAWARE] == model.collector.stage_counts.sum(axis=1)).all()
    assert kpis.spend(model) == 0


def test_more_word_of_mouth_strength_raises_adoption() -> None:
    quiet = run_model(*SMALL, "network.positive_kick=0.1")
    loud = run_model(*SMALL, "network.positive_kick=1.5")
    assert kpis.acquisitions(loud) > kpis.acquisitions(quiet)
    assert kpis.word_of_mouth_share(loud) > kpis.word_of_mouth_share(quiet)


def test_checkout_friction_drives_cart_abandonment() -> None:
    smooth = run_model(*SMALL, "market.checkout_friction=0.05")
    rough = run_model(*SMALL, "market.checkout_friction=0.6")
    rate = lambda m: kpis.total(m, "abandoned") / kpis.total(m, "checkout_attempts")  # noqa: E731
    assert rate(rough) > rate(smooth)
    assert kpis.acquisitions(smooth) > kpis.acquisitions(rough)


def test_b2b_population_has_longer_cycles_than_b2c() -> None:
    b2c = run_model(*SMALL, "population=b2c")
    b2b = run_model(*SMALL, "population=b2b")
    assert kpis.conversion_rate(b2b) < kpis.conversion_rate(b2c)


@pytest.mark.parametrize("network", ["erdos_renyi", "watts_strogatz", "barabasi_albert", "homophilous"])
def test_every_network_type_runs_and_carries_word_of_mouth(network: str) -> None:
    model = run_model("population.size=1500", "days=120", f"network={network}", "network.mean_degree=8")
    assert model.graph is not None
    assert model.graph.indices.size > 0
    assert kpis.total(model, "conversations_positive") > 0
    c = model.collector
    assert (c.stage_counts[1:].sum(axis=1) == 1500 + np.cumsum(c.daily["entrants"] - c.daily["leavers"])).all()


def test_edge_list_network_is_read_from_csv(tmp_path) -> None:
    path = tmp_path / "edges.csv"
    rows = ["source,target"] + [f"{i},{(i + 1) % 500}" for i in range(500)]
    path.write_text("\n".join(rows) + "\n")
    model = run_model("population.size=500", "days=30", "network=edge_list", f"network.edge_list={path}",
                      "market.demand.entry_rate=0", "market.demand.exit_rate=0")
    assert (model.graph.degree == 2).all()


def test_edge_list_entrants_copy_the_ties_of_listed_people(tmp_path) -> None:
    path = tmp_path / "edges.csv"
    rows = ["source,target"] + [f"{i},{(i + 1) % 500}" for i in range(0, 500, 2)]  # 250 disjoint pairs
    path.write_text("\n".join(rows) + "\n")
    model = run_model("population.size=500", "days=60", "network=edge_list", f"network.edge_list={path}")
    g = model.graph
    assert model.state.size > 500 and model.collector.daily["entrants"].sum() > 0
    for row in range(model.state.size):
        ties = g.indices[g.indptr[row]:g.indptr[row + 1]]
        if row < 500:  # the list's ties are kept (and entrants who copied the partner join them)
            assert ties[ties < 500].tolist() == [row ^ 1]
        else:  # each entrant knows the one partner of a listed person
            assert ties.size == 1 and ties[0] < 500


@pytest.mark.parametrize("network", ["fully_mixed", "erdos_renyi", "groups"])
def test_talkers_hold_their_conversations_with_people_present_when_most_rows_have_left(network: str) -> None:
    """A heavy turnover leaves most rows to people who left or have not entered yet; talkers still
    hold talk_rate x |talk weight| conversations a day, all with people in the market."""
    model = run_model("population.size=3000", "days=150", "seed=4", f"network={network}", "network.mean_degree=8",
                      "market.demand.entry_rate=3", "market.demand.exit_rate=3")
    state = model.state
    assert state.in_market < 0.6 * state.entered
    expected = model.spec.network.talk_rate * np.abs(state.talk[state.present]).sum()
    held = [model.word_of_mouth.talk(model.day + k) for k in range(50)]  # a day's talk is that day's: 50 days
    assert all(state.present[talk.listeners].all() for talk in held)
    assert np.mean([talk.listeners.size for talk in held]) == pytest.approx(expected, rel=0.1)


@pytest.mark.parametrize("network", ["erdos_renyi", "watts_strogatz", "barabasi_albert", "homophilous"])
def test_people_in_an_open_market_keep_the_mean_degree_among_those_present(network: str) -> None:
    model = run_model("population.size=1500", "days=180", "seed=4", f"network={network}", "network.mean_degree=8",
                      "market.demand.entry_rate=2", "market.demand.exit_rate=2")
    g, present = model.graph, model.state.present
    assert model.state.size > 1.8 * 1500  # rows for about as many entrants as people
    owner = np.repeat(np.arange(g.degree.size), g.degree)
    ties = np.bincount(owner[present[g.indices]], minlength=g.degree.size)  # ties to people present
    assert g.degree.mean() * present.sum() / g.degree.size == pytest.approx(8, rel=0.1)  # WS, BA: even degrees
    assert ties[present].mean() == pytest.approx(8, rel=0.2)  # those realised (Barabási-Albert hubs: noisy)
    closed = build_model(make_spec("population.size=1500", "days=180", "seed=4", f"network={network}",
                                   "network.mean_degree=8", "market.demand.entry_rate=0", "market.demand.exit_rate=0"))
    assert closed.graph.degree.mean() == pytest.approx(8, rel=0.05)


def test_homophilous_network_ties_mostly_share_a_persona() -> None:
    model = run_model("population.size=2000", "days=1", "network=homophilous", "network.homophily=0.9")
    g, persona = model.graph, model.state.persona
    source = np.repeat(np.arange(g.degree.size), g.degree)  # every row, entrants' included
    same = (persona[source] == persona[g.indices]).mean()
    assert same > 0.8


def test_kpis_are_consistent(baseline_model) -> None:
    summary = kpis.summary(baseline_model)
    assert summary["cac"] == pytest.approx(summary["spend"] / summary["acquisitions"])
    assert summary["roas"] == pytest.approx(summary["revenue"] / summary["spend"])
    assert sum(summary["acquisitions_by_source"].values()) == summary["acquisitions"]
    assert -100 <= summary["nps"] <= 100
    assert summary["funnel"]["aware"] >= summary["funnel"]["considering"] >= summary["funnel"]["customer"]


def test_stepping_past_the_last_day_is_a_no_op() -> None:
    model = run_model("population.size=500", "days=10", "seed=2")
    counts = model.collector.stage_counts.copy()
    stages = model.state.stage.copy()
    model.step()
    model.step()
    assert model.day == 10 and not model.running
    np.testing.assert_array_equal(model.collector.stage_counts, counts)
    np.testing.assert_array_equal(model.state.stage, stages)
