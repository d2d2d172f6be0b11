"""JourneyModel: the daily step of the customer journey, as a list of phases over arrays."""

from __future__ import annotations

import mesa
import numpy as np

from journeysim.agents.personas import Population
from journeysim.sim import funnel, purchase, retention, satisfaction, stages, word_of_mouth
from journeysim.sim.agent_views import AgentViews
from journeysim.sim.baskets import Baskets
from journeysim.sim.collectors import Collector
from journeysim.sim.committee import CommitteePhases
from journeysim.sim.competition_phase import CompetitionPhases
from journeysim.sim.config import RunSpec
from journeysim.sim.controls import LegacyLeverAttributes, MarketControls
from journeysim.sim.demand import Demand
from journeysim.sim.devices import Devices
from journeysim.sim.journey_log import Event, JourneyLog
from journeysim.sim.lifetime import CustomerValue
from journeysim.sim.network import Graph, build_graph, personal_groups
from journeysim.sim.places import Places
from journeysim.sim.rates import Rates
from journeysim.sim.satisfaction import Reviews
from journeysim.sim.schema.devices import DEVICES
from journeysim.sim.stage_stays import StageStays
from journeysim.sim.stages import ABANDON_STAGE, STAGE_NAMES
from journeysim.sim.state import CustomerState, entry_levels, funnel_widths, row_numbers
from journeysim.sim.streams import RandomStreams
from journeysim.sim.touchpoints import Touchpoints
from journeysim.sim.turnover import Turnover, rows_needed
from journeysim.sim.word_of_mouth import WordOfMouth

EAGER_AGENT_LIMIT = 200_000
"""With ``outputs.mesa_agents: auto``, Mesa agents are created up front up to this size."""


class JourneyModel(LegacyLeverAttributes, CompetitionPhases, CommitteePhases, AgentViews, mesa.Model):
    """Synthetic customers moving through the journey, one step per day.

    State lives in :class:`~journeysim.sim.state.CustomerState` arrays; ``model.agents``
    holds one :class:`~journeysim.agents.customer.Customer` view per row.

    Parameters
    ----------
    spec : RunSpec
        The validated run configuration (see :func:`journeysim.scenarios.spec.parse_config`).
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
        self.turnover = Turnover(spec.market.demand, spec.population.size, self.state, self.streams)
        self.demand = Demand(spec.market.demand, spec.days, np.array([p.need_recognition for p in
                             spec.population.personas]), self.state, self.streams)
        sample = spec.outputs.event_log_sample  # at least population.size: everyone, entrants included
        self.journey_log = JourneyLog(self.state.size, sample if sample < spec.population.size else self.state.size,
                                      self.streams["log"])
        self.journey_log.name_codes(spec.channel_names, STAGE_NAMES)
        self.touchpoints.logged_mask = self.journey_log.mask if self.journey_log.active else None
        self.collector = Collector(spec.days, len(spec.channels))
        self.collector.stage_counts[0] = self.state.stage_counts()
        people = (spec.population.personas, self.state.persona, self.streams)
        friction = spec.market.checkout_friction  # devices and places keep the configured mean success
        self.devices = Devices(spec.market.devices, *people, self.collector, friction)
        self.places = Places(spec.market.places, *people, self.devices, self.collector, friction)  # web, app, store
        self.stays = StageStays(self.state, len(spec.population.personas), len(spec.channels), spec.days)
        self.stays.grouped_by(self.devices.primary, len(DEVICES))
        self.touchpoints.stays = self.stays
        self.reviews = Reviews(spec.market.review_weight)
        self.referred_by = np.full(self.state.size, -1, row_numbers(self.state.size))
        self.baskets = Baskets(spec.market.baskets, np.array([p.basket_size for p in spec.population.personas]),
                               self.state.persona)
        self.lifetime = CustomerValue(self.state.size, spec.channel_names, spec.days)
        self.competition = self._create_competition()  # None with competition=none
        self.accounts = self._create_accounts()  # B2B accounts (sim/accounts.py); None without committees
        self.service = service
        self.levers = list(levers or [])
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
        """The initial population, then (open population) the rows of people yet to enter,
        drawn from a stream of their own so the initial population never depends on them."""
        n = self.population.size
        rows = rows_needed(n, self.spec.market.demand, self.spec.days)
        parts = [self._draw_people(self.population.persona_codes(), self.streams["population"])]
        if rows > n:
            shares = np.array([p.share for p in self.spec.population.personas])
            rng = self.streams.generator("entrants")
            parts.append(self._draw_people(self.population.entrant_codes(rows - n, shares, rng), rng))
        people = {key: np.concatenate([part[key] for part in parts], axis=-1) for key in parts[0] if key != "traits"}
        traits = {t: np.concatenate([part["traits"][t] for part in parts]) for t in parts[0]["traits"]}
        state = CustomerState(stage=np.zeros(rows, np.int8), traits=traits, interest=np.zeros(rows, np.float32),
                              satisfaction=np.zeros(rows, np.float32), days=self.spec.days, **people)
        if rows > n or self.spec.market.demand.exit_rate > 0:
            state.reserve(n)
        return state

    def _draw_people(self, codes: np.ndarray, rng: np.random.Generator) -> dict:
        """Traits, funnel levels and survey bias of people of personas ``codes``."""
        traits = self.population.sample_traits(rng, codes)
        widths = funnel_widths(self.spec.market.thresholds, traits["threshold_scale"], rng)
        bias = (self.spec.market.survey_noise * rng.standard_normal(codes.size)).astype(np.float32)
        return {"persona": codes, "traits": traits, "levels": entry_levels(widths), "survey_bias": bias}

    def _create_word_of_mouth(self, graph: Graph | None) -> WordOfMouth:
        spec, rng = self.spec.network, self.streams["network"]
        if graph is None:
            graph = build_graph(spec, self.state.size, self.state.persona, self.population.counts, rng,
                                people=self.population.size)
        groups = None
        if spec.type == "groups":
            groups = personal_groups(self.state.size, spec.group_size, rng, people=self.population.size)
        self.graph = graph
        return WordOfMouth(spec, self.state, graph, self.streams, groups)

    @property
    def n_channels(self) -> int:
        """Number of channels."""
        return len(self.spec.channels)

    # ------------------------------------------------------------------ the daily step
    def step(self) -> None:
        """One day: levers, media, word of mouth, funnel, purchase, retention, service.

        Each phase is a function over the customer arrays in its own module; the methods
        below pass it what it needs, apply the stage moves it returns (:mod:`~journeysim.sim.stages`)
        and book what happened. A model that has reached its last day does not step.
        """
        if self.day >= self.spec.days:
            self.running = False
            return
        day = self.day
        self.collector.stage_counts[day + 1] = self.collector.stage_counts[day]
        self.pull_levers(day)
        self.run_population(day)
        self.run_media(day)
        self.run_demand(day)
        self.hold_conversations(day)
        self.run_competitors(day)
        ready = self.advance_funnel(day)
        self.run_purchases(day, ready)
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

    def run_population(self, day: int) -> None:
        """Open population (:mod:`~journeysim.sim.turnover`): some people leave the market,
        new prospects enter it (unaware)."""
        entrants, leavers = self.turnover.day(day)
        self.collector.count_turnover(day, entrants.size, self.state.stage[leavers])
        self.stays.arrived(day)  # entrants' first stays begin today
        self.accounts_turnover(entrants, leavers)
        if leavers.size:
            self.stays.left(day, leavers)
            self.touchpoints.refresh_rows(leavers)
            self._remove_agents(leavers)
        if entrants.size:
            self.refresh(entrants)
            self._add_agents(entrants)

    def run_media(self, day: int) -> None:
        """Media (:mod:`~journeysim.sim.touchpoints`): today's budgets buy exposures that add interest."""
        exposure = self.touchpoints.expose(day, self.controls.spending_budgets(), self.collector.stage_counts[day + 1],
                                           self.reviews)
        c = self.collector
        c.impressions[day], c.spend[day], c.reach[day] = exposure.impressions, exposure.spend, exposure.reach
        c.attended_spend[day] = exposure.attended_spend
        for rows, channel in exposure.logged:
            self.journey_log.record(day, rows, Event.EXPOSURE, channel)
        for rows, channel in exposure.reached:  # each channel's reach is a session on some device (sim/devices.py)
            self.devices.visit(day, rows, f"session:{channel}")

    def run_demand(self, day: int) -> None:
        """Organic demand (:mod:`~journeysim.sim.demand`): prospects discover the category
        without paid media, at their persona's rate times the season's index."""
        rows, _ = self.demand.discover(day)
        self.collector.daily["organic_discoveries"][day] = rows.size
        self.collector.daily["season"][day] = self.demand.season_of(day)

    def hold_conversations(self, day: int) -> None:
        """Word of mouth (:mod:`~journeysim.sim.word_of_mouth`): positive conversations raise
        receptive listeners' interest, negative ones lower it."""
        talk = self.word_of_mouth.talk(day)
        if talk.listeners.size == 0:
            return
        heard = word_of_mouth.listen(self.state, talk, self.reviews, self.referred_by, self.n_channels)
        self.collector.add(day, "conversations_positive", int((heard.kicks > 0).sum()))
        self.collector.add(day, "conversations_negative", int((heard.kicks < 0).sum()))
        self.journey_log.record(day, heard.listeners, Event.WORD_OF_MOUTH, np.sign(heard.kicks).astype(np.int16))
        self.stays.pain("negative_word_of_mouth", heard.listeners[heard.kicks < 0])

    def advance_funnel(self, day: int) -> funnel.FunnelMoves:
        """Funnel (:mod:`~journeysim.sim.funnel`): decay and drift interest, move everyone who
        crossed a level, win back lapsed customers. Returns who goes to checkout or reorders."""
        s, market = self.state, self.spec.market
        moves = funnel.decay_and_cross(s, self._decays, self._drifts, self.demand.season_of(day),
                                       self.rates.price_factor, market.fallback)
        self.collector.add(day, "carts", purchase.carts_created(s.stage, moves))
        self.move(day, moves.rows, moves.stages)
        if moves.winback.size:
            back = funnel.win_back(s, moves.winback, market, self.streams.day(day))
            self.collector.add(day, "winbacks", moves.winback.size)
            self.move(day, moves.winback, back)
        return moves

    def run_purchases(self, day: int, ready: funnel.FunnelMoves) -> None:
        """Purchase (:mod:`~journeysim.sim.purchase`): every order attempt passes checkout, where
        ``market.checkout_friction`` abandons some carts (prospects go back to considering; repeat
        customers' intent restarts); the others become orders."""
        attempts = self.decide_accounts(day, ready.checkout)  # B2B: accounts whose buying rule is met
        self.buy(day, self.check_out(day, self.choose_brands(day, attempts, repeat=False), repeat=False))
        self.buy(day, self.check_out(day, self.choose_brands(day, ready.repurchase, repeat=True), repeat=True))

    def check_out(self, day: int, rows: np.ndarray, repeat: bool) -> np.ndarray:
        """Checkout attempts of ``rows``: book and send back the abandoners; return the buyers."""
        if rows.size == 0:
            return rows
        friction = self.places.checkout(day, rows, self.controls.friction_of(rows))  # by place and device
        result = purchase.checkout(rows, friction, self.streams.day(day))
        self.collector.add(day, "checkout_attempts", rows.size)
        self.collector.add(day, "abandoned", result.abandoners.size)
        gone = result.abandoners
        if gone.size:
            self.stays.pain("abandoned_carts", gone)
            self.journey_log.record(day, gone, Event.ABANDON)
            if repeat:
                purchase.restart_intent(self.state, gone, self.spec.market, self.streams.day(day))
                self.refresh(gone)
            else:
                self.state.last_abandon[gone] = day  # prospects' abandoned carts (retargeting audiences)
                back = funnel.re_enter(self.state, gone, ABANDON_STAGE, self.spec.market, self.streams.day(day))
                self.move(day, gone, back)
        return result.buyers

    def buy(self, day: int, rows: np.ndarray) -> None:
        """Orders of ``rows``: price, satisfaction, the next order's level, the new stage."""
        if rows.size == 0:
            return
        s, market, draws = self.state, self.spec.market, self.streams.day(day)
        offered = self.controls.offered_price(rows)
        basket = self.baskets.sizes(rows, s.satisfaction[rows], s.purchases[rows], draws)
        basket = basket * self.places.basket_of(rows)
        orders = purchase.purchase(s, rows, market, offered, day, draws, basket, self.controls.quality)
        satisfied = satisfaction.after_order(s, rows, orders.first, orders.quality)
        self.rates.pricing.observe(rows, offered)  # reference prices drift towards prices paid
        self.baskets.remember(rows, orders.price)
        first = rows[orders.first]
        self.lifetime.acquire(s, first, day, self.referred_by[first] >= 0, self.controls.referral_reward > 0)
        self.lifetime.add(day, rows, orders.price, market.unit_cost * basket)
        self.book_our_orders(day, rows, orders.price)
        purchase.redraw_repurchase_level(s, rows, market, draws)
        self.places.ordered(day, rows)
        self.accounts_ordered(day, rows, orders.price)
        purchase.book_orders(self.collector, day, orders, s, market.unit_cost, self.referred_by,
                             self.controls.referral_reward)
        self.rates.respondents += int(orders.first.sum())
        self.journey_log.record(day, rows, Event.PURCHASE, orders.first.astype(np.int16))
        if self.service is not None:
            self.service.place_orders(day, rows, orders.shortfall, satisfied, occasion=s.purchases[rows])
        stage = s.stage[rows]
        retention.start_clocks(s, rows[stages.PROSPECTS.holds(stage)], draws)
        new_stage = stages.after_purchase(stage, s.purchases[rows], s.satisfaction[rows], market.loyal_after)
        self.move(day, rows, new_stage)  # refreshes the rates of those who changed stage
        self.refresh(rows[new_stage == stage])  # satisfaction changed for the others too
        self.reviews.add(satisfied)

    def run_retention(self, day: int) -> None:
        """Retention (:mod:`~journeysim.sim.retention`): post-purchase clocks; loyal customers
        may become advocates; anyone may lapse."""
        if not self._retains:
            return
        exits = retention.ring_clocks(self.state, self.spec.market, self.streams.day(day))
        if exits.advocates.size + exits.lapsers.size == 0:
            return
        self.collector.add(day, "churned", exits.lapsers.size)
        self.accounts_lapse(day, exits.lapsers)
        if self.competition is not None:
            self.competition.lapsed(exits.lapsers)
        self.move(day, exits.advocates, stages.after_clock(np.ones(exits.advocates.size, bool)))
        self.move(day, exits.lapsers, stages.after_clock(np.zeros(exits.lapsers.size, bool)))

    def run_service(self, day: int) -> None:
        """Service (:mod:`~journeysim.sim.service`): advance the operations to the end of the day;
        their penalties lower satisfaction (:mod:`~journeysim.sim.satisfaction`); returns are refunded."""
        if self.service is None:
            return
        result = self.service.run_day(day)
        self.stays.pain("late_deliveries", result.late_deliveries)  # at the stage before today's penalties
        self.stays.pain("long_support_waits", result.long_waits)
        if result.customers.size:
            satisfaction.apply_penalties(self.state, result.customers, result.satisfaction_delta)
            self.refresh(np.unique(result.customers))
        if result.returned.size:
            refunds = self.baskets.last_value[result.returned]  # each return refunds its basket
            purchase.book_returns(self.collector, day, result.returned.size, float(refunds.sum()))
            self.lifetime.refund(day, result.returned, refunds)
            self.journey_log.record(day, result.returned, Event.RETURN)
            self.stays.pain("returns", result.returned)
            self.buy(day, self.places.exchanges(day, np.unique(result.returned)))  # store returns lever
        daily = self.collector.daily
        for name in ("tickets_opened", "mean_wait_days", "p95_wait_days", "utilisation",
                     "backlog_orders", "queue_tickets", "deliveries", "mean_delivery_days", "support_cost"):
            daily["tickets" if name == "tickets_opened" else name][day] = getattr(result, name)

    def record_day(self, day: int) -> None:
        """Daily KPIs that are levels rather than counts."""
        c = self.collector
        c.daily["nps"][day] = self.rates.nps()
        c.daily["review_score"][day] = self.reviews.stars
        c.daily["list_price"][day] = self.controls.list_price
        c.daily["discount"][day] = self.controls.discount

    # ------------------------------------------------------------------ applying a phase's result
    def move(self, day: int, rows: np.ndarray, new_stages: np.ndarray) -> None:
        """Apply stage moves (:func:`journeysim.sim.stages.move`), then count the flows, log the
        changes and refresh the derived rates of the movers."""
        change = stages.move(self.state, rows, new_stages)
        if change.rows.size == 0:
            return
        self.collector.count_flows(day, change.old, change.new)
        self.stays.moved(day, change.rows, change.old, change.new)
        self.journey_log.record(day, change.rows, Event.STAGE_CHANGE, change.new)
        self.refresh(change.rows)
        self.accounts_moved(day, change.rows, change.new)

    def refresh(self, rows: np.ndarray) -> None:
        """Recompute what derives from the stage and satisfaction of ``rows``: their rates
        (:class:`~journeysim.sim.rates.Rates`) and their broadcast media weights."""
        self.rates.refresh(rows)
        self.touchpoints.refresh_rows(rows)

    @property
    def review_satisfaction(self) -> float:
        """Running mean of recent buyers' satisfaction behind the public review score."""
        return self.reviews.satisfaction
