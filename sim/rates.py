"""Derived per-customer rates, recomputed only for the rows whose stage or satisfaction changed.

The daily step reads these arrays with a handful of whole-array operations; events
(exposures, purchases, service) touch few rows, so keeping the derived arrays current
costs work in proportion to what happened, not to the population.
"""

from __future__ import annotations

import numpy as np

from journeysim.sim.config import MarketSpec, NetworkSpec
from journeysim.sim.funnel import purchase_level
from journeysim.sim.pricing import Pricing
from journeysim.sim.satisfaction import advocacy_factor, churn_factor, satisfaction_factor, survey_category
from journeysim.sim.stages import FALLING_BACK, POST_PURCHASE, Stage, next_level_slot
from journeysim.sim.state import CustomerState

__all__ = ["Rates", "advocacy_factor", "churn_factor", "satisfaction_factor"]


class Rates:
    """Keeps ``next_level``, ``floor_level``, ``keep``, ``drift``, ``hazard`` and ``talk`` current.

    Parameters
    ----------
    state : CustomerState
        The arrays to maintain.
    market, network : MarketSpec, NetworkSpec
        Fallback share, advocacy bar, purchase threshold and talk weights.
    """

    def __init__(self, state: CustomerState, market: MarketSpec, network: NetworkSpec,
                 pricing: Pricing | None = None) -> None:
        self.state = state
        self.market = market
        if pricing is None:
            pricing = Pricing(market.pricing, market.price, market.discount, state.size)
        self.pricing = pricing
        self.talk_by_stage = network.talk.astype(np.float32)
        self.dissatisfied_talk = np.float32(network.dissatisfied_talk)
        self.repurchase_scale = market.thresholds["purchase"] or 1.0
        self.customer_talk: np.ndarray | None = None  # per-customer talk weight multiplier (scoped levers)
        n = state.size
        self.nps_category = np.zeros(n, np.int8)  # +1 promoter, -1 detractor, 0 passive or none
        self.respondents = 0
        self.promoters = 0
        self.detractors = 0

    def price_factor(self, rows: np.ndarray) -> np.ndarray:
        """Price factor of ``rows`` today (:meth:`journeysim.sim.pricing.Pricing.factor`):
        the multiplier of their purchase step or repurchase level (1 at the reference price)."""
        s = self.state
        return self.pricing.factor(rows, s.stage[rows], s.satisfaction[rows], s.traits["price_sensitivity"][rows])

    def refresh(self, rows: np.ndarray) -> None:
        """Recompute every derived rate of ``rows`` from their stage, satisfaction and traits
        (people out of the market stay inert)."""
        s = self.state
        if s.open:
            rows = rows[s.present[rows]]
        if rows.size == 0:
            return
        stage = s.stage[rows].astype(np.int64)
        sat = s.satisfaction[rows]
        traits = s.traits
        post = POST_PURCHASE.holds(stage)
        next_level = s.levels[next_level_slot(stage), rows]
        deciding = rows[stage == Stage.DECIDING]
        next_level[stage == Stage.DECIDING] = purchase_level(s, deciding, self.price_factor(deciding))
        next_level[post] *= self.price_factor(rows[post])  # the repurchase decision
        s.next_level[rows] = next_level
        floor = np.full(rows.size, -np.inf, np.float32)
        inside = FALLING_BACK.holds(stage)
        floor[inside] = self.market.fallback * s.levels[stage[inside] - 1, rows[inside]]
        s.floor_level[rows] = floor
        s.keep[rows] = np.where(post, 1.0, 1.0 - traits["interest_decay"][rows])
        drift = traits["repurchase_rate"][rows] * satisfaction_factor(sat) * self.repurchase_scale
        s.drift[rows] = np.where(post, drift, 0.0)
        hazard = traits["churn_propensity"][rows] * churn_factor(sat)
        hazard += np.where(stage == Stage.LOYAL, traits["advocacy"][rows]
                           * advocacy_factor(sat, self.market.advocate_satisfaction), 0.0)
        s.hazard[rows] = np.where(post, hazard, 0.0)
        self._refresh_talk(rows, stage, sat, post)
        self._refresh_survey(rows, sat)

    def _refresh_talk(self, rows: np.ndarray, stage: np.ndarray, sat: np.ndarray, post: np.ndarray) -> None:
        talk = self.talk_by_stage[stage]
        talk = np.where(post & (sat < 0), self.dissatisfied_talk, talk).astype(np.float32)
        if self.customer_talk is not None:
            talk = talk * self.customer_talk[rows]
        self.state.talk[rows] = np.clip(talk, -1.0, 1.0)

    def _refresh_survey(self, rows: np.ndarray, sat: np.ndarray) -> None:
        """Keep promoter and detractor counts of everyone who has bought (NPS survey, see
        :func:`~journeysim.sim.satisfaction.survey_category`)."""
        bought = self.state.purchases[rows] > 0
        rows, sat = rows[bought], sat[bought]
        category = survey_category(sat, self.state.survey_bias[rows])
        old = self.nps_category[rows]
        self.promoters += int((category == 1).sum() - (old == 1).sum())
        self.detractors += int((category == -1).sum() - (old == -1).sum())
        self.nps_category[rows] = category

    def nps(self) -> float:
        """Net promoter score of everyone who has bought: % promoters - % detractors."""
        bought = self.respondents
        return 100.0 * (self.promoters - self.detractors) / bought if bought else float("nan")

    def refresh_all(self) -> None:
        """Recompute every row (start of a run, or after a global lever change)."""
        self.refresh(np.arange(self.state.size))
