"""Per-agent Mesa baseline for the Bass diffusion benchmark.

The Bass model written the way a Mesa user would write it: one ``BassAgent`` per customer with an
``adopted`` flag, stepped one by one with ``shuffle_do``. It is the reference the vectorised engine is
timed against (``make bench``) and a second, independent check of the Bass curve.

Each day the model takes the adopted fraction F at the start of the day; every agent not yet adopted then
adopts with probability ``1 - exp(-(p + q * F) / 365)``, the chance that the Bass hazard ``p + q * F``
(per year) fires within one day. All draws, including the shuffle order, come from the model's one
``random.Random`` stream (``self.random``), seeded through ``mesa.Model(seed=...)``.

Run as a script::

    python benchmarks/mesa_bass.py --n 20000 --days 365 --p 0.03 --q 0.38 --seed 0
"""

from __future__ import annotations

import argparse
import logging
import math
import time

import mesa
import numpy as np

DAYS_PER_YEAR = 365  # Bass p and q are per year; one step is one day

logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO


def adopted_fraction(model: BassModel) -> float:
    """Share of the model's agents that have adopted."""
    return sum(agent.adopted for agent in model.agents) / len(model.agents)


class BassAgent(mesa.Agent):
    """One potential adopter; adoption is permanent."""

    def __init__(self, model: BassModel) -> None:
        super().__init__(model)
        self.adopted = False

    def step(self) -> None:
        """Adopt with today's Bass probability, unless already adopted."""
        if not self.adopted and self.random.random() < self.model.adoption_probability:
            self.adopted = True


class BassModel(mesa.Model):
    """Bass diffusion over a fully mixed population of ``n`` agents, one step per day."""

    def __init__(self, n: int = 10_000, p: float = 0.03, q: float = 0.38, seed: int | None = None) -> None:
        super().__init__(seed=seed)
        self.p = p  # innovation coefficient, per year
        self.q = q  # imitation coefficient, per year
        self.adoption_probability = 0.0  # today's chance that a non-adopter adopts, set in step()
        BassAgent.create_agents(self, n)
        self.datacollector = mesa.DataCollector(model_reporters={"adopted_fraction": adopted_fraction})
        self.datacollector.collect(self)

    def step(self) -> None:
        """Fix today's adoption probability from the start-of-day fraction, step every agent, record."""
        hazard = (self.p + self.q * adopted_fraction(self)) / DAYS_PER_YEAR  # per day
        self.adoption_probability = -math.expm1(-hazard)
        self.agents.shuffle_do("step")
        self.datacollector.collect(self)


def run_baseline(n: int, days: int, p: float, q: float, seed: int) -> tuple[np.ndarray, float]:
    """Run the per-agent model for ``days`` days.

    Returns the daily adopted fraction (length ``days + 1``, day 0 included) and the wall seconds spent
    stepping (model construction excluded).
    """
    model = BassModel(n=n, p=p, q=q, seed=seed)
    start = time.perf_counter()
    for _ in range(days):
        model.step()
    seconds = time.perf_counter() - start
    fractions = model.datacollector.get_model_vars_dataframe()["adopted_fraction"].to_numpy(dtype=float)
    return fractions, seconds


def agent_steps_per_second(n: int, days: int, seconds: float) -> float:
    """Throughput in agent-steps per second (every agent is stepped every day, adopted or not)."""
    return n * days / seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="number of customers")
    parser.add_argument("--days", type=int, default=365, help="days to simulate")
    parser.add_argument("--p", type=float, default=0.03, help="innovation coefficient, per year")
    parser.add_argument("--q", type=float, default=0.38, help="imitation coefficient, per year")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    _, seconds = run_baseline(args.n, args.days, args.p, args.q, args.seed)
    rate = agent_steps_per_second(args.n, args.days, seconds)
    print(f"per-agent Mesa Bass: {args.n} customers x {args.days} days in {seconds:.2f} s = {rate:,.0f} agent-steps/s")


if __name__ == "__main__":
    main()
