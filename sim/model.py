"""JourneyModel: the daily step of the customer journey, as a list of phases over arrays."""

from __future__ import annotations

import mesa
import numpy as np

from journeysim.agents.customer import Customer
from journeysim.agents.personas import Population
from journeysim.sim import stages
from journeysim.sim.collectors import Collector
from journeysim.sim.config import RunSpec
from journeysim.sim.controls import LegacyLeverAttributes, MarketControls
from journeysim.sim.funnel import crossings, decay_and_drift
from journeysim.sim.journey_log import Event, JourneyLog
from journeysim.sim.network import Graph, WordOfMouth, build_graph, personal_groups
from journeysim.sim.purchase import Orders, checkout, purchase
from journeysim.sim.rates import Rates
from journeysim.sim.stages import ABANDON_STAGE, EVALUATING, RECEPTIVE, STAGE_NAMES, WIN_BACK_STAGE, Stage
from journeysim.sim.state import NO_TOUCH, CustomerState, entry_levels, funnel_widths
from journeysim.sim.streams import RandomStreams
from journeysim.sim.touchpoints import Touchpoints

EAGER_AGENT_LIMIT = 200_000
"""With ``outputs.mesa_agents: auto``, Mesa agents are created up front up to this size."""

REVIEW_MEMORY = 200.0
"""Number of recent reviews the public review score effectively averages."""


class JourneyModel(LegacyLeverAttributes, mesa.Model):
    """Synthetic customers moving through the journey, one step per day.

    State lives in :class:`~journeysim.sim.state.CustomerState` arrays; ``model.agents``
    holds one :class:`~journeysim.agents.customer.Customer` view per row.

    Parameters
    ----------
    spec : RunSpec
        The validated run configuration (see :func:`journeysim.sim.config.parse_config`).
    levers : list, optional
        Scenario levers; each may hook ``setup(model)`` and ``before_day(model, day)``.
    service : object, optional
        Service operations with ``place_orders`` and ``run_day`` (see ``sim/service.py``).
    graph : Graph, optional
        A word-of-mouth graph already built for the same seed, size and network (reused as
        is: building one draws only from the network stream, so the run is the same).
    """

    def __init__(self, spec: RunSpec, levers: list | None = None, service=None, graph: Graph | None = None) -> None:
        super().__init__(seed=spec.seed)
        self.spec = spec
        self.day = 0
        self.streams = RandomStreams(spec.seed)
        self.population = Population.from_spec(spec.population, spec.channel_names)
        self.state = self._create_state()
        self.rates = Rates(self.state, spec.market, spec.network)
        self.touchpoints = Touchpoints(spec.channels, self.population.affinity, self.state,
                                       self.streams, spec.population.scale)
        self.word_of_mouth = self._create_word_of_mouth(graph)
        self.journey_log = JourneyLog(self.state.size, spec.outputs.event_log_sample,
                                      self.streams["log"])
        self.journey_log.name_codes(spec.channel_names, STAGE_NAMES)
        self.touchpoints.logged_mask = self.journey_log.mask if self.journey_log.active else None
        self.collector = Collector(spec.days, len(spec.channels))
        self.collector.stage_counts[0] = self.state.stage_counts()
        self.touchpoints.current_counts = lambda: self.collector.stage_counts[self.day + 1]
        self.review_satisfaction = 0.0
        self.referred_by = np.full(self.state.size, -1, np.int64)
        self.service = service
        self.levers = list(levers or [])
        self.rates.row_listeners.append(self.touchpoints.refresh_rows)
        self.rates.refresh_all()
        self.controls = MarketControls(self)  # the lever API: budgets, price, friction, staffing...
        self._decays = bool((self.state.traits["interest_decay"] > 0).any())
        self._drifts = bool((self.state.traits["repurchase_rate"] > 0).any())
        self._retains = bool((self.state.traits["churn_propensity"] > 0).any()
                             or (self.state.traits["advocacy"] > 0).any())
        self._agents_made = False
        for lever in self.levers:
            lever.setup(self)
        mode = spec.outputs.mesa_agents
        if mode == "eager" or (mode == "auto" and self.state.size <= EAGER_AGENT_LIMIT):
            self._make_agents()

    # ------------------------------------------------------------------ construction
    def _create_state(self) -> CustomerState:
        rng = self.streams["population"]
        traits = self.population.sample_traits(rng)
        n = self.population.size
        widths = funnel_widths(self.spec.market.thresholds, traits["threshold_scale"], rng)
        return CustomerState(
            stage=np.zeros(n, np.int8),
            persona=self.population.persona_codes(),
            traits=traits,
            interest=np.zeros(n, np.float32),
            levels=entry_levels(widths),
            satisfaction=np.zeros(n, np.float32),
            survey_bias=(self.spec.market.survey_noise * rng.standard_normal(n)).astype(np.float32),
        )

    def _create_word_of_mouth(self, graph: Graph | None) -> WordOfMouth:
        spec, rng = self.spec.network, self.streams["network"]
        if graph is None:
            graph = build_graph(spec, self.state.size, self.state.persona, self.population.counts, rng)
        groups = personal_groups(self.state.size, spec.group_size, rng) if spec.type == "groups" else None
        self.graph = graph
        return WordOfMouth(spec, self.state, graph, self.streams["word_of_mouth"], groups)

    def _make_agents(self) -> None:
        """Create one Customer view per row (bulk, in row order)."""
        if not self._agents_made:
            self._agents_made = True
            self._customers = list(Customer.create_agents(self, self.state.size, np.arange(self.state.size)))

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """All Customer agents (created on first access when the population is large)."""
        self._make_agents()
        return super().agents

    def customer(self, row: int) -> Customer:
        """The Customer agent of ``row``."""
        self._make_agents()
        return self._customers[row]

    @property
    def n_channels(self) -> int:
        """Number of channels."""
        return len(self.spec.channels)

    # ------------------------------------------------------------------ the daily step
    def step(self) -> None:
        """One day: levers, media, word of mouth, funnel, checkout, retention, service.

        A model that has reached its last day does not step: the call is a no-op.
        """
        if self.day >= self.spec.days:
            self.running = False
            return
        day = self.day
        self.collector.stage_counts[day + 1] = self.collector.stage_counts[day]
        self.pull_levers(day)
        self.run_media(day)
        self.hold_conversations(day)
        self.advance_funnel(day)
        self.run_retention(day)
        self.run_service(day)
        self.record_day(day)
        self.day += 1
        self.collector.days_done = self.day
        self.running = self.day < self.spec.days

    def run(self, progress=None) -> JourneyModel:
        """Step to the end of the run; ``progress(day)`` is called after each day."""
        while self.day < self.spec.days:
            self.step()
            if progress is not None:
                progress(self.day)
        return self

    # ------------------------------------------------------------------ phases
    def pull_levers(self, day: int) -> None:
        """Let each scenario lever set today's budgets, discount, friction or staffing."""
        for lever in self.levers:
            lever.before_day(self, day)

    def run_media(self, day: int) -> None:
        """Spend today's budgets: exposures add interest to the people reached."""
        exposure = self.touchpoints.expose(day, self.controls.spending_budgets())
        c = self.collector
        c.impressions[day], c.spend[day], c.reach[day] = exposure.impressions, exposure.spend, exposure.reach
        for rows, channel in exposure.logged:
            self.journey_log.record(day, rows, Event.EXPOSURE, channel)

    def hold_conversations(self, day: int) -> None:
        """Talkers talk: positive word of mouth raises listeners' interest, negative lowers it."""
        talk = self.word_of_mouth.talk(day)
        if talk.listeners.size == 0:
            return
        listeners = talk.listeners
        receptive = RECEPTIVE.holds(self.state.stage[listeners])
        listeners, talkers, kick = listeners[receptive], talk.talkers[receptive], talk.kicks[receptive]
        kick = kick * self.state.traits["social_susceptibility"][listeners]
        evaluating = EVALUATING.holds(self.state.stage[listeners])
        kick = np.where(evaluating, kick * np.float32(self.touchpoints.review_multiplier), kick)
        np.add.at(self.state.interest, listeners, kick)
        negative = listeners[kick < 0]
        self.state.interest[negative] = np.maximum(self.state.interest[negative], 0.0)  # no debt of interest
        positive = kick > 0
        self.state.last_touch[listeners[positive]] = self.n_channels  # word of mouth
        self.referred_by[listeners[positive]] = talkers[positive]
        self.collector.add(day, "conversations_positive", int(positive.sum()))
        self.collector.add(day, "conversations_negative", int((kick < 0).sum()))
        self.journey_log.record(day, listeners, Event.WORD_OF_MOUTH, np.sign(kick).astype(np.int16))

    def advance_funnel(self, day: int) -> None:
        """Decay and drift interest, then move everyone who crossed a level."""
        decay_and_drift(self.state, self._decays, self._drifts)
        moves = crossings(self.state, self.rates.price_factor, self.spec.market.fallback)
        self.move(day, moves.rows, moves.stages)
        self.win_back(day, moves.winback)
        self.check_out(day, moves.checkout)
        self.buy(day, moves.repurchase)

    def win_back(self, day: int, rows: np.ndarray) -> None:
        """Lapsed customers whose interest crossed the win-back level consider the brand again."""
        if rows.size == 0:
            return
        s = self.state
        self._redraw_purchase_step(rows)
        s.interest[rows] = s.entry_level(WIN_BACK_STAGE)[rows]
        self.collector.add(day, "winbacks", rows.size)
        self.move(day, rows, np.full(rows.size, WIN_BACK_STAGE, np.int8))

    def check_out(self, day: int, rows: np.ndarray) -> None:
        """Checkout attempts: abandoners go back to considering, the rest buy."""
        if rows.size == 0:
            return
        result = checkout(rows, self.controls.friction_of(rows), self.streams["decisions"])
        self.collector.add(day, "checkout_attempts", rows.size)
        self.collector.add(day, "abandoned", result.abandoners.size)
        if result.abandoners.size:
            s = self.state
            s.last_abandon[result.abandoners] = day
            self._redraw_purchase_step(result.abandoners)
            s.interest[result.abandoners] = s.entry_level(ABANDON_STAGE)[result.abandoners]
            self.journey_log.record(day, result.abandoners, Event.ABANDON)
            self.move(day, result.abandoners, np.full(result.abandoners.size, ABANDON_STAGE, np.int8))
        self.buy(day, result.buyers)

    def buy(self, day: int, rows: np.ndarray) -> None:
        """Orders from first-time buyers and repeat customers."""
        if rows.size == 0:
            return
        s = self.state
        orders = purchase(s, rows, self.spec.market, self.controls.offered_price(rows), day,
                          self.streams["decisions"])
        self._redraw_repurchase_level(rows)
        self._book_orders(day, orders)
        stage = s.stage[rows]
        arriving = rows[stages.PROSPECTS.holds(stage)]
        s.clock[arriving] = 0.0
        s.clock_threshold[arriving] = self.streams["retention"].standard_exponential(arriving.size)
        new_stage = stages.after_purchase(stage, s.purchases[rows], s.satisfaction[rows],
                                          self.spec.market.loyal_after)
        self.move(day, rows, new_stage)  # refreshes the rates of those who changed stage
        self.rates.refresh(rows[new_stage == stage])  # satisfaction changed for the others too
        self._update_reviews(orders.satisfaction)

    def _book_orders(self, day: int, orders: Orders) -> None:
        s, c = self.state, self.collector
        first = orders.rows[orders.first]
        c.add(day, "orders", orders.rows.size)
        c.add(day, "acquisitions", first.size)
        c.add(day, "repurchases", orders.rows.size - first.size)
        revenue = float(orders.price.sum())
        c.add(day, "revenue", revenue)
        c.add(day, "margin", revenue - orders.rows.size * self.spec.market.unit_cost)
        source = s.last_touch[first].astype(np.int64)
        source[source == NO_TOUCH] = self.n_channels + 1  # direct / broadcast only
        c.acquisitions_by_source[day] += np.bincount(source, minlength=self.n_channels + 2)
        referred = first[(s.last_touch[first] == self.n_channels) & (self.referred_by[first] >= 0)]
        c.add(day, "referrals", referred.size)
        c.add(day, "programme_cost", referred.size * self.controls.referral_reward)
        self.rates.respondents += first.size
        self.journey_log.record(day, orders.rows, Event.PURCHASE, orders.first.astype(np.int16))
        if self.service is not None:
            self.service.place_orders(day, orders.rows, orders.shortfall, orders.satisfaction)

    def run_retention(self, day: int) -> None:
        """Post-purchase clocks: loyal customers may become advocates; anyone may lapse."""
        s = self.state
        if not self._retains:
            return
        np.add(s.clock, s.hazard, out=s.clock)
        rang = np.flatnonzero(s.clock >= s.clock_threshold)
        if rang.size == 0:
            return
        rng = self.streams["retention"]
        advocate = rng.random(rang.size) < self.rates.exit_shares(rang)
        advocates, lapsers = rang[advocate], rang[~advocate]
        s.clock[rang] = 0.0
        s.clock_threshold[advocates] = rng.standard_exponential(advocates.size)
        s.clock_threshold[lapsers] = np.inf
        s.interest[lapsers] = 0.0
        s.winback_level[lapsers] = (self.spec.market.winback * s.traits["threshold_scale"][lapsers]
                                * rng.standard_exponential(lapsers.size))
        self.collector.add(day, "churned", lapsers.size)
        self.move(day, advocates, stages.after_clock(np.ones(advocates.size, bool)))
        self.move(day, lapsers, stages.after_clock(np.zeros(lapsers.size, bool)))

    def run_service(self, day: int) -> None:
        """Advance the service operations to the end of the day; apply their penalties."""
        if self.service is None:
            return
        result = self.service.run_day(day)
        s, c = self.state, self.collector
        if result.customers.size:
            np.add.at(s.satisfaction, result.customers, result.satisfaction_delta)
            np.clip(s.satisfaction, -1.0, 1.0, out=s.satisfaction)
            self.rates.refresh(np.unique(result.customers))
        if result.returned.size:
            refund = self.controls.refund(result.returned)
            c.add(day, "returns", result.returned.size)
            c.add(day, "refunds", refund)
            c.add(day, "revenue", -refund)
            c.add(day, "margin", -refund)
            self.journey_log.record(day, result.returned, Event.RETURN)
        for name in ("tickets_opened", "mean_wait_days", "p95_wait_days", "utilisation",
                     "backlog_orders", "queue_tickets", "deliveries", "mean_delivery_days"):
            key = "tickets" if name == "tickets_opened" else name
            c.daily[key][day] = getattr(result, name)

    def record_day(self, day: int) -> None:
        """Daily KPIs that are levels rather than counts."""
        c = self.collector
        c.daily["nps"][day] = self.rates.nps()
        c.daily["review_score"][day] = 3.0 + 2.0 * self.review_satisfaction

    # ------------------------------------------------------------------ helpers
    def move(self, day: int, rows: np.ndarray, new_stages: np.ndarray) -> None:
        """Set new stages, counting flows, logging and refreshing rates of the movers."""
        change = stages.move(self.state, rows, new_stages)
        if change.rows.size == 0:
            return
        self.collector.count_flows(day, change.old, change.new)
        self.journey_log.record(day, change.rows, Event.STAGE_CHANGE, change.new)
        self.rates.refresh(change.rows)

    def _redraw_purchase_step(self, rows: np.ndarray) -> None:
        """New purchase step above the deciding level (after abandonment or win-back)."""
        s = self.state
        width = (self.spec.market.thresholds["purchase"] * s.traits["threshold_scale"][rows]
                 * self.streams["decisions"].standard_exponential(rows.size))
        s.buy_level[rows] = s.entry_level(Stage.DECIDING)[rows] + width

    def _redraw_repurchase_level(self, rows: np.ndarray) -> None:
        """Interest a customer needs for the next order (intent restarts from zero)."""
        s = self.state
        s.repurchase_level[rows] = (self.spec.market.thresholds["purchase"] or 1.0) * \
            self.streams["decisions"].standard_exponential(rows.size)

    def _update_reviews(self, satisfaction: np.ndarray) -> None:
        """Public review score: running mean of recent buyers' satisfaction."""
        weight = min(1.0, satisfaction.size / REVIEW_MEMORY)
        self.review_satisfaction += weight * (float(satisfaction.mean()) - self.review_satisfaction)
        self.touchpoints.review_multiplier = max(
            0.0, 1.0 + self.spec.market.review_weight * self.review_satisfaction)
