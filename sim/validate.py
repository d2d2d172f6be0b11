"""Validation beyond single values: unknown keys, CSV data files and the memory a run needs.

Every check raises :class:`~journeysim.sim.errors.ConfigError` naming where the bad input is
(a dotted config key, or a file with its line and column), the value given and what is allowed.
"""

from __future__ import annotations

import csv
import difflib
import os
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from journeysim.sim.errors import ConfigError, closest

if TYPE_CHECKING:
    from journeysim.sim.config import RunSpec


# --------------------------------------------------------------------------- config keys
def check_keys(section: Mapping, known: Iterable[str], prefix: str) -> None:
    """Reject keys of ``section`` that are not in ``known``, suggesting the closest.

    Parameters
    ----------
    section : Mapping
        A config section (its keys are checked, not its values).
    known : iterable of str
        The keys that section may hold.
    prefix : str
        Dotted key of the section ('' for the root), used in the message.
    """
    known = tuple(known)
    for key in section:
        if key not in known:
            full = f"{prefix}.{key}" if prefix else str(key)
            raise ConfigError(full, key, f"a key of {prefix or 'the root config'}: {closest(str(key), known)}")


# --------------------------------------------------------------------------- CSV files
INTEGER = re.compile(r"[+-]?\d+")
DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class Column:
    """One required column of a CSV data file.

    Parameters
    ----------
    name : str
        Column name (as a header names it).
    kind : {'int', 'float', 'str'}
        Whole numbers, decimal numbers or non-empty text.
    low, high : float, optional
        Inclusive bounds of a numeric column.
    choices : tuple of str, optional
        The values a text column may take.
    """

    name: str
    kind: str = "float"
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None

    def allowed(self) -> str:
        """What the column accepts, in words."""
        if self.kind == "str":
            return closest("", self.choices) if self.choices else "non-empty text"
        what = "a whole number" if self.kind == "int" else "a finite decimal number"
        if self.low is not None and self.high is not None:
            return f"{what} from {self.low:g} to {self.high:g}"
        if self.low is not None:
            return f"{what} of at least {self.low:g}"
        if self.high is not None:
            return f"{what} of at most {self.high:g}"
        return what

    def parse(self, text: str) -> float | str | None:
        """The field's value, or None when ``text`` is not allowed."""
        text = text.strip()
        if self.kind == "str":
            ok = bool(text) and (self.choices is None or text in self.choices)
            return text if ok else None
        pattern = INTEGER if self.kind == "int" else DECIMAL
        if not pattern.fullmatch(text):
            return None
        value = int(text) if self.kind == "int" else float(text)
        if not np.isfinite(value) or (self.low is not None and value < self.low) or (
                self.high is not None and value > self.high):
            return None
        return value

    def why(self, text: str) -> str:
        """What is wrong with ``text`` (which :meth:`parse` rejected), in words."""
        if not text.strip():
            return f"{self.allowed()} (the field is empty)"
        if self.kind == "str" and self.choices:
            return closest(text.strip(), self.choices)
        return self.allowed()


def read_csv_table(path: str | Path, columns: Sequence[Column], *, key: str, header: str = "optional",
                   allow_extra: bool = False, min_rows: int = 0) -> dict[str, np.ndarray]:
    """Read a CSV data file whose rows must hold ``columns``, reporting the first bad line.

    Lines that are blank or start with ``#`` are skipped. A header row names the columns
    (in any order); without one the columns are taken by position.

    Parameters
    ----------
    path : str or Path
        The file.
    columns : sequence of Column
        Required columns, their types and ranges.
    key : str
        Config key that named the file (used in messages, e.g. ``network.edge_list``).
    header : {'optional', 'required', 'none'}
        Whether the first row names the columns. 'optional' takes it for a header when its
        first field is not a valid value of the first column.
    allow_extra : bool
        Accept (and ignore) columns beyond ``columns``.
    min_rows : int
        Fewest data rows the file must hold.

    Returns
    -------
    dict of str to ndarray
        One array per column: int64, float64 or object (text).

    Raises
    ------
    ConfigError
        Naming the file, the line (1-based) and the column of the first bad field, the text
        found there and what the column accepts.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(key, str(path), "a path to an existing CSV file")
    table = CsvTable(path, tuple(columns), key, header, allow_extra)
    data = table.fast_read()
    if data is None:
        data = table.careful_read()
    rows = len(next(iter(data.values()))) if data else 0
    if rows < min_rows:
        raise ConfigError(f"{key} ({path.name})", f"{rows} data rows", f"at least {min_rows} data rows")
    return data


class CsvTable:
    """The reading rules of :func:`read_csv_table`: a fast pandas pass for files that are
    valid, and a careful line-by-line pass that finds the first bad field."""

    def __init__(self, path: Path, columns: tuple[Column, ...], key: str, header: str, allow_extra: bool) -> None:
        if header not in ("optional", "required", "none"):
            raise ValueError(f"header must be optional, required or none, not {header!r}")
        self.path, self.columns, self.key = path, columns, key
        self.header, self.allow_extra = header, allow_extra

    def where(self, line: int, column: str | None = None) -> str:
        """Key of a place in the file, for messages."""
        place = f"line {line}" if column is None else f"line {line}, column '{column}'"
        return f"{self.key} ({self.path.name}, {place})"

    def _lines(self) -> Iterable[tuple[int, list[str]]]:
        """(line number, fields) of the lines that are not blank or comments."""
        with self.path.open(newline="", encoding="utf-8", errors="replace") as handle:
            for number, text in enumerate(handle, start=1):
                text = text.split("#", 1)[0]
                if text.strip():
                    yield number, next(csv.reader([text]))

    def _is_header(self, fields: list[str]) -> bool:
        if self.header != "optional":
            return self.header == "required"
        return self.columns[0].parse(fields[0]) is None

    def _positions(self, line: int, fields: list[str] | None) -> list[int]:
        """Field position of each column: from the header's names, or by position."""
        if fields is None:
            return list(range(len(self.columns)))
        names = [f.strip() for f in fields]
        wanted = [c.name for c in self.columns]
        for name in names:
            if name not in wanted and not self.allow_extra:
                raise ConfigError(self.where(line), name, f"a header naming the columns {', '.join(wanted)}: "
                                  f"{closest(name, wanted)}")
        missing = [name for name in wanted if name not in names]
        if missing:
            others = [name for name in names if name not in wanted]
            typos = [(close[0], m) for m in missing if (close := difflib.get_close_matches(m, others, 1, 0.5))]
            hint = "".join(f"; is '{typo}' meant to be '{name}'?" for typo, name in typos)
            raise ConfigError(self.where(line), ",".join(fields),
                              f"a header naming the columns {', '.join(wanted)} (missing: {', '.join(missing)}{hint})")
        return [names.index(name) for name in wanted]

    def careful_read(self) -> dict[str, np.ndarray]:
        """Line by line; raises at the first bad line."""
        values: list[list] = [[] for _ in self.columns]
        positions = None
        width = len(self.columns)
        for line, fields in self._lines():
            if positions is None:
                header = self._is_header(fields)
                positions = self._positions(line, fields if header else None)
                width = len(fields) if header else width
                if header:
                    continue
            self._check_width(line, fields, width)
            for column, position, out in zip(self.columns, positions, values, strict=True):
                value = column.parse(fields[position])
                if value is None:
                    raise ConfigError(self.where(line, column.name), fields[position].strip(),
                                      column.why(fields[position]))
                out.append(value)
        if positions is None and self.header == "required":
            raise ConfigError(f"{self.key} ({self.path.name})", "an empty file",
                              f"a header naming the columns {', '.join(c.name for c in self.columns)}")
        return {c.name: _array(c, v) for c, v in zip(self.columns, values, strict=True)}

    def _check_width(self, line: int, fields: list[str], width: int) -> None:
        if len(fields) == width or (self.allow_extra and len(fields) > width):
            return
        names = ",".join(c.name for c in self.columns)
        count = f"at least {width}" if self.allow_extra else f"{width}"
        raise ConfigError(self.where(line), ",".join(fields),
                          f"{count} comma-separated fields ({names}); found {len(fields)}")

    def fast_read(self) -> dict[str, np.ndarray] | None:
        """Whole-file read with pandas; None when anything looks wrong (then read carefully)."""
        import pandas as pd

        first = next(iter(self._lines()), None)
        if first is None:
            return None
        header = self._is_header(first[1])
        if header and any(f.strip() != f for f in first[1]):
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                frame = pd.read_csv(self.path, comment="#", header=0 if header else None, index_col=False,
                                    skip_blank_lines=True, low_memory=False, skipinitialspace=True,
                                    keep_default_na=False, na_values=[""])
        except (ValueError, pd.errors.ParserError, pd.errors.ParserWarning, UnicodeDecodeError):
            return None
        if not header:
            if frame.shape[1] < len(self.columns) or (frame.shape[1] > len(self.columns) and not self.allow_extra):
                return None
            frame.columns = [c.name for c in self.columns] + list(frame.columns[len(self.columns):])
        return self._checked(frame)

    def _checked(self, frame) -> dict[str, np.ndarray] | None:
        if set(frame.columns) - {c.name for c in self.columns} and not self.allow_extra:
            return None
        out = {}
        for column in self.columns:
            if column.name not in frame.columns:
                return None
            values = _fast_values(column, frame[column.name])
            if values is None:
                return None
            out[column.name] = values
        return out


def _fast_values(column: Column, series) -> np.ndarray | None:
    """The column's values when every one of them is valid, else None."""
    if column.kind == "str":
        if series.dtype != object or not series.map(lambda v: isinstance(v, str)).all():
            return None
        values = series.str.strip().to_numpy(dtype=object)
        if (values == "").any() or (column.choices is not None and not np.isin(values, column.choices).all()):
            return None
        return values
    if column.kind == "int" and series.dtype.kind not in "iu":
        return None
    if column.kind == "float" and series.dtype.kind not in "iuf":
        return None
    values = series.to_numpy(dtype=np.int64 if column.kind == "int" else np.float64)
    if column.kind == "float" and not np.isfinite(values).all():
        return None
    if values.size and ((column.low is not None and values.min() < column.low)
                        or (column.high is not None and values.max() > column.high)):
        return None
    return values


def _array(column: Column, values: list) -> np.ndarray:
    dtype = {"int": np.int64, "float": np.float64}.get(column.kind, object)
    return np.array(values, dtype=dtype)


# --------------------------------------------------------------------------- memory
MESA_AGENT_BYTES = 700
"""Bytes per eagerly created Mesa ``Customer`` agent (measured with Mesa 3.3)."""

STATE_BYTES = 180
"""Bytes per customer of the state arrays, derived rates, log mask and the step's temporaries."""

IMPRESSION_CHANNEL_BYTES = 8
"""Bytes per customer of an impressions channel's frequency stock (float32 stock, int32 day)."""

BROADCAST_CHANNEL_BYTES = 4
"""Bytes per customer of a broadcast channel's dose weights (float32)."""

GRAPH_BYTES_PER_DEGREE = 220
"""Peak bytes per customer per unit of mean degree while networkx builds a random graph."""

GROUPS_BYTES = 24
"""Bytes per customer of the personal-groups network (group id and sort order)."""

EDGE_LIST_FACTOR = 4.0
"""Peak bytes held while reading an edge list, per byte of the file."""

HEADROOM = 1.25
"""Safety factor on the estimate (allocator slack, pandas tables at the end of a run)."""

EAGER_AGENT_LIMIT = 200_000
"""``outputs.mesa_agents: auto`` creates agents up front up to this size (see ``sim/model.py``)."""


def bytes_per_customer(spec: RunSpec) -> float:
    """Estimated peak bytes a run needs per customer (before :data:`HEADROOM`).

    Parameters
    ----------
    spec : RunSpec
        The validated run (population, channels, network, outputs).
    """
    per = STATE_BYTES
    for channel in spec.channels:
        per += BROADCAST_CHANNEL_BYTES if channel.kind == "broadcast" else IMPRESSION_CHANNEL_BYTES
    network = spec.network
    if network.type in ("erdos_renyi", "watts_strogatz", "barabasi_albert", "homophilous"):
        per += GRAPH_BYTES_PER_DEGREE * network.mean_degree
    elif network.type == "groups":
        per += GROUPS_BYTES
    mode = spec.outputs.mesa_agents
    if mode == "eager" or (mode == "auto" and spec.population.size <= EAGER_AGENT_LIMIT):
        per += MESA_AGENT_BYTES
    return per


def estimate_bytes(spec: RunSpec) -> int:
    """Estimated peak memory of a run in bytes, headroom included."""
    fixed = 0.0
    if spec.network.type == "edge_list" and spec.network.edge_list:
        path = Path(spec.network.edge_list)
        fixed += EDGE_LIST_FACTOR * path.stat().st_size if path.is_file() else 0.0
    days, k = spec.days, len(spec.channels)
    fixed += days * (64 + 8 * 4 * k + 8 * 40)  # collector arrays: flows, channels, daily KPIs
    return int(HEADROOM * (fixed + bytes_per_customer(spec) * spec.population.size))


def available_memory() -> int | None:
    """Bytes that can be allocated now (MemAvailable, capped by a cgroup limit); None if unknown."""
    available = None
    try:
        import psutil

        available = int(psutil.virtual_memory().available)
    except (ImportError, OSError):
        available = _meminfo_available()
    limit = _cgroup_room()
    if limit is not None:
        available = limit if available is None else min(available, limit)
    return available


def _meminfo_available() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _cgroup_room() -> int | None:
    """Bytes left under a cgroup v2 memory limit (None when there is no limit)."""
    base = Path("/sys/fs/cgroup")
    try:
        limit = (base / "memory.max").read_text().strip()
        if limit == "max":
            return None
        return max(int(limit) - int((base / "memory.current").read_text()), 0)
    except (OSError, ValueError):
        return None


def check_memory(spec: RunSpec, available: int | None = None) -> None:
    """Refuse a population whose estimated peak memory exceeds what is available.

    Parameters
    ----------
    spec : RunSpec
        The validated run.
    available : int, optional
        Bytes available (default: :func:`available_memory`).

    Raises
    ------
    ConfigError
        Naming ``population.size``, the estimate and the largest size that fits.
    """
    available = available_memory() if available is None else available
    if available is None:
        return
    need = estimate_bytes(spec)
    if need <= available:
        return
    per = HEADROOM * bytes_per_customer(spec)
    fits = int((available - (need - per * spec.population.size)) // per)
    fits = _round_down(max(fits, 0))
    raise ConfigError("population.size", spec.population.size,
                      f"a population that fits in memory: this run needs about {_gib(need)} but "
                      f"{_gib(available)} is available, so at most about {fits:,} customers with this "
                      "network and outputs.mesa_agents (lazy agents or a sparser network need less)")


def _round_down(n: int) -> int:
    """``n`` rounded down to two significant digits."""
    if n < 100:
        return n
    step = 10 ** (len(str(n)) - 2)
    return n // step * step


def _gib(n: float) -> str:
    return f"{n / 2**30:.1f} GiB"
