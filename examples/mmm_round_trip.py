"""MMM round trip: fit PyMC-Marketing's MMM on journeysim's weekly table and check it against the truth.

The simulator knows each channel's true incremental acquisitions and revenue (counterfactual
runs, :func:`journeysim.experiments.truth.true_effects`). This script exports the weekly
marketing-mix table of the first seed's factual run, fits PyMC-Marketing's MMM (geometric
adstock, logistic saturation, promotion and trend controls, yearly Fourier seasonality) once on
acquisitions and once on revenue, and prints, per channel, what the MMM attributes beside the
truth: contributions, shares and ROAS.

Needs the optional extra (``pip install -e '.[mmm]'``); not run by the tests::

    python examples/mmm_round_trip.py --seeds 3 population.size=50000 days=728 hydra.run.dir=outputs/mmm_round_trip
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from journeysim import commands
from journeysim.experiments.truth import true_effects
from journeysim.outputs import atomic_write, write_csv

LEGACY_OPTIONS = ("seeds", "out", "draws", "jobs")
"""Options once written ``seeds=3``; they still work (as ``--seeds 3``)."""
ADSTOCK_WEEKS = 8
"""Longest carry-over the MMM allows, weeks."""


def fit_mmm(weekly: pd.DataFrame, channels: list[str], target: str, draws: int, seed: int):
    """Fit PyMC-Marketing's (multidimensional) MMM of ``target`` on the weekly spend columns."""
    from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation
    from pymc_marketing.mmm.multidimensional import MMM

    data = weekly.assign(trend=np.linspace(0.0, 1.0, len(weekly)))
    columns = [f"spend_{c}" for c in channels]
    model = MMM(date_column="date", channel_columns=columns, target_column=target,
                adstock=GeometricAdstock(l_max=ADSTOCK_WEEKS), saturation=LogisticSaturation(),
                control_columns=["promotion", "trend"], yearly_seasonality=2)
    x = data[["date", *columns, "promotion", "trend"]]
    model.fit(x, data[target], chains=2, cores=2, draws=draws, tune=draws, target_accept=0.9,
              random_seed=seed, progressbar=False)
    return model


def contributions(model, channels: list[str]) -> pd.DataFrame:
    """Each channel's contribution summed over the weeks: posterior mean and 95% interval."""
    posterior = model.idata.posterior["channel_contribution"] * model.idata.constant_data["target_scale"]
    totals = posterior.sum("date").stack(sample=("chain", "draw")).transpose("channel", "sample").to_numpy()
    return pd.DataFrame({"channel": channels, "mean": totals.mean(axis=1),
                         "low": np.quantile(totals, 0.025, axis=1), "high": np.quantile(totals, 0.975, axis=1)})


def compare(truth, fits: dict[str, pd.DataFrame], spend: pd.Series) -> pd.DataFrame:
    """The MMM's channel estimates beside the truth's (acquisitions, shares, ROAS)."""
    table = truth.table.set_index("channel")
    channels = list(table.index)
    acq, rev = fits["acquisitions"].set_index("channel"), fits["revenue"].set_index("channel")
    out = pd.DataFrame(index=pd.Index(channels, name="channel"))
    out["spend"] = spend.reindex(channels).to_numpy()
    out["true_incremental_acquisitions"] = table["incremental_acquisitions"]
    out["mmm_acquisitions"] = acq["mean"]
    out["mmm_acquisitions_low"], out["mmm_acquisitions_high"] = acq["low"], acq["high"]
    out["true_share"] = table["share"]
    out["mmm_share"] = acq["mean"] / acq["mean"].sum()
    out["true_roas"] = table["roas"]
    out["mmm_roas"] = rev["mean"] / out["spend"]
    out["mmm_roas_low"], out["mmm_roas_high"] = rev["low"] / out["spend"], rev["high"] / out["spend"]
    return out.reset_index()


def markdown(table: pd.DataFrame) -> str:
    """The comparison as a Markdown table."""
    lines = ["| channel | true incr. acquisitions | MMM acquisitions [95%] | true share | MMM share | "
             "true ROAS | MMM ROAS [95%] |", "|---|---|---|---|---|---|---|"]
    for r in table.to_dict("records"):
        lines.append(f"| {r['channel']} | {r['true_incremental_acquisitions']:,.0f} | {r['mmm_acquisitions']:,.0f} "
                     f"[{r['mmm_acquisitions_low']:,.0f}, {r['mmm_acquisitions_high']:,.0f}] | {r['true_share']:.0%} | "
                     f"{r['mmm_share']:.0%} | {r['true_roas']:.2f} | {r['mmm_roas']:.2f} "
                     f"[{r['mmm_roas_low']:.2f}, {r['mmm_roas_high']:.2f}] |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run the truth, export the weekly table, fit the MMM twice and print the comparison."""
    p = commands.parser("mmm_round_trip.py", "mmm_round_trip.py: fit PyMC-Marketing's MMM to journeysim's weekly "
                        "table and compare its channel contributions with the true effects.",
                        writes="the truth's tables, mmm_vs_truth.csv and .md in outputs/mmm_round_trip/")
    p.add_argument("--seeds", type=int, default=3, help="seeds of the truth (default 3)")
    p.add_argument("--draws", type=int, default=1000, help="posterior draws per chain (default 1000)")
    p.add_argument("--jobs", type=int, default=None, help="parallel processes of the truth (default: every core)")
    commands.add_overrides(p)
    argv = list(sys.argv[1:] if argv is None else argv)
    args = commands.parse(p, commands.legacy_options("mmm_round_trip.py", argv, LEGACY_OPTIONS))
    overrides = list(args.overrides)
    if not any(o.startswith("scenario=") for o in overrides):
        overrides.insert(0, "scenario=attribution_lab")
    started = time.perf_counter()
    truth = true_effects(None, seeds=args.seeds, overrides=overrides, marginal=False, exports="first",
                         jobs=args.jobs)
    seed = min(truth.exports)
    weekly = truth.exports[seed]["mmm_weekly"]
    weekly = weekly[weekly["days"] == 7].reset_index(drop=True)  # whole weeks only
    channels = list(truth.table["channel"])
    spend = pd.Series({c: weekly[f"spend_{c}"].sum() for c in channels})
    print(f"truth: {truth.meta['runs']} runs in {time.perf_counter() - started:.0f} s; fitting the MMM on "
          f"{len(weekly)} weeks", flush=True)
    draws = args.draws
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        fits = {target: contributions(fit_mmm(weekly, channels, target, draws, seed), channels)
                for target in ("acquisitions", "revenue")}
    table = compare(truth, fits, spend)
    out = Path(args.output_dir or "outputs/mmm_round_trip")
    truth.write(out)
    write_csv(out / "mmm_vs_truth.csv", table)
    text = markdown(table)
    atomic_write(out / "mmm_vs_truth.md", lambda tmp: tmp.write_text(text + "\n"))
    print(text)
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    commands.report_outputs(out)


if __name__ == "__main__":
    main()
