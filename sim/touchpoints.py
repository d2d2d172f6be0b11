"""The media phase (touchpoints): budgets buy impressions, sampled sparsely; exposures add interest.

A day's spend buys ``spend / cpm * 1000`` exposures, of which the channel's spend response
(:mod:`journeysim.sim.adresponse`: a Hill curve of adstocked spend) sets the share attended;
each attended exposure has the channel's configured effect. Impression channels deliver the
attended exposures to customers of their audience (everyone, or customers in
``target_stages``), weighted by persona affinity. Only
the exposed rows are touched: their frequency stock (adstock) is decayed lazily from the
day it was last updated. Broadcast channels (TV, PR) give everyone a daily dose from the
adstocked attended impressions per capita. The response to frequency saturates by a named shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from journeysim.sim import kernels, media_kernels
from journeysim.sim.adresponse import make_response
from journeysim.sim.budget_split import BudgetSplit
from journeysim.sim.config import ChannelSpec
from journeysim.sim.satisfaction import Reviews
from journeysim.sim.saturation import make_saturation
from journeysim.sim.stages import EVALUATING, Stage
from journeysim.sim.state import DAY, CustomerState
from journeysim.sim.streams import CounterStream, RandomStreams

# ---------------------------------------------------------------------- exposures
_NO_ROWS = np.empty(0, np.int64)
_NO_PRESENCE = np.empty(0, bool)


@dataclass
class DayExposure:
    """What the channels did today (per channel arrays, in channel order)."""

    impressions: np.ndarray
    spend: np.ndarray
    attended_spend: np.ndarray  # currency: the part of ``spend`` that bought attended exposures
    reach: np.ndarray
    logged: list[tuple[np.ndarray, int]]
    reached: list[tuple[np.ndarray, int]] = field(default_factory=list)  # distinct rows reached and the channel


def impression_count(spend: float, cpm: float, unspent: float) -> tuple[int, float]:
    """Whole impressions bought by ``spend`` at ``cpm`` plus the budget left unspent so far.

    Returns the count and the new unspent amount (currency, less than one impression's
    cost): spend to date never exceeds the budget to date, and nothing is lost to rounding.
    """
    available = spend + unspent
    whole = math.floor(available / cpm * 1000.0 + 1e-9)
    return whole, max(available - whole * cpm / 1000.0, 0.0)


class Channel:
    """Runtime state of one touchpoint over a run.

    Parameters
    ----------
    spec : ChannelSpec
        Its configuration.
    index : int
        Its position in the model's channel arrays.
    affinity : ndarray
        Affinity of each persona for this channel.
    n : int
        Number of customers.
    """

    def __init__(self, spec: ChannelSpec, index: int, affinity: np.ndarray, n: int) -> None:
        self.spec, self.index, self.n = spec, index, n
        self.saturation = make_saturation(spec.saturation)
        self.response = make_response(spec.response)  # attended share of bought exposures from adstocked spend
        self.effect = spec.effect.astype(np.float32)
        self.affinity_power = 1.0
        self.set_affinity(affinity)
        self.target_mask = None
        if spec.target_stages is not None:
            self.target_mask = np.zeros(len(Stage), bool)
            self.target_mask[list(spec.target_stages)] = True
        self.adstock = 0.0  # broadcast: adstocked impressions per capita
        self.unspent = 0.0  # budget carried over that did not buy a whole impression (currency)
        self.unattended = 0.0  # share of an attended exposure carried over from rounding (0..1)
        self.dose_weight: np.ndarray | None = None  # broadcast: per-customer weight of the dose
        self.stock: np.ndarray | None = None  # impressions: per-customer frequency stock
        self.stock_day: np.ndarray | None = None  # day of each row's last exposure (DAY)
        self._decay = np.empty(0, np.float32)  # carry-over by age in days (see decay)
        self.audience_rule = None  # optional callable(day) -> rows replacing the stage audience (levers)

    def attended(self, bought: int) -> tuple[int, float]:
        """Exposures attended among today's ``bought`` ones: the response's attended share
        (:mod:`journeysim.sim.adresponse`), whole, and the fraction to carry to the next day (the
        caller keeps it only when the exposures reached someone, as it keeps the unspent budget)."""
        wanted = bought * self.response.attended_share() + self.unattended
        whole = min(math.floor(wanted + 1e-9), bought)
        return whole, max(wanted - whole, 0.0)

    def set_affinity(self, affinity: np.ndarray) -> None:
        """Reach weights per persona (affinity ** power, relative to the largest)."""
        self.affinity = np.asarray(affinity, dtype=np.float64)
        weights = self.affinity**self.affinity_power
        self.weights = weights / weights.max() if weights.max() > 0 else weights

    def decayed_stock(self, rows: np.ndarray, day: int) -> np.ndarray:
        """Frequency stock of ``rows`` today (geometric carry-over since last update)."""
        if self.stock is None:
            self.stock = np.zeros(self.n, np.float32)
            self.stock_day = np.zeros(self.n, DAY)
        age = day - self.stock_day[rows]
        return self.stock[rows] * self.decay(day)[age]

    def decay(self, days: int) -> np.ndarray:
        """Carry-over after 0 .. ``days`` days (float32, ``carryover ** age`` as numpy computes it)."""
        if self._decay.size <= days:
            ages = np.arange(max(days + 1, 2 * self._decay.size, 64), dtype=np.float32)
            self._decay = np.float32(self.spec.carryover) ** ages
        return self._decay

    def restock(self, rows: np.ndarray, counts: np.ndarray, day: int) -> np.ndarray:
        """Stock of ``rows`` before today's ``counts`` exposures (:meth:`decayed_stock`); the stock
        becomes that plus ``counts``."""
        self.decayed_stock(rows[:0], day)  # allocates the stock on first use
        return media_kernels.restock(self.stock, self.stock_day, rows, counts, self.decay(day), day)


class Touchpoints:
    """All channels of a run; ``expose`` applies one day of media.

    Parameters
    ----------
    specs : tuple of ChannelSpec
        Channel configs, in order.
    affinity : ndarray, shape (personas, channels)
        Persona affinity matrix.
    state : CustomerState
        Customer arrays (interest is raised, ``last_touch`` set).
    streams : RandomStreams
        One counter stream per channel and day (:meth:`RandomStreams.channel_day`).
    scale : float
        Population size over the budget reference size.
    """

    SAMPLE_CHUNK = 16_384
    """Candidate recipients drawn at a time (their uniform numbers take 256 KiB: they stay in the cache)."""

    THIN_SHARE = 0.05
    """Audiences of at least this share of customers are sampled by thinning, not listed."""

    def __init__(self, specs: tuple[ChannelSpec, ...], affinity: np.ndarray, state: CustomerState,
                 streams: RandomStreams, scale: float) -> None:
        self.state, self.streams, self.scale = state, streams, scale
        self.channels = [Channel(s, k, affinity[:, k], state.size) for k, s in enumerate(specs)]
        self.names = tuple(s.name for s in specs)
        self._code_buffer = np.empty(state.size, media_kernels.code_type(affinity.shape[0]))  # see _codes
        self.logged_mask: np.ndarray | None = None
        self.stays = None  # a StageStays that counts exposures by persona and stage, if set
        self._audiences: dict[bytes, np.ndarray] = {}
        self._counts: np.ndarray | None = None  # today's customers per stage (set by expose)
        self._reviews = Reviews(0.0)  # today's review score (set by expose)
        self._media_response = state.traits["innovativeness"]
        self.kick_modifier = None  # optional callable(channel, rows, day) -> kick multiplier (levers)
        self.budget_split: BudgetSplit | None = None  # a budget-split experiment's two markets, if set
        self._packed: np.ndarray | None = None  # today's packed row codes, once packed (see _codes)

    @property
    def planned_budgets(self) -> np.ndarray:
        """Configured daily budget of each channel (currency per day, at reference size)."""
        return np.array([c.spec.daily_budget for c in self.channels])

    def expose(self, day: int, budgets: np.ndarray, stage_counts: np.ndarray, reviews: Reviews) -> DayExposure:
        """Spend today's ``budgets`` (per channel, at reference size) and apply the exposures.

        Parameters
        ----------
        day : int
            Today.
        budgets : ndarray
            Daily budget per channel, currency at the reference size.
        stage_counts : ndarray
            Customers per stage now (sizes targeted audiences without a pass over everyone).
        reviews : Reviews
            The public review score; its factor scales the effect on evaluating prospects.
        """
        self._audiences.clear()
        self._packed = None
        self._counts, self._reviews = stage_counts, reviews
        k = len(self.channels)
        out = DayExposure(np.zeros(k, np.int64), np.zeros(k), np.zeros(k), np.zeros(k, np.int64), [])
        for channel in self.channels:
            channel.response.update(budgets[channel.index])  # adstock decays on days without spend
            budget = float(budgets[channel.index]) * self.scale
            if budget <= 0:
                continue
            n, unspent = impression_count(budget, channel.spec.cpm, channel.unspent)
            attended, unattended = channel.attended(n)
            if channel.spec.kind == "broadcast":
                reached = self._broadcast(channel, n, attended)
            else:
                reached = self._impressions(channel, day, n, attended, out)
            if reached:  # an empty audience spends nothing, and nothing is carried
                channel.unspent, channel.unattended = unspent, unattended
            out.impressions[channel.index] = n if reached else 0
            out.spend[channel.index] = n * channel.spec.cpm / 1000.0 if reached else 0.0
            out.attended_spend[channel.index] = attended * channel.spec.cpm / 1000.0 if reached else 0.0
            out.reach[channel.index] = reached
        return out

    def _audience(self, channel: Channel) -> np.ndarray | None:
        """Rows the channel can reach today, or None when it is drawn from everyone (then
        ``_sample`` keeps only candidates in the target stages: no pass over all customers
        unless the audience is too small for thinning to be cheaper)."""
        if channel.target_mask is None:
            return None
        counts = self._counts
        if counts is not None:
            share = counts[channel.target_mask].sum() / max(counts.sum(), 1)
            if share >= self.THIN_SHARE:
                return None
            if share == 0:
                return np.empty(0, np.int64)
        return self._listed(channel.target_mask)

    def _listed(self, mask: np.ndarray | None) -> np.ndarray:
        """Every row in the market today in the stages of ``mask`` (None: every stage), listed once a day."""
        key = b"" if mask is None else mask.tobytes()
        if key not in self._audiences:
            inside = np.ones(self.state.size, bool) if mask is None else mask[self.state.stage]
            self._audiences[key] = np.flatnonzero(inside & self.state.present if self.state.open else inside)
        return self._audiences[key]

    def _sample(self, channel: Channel, n: int, audience: np.ndarray | None, stream: CounterStream) -> np.ndarray:
        """Draw ``n`` impressions' recipients, in a fixed seeded order (a larger budget
        reaches a superset), weighted by persona affinity through thinning. Without an
        explicit ``audience``, candidates come from everyone and are kept only if in the
        channel's target stages.

        The candidates are the same in every run of a seed whatever the customers' stages
        (candidate ``i`` takes the numbers ``2i`` and ``2i + 1`` of the channel-day's counter
        ``stream``, made :data:`SAMPLE_CHUNK` candidates at a time into one buffer that stays in
        the cache): a counterfactual that moves some customers changes only which of those
        candidates are kept, not who the others are."""
        size = self.state.entered if audience is None else audience.size
        mask = channel.target_mask if audience is None else None
        chosen = np.empty(n, np.int64)
        got = 0
        listed = _NO_ROWS if audience is None else audience
        table = media_kernels.accept_table(channel.weights, mask, self.state.open)
        expected = int(n / max(float(channel.weights.mean()), 1e-3) * 1.1) + 16  # candidates, if all in the audience
        u = np.empty((min(expected, self.SAMPLE_CHUNK), 2))
        while got < n:
            stream.fill(u)
            got = media_kernels.accept_candidates(u, size, listed, table, self._codes(), chosen, got)
        return chosen

    def _codes(self) -> np.ndarray:
        """Today's packed persona, stage and presence of every row (:func:`media_kernels.pack_rows`;
        stages and presence do not change during the media phase)."""
        if self._packed is None:
            s = self.state
            self._packed = media_kernels.pack_rows(s.persona, s.stage, s.present, self._code_buffer)
        return self._packed

    def _impressions(self, channel: Channel, day: int, n: int, attended: int, out: DayExposure) -> int:
        """Deliver ``n`` bought impressions, the first ``attended`` of them (in the sampler's order)
        attended; returns the reach (distinct customers delivered to, attended or not). The
        unattended exposures count in reach and in the exposure books only, as ``impressions`` do."""
        audience = self._audience(channel) if channel.audience_rule is None else channel.audience_rule(day)
        if n == 0 or (audience is not None and audience.size == 0):
            return 0
        stream = self.streams.channel_day(channel.spec.name, day)
        split = self.budget_split
        if split is not None and split.splits(channel.index, day):
            listed = self._listed(channel.target_mask) if audience is None else audience
            delivered = split.sample(lambda rows, k: self._sample(channel, k, rows, stream), n, attended, listed)
        else:
            delivered = self._sample(channel, n, audience, stream)
        rows, counts, unattended, unattended_counts, reach = kernels.split_counts(delivered, attended,
                                                                                   self.state.size - 1)
        if unattended.size and self.stays is not None:
            self.stays.exposed(unattended, unattended_counts, channel.index)
        if rows.size:
            self._attend(channel, day, rows, counts, out)
        return reach

    def _attend(self, channel: Channel, day: int, rows: np.ndarray, counts: np.ndarray, out: DayExposure) -> None:
        """Apply one channel-day's attended exposures (``counts`` per distinct row): frequency stock,
        interest kicks, last touch, the exposure books, sessions and the journey log."""
        stock = channel.restock(rows, counts, day)
        gain = channel.saturation.increment(stock, counts.astype(np.float32))
        s = self.state
        review = np.float32(self._reviews.multiplier)
        if self.kick_modifier is None and self.stays is not None:  # the kicks and the books' counts in one pass
            _, stages, channels = self.stays.exposures.shape
            media_kernels.expose_rows(rows, counts, gain, s.stage, channel.effect, self._media_response,
                                      EVALUATING.mask, review, s.interest, s.last_touch, channel.index,
                                      *self.stays.exposure_books(), stages, channels)
        else:
            kick = media_kernels.media_kicks(rows, s.stage, channel.effect, gain, self._media_response,
                                             EVALUATING.mask, review)
            if self.kick_modifier is not None:
                kick = kick * self.kick_modifier(channel, rows, day)
            media_kernels.add_kicks(s.interest, s.last_touch, rows, kick, channel.index)
            if self.stays is not None:
                self.stays.exposed(rows, counts, channel.index)
        out.reached.append((rows, channel.index))
        if self.logged_mask is not None:
            out.logged.append((rows[self.logged_mask[rows]], channel.index))

    def _broadcast(self, channel: Channel, n: int, attended: int) -> int:
        """Give everyone the dose of the adstocked ``attended`` impressions per capita (``n`` bought,
        all in the exposure books); returns the reach (everyone in the market)."""
        people = int(self._counts.sum()) if self._counts is not None else self.state.in_market
        per_capita = attended / max(people, 1)
        channel.adstock = channel.spec.carryover * channel.adstock + per_capita
        dose = float(channel.saturation.cumulative(np.float64(channel.adstock)))
        if n == 0 and dose <= 0:
            return 0
        if dose > 0:
            if channel.dose_weight is None:
                channel.dose_weight = np.zeros(self.state.size, np.float32)
                self._weigh_dose(channel, np.arange(self.state.size))
            media_kernels.add_scaled(self.state.interest, channel.dose_weight, np.float32(dose))
        if self.stays is not None:
            self.stays.broadcast(n, channel.index)
        return people

    def _weigh_dose(self, channel: Channel, rows: np.ndarray) -> None:
        """Per-customer weight of a broadcast dose: effect at their stage, persona affinity
        and media responsiveness (kept current as customers move)."""
        s = self.state
        media_kernels.dose_weights(channel.dose_weight, rows, channel.effect, s.stage,
                                   channel.affinity.astype(np.float32), s.persona, self._media_response,
                                   s.present if s.open else _NO_PRESENCE)

    def refresh_rows(self, rows: np.ndarray) -> None:
        """Customers in ``rows`` changed stage: update broadcast dose weights."""
        for channel in self.channels:
            if channel.dose_weight is not None:
                self._weigh_dose(channel, rows)
