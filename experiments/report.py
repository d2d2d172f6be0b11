"""Write a sweep comparison: ``comparison.csv``, ``comparison.md``, ``runs.csv`` and the figures."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from journeysim import units
from journeysim.experiments.aggregate import Comparison
from journeysim.outputs import atomic_write, write_csv, write_figure
from journeysim.units import KPIS, format_estimate

LABELS = {key: units.kpi(key).label for key in KPIS}
"""KPI labels shared with the single-run KPI table (:mod:`journeysim.units`)."""


MIN_SEEDS = 5
"""Fewest seeds per scenario whose intervals a comparison shows without a warning."""


def markdown_table(comparison: Comparison, kpis: Sequence[str] | None = None) -> str:
    """The comparison as a Markdown table: a row per KPI, columns ``mean ± half-width`` per scenario
    and ``Δ`` (paired difference to the reference, bold when its interval excludes zero)."""
    table = comparison.table
    kpis = [k for k in (kpis or [k for k in KPIS if k in set(table["kpi"])])]
    reference = comparison.reference.label
    others = [g.label for g in comparison.groups if g.label != reference]
    header = ["KPI", f"`{reference}`"]
    for label in others:
        header += [f"`{label}`", "Δ"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    rows = table.set_index(["scenario", "kpi"])
    for kpi in kpis:
        cells = [units.kpi(kpi).label]
        for label in [reference, *others]:
            row = rows.loc[(label, kpi)]
            cells.append(format_estimate(kpi, row["mean"], row["ci_low"], row["ci_high"], comparison.currency))
            if label != reference:
                cells.append(_difference_cell(row, kpi, comparison.currency))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _difference_cell(row: pd.Series, kpi: str, currency: units.Currency) -> str:
    text = format_estimate(kpi, row["diff"], row["diff_ci_low"], row["diff_ci_high"], currency, difference=True)
    if row["diff_ci_low"] > 0 or row["diff_ci_high"] < 0:
        return f"**{text}**"
    return text


def markdown(comparison: Comparison, kpis: Sequence[str] | None = None) -> str:
    """The whole ``comparison.md``: what was compared, the table, and the runs left out."""
    seeds = sorted({len(g.runs) for g in comparison.groups})
    per = f"{seeds[0]}" if len(seeds) == 1 else f"{seeds[0]} to {seeds[-1]}"
    level = f"{comparison.level:.0%}"
    notes = comparison.notes()
    count = len(comparison.groups)
    legend = f"Each cell: mean over seeds ± half-width of its {level} t interval."
    if count > 1:
        legend += (f" Δ: paired difference to `{comparison.reference.label}` over the seeds both have (common "
                   f"random numbers), ± half-width of its {level} t interval; **bold** when the interval excludes "
                   "zero (pp: percentage points).")
    text = [
        f"# Sweep comparison: {count} scenario{'s' if count > 1 else ''} × {per} seed{'s' if per != '1' else ''}",
        "",
        legend,
        "",
        markdown_table(comparison, kpis),
        "",
        f"Runs: {notes[0]}",
    ]
    text += [f"- {line}" for line in notes[1:]]
    if seeds[0] < MIN_SEEDS:
        text += ["", f"**Warning:** intervals from {per} seed{'s' if per != '1' else ''} per scenario are unreliable: "
                     f"t intervals need at least {MIN_SEEDS} seeds (sweep with seed='range({MIN_SEEDS})')."]
    return "\n".join(text) + "\n"


def runs_table(comparison: Comparison) -> pd.DataFrame:
    """One row per run directory (and per missing job): status, group, seed, error and KPIs."""
    labels = {(g.scenario, g.settings): g.label for g in comparison.groups}
    rows = []
    for run in comparison.runs:
        rows.append({"path": comparison.relative(run.path), "status": run.status,
                     "scenario": labels.get((run.scenario, run.settings), run.scenario), "seed": run.seed,
                     "overrides": " ".join(run.job), "error": run.error, **run.kpis})
    rows += [{"path": None, "status": "missing", "overrides": " ".join(job)} for job in comparison.missing]
    return pd.DataFrame(rows)


def write_comparison(comparison: Comparison, out_dir: str | Path | None = None, figures: bool = True,
                     kpis: Sequence[str] | None = None) -> list[Path]:
    """Write ``comparison.csv``, ``comparison.md``, ``runs.csv`` and (optionally) the two figures.

    Parameters
    ----------
    comparison : Comparison
        The sweep's aggregate.
    out_dir : str or Path, optional
        Where to write (default: the sweep directory).
    figures : bool
        Also write ``comparison.png`` and ``differences.png``.
    kpis : sequence of str, optional
        KPIs for the Markdown table and figures (default: the headline KPIs).
    """
    out = Path(out_dir) if out_dir is not None else comparison.sweep_dir
    text = markdown(comparison, kpis)
    written = [write_csv(out / "comparison.csv", comparison.table), write_csv(out / "runs.csv", runs_table(comparison)),
               atomic_write(out / "comparison.md", lambda tmp: tmp.write_text(text))]
    if figures:
        from journeysim.experiments import plots

        shown = kpis or plots.HEADLINE
        written.append(write_figure(out / "comparison.png",
                                    plots.comparison_figure(comparison.table, shown, comparison.level,
                                                            comparison.currency)))
        if len(comparison.groups) > 1:
            written.append(write_figure(out / "differences.png",
                                        plots.differences_figure(comparison.table, shown, comparison.level,
                                                                 comparison.currency)))
    from journeysim.manifest import write_manifest

    written.append(write_manifest(out, seeds=comparison_seeds(comparison)))
    return written


def comparison_seeds(comparison: Comparison) -> list[int] | None:
    """The seeds of a sweep's runs (None if the runs table has none)."""
    runs = runs_table(comparison)
    return sorted({int(s) for s in runs["seed"].dropna()}) if "seed" in runs else None
