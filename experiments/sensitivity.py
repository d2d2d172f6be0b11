"""Global sensitivity analysis (SALib, Morris elementary effects) of a KPI to named config parameters.

A plan in YAML (``conf/sensitivity/*.yaml`` or any file) names the scenario, the KPI, the
parameters as dotted config keys with their ranges, and the design::

    scenario: baseline
    kpi: profit
    trajectories: 10          # Morris trajectories r: r * (parameters + 1) runs
    num_levels: 4             # grid levels per parameter (even)
    seed: 0                   # every run uses the same seeds: common random numbers
    replicates: 1             # seeds per design point (the KPI is their mean)
    overrides: [population.size=5000]
    parameters:
      market.checkout_friction: [0.05, 0.5]
      market.loyal_after: [1, 4]          # an integer in the config: sampled values are rounded

``journey-sensitivity PLAN [key=value ...]`` writes ``samples.csv`` (the design, one row per
run, in the order SALib analyses it), ``morris.csv`` and ``morris.md`` (mu, mu*, sigma and the
bootstrap interval of mu* per parameter, in the KPI's unit per parameter range) and ``morris.png``.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from journeysim.experiments import plans
from journeysim.sim.errors import ConfigError, closest, unknown_name

METHODS = ("morris",)
EXIT_BAD_INPUT = 2
PLAN_PACKAGE = "journeysim.conf.sensitivity"


@dataclass(frozen=True)
class Parameter:
    """One varied config value.

    Attributes
    ----------
    name : str
        Dotted config key (``market.checkout_friction``).
    low, high : float
        Range sampled, in the key's unit.
    integer : bool
        The config holds an integer: sampled values are rounded to whole numbers.
    """

    name: str
    low: float
    high: float
    integer: bool = False

    def value(self, x: float) -> float | int:
        """The config value for a sampled ``x`` (rounded for integer keys)."""
        return int(round(x)) if self.integer else float(x)


@dataclass(frozen=True)
class Plan:
    """A sensitivity study: which KPI, which parameters over which ranges, and the design."""

    name: str
    kpi: str
    parameters: tuple[Parameter, ...]
    scenario: str | None = None
    method: str = "morris"
    trajectories: int = 10
    num_levels: int = 4
    seed: int = 0
    replicates: int = 1
    overrides: tuple[str, ...] = ()

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem definition."""
        return {"num_vars": len(self.parameters), "names": [p.name for p in self.parameters],
                "bounds": [[p.low, p.high] for p in self.parameters]}

    @property
    def seeds(self) -> list[int]:
        """Seeds every design point is run with (the same for all points)."""
        return list(range(self.seed, self.seed + self.replicates))

    @property
    def runs(self) -> int:
        """Number of model runs: trajectories x (parameters + 1) x replicates."""
        return self.trajectories * (len(self.parameters) + 1) * self.replicates


# --------------------------------------------------------------------------- reading a plan
def plan_names() -> list[str]:
    """Names of the packaged plans (``conf/sensitivity/*.yaml``)."""
    return plans.plan_names(PLAN_PACKAGE)


def read_plan_file(source: str) -> tuple[str, dict[str, Any]]:
    """Read a sensitivity plan (a YAML path or a name in ``conf/sensitivity``)."""
    return plans.read_plan_file(source, PLAN_PACKAGE)


def _whole(raw: dict, key: str, default: int, low: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or value < low:
        raise ConfigError(key, value, f"a whole number of at least {low}")
    return int(value)


def _parameter(name: str, spec: Any) -> Parameter:
    if isinstance(spec, dict):
        bounds = [spec.get("low"), spec.get("high")]
    elif isinstance(spec, list | tuple):
        bounds = list(spec)
    else:
        bounds = []
    if len(bounds) != 2 or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds):
        raise ConfigError(f"parameters.{name}", spec, "a range [low, high] of two numbers")
    low, high = float(bounds[0]), float(bounds[1])
    if not low < high:
        raise ConfigError(f"parameters.{name}", spec, "a range [low, high] with low < high")
    return Parameter(name, low, high)


def parse_plan(name: str, raw: dict[str, Any]) -> Plan:
    """Validate a raw plan mapping (each bad value raises a ConfigError naming its key)."""
    known = {"scenario", "kpi", "method", "trajectories", "num_levels", "seed", "replicates", "overrides",
             "parameters"}
    for key in raw:
        if key not in known:
            raise unknown_name(key, key, sorted(known))
    if raw.get("method", "morris") not in METHODS:
        raise unknown_name("method", raw.get("method"), METHODS)
    levels = _whole(raw, "num_levels", 4, 2)
    if levels % 2:
        raise ConfigError("num_levels", levels, "an even number (Morris design and analysis assume it)")
    parameters = raw.get("parameters")
    if not isinstance(parameters, dict) or not parameters:
        raise ConfigError("parameters", parameters, "a mapping of config keys to [low, high] ranges")
    kpi = raw.get("kpi")
    if not isinstance(kpi, str) or not kpi:
        raise ConfigError("kpi", kpi, "the name of a KPI of the run summary (e.g. profit)")
    overrides = raw.get("overrides") or []
    if not isinstance(overrides, list) or not all(isinstance(o, str) and "=" in o for o in overrides):
        raise ConfigError("overrides", overrides, "a list of key=value strings")
    return Plan(name=name, kpi=kpi, parameters=tuple(_parameter(k, v) for k, v in parameters.items()),
                scenario=raw.get("scenario"), method=raw.get("method", "morris"),
                trajectories=_whole(raw, "trajectories", 10, 2), num_levels=levels,
                seed=_whole(raw, "seed", 0, 0), replicates=_whole(raw, "replicates", 1, 1),
                overrides=tuple(overrides))


# --------------------------------------------------------------------------- the base config
def base_config(plan: Plan) -> dict[str, Any]:
    """The resolved config every run starts from (scenario and overrides applied), as a dict."""
    from journeysim.api import compose_config
    from journeysim.sim.config import to_container

    config = to_container(compose_config(plan.scenario, list(plan.overrides)))
    config.pop("hydra", None)
    return config


def bind(plan: Plan, config: dict[str, Any]) -> Plan:
    """Check every parameter names a numeric key of ``config``; mark integer keys."""
    numbers = plans.flat_numbers(config)
    bound = []
    for parameter in plan.parameters:
        if parameter.name not in numbers:
            raise ConfigError(f"parameters.{parameter.name}", parameter.name,
                              "a numeric config key: " + closest(parameter.name, numbers))
        bound.append(replace(parameter, integer=isinstance(numbers[parameter.name], int)))
    return replace(plan, parameters=tuple(bound))


def assign(config: dict[str, Any], values: dict[str, float | int]) -> dict[str, Any]:
    """A deep copy of ``config`` with dotted keys set to ``values``."""
    out = copy.deepcopy(config)
    for name, value in values.items():
        node = out
        *parents, leaf = name.split(".")
        for part in parents:
            node = node[part]
        node[leaf] = value
    return out


# --------------------------------------------------------------------------- design, runs, analysis
def sample(plan: Plan) -> np.ndarray:
    """The Morris design: ``trajectories * (parameters + 1)`` rows, one column per parameter."""
    from SALib.sample import morris as morris_sample

    return morris_sample.sample(plan.problem, N=plan.trajectories, num_levels=plan.num_levels, seed=plan.seed)


def design_values(plan: Plan, X: np.ndarray) -> list[dict[str, float | int]]:
    """Config values of each design row (integer parameters rounded)."""
    return [{p.name: p.value(x) for p, x in zip(plan.parameters, row, strict=True)} for row in X]


def kpi_of_point(config: dict[str, Any], values: dict[str, float | int], seeds: Sequence[int], kpi: str) -> float:
    """Mean KPI over ``seeds`` of runs of ``config`` with ``values`` set (one design point)."""
    from journeysim.runner import run
    from journeysim.sim.config import parse_config

    results = []
    for seed in seeds:
        spec = parse_config({**assign(config, values), "seed": seed})
        kpis = run(spec).summary["kpis"]
        if kpi not in kpis or isinstance(kpis[kpi], dict):
            choices = [k for k, v in kpis.items() if not isinstance(v, dict)]
            raise unknown_name("kpi", kpi, choices)
        results.append(np.nan if kpis[kpi] is None else float(kpis[kpi]))
    return float(np.mean(results))


def evaluate(plan: Plan, config: dict[str, Any], X: np.ndarray, jobs: int = 1,
             progress: Callable[[int], None] | None = None) -> np.ndarray:
    """The KPI at every design row, in the rows' order (SALib pairs ``Y[i]`` with ``X[i]``).

    Parameters
    ----------
    plan : Plan
        The bound plan (see :func:`bind`).
    config : dict
        The base config.
    X : ndarray
        The design from :func:`sample`.
    jobs : int
        Worker processes (joblib); 1 runs in this process.
    progress : callable, optional
        Called with the number of design points done.
    """
    points = design_values(plan, X)
    if jobs == 1:
        values = []
        for k, point in enumerate(points):
            values.append(kpi_of_point(config, point, plan.seeds, plan.kpi))
            if progress is not None:
                progress(k + 1)
        return np.array(values)
    from joblib import Parallel, delayed

    values = Parallel(n_jobs=jobs)(delayed(kpi_of_point)(config, p, plan.seeds, plan.kpi) for p in points)
    return np.array(values, dtype=np.float64)


def analyse(plan: Plan, X: np.ndarray, Y: np.ndarray, conf_level: float = 0.95) -> pd.DataFrame:
    """Morris indices per parameter, most influential first.

    Returns
    -------
    DataFrame
        ``parameter``, ``mu`` (mean elementary effect: the sign says the direction), ``mu_star``
        (mean absolute effect: the influence), ``sigma`` (spread: interaction or non-linearity)
        and ``mu_star_conf`` (bootstrap half-width of mu*), all in the KPI's unit per
        parameter range.
    """
    from SALib.analyze import morris

    indices = morris.analyze(plan.problem, X, Y, num_levels=plan.num_levels, conf_level=conf_level,
                             print_to_console=False, seed=plan.seed)
    table = pd.DataFrame({"parameter": list(indices["names"]), "mu": indices["mu"], "mu_star": indices["mu_star"],
                          "sigma": indices["sigma"], "mu_star_conf": indices["mu_star_conf"]})
    return table.sort_values("mu_star", ascending=False, kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- outputs
@dataclass
class SensitivityResult:
    """A finished study: its plan, design, KPI values and Morris table."""

    plan: Plan
    X: np.ndarray
    Y: np.ndarray
    table: pd.DataFrame
    out_dir: Path | None = None

    def samples(self) -> pd.DataFrame:
        """One row per design point, in SALib's order: the values run and the KPI."""
        frame = pd.DataFrame(design_values(self.plan, self.X))
        frame[self.plan.kpi] = self.Y
        return frame

    def markdown(self) -> str:
        """The Morris table as Markdown (most influential first)."""
        p = self.plan
        lines = [f"Morris screening of `{p.kpi}` ({p.scenario or 'baseline'}; {p.trajectories} trajectories, "
                 f"{p.num_levels} levels, {p.runs} runs). Effects in {p.kpi} per full parameter range.", "",
                 "| parameter | range | mu | mu* | ± (95%) | sigma |", "|---|---|---:|---:|---:|---:|"]
        from journeysim.experiments.report import fmt

        ranges = {q.name: f"{q.low:g} to {q.high:g}" for q in p.parameters}
        for row in self.table.itertuples():
            cells = [fmt(row.mu, signed=True), fmt(row.mu_star), fmt(row.mu_star_conf), fmt(row.sigma)]
            lines.append(f"| `{row.parameter}` | {ranges[row.parameter]} | " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"

    def write(self, out_dir: str | Path, figure: bool = True) -> list[Path]:
        """Write ``samples.csv``, ``morris.csv``, ``morris.md``, ``plan.yaml`` and ``morris.png``."""
        import yaml

        from journeysim.experiments.plots import morris_figure
        from journeysim.outputs import atomic_write, write_csv, write_figure

        out = Path(out_dir)
        plan_text = yaml.safe_dump(plan_mapping(self.plan), sort_keys=False)
        written = [write_csv(out / "samples.csv", self.samples()), write_csv(out / "morris.csv", self.table),
                   atomic_write(out / "morris.md", lambda tmp: tmp.write_text(self.markdown())),
                   atomic_write(out / "plan.yaml", lambda tmp: tmp.write_text(plan_text))]
        if figure:
            written.append(write_figure(out / "morris.png", morris_figure(self.table, self.plan.kpi)))
        self.out_dir = out
        return written


def plan_mapping(plan: Plan) -> dict[str, Any]:
    """The plan as a YAML-ready mapping (as run: integer flags included)."""
    return {"scenario": plan.scenario, "kpi": plan.kpi, "method": plan.method, "trajectories": plan.trajectories,
            "num_levels": plan.num_levels, "seed": plan.seed, "replicates": plan.replicates,
            "overrides": list(plan.overrides),
            "parameters": {p.name: {"low": p.low, "high": p.high, "integer": p.integer} for p in plan.parameters}}


def run_sensitivity(plan: Plan, jobs: int = 1, progress: Callable[[int], None] | None = None) -> SensitivityResult:
    """Bind, sample, run and analyse ``plan`` (no files written)."""
    config = base_config(plan)
    plan = bind(plan, config)
    X = sample(plan)
    Y = evaluate(plan, config, X, jobs=jobs, progress=progress)
    return SensitivityResult(plan, X, Y, analyse(plan, X, Y))


# --------------------------------------------------------------------------- command line
def parser() -> argparse.ArgumentParser:
    """The command line of ``journey-sensitivity``."""
    p = argparse.ArgumentParser(
        prog="journey-sensitivity",
        description="Morris sensitivity analysis of a KPI to config parameters (ranges in a YAML plan).")
    p.add_argument("plan", nargs="?", default="growth_levers",
                   help="a plan in conf/sensitivity (by name) or a YAML file (default: growth_levers)")
    p.add_argument("overrides", nargs="*", metavar="key=value", help="config overrides for every run")
    p.add_argument("--kpi", help="KPI to analyse (overrides the plan's)")
    p.add_argument("--trajectories", type=int, help="Morris trajectories (overrides the plan's)")
    p.add_argument("--num-levels", type=int, help="grid levels per parameter, even (overrides the plan's)")
    p.add_argument("--seed", type=int, help="seed of the design and of every run (overrides the plan's)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--out", help="output directory (default: sensitivity/<plan>/<time>)")
    p.add_argument("--no-figure", action="store_true", help="skip morris.png")
    p.add_argument("--list", action="store_true", help="list the packaged plans and exit")
    return p


def plan_from_args(args: argparse.Namespace) -> Plan:
    """The plan named on the command line with its flags and overrides applied."""
    if "=" in args.plan:  # no plan named: the first word is an override
        args.overrides, args.plan = [args.plan, *args.overrides], parser().get_default("plan")
    name, raw = read_plan_file(args.plan)
    flags = {"kpi": args.kpi, "trajectories": args.trajectories, "num_levels": args.num_levels, "seed": args.seed}
    raw.update({k: v for k, v in flags.items() if v is not None})
    for override in args.overrides:
        if "=" not in override:
            raise ConfigError("override", override, "key=value")
    raw["overrides"] = [*(raw.get("overrides") or []), *args.overrides]
    return parse_plan(name, raw)


def _run_with_progress(plan: Plan, jobs: int) -> SensitivityResult:
    if jobs > 1 or not sys.stderr.isatty():
        return run_sensitivity(plan, jobs=jobs)
    from rich.progress import Progress

    points = plan.runs // plan.replicates
    with Progress(transient=True) as bar:
        task = bar.add_task("design points", total=points)
        return run_sensitivity(plan, progress=lambda done: bar.update(task, completed=done))


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``journey-sensitivity``; exits 2 on bad input."""
    args = parser().parse_intermixed_args(argv)
    if args.list:
        print("\n".join(plan_names()))
        return 0
    try:
        if args.jobs < 1:
            raise ConfigError("--jobs", args.jobs, "a whole number of at least 1")
        plan = plan_from_args(args)
        print(f"journey-sensitivity: {plan.name}: {plan.runs} runs of {plan.scenario or 'baseline'} "
              f"({len(plan.parameters)} parameters, {plan.trajectories} trajectories)", file=sys.stderr)
        result = _run_with_progress(plan, args.jobs)
    except ConfigError as error:
        print(f"journey-sensitivity: error: {error}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None
    out = Path(args.out) if args.out else Path("sensitivity") / plan.name / time.strftime("%Y-%m-%d_%H-%M-%S")
    written = result.write(out, figure=not args.no_figure)
    print(result.markdown())
    print("written: " + ", ".join(str(path) for path in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
