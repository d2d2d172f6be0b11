"""Tables, figures and the summary of a run, written atomically into its run directory.

A run directory holds ``status.json`` from the start: ``running`` while the model steps,
``complete`` once every file is written, ``incomplete`` after an interruption (with the signal, and
``"partial": true`` when the tables of the finished days were kept) and ``failed`` after an error
(with the error); :func:`read_status` reports ``stale`` for a run whose process died without a word.
Each file is written to a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeysim.sim import devices, kpis, market_share, places
from journeysim.sim.stages import POST_PURCHASE, STAGE_NAMES

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel

STATUS_FILE = "status.json"


# ------------------------------------------------------------------ atomic files
def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as error:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(error, OSError) and error.errno is not None and error.filename is None:  # write() names none
            error.filename = str(path)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path: Path, data: dict) -> Path:
    """Write ``data`` as indented JSON, atomically (NaN and infinity become null)."""
    text = json.dumps(_jsonable(data), indent=2, sort_keys=False) + "\n"
    return atomic_write(path, lambda tmp: tmp.write_text(text))


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    """Write a table as CSV, atomically (floats with 10 significant digits, reproducible)."""
    return write_table(path, frame, "csv")


TABLE_SUFFIX = {"csv": ".csv", "parquet": ".parquet"}
"""File suffix of each table format (``outputs.format``)."""


def write_table(path: Path, frames: pd.DataFrame | Iterable[pd.DataFrame], fmt: str = "csv") -> Path:
    """Write a table as CSV or Parquet, atomically, piece by piece (a generator of pieces streams:
    one piece in memory at a time; Parquet writes one row group per piece).

    Parameters
    ----------
    path : Path
        The file, without or with its suffix (the format's suffix is used).
    frames : DataFrame or iterable of DataFrame
        The table, or its pieces in order (same columns).
    fmt : str
        ``csv`` (floats with 10 significant digits) or ``parquet`` (zstd-compressed).
    """
    path = Path(path).with_suffix(TABLE_SUFFIX[fmt])
    pieces = [frames] if isinstance(frames, pd.DataFrame) else frames

    def write(tmp: Path) -> None:
        if fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            writer = None
            try:
                for piece in pieces:
                    batch = pa.Table.from_pandas(piece, preserve_index=False)
                    writer = writer or pq.ParquetWriter(tmp, batch.schema, compression="zstd")
                    writer.write_table(batch)
            finally:
                if writer is not None:
                    writer.close()
            return
        with open(tmp, "wb") as handle:
            header = True
            for piece in pieces:
                _write_csv_piece(handle, piece, header)
                header = False

    return atomic_write(path, write)


CSV_SPECIAL = frozenset(',"\r\n')
"""Characters a CSV field is quoted for (pandas quotes such a field; Arrow's unquoted writer refuses it)."""


def _plain_text(values: Any) -> bool:
    """Whether every value is a string pandas writes as is (no quotes needed)."""
    return all(isinstance(v, str) and not CSV_SPECIAL.intersection(v) for v in values)


def _arrow_table(piece: pd.DataFrame) -> Any:
    """``piece`` as an Arrow table that Arrow's CSV writer (unquoted) writes byte for byte as
    ``piece.to_csv(index=False, float_format="%.10g")`` does, or None when it cannot.

    Integer columns and text columns of plain strings go as they are; a numpy float column goes as
    the text pandas writes for it: ``"%.10g" % value`` of each value as a Python float (a float32
    widens exactly, as in pandas' formatter), empty for NaN, formatted in one pass instead of value
    by value through pandas' formatter. Anything else (a flag, a missing integer or text, text that
    needs quotes, a lone column: pandas quotes its empty field) is left to pandas.
    """
    if len(piece.columns) < 2 or piece.columns.has_duplicates or not _plain_text(piece.columns):
        return None
    import pyarrow as pa

    arrays = []
    for _, column in piece.items():
        kind, numpy = column.dtype.kind, isinstance(column.dtype, np.dtype)
        if numpy and kind == "f":
            text = ["%.10g" % v if v == v else "" for v in column.tolist()]  # noqa: UP031 - as pandas formats
            arrays.append(pa.array(text, pa.string()))
            continue
        if kind in "iu" and (numpy or not column.isna().any()):  # numpy integers are never missing
            arrays.append(pa.array(column))
            continue
        if kind not in "OT" and not pd.api.types.is_string_dtype(column.dtype):
            return None
        if column.isna().any() or not _plain_text(pd.unique(column)):
            return None
        arrays.append(pa.array(column))
    return pa.table(dict(zip(piece.columns, arrays, strict=True)))


def _write_csv_piece(handle: Any, piece: pd.DataFrame, header: bool) -> None:
    """Write one piece of a CSV table to a binary file, as ``piece.to_csv(index=False,
    float_format="%.10g")`` writes it: through Arrow's CSV writer when that gives the same bytes
    (:func:`_arrow_table`: a journey log of integers and names about 6 times faster, a table of
    numbers about twice), else through pandas."""
    table = _arrow_table(piece) if len(piece) else None
    if table is not None:
        import pyarrow.csv as pa_csv

        if header:
            handle.write((",".join(piece.columns) + "\n").encode())
        pa_csv.write_csv(table, handle, pa_csv.WriteOptions(include_header=False, quoting_style="none"))
        return
    handle.write(piece.to_csv(index=False, header=header, float_format="%.10g", lineterminator="\n").encode())


def read_table(path: Path) -> pd.DataFrame:
    """Read a run table written by :func:`journeysim.outputs.write_table` (``.csv`` or ``.parquet``).

    Empty text cells stay empty strings (the journey log's ``detail`` of an abandoned cart),
    while empty numeric cells read as NaN (a wait on a day no ticket was served).
    """
    frame = pd.read_parquet(path) if Path(path).suffix == ".parquet" else pd.read_csv(path)
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].fillna("")
    return frame


def write_figure(path: Path, figure) -> Path:
    """Save a matplotlib figure as PNG, atomically; a pyplot figure is closed afterwards.

    Figures drawn on :func:`journeysim.plots.headless_axes` need no backend, so writing them never
    touches the caller's matplotlib backend or open windows.
    """
    try:
        atomic_write(path, lambda tmp: figure.savefig(tmp, format="png", dpi=130))
    finally:
        if getattr(figure.canvas, "manager", None) is not None:  # made by pyplot: release it
            import matplotlib.pyplot as plt

            plt.close(figure)
    return path


def mark_status(run_dir: Path, status: str, **details: Any) -> None:
    """Record the run's status (running, complete, incomplete or failed)."""
    write_json(Path(run_dir) / STATUS_FILE, {"status": status, **details})


def read_status(run_dir: Path) -> str:
    """Status of a run directory: ``running``, ``complete``, ``incomplete``, ``failed``, ``stale``
    (it says running, but no live process holds its lock: that process died) or ``missing`` (no
    readable status file)."""
    path = Path(run_dir) / STATUS_FILE
    if not path.is_file():
        return "missing"
    try:
        status = str(json.loads(path.read_text()).get("status", "missing"))
    except (json.JSONDecodeError, OSError, AttributeError):
        return "missing"
    if status == "running":
        from journeysim.rundir import is_stale

        if is_stale(run_dir):  # its process died without a word
            return "stale"
    return status


# ------------------------------------------------------------------ tables
def daily_table(model: JourneyModel) -> pd.DataFrame:
    """One row per simulated day, 1 to ``days``: stage occupancy at the end of the day and the
    day's KPIs (the initial state is :func:`initial_stages`; see :mod:`journeysim.columns`)."""
    c, days = model.collector, model.day
    frame = pd.DataFrame(c.stage_counts[1: days + 1], columns=list(STAGE_NAMES))
    frame.insert(0, "day", np.arange(1, days + 1))
    for name, values in c.daily.items():
        frame[name] = values[:days]
    frame["spend"] = c.spend[:days].sum(axis=1)
    frame["impressions"] = c.impressions[:days].sum(axis=1)
    if model.spec.kind == "bass":
        frame["adopted_fraction"] = POST_PURCHASE.count(c.stage_counts[1: days + 1]) / model.state.size
    return frame


def initial_stages(model: JourneyModel) -> dict[str, int]:
    """Customers per stage before day 1 (``summary.json`` → ``initial``; no day of any table)."""
    return {name: int(n) for name, n in zip(STAGE_NAMES, model.collector.stage_counts[0], strict=True)}


OUTSIDE = "outside"
"""The flows table's name for outside the market (open population): entrants move from it to
unaware, leavers from their stage to it."""


def flows_table(model: JourneyModel) -> pd.DataFrame:
    """Stage-to-stage moves per day (only non-zero flows), with entries into the market
    (``outside`` -> unaware) and exits from it (stage -> ``outside``) of an open population, so
    that each day's flows move the stage counts from the day before to that day."""
    c, days = model.collector, model.day
    flows = c.flows[:days]
    day, src, dst = np.nonzero(flows)
    names = np.array(STAGE_NAMES)
    moves = pd.DataFrame({"day": day + 1, "from_stage": names[src], "to_stage": names[dst],
                          "customers": flows[day, src, dst]})
    entered = np.flatnonzero(c.daily["entrants"][:days])
    left_day, left_stage = np.nonzero(c.departures[:days])
    if entered.size + left_day.size == 0:
        return moves
    turnover = pd.DataFrame({
        "day": np.concatenate([entered, left_day]) + 1,
        "from_stage": np.concatenate([np.full(entered.size, OUTSIDE), names[left_stage]]),
        "to_stage": np.concatenate([np.full(entered.size, names[0]), np.full(left_day.size, OUTSIDE)]),
        "customers": np.concatenate([c.daily["entrants"][entered].astype(np.int64),
                                     c.departures[left_day, left_stage]]),
    })
    return pd.concat([moves, turnover], ignore_index=True).sort_values("day", kind="stable", ignore_index=True)


def channels_table(model: JourneyModel) -> pd.DataFrame:
    """Per channel and day: impressions bought, people reached, spend, and acquisitions
    whose last touch was the channel."""
    c, days, names = model.collector, model.day, model.spec.channel_names
    k = len(names)
    return pd.DataFrame({
        "day": np.repeat(np.arange(1, days + 1), k),
        "channel": np.tile(np.array(names), days),
        "impressions": c.impressions[:days].ravel(),
        "reach": c.reach[:days].ravel(),
        "spend": c.spend[:days].ravel(),
        "last_touch_acquisitions": c.acquisitions_by_source[:days, :k].ravel(),
    })


def events_table(model: JourneyModel) -> pd.DataFrame:
    """The journey log of the sampled customers."""
    return model.journey_log.frame(model.spec.channel_names, STAGE_NAMES)


def brands_table(model: JourneyModel, window: int = 28) -> pd.DataFrame:
    """Per day and brand (runs with competitors): orders, revenue and media spend (currency), and
    the brand's share of the category's orders over the trailing ``window`` days."""
    from journeysim.sim.market_share import shares_over_time

    c, days = model.competition, model.day
    share = shares_over_time(model, window)
    parts = [pd.DataFrame({"day": np.arange(1, days + 1), "brand": name, "orders": c.orders[:days, k],
                           "revenue": c.revenue[:days, k], "spend": c.spend[:days, k], "share_volume": share[:, k]})
             for k, name in enumerate(c.names)]
    return pd.concat(parts, ignore_index=True)


def tables(model: JourneyModel, events: bool = True) -> dict[str, pd.DataFrame]:
    """Every table of a run by name (without the journey log when ``events`` is false; ``brands``
    only with competitors)."""
    from journeysim.journey_map import journey_map_tables

    frames = {"daily": daily_table(model), "flows": flows_table(model), "channels": channels_table(model)}
    frames["journey_map"], frames["journey_touchpoints"] = journey_map_tables(model)
    frames["journey_map_by_device"], frames["journey_touchpoints_by_device"] = journey_map_tables(model, "device")
    if model.competition is not None:
        frames["brands"] = brands_table(model)
    return {**frames, "events": events_table(model)} if events else frames


# ------------------------------------------------------------------ writing a run
def write_figures(model: JourneyModel, frames: dict[str, pd.DataFrame], run_dir: Path) -> list[Path]:
    """Write the run's PNG figures (headless: no backend involved); returns their paths."""
    from journeysim import plots
    from journeysim.journey_map import plot_journey_map
    from journeysim.units import currency_from

    journey_map = plot_journey_map(frames["journey_map"], frames["journey_touchpoints"],
                                   ax=plots.headless_axes("journey_map"))
    written = [write_figure(run_dir / "journey_map.png", journey_map.figure)]
    if model.spec.kind == "bass":
        ax = plots.plot_adoption(frames["daily"], ax=plots.headless_axes("adoption"), **model.spec.scenario_params)
        return [*written, write_figure(run_dir / "adoption.png", ax.figure)]
    currency = currency_from(model.spec)
    figures = {
        "stages": lambda ax: plots.plot_stages(frames["daily"], ax=ax),
        "funnel": lambda ax: plots.plot_funnel(kpis.funnel(model), ax=ax),
        "flows": lambda ax: plots.plot_flows(frames["flows"], ax=ax),
        "channels": lambda ax: plots.plot_channels(frames["channels"], ax=ax, currency=currency),
        "lifetime_value": lambda ax: plots.plot_cohort_value(model.lifetime.cumulative_per_customer(model.day), ax=ax,
                                                             currency=currency),
    }
    if model.service is not None:
        figures["service"] = lambda ax: plots.plot_service(frames["daily"], ax=ax)
    if model.competition is not None:
        figures["brand_shares"] = lambda ax: plots.plot_brand_shares(frames["brands"], ax=ax)
        figures["switching"] = lambda ax: plots.plot_switching(market_share.switching_matrix(model), ax=ax)
    return [*written, *(write_figure(run_dir / f"{name}.png", draw(plots.headless_axes(name)).figure)
                        for name, draw in figures.items())]


def run_summary(model: JourneyModel, meta: dict[str, Any]) -> dict[str, Any]:
    """``summary.json`` of a run: ``meta``, the KPIs, and per market what it reports besides
    (a Bass run: adoption, milestones and the fit to the closed form; service KPIs)."""
    from journeysim.units import currency_from

    currency = currency_from(model.spec)
    summary = {**meta, "currency": {"code": currency.code, "symbol": currency.symbol}, "kpis": kpis.summary(model),
               "initial": {"stages": initial_stages(model)}}
    if model.spec.kind == "bass":
        from journeysim.scenarios.bass import bass_fit

        adopted = POST_PURCHASE.count(model.collector.stage_counts[: model.day + 1]) / model.state.size
        summary["bass"] = bass_fit(adopted, **model.spec.scenario_params)
    if model.service is not None:
        summary["service"] = model.service.summary()
    if model.competition is not None:
        summary["competition"] = market_share.summary(model)
    summary["devices"] = devices.summary(model.collector, model.day)
    summary["places"] = places.summary(model.collector, model.day)
    if model.accounts is not None:  # B2B: accounts, committee sizes, time to purchase (sim/accounts.py)
        summary["accounts"] = model.accounts.summary(model.state.entered)
    return summary


def write_run(model: JourneyModel, run_dir: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """Write tables, figures and ``summary.json``; mark the run complete. Returns the summary."""
    run_dir = Path(run_dir)
    frames = tables(model, events=False)  # the journey log is streamed, never held as one table
    outputs = model.spec.outputs
    if outputs.tables:
        for name in ("daily", "flows", "channels", "journey_map", "journey_touchpoints", "journey_map_by_device",
                     "journey_touchpoints_by_device", "brands"):
            if name in frames:
                write_table(run_dir / name, frames[name], outputs.format)
        write_table(run_dir / "events", model.journey_log.frames(model.spec.channel_names, STAGE_NAMES),
                    outputs.format)
    if model.spec.kind == "bass":
        write_table(run_dir / "adoption", frames["daily"][["day", "adopted_fraction"]], outputs.format)
    if outputs.figures:
        write_figures(model, frames, run_dir)
    summary = run_summary(model, meta)
    write_json(run_dir / "summary.json", summary)
    mark_status(run_dir, "complete")
    return summary
