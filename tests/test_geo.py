"""Geo panels: regions as separate markets with their own plans, run as jobs; the truth per region."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from journeysim import columns
from journeysim.experiments.panels.geo import SEED_STEP, Geo, default_geos, geo_truth
from journeysim.sim.errors import ConfigError
from tests.conftest import make_spec

DAYS = 56
REGIONS = [Geo("north", 900, {"tv": 0.0}), Geo("south", 1200, {"display": 2.0}), Geo("west", 600)]


@pytest.fixture(scope="module")
def result():
    """Three regions (TV dark in the north, display doubled in the south), 8 weeks: 11 jobs of run_many."""
    return geo_truth("attribution_lab", REGIONS, overrides=["population.size=2700", f"days={DAYS}"], jobs=1)


def test_the_geo_panel_stacks_every_region_with_its_own_plan_and_population(result) -> None:
    panel = result.panel
    assert list(panel["geo"].unique()) == ["north", "south", "west"]
    assert panel.groupby("geo").size().eq(DAYS // 7).all()
    population = panel.groupby("geo")["population"].first()
    sizes = pd.Series({"north": 900, "south": 1200, "west": 600})  # people in the market: open, so near the size
    assert ((population - sizes).abs() <= 0.02 * sizes).all(), population.to_dict()
    spend = panel.groupby("geo")[["spend_tv", "spend_display"]].sum()
    assert spend.loc["north", "spend_tv"] == 0 and spend.loc["south", "spend_tv"] > 0
    # budgets are per person: the south's doubled display spends 2 x 1200/600 times the west's
    assert spend.loc["south", "spend_display"] / spend.loc["west", "spend_display"] == pytest.approx(4, rel=0.02)
    assert (panel[[c for c in panel if c.startswith(("reach_", "frequency_"))]] >= 0).all().all()


def test_the_truth_per_region_is_zero_where_a_channel_is_dark_and_sums_over_weeks(result) -> None:
    truth = result.truth.set_index(["geo", "channel"])
    assert set(truth.index) == {(g.name, c) for g in REGIONS for c in ("search", "display", "tv")}
    north_tv = truth.loc[("north", "tv")]
    assert north_tv["spend"] == 0 and north_tv[["incremental_acquisitions", "incremental_revenue"]].eq(0).all()
    assert truth.loc[("south", "display"), "incremental_acquisitions"] > 0
    assert (truth["seed"] == 0).all()
    weekly = result.weekly.groupby(["geo", "channel"])[["spend", "incremental_acquisitions"]].sum()
    # 8 whole weeks: the weekly truth adds up to the run's
    assert np.allclose(weekly["spend"], truth["spend"].reindex(weekly.index))
    assert np.allclose(weekly["incremental_acquisitions"], truth["incremental_acquisitions"].reindex(weekly.index))
    # one job per region's factual run and per channel it spends on (north's TV off would change nothing)
    assert result.meta["runs"] == 3 + 2 + 3 + 3


def test_the_geo_tables_have_every_column_in_the_column_reference(result, tmp_path) -> None:
    result.write(tmp_path)
    for table in ("geo_truth", "geo_truth_weekly", "geos"):
        frame = pd.read_csv(tmp_path / f"{table}.csv")
        documented = columns.columns(table)
        assert all(c in documented or f"{c.split('_')[0]}_<channel>" in documented for c in frame.columns), table
    panel = pd.read_csv(tmp_path / "geo_panel.csv")
    names = {"search", "display", "tv"}
    generic = [c if c.partition("_")[2] not in names else f"{c.partition('_')[0]}_<channel>" for c in panel.columns]
    assert set(generic) <= set(columns.columns("meridian"))


def test_default_geos_share_the_population_and_leave_each_channel_dark_somewhere_and_on_elsewhere() -> None:
    spec = make_spec("scenario=attribution_lab", "population.size=10000", "days=28", "seed=5")
    geos = default_geos(spec, 5)
    assert geos == default_geos(spec, 5) and len({g.size for g in geos}) > 1
    assert 9990 <= sum(g.size for g in geos) <= 10_000
    for channel in ("search", "display", "tv"):
        levels = [g.budgets[channel] for g in geos]
        assert min(levels) == 0 and max(levels) >= 1
    assert SEED_STEP > 0


def test_bad_geos_are_refused_with_the_key_the_value_and_what_is_allowed() -> None:
    spec = make_spec("scenario=attribution_lab", "population.size=1000", "days=28")
    with pytest.raises(ConfigError, match="geos.north.budgets"):
        Geo("north", 10, {"radio": 1.0}).factors(spec.channel_names)
    with pytest.raises(ConfigError, match="geos.north.budgets.tv"):
        Geo("north", 10, {"tv": -1}).factors(spec.channel_names)
    with pytest.raises(ConfigError, match="a number of regions from 2 to 50"):
        default_geos(spec, 1)
    with pytest.raises(ConfigError, match="different names"):
        geo_truth("attribution_lab", [Geo("a", 10), Geo("a", 20)], overrides=["days=14"])


def test_journey_truth_writes_a_geo_panel_and_the_truth_per_region(tmp_path) -> None:
    from journeysim.experiments.truth.cli import main

    main(["scenario=attribution_lab", "--seeds", "1", "population.size=600", "days=28", "--marginal", "false",
          "--pulses", "0", "--jobs", "1", "--geos", "2", f"hydra.run.dir={tmp_path}"])
    panel = pd.read_csv(tmp_path / "geo_panel.csv")
    assert list(panel["geo"].unique()) == ["region_1", "region_2"] and len(panel) == 8
    assert set(pd.read_csv(tmp_path / "geo_truth.csv")["geo"]) == {"region_1", "region_2"}
    with pytest.raises(SystemExit):
        main(["--geos", "1", f"hydra.run.dir={tmp_path / 'bad'}"])
