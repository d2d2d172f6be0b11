"""Sweeps: aggregation with t intervals, paired comparison, failures, resume, launchers."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hydra.core.utils import JobReturn, JobStatus
from hydra.types import RunMode
from omegaconf import OmegaConf
from scipy import stats

from journeysim.experiments import compare as compare_cli
from journeysim.experiments.aggregate import choose_reference, compare, group_runs
from journeysim.experiments.callbacks import CompareSweep
from journeysim.experiments.intervals import mean_interval, paired_difference, welch_difference
from journeysim.experiments.resume import completed_summary
from journeysim.experiments.runs import Run, scalar_kpis
from journeysim.manifest import verify_manifest, write_manifest
from journeysim.outputs import mark_status, write_json

BIN = Path(sys.executable).parent
SMALL = ("population.size=5000", "days=60", "outputs.figures=false", "outputs.tables=false",
         "outputs.progress=false")
GRID = ("--multirun", "market.checkout_friction=0.3,0.2,0.1", "seed=range(5)", *SMALL)
"""Three scenarios (checkout friction 0.3, 0.2, 0.1) x five seeds at 5,000 customers."""
NO_FIGURES = ("hydra.callbacks.compare.figures=false",)


def journey_command(*args: str) -> list[str]:
    return [str(BIN / "journey"), *args]


def run_journey(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(journey_command(*args), cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


def runs_compared(sweep: Path) -> int:
    """How many runs the sweep's comparison counts: its ``n`` for the KPIs every run has (a KPI that
    means nothing in some run, such as NPS with too few respondents in a short one, counts fewer)."""
    comparison = pd.read_csv(sweep / "comparison.csv")
    counted = set(comparison.loc[comparison.kpi.isin(["acquisitions", "orders", "revenue"]), "n"])
    assert len(counted) == 1 and comparison["n"].max() == min(counted), comparison[["kpi", "n"]]  # no KPI counts more
    return int(counted.pop())


def statuses(sweep: Path) -> dict[Path, str]:
    out = {}
    for path in sweep.rglob("status.json"):
        try:
            out[path.parent] = json.loads(path.read_text())["status"]
        except (json.JSONDecodeError, OSError):  # being replaced right now
            continue
    return out


@pytest.fixture(scope="module")
def grid_sweep(tmp_path_factory) -> Path:
    """The 3 x 5 sweep, uninterrupted, with the comparison its callback wrote."""
    root = tmp_path_factory.mktemp("grid")
    result = run_journey(*GRID, f"hydra.sweep.dir={root / 'sweep'}", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "sweep"


# ------------------------------------------------------------------ intervals
def test_mean_interval_is_the_student_t_interval() -> None:
    values = [3.0, 5.5, 4.0, 6.5, 5.0, None, float("nan")]
    interval = mean_interval(values, 0.9)
    x = np.array([3.0, 5.5, 4.0, 6.5, 5.0])
    low, high = stats.t.interval(0.9, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert interval.n == 5
    assert interval.estimate == pytest.approx(x.mean())
    assert (interval.low, interval.high) == pytest.approx((low, high))


@pytest.mark.parametrize("dof", [1, 1.5, 2, 3.7, 4, 29.3, 99, 1e6, np.inf, 0, -1, np.nan])
def test_t_quantiles_and_p_values_are_scipy_stats_to_the_bit(dof: float) -> None:
    """scipy.special's functions give what scipy.stats.t gives, edge cases (no degrees of freedom,
    infinite ones, infinite or missing statistics) included, so comparisons keep their bytes."""
    from journeysim.experiments.intervals import t_p_value, t_quantile

    for level in (0.5, 0.8, 0.9, 0.95, 0.99, 0.999, 1e-9, 1 - 1e-12):
        expected = float(stats.t.ppf(0.5 + level / 2, dof))
        assert t_quantile(level, dof) == expected or (np.isnan(expected) and np.isnan(t_quantile(level, dof)))
    for t in (0.0, 1e-12, 0.3, -0.3, 2.0, 40.0, 1e10, np.inf, -np.inf, np.nan):
        expected = float(2 * stats.t.sf(abs(t), dof))
        assert t_p_value(t, dof) == expected or (np.isnan(expected) and np.isnan(t_p_value(t, dof)))


def test_paired_difference_uses_only_the_seeds_both_groups_have() -> None:
    treatment = {0: 11.0, 1: 13.0, 2: 12.5, 3: 99.0}
    reference = {0: 10.0, 1: 11.0, 2: 12.0, 4: -50.0}
    interval = paired_difference(treatment, reference)
    d = np.array([1.0, 2.0, 0.5])
    assert interval.n == 3
    assert interval.estimate == pytest.approx(d.mean())
    assert interval.half_width == pytest.approx(stats.t.ppf(0.975, 2) * stats.sem(d))


def test_welch_interval_matches_scipy_unequal_variance_t_test() -> None:
    a, b = [5.0, 6.0, 7.5, 8.0, 6.5], [4.0, 4.5, 9.0, 2.0]
    interval = welch_difference(a, b)
    expected = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert (interval.low, interval.high) == pytest.approx((expected.low, expected.high))


# ------------------------------------------------------------------ the 3 x 5 sweep
def test_sweep_of_three_scenarios_by_five_seeds_writes_the_comparison(grid_sweep: Path) -> None:
    for name in ("comparison.csv", "comparison.md", "runs.csv", "comparison.png", "differences.png"):
        assert (grid_sweep / name).is_file(), name
    runs = pd.read_csv(grid_sweep / "runs.csv")
    assert len(runs) == 15 and set(runs["status"]) == {"complete"}
    assert runs["path"].nunique() == 15  # runs that differ only in friction never share a folder
    table = pd.read_csv(grid_sweep / "comparison.csv")
    labels = [f"baseline market.checkout_friction={f}" for f in (0.3, 0.2, 0.1)]
    assert list(table["scenario"].unique()) == labels
    assert set(table["reference"]) == {labels[0]}  # no plain "baseline": the first scenario
    assert set(table["n"]) == {5}
    text = (grid_sweep / "comparison.md").read_text()
    assert "3 scenarios × 5 seeds" in text and "| Acquisitions |" in text and "15 complete" in text


def test_sweep_means_are_the_means_of_the_run_summaries(grid_sweep: Path) -> None:
    table = pd.read_csv(grid_sweep / "comparison.csv").set_index(["scenario", "kpi"])
    for friction in (0.3, 0.1):
        folder = grid_sweep / "baseline"
        revenues = [json.loads((p / "summary.json").read_text())["kpis"]["revenue"]
                    for p in folder.glob(f"*market.checkout_friction={friction},*")]
        assert len(revenues) == 5
        assert table.loc[(f"baseline market.checkout_friction={friction}", "revenue"), "mean"] == \
            pytest.approx(np.mean(revenues), rel=1e-9)


def test_resume_runs_again_a_complete_job_whose_outputs_are_missing_or_changed_and_says_so(tmp_path: Path) -> None:
    """Against the sha256 hashes of each run's manifest.json: a truncated table and a deleted one
    are noticed and named, and their job runs again to the same bytes; the whole job is reused."""
    sweep = tmp_path / "sweep"
    args = ("--multirun", "seed=0,1", "population.size=2000", "days=20", "outputs.figures=false",
            *NO_FIGURES, f"hydra.sweep.dir={sweep}")
    assert run_journey(*args, cwd=tmp_path).returncode == 0
    runs = {int(json.loads((path / "summary.json").read_text())["seed"]): path
            for path in (sweep / "baseline").iterdir()}
    before = {seed: {p.name: p.read_bytes() for p in path.glob("*.csv")} for seed, path in runs.items()}
    whole = (runs[0] / "summary.json").stat().st_mtime_ns
    events = runs[1] / "events.csv"
    events.write_bytes(events.read_bytes()[: events.stat().st_size // 2])  # truncated
    (runs[1] / "daily.csv").unlink()

    result = run_journey(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("skipped") == 1
    assert (f"{runs[1]} was complete for this config and seed, but daily.csv missing (listed in its "
            "manifest.json); events.csv changed since its manifest.json was written; running it again"
            ) in result.stderr
    assert (runs[0] / "summary.json").stat().st_mtime_ns == whole
    assert {seed: {p.name: p.read_bytes() for p in path.glob("*.csv")} for seed, path in runs.items()} == before
    assert set(statuses(sweep).values()) == {"complete"}
    assert not [path for path in runs.values() if verify_manifest(path)]


def test_lower_checkout_friction_lowers_abandonment_with_an_interval_excluding_zero(grid_sweep: Path) -> None:
    table = pd.read_csv(grid_sweep / "comparison.csv").set_index(["scenario", "kpi"])
    row = table.loc[("baseline market.checkout_friction=0.1", "checkout_abandonment_rate")]
    assert row["n_pairs"] == 5
    assert row["diff"] == pytest.approx(-0.2, abs=0.03)
    assert row["diff_ci_high"] < 0
    assert table.loc[("baseline market.checkout_friction=0.1", "abandonment_rate"), "diff_ci_high"] < 0


# ------------------------------------------------------------------ resume
def finished(sweep: Path) -> list[Path]:
    """The runs of ``sweep`` that finished: complete, with the manifest they write last."""
    return [path for path, status in statuses(sweep).items()
            if status == "complete" and (path / "manifest.json").exists()]


def test_killed_sweep_resumes_skipping_complete_runs_and_matches_the_uninterrupted_one(
        grid_sweep: Path, tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    command = journey_command(*GRID, *NO_FIGURES, f"hydra.sweep.dir={sweep}")
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while len(finished(sweep)) < 4 and time.monotonic() < deadline:
        assert process.poll() is None, "the sweep ended before it could be killed"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    done = {path: (path / "summary.json").stat().st_mtime_ns for path in finished(sweep)}
    assert 4 <= len(done) < 15
    assert not (sweep / "comparison.csv").exists()

    result = run_journey(*GRID, *NO_FIGURES, f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("skipped") == len(done)
    assert {path: (path / "summary.json").stat().st_mtime_ns for path in done} == done  # untouched
    assert set(statuses(sweep).values()) == {"complete"} and len(statuses(sweep)) == 15
    assert (sweep / "comparison.csv").read_bytes() == (grid_sweep / "comparison.csv").read_bytes()


def test_a_complete_run_is_reused_only_for_the_same_config_and_seed(tmp_path: Path) -> None:
    write_json(tmp_path / "summary.json", {"seed": 3, "config_hash": "abc", "kpis": {"revenue": 1.0}})
    mark_status(tmp_path, "complete")
    assert completed_summary(tmp_path, "abc", 3) is None  # no manifest: its outputs cannot be trusted
    write_manifest(tmp_path, seeds=[3])
    assert completed_summary(tmp_path, "abc", 3)["kpis"] == {"revenue": 1.0}
    assert completed_summary(tmp_path, "abd", 3) is None
    assert completed_summary(tmp_path, "abc", 4) is None
    mark_status(tmp_path, "incomplete")
    assert completed_summary(tmp_path, "abc", 3) is None


# ------------------------------------------------------------------ partial sweeps and failures
def test_journey_compare_names_failed_unfinished_and_missing_runs_and_uses_the_rest(
        grid_sweep: Path, tmp_path: Path, capsys) -> None:
    sweep = tmp_path / "sweep"
    shutil.copytree(grid_sweep, sweep)
    for name in ("comparison.csv", "comparison.md", "runs.csv"):
        (sweep / name).unlink()
    runs = {p.name: p for p in (sweep / "baseline").iterdir()}
    pick = {f: runs[next(n for n in sorted(runs) if f"friction={f}," in n and n.endswith("seed=4"))]
            for f in (0.3, 0.2, 0.1)}
    shutil.rmtree(pick[0.3])
    mark_status(pick[0.2], "running")  # and no process holds its lock: it died (stale)
    mark_status(pick[0.1], "failed", error="RuntimeError: boom")

    assert compare_cli.main([str(sweep), "--no-figures"]) == 0
    printed = capsys.readouterr().out
    assert "15 runs: 12 complete, 1 failed, 1 unfinished, 1 missing." in printed
    assert "RuntimeError: boom" in printed and "unfinished (stale)" in printed
    assert "missing (never started): market.checkout_friction=0.3 seed=4" in printed
    table = pd.read_csv(sweep / "comparison.csv")
    assert set(table["n"]) == {4}
    assert set(table["n_pairs"].dropna()) == {4}  # seeds 0-3: seed 4 of the reference is missing
    runs_table = pd.read_csv(sweep / "runs.csv")
    assert sorted(runs_table["status"].value_counts().items()) == [
        ("complete", 12), ("failed", 1), ("missing", 1), ("stale", 1)]


def _run_dir(sweep: Path, name: str, seed: int, summary: str) -> Path:
    """A run directory that says complete, with ``summary`` as the text of its summary.json."""
    run = sweep / name
    (run / ".hydra").mkdir(parents=True)
    (run / ".hydra" / "overrides.yaml").write_text(f"- seed={seed}\n")
    mark_status(run, "complete")
    (run / "summary.json").write_text(summary)
    return run


BROKEN_SUMMARIES = {  # summary.json text -> what the report must say is wrong
    "": "summary.json is empty",
    '{"scenario": "baseline", "seed": 7,': "summary.json is not valid JSON",
    "[1, 2]": "summary.json holds an array",
    '{"seed": 7, "kpis": {}}': "summary.json has no 'scenario'",
    '{"scenario": "baseline", "seed": "seven", "kpis": {}}': "'seed' is \"seven\" (a string); expected an integer",
    '{"scenario": "baseline", "seed": 7, "kpis": [1.0]}': "summary.json 'kpis' is [1.0] (an array)",
    '{"scenario": "baseline", "seed": 7, "kpis": {"revenue": "lots"}}': "KPI 'revenue' is \"lots\" (a string)",
}


def test_journey_compare_reports_a_run_with_a_broken_summary_and_does_not_count_it(tmp_path: Path,
                                                                                  capsys) -> None:
    sweep = tmp_path / "sweep"
    for seed in (0, 1):
        _run_dir(sweep, f"good{seed}", seed,
                 json.dumps({"scenario": "baseline", "seed": seed, "kpis": {"revenue": 10.0 + seed}}))
    for k, text in enumerate(BROKEN_SUMMARIES):
        _run_dir(sweep, f"broken{k}", 10 + k, text)

    assert compare_cli.main([str(sweep), "--no-figures"]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    n = len(BROKEN_SUMMARIES)
    assert f"{n + 2} runs: 2 complete, 0 failed, 0 unfinished, 0 missing, {n} broken." in captured.out
    lines = {line.split(": ")[1]: line for line in captured.out.splitlines() if "broken (not compared)" in line}
    for k, problem in enumerate(BROKEN_SUMMARIES.values()):
        assert f"broken{k}: summary.json" in lines[f"broken{k}"] and problem in lines[f"broken{k}"]
    assert runs_compared(sweep) == 2
    runs_table = pd.read_csv(sweep / "runs.csv")
    assert sorted(runs_table["status"].value_counts().items()) == [("broken", n), ("complete", 2)]


def test_journey_compare_exits_2_naming_the_broken_summaries_when_no_run_is_usable(tmp_path: Path,
                                                                                   capsys) -> None:
    sweep = tmp_path / "sweep"
    _run_dir(sweep, "empty", 0, "")
    _run_dir(sweep, "wrong_kpis", 1, '{"scenario": "baseline", "seed": 1, "kpis": "none"}')

    with pytest.raises(SystemExit) as exit_info:
        compare_cli.main([str(sweep), "--no-figures"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "found 2 broken" in err
    assert f"{sweep / 'empty'}: summary.json is empty" in err
    assert f"{sweep / 'wrong_kpis'}: summary.json 'kpis' is \"none\" (a string)" in err
    assert not (sweep / "comparison.csv").exists()


def test_journey_compare_rejects_a_reference_matching_no_scenario(grid_sweep: Path, tmp_path: Path,
                                                                  capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        compare_cli.main([str(grid_sweep), "--reference", "market.checkout_friction=0.5", "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "reference" in capsys.readouterr().err


def test_bad_input_in_one_job_is_recorded_and_the_rest_are_compared(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    result = run_journey("--multirun", "market.checkout_friction=0.3,1.5", "seed=0,1", "population.size=1000",
                         "days=20", "outputs.figures=false", "outputs.tables=false", "outputs.progress=false",
                         *NO_FIGURES, f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "market.checkout_friction = 1.5" in result.stderr
    failed = [p for p, s in statuses(sweep).items() if s == "failed"]
    assert len(failed) == 2 and all("friction=1.5" in p.name for p in failed)
    assert json.loads((failed[0] / "status.json").read_text())["bad_input"] is True
    table = pd.read_csv(sweep / "comparison.csv")
    assert set(table["scenario"]) == {"baseline"} and set(table["n"]) == {2}
    assert "2 failed" in (sweep / "comparison.md").read_text()


def test_a_run_that_raises_is_recorded_with_its_traceback_and_the_sweep_goes_on(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    code = ("import sys, journeysim.runner as runner\n"
            "original = runner.build_model\n"
            "def build_model(spec):\n"
            "    if spec.seed == 1:\n"
            "        raise RuntimeError('engine exploded')\n"
            "    return original(spec)\n"
            "runner.build_model = build_model\n"
            "from journeysim.cli import main\n"
            "main()\n")
    args = ["--multirun", "seed=0,1,2", "population.size=1000", "days=20", "outputs.figures=false",
            "outputs.tables=false", "outputs.progress=false", *NO_FIGURES, f"hydra.sweep.dir={sweep}"]
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "MPLBACKEND": "Agg"}, timeout=300)
    assert result.returncode == 1, result.stderr
    state = {p.name.rpartition(",")[2]: s for p, s in statuses(sweep).items()}
    assert state == {"seed=0": "complete", "seed=1": "failed", "seed=2": "complete"}
    failed = next((sweep / "baseline").glob("*seed=1"))
    status = json.loads((failed / "status.json").read_text())
    assert status["error"] == "RuntimeError: engine exploded"
    log = "".join(p.read_text() for p in failed.glob("*.log"))
    assert "Traceback" in log and "engine exploded" in log
    assert runs_compared(sweep) == 2


def test_callback_records_a_raised_job_and_keeps_the_comparison_current(grid_sweep: Path, tmp_path: Path) -> None:
    """Hydra skips on_multirun_end after a job raised: on_job_end must aggregate."""
    sweep = tmp_path / "sweep"
    shutil.copytree(grid_sweep, sweep)
    (sweep / "comparison.csv").unlink()
    run_dir = next((sweep / "baseline").glob("*friction=0.2,*seed=2"))
    config = OmegaConf.create({"hydra": {"mode": RunMode.MULTIRUN, "runtime": {"output_dir": str(run_dir)},
                                         "sweep": {"dir": str(sweep)}}})
    try:
        raise ValueError("bad day")
    except ValueError as error:
        job = JobReturn(status=JobStatus.FAILED, _return_value=error)
    CompareSweep(figures=False).on_job_end(config, job)
    status = json.loads((run_dir / "status.json").read_text())
    assert status["status"] == "failed" and status["error"] == "ValueError: bad day"
    assert "raise ValueError" in status["traceback"]
    table = pd.read_csv(sweep / "comparison.csv").set_index(["scenario", "kpi"])
    assert table.loc[("baseline market.checkout_friction=0.2", "revenue"), "n"] == 4


# ------------------------------------------------------------------ common random numbers
PAIRED_SEEDS = 20  # ten left the paired and Welch intervals of acquisitions within 0.1% of each other


def test_paired_interval_is_narrower_than_unpaired_over_twenty_seeds(tmp_path: Path) -> None:
    """Common random numbers: one seed, same customers and exposures, whatever the friction.

    The twenty-seed sweep is run in process (no Hydra start-up per run) and aggregated by the
    same code as a sweep directory.
    """
    from journeysim.api import compose_config
    from journeysim.runner import run
    from journeysim.scenarios.spec import parse_config
    from journeysim.sim.config import to_container

    # a closed market: over ten seeds the arms' conversion rates correlate 0.30 closed, 0.10 with the
    # default open population (10 pairs: either is within noise of the other), and below about 0.2 a paired
    # t interval (9 df) is wider than Welch's; what this checks is the pairing, not the market
    base = to_container(compose_config(overrides=["population.size=2000", "days=60", "outputs.figures=false",
                                                  "market.demand.entry_rate=0", "market.demand.exit_rate=0"]))
    runs = []
    for friction in (0.3, 0.1):
        for seed in range(PAIRED_SEEDS):
            config = {**base, "seed": seed, "market": {**base["market"], "checkout_friction": friction}}
            summary = run(parse_config(config)).summary
            job = (f"market.checkout_friction={friction}", f"seed={seed}")
            runs.append(Run(tmp_path / f"{friction}-{seed}", "complete", "baseline", seed, job,
                            scalar_kpis(summary["kpis"])))
    groups = group_runs(runs)
    table = compare(groups, choose_reference(groups)).set_index(["scenario", "kpi"])
    for kpi in ("revenue", "profit", "acquisitions", "conversion_rate"):
        row = table.loc[("baseline market.checkout_friction=0.1", kpi)]
        assert row["n_pairs"] == PAIRED_SEEDS
        paired = row["diff_ci_high"] - row["diff_ci_low"]
        unpaired = row["welch_ci_high"] - row["welch_ci_low"]
        assert paired < unpaired, (kpi, paired, unpaired)


def test_comparison_table_holds_both_the_paired_and_the_welch_interval(grid_sweep: Path) -> None:
    table = pd.read_csv(grid_sweep / "comparison.csv").set_index(["scenario", "kpi"])
    row = table.loc[("baseline market.checkout_friction=0.1", "revenue")]
    reference = table.loc[("baseline market.checkout_friction=0.3", "revenue")]
    assert row["diff"] == pytest.approx(row["mean"] - reference["mean"])
    assert row["diff_ci_low"] < row["diff"] < row["diff_ci_high"]
    assert row["welch_ci_low"] < row["diff"] < row["welch_ci_high"]


def test_difference_figures_write_money_in_currency_and_rates_in_percentage_points(grid_sweep: Path) -> None:
    from journeysim.experiments.plots import comparison_figure, differences_figure

    table = pd.read_csv(grid_sweep / "comparison.csv")
    figure = differences_figure(table, ("revenue", "conversion_rate", "acquisitions"))
    figure.canvas.draw()
    ticks = [[t.get_text() for t in ax.get_xticklabels() if t.get_text()] for ax in figure.axes[:3]]
    assert all(t.lstrip("-").startswith("$") for t in ticks[0]), ticks[0]
    assert all(t.endswith(" pp") for t in ticks[1]), ticks[1]  # a difference of rates, as the tables write it
    assert not any("$" in t or "%" in t or "pp" in t for t in ticks[2]), ticks[2]
    assert all("\n" in ax.get_title() for ax in figure.axes[:3])  # the reference on its own line
    levels = comparison_figure(table, ("conversion_rate",))
    levels.canvas.draw()
    ticks = [t.get_text() for t in levels.axes[0].get_xticklabels() if t.get_text()]
    assert ticks and all(t.endswith("%") for t in ticks), ticks  # the rates themselves stay in percent


def test_sweep_tables_and_figures_write_money_in_the_runs_currency(grid_sweep: Path, tmp_path: Path) -> None:
    from journeysim.experiments.aggregate import aggregate
    from journeysim.experiments.plots import differences_figure
    from journeysim.experiments.report import write_comparison

    sweep = tmp_path / "sweep"
    shutil.copytree(grid_sweep, sweep)
    for path in sweep.rglob("summary.json"):  # the same runs, as reported by a run with market.currency=EUR
        summary = json.loads(path.read_text())
        path.write_text(json.dumps({**summary, "currency": {"code": "EUR", "symbol": "€"}}))
    comparison = aggregate(sweep)
    assert comparison.currency.code == "EUR"
    write_comparison(comparison, tmp_path / "out")
    revenue = next(line for line in (tmp_path / "out" / "comparison.md").read_text().splitlines()
                   if line.startswith("| Revenue"))
    assert "€" in revenue and "$" not in revenue, revenue
    figure = differences_figure(comparison.table, ("revenue",), comparison.level, comparison.currency)
    figure.canvas.draw()
    ticks = [t.get_text() for t in figure.axes[0].get_xticklabels() if t.get_text()]
    assert ticks and all(t.lstrip("-").startswith("€") for t in ticks), ticks


# ------------------------------------------------------------------ launchers
def test_joblib_launcher_runs_a_sweep_on_two_cores_with_the_same_results(tmp_path: Path) -> None:
    from journeysim.runner import run
    from tests.conftest import make_spec

    sweep = tmp_path / "sweep"
    args = ("population.size=2000", "days=40", "outputs.figures=false", "outputs.tables=false",
            "outputs.progress=false")
    result = run_journey("--multirun", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", "seed=0,1",
                         "market.checkout_friction=0.3,0.1", *args, *NO_FIGURES, f"hydra.sweep.dir={sweep}",
                         cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(statuses(sweep).values()) == ["complete"] * 4
    table = pd.read_csv(sweep / "comparison.csv").set_index(["scenario", "kpi"])
    assert table.loc[("baseline market.checkout_friction=0.1", "revenue"), "n_pairs"] == 2
    summary = json.loads(next(sweep.glob("baseline/*friction=0.1,*seed=1/summary.json")).read_text())
    direct = run(make_spec(*args, "market.checkout_friction=0.1", "seed=1")).summary
    assert summary["kpis"]["revenue"] == direct["kpis"]["revenue"]
    assert summary["kpis"]["acquisitions"] == direct["kpis"]["acquisitions"]


def test_submitit_launcher_runs_a_sweep_with_the_results_of_a_direct_run(tmp_path: Path) -> None:
    """hydra/launcher=submitit_local: the jobs the SLURM launcher (conf/hydra/launcher/slurm.yaml) sends."""
    from journeysim.runner import run
    from tests.conftest import make_spec

    sweep = tmp_path / "sweep"
    args = ("population.size=1000", "days=20", "outputs.figures=false", "outputs.tables=false",
            "outputs.progress=false")
    result = run_journey("--multirun", "hydra/launcher=submitit_local", "seed=0,1", *args,
                         f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(statuses(sweep).values()) == ["complete"] * 2
    assert runs_compared(sweep) == 2
    summary = json.loads(next(sweep.glob("baseline/*seed=1/summary.json")).read_text())
    direct = run(make_spec(*args, "seed=1")).summary["kpis"]
    assert [summary["kpis"][k] for k in ("revenue", "acquisitions", "orders")] == \
        [direct[k] for k in ("revenue", "acquisitions", "orders")]


def test_the_ray_launcher_without_ray_says_how_to_install_it(tmp_path: Path) -> None:
    pytest.importorskip("hydra_plugins.hydra_joblib_launcher")
    try:
        import ray  # noqa: F401
    except ImportError:
        result = run_journey("--multirun", "hydra/launcher=ray", "seed=0,1", cwd=tmp_path)
        assert result.returncode == 2 and "pip install -e '.[ray]'" in result.stderr, result.stderr
    else:  # make test-ray runs the sweep on Ray (tests/test_ray.py)
        pytest.skip("Ray is installed here")
