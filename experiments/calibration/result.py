"""A finished calibration: the posterior, the fitted values, the calibrated scenario and the files written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from journeysim.experiments.calibration.observed import Observed
from journeysim.experiments.calibration.plan import CalibrationPlan, plan_mapping
from journeysim.experiments.intervals import weighted_quantiles
from journeysim.experiments.keys import set_parameters
from journeysim.experiments.scenario_file import global_scenario_yaml


@dataclass
class Calibration:
    """A finished calibration.

    Attributes
    ----------
    plan : CalibrationPlan
        The bound plan.
    observed : Observed
        The data fitted.
    particles : DataFrame
        The last ABC-SMC generation: one column per parameter (config values) and ``weight``.
    generations : DataFrame
        Per generation ``t``: ``epsilon`` (distance threshold), ``simulations`` and ``particles``.
    simulations : int
        Model runs of the ABC-SMC (all generations).
    predictive : dict of str to ndarray
        Posterior predictive series per statistic, shape (draws, weeks).
    config : dict
        The base config the parameters were fitted in.
    wall_seconds : float
        Time taken.
    """

    plan: CalibrationPlan
    observed: Observed
    particles: pd.DataFrame
    generations: pd.DataFrame
    simulations: int
    predictive: dict[str, np.ndarray]
    config: dict[str, Any]
    wall_seconds: float = 0.0
    truth: dict[str, float] = field(default_factory=dict)

    @property
    def runs(self) -> int:
        """All model runs: ABC simulations plus posterior predictive draws."""
        first = next(iter(self.predictive.values()), np.empty((0, 0)))
        return self.simulations + first.shape[0]

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Posterior per parameter: weighted mean, sd, median and central ``level`` interval."""
        w = self.particles["weight"].to_numpy()
        rows = []
        for p in self.plan.parameters:
            x = self.particles[p.name].to_numpy()
            mean = float(np.average(x, weights=w))
            low, median, high = weighted_quantiles(x, w, [(1 - level) / 2, 0.5, (1 + level) / 2])
            row = {"parameter": p.name, "mean": mean, "sd": float(np.sqrt(np.average((x - mean) ** 2, weights=w))),
                   "median": median, "low": low, "high": high, "prior_low": p.low, "prior_high": p.high}
            if p.name in self.truth:
                row["truth"] = self.truth[p.name]
                row["covered"] = bool(low <= self.truth[p.name] <= high)
            rows.append(row)
        return pd.DataFrame(rows)

    def fitted(self) -> dict[str, float | int]:
        """Point values for the calibrated scenario: posterior medians."""
        table = self.summary()
        return {p.name: p.cast(float(f"{m:.6g}")) for p, m in zip(self.plan.parameters, table["median"], strict=True)}

    def calibrated_config(self) -> dict[str, Any]:
        """The base config with the fitted values (the outputs' settings as configured)."""
        return set_parameters(self.config, self.fitted())

    def scenario_yaml(self, name: str = "calibrated") -> str:
        """The calibrated scenario file (``# @package _global_``), for ``DIR/scenario/<name>.yaml``."""
        fitted = ", ".join(f"{k} = {v:.4g}" for k, v in self.fitted().items())
        notes = [f"Fitted by journey-calibrate (plan {self.plan.name}) to {self.observed.source}:",
                 f"posterior medians {fitted}.",
                 f"Run: journey --config-dir DIR scenario={name}  (this file is DIR/scenario/{name}.yaml)."]
        return global_scenario_yaml(self.calibrated_config(), name,
                                    "Calibrated: what does the model say about the business whose data it was "
                                    "fitted to?", notes)

    def predictive_table(self) -> pd.DataFrame:
        """Observed vs posterior predictive per statistic and week: median and 5/25/75/95% bands."""
        frames = []
        for name, draws in self.predictive.items():
            q = np.nanquantile(draws, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0) if draws.size else \
                np.full((5, self.observed.n_weeks), np.nan)
            frames.append(pd.DataFrame({"statistic": name, "week": self.observed.labels(),
                                        "observed": self.observed.values[name], "q05": q[0], "q25": q[1],
                                        "median": q[2], "q75": q[3], "q95": q[4]}))
        return pd.concat(frames, ignore_index=True)

    def report(self) -> dict[str, Any]:
        """What was run and what it cost (``calibration.json``)."""
        return {"plan": plan_mapping(self.plan), "data": self.observed.source, "weeks": self.observed.n_weeks,
                "statistics": list(self.observed.names), "abc_simulations": self.simulations,
                "predictive_runs": self.runs - self.simulations, "runs": self.runs,
                "wall_seconds": round(self.wall_seconds, 2), "generations": self.generations.to_dict("records"),
                "fitted": self.fitted(), "posterior": self.summary().to_dict("records")}

    def write(self, out_dir: str | Path, name: str = "calibrated", figures: bool = True) -> list[Path]:
        """Write ``fitted.csv``, ``fitted.md``, ``posterior.csv``, ``predictive.csv``, ``calibration.json``,
        ``scenario/<name>.yaml`` and the figures ``fit.png`` and ``posterior.png``."""
        from journeysim.outputs import atomic_write, write_csv, write_figure, write_json

        out = Path(out_dir)
        yaml_text = self.scenario_yaml(name)
        written = [write_csv(out / "fitted.csv", self.summary()),
                   atomic_write(out / "fitted.md", lambda tmp: tmp.write_text(self.markdown())),
                   write_csv(out / "posterior.csv", self.particles),
                   write_csv(out / "predictive.csv", self.predictive_table()),
                   write_json(out / "calibration.json", self.report()),
                   atomic_write(out / "scenario" / f"{name}.yaml", lambda tmp: tmp.write_text(yaml_text))]
        if figures:
            from journeysim.experiments.calibration.plots import fit_figure, posterior_figure

            written += [write_figure(out / "fit.png", fit_figure(self)),
                        write_figure(out / "posterior.png", posterior_figure(self))]
        return written

    def markdown(self) -> str:
        """The posterior table as Markdown."""
        table = self.summary()
        truth = "truth" in table
        lines = [f"Calibration `{self.plan.name}` to `{self.observed.source}` ({self.observed.n_weeks} weeks; "
                 f"{self.simulations:,} ABC-SMC runs in {len(self.generations)} generations, "
                 f"{self.runs - self.simulations} predictive runs).", "",
                 "| parameter | prior | median | mean ± sd | 95% interval |" + (" truth |" if truth else ""),
                 "|---|---|---:|---:|---|" + ("---:|" if truth else "")]
        for row in table.to_dict("records"):
            line = (f"| `{row['parameter']}` | {row['prior_low']:.4g} to {row['prior_high']:.4g} | "
                    f"{row['median']:.4g} | {row['mean']:.4g} ± {row['sd']:.2g} | "
                    f"{row['low']:.4g} to {row['high']:.4g} |")
            known = truth and row["truth"] == row["truth"]  # NaN: no true value given for this parameter
            lines.append(line + (f" {row['truth']:.4g}{'' if row['covered'] else ' (outside)'} |" if known
                                 else " |" if truth else ""))
        return "\n".join(lines) + "\n"
