"""What every validation experiment returns and how its outputs are written.

An experiment states its pass criteria as :class:`Check` objects (a criterion in words,
whether it held, and the numbers behind it), writes its tables as CSV and its figure as
PNG, and runs its independent simulations through the shared runner
(:func:`journeysim.experiments.runner.parallel_map`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from journeysim.outputs import write_csv, write_figure


@dataclass(frozen=True)
class Check:
    """One statement an experiment tests.

    Attributes
    ----------
    experiment : str
        The experiment's name.
    criterion : str
        What must hold, in words.
    passed : bool or None
        The outcome; None marks a finding that is reported but is not a pass criterion
        (for instance a published claim the replication does not reproduce).
    detail : str
        The numbers behind the outcome.
    """

    experiment: str
    criterion: str
    passed: bool | None
    detail: str

    @property
    def status(self) -> str:
        """``PASS``, ``FAIL`` or ``REPORTED``."""
        if self.passed is None:
            return "REPORTED"
        return "PASS" if self.passed else "FAIL"


@dataclass
class Outcome:
    """What an experiment produced: its checks and the files it wrote."""

    name: str
    checks: list[Check]
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """True when no pass criterion failed (reported findings do not count)."""
        return all(check.passed is not False for check in self.checks)


def save_table(out_dir: Path, name: str, frame: pd.DataFrame) -> Path:
    """Write ``frame`` as ``<out_dir>/<name>.csv`` (atomically)."""
    return write_csv(Path(out_dir) / f"{name}.csv", frame)


def save_figure(out_dir: Path, name: str, figure: Any) -> Path:
    """Write a matplotlib figure as ``<out_dir>/<name>.png`` (atomically) and close it."""
    return write_figure(Path(out_dir) / f"{name}.png", figure)


def saved_outcome(out_dir: Path, name: str, checks: list[Check], table: pd.DataFrame, figure: Any) -> Outcome:
    """The outcome of experiment ``name``: its checks, with its table and figure written to ``out_dir``."""
    return Outcome(name, checks, [save_table(out_dir, name, table), save_figure(out_dir, name, figure)])


def default_jobs() -> int:
    """Worker processes to use: the machine's cores, at most 2 (the target machine has 2)."""
    return max(1, min(2, os.cpu_count() or 1))
