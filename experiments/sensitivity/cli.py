"""``journey-sensitivity [PLAN] [key=value ...]``: Morris screening of a KPI, written as tables and a figure.

It writes ``samples.csv`` (the design, one row per run, in the order SALib analyses it),
``morris.csv`` and ``morris.md`` (mu, mu*, sigma and the bootstrap interval of mu* per
parameter, in the KPI's unit per parameter range) and ``morris.png``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from journeysim import commands
from journeysim.experiments import executors
from journeysim.experiments.plans import with_flags
from journeysim.experiments.sensitivity.method import run_sensitivity
from journeysim.experiments.sensitivity.plan import Plan, parse_plan, plan_names, read_plan_file
from journeysim.experiments.sensitivity.result import SensitivityResult
from journeysim.sim.schema.fields import check, whole


def parser() -> argparse.ArgumentParser:
    """The command line of ``journey-sensitivity``."""
    p = commands.parser(
        "journey-sensitivity",
        "journey-sensitivity: Morris screening of a KPI against config parameters (ranges in a YAML plan): "
        "which levers move it most, per full range of each, with bootstrap intervals.",
        examples=("journey-sensitivity --list                           # the packaged plans",
                  "journey-sensitivity growth_levers --jobs 2 population.size=5000"),
        writes="samples.csv, morris.csv, morris.md and morris.png in outputs/sensitivity/<plan>/<date_time>/")
    p.add_argument("plan", nargs="?", default="growth_levers",
                   help="a plan in conf/sensitivity (by name) or a YAML file (default: growth_levers)")
    commands.add_overrides(p)
    commands.add_deprecated_out(p)
    p.add_argument("--kpi", help="KPI to analyse (overrides the plan's)")
    p.add_argument("--trajectories", type=int, help="Morris trajectories (overrides the plan's)")
    p.add_argument("--num-levels", type=int, help="grid levels per parameter, even (overrides the plan's)")
    p.add_argument("--seed", type=int, help="seed of the design and of every run (overrides the plan's)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    executors.add_options(p)
    p.add_argument("--no-figure", action="store_true", help="skip morris.png")
    p.add_argument("--list", action="store_true", help="list the packaged plans and exit")
    return p


def plan_from_args(args: argparse.Namespace) -> Plan:
    """The plan named on the command line with its flags and overrides applied."""
    commands.omitted_positional(args, "plan", parser().get_default("plan"))
    name, raw = read_plan_file(args.plan)
    flags = {"kpi": args.kpi, "trajectories": args.trajectories, "num_levels": args.num_levels, "seed": args.seed}
    return parse_plan(name, with_flags(raw, flags, args.overrides))


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

    def body() -> int:
        args = commands.parse(parser(), argv)
        if args.list:
            print("\n".join(plan_names()))
            return 0
        check(whole(1), args.jobs, "--jobs")
        plan = plan_from_args(args)
        print(f"journey-sensitivity: {plan.name}: {plan.runs} runs of {plan.scenario or 'baseline'} "
              f"({len(plan.parameters)} parameters, {plan.trajectories} trajectories)", file=sys.stderr)
        with executors.use(executors.from_args(args)):
            result = _run_with_progress(plan, args.jobs)
        out = commands.output_dir(args.output_dir, "sensitivity", plan.name)
        result.write(out, figure=not args.no_figure)
        print(result.markdown())
        commands.report_outputs(out)
        return 0

    return commands.run("journey-sensitivity", body, argv)


if __name__ == "__main__":
    sys.exit(main())
