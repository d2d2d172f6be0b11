"""Conversion by device (#23): the default device mix against published shares, and responsive design.

The default market (10,000 customers, a year) under :data:`SEEDS` seeds, and the same seeds with
``scenario=responsive_design`` (half of every device's gap in checkout success to desktop closed
from day 90). Pass criteria (issue 23, EVIDENCE §5):

* mobile's share of orders sits 12 to 21 points below its share of sessions (Salesforce Shopping
  Index), within 5 points;
* desktop converts (orders per session) 2 to 3 times as well as mobile (Monetate, IMRG);
* responsive design narrows the gap and raises total orders: the paired 95% intervals of both
  differences exclude 0.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes

from journeysim.api import compose_config
from journeysim.experiments.intervals import mean_interval, paired_difference
from journeysim.experiments.plots import axes_or_new
from journeysim.experiments.runner import parallel_map
from journeysim.experiments.validation.experiment import Check, Outcome, saved_outcome
from journeysim.runner import build_model
from journeysim.scenarios.spec import parse_config
from journeysim.sim import devices
from journeysim.sim.schema.devices import DEVICES

NAME = "device_gap"
SIZE = 10_000
SEEDS = 4
GAP = (12.0, 21.0)  # points: mobile's share of traffic minus its share of orders (EVIDENCE §5)
TOLERANCE = 5.0  # points either side of GAP
RATIO = (2.0, 3.0)  # desktop conversion over smartphone conversion (EVIDENCE §5)
SCENARIOS = ("baseline", "responsive_design")


def device_run(args: tuple[str, int, int]) -> dict:
    """One year of ``scenario`` under ``seed`` at ``size`` customers: orders and the by-device KPIs."""
    scenario, seed, size = args
    spec = parse_config(compose_config(overrides=[f"scenario={scenario}", f"seed={seed}", f"population.size={size}",
                                                  "outputs.event_log_sample=0"]))
    model = build_model(spec).run()
    out = devices.summary(model.collector, model.day)
    row = {"scenario": scenario, "seed": seed, "orders": float(model.collector.daily["orders"].sum()),
           "mobile_share_gap_points": out["mobile_share_gap_points"],
           "desktop_vs_mobile_conversion": out["desktop_vs_mobile_conversion"],
           "cross_device_share": out["cross_device_share"]}
    for d in DEVICES:
        row |= {f"traffic_share_{d}": out[d]["traffic_share"], f"order_share_{d}": out[d]["order_share"]}
    return row


def device_table(size: int = SIZE, seeds: list[int] | None = None, jobs: int = 1) -> pd.DataFrame:
    """One row per scenario and seed (see :func:`device_run`)."""
    seeds = list(range(SEEDS)) if seeds is None else seeds
    return pd.DataFrame(parallel_map(device_run, [(s, seed, size) for s in SCENARIOS for seed in seeds], jobs))


def checks(table: pd.DataFrame) -> list[Check]:
    """The pass criteria (module notes) on :func:`device_table`."""
    base, resp = (table[table.scenario == s].set_index("seed") for s in SCENARIOS)
    gap, ratio = mean_interval(base.mobile_share_gap_points), mean_interval(base.desktop_vs_mobile_conversion)
    narrower = paired_difference(resp.mobile_share_gap_points.to_dict(), base.mobile_share_gap_points.to_dict())
    more = paired_difference(resp.orders.to_dict(), base.orders.to_dict())
    low, high = GAP[0] - TOLERANCE, GAP[1] + TOLERANCE
    return [
        Check(NAME, f"mobile's share of orders {GAP[0]:.0f}-{GAP[1]:.0f} points below its share of sessions, "
              f"within {TOLERANCE:.0f} (Salesforce, EVIDENCE §5)", bool(low <= gap.estimate <= high),
              f"{gap.estimate:.1f} points [{gap.low:.1f}, {gap.high:.1f}]; sessions "
              f"{base.traffic_share_mobile.mean():.1%}, orders {base.order_share_mobile.mean():.1%} on mobile"),
        Check(NAME, f"desktop converts {RATIO[0]:.0f}-{RATIO[1]:.0f}x mobile (Monetate, IMRG, EVIDENCE §5)",
              bool(RATIO[0] <= ratio.estimate <= RATIO[1]),
              f"{ratio.estimate:.2f} [{ratio.low:.2f}, {ratio.high:.2f}]"),
        Check(NAME, "responsive design narrows the gap: paired 95% interval below 0", bool(narrower.high < 0),
              f"{narrower.estimate:+.1f} points [{narrower.low:+.1f}, {narrower.high:+.1f}], {len(base)} seeds"),
        Check(NAME, "responsive design raises total orders: paired 95% interval above 0", bool(more.low > 0),
              f"{more.estimate:+.0f} orders [{more.low:+.0f}, {more.high:+.0f}] of {base.orders.mean():.0f}"),
    ]


def plot_devices(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Share of sessions and of orders per device, default and with responsive design (mean over seeds)."""
    ax = axes_or_new(ax, (7, 3.2))
    bars = [("sessions", "baseline", "traffic_share"), ("orders", "baseline", "order_share"),
            ("orders, responsive design", "responsive_design", "order_share")]
    width = 0.26
    for k, (label, scenario, column) in enumerate(bars):
        rows = table[table.scenario == scenario]
        values = [100 * rows[f"{column}_{d}"].mean() for d in DEVICES]
        ax.bar([i + (k - 1) * width for i in range(len(DEVICES))], values, width, label=label)
    ax.set_xticks(range(len(DEVICES)), DEVICES)
    ax.set_ylabel("Share (%)")
    ax.set_title("Sessions and orders by device (Salesforce Q4 2017: mobile 60% of traffic, 39% of orders)",
                 fontsize=9)
    ax.legend(fontsize=8)
    return ax


def run(out_dir: Path, jobs: int = 1, seed: int = 0) -> Outcome:
    """The device experiment: its checks, table and figure."""
    table = device_table(seeds=list(range(seed, seed + SEEDS)), jobs=jobs)
    return saved_outcome(out_dir, NAME, checks(table), table, plot_devices(table).figure)
