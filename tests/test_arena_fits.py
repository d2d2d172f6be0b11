"""journey-arena fits PyMC-Marketing and Meridian for real (``make test-arena``: its own venv, ``.[arena]``).

A tiny market (1,000 customers, 26 weeks, 2 seeds) and short chains: this checks that both
libraries fit the observed panel, before and after lift-test calibration, through the executor,
and that the arena writes its scoreboard and the posterior summaries in the fixture's shape; the
scores themselves are in docs/arena.md (``make arena``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("pymc_marketing", reason="journey-arena's fits need .[arena]: make test-arena runs this in "
                                             ".venv-arena; the libraries stay out of the default install")
pytest.importorskip("meridian.model", reason="journey-arena's fits need .[arena] (make test-arena)")

from journeysim.experiments.arena.score import BOARD_COLUMNS, SUMMARY_COLUMNS  # noqa: E402
from tests.test_commands import call  # noqa: E402

FIXTURE = Path(__file__).parent / "fixtures" / "arena"

pytestmark = [pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::UserWarning", "ignore::DeprecationWarning"),
              pytest.mark.timeout(1500)]


def test_journey_arena_fits_both_mmms_before_and_after_calibration_and_writes_the_scoreboard(tmp_path) -> None:
    status, out, err = call("journey-arena", "scenario=mmm_lab", "population.size=1000", "days=182", "--seeds", "2",
                            "--draws", "25", "--tune", "25", "--calibrate", "--lift-persistent", "email", "--jobs", "2",
                            f"hydra.run.dir={tmp_path}")
    assert status == 0, err
    lift = pd.read_csv(tmp_path / "truth" / "lift_tests.csv")
    windows = lift.groupby("channel")[["start_day", "end_day"]].first()
    start, end = windows.loc["email"]  # email held out for good: from its first day on air after a third to the end
    assert 61 <= start < 61 + 28 and end == 182, (start, end)
    assert ((windows.drop("email")["end_day"] - windows.drop("email")["start_day"]) == 27).all()  # 28-day tests
    summaries = pd.read_csv(tmp_path / "posterior_summaries.csv")
    channels = set(pd.read_csv(tmp_path / "arena_truth.csv")["channel"])
    assert len(channels) == 8
    fits = summaries.groupby(["model", "calibration"])["channel"].apply(set)
    assert set(fits.index) == {(m, c) for m in ("pymc_marketing", "meridian") for c in ("none", "lift_tests")}
    assert all(found == channels for found in fits)
    assert list(summaries.columns) == list(pd.read_csv(FIXTURE / "posterior_summaries.csv").columns)
    assert set(SUMMARY_COLUMNS) <= set(summaries.columns)
    assert (summaries["roas_low"] <= summaries["roas_high"]).all() and summaries["roas_mean"].notna().all()
    board = pd.read_csv(tmp_path / "scoreboard.csv")
    assert list(board.columns) == list(BOARD_COLUMNS) and len(board) == 4
    for name in ("scored.csv", "calibration.csv", "scoreboard.md", "scoreboard.png", "manifest.json",
                 "truth/truth.json", "truth/lift_tests.csv"):
        assert (tmp_path / name).is_file(), name
    assert "| PyMC-Marketing | mmm_lab | lift tests |" in out  # the printed scoreboard names the library
