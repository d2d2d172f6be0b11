"""``journey-compare SWEEP_DIR``: aggregate any sweep directory, finished or partial.

It reports which runs failed, did not finish or never started, compares the complete
ones, and writes ``comparison.csv``, ``comparison.md``, ``runs.csv`` and the figures.
The command line follows :mod:`journeysim.commands` (help, errors, ``hydra.run.dir=DIR``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from journeysim import commands


def parser() -> argparse.ArgumentParser:
    """The command line of ``journey-compare``."""
    p = commands.parser(
        "journey-compare",
        "journey-compare: compare the scenarios of a sweep. For each KPI and scenario: the mean over seeds "
        "with its t interval, and the difference to a reference scenario paired by seed (common random "
        "numbers). Runs that failed, did not finish or never started are listed, not compared.",
        examples=("journey --multirun scenario=baseline,digital_shift seed='range(5)' hydra.sweep.dir=sweep",
                  "journey-compare sweep                          # comparison.md, .csv and figures in sweep/",
                  "journey-compare sweep --kpi profit --kpi cac --reference digital_shift"),
        writes="comparison.csv, comparison.md, runs.csv, comparison.png and differences.png in SWEEP_DIR")
    p.add_argument("sweep_dir", metavar="SWEEP_DIR", help="a sweep directory (journey --multirun ..., or sweep())")
    p.add_argument("--reference", default=None,
                   help="reference scenario: a label from the table, or words of one "
                        "(e.g. market.checkout_friction=0.3); default baseline, else the first")
    p.add_argument("--kpi", action="append", dest="kpis", metavar="KPI",
                   help="KPI for the Markdown table and figures (repeat for several; default: headline KPIs)")
    p.add_argument("--level", type=float, default=0.95, help="confidence level, 0..1 (default 0.95)")
    commands.add_deprecated_out(p)
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p.default_output = None  # SWEEP_DIR: checked once the sweep is read
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``journey-compare``; returns 0, or exits 2 on bad input."""
    from journeysim.experiments.aggregate import aggregate
    from journeysim.experiments.report import markdown, write_comparison

    def body() -> int:
        args = commands.parse(parser(), argv)
        out = args.output_dir or args.sweep_dir
        comparison = aggregate(args.sweep_dir, args.reference, args.kpis, args.level)
        commands.check_output_location(out)
        write_comparison(comparison, out, figures=not args.no_figures, kpis=args.kpis)
        print(markdown(comparison, args.kpis))
        commands.report_outputs(out)
        return 0

    return commands.run("journey-compare", body, argv)


if __name__ == "__main__":
    sys.exit(main())
