"""Observed weekly data: the CSV a calibration fits, read and checked (:func:`read_observed`)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from journeysim.experiments.calibration.statistics import DAYS_PER_WEEK, statistic_range
from journeysim.sim.errors import ConfigError, closest, unknown_name

MAX_WEEKS = 36_500 // 7
"""Most weeks a data file can hold: the longest run (``days`` at most 36,500) in weeks."""
MAX_BYTES_PER_WEEK = 1_000
"""Bytes of one week's line, generously (a date and a few dozen statistics)."""


@dataclass(frozen=True)
class Observed:
    """Observed weekly aggregates.

    Attributes
    ----------
    source : str
        Where they came from (a file path).
    weeks : ndarray of int
        Week labels as numbers (the file's week numbers, or 0, 1, ... for dates).
    start : date, optional
        Date of the first week when the file gives dates.
    values : dict of str to ndarray
        One float array per statistic, one value per week.
    """

    source: str
    weeks: np.ndarray
    values: dict[str, np.ndarray]
    start: date | None = None

    @property
    def n_weeks(self) -> int:
        """Number of weeks."""
        return int(self.weeks.size)

    @property
    def names(self) -> tuple[str, ...]:
        """Statistics observed, in column order."""
        return tuple(self.values)

    def labels(self) -> list:
        """Week labels for tables and figures (dates when the file gave dates)."""
        if self.start is None:
            return [int(w) for w in self.weeks]
        return [self.start + timedelta(weeks=int(k)) for k in range(self.n_weeks)]

    def frame(self) -> pd.DataFrame:
        """The data as a table, ``week`` first."""
        return pd.DataFrame({"week": self.labels(), **self.values})

    def only(self, names: Sequence[str]) -> Observed:
        """The same data restricted to ``names`` (which must be columns)."""
        for name in names:
            if name not in self.values:
                raise unknown_name("statistics", name, self.names)
        return replace(self, values={name: self.values[name] for name in names})


def read_observed(path: str | Path, allowed: Sequence[str]) -> Observed:
    """Read and check observed weekly data from a CSV.

    Columns: ``week`` (ISO dates ``YYYY-MM-DD`` seven days apart, or week numbers increasing by
    1), then any of ``allowed``: weekly totals ``acquisitions``, ``orders``, ``revenue`` and
    ``<channel>_conversions`` (new customers whose last touch was that channel, or
    ``word_of_mouth`` / ``direct``); ``churn_rate`` (share of active customers lapsing in the
    week); ``nps`` (at the end of the week, -100..100); funnel rates ``aware_to_considering``,
    ``considering_to_deciding``, ``deciding_to_customer`` (of those leaving the first stage in the
    week, the share moving on). Every cell needs a value; blank lines and ``#`` comments are
    skipped. Values are checked by :func:`journeysim.sim.validate.read_csv_table`.

    Raises
    ------
    ConfigError
        Naming the file, its line and column, the value and what is allowed.
    """
    from journeysim.sim.validate import Column, read_csv_table

    path = Path(path)
    if not path.is_file():
        raise ConfigError("data", str(path), "an existing CSV file with a week column and statistic columns")
    size = path.stat().st_size
    if size > MAX_WEEKS * MAX_BYTES_PER_WEEK:  # checked before reading: a wrong file may be gigabytes
        raise ConfigError("data", str(path), f"a file of weekly data, at most {MAX_WEEKS:,} weeks (about "
                          f"{MAX_WEEKS * MAX_BYTES_PER_WEEK / 2**20:.0f} MiB); this one is {size / 2**20:,.0f} MiB")
    lines = _data_lines(path)
    header = [name.strip() for name in next(csv.reader([lines[0][1]]))] if lines else []
    where = f"data ({path.name}, line {lines[0][0] if lines else 1})"
    for k, name in enumerate(header):
        if name != "week" and name not in allowed:
            raise ConfigError(where, name, "a column name: " + closest(name, ["week", *allowed]))
        if name in header[:k]:
            raise ConfigError(where, name, "each column once")
    names = [name for name in header if name != "week"]
    if not names:
        raise ConfigError(where, ",".join(header), "a header with week and at least one statistic column: "
                          + ", ".join(allowed))
    columns = [Column("week", "str"), *(Column(name, "float", *statistic_range(name)) for name in names)]
    table = read_csv_table(path, columns, key="data", header="required", min_rows=2)
    weeks, start = _read_weeks(path, table["week"], [number for number, _ in lines[1:]])
    return Observed(str(path), weeks, {name: table[name] for name in names}, start)


def _data_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, text) of the lines that are not blank or comments (as ``read_csv_table`` reads them)."""
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        return [(number, text.split("#", 1)[0]) for number, text in enumerate(handle, start=1)
                if text.split("#", 1)[0].strip()]


def _read_weeks(path: Path, texts: Sequence[str], line_numbers: Sequence[int]) -> tuple[np.ndarray, date | None]:
    """Week labels as numbers (0, 1, ... for dates) and the first date; consecutive weeks or a ConfigError."""
    labels: list[int | date] = []
    for text, line in zip(texts, line_numbers, strict=False):
        where = f"data ({path.name}, line {line}, column 'week')"
        label = _week_label(text)
        if label is None:
            raise ConfigError(where, text, "an ISO date (YYYY-MM-DD) or a whole week number")
        if labels and type(label) is not type(labels[0]):
            raise ConfigError(where, text, "the same kind of week label on every row (all dates or all week numbers)")
        if labels and _week_step(labels[-1], label) != 1:
            previous = labels[-1]
            want = previous + timedelta(days=DAYS_PER_WEEK) if isinstance(previous, date) else previous + 1
            raise ConfigError(where, text, f"the week after the previous row's ({want}): one row per consecutive "
                                           "week")
        labels.append(label)
    if isinstance(labels[0], date):
        return np.arange(len(labels)), labels[0]
    return np.array(labels, dtype=np.int64), None


def _week_label(text: str) -> int | date | None:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _week_step(previous: int | date, label: int | date) -> float:
    if isinstance(label, date):
        return (label - previous).days / DAYS_PER_WEEK  # type: ignore[operator]
    return label - previous  # type: ignore[operator]


def write_observed(observed: Observed, path: str | Path) -> Path:
    """Write observed data as the CSV :func:`read_observed` reads."""
    from journeysim.outputs import write_csv

    return write_csv(Path(path), observed.frame())
