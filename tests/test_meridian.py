"""The Meridian panel loads with Meridian's own readers (``make test-meridian``: its own venv, ``.[meridian]``)."""

from __future__ import annotations

import numpy as np
import pytest

meridian_load = pytest.importorskip(
    "meridian.data.load",
    reason="google-meridian is not installed: `make test-meridian` runs this in .venv-meridian (pip install -e "
           "'.[meridian]'); it stays out of the default install (TensorFlow, about 3 GB)")

from journeysim.experiments.panels import coord_to_columns, meridian_panel, write_panels  # noqa: E402
from tests.conftest import make_spec  # noqa: E402

SIZE, DAYS = 1500, 161  # 23 weeks, a promotion from day 141 (so both controls vary)

# one geo is a national model, whose population Meridian ignores (it says so, and so do the docs)
pytestmark = [pytest.mark.filterwarnings("ignore:The `population` argument is ignored:UserWarning"),
              pytest.mark.filterwarnings("ignore:Hierarchical distribution parameters:UserWarning")]


@pytest.fixture(scope="module")
def panel():
    from journeysim.runner import build_model

    model = build_model(make_spec("scenario=attribution_lab", f"population.size={SIZE}", f"days={DAYS}", "seed=2",
                                  f"outputs.event_log_sample={SIZE}")).run()
    return meridian_panel(model)


def _loaded(frame, rf_channels=("tv",), csv_path=None):
    spec = coord_to_columns(frame, rf_channels=rf_channels)
    maps = {k: v for k, v in spec.items() if k != "coords"}
    coords = meridian_load.CoordToColumns(**spec["coords"])
    if csv_path is not None:
        return meridian_load.CsvDataLoader(str(csv_path), coords, kpi_type="non_revenue", **maps).load()
    return meridian_load.DataFrameDataLoader(frame, coords, kpi_type="non_revenue", **maps).load()


def test_meridians_data_frame_loader_reads_the_panel_with_media_and_reach_and_frequency(panel) -> None:
    data = _loaded(panel)
    weeks = DAYS // 7
    assert data.kpi.shape == (1, weeks)
    assert np.isclose(float(data.kpi.sum()), panel["orders"].sum())
    assert list(data.media.coords["media_channel"].values) == ["search", "display"]
    assert list(data.reach.coords["rf_channel"].values) == ["tv"]
    assert np.isclose(float(data.media_spend.sum()), panel[["spend_search", "spend_display"]].to_numpy().sum())
    assert np.isclose(float(data.revenue_per_kpi.sum()), panel["revenue_per_order"].sum())
    assert list(data.controls.coords["control_variable"].values) == ["promotion", "discount"]


def test_meridians_csv_loader_reads_the_written_panel(panel, tmp_path) -> None:
    write_panels(tmp_path, {"meridian_weekly": panel})
    data = _loaded(panel, rf_channels=(), csv_path=tmp_path / "meridian_weekly.csv")
    assert list(data.media.coords["media_channel"].values) == ["search", "display", "tv"]
    assert np.isclose(float(data.kpi.sum()), panel["orders"].sum())


def test_meridian_takes_the_lift_tests_as_roi_priors_calibrated_on_their_weeks(panel) -> None:
    import tensorflow_probability as tfp
    from meridian.model import model, prior_distribution
    from meridian.model import spec as model_spec

    from journeysim.experiments.panels.lift import lift_tests, meridian_roi_priors

    tested = lift_tests("attribution_lab", seeds=1, overrides=[f"population.size={SIZE}", f"days={DAYS}"], jobs=1)
    priors = meridian_roi_priors(tested.table).set_index("channel")
    data = _loaded(panel)
    channels = list(data.media.coords["media_channel"].values)
    assert set(priors.index) == set(channels)
    roi_m = tfp.distributions.LogNormal(priors.loc[channels, "mu"].to_numpy(np.float64),
                                        priors.loc[channels, "sigma"].to_numpy(np.float64), name="roi_m")
    calibration = model_spec.CalibrationSpec([
        model_spec.ChannelCalibrationSpec([c], [model_spec.DateRange(priors.loc[c, "start_date"],
                                                                     priors.loc[c, "end_date"])])
        for c in channels])
    spec = model_spec.ModelSpec(prior=prior_distribution.PriorDistribution(roi_m=roi_m), media_prior_type="roi",
                                roi_calibration=calibration)
    mmm = model.Meridian(input_data=data, model_spec=spec)
    used = mmm.prior_broadcast.roi_m.distribution  # the prior Meridian samples: the tested ROI's log-normal
    assert np.allclose(np.asarray(used.loc), priors.loc[channels, "mu"])
    assert np.allclose(np.exp(np.asarray(used.loc) + np.asarray(used.scale) ** 2 / 2), priors.loc[channels, "roi"])


def test_meridian_reads_the_geo_panel_with_each_regions_population() -> None:
    from journeysim.experiments.panels.geo import Geo, geo_truth

    regions = [Geo("north", 500, {"tv": 0.0}), Geo("south", 800, {"display": 2.0}), Geo("west", 400)]
    result = geo_truth("attribution_lab", regions, overrides=["population.size=1700", "days=42"], jobs=1)
    data = _loaded(result.panel)
    assert list(data.kpi.coords["geo"].values) == ["north", "south", "west"] and data.kpi.shape == (3, 6)
    # each region's own population as the panel reports it (people in the open market, weekly mean) ...
    weekly = result.panel.groupby("geo", sort=False)["population"]
    read = np.asarray(data.population.values)
    assert np.allclose(read, weekly.mean().values) or np.allclose(read, weekly.first().values), read
    # ... which stays near the region's size: a birth-death market of 400 drifts by a few percent in six weeks
    sizes = np.array([500, 800, 400])
    assert (np.abs(read - sizes) <= 0.05 * sizes).all(), read
    assert np.isclose(float(data.kpi.sum()), result.panel["orders"].sum())
    assert float(data.rf_spend.sel(geo="north").sum()) == 0.0  # TV dark in the north
