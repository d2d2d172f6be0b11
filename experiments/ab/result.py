"""What A/B tests found: the tests' table, the report an analyst reads beside the truth, the files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from journeysim.experiments.ab.metrics import METRIC_UNITS, METRICS
from journeysim.units import COUNT, DEFAULT_CURRENCY, MONEY, PERCENT, Currency, format_value


def calibration(tests: pd.DataFrame, metric: str, level: float) -> dict[str, float]:
    """Over many tests of one design: the rejection rate at ``1 - level``, the share of intervals
    covering the true effect on the treated arm, mean estimate and truths, the mean gap of the
    estimate to the roll-out effect, and the share of right decisions."""
    est, low, high = (tests[f"{metric}_{k}"] for k in ("estimate", "low", "high"))
    truth, rollout = tests[f"{metric}_true_treated"], tests[f"{metric}_true_rollout"]
    return {"tests": len(tests), "rejection_rate": float((tests[f"{metric}_p_value"] < 1 - level).mean()),
            "coverage": float(((low <= truth) & (truth <= high)).mean()),
            "mean_estimate": float(est.mean()), "mean_true_treated": float(truth.mean()),
            "mean_true_rollout": float(rollout.mean()), "mean_gap_to_rollout": float((est - rollout).mean()),
            "mean_abs_gap_to_rollout": float((est - rollout).abs().mean()),
            "right_decisions": float(tests["right"].mean()), "mean_power": float(tests[f"{metric}_power"].mean()),
            "mean_mde": float(tests[f"{metric}_mde"].mean())}


def _p(p: float) -> str:
    """A p-value as read: three decimals, ``<0.001`` below."""
    return "n/a" if p != p else ("<0.001" if p < 0.001 else f"{p:.3f}")


def _value(metric: str, value: float, currency: Currency, difference: bool = False) -> str:
    unit = METRIC_UNITS[metric][1]
    digits = 2 if unit in (MONEY, PERCENT) else 1
    return format_value(value, unit, digits, currency, difference=difference)


@dataclass
class AbResult:
    """A/B tests of one design: one row per test (:func:`journeysim.experiments.ab.method.run_ab_test`).

    Attributes
    ----------
    tests : DataFrame
        One row per test (seed): estimates, intervals, p-values, truths, power, MDE, decision.
    meta : dict
        The design: scenario, lever, value, start, window (days), share, level, metric, seeds.
    """

    tests: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Per metric, :func:`calibration` over the tests."""
        return {m: calibration(self.tests, m, self.meta["level"]) for m in METRICS}

    def report(self, currency: Currency | None = None) -> str:
        """The analyst's readout of the first test beside the truth, and rates over all tests."""
        currency = currency or Currency()
        m, row = self.meta, self.tests.iloc[0]
        lever = "none (A/A test)" if m["lever"] is None else f"{m['lever']} = {m['value']:g}"
        lines = [f"A/B test of {lever} on {format_value(int(row['treated']), COUNT)} treated and "
                 f"{format_value(int(row['control']), COUNT)} control customers, {m['window']} days from day "
                 f"{m['start'] + 1} (seed {int(row['seed'])}):", ""]
        pct = int(round(100 * m["level"]))
        lines.append(f"{'metric':<38}{'control':>11}{'estimate [' + str(pct) + '% CI]':>36}{'p':>8}"
                     f"{'true (treated)':>16}{'true (roll-out)':>17}{'power':>8}{'MDE':>11}")
        for metric in METRICS:
            g = {k: row[f"{metric}_{k}"] for k in ("control_mean", "estimate", "low", "high", "p_value",
                                                    "true_treated", "true_rollout", "power", "mde")}
            mde = _value(metric, g["mde"], currency, True).lstrip("+")
            ci = (f"{_value(metric, g['estimate'], currency, True)} [{_value(metric, g['low'], currency, True)}, "
                  f"{_value(metric, g['high'], currency, True)}]")
            lines.append(f"{METRIC_UNITS[metric][0]:<38}{_value(metric, g['control_mean'], currency):>11}{ci:>36}"
                         f"{_p(g['p_value']):>8}{_value(metric, g['true_treated'], currency, True):>16}"
                         f"{_value(metric, g['true_rollout'], currency, True):>17}"
                         f"{format_value(g['power'], PERCENT):>8}{mde:>11}")
        decision = "ship" if row["shipped"] else "do not ship"
        verdict = "right" if row["right"] else "wrong"
        rollout = _value(m["metric"], row[m["metric"] + "_true_rollout"], currency, True)
        lines += ["", f"decision on {m['metric']} at level {1 - m['level']:.2f}: {decision} — {verdict} "
                  f"(rolling out to everyone changes it by {rollout})"]
        if len(self.tests) > 1:
            c = calibration(self.tests, m["metric"], m["level"])
            lines.append(f"over {c['tests']} tests: significant {c['rejection_rate']:.1%}, interval covers the "
                         f"treated arm's true effect {c['coverage']:.1%}, right decisions {c['right_decisions']:.1%}, "
                         f"mean gap of the estimate to the roll-out effect "
                         f"{_value(m['metric'], c['mean_gap_to_rollout'], currency, True)}")
        return "\n".join(lines)

    def write(self, directory: Path, currency: Currency = DEFAULT_CURRENCY) -> list[Path]:
        """Write ``ab_tests.csv``, ``ab.json`` (design and rates) and ``ab.png`` (money in ``currency``)."""
        from journeysim.experiments.ab.plots import plot_ab_tests
        from journeysim.outputs import write_csv, write_figure, write_json
        from journeysim.plots import headless_axes

        directory = Path(directory)
        ax = plot_ab_tests(self.tests, self.meta["metric"], ax=headless_axes("ab_tests"), currency=currency)
        return [write_csv(directory / "ab_tests.csv", self.tests),
                write_json(directory / "ab.json", {**self.meta, "summary": self.summary()}),
                write_figure(directory / "ab.png", ax.figure)]

