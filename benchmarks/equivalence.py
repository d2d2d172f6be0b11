"""The same behaviour in law? Seed-by-seed KPIs before and after a change that reorders random draws.

A speed change that draws the same random quantities in another order (or from another stream)
changes every golden hash while the model's behaviour stays the same in distribution. This is the
check that says so: run the same seeds of a few reference markets on both trees and test, KPI by
KPI, that the change moved neither the mean nor the spread.

Usage::

    python benchmarks/equivalence.py before.json                  # on the tree before the change
    python benchmarks/equivalence.py after.json before.json       # after it: the tests, exit 1 on a difference
    python benchmarks/equivalence.py after.json before.json --seeds 40 --jobs 2

The KPIs are the headline summary (``journeysim.sim.kpis.summary``: acquisitions, orders, revenue,
stages, NPS, tickets, ...) and every channel's impressions and reach over the run. For each KPI:

- the **mean**: a paired t-test over the seeds. The phases draw from separate streams, so the
  same seed shares most of its random numbers before and after, and the paired difference is far
  less noisy than either run: a small shift is seen;
- the **spread**: Levene's test (median-centred) of the two samples.

All p-values of a comparison go through Benjamini-Hochberg's false-discovery control
(``scipy.stats.false_discovery_control``); a KPI differs when its adjusted p-value is below
:data:`ALPHA`. The report also gives, for every market, the largest difference of means in units
of the seeds' standard deviation and the headline KPIs' relative changes, so a pass says how small
a change it could have missed.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the tests' run helpers

ALPHA = 0.01
"""False-discovery rate at which a KPI is declared to differ."""

MARKETS: dict[str, tuple[str, ...]] = {
    "baseline": ("population.size=3000", "days=200"),
    "black_friday_burst": ("scenario=black_friday_burst", "population.size=3000", "days=365"),
    "attribution_lab": ("scenario=attribution_lab", "population.size=3000", "days=200"),
    "mmm_lab": ("scenario=mmm_lab", "population.size=3000", "days=200"),
    "three_brands": ("competition=three_brands", "population.size=3000", "days=200"),
    "b2b": ("population=b2b", "population.size=1500", "days=200"),
    "service_burst_twenty_agents": ("scenario=black_friday_burst", "population.size=20000",
                                    "service.scale_with_population=false",
                                    "service.staff_schedule=[{from_day:0,staff:20}]"),
}
"""The markets compared: the golden test's families (Bass has no media to reorder), the MMM lab,
three brands, B2B accounts, and a year of ``make validate``'s service burst (20,000 customers,
twenty agents), whose criterion on advocates is the most sensitive to the draws."""


def market_kpis(case: tuple[tuple[str, ...], int]) -> dict[str, float]:
    """The KPIs of one run: ``(overrides of the market, seed)``."""
    from journeysim.experiments.keys import flat_numbers
    from journeysim.sim import kpis
    from tests.conftest import run_model

    overrides, seed = case
    model = run_model(*overrides, f"seed={seed}")
    values = {name: float(value) for name, value in flat_numbers(kpis.summary(model)).items()}
    for k, name in enumerate(model.touchpoints.names):
        values[f"impressions.{name}"] = float(model.collector.impressions[:, k].sum())
        values[f"reach.{name}"] = float(model.collector.reach[:, k].sum())
    return values


Recorded = dict[str, dict[str, list[float]]]
"""KPIs over seeds: ``{market: {kpi: [value per seed]}}``."""


def record(seeds: int, jobs: int, markets: Mapping[str, tuple[str, ...]] = MARKETS) -> Recorded:
    """Every market's KPIs for seeds 1 .. ``seeds``: ``{market: {kpi: [value per seed]}}``, one value
    per seed in seed order (NaN where a run lacks the KPI), so that the seeds pair up."""
    from journeysim.experiments.runner import parallel_map

    cases = [(market, seed) for market in markets for seed in range(1, seeds + 1)]
    results = parallel_map(market_kpis, [(markets[market], seed) for market, seed in cases], jobs)
    recorded: Recorded = {}
    for market in markets:
        runs = [values for (name, _), values in zip(cases, results, strict=True) if name == market]
        kpis = sorted(set().union(*runs))  # a KPI some run lacks (a source no one came from) is NaN there
        recorded[market] = {kpi: [values.get(kpi, math.nan) for values in runs] for kpi in kpis}
    return recorded


@dataclass(frozen=True)
class Difference:
    """One KPI of one market compared: the p-values before and after false-discovery control."""

    market: str
    kpi: str
    mean_before: float
    mean_after: float
    spread_before: float
    p_mean: float
    p_spread: float
    adjusted_mean: float = math.nan
    adjusted_spread: float = math.nan

    @property
    def differs(self) -> bool:
        return min(self.adjusted_mean, self.adjusted_spread) < ALPHA

    @property
    def standardised(self) -> float:
        """Difference of the means in standard deviations of the seeds before (0 when constant)."""
        return (self.mean_after - self.mean_before) / self.spread_before if self.spread_before > 0 else 0.0

    @property
    def relative(self) -> float:
        """Difference of the means over the mean before (0 when both are 0)."""
        scale = abs(self.mean_before) or abs(self.mean_after)
        return (self.mean_after - self.mean_before) / scale if scale else 0.0


def _p_values(before: np.ndarray, after: np.ndarray) -> tuple[float, float]:
    """Paired t-test of the means and Levene's test of the spreads; 1 where a sample is constant."""
    finite = np.isfinite(before) & np.isfinite(after)
    before, after = before[finite], after[finite]
    if before.size < 3:
        return 1.0, 1.0
    change = after - before
    with np.errstate(invalid="ignore", divide="ignore"):  # no deviation from the median in either sample: NaN
        p_mean = 1.0 if np.ptp(change) == 0 else float(stats.ttest_rel(after, before).pvalue)
        p_spread = 1.0 if np.ptp(before) == 0 or np.ptp(after) == 0 else float(stats.levene(before, after).pvalue)
    return (1.0 if math.isnan(p_mean) else p_mean), (1.0 if math.isnan(p_spread) else p_spread)


def _mean(values: np.ndarray) -> float:
    """Mean of the finite values (NaN: a KPI that meant nothing in the run, as NPS without respondents)."""
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else math.nan


def compare(before: Mapping[str, Mapping[str, list[float]]],
            after: Mapping[str, Mapping[str, list[float]]]) -> list[Difference]:
    """Every KPI both recordings have, compared seed by seed, with adjusted p-values."""
    found: list[Difference] = []
    for market in sorted(set(before) & set(after)):
        for kpi in sorted(set(before[market]) & set(after[market])):
            old, new = np.asarray(before[market][kpi]), np.asarray(after[market][kpi])
            seeds = min(old.size, new.size)
            old, new = old[:seeds], new[:seeds]
            p_mean, p_spread = _p_values(old, new)
            spread = float(np.std(old[np.isfinite(old)], ddof=1)) if np.isfinite(old).sum() > 1 else 0.0
            found.append(Difference(market, kpi, _mean(old), _mean(new), spread, p_mean, p_spread))
    if not found:
        return found
    adjusted = stats.false_discovery_control([p for d in found for p in (d.p_mean, d.p_spread)])
    return [Difference(**{**vars(d), "adjusted_mean": float(adjusted[2 * i]),
                          "adjusted_spread": float(adjusted[2 * i + 1])}) for i, d in enumerate(found)]


HEADLINE = ("acquisitions", "orders", "revenue")
"""KPIs whose relative change the report gives for every market."""


def report(differences: list[Difference]) -> str:
    """One line per market (KPIs compared, how many differ, the largest change of a mean in standard
    deviations of the seeds, the headline KPIs' relative changes) and one per KPI that differs."""
    lines = []
    for market in sorted({d.market for d in differences}):
        rows = [d for d in differences if d.market == market]
        largest = max(rows, key=lambda d: abs(d.standardised))
        headline = ", ".join(f"{d.kpi} {d.relative:+.2%}" for d in rows if d.kpi in HEADLINE)
        lines.append(f"{market}: {len(rows)} KPIs, {sum(d.differs for d in rows)} differ; largest change of a "
                     f"mean {largest.standardised:+.2f} sd of the seeds ({largest.kpi}); {headline}")
    for d in differences:
        if d.differs:
            lines.append(f"  DIFFERS {d.market} {d.kpi}: mean {d.mean_before:.6g} -> {d.mean_after:.6g} "
                         f"(adjusted p: mean {d.adjusted_mean:.2g}, spread {d.adjusted_spread:.2g})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", type=Path, help="where to write this tree's KPIs (JSON)")
    parser.add_argument("before", type=Path, nargs="?", help="KPIs recorded on the tree before the change")
    parser.add_argument("--seeds", type=int, default=30, help="seeds per market (default 30)")
    parser.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    args = parser.parse_args(argv)
    recorded = record(args.seeds, args.jobs)
    args.output.write_text(json.dumps(recorded) + "\n")
    if args.before is None:
        print(f"{len(MARKETS)} markets x {args.seeds} seeds recorded in {args.output}")
        return 0
    differences = compare(json.loads(args.before.read_text()), recorded)
    print(report(differences))
    differ = sum(d.differs for d in differences)
    print(f"{len(differences) - differ} of {len(differences)} KPIs the same in law (false-discovery rate {ALPHA})")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
