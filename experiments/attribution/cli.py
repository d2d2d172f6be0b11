"""``journey-attribution [option=value ...] [config.key=value ...]``: attribution models against the truth.

Command line (``key=value`` overrides as for ``journey``)::

    journey-attribution scenario=attribution_lab seeds=5 population.size=50000
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from journeysim.experiments.attribution.result import evaluate_attribution
from journeysim.experiments.truth.cli import (
    OPTIONS,
    default_directory,
    flag_option,
    format_table,
    integer_option,
    parse_arguments,
    usage,
)
from journeysim.sim.errors import EXIT_BAD_INPUT, ConfigError

SUMMARY = "Multi-touch attribution models, evaluated against the simulator's true channel effects."


def main(argv: Sequence[str] | None = None) -> None:
    """Console script ``journey-attribution``."""
    options_help = {k: v for k, v in OPTIONS.items() if k != "exports"}
    options_help["out"] = "output directory (default outputs/attribution/<scenario>/<time>)"
    argv = list(sys.argv[1:] if argv is None else argv)
    if {"-h", "--help"} & set(argv):
        print(usage("journey-attribution", options_help, SUMMARY))
        return
    try:
        options, overrides = parse_arguments(argv, options_help)
        if not any(o.startswith("scenario=") for o in overrides):
            overrides.insert(0, "scenario=attribution_lab")
        result = evaluate_attribution(None, seeds=integer_option(options, "seeds", 5), overrides=overrides,
                                      marginal=flag_option(options, "marginal", True),
                                      jobs=integer_option(options, "jobs", None))
        scenario = result.truth.meta["scenario"]
        directory = result.write(Path(options["out"]) if "out" in options
                                 else default_directory("attribution", scenario))
    except ConfigError as error:
        print(f"journey-attribution: error: {error}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None
    print(format_table(result.truth.table))
    print()
    print(result.markdown())
    print(f"\nwritten to {directory}")


if __name__ == "__main__":
    main()
