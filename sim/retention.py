"""The retention phase: post-purchase clocks, advocacy and lapsing.

Each active customer accumulates their daily hazard (``state.hazard``: churn plus, for loyal
customers, advocacy) on a clock; when it crosses their Exp(1) threshold the clock rings and
they either become an advocate (with the advocacy share of the hazard) or lapse. Random
numbers are drawn per transition, not per customer-day (coupled across scenarios).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from journeysim.sim import kernels
from journeysim.sim.config import MarketSpec
from journeysim.sim.satisfaction import advocacy_factor
from journeysim.sim.stages import Stage
from journeysim.sim.state import CustomerState
from journeysim.sim.streams import Draws


@dataclass
class Exits:
    """Customers whose clock rang today: new advocates and lapsers."""

    advocates: np.ndarray
    lapsers: np.ndarray


def start_clocks(state: CustomerState, rows: np.ndarray, draws: Draws) -> None:
    """New customers ``rows`` start a post-purchase clock with a fresh Exp(1) threshold."""
    state.clock[rows] = 0.0
    state.clock_threshold[rows] = draws.exponential("clock", rows, occasion=state.purchases[rows])


def exit_shares(state: CustomerState, rows: np.ndarray, advocate_satisfaction: float) -> np.ndarray:
    """For post-purchase ``rows`` whose clock rang: the share of their hazard that is
    advocacy (the rest is lapsing)."""
    sat = state.satisfaction[rows]
    adv = np.where(state.stage[rows] == Stage.LOYAL, state.traits["advocacy"][rows]
                   * advocacy_factor(sat, advocate_satisfaction), 0.0)
    total = state.hazard[rows]
    return np.divide(adv, total, out=np.zeros_like(total), where=total > 0)


def ring_clocks(state: CustomerState, market: MarketSpec, draws: Draws) -> Exits:
    """Advance every clock by a day of hazard and split those that rang into advocates and
    lapsers. Advocates start a new clock; lapsers lose their interest and draw a win-back
    level (exponential around ``market.winback`` times their threshold scale)."""
    rang = kernels.advance_clocks(state.clock, state.hazard, state.clock_threshold)
    if rang.size == 0:
        return Exits(rang, rang)
    advocate = draws.uniform("advocacy", rang) < exit_shares(state, rang, market.advocate_satisfaction)
    advocates, lapsers = rang[advocate], rang[~advocate]
    state.clock[rang] = 0.0
    state.clock_threshold[advocates] = draws.exponential("advocate_clock", advocates)
    lapse(state, lapsers, market, draws)
    return Exits(advocates, lapsers)


def lapse(state: CustomerState, rows: np.ndarray, market: MarketSpec, draws: Draws) -> None:
    """``rows`` lapse (their clock rang, or they switched to a competitor): no clock, no interest,
    and a win-back level (exponential around ``market.winback`` times their threshold scale)."""
    state.clock[rows] = 0.0
    state.clock_threshold[rows] = np.inf
    state.interest[rows] = 0.0
    state.winback_level[rows] = (market.winback * state.traits["threshold_scale"][rows]
                                 * draws.exponential("winback_level", rows))
