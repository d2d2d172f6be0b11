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
from journeysim.experiments import executors
from journeysim.experiments.intervals import MIN_SEEDS
from journeysim.experiments.panels import lift_options
from journeysim.experiments.panels.lift import lift_tests
from journeysim.experiments.panels.lift_options import LiftOptions
from journeysim.experiments.truth.horizons import HORIZONS
from journeysim.experiments.truth.method import true_effects
from journeysim.experiments.truth.result import TruthResult
from journeysim.sim.errors import ConfigError

SUMMARY = ("journey-truth: the true effect of each channel, from counterfactual runs under common random "
           "numbers (the factual run, then each channel switched off on the same seeds): incremental "
           "acquisitions, share, ROAS and marginal ROAS per channel, with intervals over seeds; the truth "
           "per day and week (ledger, weekly contribution), ROAS over horizons after one week's spend (pulse "
           "runs) and response curves.")

LEGACY_OPTIONS = ("seeds", "jobs", "marginal", "exports", "out")
"""Options once written as ``key=value`` (``seeds=5``); :func:`journeysim.commands.legacy_options` maps them."""


def add_truth_options(p: argparse.ArgumentParser, seeds: int = 5) -> None:
    """The options ``journey-truth`` and ``journey-attribution`` share: seeds, jobs, marginal ROAS."""
    p.add_argument("--seeds", type=int, default=seeds, help=f"number of seeds (default {seeds})")
    p.add_argument("--jobs", type=int, default=None, help="parallel processes (default: every core)")
    p.add_argument("--marginal", choices=("true", "false"), default="true",
                   help="also run +/-10%% budgets for the marginal ROAS (default true)")
    executors.add_options(p)


def parser() -> argparse.ArgumentParser:
    """The command line of ``journey-truth``."""
    p = commands.parser("journey-truth", SUMMARY,
                        examples=("journey-truth scenario=attribution_lab --seeds 5 population.size=50000",
                                  "journey-truth --seeds 2 --marginal false days=180 hydra.run.dir=truth",
                                  "journey-truth scenario=mmm_lab --pulses 4 --horizons 4,13,52 --response 0.5,1.5,2"),
                        writes="truth.csv, truth_totals.csv, truth_runs.csv, truth.json, truth.png, the truth per "
                               "period (truth_ledger, truth_ledger_weekly, truth_baseline) and the paths and MMM "
                               "exports (PyMC-Marketing, Meridian, Robyn; true and observed panels) in "
                               "outputs/truth/<scenario>/<date_time>/")
    add_truth_options(p)
    p.add_argument("--exports", choices=("first", "all", "none"), default="first",
                   help="seeds whose factual run writes paths and MMM tables (default first)")
    p.add_argument("--observe", default=None, metavar="KEY=VALUE,...",
                   help="noise and lag of the observed panels, e.g. spend_noise=0.1,reporting_lag_days=5 (keys "
                        "spend_noise, impressions_noise, outcome_noise, reporting_lag_days; docs/mmm-panels.md)")
    p.add_argument("--plan", default=None, metavar="FILE",
                   help="a spend plan CSV (day, week or date, then a column per channel): the truth for that plan")
    p.add_argument("--plan-amounts", choices=("population", "reference"), default="population",
                   help="the plan's amounts: this population's spend (default) or budgets at reference size")
    p.add_argument("--geos", type=int, default=0, metavar="N",
                   help="also run a geo experiment: N regions sharing population.size, each with its own budget "
                        "multipliers, and write geo_panel.csv (Meridian) and the truth per region (default 0: none)")
    p.add_argument("--lift-tests", type=int, default=0, metavar="DAYS",
                   help="also run a holdout lift test of DAYS days per impressions channel, on every seed, and write "
                        "lift_tests*.csv (PyMC-Marketing, Meridian, Robyn calibration inputs; default 0: none)")
    lift_options.add_options(p, "lift tests (with --lift-tests DAYS)")
    p.add_argument("--pulses", type=int, default=PULSES,
                   help=f"weeks per channel per year whose spend a pulse run removes, for the ROAS over "
                        f"--horizons (default {PULSES}; 0: none)")
    p.add_argument("--horizons", default=",".join(map(str, HORIZONS)),
                   help=f"horizons of the pulse ROAS, weeks (default {','.join(map(str, HORIZONS))})")
    p.add_argument("--response", default=RESPONSE,
                   help=f"budget factors of the response curve beyond 0, 0.9, 1 and 1.1, one run per channel "
                        f"and seed each (default {RESPONSE}; none: no more runs)")
    commands.add_overrides(p)
    commands.add_deprecated_out(p)
    return p


PULSES = 2
"""Default pulse weeks per channel per year of ``journey-truth`` (the Python API's default is none)."""

RESPONSE = "0.5,2"
"""Default extra budget factors of the response curve of ``journey-truth``."""


def number_list(option: str, text: str, kind: type = float) -> list:
    """``"4,13,52"`` as numbers of ``kind``; ``none`` or an empty text as an empty list."""
    if text.strip().lower() in ("", "none"):
        return []
    try:
        return [kind(part) for part in text.split(",")]
    except ValueError:
        what = "whole numbers" if kind is int else "numbers"
        raise ConfigError(option, text, f"{what} separated by commas, e.g. 4,13,52") from None



NON_NEGATIVE = ("incremental_acquisitions", "roas", "share")
"""Estimates whose true value is not negative in a market where a channel only adds exposures:
their printed lower bounds are clipped at zero, with a note, while the mean is at least 0. A
negative mean (seen with a weak channel: drifting random streams, saturation, competitors) keeps
its raw interval, so a mean is never printed outside its own interval."""


def interval_text(row: dict, name: str, digits: int, percent: bool = False, clip: bool = True) -> tuple[str, bool]:
    """``mean [low, high]`` of ``name`` in ``row``; whether a negative lower bound was clipped at 0
    (only for :data:`NON_NEGATIVE` estimates, and only with ``clip``)."""
    mean, low, high = (row.get(f"{name}{part}", float("nan")) for part in ("", "_low", "_high"))
    clipped = clip and name in NON_NEGATIVE and low == low and low < 0 <= mean
    low = max(low, 0.0) if clipped else low

    def text(value: float) -> str:
        if value != value:
            return "n/a"
        return f"{100 * value:.{digits}f}%" if percent else f"{value:,.{digits}f}"

    bounds = f" [{text(low)}, {text(high)}]" if low == low and high == high else ""
    return text(mean) + bounds, clipped


def format_table(table: pd.DataFrame, seeds: int | None = None, currency=None) -> str:
    """The truth table as aligned text: every estimate with its interval over seeds.

    Parameters
    ----------
    table : DataFrame
        ``truth.csv``.
    seeds : int, optional
        Seeds behind the intervals (a warning below :data:`MIN_SEEDS`).
    currency : Currency, optional
        The run's currency (spend column header).
    """
    from journeysim.units import DEFAULT_CURRENCY

    currency = currency or DEFAULT_CURRENCY
    header = (f"{'channel':<14}{'spend (' + currency.code + ')':>14}{'incr. acq. [95% CI]':>26}"
              f"{'share':>22}{'ROAS':>22}{'marginal ROAS':>24}")
    lines, clipped = [header], False
    for row in table.to_dict("records"):
        cells = [interval_text(row, "incremental_acquisitions", 0), interval_text(row, "share", 1, percent=True),
                 interval_text(row, "roas", 2), interval_text(row, "marginal_roas", 2)]
        clipped |= any(c for _, c in cells)
        lines.append(f"{row['channel']:<14}{currency.amount(row['spend']):>14}{cells[0][0]:>26}{cells[1][0]:>22}"
                     f"{cells[2][0]:>22}{cells[3][0]:>24}")
    if clipped:
        lines.append("note: lower bounds below 0 of incremental acquisitions, share and ROAS are shown as 0 "
                     "(they cannot be negative); truth.csv keeps the raw t intervals")
    if seeds is not None and seeds < MIN_SEEDS:
        lines.append(f"warning: intervals from {seeds} seed{'s' if seeds != 1 else ''} are unreliable "
                     f"(t intervals need at least {MIN_SEEDS} seeds: use --seeds {MIN_SEEDS} or more)")
    return "\n".join(lines)


MIN_SPEND_CV = 0.3
"""Weekly spend coefficient of variation below which a channel is flagged: a marketing-mix model learns
little from it (issue #24; illustrative threshold)."""


def format_spend_variation(table: pd.DataFrame) -> str:
    """Each channel's weekly spend coefficient of variation, flagging those below :data:`MIN_SPEND_CV`."""
    if "weekly_spend_cv" not in table:
        return ""
    cells = [f"{c} {v:.2f}" if v == v else f"{c} n/a" for c, v in zip(table["channel"], table["weekly_spend_cv"],
                                                                         strict=True)]
    low = [c for c, v in zip(table["channel"], table["weekly_spend_cv"], strict=True) if v == v and v < MIN_SPEND_CV]
    text = "weekly spend variation (coefficient of variation): " + ", ".join(cells)
    if low:
        text += (f"\nnote: {', '.join(low)} vary less than {MIN_SPEND_CV} week to week: a marketing-mix model "
                 "learns little about them from this plan (try a flighted design, e.g. scenario=mmm_lab)")
    return text


def format_horizons(horizons: pd.DataFrame) -> str:
    """The ROAS over each horizon after the spend, per channel, as aligned text (``truth_horizons.csv``)."""
    weeks = sorted(horizons["horizon_weeks"].unique())
    lines = ["ROAS after one week's spend (pulses), by horizon: " + ", ".join(f"{w} weeks" for w in weeks)
             + " (n/a: past the end of the run; one week of spend is a small signal: use more customers or seeds "
             "for narrow intervals)",
             f"{'channel':<14}{'pulses':>8}" + "".join(f"{f'{w} weeks':>24}" for w in weeks)]
    for channel, rows in horizons.groupby("channel", sort=False):
        by_week = rows.set_index("horizon_weeks")
        cells = [interval_text(by_week.loc[w].to_dict(), "roas", 2, clip=False)[0] if w in by_week.index else "n/a"
                 for w in weeks]
        lines.append(f"{channel:<14}{int(rows['pulses'].max()):>8}" + "".join(f"{c:>24}" for c in cells))
    return "\n".join(lines)


def run_command(argv: Sequence[str]) -> tuple[TruthResult, Path]:
    """``journey-truth`` without the exit handling: run, write, print; return the result and directory."""
    args = commands.parse(parser(), commands.legacy_options("journey-truth", argv, LEGACY_OPTIONS))
    if args.lift_tests < 0:
        raise ConfigError("--lift-tests", args.lift_tests, "days per lift test, at least 1 (0: no lift tests)")
    lift_settings = LiftOptions.from_args(args)
    from journeysim.experiments.panels.observed import Observation

    observation = Observation.parse(args.observe)
    if args.geos and not 2 <= args.geos <= 50:
        raise ConfigError("--geos", args.geos, "a number of regions from 2 to 50 (0: no geo panel)")
    if args.lift_tests and lift_settings.needs_market:
        from journeysim.api import compose_config
        from journeysim.scenarios.spec import parse_config

        lift_settings.check(parse_config(compose_config(None, args.overrides)), args.lift_tests)
    with executors.use(executors.from_args(args)):
        result = true_effects(None, seeds=args.seeds, overrides=args.overrides, marginal=args.marginal == "true",
                              exports=args.exports, jobs=args.jobs, pulses=args.pulses,
                              horizons=number_list("--horizons", args.horizons, int),
                              response=number_list("--response", args.response), plan=args.plan,
                              plan_amounts=args.plan_amounts, observation=observation)
    directory = commands.output_dir(args.output_dir, "truth", result.meta["scenario"])
    result.write(directory)
    totals = result.totals.set_index("metric")
    from journeysim.api import compose_config
    from journeysim.units import currency_from

    config = compose_config(None, args.overrides)
    print(format_table(result.table, seeds=len(result.meta["seeds"]), currency=currency_from(config)))
    print(f"interaction share: {totals.loc['interaction_share', 'mean']:.1%} "
          f"[{totals.loc['interaction_share', 'low']:.1%}, {totals.loc['interaction_share', 'high']:.1%}]; "
          f"{result.meta['runs']} runs in {result.meta['wall_seconds']:.0f} s")
    print(format_spend_variation(result.table))
    if not result.horizons.empty:
        print(format_horizons(result.horizons))
    if args.lift_tests:
        with executors.use(executors.from_args(args)):
            lift = lift_tests(None, seeds=result.meta["seeds"], overrides=args.overrides, test_days=args.lift_tests,
                              jobs=args.jobs, plan=args.plan, plan_amounts=args.plan_amounts,
                              **lift_settings.settings())
        lift.write(directory)
        print(format_lift(lift.table))
    if args.geos:
        from journeysim.experiments.panels.geo import geo_truth

        with executors.use(executors.from_args(args)):
            geo = geo_truth(None, args.geos, seeds=result.meta["seeds"], overrides=args.overrides, jobs=args.jobs)
        geo.write(directory)
        print(f"geo panel: {len(geo.meta['regions'])} regions, {geo.meta['runs']} runs (geo_panel.csv, "
              f"geo_truth.csv)")
    commands.report_outputs(directory, config=config, seeds=result.meta["seeds"])
    return result, directory


def format_lift(table: pd.DataFrame) -> str:
    """Lift tests of acquisitions against their truth, mean over seeds, one line per channel."""
    rows = table[table["target"] == "acquisitions"].groupby("channel", sort=False)[
        ["start_day", "end_day", "lift", "lift_se", "true_lift"]].mean()
    lines = [f"{'lift test':<14}{'days':>12}{'measured acq. (± se)':>26}{'true':>10}"]
    lines += [f"{c:<14}{f'{r.start_day:.0f}-{r.end_day:.0f}':>12}{f'{r.lift:,.0f} ± {r.lift_se:,.0f}':>26}"
              f"{r.true_lift:>10,.0f}" for c, r in rows.iterrows()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``journey-truth``; exits 2 on bad input."""
    argv = list(sys.argv[1:] if argv is None else argv)
    return commands.run("journey-truth", lambda: run_command(argv) and None, argv)


if __name__ == "__main__":
    sys.exit(main())
