"""Run every validation experiment, write its tables and figures, and print a pass/fail table.

``make validate`` runs ``python -m journeysim.experiments.validation.run``; options choose the
output folder, a subset of experiments, the worker processes and the base seed. The exit
status is 0 when every pass criterion held, 1 otherwise (findings marked REPORTED, such as a
published claim the replication does not reproduce, do not fail the run).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from journeysim.experiments.validation import (
    bass_products,
    epidemic_threshold,
    network_speed,
    price_elasticity,
    talk_of_the_network,
)
from journeysim.experiments.validation.experiment import Outcome, default_jobs, save_table

EXPERIMENTS: dict[str, Callable[..., Outcome]] = {
    bass_products.NAME: bass_products.run,
    talk_of_the_network.NAME: talk_of_the_network.run,
    network_speed.NAME: network_speed.run,
    epidemic_threshold.NAME: epidemic_threshold.run,
    price_elasticity.NAME: price_elasticity.run,
}
"""Experiments by name, in the order they run."""

DEFAULT_OUT = Path("docs") / "validation"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m journeysim.experiments.validation.run",
                                     description="Dock journeysim with published diffusion and price results.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"folder for the tables and figures (default: {DEFAULT_OUT})")
    parser.add_argument("--only", nargs="+", choices=list(EXPERIMENTS), metavar="NAME",
                        help=f"run only these experiments ({', '.join(EXPERIMENTS)})")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="worker processes (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="base seed of every experiment (default: 0)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs = {args.jobs} is not allowed: a whole number of at least 1")
    if args.seed < 0:
        parser.error(f"--seed = {args.seed} is not allowed: a whole number of at least 0")
    return args


def checks_table(outcomes: Sequence[Outcome]) -> pd.DataFrame:
    """Every check of every experiment: experiment, status, criterion, detail."""
    return pd.DataFrame([{"experiment": c.experiment, "status": c.status, "criterion": c.criterion,
                          "detail": c.detail} for outcome in outcomes for c in outcome.checks])


def print_table(table: pd.DataFrame, outcomes: Sequence[Outcome]) -> None:
    """The pass/fail table on the terminal."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(140, Console().width))
    view = Table(title="journeysim validation against the literature", show_lines=True)
    for column, style in (("experiment", "bold"), ("status", None), ("criterion", None), ("detail", "dim")):
        view.add_column(column, style=style, overflow="fold")
    colours = {"PASS": "green", "FAIL": "bold red", "REPORTED": "yellow"}
    for row in table.itertuples():
        view.add_row(row.experiment, f"[{colours[row.status]}]{row.status}[/]", row.criterion, row.detail)
    console.print(view)
    for outcome in outcomes:
        console.print(f"{outcome.name}: {'passed' if outcome.passed else 'FAILED'} in {outcome.seconds:.0f} s; "
                      f"wrote {', '.join(path.name for path in outcome.files)}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the experiments; return 0 if every criterion held, else 1."""
    import matplotlib

    matplotlib.use("Agg")
    args = parse_args(argv)
    outcomes = []
    started = time.perf_counter()
    for name in args.only or EXPERIMENTS:
        print(f"running {name} ...", flush=True)
        begin = time.perf_counter()
        outcome = EXPERIMENTS[name](args.out, jobs=args.jobs, seed=args.seed)
        outcome.seconds = time.perf_counter() - begin
        outcomes.append(outcome)
    table = checks_table(outcomes)
    save_table(args.out, "checks", table)
    print_table(table, outcomes)
    passed = all(outcome.passed for outcome in outcomes)
    print(f"{'all criteria passed' if passed else 'SOME CRITERIA FAILED'} "
          f"({time.perf_counter() - started:.0f} s; tables and figures in {args.out})")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
