"""The KPI table printed on the terminal at the end of a run."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROWS = (
    ("acquisitions", "Acquisitions", "{:,.0f}"),
    ("repurchases", "Repeat orders", "{:,.0f}"),
    ("conversion_rate", "Bought at least once", "{:.1%}"),
    ("churned", "Lapsed", "{:,.0f}"),
    ("churn_rate_per_year", "Churn (per customer-year)", "{:.1%}"),
    ("abandonment_rate", "Cart abandonment", "{:.1%}"),
    ("revenue", "Revenue", "{:,.0f}"),
    ("spend", "Spend", "{:,.0f}"),
    ("profit", "Profit (margin - spend)", "{:,.0f}"),
    ("cac", "CAC", "{:,.2f}"),
    ("roas", "ROAS", "{:.2f}"),
    ("nps", "NPS", "{:+.1f}"),
    ("word_of_mouth_share", "Acquisitions via word of mouth", "{:.1%}"),
)


def _fmt(value: Any, pattern: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return pattern.format(value)


def print_kpis(summary: dict[str, Any], run_dir: Path | None = None, console: Console | None = None) -> None:
    """Print the headline KPIs of a run as a table."""
    console = console or Console()
    kpis = summary["kpis"]
    table = Table(title=f"journeysim · {summary.get('scenario')} · seed {summary.get('seed')} · "
                        f"{kpis['customers']:,} customers × {kpis['days']} days", title_justify="left")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    for key, label, pattern in ROWS:
        if key in kpis:
            table.add_row(label, _fmt(kpis[key], pattern))
    stages = " · ".join(f"{k} {v:,}" for k, v in kpis["stages"].items())
    console.print(table)
    console.print(f"[dim]stages at the end: {stages}[/dim]")
    if run_dir is not None:
        console.print(f"outputs: {run_dir}")
