"""One formatting module: every face writes a KPI the same way, with its unit."""

from __future__ import annotations

import io
import math

import pytest
from omegaconf import OmegaConf
from rich.console import Console

from journeysim import units
from journeysim.report import print_kpis
from journeysim.units import DEFAULT_CURRENCY, Currency, currency_from, format_kpi, format_value


@pytest.mark.parametrize(("key", "value", "text"), [
    ("churn_rate_per_year", 0.81, "81.0%"),
    ("conversion_rate", 0.0456, "4.6%"),
    ("acquisitions", 12345, "12,345"),
    ("revenue", 557880.4, "$557,880"),
    ("profit", -1234.5, "-$1,234"),
    ("cac", 31.789, "$31.79"),
    ("roas", 2.345, "2.35"),
    ("nps", 12.34, "+12.3"),
    ("nps", -5.0, "-5.0"),
    ("mean_wait_days", 0.5, "0.50 days"),
])
def test_each_kpi_is_written_in_its_unit(key: str, value: float, text: str) -> None:
    assert format_kpi(key, value) == text


@pytest.mark.parametrize("value", [None, math.nan, math.inf])
def test_undefined_values_read_as_not_available(value) -> None:
    assert format_kpi("cac", value) == units.MISSING


def test_differences_of_percentages_are_in_percentage_points() -> None:
    assert format_kpi("churn_rate_per_year", 0.012, difference=True) == "+1.2 pp"
    assert format_kpi("revenue", 50.0, difference=True) == "+$50"


def test_the_currency_comes_from_the_market_config() -> None:
    assert currency_from(OmegaConf.create({"market": {"currency": "EUR"}})) == Currency("EUR", "€")
    assert currency_from({"market": {"currency": {"code": "sek", "symbol": "kr "}}}) == Currency("SEK", "kr ")
    assert currency_from({"market": {"price": 60}}) == DEFAULT_CURRENCY
    assert currency_from(None) == DEFAULT_CURRENCY
    assert format_kpi("revenue", 1200, Currency("EUR", "€")) == "€1,200"


def test_an_unknown_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="unit"):
        format_value(1.0, "furlongs")


def test_money_ticks_carry_the_currency_symbol() -> None:
    tick = units.axis_formatter(units.MONEY, Currency("GBP", "£"))
    assert tick(35_000, 0) == "£35k"
    assert tick.format_ticks([0, 6_000, 12_000, 18_000]) == ["£0", "£6k", "£12k", "£18k"]
    assert units.axis_formatter(units.PERCENT)(0.4, 0) == "40%"
    assert units.axis_formatter(units.PERCENT, difference=True)(0.2, 0) == "20 pp"
    assert units.axis_formatter(units.PERCENT, difference=True)(-0.005, 0) == "-0.5 pp"
    assert units.unit_name(units.PERCENT) == "%" and units.unit_name(units.PERCENT, difference=True) == "pp"
    assert units.unit_name(units.NUMBER) == ""
    points = units.axis_formatter(units.PERCENT, difference=True)
    assert points.format_ticks([0.0, 0.03, 0.06, 0.09, 0.12]) == ["0 pp", "3 pp", "6 pp", "9 pp", "12 pp"]
    assert points.format_ticks([0.0, 0.025, 0.05]) == ["0.0 pp", "2.5 pp", "5.0 pp"]


def test_terminal_table_and_page_write_churn_the_same_way(baseline_model) -> None:
    from journeysim import page_session
    from journeysim.sim import kpis

    model = baseline_model
    page = dict(page_session.kpi_rows(model))
    out = io.StringIO()
    print_kpis({"scenario": "baseline", "seed": 0, "kpis": kpis.summary(model)}, console=Console(file=out, width=200))
    label = units.kpi("churn_rate_per_year").label
    assert page[label].endswith("%")
    assert f"{label}" in out.getvalue() and page[label] in out.getvalue()
    assert page[units.kpi("revenue").label].startswith("$")


def test_terminal_names_the_run_on_one_line_above_its_kpi_table(baseline_model) -> None:
    from journeysim.sim import kpis

    out = io.StringIO()
    summary = {"scenario": "baseline", "seed": 11, "kpis": kpis.summary(baseline_model)}
    print_kpis(summary, console=Console(file=out, width=80))  # wider than the table, as a terminal is
    first, second = out.getvalue().splitlines()[:2]
    assert first == "journeysim · baseline · seed 11 · 5,000 customers × 365 days"
    assert second.startswith("┏")  # the table right below it


def test_estimates_carry_their_interval_in_the_same_unit() -> None:
    assert units.format_estimate("conversion_rate", 0.45, 0.438, 0.462) == "45.0% ± 1.2%"
    assert units.format_estimate("revenue", 1200, 900, 1500, difference=True) == "+$1,200 ± $300"
    assert units.format_estimate("churn_rate_per_year", 0.012, 0.008, 0.016, difference=True) == "+1.2 pp ± 0.4 pp"
    assert units.format_estimate("cac", 30.0, math.nan, math.nan) == "$30.00"


def test_the_market_config_types_the_currency_and_defaults_to_us_dollars() -> None:
    from tests.conftest import make_spec

    assert (make_spec().market.currency.code, make_spec().market.currency.symbol) == ("USD", "$")
    euro = make_spec("market.currency.code=eur", "market.currency.symbol='€'")
    assert currency_from(euro) == Currency("EUR", "€")
    assert currency_from(make_spec("market.currency=GBP")) == Currency("GBP", "£")


def test_the_summary_records_the_currency_and_the_table_states_it(tmp_path) -> None:
    from journeysim.runner import run
    from tests.conftest import make_spec

    summary = run(make_spec("population.size=300", "days=20", "outputs.figures=false", "market.currency=EUR"),
                  tmp_path).summary
    assert summary["currency"] == {"code": "EUR", "symbol": "€"}
    out = io.StringIO()
    print_kpis(summary, console=Console(file=out, width=200), currency=currency_from(summary))
    assert "amounts in EUR (€)" in out.getvalue()
    assert dict(units.kpi_rows(summary["kpis"], currency_from(summary)))[units.kpi("revenue").label].startswith("€")


def test_a_bass_run_shows_no_money_kpi_but_adoption_and_the_fit(tmp_path) -> None:
    from journeysim.runner import run
    from tests.conftest import make_spec

    summary = run(make_spec("scenario=bass", "population.size=3000", "days=400"), tmp_path).summary
    for key in ("revenue", "spend", "profit", "cac", "roas"):
        assert summary["kpis"][key] is None or math.isnan(summary["kpis"][key])
        assert "nominal" in summary["kpis"]["not_applicable"][key]
    assert 0 < summary["bass"]["adopted_fraction"] < 1 and summary["bass"]["max_abs_error"] < 0.05
    out = io.StringIO()
    print_kpis(summary, console=Console(file=out, width=200))
    text = out.getvalue()
    assert "Adopted at the end" in text and "closed form" in text and "$" not in text
    assert "n/a (a Bass market" in text


def test_nps_from_too_few_respondents_reads_not_available_with_the_reason(tmp_path) -> None:
    from journeysim.runner import run
    from journeysim.sim.kpis import MIN_NPS_RESPONDENTS
    from tests.conftest import make_spec

    kpis = run(make_spec("population.size=200", "days=20", "outputs.figures=false"), tmp_path).summary["kpis"]
    assert kpis["nps_respondents"] < MIN_NPS_RESPONDENTS
    assert math.isnan(kpis["nps"])
    rows = dict(units.kpi_rows(kpis))
    assert rows[units.kpi("nps").label] == f"n/a ({kpis['nps_respondents']} survey respondents; at least 30 needed)"
    assert rows[units.kpi("revenue").label].startswith("$")
