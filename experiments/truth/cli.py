"""``journey-truth [--seeds N] [--jobs N] [key=value ...]``: true channel effects, written and printed.

Command line (:mod:`journeysim.commands`; config overrides as for ``journey``)::

    journey-truth scenario=attribution_lab --seeds 5 population.size=50000 hydra.run.dir=truth

The options once written ``seeds=5``, ``out=DIR`` still work, with a deprecation note.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from journeysim import commands
from journeysim.experiments.truth.method import true_effects
from journeysim.experiments.truth.result import TruthResult

SUMMARY = ("journey-truth: the true effect of each channel, from counterfactual runs under common random "
           "numbers (the factual run, then each channel switched off on the same seeds): incremental "
           "acquisitions, share, ROAS and marginal ROAS per channel, with intervals over seeds.")

LEGACY_OPTIONS = ("seeds", "jobs", "marginal", "exports", "out")
"""Options once written as ``key=value`` (``seeds=5``); :func:`journeysim.commands.legacy_options` maps them."""


def add_truth_options(p: argparse.ArgumentParser, seeds: int = 5) -> None:
    """The options ``journey-truth`` and ``journey-attribution`` share: seeds, jobs, marginal ROAS."""
    p.add_argument("--seeds", type=int, default=seeds, help=f"number of seeds (default {seeds})")
    p.add_argument("--jobs", type=int, default=None, help="parallel processes (default: every core)")
    p.add_argument("--marginal", choices=("true", "false"), default="true",
                   help="also run +/-10%% budgets for the marginal ROAS (default true)")


def parser() -> argparse.ArgumentParser:
    """The command line of ``journey-truth``."""
    p = commands.parser("journey-truth", SUMMARY,
                        examples=("journey-truth scenario=attribution_lab --seeds 5 population.size=50000",
                                  "journey-truth --seeds 2 --marginal false days=180 hydra.run.dir=truth"),
                        writes="truth.csv, truth_totals.csv, truth_runs.csv, truth.json, truth.png and the paths and "
                               "MMM exports in outputs/truth/<scenario>/<date_time>/")
    add_truth_options(p)
    p.add_argument("--exports", choices=("first", "all", "none"), default="first",
                   help="seeds whose factual run writes paths and MMM tables (default first)")
    commands.add_overrides(p)
    commands.add_deprecated_out(p)
    return p


def format_table(table: pd.DataFrame) -> str:
    """The truth table as aligned text (means with intervals)."""
    lines = [f"{'channel':<14}{'spend':>12}{'incr. acq.':>24}{'share':>8}{'ROAS':>22}{'mROAS':>8}"]
    for row in table.to_dict("records"):
        acq = f"{row['incremental_acquisitions']:,.0f} [{row['incremental_acquisitions_low']:,.0f}, " \
              f"{row['incremental_acquisitions_high']:,.0f}]"
        roas = f"{row['roas']:.2f} [{row['roas_low']:.2f}, {row['roas_high']:.2f}]"
        lines.append(f"{row['channel']:<14}{row['spend']:>12,.0f}{acq:>24}{row['share']:>8.1%}{roas:>22}"
                     f"{row.get('marginal_roas', float('nan')):>8.2f}")
    return "\n".join(lines)


def run_command(argv: Sequence[str]) -> tuple[TruthResult, Path]:
    """``journey-truth`` without the exit handling: run, write, print; return the result and directory."""
    args = commands.parse(parser(), commands.legacy_options("journey-truth", argv, LEGACY_OPTIONS))
    result = true_effects(None, seeds=args.seeds, overrides=args.overrides, marginal=args.marginal == "true",
                          exports=args.exports, jobs=args.jobs)
    directory = commands.output_dir(args.output_dir, "truth", result.meta["scenario"])
    result.write(directory)
    totals = result.totals.set_index("metric")
    print(format_table(result.table))
    print(f"interaction share: {totals.loc['interaction_share', 'mean']:.1%} "
          f"[{totals.loc['interaction_share', 'low']:.1%}, {totals.loc['interaction_share', 'high']:.1%}]; "
          f"{result.meta['runs']} runs in {result.meta['wall_seconds']:.0f} s")
    commands.report_outputs(directory)
    return result, directory


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``journey-truth``; exits 2 on bad input."""
    argv = list(sys.argv[1:] if argv is None else argv)
    return commands.run("journey-truth", lambda: run_command(argv) and None, argv)


if __name__ == "__main__":
    sys.exit(main())
