"""Mesa agents are views onto rows of the customer arrays."""

from __future__ import annotations

from journeysim.agents.customer import Customer
from journeysim.sim.model import JourneyModel
from journeysim.sim.stages import Stage
from tests.conftest import make_spec


def test_model_has_one_customer_agent_per_customer() -> None:
    model = JourneyModel(make_spec("population.size=1500"))
    assert len(model.agents) == 1500
    assert all(isinstance(a, Customer) for a in model.agents)
    assert sorted(a.row for a in model.agents) == list(range(1500))


def test_setting_stage_through_agent_writes_the_array_and_back() -> None:
    model = JourneyModel(make_spec("population.size=300"))
    customer = model.customer(42)
    customer.stage = Stage.DECIDING
    assert model.state.stage[42] == Stage.DECIDING
    model.state.stage[42] = Stage.LOYAL
    assert customer.stage is Stage.LOYAL
    customer.stage = "lapsed"
    assert model.state.stage[42] == Stage.LAPSED


def test_agent_traits_and_persona_read_the_arrays() -> None:
    model = JourneyModel(make_spec("population.size=300"))
    customer = model.customer(7)
    assert customer.persona == model.population.names[model.state.persona[7]]
    model.state.interest[7] = 0.75
    assert customer.interest == 0.75
    assert customer.traits["interest_decay"] == model.state.traits["interest_decay"][7]


def test_agents_of_a_large_population_are_created_on_first_access() -> None:
    model = JourneyModel(make_spec("population.size=2000", "outputs.mesa_agents=lazy"))
    assert len(model._all_agents) == 0
    assert len(model.agents) == 2000


def test_customer_history_returns_that_customers_events(baseline_model) -> None:
    row = int(baseline_model.state.purchases.argmax())
    history = baseline_model.customer(row).history
    assert (history["customer"] == row).all()
    assert "purchase" in set(history["kind"])
