"""``journey-attribution [--seeds N] [key=value ...]``: attribution models against the truth.

Command line (:mod:`journeysim.commands`; config overrides as for ``journey``)::

    journey-attribution scenario=attribution_lab --seeds 5 population.size=50000
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from journeysim import commands
from journeysim.experiments import executors
from journeysim.experiments.attribution.result import evaluate_attribution
from journeysim.experiments.truth.cli import add_truth_options, format_table

SUMMARY = ("journey-attribution: score multi-touch attribution models (last touch, first touch, linear, "
           "time decay, position based, Markov, Shapley) against the simulator's true channel effects, "
           "measured by counterfactual runs on the same seeds.")

LEGACY_OPTIONS = ("seeds", "jobs", "marginal", "out")
"""Options once written as ``key=value`` (``seeds=5``)."""


def parser() -> argparse.ArgumentParser:
    """The command line of ``journey-attribution``."""
    p = commands.parser("journey-attribution", SUMMARY,
                        examples=("journey-attribution --seeds 5 population.size=50000   # scenario attribution_lab",
                                  "journey-attribution scenario=baseline --seeds 3 hydra.run.dir=attribution"),
                        writes="attribution.csv, attribution.md, the truth's tables and figures in "
                               "outputs/attribution/<scenario>/<date_time>/")
    add_truth_options(p)
    commands.add_overrides(p, "config overrides for every run (default scenario=attribution_lab)")
    commands.add_deprecated_out(p)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``journey-attribution``; exits 2 on bad input."""
    argv = list(sys.argv[1:] if argv is None else argv)

    def body() -> None:
        args = commands.parse(parser(), commands.legacy_options("journey-attribution", argv, LEGACY_OPTIONS))
        overrides = list(args.overrides)
        if not any(o.startswith("scenario=") for o in overrides):
            overrides.insert(0, "scenario=attribution_lab")
        with executors.use(executors.from_args(args)):
            result = evaluate_attribution(None, seeds=args.seeds, overrides=overrides,
                                          marginal=args.marginal == "true", jobs=args.jobs)
        directory = result.write(commands.output_dir(args.output_dir, "attribution", result.truth.meta["scenario"]))
        print(format_table(result.truth.table, seeds=len(result.truth.meta["seeds"])))
        print()
        print(result.markdown())
        commands.report_outputs(directory)

    return commands.run("journey-attribution", body, argv)


if __name__ == "__main__":
    sys.exit(main())
