"""``journey-compare SWEEP_DIR``: aggregate any sweep directory, finished or partial.

It reports which runs failed, did not finish or never started, compares the complete
ones, and writes ``comparison.csv``, ``comparison.md``, ``runs.csv`` and the figures.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from journeysim.sim.errors import EXIT_BAD_INPUT, ConfigError


def parser() -> argparse.ArgumentParser:
    """The command line of ``journey-compare``."""
    p = argparse.ArgumentParser(
        prog="journey-compare",
        description="Compare the scenarios of a sweep: mean and t interval of each KPI per scenario, and "
                    "the difference to a reference scenario paired by seed (common random numbers).")
    p.add_argument("sweep_dir", metavar="SWEEP_DIR", help="a Hydra sweep directory (journey --multirun ...)")
    p.add_argument("--reference", default=None,
                   help="reference scenario: a label from the table, or words of one "
                        "(e.g. market.checkout_friction=0.3); default baseline, else the first")
    p.add_argument("--kpi", action="append", dest="kpis", metavar="KPI",
                   help="KPI for the Markdown table and figures (repeat for several; default: headline KPIs)")
    p.add_argument("--level", type=float, default=0.95, help="confidence level, 0..1 (default 0.95)")
    p.add_argument("--out", default=None, help="output directory (default: SWEEP_DIR)")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``journey-compare``; returns 0, or exits 2 on bad input."""
    from journeysim.experiments.aggregate import aggregate
    from journeysim.experiments.report import markdown, write_comparison

    args = parser().parse_args(argv)
    try:
        comparison = aggregate(args.sweep_dir, args.reference, args.kpis, args.level)
    except ConfigError as error:
        print(f"journey-compare: error: {error}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None
    written = write_comparison(comparison, args.out, figures=not args.no_figures, kpis=args.kpis)
    print(markdown(comparison, args.kpis))
    print("written: " + ", ".join(str(path) for path in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
