"""Output tables: one day convention (the exports too), every column documented (journeysim/columns.py)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeysim import columns, outputs
from journeysim.runner import run
from journeysim.sim.collectors import DAILY_KPIS
from journeysim.sim.stages import STAGE_NAMES
from tests.conftest import make_spec

DAYS = 40


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A small default run (everyone logged, service on) written to disk."""
    directory = tmp_path_factory.mktemp("run")
    run(make_spec("population.size=1500", f"days={DAYS}", "seed=4", "outputs.figures=false"), directory)
    return directory


def table(run_dir, name: str) -> pd.DataFrame:
    return pd.read_csv(run_dir / f"{name}.csv")


@pytest.mark.parametrize("overrides", [("population.size=800", "days=20"),
                                       ("scenario=bass", "population.size=800", "days=20"),
                                       ("competition=three_brands", "population.size=800", "days=20")])
def test_every_column_of_every_table_is_in_the_column_reference(overrides) -> None:
    from journeysim.runner import build_model

    model = build_model(make_spec(*overrides)).run()
    frames = outputs.tables(model)
    if model.spec.kind == "bass":
        frames["adoption"] = frames["daily"][["day", "adopted_fraction"]]
    for name, frame in frames.items():
        documented = columns.columns(name)
        missing = [c for c in frame.columns if c not in documented]
        assert missing == [], f"{name}: columns missing from journeysim/columns.py: {missing}"
    assert set(DAILY_KPIS) | set(STAGE_NAMES) <= set(columns.columns("daily"))
    page = columns.reference_page()
    for name, (_, cols) in columns.TABLES.items():
        assert f"## `{name}`" in page and all(f"| `{c.name}` |" in page for c in cols)


def test_every_column_of_the_exports_is_in_the_column_reference() -> None:
    from journeysim.experiments.exports import journey_paths, mmm_table
    from journeysim.runner import build_model

    model = build_model(make_spec("scenario=attribution_lab", "population.size=400", "days=20",
                                  "outputs.event_log_sample=400")).run()
    exports = {"paths": [journey_paths(model)], "mmm": [mmm_table(model, "D", channels="all"), mmm_table(model)]}
    channels = set(model.spec.channel_names)

    def generic(column: str) -> str:  # spend_search -> spend_<channel>
        prefix, _, rest = column.partition("_")
        return f"{prefix}_<channel>" if prefix in ("spend", "impressions") and rest in channels else column

    for name, frames in exports.items():
        for frame in frames:
            missing = [c for c in frame.columns if generic(c) not in columns.columns(name)]
            assert missing == [], f"{name}: columns missing from journeysim/columns.py: {missing}"


def test_all_tables_of_a_run_join_on_day_without_shifts(run_dir) -> None:
    daily, flows, chans, events = (table(run_dir, n) for n in ("daily", "flows", "channels", "events"))
    days = list(range(1, DAYS + 1))
    assert list(daily["day"]) == days and daily.notna()[list(STAGE_NAMES)].all().all()
    for frame in (flows, chans, events):
        assert frame["day"].between(1, DAYS).all()
    # spend and acquisitions of a day, counted in two tables, agree on that day
    by_day = chans.groupby("day")[["spend", "impressions"]].sum().reindex(days, fill_value=0)
    assert np.allclose(by_day["spend"], daily["spend"])
    assert (by_day["impressions"].to_numpy() == daily["impressions"].to_numpy()).all()
    first = events[(events["kind"] == "purchase") & (events["detail"] == "first")].groupby("day").size()
    assert (first.reindex(days, fill_value=0).to_numpy() == daily["acquisitions"].to_numpy()).all()
    # a day's flows move the stage counts from the end of the day before to the end of that day
    initial = json.loads((run_dir / "summary.json").read_text())["initial"]["stages"]
    before = pd.concat([pd.DataFrame([initial]), daily[list(STAGE_NAMES)].iloc[:-1]], ignore_index=True)
    inflow = flows.pivot_table(index="day", columns="to_stage", values="customers", aggfunc="sum")
    outflow = flows.pivot_table(index="day", columns="from_stage", values="customers", aggfunc="sum")
    net = (inflow.reindex(index=days, columns=list(STAGE_NAMES)).fillna(0)
           - outflow.reindex(index=days, columns=list(STAGE_NAMES)).fillna(0))
    after = daily[list(STAGE_NAMES)].to_numpy()
    assert (before.to_numpy() + net.to_numpy() == after).all()
    assert (flows["from_stage"] == "outside").any() and (flows["to_stage"] == "outside").any()  # an open market
    entered = flows[flows["from_stage"] == "outside"].groupby("day")["customers"].sum()
    left = flows[flows["to_stage"] == "outside"].groupby("day")["customers"].sum()
    assert (entered.reindex(days, fill_value=0).to_numpy() == daily["entrants"].to_numpy()).all()
    assert (left.reindex(days, fill_value=0).to_numpy() == daily["leavers"].to_numpy()).all()
    # a stage change in the log is a flow of the same day between two stages
    changes = events[events["kind"] == "stage_change"].groupby(["day", "detail"]).size()
    moves = flows[(flows["from_stage"] != "outside") & (flows["to_stage"] != "outside")]
    inflows = moves.groupby(["day", "to_stage"])["customers"].sum()
    assert (changes.to_numpy() == inflows.reindex(changes.index).to_numpy()).all()


def test_the_exports_of_a_run_join_its_tables_on_day_without_shifts(tmp_path) -> None:
    from journeysim import simulate
    from journeysim.api import Result
    from journeysim.experiments.exports import journey_paths, mmm_table

    overrides = {"population.size": 1500, "days": DAYS, "outputs.event_log_sample": 1500}
    result = Result.load(simulate(overrides=overrides, seed=4, path=tmp_path, figures=False).path)
    daily, events, days = result.daily, result.events, list(range(1, DAYS + 1))
    mmm = mmm_table(result, "D", channels="all")
    assert list(mmm["day"]) == days
    joined = daily.merge(mmm, on="day", suffixes=("", "_mmm"), validate="one_to_one")
    assert len(joined) == DAYS and daily["acquisitions"].std() > 0  # a shift would show
    assert (joined["acquisitions"] == joined["acquisitions_mmm"]).all()
    assert np.allclose(joined["revenue"], joined["revenue_mmm"]) and np.allclose(joined["discount"],
                                                                                joined["discount_mmm"])
    spend = result.channels.pivot(index="day", columns="channel", values="spend").reindex(days)
    for name in spend.columns:
        assert np.allclose(mmm[f"spend_{name}"], spend[name]), name
    assert list(mmm_table(result, "W")["day"]) == list(range(1, DAYS + 1, 7))
    paths = journey_paths(result)
    converted = paths[paths["converted"] == 1].set_index("customer")
    per_day = converted.groupby("conversion_day").size().reindex(days, fill_value=0)
    assert (per_day.to_numpy() == daily["acquisitions"].to_numpy()).all()
    first = events[(events["kind"] == "purchase") & (events["detail"] == "first")].set_index("customer")["day"]
    assert (converted["conversion_day"].astype(int) == first.reindex(converted.index)).all()
    touches = events[(events["kind"] == "exposure")
                     | ((events["kind"] == "word_of_mouth") & (events["detail"] == "positive"))]
    touched = paths[paths["touches"] > 0].set_index("customer")
    assert (touched["first_touch_day"].astype(int) == touches.groupby("customer")["day"].min()
            .reindex(touched.index)).all()
    last = touched["touch_days"].str.split(" > ").str[-1].astype(int)
    assert last.between(1, DAYS).all()


def test_a_run_directory_has_a_manifest_whose_hashes_match_its_files(run_dir) -> None:
    from journeysim.manifest import read_manifest, sha256, verify_manifest

    manifest = read_manifest(run_dir)
    assert manifest["seeds"] == [4] and manifest["config"]["population"]["size"] == 1500
    assert manifest["versions"]["journeysim"] and manifest["versions"]["numpy"]
    for name in ("daily.csv", "flows.csv", "channels.csv", "events.csv", "summary.json", "status.json"):
        assert manifest["files"][name]["sha256"] == sha256(run_dir / name)
    assert verify_manifest(run_dir) == []


def test_a_changed_or_added_file_no_longer_matches_the_manifest(tmp_path) -> None:
    from journeysim.manifest import verify_manifest, write_manifest

    (tmp_path / "a.csv").write_text("day\n1\n")
    write_manifest(tmp_path, seeds=[0])
    (tmp_path / "a.csv").write_text("day\n2\n")
    (tmp_path / "b.csv").write_text("day\n1\n")
    assert verify_manifest(tmp_path) == ["a.csv", "b.csv"]


def test_a_manifest_lists_a_subdirectory_with_a_manifest_as_its_outermost_manifest_alone(tmp_path) -> None:
    """Runs at any depth (a sweep's scenario folders), a run holding another run, names that share a
    prefix (run1, run10, run1x): each run is its outermost manifest; loose files are listed."""
    from journeysim.manifest import output_files

    for name in ("a.csv", "run1/manifest.json", "run1/x.csv", "run1/sub/manifest.json", "run1/sub/y.csv",
                 "grp/run2/manifest.json", "grp/run2/z.csv", "grp/run2/deep/er/w.csv", "grp/loose.csv",
                 "run10/manifest.json", "run10/q.csv", "run1x/r.csv"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    assert list(output_files(tmp_path)) == ["a.csv", "grp/loose.csv", "grp/run2/manifest.json", "run1/manifest.json",
                                            "run10/manifest.json", "run1x/r.csv"]


def test_a_sweep_directory_and_each_of_its_runs_have_matching_manifests(tmp_path) -> None:
    from journeysim import sweep
    from journeysim.manifest import read_manifest, verify_manifest

    sweep(["baseline", "checkout_fix"], seeds=2, overrides={"population.size": 300, "days": 10},
          path=tmp_path, figures=False)
    runs = sorted(p.parent for p in tmp_path.rglob("summary.json"))
    assert len(runs) == 4
    for directory in [tmp_path, *runs]:
        assert verify_manifest(directory) == [], directory
    manifest = read_manifest(tmp_path)
    assert manifest["seeds"] == [0, 1] and "comparison.csv" in manifest["files"]
    assert sum(name.endswith("manifest.json") for name in manifest["files"]) == 4
    assert "**Warning:** intervals from 2 seeds per scenario are unreliable" in (tmp_path / "comparison.md").read_text()


def test_parquet_tables_hold_what_the_csv_tables_hold(tmp_path) -> None:
    from journeysim import simulate
    from journeysim.api import Result

    overrides = {"population.size": 500, "days": 15}
    as_csv = simulate(overrides=overrides, seed=2, path=tmp_path / "csv", figures=False)
    simulate(overrides={**overrides, "outputs.format": "parquet"}, seed=2, path=tmp_path / "parquet", figures=False)
    names = ("daily", "flows", "channels", "events")
    assert all((tmp_path / "parquet" / f"{n}.parquet").is_file() for n in names)
    assert not list((tmp_path / "parquet").glob("*.csv"))
    loaded = Result.load(tmp_path / "parquet")
    for name in names:
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(as_csv, name), check_dtype=False)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_table_written_in_pieces_equals_the_whole_table(tmp_path, fmt) -> None:
    from journeysim.outputs import read_table

    whole = pd.DataFrame({"customer": np.arange(10), "day": np.arange(1, 11),
                          "detail": ["search", ""] * 5, "value": np.linspace(0, 1, 10)})
    path = outputs.write_table(tmp_path / "events", (whole.iloc[i: i + 3] for i in range(0, 10, 3)), fmt)
    assert path.suffix == f".{fmt}"
    pd.testing.assert_frame_equal(read_table(path), whole, check_dtype=False)


def test_a_run_without_logged_events_writes_an_events_table_with_its_header(tmp_path) -> None:
    run(make_spec("population.size=200", "days=5", "outputs.event_log_sample=0", "outputs.figures=false"), tmp_path)
    events = pd.read_csv(tmp_path / "events.csv")
    assert list(events.columns) == ["customer", "day", "kind", "detail"] and events.empty


CELLS = {
    "int": st.integers(-(2**62), 2**62),
    "text": st.sampled_from(["exposure", "", "a,b", 'say "hi"', "two\nlines", " padded ", "é"]),
    "float": st.floats(allow_nan=True, allow_infinity=True, width=64),
    "float32": st.floats(allow_nan=True, allow_infinity=True, width=32),
    "flag": st.booleans(),
}


@settings(max_examples=150, deadline=None)
@given(kinds=st.lists(st.sampled_from(sorted(CELLS)), min_size=1, max_size=4), rows=st.integers(0, 6),
       data=st.data())
def test_a_csv_table_is_written_byte_for_byte_as_pandas_writes_it(tmp_path_factory, kinds, rows, data) -> None:
    """The journey log and tables of numbers go through Arrow's CSV writer when that writes the same
    bytes (floats formatted as pandas formats them, float32 widened, infinities, NaN as empty); any
    table, in pieces, reads back as pandas' to_csv would have written it."""
    from journeysim.outputs import write_table

    frame = pd.DataFrame({f"c{i}": data.draw(st.lists(CELLS[kind], min_size=rows, max_size=rows))
                          for i, kind in enumerate(kinds)})
    for column, kind in zip(frame.columns, kinds, strict=True):
        if kind == "int":
            frame[column] = frame[column].astype(np.int64)
        if kind == "float32":
            frame[column] = frame[column].astype(np.float32)
    cut = data.draw(st.integers(0, rows))
    path = write_table(tmp_path_factory.mktemp("csv") / "t", (frame.iloc[:cut], frame.iloc[cut:]))
    assert path.read_bytes() == frame.to_csv(index=False, float_format="%.10g").encode()
