"""Derived per-customer rates, recomputed only for the rows whose stage or satisfaction changed.

The daily step reads these arrays with a handful of whole-array operations; events
(exposures, purchases, service) touch few rows, so keeping the derived arrays current
costs work in proportion to what happened, not to the population.
"""

from __future__ import annotations

import numpy as np

from journeysim.sim.config import MarketSpec, NetworkSpec
from journeysim.sim.pricing import Pricing
from journeysim.sim.rate_kernels import refresh_rates, survey_answers
from journeysim.sim.satisfaction import advocacy_factor, churn_factor, satisfaction_factor
from journeysim.sim.stages import POST_PURCHASE, Stage, StageGroup
from journeysim.sim.state import CustomerState

__all__ = ["Rates", "advocacy_factor", "churn_factor", "satisfaction_factor"]

PRICED = StageGroup("priced", Stage.DECIDING, *POST_PURCHASE)
"""Stages whose next level the price moves: deciding prospects' purchase, active customers' repurchase."""

_NO_TALK = np.empty(0, np.float32)


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
        (people out of the market stay inert), in one compiled pass
        (:func:`journeysim.sim.rate_kernels.refresh_rates`):

        - ``next_level``: the entry level of the next funnel stage; deciding prospects' purchase
          level (:func:`~journeysim.sim.funnel.purchase_level`) and active customers' repurchase
          level times their price factor;
        - ``floor_level``: ``market.fallback`` times the entry level of the stage held (stages
          that can fall back; minus infinity elsewhere);
        - ``keep``: 1 minus the interest decay of prospects (1 for active customers);
        - ``drift``: active customers' repurchase rate times
          :func:`~journeysim.sim.satisfaction.satisfaction_factor` (0 for prospects);
        - ``hazard``: active customers' churn propensity times
          :func:`~journeysim.sim.satisfaction.churn_factor`, plus loyal customers' advocacy times
          :func:`~journeysim.sim.satisfaction.advocacy_factor` (0 for prospects);
        - ``talk``: the stage's talk weight (dissatisfied customers': ``dissatisfied_talk``),
          times the customer's scoped multiplier, within -1 .. 1;
        - the NPS survey answers of those who have bought.
        """
        s = self.state
        if s.open:
            rows = rows[s.present[rows]]
        if rows.size == 0:
            return
        stage = s.stage[rows]
        sat = s.satisfaction[rows]
        priced = PRICED.holds(stage)
        factor = np.ones(rows.size, np.float32)
        factor[priced] = self.price_factor(rows[priced])
        traits = tuple(s.traits[name] for name in ("interest_decay", "repurchase_rate", "churn_propensity", "advocacy"))
        bar = self.market.advocate_satisfaction
        market = (np.float32(self.market.fallback), np.float32(self.repurchase_scale), np.float32(bar),
                  np.float32(max(1.0 - bar, 1e-9)))
        talk = _NO_TALK if self.customer_talk is None else self.customer_talk
        refresh_rates(rows, s.stage, s.satisfaction, s.levels, factor, churn_factor(sat), traits, market,
                      self.talk_by_stage, self.dissatisfied_talk, talk,
                      (s.next_level, s.floor_level, s.keep, s.drift, s.hazard, s.talk))
        promoters, detractors = survey_answers(rows, s.satisfaction, s.survey_bias, s.purchases, self.nps_category)
        self.promoters += promoters
        self.detractors += detractors

    def nps(self) -> float:
        """Net promoter score of everyone who has bought: % promoters - % detractors."""
        bought = self.respondents
        return 100.0 * (self.promoters - self.detractors) / bought if bought else float("nan")

    def refresh_all(self) -> None:
        """Recompute every row (start of a run, or after a global lever change)."""
        self.refresh(np.arange(self.state.size))
