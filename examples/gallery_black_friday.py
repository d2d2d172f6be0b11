"""Black Friday: what a week of heavy media and a sale does to support, with and without extra staff.

``black_friday_burst`` moves budget into one week (days 326-333) and runs a 25% sale;
``support_staffing`` adds the same burst plus extra support agents and warehouse capacity for the
peak. Both run under the same seed, so they see the same customers and the same orders until
service starts to differ.

    python examples/gallery_black_friday.py --out figures/
"""

import argparse
from pathlib import Path

import matplotlib.pyplot as plt

from journeysim import simulate

SCENARIOS = {"black_friday_burst": "#de2d26", "support_staffing": "#3182bd"}


def main() -> None:
    """Run both scenarios and save ``black_friday_service.png``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("."), help="folder for the figure")
    parser.add_argument("--customers", type=int, default=4_000, help="population size")
    parser.add_argument("--days", type=int, default=365, help="days to simulate")
    args = parser.parse_args()

    figure, (waits, orders) = plt.subplots(1, 2, figsize=(13, 4.5), layout="constrained")
    start = max(0, args.days - 65)
    for scenario, colour in SCENARIOS.items():
        result = simulate(scenario, overrides={"population.size": args.customers, "days": args.days}, seed=2)
        daily = result.daily[result.daily["day"] >= start]
        label = f"{scenario}: NPS {result.kpis['nps']:+.0f}, profit {result.kpis['profit']:,.0f}"
        waits.plot(daily["day"], daily["p95_wait_days"].fillna(0) * 24, color=colour, label=label)
        orders.plot(daily["day"], daily["backlog_orders"], color=colour, label=scenario)
    waits.set(xlabel="day", ylabel="hours", title="95th percentile support wait")
    orders.set(xlabel="day", ylabel="orders", title="orders waiting to ship")
    waits.legend(loc="upper left", frameon=False)
    figure.suptitle(f"Black Friday peak ({args.customers:,} customers, seed 2)")
    args.out.mkdir(parents=True, exist_ok=True)
    figure.savefig(args.out / "black_friday_service.png", dpi=110)


if __name__ == "__main__":
    main()
