"""The arena's scoring, on posterior summaries recorded from a real small fit and on cases built by hand.

The fixture ``tests/fixtures/arena/`` is what ``journey-arena`` wrote (``posterior_summaries.csv`` and
``arena_truth.csv``; the command is in its ``README.md``), so these tests need no MMM library;
``make test-arena`` fits the models for real in their own venv.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from journeysim.experiments.arena.report import board_markdown, channels_markdown, model_name, scoreboard_figure
from journeysim.experiments.arena.score import (
    BOARD_COLUMNS,
    SUMMARY_COLUMNS,
    TRUTH_COLUMNS,
    calibration_effect,
    ledger_roas,
    score,
    scoreboard,
    spearman,
    truth_table,
)
from tests.test_commands import call

FIXTURE = Path(__file__).parent / "fixtures" / "arena"


@pytest.fixture(scope="module")
def recorded() -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.read_csv(FIXTURE / "posterior_summaries.csv"), pd.read_csv(FIXTURE / "arena_truth.csv")


def _truth(**values) -> pd.DataFrame:
    row = {c: 0.0 for c in TRUTH_COLUMNS} | {"scenario": "flighted", "channel": "search", "lift_tested": False}
    return pd.DataFrame([row | values])


def _fit(**values) -> pd.DataFrame:
    row = {c: 0.0 for c in SUMMARY_COLUMNS} | {"model": "m", "scenario": "flighted", "calibration": "none",
                                              "channel": "search", "spend": 100.0}
    return pd.DataFrame([row | values])


def test_the_recorded_fixture_has_every_column_the_arena_writes(recorded) -> None:
    summaries, truth = recorded
    assert set(SUMMARY_COLUMNS) <= set(summaries.columns) and list(truth.columns) == list(TRUTH_COLUMNS)
    assert set(summaries["model"]) == {"pymc_marketing", "meridian"}
    assert set(summaries["calibration"]) == {"none", "lift_tests"}
    assert (summaries["roas_low"] <= summaries["roas_high"]).all() and summaries["roas_mean"].notna().all()


def test_an_interval_holding_the_true_roas_covers_it_and_one_beside_it_does_not() -> None:
    truth = _truth(true_roas=2.0, true_contribution=200.0)
    inside = score(_fit(roas_mean=1.8, roas_low=1.5, roas_high=2.4, contribution_low=150, contribution_high=250,
                        contribution_mean=180), truth).iloc[0]
    beside = score(_fit(roas_mean=3.0, roas_low=2.5, roas_high=3.5), truth).iloc[0]
    assert inside["roas_covered"] and inside["informative"] and inside["contribution_covered"]
    assert inside["roas_error"] == pytest.approx(-0.2) and inside["roas_relative_error"] == pytest.approx(-0.1)
    assert inside["width_over_true"] == pytest.approx(0.45)
    assert not beside["roas_covered"] and not beside["informative"] and not beside["contribution_covered"]


def test_an_interval_wider_than_the_true_roas_covers_it_without_counting_as_informative() -> None:
    row = score(_fit(roas_mean=1.0, roas_low=0.0, roas_high=5.0), _truth(true_roas=2.0)).iloc[0]
    assert row["roas_covered"] and not row["informative"] and row["width_over_true"] == pytest.approx(2.5)


def test_a_true_roas_of_zero_or_less_leaves_no_interval_informative() -> None:
    row = score(_fit(roas_low=-0.1, roas_high=0.1), _truth(true_roas=-0.05)).iloc[0]
    assert row["roas_covered"] and not row["informative"] and math.isnan(row["width_over_true"])


def test_the_scoreboard_of_the_recorded_fit_counts_what_its_channels_show(recorded) -> None:
    summaries, truth = recorded
    scored = score(summaries, truth)
    board = scoreboard(scored).set_index(["model", "scenario", "calibration"])
    assert list(board.reset_index().columns) == list(BOARD_COLUMNS)
    for keys, fit in scored.groupby(["model", "scenario", "calibration"]):
        row = board.loc[keys]
        covered = ((fit["roas_low"] <= fit["true_roas"]) & (fit["true_roas"] <= fit["roas_high"])).sum()
        narrow = ((fit["roas_high"] - fit["roas_low"]) < fit["true_roas"]).to_numpy() & fit["roas_covered"].to_numpy()
        assert row["covered"] == covered and row["informative"] == narrow.sum() and row["channels"] == len(fit)
        assert row["majority_informative"] == (narrow.sum() > len(fit) / 2)
        assert row["rank_correlation"] == pytest.approx(stats.spearmanr(fit["roas_mean"], fit["true_roas"])[0])


def test_rank_correlation_is_one_for_the_same_order_and_minus_one_for_the_reverse() -> None:
    assert spearman([1, 2, 3, 10], [0.1, 0.2, 5, 6]) == pytest.approx(1.0)
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert math.isnan(spearman([1, 2], [1, 2])) and math.isnan(spearman([1, 1, 1], [1, 2, 3]))


def _ledger(kernel: np.ndarray, seeds: int = 3, weeks: int = 104, noise: float = 1.0, flat: bool = False,
            tail: float = 50.0) -> pd.DataFrame:
    rows = []
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        spend = np.full(weeks, 100.0) if flat else rng.choice([0.0, 50.0, 100.0, 150.0], weeks)
        revenue = np.convolve(spend, kernel)[:weeks] + tail + rng.normal(0, noise, weeks)
        rows += [{"seed": seed, "channel": "search", "week": w + 1, "days": 7, "spend": spend[w],
                  "incremental_revenue": revenue[w]} for w in range(weeks)]
    return pd.DataFrame(rows)


def test_the_ledger_roas_over_13_weeks_is_the_sum_of_a_flighted_channels_weekly_returns() -> None:
    kernel = np.array([1.0, 0.5, 0.25, 0.125, 0.1])  # 1.975 per unit of spend within five weeks
    per_seed = ledger_roas(_ledger(kernel))
    assert len(per_seed) == 3 and np.allclose(per_seed["roas"], kernel.sum(), atol=0.02)


def _saturating_ledger(kernel: np.ndarray, seeds: int = 3, weeks: int = 260, half_life: float = 2.0,
                       tail: float = 200.0) -> tuple[pd.DataFrame, float]:
    """A flighted channel (mmm_lab's weekly levels, a quarter dark) whose sales follow the Hill curve
    of its adstocked spend (half-saturation at its mean spend), carried over by ``kernel`` (weeks),
    and the true revenue per unit of spend within the kernel's weeks, averaged over the plan."""
    from journeysim.sim.adresponse import make_response
    from journeysim.sim.schema.channels import ResponseSpec

    rows, truths = [], []
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        daily = np.repeat(rng.choice([0.0, 2 / 3, 4 / 3, 2.0], weeks) * 100.0, 7)  # mean 100 a day
        response = make_response(ResponseSpec(shape="hill", half_saturation=100.0, slope=1.0, half_life=half_life))
        attended = np.empty_like(daily)
        for day, x in enumerate(daily):
            response.update(x)
            attended[day] = x * response.attended_share()
        spend, attended = daily.reshape(weeks, 7).sum(1), attended.reshape(weeks, 7).sum(1)
        revenue = np.convolve(attended, kernel)[:weeks] + tail + rng.normal(0, 1.0, weeks)
        truths.append(kernel.sum() * attended.sum() / spend.sum())
        rows += [{"seed": seed, "channel": "social", "week": w + 1, "days": 7, "spend": spend[w],
                  "attended_spend": attended[w], "incremental_revenue": revenue[w]} for w in range(weeks)]
    return pd.DataFrame(rows), float(np.mean(truths))


def test_the_ledger_roas_of_a_saturating_channel_is_its_revenue_per_unit_of_spend_not_its_slope() -> None:
    kernel = np.array([1.0, 0.8, 0.6, 0.4, 0.2])  # 3.0 per unit of attended spend within five weeks
    ledger, truth = _saturating_ledger(kernel)
    assert 0.3 < truth / kernel.sum() < 0.5  # most of the spend buys exposures nobody attends
    assert ledger_roas(ledger)["roas"].mean() == pytest.approx(truth, rel=0.01)
    # a straight line through the spend measures the curve's slope about the plan's spend: a fifth
    # less for a channel with search's two-day half-life (0.81 of the truth; 0.92 at 21 days)
    slope = ledger_roas(ledger.drop(columns="attended_spend"))["roas"].mean()
    assert slope < 0.85 * truth


def test_a_channel_that_spends_the_same_every_week_has_no_ledger_roas() -> None:
    assert ledger_roas(_ledger(np.array([1.0]), flat=True))["roas"].isna().all()


def test_the_truth_table_takes_the_panel_seeds_contribution_and_the_mean_over_seeds() -> None:
    ledger = _ledger(np.array([2.0, 1.0]), noise=5.0)
    weeks = range(1, 53)
    table = truth_table("flighted", ledger, weeks, panel_seed=1, tested=["search"],
                        run_roas=pd.Series({"search": 4.2})).iloc[0]
    inside = ledger[ledger["week"] <= 52]
    by_seed = inside.groupby("seed")["incremental_revenue"].sum()
    assert table["true_contribution"] == pytest.approx(by_seed[1])
    assert table["true_contribution_mean"] == pytest.approx(by_seed.mean())
    assert table["spend"] == pytest.approx(inside[inside["seed"] == 1]["spend"].sum())
    assert table["true_roas"] == pytest.approx(3.0, abs=0.1) and table["true_roas_low"] < 3.0 < table["true_roas_high"]
    assert table["lift_tested"] and table["run_roas"] == 4.2 and math.isnan(table["pulse_roas"])


def test_lift_test_calibration_is_judged_on_the_tested_channels_error_before_and_after() -> None:
    truth = pd.concat([_truth(channel="search", true_roas=2.0, lift_tested=True),
                       _truth(channel="tv", true_roas=1.0)], ignore_index=True)
    fits = pd.concat([_fit(channel="search", roas_mean=3.0, roas_low=2.0, roas_high=4.0),
                      _fit(channel="tv", roas_mean=1.0),
                      _fit(channel="search", calibration="lift_tests", roas_mean=2.2, roas_low=1.9, roas_high=2.6),
                      _fit(channel="tv", calibration="lift_tests", roas_mean=5.0)], ignore_index=True)
    effect = calibration_effect(score(fits, truth))
    assert list(effect["channel"]) == ["search"]  # tv had no lift test
    row = effect.iloc[0]
    assert row["abs_error_before"] == pytest.approx(1.0) and row["abs_error_after"] == pytest.approx(0.2)
    assert row["narrowed"] and row["width_after"] == pytest.approx(0.7)


def test_the_scoreboard_figure_draws_each_models_intervals_beside_the_truth(recorded) -> None:
    summaries, truth = recorded
    scored = score(summaries, truth)
    figure = scoreboard_figure(scored, scoreboard(scored))
    first = scored[(scored["scenario"] == scored["scenario"].iloc[0]) & (scored["calibration"] == "none")]
    ax = figure.axes[0]
    for model in dict.fromkeys(first["model"]):
        fit = first[first["model"] == model]
        segments = np.asarray(next(c for c in ax.collections if c.get_label() == model_name(model)).get_segments())
        assert np.allclose(sorted(segments[:, 0, 0]), sorted(fit["roas_low"]))
        assert np.allclose(sorted(segments[:, 1, 0]), sorted(fit["roas_high"]))
    assert "covers" in ax.get_title()


def test_the_markdown_scoreboard_has_a_row_per_fit_and_a_table_per_fit(recorded) -> None:
    summaries, truth = recorded
    scored = score(summaries, truth)
    board = scoreboard(scored)
    text = board_markdown(board)
    assert len(text.splitlines()) == 2 + len(board)
    assert channels_markdown(scored).count("| channel |") == len(board)


def test_tables_and_figure_name_the_models_as_their_libraries_do(recorded) -> None:
    summaries, truth = recorded
    scored = score(summaries, truth)
    board = scoreboard(scored)
    legend = [t.get_text() for t in scoreboard_figure(scored, board).axes[0].get_legend().get_texts()]
    for text in (board_markdown(board), channels_markdown(scored), " ".join(legend)):
        assert "PyMC-Marketing" in text and "Meridian" in text and "pymc_marketing" not in text
    assert set(summaries["model"]) == {"pymc_marketing", "meridian"}  # the CSVs keep the keys


def test_journey_arena_without_the_mmm_libraries_names_the_extra_to_install(tmp_path) -> None:
    if importlib.util.find_spec("pymc_marketing") is not None:
        pytest.skip("PyMC-Marketing is installed here (make test-arena fits it)")
    status, _, err = call("journey-arena", "--models", "pymc_marketing", "population.size=300", "days=7",
                          f"hydra.run.dir={tmp_path}")
    assert status == 2 and "Traceback" not in err and ".[arena]" in err and "'pymc_marketing'" in err


def test_journey_arena_refuses_a_directory_that_is_not_a_truth_run(tmp_path) -> None:
    status, _, err = call("journey-arena", "--truth", f"flighted={tmp_path}", f"hydra.run.dir={tmp_path / 'out'}")
    assert status == 2 and "Traceback" not in err and "--truth" in err and "journey-truth output directory" in err


def test_journey_arena_refuses_a_model_it_does_not_know(tmp_path) -> None:
    status, _, err = call("journey-arena", "--models", "robyn", "population.size=300", "days=7",
                          f"hydra.run.dir={tmp_path}")
    assert status == 2 and "--models = 'robyn'" in err and "pymc_marketing, meridian" in err and "Traceback" not in err


def test_journey_arena_refuses_a_negative_lift_cooldown(tmp_path) -> None:
    status, _, err = call("journey-arena", "--lift-cooldown", "-7", "population.size=300", "days=7",
                          f"hydra.run.dir={tmp_path}")
    assert status == 2 and "--lift-cooldown = -7" in err and "0 or more" in err and "Traceback" not in err


def test_journey_arena_refuses_a_holdout_share_outside_0_to_1(tmp_path) -> None:
    status, _, err = call("journey-arena", "--holdout-share", "1.5", "--lift-budget-split", "population.size=300",
                          "days=7", f"hydra.run.dir={tmp_path}")
    assert status == 2 and "--holdout-share = 1.5" in err and "strictly between 0 and 1" in err
    assert "Traceback" not in err


def test_journey_arena_refuses_more_lift_windows_than_the_run_holds(tmp_path) -> None:
    status, _, err = call("journey-arena", "--calibrate", "--lift-windows", "4", "scenario=mmm_lab", "days=120",
                          "population.size=300", f"hydra.run.dir={tmp_path}")
    assert status == 2 and "--lift-windows = 4" in err and "1 to 2 tests per channel" in err
    assert "Traceback" not in err and not (tmp_path / "truth").exists()


def test_journey_arena_refuses_spend_levels_that_are_not_positive(tmp_path) -> None:
    status, _, err = call("journey-arena", "--calibrate", "--lift-levels", "0.5,0", "scenario=mmm_lab", "days=120",
                          "population.size=300", f"hydra.run.dir={tmp_path}")
    assert status == 2 and "--lift-levels = '0.5,0' is not allowed" in err and "positive numbers" in err
    assert "Traceback" not in err and not (tmp_path / "truth").exists()


def test_journey_arena_refuses_a_persistent_holdout_of_an_unknown_channel(tmp_path) -> None:
    status, _, err = call("journey-arena", "--calibrate", "--lift-persistent", "newsletter", "scenario=mmm_lab",
                          "days=120", "population.size=300", f"hydra.run.dir={tmp_path}")
    assert status == 2 and "--lift-persistent = 'newsletter' is not allowed" in err and "email" in err
    assert "Traceback" not in err and not (tmp_path / "truth").exists()
