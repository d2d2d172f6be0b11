"""PyMC-Marketing takes the MMM table and the lift tests (``make test-mmm``: its own venv, ``.[mmm]``)."""

from __future__ import annotations

import pytest

pytest.importorskip("pymc_marketing", reason="pymc-marketing is not installed: `make test-mmm` runs this in .venv-mmm "
                                             "(pip install -e '.[mmm]'); it stays out of the default install")

from journeysim.experiments.exports import mmm_table  # noqa: E402
from journeysim.experiments.panels.lift import lift_tests, pymc_lift_tests  # noqa: E402
from tests.conftest import make_spec  # noqa: E402

OVERRIDES = ["population.size=1500", "days=161", "seed=2"]

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::UserWarning")


def test_pymc_marketing_builds_its_mmm_on_the_weekly_table_and_adds_the_lift_tests() -> None:
    from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation
    from pymc_marketing.mmm.multidimensional import MMM

    from journeysim.runner import build_model

    model = build_model(make_spec("scenario=attribution_lab", *OVERRIDES)).run()
    data = mmm_table(model, "W")
    data = data[data["days"] == 7].reset_index(drop=True)
    channels = [c for c in data if c.startswith("spend_")]
    mmm = MMM(date_column="date", channel_columns=channels, target_column="acquisitions", control_columns=["promotion"],
              adstock=GeometricAdstock(l_max=4), saturation=LogisticSaturation(), yearly_seasonality=1)
    mmm.build_model(data[["date", *channels, "promotion"]], data["acquisitions"])
    lift = pymc_lift_tests(lift_tests("attribution_lab", seeds=1, overrides=OVERRIDES, jobs=1).table)
    assert set(lift["channel"]) <= set(channels)
    mmm.add_lift_test_measurements(lift)
    assert "lift_measurements" in [v.name for v in mmm.model.observed_RVs]
