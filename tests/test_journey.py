"""The default journey: conservation, non-linear moves, channels and word of mouth."""

from __future__ import annotations

import numpy as np
import pytest

from journeysim.sim import kpis
from journeysim.sim.stages import Stage
from tests.conftest import make_spec, run_model

SMALL = ("population.size=3000", "days=200", "seed=5")


def test_customers_are_conserved_every_day(baseline_model) -> None:
    counts = baseline_model.collector.stage_counts
    assert (counts.sum(axis=1) == baseline_model.state.size).all()
    assert (counts[-1] == np.bincount(baseline_model.state.stage, minlength=8)).all()
    assert (counts >= 0).all()


def test_flows_reconcile_with_stage_counts(baseline_model) -> None:
    c = baseline_model.collector
    net = c.flows.sum(axis=1) - c.flows.sum(axis=2)  # in minus out, per day and stage
    assert (c.stage_counts[1:] - c.stage_counts[:-1] == net).all()


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
    assert model.collector.stage_counts[-1, Stage.UNAWARE] == model.state.size
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
    assert (model.collector.stage_counts.sum(axis=1) == 1500).all()


def test_edge_list_network_is_read_from_csv(tmp_path) -> None:
    path = tmp_path / "edges.csv"
    rows = ["source,target"] + [f"{i},{(i + 1) % 500}" for i in range(500)]
    path.write_text("\n".join(rows) + "\n")
    model = run_model("population.size=500", "days=30", "network=edge_list", f"network.edge_list={path}")
    assert (model.graph.degree == 2).all()


def test_homophilous_network_ties_mostly_share_a_persona() -> None:
    model = run_model("population.size=2000", "days=1", "network=homophilous", "network.homophily=0.9")
    g, persona = model.graph, model.state.persona
    source = np.repeat(np.arange(2000), g.degree)
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
