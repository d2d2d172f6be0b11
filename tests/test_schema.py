"""The config schema: every section and plan file is one typed spec with one error format."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from journeysim.sim.errors import ConfigError
from journeysim.sim.schema.fields import Number, load
from journeysim.sim.schema.plans import BudgetPlanSpec, CalibrationPlanSpec, SensitivityPlanSpec, load_plan
from journeysim.sim.schema.service import ServiceSpec


def test_packaged_plans_load_as_their_specs() -> None:
    from importlib.resources import files

    for folder, cls in (("sensitivity", SensitivityPlanSpec), ("calibration", CalibrationPlanSpec)):
        for path in files(f"journeysim.conf.{folder}").iterdir():
            if path.name.endswith(".yaml") and not (folder == "calibration" and path.name == "budget.yaml"):
                plan = load_plan(cls, path.name[:-5], yaml.safe_load(path.read_text()))
                assert plan.parameters and all(p.low < p.high for p in plan.parameters)
    budget = load_plan(BudgetPlanSpec, "budget",
                       yaml.safe_load(files("journeysim.conf.calibration").joinpath("budget.yaml").read_text()))
    assert budget.timing is not None and budget.timing.days == budget.timing.to_day - budget.timing.from_day + 1


@pytest.mark.parametrize(("cls", "raw", "key", "words"), [
    (SensitivityPlanSpec, {"kpi": "profit", "parameters": {"a": [1, 0]}}, "parameters.a", "low < high"),
    (SensitivityPlanSpec, {"kpi": "profit", "parameters": {"a": {"low": 0, "high": 1, "log": True}}},
     "parameters.a.log", "one of high, integer, low"),
    (SensitivityPlanSpec, {"kpi": "profit", "parameters": {"a": [0, 1]}, "num_levels": 3}, "num_levels", "even"),
    (SensitivityPlanSpec, {"parameters": {"a": [0, 1]}}, "kpi", "the name of a KPI"),
    (CalibrationPlanSpec, {"parameters": {"a": {"low": 0, "high": 1, "lg": True}}}, "parameters.a.lg",
     "did you mean 'log'"),
    (CalibrationPlanSpec, {"parameters": {"a": [0, 1]}, "abc": {"generations": 0}}, "abc.generations",
     "a whole number of at least 1"),
    (CalibrationPlanSpec, {"parameters": {"a": {"low": 0, "high": 1, "log": True}}}, "parameters.a",
     "positive numbers when log is true"),
    (BudgetPlanSpec, {"objective": "proft"}, "objective", "did you mean 'profit'"),
    (BudgetPlanSpec, {"timing": {"from_day": 50, "to_day": 40}}, "timing", "from_day <= to_day"),
    (BudgetPlanSpec, {"curves": {"point": 3}}, "curves.point", "a key of curves"),
    (BudgetPlanSpec, {"budget": 10}, "budget", "a key of the plan"),
])
def test_a_bad_plan_value_names_its_plan_key(cls, raw, key, words) -> None:
    with pytest.raises(ConfigError) as error:
        load_plan(cls, "bad", raw)
    assert error.value.key == key
    assert words in str(error.value)


def test_service_rules_are_the_specs_own_and_name_the_key() -> None:
    with pytest.raises(ConfigError) as error:
        ServiceSpec.from_dict({"staff_schedule": [{"from_day": 0, "staff": 2}, {"from_day": 0, "staff": 3}]})
    assert error.value.key == "service.staff_schedule[1].from_day"
    assert "a day after 0" in str(error.value)
    with pytest.raises(ConfigError, match="service.wait_penalty.midpoint_days"):
        ServiceSpec.from_dict({"wait_penalty": {"shape": "logistic", "max": 0.5, "steepness_per_day": 1.0}})
    assert ServiceSpec.from_dict({"fulfilment_capacity": float("inf")}).fulfilment_capacity == float("inf")


def test_specs_keep_dataclass_tools_and_revalidate_on_replace() -> None:
    config = ServiceSpec.from_dict({})
    assert dataclasses.replace(config, hours_per_day=6.0).handle_time_days == pytest.approx(0.75 / 6.0)
    with pytest.raises(ValueError):
        dataclasses.replace(config, ticket_probability=1.5)


def test_a_number_rule_states_its_range_in_words() -> None:
    assert Number(low=0, high=1).allowed() == "a number from 0 to 1"
    assert Number(low=1, integer=True).allowed() == "a whole number of at least 1"
    with pytest.raises(ConfigError) as error:
        load(ServiceSpec, {"hours_per_day": 30}, "service")
    assert str(error.value) == "service.hours_per_day = 30 is not allowed: a number greater than 0 and at most 24.0."
