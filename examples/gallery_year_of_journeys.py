"""A year of the default journey: stage occupancy, the funnel, journey flows and channel spend.

One run of the baseline scenario, drawn with the four plot methods of ``Result`` on one figure.

    python examples/gallery_year_of_journeys.py --out figures/
"""

import argparse
from pathlib import Path

import matplotlib.pyplot as plt

from journeysim import simulate


def main() -> None:
    """Run the baseline and save ``year_of_journeys.png``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("."), help="folder for the figure")
    parser.add_argument("--customers", type=int, default=5_000, help="population size")
    parser.add_argument("--days", type=int, default=365, help="days to simulate")
    args = parser.parse_args()

    result = simulate("baseline", overrides={"population.size": args.customers, "days": args.days}, seed=1)
    print(f"acquisitions {result.kpis['acquisitions']:,}, CAC {result.kpis['cac']:.2f}, NPS {result.kpis['nps']:+.1f}")

    figure = plt.figure(figsize=(16, 10), layout="constrained")
    top, bottom = figure.subfigures(2, 1, height_ratios=[1, 1.1])
    left, right = top.subplots(1, 2, width_ratios=[1.5, 1])
    result.plot_stages(ax=left)
    result.plot_funnel(ax=right)
    flows, channels = bottom.subplots(1, 2, width_ratios=[1.5, 1])
    result.plot_flows(ax=flows)
    result.plot_channels(ax=channels)
    figure.suptitle(f"A year of the baseline journey: {args.customers:,} customers, seed 1", fontsize=14)
    args.out.mkdir(parents=True, exist_ok=True)
    figure.savefig(args.out / "year_of_journeys.png", dpi=110)


if __name__ == "__main__":
    main()
