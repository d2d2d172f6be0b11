"""The Bass reference case: the engine against the closed-form diffusion curve.

``scenario=bass`` reduces the journey to two stages, one mass-media channel and fully mixed word
of mouth; its adopted fraction follows F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}).

    python examples/gallery_bass.py --customers 1000000 --out figures/
"""

import argparse
from pathlib import Path

import numpy as np

from journeysim import simulate
from journeysim.scenarios.bass import bass_curve


def main() -> None:
    """Run the Bass scenario for ten years and save ``bass_check.png``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("."), help="folder for the figure")
    parser.add_argument("--customers", type=int, default=100_000, help="population size")
    parser.add_argument("--days", type=int, default=3650, help="days to simulate")
    args = parser.parse_args()

    result = simulate("bass", overrides={"population.size": args.customers, "days": args.days}, seed=0)
    p, q = result.config["scenario"]["p"], result.config["scenario"]["q"]
    years = result.daily["day"].to_numpy() / 365
    error = np.abs(result.daily["adopted_fraction"].to_numpy() - bass_curve(years, p, q)).max()
    print(f"largest gap to the closed form over {args.days} days: {error:.4f}")

    ax = result.plot_adoption()
    ax.set_title(f"Bass diffusion, p = {p:g}, q = {q:g} per year: {args.customers:,} customers "
                 f"(largest gap {error:.3f})")
    args.out.mkdir(parents=True, exist_ok=True)
    ax.figure.savefig(args.out / "bass_check.png", dpi=110)


if __name__ == "__main__":
    main()
