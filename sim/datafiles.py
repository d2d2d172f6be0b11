"""CSV data files (edge lists, observed data): one reader that reports the first bad line.

Every check raises :class:`~journeysim.sim.errors.ConfigError` naming the file with its line and
column, the text found there and what the column accepts.
"""

from __future__ import annotations

import csv
import difflib
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from journeysim.sim.errors import ConfigError, closest
from journeysim.sim.schema.messages import range_words

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
        return range_words("a whole number" if self.kind == "int" else "a finite decimal number", self.low, self.high)

    def parse(self, text: str) -> float | str | None:
        """The field's value, or None when ``text`` is not allowed."""
        text = text.strip()
        if self.kind == "str":
            ok = bool(text) and (self.choices is None or text in self.choices)
            return text if ok else None
        pattern = INTEGER if self.kind == "int" else DECIMAL
        if not pattern.fullmatch(text):
            return None
        value = int(text) if self.kind == "int" else float(text)  # a whole number may be huge: no isfinite
        if (self.kind == "float" and not np.isfinite(value)) or (self.low is not None and value < self.low) or (
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
                raise ConfigError(self.where(line), shown(name), f"a header naming the columns {', '.join(wanted)}: "
                                  f"{closest(name, wanted)}")
        missing = [name for name in wanted if name not in names]
        if missing:
            others = [name for name in names if name not in wanted]
            typos = [(close[0], m) for m in missing if (close := difflib.get_close_matches(m, others, 1, 0.5))]
            hint = "".join(f"; is '{typo}' meant to be '{name}'?" for typo, name in typos)
            raise ConfigError(self.where(line), first_line(fields),
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
                    raise ConfigError(self.where(line, column.name), shown(fields[position].strip()),
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
        raise ConfigError(self.where(line), first_line(fields, "a line"),
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


SHOWN_CHARACTERS = 24
"""Longest field a message quotes; a longer one is described, not echoed (it may be any file)."""


def shown(text: str) -> str:
    """A field as a message quotes it: itself when short, else its length (a file given by mistake
    must not have its contents printed)."""
    return text if len(text) <= SHOWN_CHARACTERS else f"a field of {len(text)} characters"


def first_line(fields: list[str], what: str = "a first line") -> str:
    """A whole line as a message describes it: how many fields, never its text."""
    return f"{what} of {len(fields)} field{'s' if len(fields) != 1 else ''}"


def _array(column: Column, values: list) -> np.ndarray:
    dtype = {"int": np.int64, "float": np.float64}.get(column.kind, object)
    return np.array(values, dtype=dtype)


