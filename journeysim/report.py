"""The KPI table printed on the terminal at the end of a run (numbers from :mod:`journeysim.units`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeysim.units import COUNT, DEFAULT_CURRENCY, KPIS, MONEY, PERCENT, POINTS, Currency, kpi_rows

if TYPE_CHECKING:
    from rich.console import Console

_PATTERNS = {COUNT: "{:,.0f}", PERCENT: "{:.1%}", POINTS: "{:+.1f}"}

ROWS = tuple((key, k.label, _PATTERNS.get(k.unit, f"{{:{',' if k.unit == MONEY else ''}.{k.digits}f}}"))
             for key, k in KPIS.items())
"""(key, label, ``str.format`` pattern) of the headline KPIs, for callers that format with patterns;
prefer :func:`journeysim.units.format_kpi`, which also writes the currency."""


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
    for label, value in kpi_rows(kpis, currency):
        table.add_row(label, value)
    stages = " · ".join(f"{k} {v:,}" for k, v in kpis["stages"].items())
    console.print(table)
    console.print(f"[dim]stages at the end: {stages}[/dim]")
    if run_dir is not None:
        console.print(f"outputs: {run_dir}")
