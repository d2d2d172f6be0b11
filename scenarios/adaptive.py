"""Continuous optimisation: a media budget that reallocates itself every few days from what an
analyst observes.

Two parts, kept apart on purpose:

* :class:`ThompsonBudget`, the **policy**: it is built from numbers only and its one method,
  :meth:`ThompsonBudget.decide`, takes an :class:`~journeysim.sim.observation.ObservedPanel`
  (read-only arrays of reported spend per channel, booked orders and revenue per day) and
  returns shares of the budget. It holds no reference to the model and is never given one, so
  it cannot read the market's state, only the panel an analyst would hold that morning.
* :class:`AdaptiveBudget`, the **lever** (``type: adaptive_budget``): each morning it hands the
  previous day's truth to an :class:`~journeysim.sim.observation.AnalystFeed` (which adds the
  truth lab's measurement noise and reporting lags), asks the policy every ``every`` days, and
  sets today's budgets of its channels to the policy's shares of today's total of those channels,
  so the total of every day is the one the plan before it had.

The policy is Thompson sampling on a Bayesian regression. The days since ``from_day`` are cut
into blocks of ``every`` days; each block that ended ``settle_days`` or more ago (by default the
longest reporting lag, by when every order placed in the block has been booked; a block's own
bookings are final when it ends, so the wait only makes the policy slower to use what it saw),
after the first, gives one row: its mean booked revenue per day against an intercept,
a linear trend (years), the previous block's revenue (carry-over, as in a Koyck distributed lag:
media and word of mouth keep selling after the block that paid for them) and the square root of
each channel's reported share of the block's spend; revenues are over the mean of the settled
blocks. The square root is a concave response: if revenue is ``a + sum_c b_c sqrt(w_c)``, the
shares that maximise it at a fixed total are ``w_c`` in proportion to ``b_c ** 2`` (with
carry-over every channel's long-run effect is ``b_c / (1 - carry)``, so the best shares are the
same). The prior says the current plan is right and media drives ``prior_media_share`` of
revenue, half of it within the block (``b_c`` has mean ``prior_media_share / 2 * sqrt(w0_c)`` and
relative standard deviation ``prior_sd``; the carry-over has mean 0.5, standard deviation 0.5);
the noise variance is drawn from its scaled inverse chi-squared posterior. At each decision one
draw of ``b`` from the posterior sets the target shares (negative draws count as 0), each
channel keeps at least ``floor`` of the total, and the shares move ``step`` of the way to the
target. Before two blocks have settled the draw comes from the prior alone (exploration).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from journeysim.scenarios.base import Lever, Params, register
from journeysim.sim.errors import ConfigError
from journeysim.sim.observation import AnalystFeed, Observation, ObservedPanel
from journeysim.sim.streams import RandomStreams

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel

POLICY_STREAM = "adaptive_budget"
"""Random stream of the policy's posterior draws (its own: the run's other draws do not move)."""

NOISE_PRIOR = (2.0, 0.1)
"""Prior of the relative noise of a block's mean revenue: (pseudo-rows, standard deviation)."""

TREND_SD = 1.0
"""Prior standard deviation of the revenue trend, share of mean revenue per year."""

CARRY_PRIOR = (0.5, 0.5)
"""Prior mean and standard deviation of the share of a block's revenue carried into the next (Koyck)."""


def split_total(total: float, shares: np.ndarray) -> np.ndarray:
    """``total`` split by ``shares`` (summing to 1), the rounding remainder on the largest share,
    so the parts add up to ``total`` (currency per day)."""
    parts = total * np.asarray(shares, dtype=np.float64)
    if parts.size:
        parts[int(np.argmax(parts))] += total - parts.sum()
    return parts


class ThompsonBudget:
    """Thompson sampling of budget shares from an observed panel (see the module docstring).

    Parameters
    ----------
    shares : ndarray
        The plan's shares of the total per channel when the policy starts (sum to 1).
    every : int
        Days per block (the policy is asked once per block).
    floor : float
        Smallest share of the total each channel keeps (below ``1 / channels``).
    step : float
        Part of the way (0 to 1] the shares move to the sampled target at each decision.
    prior_media_share : float
        Prior share of revenue that media drives (0 to 1].
    prior_sd : float
        Prior standard deviation of each channel's effect, relative to its prior mean.
    settle_days : int
        Days the policy waits after a block ends before using it.
    from_day : int
        Day of the first decision (blocks start here).
    seed : int
        The run's seed (the policy draws from its own stream :data:`POLICY_STREAM`).
    """

    def __init__(self, shares: np.ndarray, *, every: int, floor: float, step: float, prior_media_share: float,
                 prior_sd: float, settle_days: int, from_day: int, seed: int) -> None:
        self.every, self.floor, self.step = int(every), float(floor), float(step)
        self.settle_days, self.from_day = int(settle_days), int(from_day)
        self.shares = self._floored(np.asarray(shares, dtype=np.float64))
        root = np.sqrt(self.shares)
        short = prior_media_share * (1.0 - CARRY_PRIOR[0])  # the effect within a block (Koyck)
        self._prior_mean = np.concatenate([[(1.0 - prior_media_share) * (1.0 - CARRY_PRIOR[0]), 0.0, CARRY_PRIOR[0]],
                                           short * root])
        self._prior_sd = np.concatenate([[1.0, TREND_SD, CARRY_PRIOR[1]], prior_sd * short * np.maximum(root, 0.05)])
        self._rng = RandomStreams(seed).generator(POLICY_STREAM)

    def _floored(self, target: np.ndarray) -> np.ndarray:
        """``target`` (non-negative weights) as shares with every channel at ``floor`` or above."""
        total = target.sum()
        shape = target / total if total > 0 else np.full(target.size, 1.0 / target.size)
        return self.floor + (1.0 - self.floor * target.size) * shape

    def blocks(self, panel: ObservedPanel) -> tuple[np.ndarray, np.ndarray]:
        """The regression's rows from the settled blocks after the first: design (intercept, trend in
        years, the previous block's revenue, square roots of the spend shares) and each block's mean
        revenue per day, both revenues over the mean of all settled blocks."""
        settled = panel.day - self.settle_days
        starts = np.arange(self.from_day, max(settled - self.every + 1, self.from_day), self.every)
        channels = panel.spend.shape[1]
        shares = np.zeros((starts.size, channels))
        revenue = np.zeros(starts.size)
        for k, start in enumerate(starts):
            spend = panel.spend[start: start + self.every].sum(axis=0)
            shares[k] = spend / spend.sum() if spend.sum() > 0 else 0.0
            revenue[k] = panel.revenue[start: start + self.every].mean()
        if starts.size < 2 or revenue.mean() <= 0:
            return np.zeros((0, 3 + channels)), np.zeros(0)
        revenue = revenue / revenue.mean()
        years = (starts[1:] + self.every / 2) / 365.0
        x = np.column_stack([np.ones(years.size), years - years.mean(), revenue[:-1], np.sqrt(shares[1:])])
        return x, revenue[1:]

    def decide(self, panel: ObservedPanel) -> np.ndarray:
        """Shares of today's total per channel (sum to 1) from the panel alone."""
        x, y = self.blocks(panel)
        precision0 = 1.0 / self._prior_sd ** 2
        rows, (nu0, s0) = y.size, NOISE_PRIOR
        mean = self._posterior(x, y, precision0, s0 ** 2)[0]
        residual = float(((y - x @ mean) ** 2).sum())
        scale = (residual + nu0 * s0 ** 2) / (rows + nu0)
        variance = (rows + nu0) * scale / self._rng.chisquare(rows + nu0)
        mean, cov = self._posterior(x, y, precision0, variance)
        draw = mean + np.linalg.cholesky(cov) @ self._rng.standard_normal(mean.size)
        effects = np.clip(draw[3:], 0.0, None)
        if effects.sum() > 0:
            target = self._floored(effects ** 2)
            self.shares = self._floored(self.shares + self.step * (target - self.shares))
        return self.shares.copy()

    def _posterior(self, x: np.ndarray, y: np.ndarray, precision0: np.ndarray,
                   variance: float) -> tuple[np.ndarray, np.ndarray]:
        """Gaussian posterior (mean, covariance) of the coefficients at noise ``variance``."""
        precision = x.T @ x / variance + np.diag(precision0)
        cov = np.linalg.inv(precision)
        cov = (cov + cov.T) / 2
        return cov @ (x.T @ y / variance + precision0 * self._prior_mean), cov


@register("adaptive_budget")
class AdaptiveBudget(Lever):
    """Reallocates the media budget between channels every few days from the observed panel.

    YAML::

        type: adaptive_budget
        channels: [search, social, display, tv, content]   # default: every channel with a budget
        every: 14                  # days between reallocations
        floor: 0.02                # smallest share of the total a channel keeps
        step: 1.0                  # part of the way to the sampled shares moved at each decision
        prior_media_share: 0.2     # the analyst's prior: share of revenue media drives
        prior_sd: 1.0              # prior uncertainty of each channel's effect, relative
        settle_days: null          # days to wait after a block before using it (default: the longest lag)
        from_day: 0                # first decision; before it the plan as configured
        observation: {spend_noise: 0.05, outcome_noise: 0.05, reporting_lag_days: 3}

    Each day the channels together spend what the plan before this lever gives them that day
    (the configured budgets, or an earlier budget lever's); only the split changes. The policy
    sees reported spend per channel and booked orders and revenue per day with the noise and
    lags of the truth lab's observed panel (``journey-truth --observe``), never the model.
    Put it after the levers that set the plan it reallocates.
    """

    keys = ("channels", "every", "floor", "step", "prior_media_share", "prior_sd", "settle_days", "from_day",
            "observation")

    def __init__(self, channels: np.ndarray, observation: Observation, settings: dict[str, float]) -> None:
        self.channels, self.observation, self.settings = channels, observation, settings
        self.feed: AnalystFeed | None = None
        self.policy: ThompsonBudget | None = None
        self.decisions: list[tuple[int, np.ndarray]] = []

    @classmethod
    def from_params(cls, params: Params) -> AdaptiveBudget:
        """Build the lever from its validated YAML parameters."""
        spec = params.spec
        budgeted = tuple(c.name for c in spec.channels if c.daily_budget > 0)
        chosen = params.channel_list("channels", budgeted)
        if len(set(chosen)) < 2 or len(set(chosen)) < len(chosen):
            raise ConfigError(params.key("channels"), params.values.get("channels", list(budgeted)),
                              "at least two different channels to reallocate between")
        mask = np.zeros(len(spec.channels), bool)
        mask[chosen] = True
        observation = _observation(params)
        settle = params.number("settle_days", low=0, high=365, integer=True, default=observation.longest_lag)
        settings = {
            "every": int(params.number("every", low=1, high=365, integer=True, default=14)),
            "floor": params.number("floor", low=0.0, high=0.999999 / len(chosen), default=min(0.02, 0.5 / len(chosen))),
            "step": params.number("step", low=1e-6, high=1.0, default=1.0),
            "prior_media_share": params.number("prior_media_share", low=1e-6, high=1.0, default=0.2),
            "prior_sd": params.number("prior_sd", low=1e-6, high=100.0, default=1.0),
            "settle_days": int(settle),
            "from_day": int(params.number("from_day", low=0, integer=True, default=0)),
        }
        return cls(mask, observation, settings)

    def setup(self, model: JourneyModel) -> None:
        """Open the analyst's feed of the lever's channels (nothing observed yet)."""
        names = tuple(np.array(model.spec.channel_names)[self.channels])
        self.feed = AnalystFeed(names, model.spec.days, model.spec.seed, self.observation)
        self.policy, self.decisions = None, []

    def before_day(self, model: JourneyModel, day: int) -> None:
        """Observe yesterday, reallocate on decision days, set today's budgets (today's total kept)."""
        feed = self.feed
        collector = model.collector
        while feed.day < day:  # yesterday's truth goes to the feed; the policy sees only its panel
            d = feed.day
            feed.record(collector.spend[d, self.channels], float(collector.daily["orders"][d]),
                        float(collector.daily["revenue"][d]), float(collector.daily["refunds"][d]))
        budgets = model.controls.budgets
        total = float(budgets[self.channels].sum())
        if self.policy is None:
            planned = budgets[self.channels]
            shares = planned / total if total > 0 else np.full(planned.size, 1.0 / planned.size)
            self.policy = ThompsonBudget(shares, seed=model.spec.seed, **self.settings)
        start, every = self.settings["from_day"], self.settings["every"]
        if day < start:
            return
        if (day - start) % every == 0:
            shares = self.policy.decide(feed.panel(total))
            self.decisions.append((day, shares))
        today = np.zeros(self.channels.size)
        today[self.channels] = split_total(total, self.decisions[-1][1])
        model.controls.set_budgets(today, self.channels)


def _observation(params: Params) -> Observation:
    """The lever's ``observation`` mapping (default: the truth lab's observed panel's settings)."""
    if not params.has("observation"):
        return Observation()
    values = params.mapping("observation")
    try:
        return Observation.from_mapping(dict(values), params.key("observation"))
    except ConfigError as error:
        key = error.key if error.key.startswith(params.prefix) else f"{params.prefix}.{error.key}"
        raise ConfigError(key, error.value, error.allowed) from None
