"""``journey-truth [option=value ...] [config.key=value ...]``: true channel effects, written and printed.

Command line (``key=value`` overrides as for ``journey``)::

    journey-truth scenario=attribution_lab seeds=5 population.size=50000

Options and config overrides are both ``key=value`` (:func:`parse_arguments` tells them apart);
``journey-attribution`` uses the same option style.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from journeysim.experiments.truth.method import true_effects
from journeysim.experiments.truth.result import TruthResult
from journeysim.sim.errors import EXIT_BAD_INPUT, ConfigError

SUMMARY = "True channel effects from counterfactual runs under common random numbers."


OPTIONS = {"seeds": "number of seeds (default 5)", "jobs": "parallel processes (default: CPUs)",
           "marginal": "true/false: also run +/-10% budgets for the marginal ROAS (default true)",
           "out": "output directory (default outputs/truth/<scenario>/<time>)",
           "exports": "first/all/none: seeds whose factual run writes paths and MMM tables (default first)"}
"""Options of the command line besides config overrides (``key=value`` like overrides)."""


def parse_arguments(argv: Sequence[str], options: Mapping[str, str] = OPTIONS) -> tuple[dict[str, str], list[str]]:
    """Split ``key=value`` arguments into this command's options and config overrides."""
    chosen, overrides = {}, []
    for arg in argv:
        key, sep, value = arg.partition("=")
        if not sep:
            raise ConfigError(arg, None, "key=value arguments (options: " + ", ".join(options) + "; or config keys)")
        if key in options:
            chosen[key] = value
        else:
            overrides.append(arg)
    return chosen, overrides


def integer_option(options: Mapping[str, str], key: str, default: int | None) -> int | None:
    """Read an integer option (``seeds=5``)."""
    if key not in options:
        return default
    try:
        return int(options[key])
    except ValueError:
        raise ConfigError(key, options[key], "a whole number") from None


def flag_option(options: Mapping[str, str], key: str, default: bool) -> bool:
    """Read a true/false option."""
    value = options.get(key, str(default)).lower()
    if value not in ("true", "false"):
        raise ConfigError(key, options[key], "true or false")
    return value == "true"


def default_directory(kind: str, scenario: str) -> Path:
    """``outputs/<kind>/<scenario>/<time>`` under the working directory."""
    return Path("outputs") / kind / scenario / time.strftime("%Y-%m-%d_%H-%M-%S")


def usage(command: str, options: Mapping[str, str], doc: str) -> str:
    """Help text of a command taking options and config overrides."""
    lines = [f"usage: {command} [option=value ...] [config.key=value ...]", "", doc.strip(), "", "options:"]
    lines += [f"  {key:<10} {text}" for key, text in options.items()]
    return "\n".join(lines)


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
    options, overrides = parse_arguments(argv)
    result = true_effects(None, seeds=integer_option(options, "seeds", 5), overrides=overrides,
                          marginal=flag_option(options, "marginal", True), exports=options.get("exports", "first"),
                          jobs=integer_option(options, "jobs", None))
    directory = Path(options["out"]) if "out" in options else default_directory("truth", result.meta["scenario"])
    result.write(directory)
    totals = result.totals.set_index("metric")
    print(format_table(result.table))
    print(f"interaction share: {totals.loc['interaction_share', 'mean']:.1%} "
          f"[{totals.loc['interaction_share', 'low']:.1%}, {totals.loc['interaction_share', 'high']:.1%}]; "
          f"{result.meta['runs']} runs in {result.meta['wall_seconds']:.0f} s; written to {directory}")
    return result, directory


def main(argv: Sequence[str] | None = None) -> None:
    """Console script ``journey-truth``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if {"-h", "--help"} & set(argv):
        print(usage("journey-truth", OPTIONS, SUMMARY))
        return
    try:
        run_command(argv)
    except ConfigError as error:
        print(f"journey-truth: error: {error}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None


if __name__ == "__main__":
    main()
