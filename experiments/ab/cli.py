"""``journey-ab --lever NAME --value X [options] [key=value ...]``: an A/B test in the market, beside the truth.

Command line (:mod:`journeysim.commands`; config overrides as for ``journey``)::

    journey-ab --lever checkout_friction --value 0.15 --start 60 --window 28 population.size=20000
    journey-ab --tests 40 --jobs 2 population.size=2000          # 40 A/A tests: the false-positive rate
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from journeysim import commands
from journeysim.experiments import executors
from journeysim.experiments.ab.method import SCOPED_LEVERS, ab_test
from journeysim.experiments.ab.metrics import METRICS
from journeysim.experiments.ab.result import AbResult

SUMMARY = ("journey-ab: an A/B test run inside the simulated market. Customers are split at random into "
           "treatment and control; the lever acts on the treatment arm only; over the test window the "
           "analyst's view (conversion, revenue per customer, NPS of surveyed buyers) gives the lift with its "
           "interval, power and minimum detectable effect, beside the truth from paired runs under common random "
           "numbers: the effect on the treated arm and the effect of rolling the lever out to everyone, and "
           "whether the decision was right. Without --lever it runs A/A tests.")


def parser() -> commands.CommandParser:
    """The command line of ``journey-ab``."""
    p = commands.parser("journey-ab", SUMMARY,
                        examples=("journey-ab --lever checkout_friction --value 0.15 population.size=20000",
                                  "journey-ab --lever discount --value 0.1 --metric revenue --share 0.2",
                                  "journey-ab --tests 40 --jobs 2 population.size=2000"),
                        writes="ab_tests.csv, ab.json, ab.png in outputs/ab/<scenario>/<date_time>/")
    p.add_argument("--lever", default=None, help=f"the lever the treatment arm gets: {', '.join(SCOPED_LEVERS)} "
                                                 "(default: none, an A/A test)")
    p.add_argument("--value", type=float, default=None, help="the lever's value for the treatment arm")
    p.add_argument("--start", type=int, default=60, help="day index the test starts (after a warm-up; default 60)")
    p.add_argument("--window", type=int, default=28, help="test window, days (default 28)")
    p.add_argument("--share", type=float, default=0.5, help="share of customers treated (default 0.5)")
    p.add_argument("--metric", choices=METRICS, default="conversion", help="the metric the decision is made on")
    p.add_argument("--level", type=float, default=0.95, help="confidence level (default 0.95: tests at 0.05)")
    p.add_argument("--response-rate", type=float, default=0.3, help="share of buyers who answer the NPS survey")
    p.add_argument("--tests", type=int, default=1, help="tests of the design, each its own seed (default 1)")
    p.add_argument("--jobs", type=int, default=1, help="parallel processes (default 1)")
    executors.add_options(p)
    commands.add_overrides(p)
    return p


def run_command(argv: Sequence[str]) -> tuple[AbResult, Path]:
    """``journey-ab`` without the exit handling: run, write, print."""
    from journeysim.api import compose_config
    from journeysim.units import currency_from

    args = commands.parse(parser(), argv)
    if args.output_dir:
        commands.check_output_location(args.output_dir)  # before any work
    with executors.use(executors.from_args(args)):
        result = ab_test(args.overrides, args.lever, args.value, args.start, args.window, args.share, args.metric,
                        args.level, args.response_rate, args.tests, args.jobs)
    directory = commands.output_dir(args.output_dir, "ab", result.meta["scenario"])
    config = compose_config(None, args.overrides)
    result.write(directory, currency_from(config))
    print(result.report(currency_from(config)))
    commands.report_outputs(directory, config=config, seeds=result.meta["seeds"])
    return result, directory


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``journey-ab``; exits 2 on bad input."""
    argv = list(sys.argv[1:] if argv is None else argv)
    return commands.run("journey-ab", lambda: run_command(argv) and None, argv)


if __name__ == "__main__":
    sys.exit(main())
