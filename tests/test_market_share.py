"""Competition KPIs: shares, share of voice, penetration, frequency, switching; summary, table and figures."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from journeysim import plots, simulate
from journeysim.outputs import brands_table
from journeysim.report import print_kpis
from journeysim.sim import market_share

OVERRIDES = {"population.size": 2000, "days": 150, "competition.panel_start": 30}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    path = tmp_path_factory.mktemp("three") / "run"
    return simulate(overrides={**OVERRIDES, "competition": "three_brands"}, seed=4, path=path), path


def test_shares_sum_to_one_and_share_of_voice_is_the_spend_share(run) -> None:
    model = run[0].model
    for share in (market_share.market_share(model), market_share.market_share(model, value=True),
                  market_share.share_of_voice(model)):
        assert list(share) == ["ours", "value", "premium"] and sum(share.values()) == pytest.approx(1.0)
    spend = model.competition.spend.sum(axis=0)
    assert market_share.share_of_voice(model)["ours"] == pytest.approx(spend[0] / spend.sum())


def test_penetration_and_frequency_count_the_panel_period_only(run) -> None:
    model = run[0].model
    c = model.competition
    buyers = market_share.buyers(model)
    assert buyers[0] <= int((model.state.purchases > 0).sum())  # our buyers before day 30 are not in the panel
    assert market_share.penetration(model)["value"] == pytest.approx(buyers[1] / model.state.entered)
    assert market_share.purchase_frequency(model)["premium"] == pytest.approx(c.orders[30:, 2].sum() / buyers[2])
    assert all(w >= 1.0 for w in market_share.purchase_frequency(model).values())
    both = market_share.duplication(model)
    assert np.isnan(np.diag(both)).all() and np.nanmax(both) <= 1.0


def test_summary_json_reports_shares_and_the_switching_matrix_only_with_competitors(run, tmp_path) -> None:
    result, path = run
    summary = json.loads((path / "summary.json").read_text())
    section = summary["competition"]
    assert section["brands"] == ["ours", "value", "premium"]
    assert sum(section["market_share_volume"].values()) == pytest.approx(1.0)
    switched = sum(sum(row.values()) for row in section["switching"].values())
    assert switched == np.asarray(result.model.competition.switches).sum() > 0
    alone = simulate(overrides={"population.size": 300, "days": 5}, seed=4, path=tmp_path / "alone", figures=False)
    assert "competition" not in json.loads((tmp_path / "alone" / "summary.json").read_text())
    assert alone.model.competition is None


def test_a_run_with_competitors_writes_the_brands_table_and_its_two_figures(run) -> None:
    path = run[1]
    assert (path / "brand_shares.png").stat().st_size > 10_000 and (path / "switching.png").stat().st_size > 10_000
    table = brands_table(run[0].model)
    assert set(table["brand"]) == {"ours", "value", "premium"} and len(table) == 3 * 150
    daily = table.pivot(index="day", columns="brand", values="share_volume").dropna()
    assert np.allclose(daily.sum(axis=1), 1.0)


def test_figures_plot_one_line_per_brand_and_row_shares_of_switching(run) -> None:
    model = run[0].model
    ax = plots.plot_brand_shares(brands_table(model), ax=plots.headless_axes("brand_shares"))
    assert [line.get_label() for line in ax.lines] == ["ours", "value", "premium"]
    assert max(np.nanmax(line.get_ydata()) for line in ax.lines) <= 100.0
    ax = plots.plot_switching(market_share.switching_matrix(model), ax=plots.headless_axes("switching"))
    shares = ax.images[0].get_array()
    assert np.allclose(np.asarray(shares).sum(axis=1), 1.0)


def test_the_terminal_prints_a_brand_table_in_the_kpi_units(run) -> None:
    from rich.console import Console

    out = io.StringIO()
    print_kpis(run[0].summary, console=Console(file=out, width=100))
    text = out.getvalue()
    share = run[0].summary["competition"]["market_share_volume"]["ours"]
    assert "brands" in text and f"{100 * share:.1f}%" in text and "voice" in text


def test_a_sweep_compares_each_brands_share_like_any_kpi_in_its_unit(run) -> None:
    from journeysim.experiments.runs import read_run
    from journeysim.units import format_kpi, kpi

    result, path = run
    kpis = read_run(path).kpis
    shares = result.summary["competition"]["market_share_volume"]
    assert kpis["market_share_volume.ours"] == pytest.approx(shares["ours"])
    assert {"share_of_voice.value", "penetration.premium", "purchase_frequency.ours"} <= set(kpis)
    assert kpi("market_share_volume.ours").label == "Market share (orders): ours"
    assert format_kpi("market_share_volume.ours", -0.035, difference=True) == "-3.5 pp"
