"""A finished budget optimisation: the best split, its interval on fresh seeds, the files written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from journeysim.experiments.intervals import Interval, mean_interval, paired_difference
from journeysim.experiments.optimisation.allocation import Allocation, Problem, plan_config
from journeysim.experiments.optimisation.plan import plan_mapping
from journeysim.experiments.scenario_file import global_scenario_yaml
from journeysim.units import MONEY, format_kpi, format_value


@dataclass
class Optimisation:
    """A finished optimisation.

    Attributes
    ----------
    problem : Problem
        The bound plan.
    trials : DataFrame
        One row per candidate: ``trial``, the shares (``share_<channel>``), ``burst_share``, the mean
        KPIs over the tuning seeds and ``feasible`` (mean CAC within the ceiling).
    best, baseline : Allocation
        The best feasible candidate, and the configured split.
    validation : DataFrame
        Fresh-seed runs: ``plan`` (best or baseline), ``seed`` and the KPIs.
    curves : DataFrame
        Response curves: ``channel``, ``daily`` (its budget, currency/day at reference size) and mean KPIs.
    adaptive : dict, optional
        Settings of the adaptive budget when it ran (``plan`` adaptive in ``validation``); None otherwise.
    runs : int
        Model runs done.
    wall_seconds : float
        Time taken.
    """

    problem: Problem
    trials: pd.DataFrame
    best: Allocation
    baseline: Allocation
    validation: pd.DataFrame = field(default_factory=pd.DataFrame)
    curves: pd.DataFrame = field(default_factory=pd.DataFrame)
    adaptive: dict[str, Any] | None = None
    runs: int = 0
    wall_seconds: float = 0.0

    @property
    def objective(self) -> str:
        """The KPI maximised."""
        return self.problem.plan.objective

    @property
    def best_trial(self) -> int:
        """The number of the best trial (see :func:`best_row`)."""
        return int(best_row(self.trials)["trial"])

    def _by_seed(self, plan: str, kpi: str) -> dict[int, float]:
        rows = self.validation[self.validation["plan"] == plan]
        return dict(zip(rows["seed"].astype(int), rows[kpi].astype(float), strict=True))

    def interval(self, plan: str = "best", kpi: str | None = None) -> Interval:
        """Mean of a KPI over the fresh seeds with its 95% t interval (``plan``: best or baseline)."""
        return mean_interval(self._by_seed(plan, kpi or self.objective).values())

    def improvement(self, kpi: str | None = None) -> Interval:
        """Best minus baseline on the fresh seeds, paired by seed, with its 95% t interval."""
        kpi = kpi or self.objective
        return paired_difference(self._by_seed("best", kpi), self._by_seed("baseline", kpi))

    def adaptive_comparison(self, kpi: str = "profit") -> pd.DataFrame:
        """The adaptive budget against both static plans on the fresh seeds, paired by seed
        (:func:`~journeysim.experiments.optimisation.adaptive.comparison`); empty when it did not run."""
        from journeysim.experiments.optimisation.adaptive import comparison

        return pd.DataFrame() if self.adaptive is None else comparison(self.validation, kpi)

    def scenario_yaml(self, name: str = "best_plan") -> str:
        """The best plan as a scenario file (``# @package _global_``) for ``DIR/scenario/<name>.yaml``."""
        p, gain = self.problem.plan, self.improvement()
        notes = [f"Found by journey-optimise (plan {p.name}): {self.best.label()}.",
                 f"Total {format_value(self.problem.total_daily, MONEY, 2)}/day at reference size over "
                 f"{self.problem.days} days, as the configured split ({self.baseline.label()}).",
                 f"{self.objective} vs configured split on {gain.n} fresh seeds: {self._format(gain.estimate, True)} "
                 f"(95% interval {self._format(gain.low, True)} to {self._format(gain.high, True)}).",
                 f"Run: journey --config-dir DIR scenario={name}  (this file is DIR/scenario/{name}.yaml)."]
        return global_scenario_yaml(plan_config(self.problem, self.best), name,
                                    f"Best budget plan: which split of the same total maximises {self.objective}?",
                                    notes)

    def allocation_table(self) -> pd.DataFrame:
        """Baseline and best daily budget per channel, currency per day at reference size."""
        total = self.problem.total_daily
        return pd.DataFrame({"channel": self.problem.channels,
                             "baseline_daily": list(self.baseline.daily(total).values()),
                             "best_daily": list(self.best.daily(total).values()),
                             "best_share": self.best.shares})

    def _format(self, value: float, difference: bool = False) -> str:
        """``value`` of the objective in its unit (currency for profit and revenue), as every table writes it."""
        return format_kpi(self.objective, value, difference=difference)

    def markdown(self) -> str:
        """The best plan, its interval and the improvement, as Markdown."""
        p, best, base, gain = self.problem.plan, self.interval("best"), self.interval("baseline"), self.improvement()
        lines = [f"Budget optimisation `{p.name}`: maximise **{self.objective}**"
                 + (f" with CAC at most {format_kpi('cac', p.cac_ceiling)}" if p.cac_ceiling else "")
                 + f"; {format_value(self.problem.total_daily, MONEY, 2)}/day at reference size over "
                 f"{self.problem.days} days; "
                 f"{len(self.trials)} candidates x {p.seeds} seeds; {self.runs:,} runs in {self.wall_seconds:,.0f} s.",
                 "", "| channel | configured /day | best /day | best share |", "|---|---:|---:|---:|"]
        for row in self.allocation_table().to_dict("records"):
            lines.append(f"| {row['channel']} | {row['baseline_daily']:,.2f} | {row['best_daily']:,.2f} | "
                         f"{row['best_share']:.1%} |")
        if p.burst is not None:
            lines += ["", f"Burst days {p.burst.from_day}-{p.burst.to_day}: best plan spends "
                          f"{self.best.burst_share:.0%} of each channel's budget there."]
        f = self._format
        lines += ["", f"On {best.n} fresh seeds (not tuned on): best {f(best.estimate)} "
                      f"({f(best.low)} to {f(best.high)}), configured split {f(base.estimate)} "
                      f"({f(base.low)} to {f(base.high)}); difference paired by seed "
                      f"{f(gain.estimate, True)} (95% interval {f(gain.low, True)} to {f(gain.high, True)})."]
        if self.adaptive is not None:
            from journeysim.experiments.optimisation.adaptive import comparison_markdown

            settings = ", ".join(f"{k}={v}" for k, v in self.adaptive.items()) or "its defaults"
            lines += ["", f"Adaptive budget ({settings}), from the configured split, on the same fresh seeds; "
                          "true profit (margin less spend, as the model books it):", "",
                      comparison_markdown(self.adaptive_comparison(), "profit").rstrip()]
        return "\n".join(lines) + "\n"

    def report(self) -> dict[str, Any]:
        """What was run, what it cost and what it found (``optimisation.json``)."""
        p = self.problem.plan
        return {"plan": plan_mapping(p), "channels": list(self.problem.channels),
                "total_daily": self.problem.total_daily, "days": self.problem.days, "runs": self.runs,
                "wall_seconds": round(self.wall_seconds, 2), "tuning_seeds": p.tuning_seeds,
                "validation_seeds": p.fresh_seeds,
                "best": {"daily": self.best.daily(self.problem.total_daily), "burst_share": self.best.burst_share},
                "baseline": {"daily": self.baseline.daily(self.problem.total_daily)},
                "validation": {"best": vars(self.interval("best")), "baseline": vars(self.interval("baseline")),
                               "difference": vars(self.improvement())},
                **({} if self.adaptive is None else {"adaptive": {
                    "settings": self.adaptive, "profit": self.adaptive_comparison().to_dict("records")}})}

    def write(self, out_dir: str | Path, name: str = "best_plan", figures: bool = True) -> list[Path]:
        """Write ``trials.csv``, ``allocation.csv``, ``validation.csv``, ``curves.csv`` (``adaptive.csv``
        with the adaptive budget), ``best_plan.md``,
        ``optimisation.json``, ``scenario/<name>.yaml`` and the figures ``response.png`` and ``tradeoff.png``."""
        from journeysim.outputs import atomic_write, write_csv, write_figure, write_json

        out = Path(out_dir)
        yaml_text, text = self.scenario_yaml(name), self.markdown()
        written = [write_csv(out / "trials.csv", self.trials),
                   write_csv(out / "allocation.csv", self.allocation_table()),
                   write_csv(out / "validation.csv", self.validation), write_csv(out / "curves.csv", self.curves),
                   atomic_write(out / "best_plan.md", lambda tmp: tmp.write_text(text)),
                   write_json(out / "optimisation.json", self.report()),
                   atomic_write(out / "scenario" / f"{name}.yaml", lambda tmp: tmp.write_text(yaml_text))]
        if self.adaptive is not None:
            written.append(write_csv(out / "adaptive.csv", self.adaptive_comparison()))
        from journeysim.experiments.optimisation.plots import response_figure, tradeoff_figure

        if figures and not self.curves.empty:
            written.append(write_figure(out / "response.png", response_figure(self)))
        if figures:
            written.append(write_figure(out / "tradeoff.png", tradeoff_figure(self)))
        return written


def best_row(trials: pd.DataFrame) -> pd.Series:
    """The feasible trial with the highest objective (the least infeasible one when none is feasible)."""
    feasible = trials[trials["feasible"]]
    if feasible.empty:
        return trials.loc[trials["cac"].idxmin()]
    return feasible.loc[feasible["objective"].idxmax()]
