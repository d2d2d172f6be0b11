"""Quick measurements of the demand side (issue #20): organic base, advertising elasticity, renewal.

Not part of ``make bench``: a small script to run while tuning, with paired seeds (common random
numbers through the model's streams). The full-size checks are in ``make validate``.

- **organic share**: orders over ``--days`` with every channel's budget at 0, over the default's.
- **advertising elasticity**: every paid budget x1.2 from day ``--change-day`` on (after a warm-up);
  short term = orders in the ``--weeks`` weeks after the change, long term = orders in the year after
  it; elasticity = (orders changed / orders paired - 1) / 0.2.
- **renewal**: acquisitions in year 3 over year 2 of a 3-year ``attribution_lab`` run.

Usage: ``python benchmarks/demand.py [--size 10000] [--seeds 3] [--only organic,elasticity,renewal]
[--set market.demand.entry_rate=0.5 --set market.demand.exit_rate=0.5]`` (``--set``: config overrides of every run).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from journeysim.api import compose_config
from journeysim.runner import build_model
from journeysim.scenarios.spec import parse_config

SETTINGS: list[str] = []
"""Config overrides of every run (``--set``)."""


def _model(scenario: str, size: int, days: int, seed: int, extra: list[str] | None = None):
    overrides = [f"population.size={size}", f"days={days}", "outputs.progress=false", *SETTINGS, *(extra or [])]
    spec = parse_config(compose_config(scenario, overrides, seed), check_resources=False)
    return build_model(spec)


def daily_orders(scenario: str, size: int, days: int, seed: int, factor: float = 1.0, change_day: int = 0,
                 extra: list[str] | None = None, series: str = "orders") -> np.ndarray:
    """Daily ``series`` of one run whose media budgets are scaled by ``factor`` from ``change_day`` on."""
    model = _model(scenario, size, days, seed, extra)
    for day in range(days):
        if day == change_day and factor != 1.0:
            model.controls.scale_budgets(np.full(model.n_channels, factor))
        model.step()
    return np.asarray(model.collector.daily[series][:days], dtype=float)


def organic(args) -> None:
    shares = []
    for seed in range(args.seeds):
        base = daily_orders(args.scenario, args.size, args.days, seed)
        zero = daily_orders(args.scenario, args.size, args.days, seed, factor=0.0)
        shares.append(zero.sum() / base.sum())
        print(f"  seed {seed}: orders default {base.sum():.0f}, no media {zero.sum():.0f}, share {shares[-1]:.3f}")
    print(f"organic share (no media / default orders): {np.mean(shares):.3f}  target 0.30-0.90")


def elasticity(args) -> None:
    d, w = args.change_day, 7 * args.weeks
    days = d + 365
    short, long_ = [], []
    for seed in range(args.seeds):
        base = daily_orders(args.scenario, args.size, days, seed)
        up = daily_orders(args.scenario, args.size, days, seed, factor=1.2, change_day=d)
        short.append((up[d:d + w].sum() / base[d:d + w].sum() - 1) / 0.2)
        long_.append((up[d:].sum() / base[d:].sum() - 1) / 0.2)
        print(f"  seed {seed}: short {short[-1]:.3f}  long {long_[-1]:.3f}  (orders/yr {base[d:].sum():.0f})")
    print(f"advertising elasticity: short {np.mean(short):.3f} (target 0.03-0.3), "
          f"long {np.mean(long_):.3f} (target > short, < 0.5)")


def renewal(args) -> None:
    ratios = []
    for seed in range(args.seeds):
        acq = daily_orders("attribution_lab", args.size, 3 * 365, seed, series="acquisitions")
        y1, y2, y3 = acq[:365].sum(), acq[365:730].sum(), acq[730:].sum()
        ratios.append(y3 / y2)
        print(f"  seed {seed}: acquisitions y1 {y1:.0f} y2 {y2:.0f} y3 {y3:.0f}  y3/y2 {ratios[-1]:.3f}")
    print(f"renewal (attribution_lab acquisitions year 3 / year 2): {np.mean(ratios):.3f}  target 0.85-1.15")


def main(argv: list[str] | None = None) -> None:
    """Run the chosen measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--change-day", type=int, default=182)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--only", default="organic,elasticity,renewal")
    parser.add_argument("--set", action="append", default=[], help="a config override of every run")
    args = parser.parse_args(argv)
    SETTINGS[:] = args.set
    for name in args.only.split(","):
        start = time.perf_counter()
        {"organic": organic, "elasticity": elasticity, "renewal": renewal}[name](args)
        print(f"  ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
