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
    format_kpi,
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
    # the run's heading on a line of its own: as the table's title it would wrap at the table's width
    heading = (f"journeysim · {summary.get('scenario')} · seed {summary.get('seed')} · "
               f"{kpis['customers']:,} customers × {kpis['days']} days")
    table = Table()
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
    console.print(heading, style="bold", markup=False)
    console.print(table)
    if "competition" in summary:
        console.print(brand_table(summary["competition"]))
    console.print(f"[dim]stages at the end: {stages}[/dim]")
    if run_dir is not None:
        console.print(f"outputs: {run_dir}")


BRAND_COLUMNS = ("market_share_volume", "market_share_value", "share_of_voice", "penetration", "purchase_frequency")
"""The per-brand KPIs of a run with competitors, in the order of the brand table's columns."""

BRAND_HEADERS = {"market_share_volume": "share", "market_share_value": "value share", "share_of_voice": "voice",
                 "penetration": "penetration", "purchase_frequency": "per buyer"}
"""Short column headers of the brand table (the KPIs' full labels are in :mod:`journeysim.units`)."""


def brand_table(competition: dict):
    """The terminal's table of brands (a run with competitors): one row per brand, the KPIs of
    :data:`BRAND_COLUMNS` formatted by :mod:`journeysim.units`."""
    from rich.table import Table

    table = Table(title="brands", title_justify="left")
    table.add_column("brand")
    for key in BRAND_COLUMNS:
        table.add_column(BRAND_HEADERS[key], justify="right")
    for brand in competition["brands"]:
        table.add_row(brand, *(format_kpi(key, competition[key][brand]) for key in BRAND_COLUMNS))
    lost, start = competition["lost_to_competitors"], competition["panel_start"]
    table.caption = (f"share: of category orders; value share: of revenue; voice: of media spend; penetration "
                     f"and orders per buyer from day {start}. Our checkout and reorder attempts won by a "
                     f"competitor: {lost:,}")
    table.caption_justify = "left"
    return table
