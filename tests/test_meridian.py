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

SIZE, DAYS = 1500, 70

# one geo is a national model, whose population Meridian ignores (it says so, and so do the docs)
pytestmark = pytest.mark.filterwarnings("ignore:The `population` argument is ignored:UserWarning")


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
