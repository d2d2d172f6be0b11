"""``journey-calibrate PLAN DATA``: fit the plan's parameters to the data and write what was found.

It writes the posterior, the fitted values, a calibrated scenario (``scenario/<name>.yaml``,
run it with ``journey --config-dir OUT scenario=<name>``) and the observed-vs-simulated figure.
``--synthesise`` writes DATA simulated by journeysim instead (for parameter recovery).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from journeysim import commands
from journeysim.experiments import executors
from journeysim.experiments.calibration.method import base_config, calibrate, synthesise
from journeysim.experiments.calibration.observed import read_observed, write_observed
from journeysim.experiments.calibration.plan import CalibrationPlan, parse_plan, read_plan_file
from journeysim.experiments.calibration.statistics import allowed_statistics
from journeysim.experiments.plans import with_flags
from journeysim.sim.errors import ConfigError


def parser() -> argparse.ArgumentParser:
    """The command line of ``journey-calibrate``."""
    p = commands.parser(
        "journey-calibrate",
        "journey-calibrate: fit config parameters (ranges in a YAML plan) to observed weekly data with ABC-SMC; "
        "write the posterior, a calibrated scenario and the observed-vs-simulated figure.",
        examples=("journey-calibrate recovery data.csv --synthesise market.checkout_friction=0.2   # synthetic data",
                  "journey-calibrate recovery data.csv --jobs 2 hydra.run.dir=fit                  # fit it"),
        writes="posterior.csv, fitted values, scenario/<name>.yaml, fit.png and posterior.png in "
               "outputs/calibration/<plan>/<date_time>/")
    p.add_argument("plan", help="a plan in conf/calibration (by name, e.g. recovery) or a YAML file")
    p.add_argument("data", help="observed weekly data (CSV); with --synthesise, the CSV to write")
    commands.add_overrides(p, "config overrides for every run (with --synthesise: the true values to simulate)")
    commands.add_deprecated_out(p)
    p.add_argument("--name", default="calibrated", help="name of the calibrated scenario (default calibrated)")
    p.add_argument("--jobs", type=int, default=-1, help="worker processes (default -1: every core)")
    executors.add_options(p, legacy_backend=True)
    p.add_argument("--population-size", type=int, help="ABC particles per generation (overrides the plan's)")
    p.add_argument("--generations", type=int, help="ABC-SMC generations at most (overrides the plan's)")
    p.add_argument("--max-simulations", type=int, help="ABC runs at most (overrides the plan's)")
    p.add_argument("--seed", type=int, help="seed of the inference (overrides the plan's)")
    p.add_argument("--truth", action="append", default=[], metavar="key=value",
                   help="a known true value (synthetic data), shown in the table and figure")
    p.add_argument("--synthesise", action="store_true",
                   help="write DATA simulated by journeysim at the overrides' values, then exit")
    p.add_argument("--weeks", type=int, default=26, help="weeks of synthetic data (default 26)")
    p.add_argument("--abc-db", metavar="PATH",
                   help="keep pyabc's history database at PATH, even when the calibration fails or is "
                        "interrupted (default: abc.db in the output folder, once the calibration has finished)")
    p.add_argument("--no-figures", action="store_true", help="skip fit.png and posterior.png")
    p.add_argument("--verbose", action="store_true", help="show pyabc's log of each generation")
    return p


def plan_from_args(args: argparse.Namespace) -> CalibrationPlan:
    """The plan named on the command line with its flags applied."""
    name, raw = read_plan_file(args.plan)
    abc = with_flags(dict(raw.get("abc") or {}), {
        "population_size": args.population_size, "generations": args.generations,
        "max_simulations": args.max_simulations})
    overrides = None if args.synthesise else args.overrides
    return parse_plan(name, with_flags(raw, {"abc": abc, "seed": args.seed}, overrides))


def parse_truth(items: Sequence[str]) -> dict[str, float]:
    """``key=value`` strings as numbers."""
    truth = {}
    for item in items:
        key, _, value = item.partition("=")
        try:
            truth[key] = float(value)
        except ValueError:
            raise ConfigError(f"--truth {key}", value, "a number") from None
    return truth


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``journey-calibrate``; returns 0, or exits 2 on bad input."""

    def body() -> int:
        args = commands.parse(parser(), argv)
        plan = plan_from_args(args)
        if args.synthesise:
            observed = synthesise(plan, args.overrides, args.weeks, statistics=plan.statistics)
            print(f"{write_observed(observed, args.data)}: {args.weeks} weeks, 1 run")
            commands.report_outputs(args.data)
            return 0
        out = commands.output_dir(args.output_dir, "calibration", plan.name)
        config = base_config(plan)
        observed = read_observed(args.data, allowed_statistics(tuple(config["channels"])))
        history = Path(args.abc_db) if args.abc_db else out / "abc.db"
        created = not out.exists()
        out.mkdir(parents=True, exist_ok=True)
        try:
            calibration = calibrate(plan, observed, jobs=args.jobs, backend=executors.from_args(args),
                                    db_path=history, truth=parse_truth(args.truth), verbose=args.verbose,
                                    config=config, keep_failed=bool(args.abc_db))
        except BaseException:
            if args.abc_db and history.exists():
                print(f"journey-calibrate: pyabc's history so far is kept in {history}", file=sys.stderr)
            if created:
                with contextlib.suppress(OSError):
                    out.rmdir()  # only when empty: a failed calibration leaves no folder of nothing
            raise
        calibration.write(out, args.name, figures=not args.no_figures)
        print(calibration.markdown())
        if args.abc_db:
            print(f"pyabc's history: {history}")
        print(f"cost: {calibration.runs:,} runs ({calibration.simulations:,} ABC-SMC, "
              f"{calibration.runs - calibration.simulations} predictive) in {calibration.wall_seconds:,.0f} s")
        print(f"run it: journey --config-dir {out} scenario={args.name}")
        commands.report_outputs(out)
        return 0

    return commands.run("journey-calibrate", body, argv)


if __name__ == "__main__":
    sys.exit(main())
