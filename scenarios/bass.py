"""The Bass (1969) diffusion model as a configuration of the journey engine.

Two stages (unaware, adopted), one broadcast mass-media channel and fully mixed
word of mouth. An unaware customer's interest is their accumulated adoption hazard:
mass media adds ``p / 365`` a day, and each conversation with an adopter (adopters
talk at ``q / 365`` a day to a random customer) pushes the listener over their
threshold. The per-day adoption probability is ``1 - exp(-(p + q F) / 365)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from journeysim.sim.config import (
    TRAITS,
    ChannelSpec,
    MarketSpec,
    NetworkSpec,
    PersonaSpec,
    PopulationSpec,
    RunSpec,
    SaturationSpec,
    mapping,
    number,
    parse_outputs,
    parse_service,
)
from journeysim.sim.stages import Stage

CERTAIN_KICK = 50.0
"""Interest a conversation adds: crosses any Exp(1) threshold with probability 1 - e^-50."""


def bass_curve(t: np.ndarray | float, p: float, q: float) -> np.ndarray:
    """Closed-form cumulative adoption F(t) of the Bass model.

    Parameters
    ----------
    t : array_like
        Time in years.
    p, q : float
        Coefficients of innovation and imitation, per year.
    """
    t = np.asarray(t, dtype=float)
    e = np.exp(-(p + q) * t)
    return (1.0 - e) / (1.0 + (q / p) * e)


def bass_spread(t: np.ndarray | float, p: float, q: float) -> np.ndarray:
    """Standard deviation of the adopted share at time ``t`` in a market of one customer,
    by the linear noise approximation (van Kampen 2007, ch. X): divide by ``sqrt(n)`` for n.

    The adoptions form a birth process at rate ``n (p + q F)(1 - F)``. Around the closed form
    ``F(t)`` the share fluctuates with variance ``v(t) / n``, where ``dv/dt = 2 J v + (p + q F)
    (1 - F)`` and ``J = q (1 - F) - (p + q F)`` (the slope of the rate in F), ``v(0) = 0``. For
    ``q = 0`` this is the binomial ``F (1 - F)``; imitation amplifies an early chance excess of
    adopters, so with ``q / p`` large the spread in mid-curve is several binomial ones.

    Parameters
    ----------
    t : array_like
        Times in years (at least 0).
    p, q : float
        Coefficients of innovation and imitation, per year.
    """
    from scipy.integrate import solve_ivp

    times = np.atleast_1d(np.asarray(t, dtype=float))

    def change(_: float, y: np.ndarray) -> list[float]:
        share, variance = y
        rate = (p + q * share) * (1.0 - share)
        return [rate, 2.0 * (q * (1.0 - share) - (p + q * share)) * variance + rate]

    solution = solve_ivp(change, (0.0, float(times.max())), [0.0, 0.0], t_eval=np.sort(times), rtol=1e-10, atol=1e-13)
    spread = np.sqrt(np.maximum(solution.y[1], 0.0))[np.argsort(np.argsort(times))]
    return spread.reshape(np.shape(t))


def bass_run_spec(cfg: Mapping[str, Any], *, seed: int, days: int) -> RunSpec:
    """Build the run spec of the Bass scenario from ``scenario.p``, ``scenario.q``."""
    scenario = cfg["scenario"]
    p = number(scenario, "p", "scenario", low=1e-6, high=1.0)
    q = number(scenario, "q", "scenario", low=0.0, high=10.0)
    population_cfg = mapping(cfg, "population", "")
    size = number(population_cfg, "size", "population", low=1, integer=True)
    traits = dict.fromkeys(TRAITS, 0.0) | {
        "innovativeness": 1.0, "social_susceptibility": 1.0, "threshold_scale": 1.0}
    population = PopulationSpec(size=size, reference_size=size, heterogeneity=0.0,
                                personas=(PersonaSpec(name="everyone", share=1.0, affinity={}, traits=traits),))
    effect = np.zeros(len(Stage))
    effect[Stage.UNAWARE] = p / 365.0
    mass_media = ChannelSpec(
        name="mass_media", kind="broadcast", cpm=1000.0, daily_budget=float(size),
        effect=effect, saturation=SaturationSpec(shape="linear", scale=1.0), carryover=0.0, target_stages=None,
    )
    talk = np.zeros(len(Stage))
    talk[Stage.CUSTOMER] = 1.0
    network = NetworkSpec(
        type="fully_mixed", mean_degree=0.0, rewiring=0.0, homophily=0.0, edge_list=None,
        talk_rate=q / 365.0, positive_kick=CERTAIN_KICK, negative_kick=0.0, talk=talk,
        dissatisfied_talk=0.0, talk_days=None,
    )
    market = MarketSpec(
        price=1.0, unit_cost=0.0, quality=0.5, quality_noise=0.0,
        thresholds={"aware": 0.0, "considering": 0.0, "deciding": 0.0, "purchase": 1.0},
        fallback=0.0, checkout_friction=0.0, discount=0.0, review_weight=0.0, loyal_after=10**9,
        advocate_satisfaction=1.0, winback=math.inf, survey_noise=0.0,
    )
    return RunSpec(
        seed=seed, days=days, scenario=str(scenario.get("name", "bass")), kind="bass",
        population=population, channels=(mass_media,), network=network, market=market,
        service=parse_service(None), outputs=parse_outputs(cfg.get("outputs")),
        scenario_params={"p": p, "q": q},
    )


MILESTONES = (0.1, 0.5, 0.9)
"""Adopted shares whose day the Bass summary reports (simulated and closed form)."""


def bass_fit(fraction: np.ndarray, p: float, q: float) -> dict[str, Any]:
    """How a run's adoption curve compares with the closed form: what a Bass run reports instead of money.

    Parameters
    ----------
    fraction : array_like
        Adopted share of the population at the end of each day, day 0 (the start) first.
    p, q : float
        Coefficients of innovation and imitation, per year.

    Returns
    -------
    dict
        ``adopted_fraction`` at the end (share 0..1); ``milestones``: per level (``"10%"``...)
        the first day the run and the closed form reach it (null if not within the run);
        ``max_abs_error`` and ``rmse`` of the run against F(t), in adopted share.
    """
    fraction = np.asarray(fraction, dtype=float)
    days = np.arange(fraction.size)
    closed = bass_curve(days / 365.0, p, q)
    error = fraction - closed

    def first_day(curve: np.ndarray, level: float) -> int | None:
        reached = np.flatnonzero(curve >= level)
        return int(reached[0]) if reached.size else None

    return {
        "p": p, "q": q,
        "adopted_fraction": float(fraction[-1]),
        "milestones": {f"{level:.0%}": {"simulated_day": first_day(fraction, level),
                                        "closed_form_day": first_day(closed, level)} for level in MILESTONES},
        "max_abs_error": float(np.abs(error).max()),
        "rmse": float(np.sqrt(np.mean(error ** 2))),
    }
