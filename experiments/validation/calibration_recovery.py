"""Calibration recovers what it is given: ``journey-calibrate`` on data journeysim simulated with
known values (parameter recovery, Talts et al. 2018's simplest form of simulation-based checking).

The packaged ``recovery`` plan (``conf/calibration/recovery.yaml``: 3,000 customers, three
parameters, ABC-SMC with 80 particles) is fitted to 20 weeks that journeysim simulated at
:data:`TRUTH`, through the command line, as the calibration page shows. Pass criteria:

* every true value lies inside its 95% posterior interval;
* every interval is narrower than its prior range (on the log scale for a log prior): the data
  taught the fit something about each parameter.

The quick version (1,200 customers, two parameters, a smaller ABC) is ``tests/test_calibrate.py``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes

from journeysim.experiments.calibration import cli as calibrate
from journeysim.experiments.calibration.plan import parse_plan, read_plan_file
from journeysim.experiments.plots import axes_or_new
from journeysim.experiments.validation.experiment import Check, Outcome, saved_outcome

NAME = "calibration_recovery"
PLAN = "recovery"
WEEKS = 20
DATA_SEED = 42  # the seed of the synthetic data (the calibration page's)
TRUTH = {"market.checkout_friction": 0.2, "network.positive_kick": 0.9,
         "population.personas.impulse_buyer.interest_decay": 0.06}


def recovery_table(out_dir: Path, jobs: int = 1, seed: int = 0) -> pd.DataFrame:
    """Simulate the data, calibrate to it, and return ``fitted.csv`` with each interval's share of
    its prior (``relative_width``) and the interval and truth on the prior's 0..1 scale."""
    work = Path(out_dir) / NAME
    data = work / "observed.csv"
    truth = [f"{key}={value}" for key, value in TRUTH.items()]
    status = calibrate.main([PLAN, str(data), "--synthesise", "--weeks", str(WEEKS), "--seed",
                             str(DATA_SEED + seed), *truth])
    if status != 0:
        raise RuntimeError(f"journey-calibrate --synthesise exited {status}")
    status = calibrate.main([PLAN, str(data), f"hydra.run.dir={work / 'fit'}", "--jobs", str(jobs),
                             *(f"--truth={t}" for t in truth)])
    if status != 0:
        raise RuntimeError(f"journey-calibrate exited {status}")
    return described(pd.read_csv(work / "fit" / "fitted.csv"))


def described(fitted: pd.DataFrame, plan: str = PLAN) -> pd.DataFrame:
    """``fitted.csv`` of ``plan`` with each interval's share of its prior (``relative_width``) and
    the interval and truth as positions in the prior's range (``*_scaled``, 0..1 on the sampled
    scale: log10 for a log prior)."""
    parameters = {p.name: p for p in parse_plan(plan, read_plan_file(plan)[1]).parameters}
    fitted = fitted.copy()
    fitted["log_prior"] = [parameters[name].log for name in fitted.parameter]
    for column in ("low", "high", "truth"):
        fitted[f"{column}_scaled"] = [parameters[name].position(value)
                                      for name, value in zip(fitted.parameter, fitted[column], strict=True)]
    fitted["relative_width"] = fitted.high_scaled - fitted.low_scaled
    return fitted


def checks(table: pd.DataFrame) -> list[Check]:
    """The pass criteria (module notes) on :func:`recovery_table`."""
    out = []
    for row in table.itertuples():
        out.append(Check(NAME, f"{row.parameter}: the true value is inside the 95% interval", bool(row.covered),
                         f"truth {row.truth:.4g} in [{row.low:.4g}, {row.high:.4g}], median {row.median:.4g}"))
        scale = " (log scale)" if row.log_prior else ""
        out.append(Check(NAME, f"{row.parameter}: the interval is narrower than the prior{scale}",
                         bool(row.relative_width < 1.0),
                         f"{row.relative_width:.0%} of the prior [{row.prior_low:.4g}, {row.prior_high:.4g}]"))
    return out


def plot_recovery(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Each parameter's 95% interval and true value on its prior's range (0 to 100%)."""
    ax = axes_or_new(ax, (7, 2.8))
    for k, row in enumerate(table.itertuples()):
        ax.plot([100 * row.low_scaled, 100 * row.high_scaled], [k, k], lw=6, color="tab:blue", alpha=0.6,
                label="95% interval" if k == 0 else None)
        ax.scatter(100 * row.truth_scaled, k, marker="|", s=300, color="black", zorder=3,
                   label="true value" if k == 0 else None)
    ax.set_yticks(range(len(table)), [name.rsplit(".", 1)[-1] for name in table.parameter])
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, len(table) - 0.4)
    logged = [name.rsplit(".", 1)[-1] for name in table.parameter[table.log_prior]]
    ax.set_xlabel("Position in the prior's range (%" + (f"; log scale for {', '.join(logged)})" if logged else ")"))
    ax.set_title(f"Parameter recovery: plan '{PLAN}', {WEEKS} weeks of simulated data", fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    return ax


def run(out_dir: Path, jobs: int = 1, seed: int = 0) -> Outcome:
    """The recovery experiment: its checks, table and figure."""
    table = recovery_table(out_dir, jobs=jobs, seed=seed)
    keep = ["parameter", "prior_low", "prior_high", "log_prior", "truth", "median", "low", "high", "covered",
            "relative_width"]
    return saved_outcome(out_dir, NAME, checks(table), table[keep], plot_recovery(table).figure)
