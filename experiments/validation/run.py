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

from journeysim import commands
from journeysim.experiments import executors
from journeysim.experiments.validation import (
    ab_calibration,
    bass_products,
    brand_markets,
    calibration_recovery,
    committees,
    device_gap,
    dirichlet,
    epidemic_threshold,
    facts_three_brands,
    lift_interference,
    market_facts,
    network_speed,
    price_elasticity,
    queues,
    repeat_buying,
    service_burst,
    talk_of_the_network,
)
from journeysim.experiments.validation.experiment import Outcome, default_jobs, save_table
from journeysim.sim.errors import EXIT_FAILED, EXIT_OK
from journeysim.sim.schema.fields import check, whole

EXPERIMENTS: dict[str, Callable[..., Outcome]] = {
    bass_products.NAME: bass_products.run,
    talk_of_the_network.NAME: talk_of_the_network.run,
    network_speed.NAME: network_speed.run,
    epidemic_threshold.NAME: epidemic_threshold.run,
    price_elasticity.NAME: price_elasticity.run,
    service_burst.NAME: service_burst.run,
    queues.NAME: queues.run,
    market_facts.PRICE: market_facts.run_price,
    market_facts.ADVERTISING: market_facts.run_advertising,
    repeat_buying.NBD: repeat_buying.run_nbd,
    market_facts.CART: market_facts.run_cart,
    market_facts.ORGANIC: market_facts.run_organic,
    repeat_buying.PROFILE: repeat_buying.run_profile,
    ab_calibration.NAME: ab_calibration.run,
    calibration_recovery.NAME: calibration_recovery.run,
    dirichlet.NAME: dirichlet.run,
    brand_markets.MARKET: brand_markets.run_market,
    brand_markets.CROSS_PRICE: brand_markets.run_cross_price,
    facts_three_brands.NAME: facts_three_brands.run,
    device_gap.NAME: device_gap.run,
    committees.NAME: committees.run,
    lift_interference.NAME: lift_interference.run,
}
"""Experiments by name, in the order they run."""

DEFAULT_OUT = Path("docs") / "validation"


PROG = "python -m journeysim.experiments.validation.run"


def parser() -> argparse.ArgumentParser:
    """The command line of ``make validate`` (:mod:`journeysim.commands`)."""
    p = commands.parser(PROG, f"{PROG}: dock journeysim with published diffusion and price results (Bass, Talk of "
                        "the Network, network speed, epidemic threshold, price elasticity), the service burst and the "
                        "stylised facts of a market (price and advertising response, NBD repeat buying, cart "
                        "abandonment, organic base, repeat profile), A/B test calibration and the laws of brand buying "
                        "(Double Jeopardy, duplication of purchase, cross-price elasticity) with the stylised facts "
                        "re-run with competitors, conversion by device with responsive design, and B2B buying "
                        "committees; print a pass/fail table.",
                        examples=(f"{PROG} --only bass_products --jobs 2", f"{PROG} hydra.run.dir=validation"),
                        writes=f"checks.csv and each experiment's tables and figures in {DEFAULT_OUT}/")
    p.add_argument("--only", nargs="+", choices=list(EXPERIMENTS), metavar="NAME",
                   help=f"run only these experiments ({', '.join(EXPERIMENTS)})")
    p.add_argument("--jobs", type=int, default=default_jobs(), help="worker processes (default: %(default)s)")
    executors.add_options(p)
    p.add_argument("--seed", type=int, default=0, help="base seed of every experiment (default: 0)")
    commands.add_deprecated_out(p)
    return p


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options (ConfigError for a bad number)."""
    args = commands.parse(parser(), argv)
    check(whole(1), args.jobs, "--jobs")
    check(whole(0), args.seed, "--seed")
    args.out = Path(args.output_dir or DEFAULT_OUT)
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
    """Run the experiments; return 0 if every criterion held, else 1 (2 on bad input)."""

    def body() -> int:
        args = parse_args(argv)
        outcomes = []
        started = time.perf_counter()
        for name in args.only or EXPERIMENTS:
            print(f"running {name} ...", flush=True)
            begin = time.perf_counter()
            with executors.use(executors.from_args(args)):
                outcome = EXPERIMENTS[name](args.out, jobs=args.jobs, seed=args.seed)
            outcome.seconds = time.perf_counter() - begin
            outcomes.append(outcome)
        table = checks_table(outcomes)
        save_table(args.out, "checks", table)
        print_table(table, outcomes)
        passed = all(outcome.passed for outcome in outcomes)
        print(f"{'all criteria passed' if passed else 'SOME CRITERIA FAILED'} ({time.perf_counter() - started:.0f} s)")
        commands.report_outputs(args.out)
        return EXIT_OK if passed else EXIT_FAILED

    return commands.run(PROG, body, argv)


if __name__ == "__main__":
    sys.exit(main())
