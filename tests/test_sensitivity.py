"""Morris sensitivity analysis: plans in YAML, SALib design and analysis, outputs and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from journeysim.experiments import sensitivity
from journeysim.experiments.sensitivity import Parameter, Plan, analyse, sample

SMALL = ["population.size=1500", "days=45", "outputs.figures=false"]


def write_plan(path: Path, **changes) -> Path:
    plan = {"kpi": "acquisitions", "trajectories": 4, "num_levels": 4, "seed": 3, "overrides": SMALL,
            "parameters": {"market.checkout_friction": [0.05, 0.6], "market.unit_cost": [20, 40],
                           "market.loyal_after": [1, 4]}}
    plan.update(changes)
    path.write_text(yaml.safe_dump(plan))
    return path


def test_morris_finds_friction_cuts_acquisitions_and_unit_cost_has_no_effect(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert sensitivity.main([str(write_plan(tmp_path / "plan.yaml")), "--out", str(out)]) == 0
    table = pd.read_csv(out / "morris.csv").set_index("parameter")
    assert table.index[0] == "market.checkout_friction"  # most influential first
    assert table.loc["market.checkout_friction", "mu"] < 0
    assert table.loc["market.checkout_friction", "mu_star"] > 3 * table.loc["market.checkout_friction",
                                                                             "mu_star_conf"]
    # unit cost only changes margins: under common random numbers acquisitions do not move at all
    assert table.loc["market.unit_cost", ["mu", "mu_star", "sigma"]].tolist() == [0, 0, 0]
    samples = pd.read_csv(out / "samples.csv")
    assert len(samples) == 4 * (3 + 1)
    assert (samples["market.loyal_after"] == samples["market.loyal_after"].round()).all()
    assert set(samples["market.loyal_after"]) <= {1, 2, 3, 4}
    assert (out / "morris.png").stat().st_size > 10_000
    assert yaml.safe_load((out / "plan.yaml").read_text())["parameters"]["market.loyal_after"]["integer"] is True
    assert "`market.checkout_friction`" in capsys.readouterr().out


def test_morris_effects_are_in_kpi_units_per_full_parameter_range() -> None:
    """On Y = 3 a + b^2 (a in [0, 2], b in [0, 1]): mu*(a) = 3 x 2 exactly, sigma(a) = 0."""
    plan = Plan("toy", "y", (Parameter("a", 0.0, 2.0), Parameter("b", 0.0, 1.0)), trajectories=20, num_levels=4)
    X = sample(plan)
    table = analyse(plan, X, 3 * X[:, 0] + X[:, 1] ** 2).set_index("parameter")
    assert table.loc["a", "mu"] == pytest.approx(6.0)
    assert table.loc["a", "mu_star"] == pytest.approx(6.0)
    assert table.loc["a", "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert table.loc["b", "sigma"] > 0  # non-linear: its effect depends on where it is taken
    assert table.index[0] == "a"


def test_morris_table_and_figure_write_effects_in_the_kpis_unit() -> None:
    from journeysim.experiments.sensitivity.plots import morris_figure
    from journeysim.experiments.sensitivity.result import SensitivityResult
    from journeysim.units import Currency

    euro = Currency("EUR", "€")
    for kpi, expected in (("profit", "€"), ("conversion_rate", " pp")):
        plan = Plan("toy", kpi, (Parameter("a", 0.0, 2.0), Parameter("b", 0.0, 1.0)), trajectories=6, num_levels=4)
        X = sample(plan)
        Y = 3000 * X[:, 0] + 500 * X[:, 1] if kpi == "profit" else 0.03 * X[:, 0] + 0.01 * X[:, 1]
        result = SensitivityResult(plan, X, Y, analyse(plan, X, Y), currency=euro)
        row = next(line for line in result.markdown().splitlines() if line.startswith("| `a`"))
        assert row.count(expected) == 4 and "$" not in row, row  # mu, mu*, its interval and sigma
        figure = morris_figure(result.table, kpi, euro)
        figure.canvas.draw()
        label = figure.axes[0].get_xlabel()
        assert label.endswith("(EUR)" if kpi == "profit" else "(pp)"), label
        header = result.markdown().splitlines()[0]
        unit = "EUR" if kpi == "profit" else "pp"
        assert header.endswith(f"Effects in {kpi} ({unit}) per full parameter range."), header
    unknown = Plan("toy", "some_extra_kpi", (Parameter("a", 0.0, 2.0),), trajectories=4, num_levels=4)
    X = sample(unknown)
    text = SensitivityResult(unknown, X, X[:, 0], analyse(unknown, X, X[:, 0])).markdown()  # a KPI of no known unit
    assert "Effects in some_extra_kpi per full parameter range." in text


def test_parallel_evaluation_keeps_the_design_order(tmp_path: Path) -> None:
    name, raw = sensitivity.read_plan_file(str(write_plan(tmp_path / "plan.yaml", trajectories=2)))
    plan = sensitivity.parse_plan(name, {**raw, "overrides": ["population.size=800", "days=20"]})
    config = sensitivity.base_config(plan)
    plan = sensitivity.bind(plan, config)
    X = sample(plan)[:4]
    serial = sensitivity.evaluate(plan, config, X, jobs=1)
    assert len(set(serial)) > 1  # the rows differ, so an order mix-up would show
    np.testing.assert_array_equal(sensitivity.evaluate(plan, config, X, jobs=2), serial)


@pytest.mark.parametrize("name", sensitivity.plan_names())
def test_packaged_plans_name_numeric_config_keys(name: str) -> None:
    plan_name, raw = sensitivity.read_plan_file(name)
    plan = sensitivity.parse_plan(plan_name, raw)
    bound = sensitivity.bind(plan, sensitivity.base_config(plan))
    assert len(bound.parameters) >= 2 and bound.num_levels % 2 == 0


@pytest.mark.parametrize(("changes", "args", "words"), [
    ({"num_levels": 5}, [], ["num_levels", "5", "even"]),
    ({"parameters": {"market.checkout_fricton": [0.1, 0.2]}}, [], [
        "unknown key 'parameters.market.checkout_fricton' (value {'low': 0.1, 'high': 0.2}); did you mean "
        "'market.checkout_friction'? Allowed: a numeric key of the config's market, one of "
        "market.advocate_satisfaction, "]),
    ({"parameters": {"markt.price": [40, 80]}}, [], [
        "unknown key 'parameters.markt.price' (value {'low': 40.0, 'high': 80.0}); did you mean 'market.price'? "
        "Allowed: a numeric key of the config, one of "]),
    ({"parameters": {"market.currency.code": [1, 2]}}, [], [
        "parameters.market.currency.code = {'low': 1.0, 'high': 2.0} is not allowed: a key of a number in the "
        "config; market.currency.code holds 'USD'"]),
    ({"parameters": {"market.quality": [0.5, 1.9]}}, [], [
        "parameters.market.quality.high = 1.9 is not allowed: a bound inside what market.quality allows, "
        "a number from 0.0 to 1.0"]),
    ({"parameters": {"market.price": [80, 40]}}, [], ["parameters.market.price", "low < high"]),
    ({"parameters": {"market.price": "cheap"}}, [], ["parameters.market.price", "two numbers"]),
    ({"method": "sobol"}, [], ["method", "sobol", "morris"]),
    ({"kpi": "proffit", "trajectories": 2}, ["population.size=300", "days=3"], ["kpi", "did you mean 'profit'"]),
    ({}, ["--jobs", "0"], ["--jobs"]),
])
def test_bad_plans_exit_with_status_2_naming_the_key(tmp_path: Path, capsys, changes: dict, args: list[str],
                                                     words: list[str]) -> None:
    plan = write_plan(tmp_path / "plan.yaml", **changes)
    with pytest.raises(SystemExit) as exit_info:
        sensitivity.main([str(plan), *args, "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for word in words:
        assert word in err, (word, err)


def test_unknown_plan_name_suggests_a_packaged_plan(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        sensitivity.main(["growth_lever"])
    assert exit_info.value.code == 2
    assert "did you mean 'growth_levers'" in capsys.readouterr().err
