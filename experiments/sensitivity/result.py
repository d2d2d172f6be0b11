"""A finished sensitivity study: its design, the KPI at each point, the Morris table and the files written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from journeysim import units
from journeysim.experiments.sensitivity.plan import Plan, plan_mapping
from journeysim.units import DEFAULT_CURRENCY, Currency


def design_values(plan: Plan, X: np.ndarray) -> list[dict[str, float | int]]:
    """Config values of each design row (integer parameters rounded)."""
    return [{p.name: p.value(x) for p, x in zip(plan.parameters, row, strict=True)} for row in X]


@dataclass
class SensitivityResult:
    """A finished study: its plan, design, KPI values, Morris table and the currency of money KPIs."""

    plan: Plan
    X: np.ndarray
    Y: np.ndarray
    table: pd.DataFrame
    out_dir: Path | None = None
    currency: Currency = DEFAULT_CURRENCY

    def samples(self) -> pd.DataFrame:
        """One row per design point, in SALib's order: the values run and the KPI."""
        frame = pd.DataFrame(design_values(self.plan, self.X))
        frame[self.plan.kpi] = self.Y
        return frame

    def markdown(self) -> str:
        """The Morris table as Markdown (most influential first)."""
        p = self.plan
        kpi = units.kpi(p.kpi)
        unit = units.unit_name(kpi.unit, self.currency, difference=True)  # the effects' unit, as the cells
        lines = [f"Morris screening of `{p.kpi}` ({p.scenario or 'baseline'}; {p.trajectories} trajectories, "
                 f"{p.num_levels} levels, {p.runs} runs). Effects in {p.kpi}{f' ({unit})' if unit else ''} "
                 "per full parameter range.", "",
                 "| parameter | range | mu | mu* | ± (95%) | sigma |", "|---|---|---:|---:|---:|---:|"]

        def effect(value: float, signed: bool = False) -> str:  # a change of the KPI: percentages in pp
            return units.format_value(value, kpi.unit, kpi.digits, self.currency, signed=signed, difference=True)

        ranges = {q.name: f"{q.low:g} to {q.high:g}" for q in p.parameters}
        for row in self.table.itertuples():
            cells = [effect(row.mu, signed=True), effect(row.mu_star), effect(row.mu_star_conf), effect(row.sigma)]
            lines.append(f"| `{row.parameter}` | {ranges[row.parameter]} | " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"

    def write(self, out_dir: str | Path, figure: bool = True) -> list[Path]:
        """Write ``samples.csv``, ``morris.csv``, ``morris.md``, ``plan.yaml`` and ``morris.png``."""
        import yaml

        from journeysim.experiments.sensitivity.plots import morris_figure
        from journeysim.outputs import atomic_write, write_csv, write_figure

        out = Path(out_dir)
        plan_text = yaml.safe_dump(plan_mapping(self.plan), sort_keys=False)
        written = [write_csv(out / "samples.csv", self.samples()), write_csv(out / "morris.csv", self.table),
                   atomic_write(out / "morris.md", lambda tmp: tmp.write_text(self.markdown())),
                   atomic_write(out / "plan.yaml", lambda tmp: tmp.write_text(plan_text))]
        if figure:
            written.append(write_figure(out / "morris.png", morris_figure(self.table, self.plan.kpi, self.currency)))
        self.out_dir = out
        return written
