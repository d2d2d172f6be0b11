"""``journey-arena [--truth [LABEL=]DIR ...] [--models ...] [--calibrate] [key=value ...]``: MMMs against the truth.

Command line (:mod:`journeysim.commands`; config overrides as for ``journey``)::

    journey-arena --truth flighted=outputs/truth/mmm_lab/run --calibrate --draws 500 hydra.run.dir=arena
    journey-arena scenario=mmm_lab population.size=2000 days=364 --seeds 2 --draws 60 --calibrate

With ``--truth`` the arena reads what ``journey-truth`` wrote (its ledger, its observed panels and,
for ``--calibrate``, its lift tests); without it, it runs the truth of the composed scenario first
(``--seeds`` seeds, no pulses, the lift tests with ``--calibrate``) and writes it under ``truth/``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import pandas as pd

from journeysim import commands
from journeysim.experiments import executors
from journeysim.experiments.arena.fits import MODELS, Draws, FitJob, run_fit
from journeysim.experiments.arena.score import (
    HORIZON_WEEKS,
    SUMMARY_COLUMNS,
    TRUTH_COLUMNS,
    calibration_effect,
    score,
    scoreboard,
    truth_table,
)
from journeysim.experiments.panels import lift_options
from journeysim.experiments.panels.lift_options import LiftOptions
from journeysim.sim.errors import EXIT_FAILED, ConfigError

SUMMARY = ("journey-arena: marketing-mix models scored against the truth. PyMC-Marketing and Google Meridian are "
           "fitted (small draws, through the executor) on the observed weekly panel of a truth run; each paid "
           "channel's ROAS over 13 weeks and its contribution are set against the truth: error, whether the 94% "
           "interval covers it and is narrower than the true ROAS, and the rank of the channels; with --calibrate, "
           "again with the lift tests as calibration.")

LIBRARIES = {"pymc_marketing": "pymc_marketing", "meridian": "meridian"}
"""The module each model needs."""

CALIBRATIONS = ("none", "lift_tests", "both")
"""Values of ``--calibration``: fits without the lift tests, with them, or both (before and after)."""

INSTALL = "pip install -e '.[arena]' in journeysim's repository (or make arena: its own venv, .venv-arena)"


def parser() -> argparse.ArgumentParser:
    """The command line of ``journey-arena``."""
    p = commands.parser("journey-arena", SUMMARY,
                        examples=("journey-arena --truth flighted=outputs/truth/mmm_lab/run --calibrate",
                                  "journey-arena --truth flighted=T1 --truth confounded=T2 --models meridian",
                                  "journey-arena scenario=mmm_lab population.size=2000 days=364 --seeds 2 --draws 60"),
                        writes="arena_truth.csv, posterior_summaries.csv (the scoring tests' fixture), scored.csv, "
                               "scoreboard.csv, calibration.csv, scoreboard.md, scoreboard.png and the manifest in "
                               "outputs/arena/<scenario>/<date_time>/")
    p.add_argument("--truth", action="append", default=[], metavar="[LABEL=]DIR",
                   help="a journey-truth output directory (repeat for more scenarios; LABEL names the scenario on "
                        "the scoreboard, default its scenario); none: run the truth of the composed scenario")
    p.add_argument("--roas-truth", action="append", default=[], metavar="LABEL=DIR",
                   help="take scenario LABEL's true 13-week ROAS from another truth run of the same market with a "
                        "flighted plan (a plan whose spend follows demand does not identify it; its contribution "
                        "stays its own)")
    p.add_argument("--models", default=",".join(MODELS),
                   help=f"models to fit, separated by commas (default {','.join(MODELS)})")
    p.add_argument("--calibrate", action="store_true",
                   help="also fit each model with the truth's lift tests as calibration (before and after): "
                        "--calibration both")
    p.add_argument("--calibration", choices=CALIBRATIONS, default=None,
                   help="which fits: none (default), lift_tests (only the calibrated ones) or both")
    p.add_argument("--summaries", action="append", default=[], metavar="FILE",
                   help="score these posterior_summaries.csv of earlier arena runs instead of fitting (repeat to "
                        "combine runs, e.g. the fits without and with calibration)")
    p.add_argument("--draws", type=int, default=Draws.draws, help=f"kept draws per chain (default {Draws.draws})")
    p.add_argument("--tune", type=int, default=Draws.tune, help=f"warm-up draws per chain (default {Draws.tune})")
    p.add_argument("--chains", type=int, default=Draws.chains, help=f"chains per fit (default {Draws.chains})")
    p.add_argument("--seeds", type=int, default=3, help="seeds of the truth when the arena runs it (default 3)")
    p.add_argument("--lift-days", type=int, default=28, help="days of each lift test when the arena runs the "
                   "truth with --calibrate (default 28)")
    lift_options.add_options(p, "lift tests, when the arena runs the truth with --calibrate")
    p.add_argument("--jobs", type=int, default=2, help="fits (and truth runs) at once (default 2)")
    p.add_argument("--label", default=None, help="scenario label of the truth the arena runs (default its scenario)")
    executors.add_options(p)
    commands.add_overrides(p)
    return p


def parse_truths(values: Sequence[str], option: str = "--truth") -> list[tuple[str | None, Path]]:
    """``[LABEL=]DIR`` values of ``option`` as (label or None, directory), each checked to hold a truth run."""
    out = []
    for value in values:
        label, _, path = value.rpartition("=") if "=" in value else ("", "", value)
        directory = Path(path)
        if not (directory / "truth.json").is_file() or not (directory / "truth_ledger_weekly.csv").is_file():
            raise ConfigError(option, value, "a journey-truth output directory (with truth.json, "
                              "truth_ledger_weekly.csv and mmm_weekly_observed.csv), optionally LABEL=DIR")
        out.append((label or None, directory))
    return out


def check_models(text: str) -> list[str]:
    """The ``--models`` list, each known and its library installed."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise ConfigError("--models", text, f"one or more of {', '.join(MODELS)}")
    for name in names:
        if name not in MODELS:
            raise ConfigError("--models", name, f"one of {', '.join(MODELS)}")
        if importlib.util.find_spec(LIBRARIES[name]) is None:
            raise ConfigError("--models", name, f"a model whose library is installed ({INSTALL})")
    return names


def run_truth(args: argparse.Namespace, lift_settings: LiftOptions, directory: Path) -> Path:
    """Run the composed scenario's truth (and, with ``--calibrate``, lift tests of ``lift_settings``)
    into ``directory``."""
    from journeysim.experiments.panels.lift import lift_tests
    from journeysim.experiments.truth import true_effects

    with executors.use(executors.from_args(args)):
        truth = true_effects(None, seeds=args.seeds, overrides=args.overrides, marginal=False, exports="first",
                             jobs=args.jobs, pulses=0, response=())
        truth.write(directory)
        if (args.calibration or ("both" if args.calibrate else "none")) != "none":
            lift_tests(None, seeds=truth.meta["seeds"], overrides=args.overrides, test_days=args.lift_days,
                       jobs=args.jobs, **lift_settings.settings()).write(directory)
    return directory


def load_truth(label: str | None, directory: Path,
               roas_from: dict[str, Path] | None = None) -> tuple[str, pd.DataFrame, dict]:
    """One truth directory as (label, arena truth table, its panels and lift tests); ``roas_from``
    names, per label, the truth directory whose ledger gives the true ROAS instead."""
    meta = json.loads((directory / "truth.json").read_text())
    label = label or meta["scenario"]
    panel = pd.read_csv(directory / "mmm_weekly_observed.csv", parse_dates=["date"])
    panel = panel[panel["days"] == 7].reset_index(drop=True)
    meridian = pd.read_csv(directory / "meridian_weekly_observed.csv")
    lift = pd.read_csv(directory / "lift_tests.csv") if (directory / "lift_tests.csv").is_file() else None
    weeks = ((panel["day"] - 1) // 7 + 1).tolist()
    run = pd.read_csv(directory / "truth.csv").set_index("channel")["roas"]
    horizons = pd.read_csv(directory / "truth_horizons.csv") if (directory / "truth_horizons.csv").is_file() else None
    tested = sorted(set(lift["channel"])) if lift is not None else []
    truth = truth_table(label, pd.read_csv(directory / "truth_ledger_weekly.csv"), weeks, min(meta["seeds"]),
                        tested=tested, run_roas=run, horizons=horizons)
    source = (roas_from or {}).get(label)
    if source is not None:
        flighted = truth_table(label, pd.read_csv(source / "truth_ledger_weekly.csv"), weeks, min(meta["seeds"]))
        roas = flighted.set_index("channel")[["true_roas", "true_roas_low", "true_roas_high"]]
        truth = truth.set_index("channel")
        truth.update(roas)
        truth = truth.reset_index()[list(TRUTH_COLUMNS)]
    channels = tuple(c["channel"] for c in meta["channels"])  # the channels with a planned budget
    truth = truth[truth["channel"].isin(channels)].reset_index(drop=True)
    return label, truth, {"pymc_marketing": panel, "meridian": meridian, "lift": lift, "channels": channels,
                          "seed": min(meta["seeds"])}


def read_summaries(paths: Sequence[str]) -> pd.DataFrame | None:
    """The posterior summaries of ``--summaries`` files, stacked (None when none are given)."""
    if not paths:
        return None
    frames = []
    for path in paths:
        frame = pd.read_csv(path)
        missing = [c for c in SUMMARY_COLUMNS if c not in frame]
        if missing:
            raise ConfigError("--summaries", path, f"a posterior_summaries.csv of journey-arena (it lacks {missing})")
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def run_command(argv: Sequence[str]) -> int:
    """``journey-arena`` without the exit handling: fit, score, write, print; the exit status."""
    args = commands.parse(parser(), argv)
    for option in ("draws", "tune", "chains", "seeds", "jobs", "lift_days"):
        if getattr(args, option) < 1:
            raise ConfigError(f"--{option.replace('_', '-')}", getattr(args, option), "a whole number, 1 or more")
    lift_settings = LiftOptions.from_args(args)  # refused before any run
    from journeysim.api import compose_config
    from journeysim.scenarios.spec import parse_config

    config = compose_config(None, args.overrides)
    spec = parse_config(config)  # a bad key or value stops here, before any run
    if not args.truth:
        lift_settings.check(spec, args.lift_days)
    truths = parse_truths(args.truth)
    if truths and args.overrides:
        raise ConfigError("override", args.overrides[0], "no config overrides with --truth (the truth's run "
                          "directory holds its config)")
    if truths:
        name = truths[0][0] or json.loads((truths[0][1] / "truth.json").read_text())["scenario"]
    else:
        name = args.label or str(config.scenario.name)
    directory = commands.output_dir(args.output_dir, "arena", name)
    commands.check_output_location(directory)
    calibration = args.calibration or ("both" if args.calibrate else "none")
    summaries = read_summaries(args.summaries)
    if summaries is not None and not truths:
        raise ConfigError("--summaries", args.summaries[0], "with --truth DIR: the truth the summaries were fitted on")
    models = check_models(args.models) if summaries is None else []
    if not truths:
        truths = [(args.label, run_truth(args, lift_settings, directory / "truth"))]
    roas_from = {label: path for label, path in parse_truths(args.roas_truth, "--roas-truth")}
    unknown = sorted(set(roas_from) - {label for label, _ in truths})
    if unknown:
        raise ConfigError("--roas-truth", unknown[0], "the LABEL of a --truth LABEL=DIR given")
    loaded = [load_truth(label, path, roas_from) for label, path in truths]
    variants = {"none": (False,), "lift_tests": (True,), "both": (False, True)}[calibration]
    jobs = [FitJob(model, label, data[model], data["channels"], Draws(args.chains, args.tune, args.draws),
                   seed=data["seed"], lift=data["lift"] if calibrated else None)
            for label, _, data in loaded for calibrated in variants if not calibrated or data["lift"] is not None
            for model in models]
    failures = []
    if summaries is None:
        from journeysim.experiments.runner import run_many

        if calibration != "none" and not any(j.lift is not None for j in jobs):
            raise ConfigError("--calibration", calibration, "none, as no truth directory given has lift tests "
                              "(journey-truth --lift-tests DAYS writes them)")
        print(f"journey-arena: {len(jobs)} fits ({', '.join(models)}; {args.chains} chains x {args.tune} + "
              f"{args.draws} draws) on {', '.join(label for label, _, _ in loaded)}", flush=True)
        with executors.use(executors.from_args(args)):
            results = run_many([partial(run_fit, job) for job in jobs], min(args.jobs, len(jobs)))
        failures = results.failures
        fitted = [o for o in results.outcomes if isinstance(o, pd.DataFrame)]
        summaries = pd.concat(fitted, ignore_index=True) if fitted else pd.DataFrame()
    truth = pd.concat([t for _, t, _ in loaded], ignore_index=True)
    write_scoreboard(directory, truth, summaries)
    for failure in failures:
        job = jobs[failure.index]
        print(f"journey-arena: the {job.model} fit of {job.scenario} (calibration {job.calibration}) failed: "
              f"{failure.error.splitlines()[0][:300]}", file=sys.stderr)
    commands.report_outputs(directory, config=config if not args.truth else None)
    return EXIT_FAILED if failures else 0


def write_scoreboard(directory: Path, truth: pd.DataFrame, summaries: pd.DataFrame) -> None:
    """Score ``summaries`` against ``truth``; write the tables, the Markdown and the figure; print the board."""
    from journeysim.experiments.arena.report import (
        board_markdown,
        calibration_markdown,
        channels_markdown,
        scoreboard_figure,
    )
    from journeysim.outputs import atomic_write, write_csv, write_figure

    directory.mkdir(parents=True, exist_ok=True)
    write_csv(directory / "arena_truth.csv", truth)
    if summaries.empty:
        return
    write_csv(directory / "posterior_summaries.csv", summaries)
    scored = score(summaries, truth)
    board = scoreboard(scored)
    effect = calibration_effect(scored)
    write_csv(directory / "scored.csv", scored)
    write_csv(directory / "scoreboard.csv", board)
    write_csv(directory / "calibration.csv", effect)
    text = (f"## Scoreboard: ROAS over {HORIZON_WEEKS} weeks\n\n{board_markdown(board)}\n\n"
            f"## Each fit's channels\n\n{channels_markdown(scored)}\n")
    if not effect.empty:
        text += f"\n## Lift-test calibration: the tested channels before and after\n\n{calibration_markdown(effect)}\n"
    atomic_write(directory / "scoreboard.md", lambda tmp: tmp.write_text(text))
    write_figure(directory / "scoreboard.png", scoreboard_figure(scored, board))
    print(board_markdown(board))
    if not effect.empty:
        print(calibration_markdown(effect))


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``journey-arena``; exits 2 on bad input, 1 when a fit failed."""
    argv = list(sys.argv[1:] if argv is None else argv)
    return commands.run("journey-arena", lambda: run_command(argv), argv)


if __name__ == "__main__":
    sys.exit(main())
