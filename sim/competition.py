"""Competitors: consideration sets, their media and word of mouth, purchase occasions and switching.

With ``competition=none`` there is no :class:`Competition` and nothing here runs or draws. With
competitors (``competition.brands``), brand 0 is ours and brands 1.. are the competitors:

* **Consideration.** Per customer, one bit per competitor in ``aware`` and ``considered`` (uint8
  masks: a byte each, whatever the number of brands). Our brand's place in the set is the
  customer's stage (considering, deciding or an active customer), or bit 0 for a past buyer of ours
  who switched (every purchase puts its brand in the buyer's set). A competitor's exposure makes the
  customer aware and, with probability ``per_exposure``, adds it to the set; a satisfied buyer's
  word adds it, a dissatisfied one's removes it; sets forget a competitor at ``forget_rate`` a day
  (never the last brand bought). A competitor's buyers lapse as ours do (persona
  ``churn_propensity`` times the churn factor of their satisfaction): the brand leaves their set.
  Our customers who lapse consider a competitor they know with probability ``lapse_to_rival``.
* **Occasions.** Our brand's purchase path stays as it is: when a prospect reaches checkout or an
  active customer reorders, they choose among the brands they consider
  (:mod:`journeysim.sim.brand_choice`); choosing a competitor is that brand's order, a prospect
  goes back to considering and our active customer lapses (a switch). People who are not our
  active customers and consider a competitor have category occasions of their own: a competitor's
  buyers at their persona ``repurchase_rate`` (times the satisfaction factor), others at
  ``trial_rate``; at such an occasion someone considering us (considering or deciding) who
  chooses us goes to our checkout that day.
* **Satisfaction with a competitor** comes from its quality against the customer's expectation and
  from service failures (probability ``1 - service_level``); a brand's reviews follow its buyers.

Per brand and day, orders (volume), revenue (value) and media spend are booked; every purchase
by someone who bought before is booked in the switching matrix (previous brand -> brand bought).
Everything here draws from streams of its own (``competition:<part>`` per day, and per-customer
numbers hashed from the seed, day and row), apart from every other phase: two runs of one seed
share their numbers customer by customer (common random numbers).
Units: prices and spend in currency (per order, per day); rates per day.
"""

from __future__ import annotations

import numpy as np

from journeysim.sim.brand_choice import Offers, choose, utilities
from journeysim.sim.satisfaction import Reviews, churn_factor, perceived_satisfaction, satisfaction_factor
from journeysim.sim.schema.competition import CompetitionSpec
from journeysim.sim.stages import EVALUATING, POST_PURCHASE
from journeysim.sim.state import CustomerState
from journeysim.sim.streams import RandomStreams

SERVICE_FAILURE_PENALTY = 0.5
"""Satisfaction a competitor's buyer loses when the order is not served well (illustrative)."""


class Competition:
    """Competitors' state, media, word of mouth, occasions and books (one per run with competitors).

    Parameters
    ----------
    spec : CompetitionSpec
        ``competition`` (at least one brand).
    state : CustomerState
        The customers.
    streams : RandomStreams
        The run's streams (this phase draws from ``competition`` only).
    channels : tuple
        Our channel specs (names and cpm of the catalogue competitors buy from).
    affinity : ndarray, shape (personas, channels)
        Persona affinity per channel (weights whom a competitor's impressions reach).
    shares : ndarray
        Persona shares of the population.
    scale : float
        ``population.scale`` (budgets are stated at ``population.reference_size``).
    days : int
        Days of the run.
    quality_noise : float
        ``market.quality_noise`` (sd of perceived quality per order).
    review_weight : float
        ``market.review_weight``.
    """

    def __init__(self, spec: CompetitionSpec, state: CustomerState, streams: RandomStreams, channels: tuple,
                 affinity: np.ndarray, shares: np.ndarray, scale: float, days: int, quality_noise: float,
                 review_weight: float) -> None:
        self.spec, self.state = spec, state
        self.names = spec.brand_names
        self.streams = streams
        self.day = 0  # the day being simulated (keys the per-customer numbers of :meth:`uniform`)
        self.quality_noise = float(quality_noise)
        b, n = len(self.names), state.size
        self.aware = np.zeros(n, np.uint8)  # bit k: aware of competitor k
        self.considered = np.zeros(n, np.uint8)  # bit k: competitor k in the consideration set
        self.bought = np.zeros(n, np.uint8)  # bit k: bought brand k since competition.panel_start
        self.last_brand = np.full(n, -1, np.int8)  # brand of the last order (-1: none)
        self.streak = np.zeros(n, np.uint8)  # orders of the last brand in a row
        self.rival_satisfaction = np.zeros(n, np.float32)  # with the last competitor bought, -1..1
        self.members = np.zeros(n, bool)  # our loyalty programme's members (set by the lever API)
        self.orders = np.zeros((days, b), np.int64)  # orders per day and brand
        self.revenue = np.zeros((days, b), np.float64)  # currency per day and brand
        self.spend = np.zeros((days, b), np.float64)  # media spend, currency per day and brand
        self.switches = np.zeros((b, b), np.int64)  # previous brand (row) -> brand bought (column)
        self.lost = np.zeros(days, np.int64)  # our checkout and reorder attempts won by a competitor
        self.reviews = [Reviews(review_weight) for _ in spec.brands]
        self.quality = np.array([0.0, *(brand.quality for brand in spec.brands)], np.float32)
        self._plans = [self._media_plan(brand, channels, affinity, shares, scale) for brand in spec.brands]
        for k, brand in enumerate(spec.brands, start=1):
            if brand.initial_consideration > 0 and brand.launch_day == 0:
                known = np.zeros(n, bool)  # people in the market on day 0 (entrants arrive without it)
                known[: state.entered] = self.day_rng(f"initial:{brand.name}", 0).random(state.entered) \
                    < brand.initial_consideration
                self.aware[known] |= np.uint8(1 << k)
                self.considered[known] |= np.uint8(1 << k)

    @staticmethod
    def _media_plan(brand, channels: tuple, affinity: np.ndarray, shares: np.ndarray, scale: float) -> list:
        """Per channel bought: (budget per day at this population, impressions per day, persona weights)."""
        plan = []
        for k, channel in enumerate(channels):
            budget = float(brand.media.get(channel.name, 0.0)) * scale
            if budget > 0:
                weights = affinity[:, k] / max(float(affinity[:, k].max()), 1e-12)
                reach = float((weights * shares / shares.sum()).sum())
                plan.append((budget, budget / channel.cpm * 1000.0 / max(reach, 1e-12), weights))
        return plan

    # ------------------------------------------------------------------ random numbers
    def day_rng(self, name: str, day: int) -> np.random.Generator:
        """A generator of its own for one part of the phase on one day (``competition:<name>``)."""
        return self.streams.generator(f"competition:{name}", day)

    def uniform(self, rows: np.ndarray, name: str) -> np.ndarray:
        """One uniform number in [0, 1) per row for ``name`` today, hashed from (seed, name, day,
        row) (:meth:`~journeysim.sim.streams.RandomStreams.row_uniform`): common random numbers
        customer by customer for paired comparisons."""
        return self.streams.row_uniform(name, self.day, rows)

    def normal(self, rows: np.ndarray, name: str) -> np.ndarray:
        """One standard normal number per row for ``name`` today (Box-Muller on two hashed uniforms)."""
        radius = np.sqrt(-2.0 * np.log1p(-self.uniform(rows, f"{name}:r")))
        return radius * np.cos(2.0 * np.pi * self.uniform(rows, f"{name}:a"))

    # ------------------------------------------------------------------ what competitors offer
    def launched(self, day: int) -> np.ndarray:
        """Brands in the market on ``day`` (ours always)."""
        return np.array([True, *(brand.launch_day <= day for brand in self.spec.brands)])

    def prices(self, day: int) -> np.ndarray:
        """Competitors' prices on ``day`` (currency per order; index 0 unused)."""
        out = np.zeros(len(self.names))
        for k, brand in enumerate(self.spec.brands, start=1):
            change = brand.levers.price_change
            out[k] = brand.price * (1.0 + change.change if change is not None and day >= change.from_day else 1.0)
        return out

    def stars(self, ours: float) -> np.ndarray:
        """Review score per brand (1..5 stars), ours given."""
        return np.array([ours, *(r.stars for r in self.reviews)], np.float32)

    def considered_matrix(self, rows: np.ndarray, day: int) -> np.ndarray:
        """Which competitors ``rows`` consider (shape (m, B); column 0 left False)."""
        bits = self.considered[rows]
        out = (bits[:, None] >> np.arange(len(self.names), dtype=np.uint8)[None, :]) & 1
        out = out.astype(bool) & self.launched(day)[None, :]
        out[:, 0] = False
        return out

    def offers(self, rows: np.ndarray, day: int, our_price, our_quality: float, our_stars: float,
               our_satisfaction: np.ndarray, programme_bonus: float, ours_considered: np.ndarray) -> Offers:
        """What each brand offers ``rows`` on ``day``; our brand's offer given."""
        m, b = rows.size, len(self.names)
        price = np.broadcast_to(self.prices(day), (m, b)).copy()
        price[:, 0] = our_price
        quality = self.quality.copy()
        quality[0] = our_quality
        satisfaction = np.zeros((m, b), np.float32)
        satisfaction[:, 0] = our_satisfaction
        last = self.last_brand[rows]
        rival = np.flatnonzero(last > 0)
        satisfaction[rival, last[rival]] = self.rival_satisfaction[rows[rival]]
        bonus = np.zeros((m, b), np.float32)
        bonus[:, 0] = np.where(self.members[rows], np.float32(programme_bonus), np.float32(0.0))
        for k, brand in enumerate(self.spec.brands, start=1):
            programme = brand.levers.loyalty_programme
            if programme is not None:
                member = (last == k) & (self.streak[rows] >= programme.min_orders)
                bonus[member, k] += np.float32(programme.bonus)
        considered = self.considered_matrix(rows, day)
        considered[:, 0] = ours_considered
        return Offers(price, quality, self.stars(our_stars), satisfaction, bonus, considered)

    def choose(self, rows: np.ndarray, offers: Offers, beta: np.ndarray) -> np.ndarray:
        """Brand each of ``rows`` buys at an occasion (index into the brands)."""
        v = utilities(offers, beta, self.last_brand[rows], self.streak[rows], self.spec.choice)
        return choose(v, self.uniform(rows, "choice"))

    # ------------------------------------------------------------------ the daily phase
    def media(self, day: int, persona: np.ndarray, our_spend: float) -> None:
        """Competitors' media of ``day``: impressions reach customers (weighted by persona affinity)
        who become aware and may consider the brand; spend is booked per brand."""
        s, entered = self.state, self.state.entered
        self.spend[day, 0] = our_spend
        launched = self.launched(day)
        for k, (brand, plan) in enumerate(zip(self.spec.brands, self._plans, strict=True), start=1):
            if not launched[k]:
                continue
            rng = self.day_rng(f"media:{brand.name}", day)  # one brand's plan never shifts another's draws
            bit = np.uint8(1 << k)
            for budget, candidates, weights in plan:
                self.spend[day, k] += budget
                rows = rng.integers(0, entered, rng.poisson(candidates))
                reached, adds = rng.random(rows.size), rng.random(rows.size)
                keep = reached < weights[persona[rows]]  # persona affinity thins the candidates
                if s.open:
                    keep &= s.present[rows]
                rows, adds = rows[keep], adds[keep]
                self.aware[rows] |= bit
                self.considered[rows[adds < self.spec.consideration.per_exposure]] |= bit

    def word_of_mouth(self, day: int) -> None:
        """Competitors' buyers talk to random listeners: a satisfied buyer's word may add the brand
        to the listener's set, a dissatisfied one's removes it."""
        s, rng, c = self.state, self.day_rng("talk", day), self.spec.consideration
        talkers = rng.integers(0, s.entered, rng.binomial(s.entered, c.talk_rate))
        listeners = rng.integers(0, s.entered, talkers.size)  # drawn for every candidate: coupled across runs
        heard = rng.random(talkers.size) < c.talk_consideration
        talking = (self.last_brand[talkers] > 0) & (s.present[talkers] if s.open else True)
        talkers, listeners, heard = talkers[talking], listeners[talking], heard[talking]
        if talkers.size == 0:
            return
        bits = np.left_shift(np.uint8(1), self.last_brand[talkers].astype(np.uint8))
        good = self.rival_satisfaction[talkers] >= 0
        add, drop = good & heard, ~good & heard
        np.bitwise_or.at(self.aware, listeners[add], bits[add])
        np.bitwise_or.at(self.considered, listeners[add], bits[add])
        np.bitwise_and.at(self.considered, listeners[drop], ~bits[drop])

    def forget(self, day: int) -> None:
        """Each considered competitor drops out of a customer's set at ``forget_rate`` a day (not the
        last brand they bought)."""
        s, rng, k = self.state, self.day_rng("forget", day), len(self.names) - 1
        rate = min(1.0, self.spec.consideration.forget_rate * (k + 1))
        rows = rng.integers(0, s.entered, rng.binomial(s.entered, rate))
        brand = rng.integers(0, k + 1, rows.size)  # our brand too (bit 0: a past buyer's memory of us)
        keep = self.last_brand[rows] == brand
        np.bitwise_and.at(self.considered, rows[~keep], ~np.left_shift(np.uint8(1), brand[~keep].astype(np.uint8)))

    def lapse(self, day: int) -> None:
        """Competitors' active buyers lapse as ours do: at their persona ``churn_propensity`` times the
        churn factor of their satisfaction with the brand; a lapser drops the brand from their set and
        loses their loyalty (drawn by thinning: few draws)."""
        s, rng = self.state, self.day_rng("lapse", day)
        top = float(s.traits["churn_propensity"].max()) * float(np.exp(2.0))
        if top <= 0:
            return
        rows = rng.integers(0, s.entered, rng.binomial(s.entered, min(top, 1.0)))
        u = rng.random(rows.size)
        active = (self.last_brand[rows] > 0) & (self.streak[rows] > 0)
        rows, u = rows[active], u[active]
        hazard = s.traits["churn_propensity"][rows] * churn_factor(self.rival_satisfaction[rows])
        rows = np.unique(rows[u < hazard / top])
        self.streak[rows] = 0
        self.considered[rows] &= ~np.left_shift(np.uint8(1), self.last_brand[rows].astype(np.uint8))

    def occasion_rows(self, day: int) -> np.ndarray:
        """People with a category occasion today outside our purchase path: not our active
        customers, considering a competitor; competitors' buyers at their repurchase rate (times
        the satisfaction factor), others at ``trial_rate``. Drawn by thinning over everyone (few
        draws; the same people and numbers in two runs of one seed, whoever qualifies)."""
        s, rng = self.state, self.day_rng("occasions", day)
        trial = float(self.spec.consideration.trial_rate)
        top = min(max(trial, 2.0 * float(s.traits["repurchase_rate"].max())), 1.0)
        rows = rng.integers(0, s.entered, rng.binomial(s.entered, top) if top > 0 else 0)
        u = rng.random(rows.size)
        eligible = (self.considered[rows] != 0) & ~POST_PURCHASE.holds(s.stage[rows])
        if s.open:
            eligible &= s.present[rows]
        rows, u = rows[eligible], u[eligible]
        rival = (self.last_brand[rows] > 0) & (self.streak[rows] > 0)
        rate = np.where(rival, s.traits["repurchase_rate"][rows] * satisfaction_factor(self.rival_satisfaction[rows]),
                        np.float32(trial))
        return np.unique(rows[u < rate / top])

    def ours_considered(self, rows: np.ndarray) -> np.ndarray:
        """Whether ``rows`` consider our brand at an occasion outside our path: evaluating it, an
        active customer, or a past buyer who still has us in their set (bit 0: set by buying from
        us, cleared when they lapse from us or forget us)."""
        stage = self.state.stage[rows]
        return EVALUATING.holds(stage) | POST_PURCHASE.holds(stage) | ((self.considered[rows] & 1) != 0)

    # ------------------------------------------------------------------ booking purchases
    def book(self, day: int, rows: np.ndarray, brand: np.ndarray, value: np.ndarray) -> None:
        """``rows`` bought ``brand`` (indices) for ``value`` (currency): orders, revenue, switching,
        loyalty streaks and the purchase panel."""
        if rows.size == 0:
            return
        b = len(self.names)
        brand = brand.astype(np.int8)
        previous = self.last_brand[rows]
        known = previous >= 0
        np.add.at(self.switches, (previous[known], brand[known]), 1)
        streak = self.streak[rows].astype(np.int32)
        self.streak[rows] = np.where(previous == brand, np.minimum(streak + 1, 255), 1).astype(np.uint8)
        self.last_brand[rows] = brand
        np.bitwise_or.at(self.considered, rows, np.left_shift(np.uint8(1), brand.astype(np.uint8)))
        if day >= self.spec.panel_start:
            np.bitwise_or.at(self.bought, rows, np.left_shift(np.uint8(1), brand.astype(np.uint8)))
        self.orders[day] += np.bincount(brand, minlength=b)
        self.revenue[day] += np.bincount(brand, weights=value, minlength=b)

    def buy_rivals(self, day: int, rows: np.ndarray, brand: np.ndarray) -> None:
        """``rows`` buy competitor ``brand`` (indices >= 1): price, satisfaction with the brand
        (quality against expectation, service failures), its reviews."""
        if rows.size == 0:
            return
        price = self.prices(day)[brand]
        same = self.last_brand[rows] == brand
        quality = self.quality[brand] + self.quality_noise * self.normal(rows, "quality")
        experience = perceived_satisfaction(quality, self.state.traits["quality_expectation"][rows])
        service = np.array([1.0, *(b.service_level for b in self.spec.brands)])[brand]
        failed = self.uniform(rows, "service") >= service
        experience = np.clip(experience - np.float32(SERVICE_FAILURE_PENALTY) * failed, -1.0, 1.0).astype(np.float32)
        old = self.rival_satisfaction[rows]
        self.rival_satisfaction[rows] = np.where(same, 0.5 * (old + experience), experience)
        self.book(day, rows, brand, price)
        for k, reviews in enumerate(self.reviews, start=1):
            mine = brand == k
            if mine.any():
                reviews.add(experience[mine])

    def lapsed(self, rows: np.ndarray) -> None:
        """Our customers ``rows`` lapsed: we leave their set, and each considers the competitors they
        know with probability ``lapse_to_rival``."""
        if rows.size:
            self.considered[rows] &= np.uint8(0xFE)
            turn = rows[self.uniform(rows, "lapsers") < self.spec.consideration.lapse_to_rival]
            self.considered[turn] |= self.aware[turn]
