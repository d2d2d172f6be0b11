"""Aggregate a sweep: each scenario's KPIs over seeds, and paired differences against a reference.

A *scenario* here is a group of runs that differ only in their seed: the scenario's name
together with every other override of the job (``baseline market.checkout_friction=0.1``).
Only complete runs count; failed, unfinished, missing and broken ones (said complete, but with a
missing, empty or malformed ``summary.json``) are listed in the notes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from journeysim.experiments.intervals import LEVEL, mean_interval, paired_difference, welch_difference
from journeysim.experiments.runs import Run, override_key, sweep_runs
from journeysim.sim.errors import ConfigError, unknown_name
from journeysim.units import DEFAULT_CURRENCY, Currency

DEFAULT_REFERENCE = "baseline"
COLUMNS = ("scenario", "kpi", "n", "mean", "sd", "ci_low", "ci_high", "reference", "n_pairs", "diff",
           "diff_ci_low", "diff_ci_high", "diff_p", "welch_ci_low", "welch_ci_high")
"""Columns of ``comparison.csv``: one row per scenario and KPI (``diff*`` and ``welch*``: against
the reference; empty on the reference's own rows)."""


@dataclass
class Group:
    """Runs that differ only in their seed.

    Attributes
    ----------
    scenario : str
        The scenario's name.
    settings : tuple of str
        Every other override of the group's jobs (sorted).
    label : str
        The scenario's name and the overrides that vary across the sweep.
    runs : list of Run
        The group's complete runs.
    """

    scenario: str
    settings: tuple[str, ...]
    label: str = ""
    runs: list[Run] = field(default_factory=list)

    def values(self, kpi: str) -> dict[int, float]:
        """The KPI by seed (seed -> value, in the KPI's unit)."""
        return {run.seed: run.kpis.get(kpi, math.nan) for run in self.runs}

    @property
    def seeds(self) -> list[int]:
        """Seeds of the group's complete runs, in ascending order."""
        return sorted(run.seed for run in self.runs)


def group_runs(runs: Sequence[Run]) -> list[Group]:
    """Group complete runs by everything but the seed, in the order they first appear.

    Labels name the scenario and only the overrides whose value differs across groups.
    Duplicate runs of one group and seed (a run directory copied twice) count once.
    """
    groups: dict[tuple[str, tuple[str, ...]], Group] = {}
    for run in runs:
        if run.status != "complete" or run.seed is None:
            continue
        group = groups.setdefault((run.scenario, run.settings), Group(run.scenario, run.settings))
        if run.seed not in {r.seed for r in group.runs}:
            group.runs.append(run)
    varying = _varying_keys([g.settings for g in groups.values()])
    for group in groups.values():
        shown = [s for s in group.settings if override_key(s) in varying]
        group.label = " ".join([group.scenario, *shown])
    return list(groups.values())


def _varying_keys(settings: list[tuple[str, ...]]) -> set[str]:
    keys = {override_key(s) for each in settings for s in each}
    values = {key: {dict((override_key(s), s) for s in each).get(key) for each in settings} for key in keys}
    return {key for key, seen in values.items() if len(seen) > 1}


def choose_reference(groups: Sequence[Group], reference: str | None = None) -> Group:
    """The group differences are taken against.

    Parameters
    ----------
    groups : sequence of Group
        The sweep's groups, in sweep order.
    reference : str, optional
        A group's label, or words of one label (``market.checkout_friction=0.3``) that
        match exactly one group. Default: the group labelled ``baseline`` if there is one,
        else the first group.
    """
    if not groups:
        raise ConfigError("sweep", "no complete runs", "a sweep directory with at least one complete run")
    if reference is None:
        return next((g for g in groups if g.label == DEFAULT_REFERENCE), groups[0])
    exact = [g for g in groups if g.label == reference]
    words = set(reference.split())
    matches = exact or [g for g in groups if words <= set(g.label.split())]
    if len(matches) != 1:
        listed = "; ".join(g.label for g in groups)
        raise ConfigError("reference", reference, f"the label (or words of the label) of exactly one of: {listed}")
    return matches[0]


def kpi_names(groups: Sequence[Group]) -> list[str]:
    """KPI names in summary order (those of the first complete run, then any others)."""
    names: dict[str, None] = {}
    for group in groups:
        for run in group.runs:
            names.update(dict.fromkeys(run.kpis))
    return list(names)


def compare(groups: Sequence[Group], reference: Group, kpis: Sequence[str] | None = None,
            level: float = LEVEL) -> pd.DataFrame:
    """One row per group and KPI: mean with its t interval, and the difference to ``reference``.

    Parameters
    ----------
    groups : sequence of Group
        The groups to summarise, in display order.
    reference : Group
        The group differences are taken against (paired by seed, and Welch's unpaired).
    kpis : sequence of str, optional
        KPI names (default: every scalar KPI of the summaries).
    level : float
        Confidence level of every interval, 0..1.
    """
    rows = []
    for group in groups:
        for kpi in kpis or kpi_names(groups):
            rows.append(_row(group, reference, kpi, level))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _row(group: Group, reference: Group, kpi: str, level: float) -> dict:
    values = group.values(kpi)
    mean = mean_interval(values.values(), level)
    sd = float(pd.Series(list(values.values()), dtype=float).std(ddof=1)) if mean.n > 1 else math.nan
    row = {"scenario": group.label, "kpi": kpi, "n": mean.n, "mean": mean.estimate, "sd": sd,
           "ci_low": mean.low, "ci_high": mean.high, "reference": reference.label}
    if group is reference:
        return {**row, "n_pairs": math.nan}
    paired = paired_difference(values, reference.values(kpi), level)
    welch = welch_difference(values.values(), reference.values(kpi).values(), level)
    return {**row, "n_pairs": paired.n, "diff": paired.estimate, "diff_ci_low": paired.low,
            "diff_ci_high": paired.high, "diff_p": paired.p_value, "welch_ci_low": welch.low,
            "welch_ci_high": welch.high}


@dataclass
class Comparison:
    """A sweep's aggregate: its runs, groups, reference and comparison table."""

    sweep_dir: Path
    runs: list[Run]
    missing: list[tuple[str, ...]]
    groups: list[Group]
    reference: Group
    table: pd.DataFrame
    level: float = LEVEL

    def by_status(self, *statuses: str) -> list[Run]:
        """Runs whose status is one of ``statuses``."""
        return [run for run in self.runs if run.status in statuses]

    @property
    def failed(self) -> list[Run]:
        """Runs that raised an error."""
        return self.by_status("failed")

    @property
    def unfinished(self) -> list[Run]:
        """Runs that started but did not finish (interrupted, killed or still running)."""
        return [run for run in self.runs if run.status not in ("complete", "failed", "broken")]

    @property
    def broken(self) -> list[Run]:
        """Runs said complete whose ``summary.json`` is missing, empty or malformed (not compared)."""
        return self.by_status("broken")

    def notes(self) -> list[str]:
        """One line per run that is not used (failed, unfinished, missing or broken), after a count."""
        complete = len(self.by_status("complete"))
        total = len(self.runs) + len(self.missing)
        broken = f", {len(self.broken)} broken" if self.broken else ""
        lines = [f"{total} runs: {complete} complete, {len(self.failed)} failed, "
                 f"{len(self.unfinished)} unfinished, {len(self.missing)} missing{broken}."]
        lines += [f"failed: {self.relative(run.path)}: {run.error or 'no error recorded'}"
                  for run in self.failed]
        lines += [f"broken (not compared): {self.relative(run.path)}: {run.error}" for run in self.broken]
        lines += [f"unfinished ({run.status}): {self.relative(run.path)}" for run in self.unfinished]
        lines += [f"missing (never started): {' '.join(job)}" for job in self.missing]
        if len(self.currencies) > 1:
            codes = ", ".join(c.code for c in self.currencies)
            lines.append(f"money in different currencies ({codes}): amounts are compared as numbers and written "
                         f"in the reference's ({self.currency.code})")
        return lines

    @property
    def currencies(self) -> list[Currency]:
        """The currencies the complete runs report money in (one, unless the sweep varied ``market.currency``)."""
        return sorted({run.currency for group in self.groups for run in group.runs}, key=lambda c: c.code)

    @property
    def currency(self) -> Currency:
        """The currency of the tables' and figures' money: the reference runs' (see :attr:`currencies`)."""
        return self.reference.runs[0].currency if self.reference.runs else DEFAULT_CURRENCY

    def relative(self, path: Path) -> str:
        """``path`` relative to the sweep directory (as given if it lies elsewhere)."""
        try:
            return str(Path(path).relative_to(self.sweep_dir))
        except ValueError:
            return str(path)


def aggregate(sweep_dir: str | Path, reference: str | None = None, kpis: Sequence[str] | None = None,
              level: float = LEVEL) -> Comparison:
    """Read every run under ``sweep_dir`` and compare its scenarios (complete runs only).

    Parameters
    ----------
    sweep_dir : str or Path
        A Hydra sweep directory, finished or not.
    reference : str, optional
        The reference scenario (see :func:`choose_reference`).
    kpis : sequence of str, optional
        KPI names for the table (default: every scalar KPI).
    level : float
        Confidence level, 0..1.
    """
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        raise ConfigError("sweep_dir", str(sweep_dir), "an existing sweep directory")
    if not 0 < level < 1:
        raise ConfigError("level", level, "a confidence level between 0 and 1")
    runs, missing = sweep_runs(sweep_dir)
    groups = group_runs(runs)
    if not groups:
        counts = Counter(run.status for run in runs)
        found = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no run directories"
        found += "".join(f"; broken run {run.path}: {run.error}" for run in runs if run.status == "broken")
        raise ConfigError("sweep_dir", str(sweep_dir), f"a sweep with at least one complete run (found {found})")
    chosen = choose_reference(groups, reference)
    if kpis:
        known = kpi_names(groups)
        for name in kpis:
            if name not in known:
                raise unknown_name("kpi", name, known)
    table = compare(groups, chosen, kpis, level)
    return Comparison(sweep_dir, runs, missing, groups, chosen, table, level)
