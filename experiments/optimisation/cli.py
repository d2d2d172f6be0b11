"""``journey-optimise [PLAN] [key=value ...]``: split a fixed total budget to maximise a KPI.

It writes the trials, the best allocation with its interval on fresh seeds, the per-channel
response curves and the trade-off figure, and a ready-to-run scenario ``scenario/<name>.yaml``
with the best plan as a ``budget_plan`` lever.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from journeysim import commands
from journeysim.experiments import executors
from journeysim.experiments.optimisation.adaptive import parse_settings
from journeysim.experiments.optimisation.method import optimise
from journeysim.experiments.optimisation.plan import BudgetPlan, parse_plan, read_plan_file
from journeysim.experiments.plans import with_flags
from journeysim.sim.schema.plans import OBJECTIVES


def parser() -> argparse.ArgumentParser:
    """The command line of ``journey-optimise``."""
    p = commands.parser(
        "journey-optimise",
        "journey-optimise: split a fixed total budget across channels (and always-on vs a burst) to maximise "
        "profit, acquisitions or revenue (with a CAC ceiling); every candidate on the same seeds.",
        examples=("journey-optimise                                   # the packaged 'budget' plan",
                  "journey-optimise budget --objective acquisitions --cac-ceiling 40 population.size=5000",
                  "journey-optimise budget --adaptive --no-curves   # the adaptive budget against both static plans"),
        writes="trials.csv, the best plan, response.png, tradeoff.png and scenario/<name>.yaml in "
               "outputs/optimise/<plan>/<date_time>/")
    p.add_argument("plan", nargs="?", default="budget",
                   help="a plan in conf/calibration (by name) or a YAML file (default: budget)")
    commands.add_overrides(p)
    commands.add_deprecated_out(p)
    p.add_argument("--objective", choices=OBJECTIVES, help="KPI to maximise (overrides the plan's)")
    p.add_argument("--cac-ceiling", type=float, help="largest mean CAC allowed (overrides the plan's)")
    p.add_argument("--trials", type=int, help="candidate plans (overrides the plan's)")
    p.add_argument("--seeds", type=int, help="tuning seeds per candidate (overrides the plan's)")
    p.add_argument("--validation-seeds", type=int, help="fresh seeds for best vs configured (overrides the plan's)")
    p.add_argument("--jobs", type=int, default=-1, help="worker processes (default -1: every core)")
    executors.add_options(p, legacy_backend=True)
    p.add_argument("--name", default="best_plan", help="name of the best-plan scenario (default best_plan)")
    p.add_argument("--no-curves", action="store_true", help="skip the response curves")
    p.add_argument("--no-figures", action="store_true", help="skip response.png and tradeoff.png")
    p.add_argument("--adaptive", action="store_true",
                   help="also run the adaptive budget (lever adaptive_budget: Thompson sampling on the observed "
                        "panel, from the configured split) on the fresh seeds and compare it with both static "
                        "plans on true profit")
    p.add_argument("--adaptive-settings", metavar="SETTINGS",
                   help="the adaptive budget's settings, e.g. every=7,prior_sd=0.5,observation.reporting_lag_days=5 "
                        "(implies --adaptive)")
    return p


def plan_from_args(args: argparse.Namespace) -> BudgetPlan:
    """The plan named on the command line with its flags and overrides applied."""
    commands.omitted_positional(args, "plan", parser().get_default("plan"))
    name, raw = read_plan_file(args.plan)
    flags = {"objective": args.objective, "cac_ceiling": args.cac_ceiling, "trials": args.trials,
             "seeds": args.seeds, "validation_seeds": args.validation_seeds}
    return parse_plan(name, with_flags(raw, flags, args.overrides))


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``journey-optimise``; returns 0, or exits 2 on bad input."""

    def body() -> int:
        args = commands.parse(parser(), argv)
        plan = plan_from_args(args)
        wanted = args.adaptive or args.adaptive_settings is not None
        adaptive = parse_settings(args.adaptive_settings, "--adaptive-settings") if wanted else None
        result = optimise(plan, jobs=args.jobs, backend=executors.from_args(args), curves=not args.no_curves,
                          adaptive=adaptive)
        out = commands.output_dir(args.output_dir, "optimise", plan.name)
        result.write(out, args.name, figures=not args.no_figures)
        print(result.markdown())
        print(f"run it: journey --config-dir {out} scenario={args.name}")
        commands.report_outputs(out)
        return 0

    return commands.run("journey-optimise", body, argv)


if __name__ == "__main__":
    sys.exit(main())
