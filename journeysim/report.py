"""The KPI table printed on the terminal at the end of a run (numbers from :mod:`journeysim.units`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeysim.units import (
    COUNT,
    DEFAULT_CURRENCY,
    KPIS,
    MONEY,
    PERCENT,
    POINTS,
    Currency,
    format_value,
    kpi_rows,
    not_applicable,
)

if TYPE_CHECKING:
    from rich.console import Console

_PATTERNS = {COUNT: "{:,.0f}", PERCENT: "{:.1%}", POINTS: "{:+.1f}"}

ROWS = tuple((key, k.label, _PATTERNS.get(k.unit, f"{{:{',' if k.unit == MONEY else ''}.{k.digits}f}}"))
             for key, k in KPIS.items())
"""(key, label, ``str.format`` pattern) of the headline KPIs, for callers that format with patterns;
prefer :func:`journeysim.units.format_kpi`, which also writes the currency."""


def bass_rows(fit: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows of a Bass run: adoption, the milestones against the closed form, the fit."""
    rows = [("Adopted at the end", format_value(fit["adopted_fraction"], PERCENT, 1))]
    for level, days in fit["milestones"].items():
        simulated, closed = (f"day {d:,}" if d is not None else "not reached"
                             for d in (days["simulated_day"], days["closed_form_day"]))
        rows.append((f"Reaches {level} adopted", f"{simulated} (closed form: {closed})"))
    rows.append(("Fit to F(t): largest gap", format_value(fit["max_abs_error"], PERCENT, 2) + " of the population"))
    rows.append(("Fit to F(t): RMSE", format_value(fit["rmse"], PERCENT, 2) + " of the population"))
    return rows


def print_kpis(summary: dict[str, Any], run_dir: Path | None = None, console: Console | None = None,
               currency: Currency = DEFAULT_CURRENCY) -> None:
    """Print the headline KPIs of a run as a table.

    Parameters
    ----------
    summary : dict
        ``summary.json`` of the run (scenario, seed and ``kpis``).
    run_dir : Path, optional
        Where the run was written (printed below the table).
    console : rich.console.Console, optional
        Where to print (default: the terminal).
    currency : Currency
        Currency of the money KPIs.
    """
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    kpis = summary["kpis"]
    table = Table(title=f"journeysim · {summary.get('scenario')} · seed {summary.get('seed')} · "
                        f"{kpis['customers']:,} customers × {kpis['days']} days", title_justify="left")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    if "bass" in summary:
        rows = bass_rows(summary["bass"])
        table.caption = "money KPIs: " + not_applicable(kpis["not_applicable"]["spend"])
    else:
        rows = kpi_rows(kpis, currency)
        table.caption = f"amounts in {currency.code} ({currency.symbol.strip()})"
    table.caption_justify = "left"
    for label, value in rows:
        table.add_row(label, value)
    stages = " · ".join(f"{k} {v:,}" for k, v in kpis["stages"].items())
    console.print(table)
    console.print(f"[dim]stages at the end: {stages}[/dim]")
    if run_dir is not None:
        console.print(f"outputs: {run_dir}")
