"""The pre-purchase funnel: interest decays and drifts; crossing a level moves a customer.

Each customer has entry levels for aware, considering, deciding and purchase (drawn once,
exponential around ``market.thresholds``). Forward moves happen when interest crosses the
next level (a strong push can cross several in a day: a skip); falling interest below
``market.fallback`` times the current stage's entry level moves the customer back.
Nothing random is drawn for the crossings: the thresholds are the randomness (coupled across
scenarios). A new purchase step is drawn only when a customer re-enters the funnel (a lapsed
customer won back, or a cart abandoner, :func:`redraw_purchase_step`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from journeysim.sim import kernels
from journeysim.sim.config import MarketSpec
from journeysim.sim.stages import IN_FUNNEL, POST_PURCHASE, WIN_BACK_STAGE, Stage, fall_back, forward
from journeysim.sim.state import CustomerState
from journeysim.sim.streams import Draws


@dataclass
class FunnelMoves:
    """Who moves today: forward within the funnel, back, to checkout, repurchase, or win-back."""

    rows: np.ndarray
    stages: np.ndarray
    checkout: np.ndarray
    repurchase: np.ndarray
    winback: np.ndarray


def decay_and_drift(state: CustomerState, decays: bool, drifts: bool, season: float = 1.0) -> None:
    """Interest loses its persona decay share; customers' purchase intent drifts up, at the
    ``season``'s index of category demand (1: as configured)."""
    _scan(state, decays, drifts, season, find_up=False, find_down=False)


def purchase_level(state: CustomerState, rows: np.ndarray, price_factor: np.ndarray) -> np.ndarray:
    """Interest at which ``rows`` buy: the deciding level plus the purchase step scaled by
    the price factor (a discount lowers it for price-sensitive customers)."""
    deciding = state.entry_level(Stage.DECIDING)[rows]
    return deciding + (state.buy_level[rows] - deciding) * price_factor


def crossings(state: CustomerState, price_factor_of: Callable[[np.ndarray], np.ndarray],
              fallback: float) -> FunnelMoves:
    """Find every customer whose interest crossed a level today.

    Parameters
    ----------
    state : CustomerState
        Reads ``interest``, ``next_level``, ``floor_level``, ``levels`` and ``stage``.
    price_factor_of : callable
        ``rows -> ndarray`` of price factors for prospects (1 at list price).
    fallback : float
        Share of a stage's entry level below which a customer falls back (0: never).
    """
    return decay_and_cross(state, False, False, 1.0, price_factor_of, fallback)


def decay_and_cross(state: CustomerState, decays: bool, drifts: bool, season: float,
                    price_factor_of: Callable[[np.ndarray], np.ndarray], fallback: float) -> FunnelMoves:
    """:func:`decay_and_drift` then :func:`crossings`, in one pass over the customers."""
    up, down = _scan(state, decays, drifts, season, find_up=True, find_down=fallback > 0)
    stage = state.stage[up]
    funnel = up[IN_FUNNEL.holds(stage)]
    repurchase = up[POST_PURCHASE.holds(stage)]
    winback = up[stage == Stage.LAPSED]
    buys = state.interest[funnel] >= purchase_level(state, funnel, price_factor_of(funnel))
    rising = funnel[~buys]
    rows = [rising]
    stages = [forward(levels_held(state, rising, 1.0), state.stage[rising])]
    if fallback > 0:
        rows.append(down)
        stages.append(fall_back(levels_held(state, down, fallback), state.stage[down]))
    return FunnelMoves(np.concatenate(rows), np.concatenate(stages).astype(np.int8), funnel[buys],
                       repurchase, winback)


def _scan(state: CustomerState, decays: bool, drifts: bool, season: float, find_up: bool,
          find_down: bool) -> tuple[np.ndarray, np.ndarray]:
    """One pass over the rows in use (rows beyond ``state.entered`` are inert: nothing to decay or
    cross): :func:`journeysim.sim.kernels.decay_scan`."""
    s = state
    return kernels.decay_scan(s.interest, s.keep, s.drift, np.float32(season), decays, drifts, s.next_level,
                              s.floor_level, s.entered, find_up, find_down)


def levels_held(state: CustomerState, rows: np.ndarray, share: float) -> np.ndarray:
    """How many of the aware, considering and deciding levels (times ``share``) the
    interest of ``rows`` reaches: the funnel stage their interest supports."""
    return kernels.levels_held(state.interest, state.levels, rows, np.float32(share))


def redraw_purchase_step(state: CustomerState, rows: np.ndarray, market: MarketSpec, draws: Draws) -> None:
    """New buy level above the deciding level for ``rows`` (after abandonment or win-back):
    an exponential purchase step around ``market.thresholds["purchase"]`` times the
    customer's threshold scale."""
    width = (market.thresholds["purchase"] * state.traits["threshold_scale"][rows]
             * draws.exponential("purchase_step", rows))
    state.buy_level[rows] = state.entry_level(Stage.DECIDING)[rows] + width


def re_enter(state: CustomerState, rows: np.ndarray, stage: Stage, market: MarketSpec,
             draws: Draws) -> np.ndarray:
    """Put ``rows`` back in the funnel at ``stage`` (win-back or cart abandonment): a new
    purchase step, and interest at the stage's entry level. Returns their new stage codes."""
    redraw_purchase_step(state, rows, market, draws)
    state.interest[rows] = state.entry_level(stage)[rows]
    return np.full(rows.size, stage, np.int8)


def win_back(state: CustomerState, rows: np.ndarray, market: MarketSpec, draws: Draws) -> np.ndarray:
    """Lapsed ``rows`` whose interest crossed their win-back level consider the brand again."""
    return re_enter(state, rows, WIN_BACK_STAGE, market, draws)
