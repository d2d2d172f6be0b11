"""The competition phase of the daily step and its hooks in our purchase path (a mixin of the model).

:class:`CompetitionPhases` gives :class:`~journeysim.sim.model.JourneyModel` its competitors
(:class:`~journeysim.sim.competition.Competition`, None with ``competition=none``): the daily
phase (:meth:`~CompetitionPhases.run_competitors`) and the brand choice of our checkout and reorder
attempts (:meth:`~CompetitionPhases.choose_brands`). Stage moves go through the model's ``move``
(:mod:`journeysim.sim.stages` writes them).
"""

from __future__ import annotations

import numpy as np

from journeysim.sim import funnel, retention, stages
from journeysim.sim.competition import Competition
from journeysim.sim.stages import ABANDON_STAGE
from journeysim.sim.streams import SequentialDraws


class CompetitionPhases:
    """Competitors in the model: built from ``spec.competition``; every method does nothing without them."""

    competition: Competition | None
    _won: np.ndarray = np.empty(0, np.int64)  # people outside our path who chose us at an occasion today

    def _create_competition(self) -> Competition | None:
        spec = self.spec
        if not spec.competition.active:
            return None
        shares = np.array([p.share for p in spec.population.personas], np.float64)
        return Competition(spec.competition, self.state, self.streams, spec.channels, self.population.affinity,
                           shares, spec.population.scale, spec.days, spec.market.quality_noise,
                           spec.market.review_weight)

    def _offers_to(self, rows: np.ndarray, day: int, ours_considered: np.ndarray):
        """Offers of every brand to ``rows`` (ours from the lever API) and their price sensitivity."""
        s, comp = self.state, self.competition
        stage = s.stage[rows]
        satisfaction = np.where(s.purchases[rows] > 0, s.satisfaction[rows], np.float32(0.0))
        offers = comp.offers(rows, day, self.controls.offered_price(rows), self.controls.quality, self.reviews.stars,
                             satisfaction, comp.spec.choice.programme, ours_considered)
        return offers, self.rates.pricing.sensitivity(rows, stage, s.traits["price_sensitivity"][rows])

    def run_competitors(self, day: int) -> None:
        """Competitors (:mod:`~journeysim.sim.competition`): their media and word of mouth move
        consideration sets; people outside our purchase path have category occasions and choose."""
        comp = self.competition
        if comp is None:
            return
        comp.day = day
        comp.media(day, self.state.persona, float(self.collector.spend[day].sum()))
        comp.word_of_mouth(day)
        comp.forget(day)
        comp.lapse(day)
        rows = comp.occasion_rows(day)
        if rows.size == 0:
            return
        offers, beta = self._offers_to(rows, day, comp.ours_considered(rows))
        brand = comp.choose(rows, offers, beta)
        rival = brand > 0
        comp.buy_rivals(day, rows[rival], brand[rival])
        self._won = rows[~rival & offers.considered[:, 0]]  # they go to our checkout today

    def choose_brands(self, day: int, rows: np.ndarray, repeat: bool) -> np.ndarray:
        """Our checkout (``repeat`` False) or reorder attempts ``rows`` choose among the brands they
        consider; those who choose a competitor buy it (a prospect goes back to considering, our
        customer lapses: a switch). Returns the rows who stay with us."""
        comp = self.competition
        if comp is None:
            return rows
        if not repeat and self._won.size:  # won at a category occasion: a cart with us, no second choice
            self.collector.add(day, "carts", self._won.size)
            won, self._won = self._won, self._won[:0]
            return np.union1d(self._choose_brands(day, np.setdiff1d(rows, won), repeat), won)
        return self._choose_brands(day, rows, repeat)

    def _choose_brands(self, day: int, rows: np.ndarray, repeat: bool) -> np.ndarray:
        comp = self.competition
        if rows.size == 0:
            return rows
        launched = np.uint8(sum(1 << k for k, up in enumerate(comp.launched(day)) if up and k))
        open_ = (comp.considered[rows] & launched) != 0
        if not open_.any():
            return rows
        torn = rows[open_]
        offers, beta = self._offers_to(torn, day, np.ones(torn.size, bool))
        brand = comp.choose(torn, offers, beta)
        lost = torn[brand > 0]
        if lost.size == 0:
            return rows
        comp.buy_rivals(day, lost, brand[brand > 0])
        comp.lost[day] += lost.size
        self.collector.add(day, "carts", -lost.size)  # they chose a competitor: no cart of ours (Baymard's count)
        market = self.spec.market
        if repeat:
            retention.lapse(self.state, lost, market, SequentialDraws(comp.day_rng("switch", day)))
            self.collector.add(day, "switched", lost.size)  # a switcher, not a lapse (churned)
            self.move(day, lost, stages.after_switch(lost.size))
            self.accounts_lapse(day, lost)  # a B2B account whose holder switched is lost whole
        else:
            draws = SequentialDraws(comp.day_rng("back", day))
            self.move(day, lost, funnel.re_enter(self.state, lost, ABANDON_STAGE, market, draws))
        stay = np.ones(rows.size, bool)
        stay[np.flatnonzero(open_)[brand > 0]] = False
        return rows[stay]

    def book_our_orders(self, day: int, rows: np.ndarray, value: np.ndarray) -> None:
        """Our orders of ``rows`` (``value`` in currency) in the competition's books."""
        if self.competition is not None:
            self.competition.book(day, rows, np.zeros(rows.size, np.int8), value)
