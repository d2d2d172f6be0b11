"""The lever API: typed operations on a running market, reached as ``model.controls``.

Scenario levers, experiments and the page change a run only through these operations; each
keeps the derived state it touches current (purchase levels after a discount, talk weights
after a word-of-mouth change, broadcast weights after an audience change), so a caller never
refreshes anything by hand.

Operations that act on customers take an optional ``scope``: ``None`` (the whole market, the
default), a persona name, a boolean mask over customers, or an array of customer rows. A
scoped operation applies to those customers only (an A/B test's treatment arm). Operations on
shared resources (budgets, referral reward, support staff, fulfilment) have no
customer scope: passing one raises :class:`SharedResourceError`.

Money is currency; budgets are currency per day at ``population.reference_size`` customers
(the engine scales them to the population); staff and capacity are absolute numbers for this
population (levers convert per-10,000 figures).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Union

import numpy as np

from journeysim.sim.account_controls import AccountControls
from journeysim.sim.errors import ConfigError, unknown_name
from journeysim.sim.place_controls import PlaceControls
from journeysim.sim.service_controls import ServiceControls
from journeysim.sim.stages import Stage
from journeysim.sim.value_controls import ValueControls

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel
    from journeysim.sim.touchpoints import Channel

Scope = Union[str, np.ndarray, None]  # noqa: UP007 - a runtime alias, read by type checkers and people
"""Customers an operation applies to: None (everyone), a persona name, a boolean mask over
customers, or an array of customer rows. With an open population everyone and a persona include
people who enter later; a mask over the people entered so far (``state.entered`` rows) or an
array of their rows leaves later entrants out; a mask over every row (``state.size``) names them
too."""

ChannelRef = Union[str, int]  # noqa: UP007
"""A channel by name (``"search"``) or by index in the model's channel arrays."""

ExposureModifier = Callable[[int, np.ndarray, int], Union[np.ndarray, float]]  # noqa: UP007
"""``(channel index, exposed rows, day) -> multiplier`` of those rows' exposure effect."""

TRAIT_LEVERS = ("repurchase_rate", "churn_propensity", "advocacy")
"""Persona traits :meth:`MarketControls.scale_traits` may change (post-purchase behaviour)."""


class SharedResourceError(ConfigError):
    """A customer scope was given to an operation on a resource the whole market shares."""

    def __init__(self, operation: str, scope: object) -> None:
        super().__init__(f"{operation}(scope=...)", _describe(scope),
                         f"no customer scope: {operation.replace('_', ' ')} is a resource shared by every "
                         "customer, so it cannot differ between the arms of an A/B test; compare it over "
                         "time (a switchback test) or between separate markets (a geo test)")


def _describe(scope: object) -> object:
    return f"array of {scope.size} {scope.dtype}" if isinstance(scope, np.ndarray) else scope


class MarketControls(ValueControls, ServiceControls, AccountControls, PlaceControls):
    """Typed levers over one :class:`~journeysim.sim.model.JourneyModel`.

    Parameters
    ----------
    model : JourneyModel
        The model whose levers these are; created once in its constructor.
    """

    def __init__(self, model: JourneyModel) -> None:
        self._model = model
        spec = model.spec
        self._budgets = model.touchpoints.planned_budgets
        self._budget_factors: np.ndarray | None = None
        self.friction = spec.market.checkout_friction
        self._customer_friction: np.ndarray | None = None
        self.referral_reward = 0.0
        self._quality = spec.market.quality
        self._modifiers: list[tuple[ExposureModifier | float, np.ndarray | None, np.ndarray | None]] = []

    # ------------------------------------------------------------------ scopes
    def scope_mask(self, scope: Scope) -> np.ndarray:
        """``scope`` as a boolean mask over every row, entrants' rows included (all True for None)."""
        n, entered = self._model.state.size, self._model.state.entered
        if scope is None:
            return np.ones(n, bool)
        if isinstance(scope, str):
            names = self._model.population.names
            if scope not in names:
                raise unknown_name("scope", scope, names)
            return self._model.state.persona == names.index(scope)
        scope = np.asarray(scope)
        if scope.dtype == bool:
            if scope.shape not in ((n,), (entered,)):
                allowed = (f"a boolean mask over the {n} customers" if n == entered else
                           f"a boolean mask over the {entered} customers who have entered so far, or over all "
                           f"{n} rows (people yet to enter included)")
                raise ConfigError("scope", _describe(scope), allowed)
            return scope if scope.size == n else np.concatenate([scope, np.zeros(n - entered, bool)])
        rows_ok = scope.dtype.kind in "iu" and scope.ndim == 1
        if not rows_ok or (scope.size and not 0 <= scope.min() <= scope.max() < entered):
            raise ConfigError("scope", _describe(scope),
                              f"customer rows from 0 to {entered - 1}, a mask or a persona name")
        mask = np.zeros(n, bool)
        mask[scope] = True
        return mask

    @staticmethod
    def _shared(operation: str, scope: Scope) -> None:
        if scope is not None:
            raise SharedResourceError(operation, scope)

    def _channel(self, channel: ChannelRef) -> int:
        names = self._model.spec.channel_names
        if isinstance(channel, str):
            if channel not in names:
                raise unknown_name("channel", channel, names)
            return names.index(channel)
        if not 0 <= int(channel) < len(names):
            raise ConfigError("channel", channel, f"a channel index from 0 to {len(names) - 1} or a name")
        return int(channel)

    def _impressions_channel(self, channel: ChannelRef, operation: str) -> Channel:
        target = self._model.touchpoints.channels[self._channel(channel)]
        if target.spec.kind != "impressions":
            raise ConfigError(f"{operation}(channel)", target.spec.name, "an impressions channel (broadcast "
                              "media reach everyone and keep no per-customer exposures)")
        return target

    # ------------------------------------------------------------------ media budgets (shared)
    @property
    def budgets(self) -> np.ndarray:
        """Today's planned daily budget per channel (currency per day at reference size; a copy)."""
        return self._budgets.copy()

    def set_budget(self, channel: ChannelRef, daily: float, scope: Scope = None) -> None:
        """Set one channel's daily budget (currency per day at reference size) from today on."""
        self._shared("set_budget", scope)
        self._budgets[self._channel(channel)] = daily

    def set_budgets(self, daily: np.ndarray, channels: np.ndarray | None = None, scope: Scope = None) -> None:
        """Set the daily budgets of ``channels`` (a mask or indices; None: all) to ``daily[channels]``.

        ``daily`` is an array over every channel, currency per day at reference size.
        """
        self._shared("set_budgets", scope)
        if channels is None:
            self._budgets[:] = daily
        else:
            self._budgets[channels] = daily[channels]

    def scale_budgets(self, factors: np.ndarray | None, scope: Scope = None) -> None:
        """Spend ``factors`` times each channel's planned budget (0 switches it off; None: as planned).

        The planned budgets that levers set are unchanged; only what the media phase spends is
        scaled (counterfactual runs of the truth experiment). No random number is drawn.
        """
        self._shared("scale_budgets", scope)
        self._budget_factors = None if factors is None else np.asarray(factors, dtype=np.float64)

    def spending_budgets(self) -> np.ndarray:
        """What the media phase spends today, per channel (currency per day at reference size)."""
        if self._budget_factors is None:
            return self._budgets
        return np.array(self._budgets, dtype=np.float64) * self._budget_factors

    # ------------------------------------------------------------------ audiences
    def target_stages(self, channel: ChannelRef, stages: Iterable[int] | None) -> None:
        """Let ``channel``'s impressions reach only customers in ``stages`` (None: everyone)."""
        mask = None if stages is None else np.isin(np.arange(len(Stage)), list(stages))
        self._impressions_channel(channel, "target_stages").target_mask = mask

    def stage_audience(self, channel: ChannelRef) -> np.ndarray | None:
        """Boolean mask over stages that ``channel`` targets (None: every stage); a copy."""
        mask = self._model.touchpoints.channels[self._channel(channel)].target_mask
        return None if mask is None else mask.copy()

    def set_audience_rule(self, channel: ChannelRef, rule: Callable[[int], np.ndarray] | None) -> None:
        """Replace ``channel``'s stage audience by ``rule(day) -> rows`` (a row may repeat to
        weigh it); None returns to the stage audience."""
        self._impressions_channel(channel, "set_audience_rule").audience_rule = rule

    def audience_rule(self, channel: ChannelRef) -> Callable[[int], np.ndarray] | None:
        """The audience rule of ``channel`` (None: its stage audience)."""
        return self._model.touchpoints.channels[self._channel(channel)].audience_rule

    def split_budgets(self, scope: Scope, first_day: int, last_day: int, share: float | None = None,
                      channels: Iterable[ChannelRef] | None = None) -> None:
        """Run a budget-split experiment (:class:`~journeysim.sim.budget_split.BudgetSplit`): from day
        index ``first_day`` to ``last_day`` (0 = day 1) every impressions channel in ``channels``
        (None: all) spends ``share`` of its budget (default: the scope's share of customers) on the
        customers in ``scope``, drawn from them, and the rest on the others, so neither group's
        customers take impressions from the other's."""
        from journeysim.sim.budget_split import BudgetSplit

        held = self.scope_mask(scope).copy()
        share = float(held.mean()) if share is None else share
        if not 0.0 < share < 1.0:
            raise ConfigError("split_budgets(share=...)", share, "a share of the budgets strictly between 0 and 1")
        if not 0 <= first_day <= last_day:
            raise ConfigError("split_budgets(first_day, last_day)", (first_day, last_day),
                              "day indexes with 0 <= first_day <= last_day")
        split = None
        if channels is not None:
            split = np.zeros(self._model.n_channels, bool)
            split[[self._channel(c) for c in channels]] = True
        self._model.touchpoints.budget_split = BudgetSplit(held, share, first_day, last_day, split)

    def weight_personas(self, channel: ChannelRef, multipliers: np.ndarray) -> None:
        """Multiply each persona's affinity for ``channel`` by ``multipliers`` (one per persona)."""
        target = self._model.touchpoints.channels[self._channel(channel)]
        target.set_affinity(target.affinity * multipliers)
        self._model.touchpoints.refresh_rows(np.arange(self._model.state.size))

    def set_affinity_power(self, channel: ChannelRef, power: float) -> None:
        """Reach weights of ``channel`` become ``affinity ** power`` (1: as configured; higher
        powers give impressions to the best-matched personas)."""
        target = self._model.touchpoints.channels[self._channel(channel)]
        target.affinity_power = power
        target.set_affinity(target.affinity)

    def add_exposure_modifier(self, modifier: ExposureModifier | float, channels: Iterable[int] | None = None,
                              scope: Scope = None) -> None:
        """Multiply the effect of exposures on ``channels`` (None: all) of customers in ``scope``.

        ``modifier`` is a number or ``(channel index, rows, day) -> multiplier``. Modifiers
        compose by multiplication, in the order they were added. Impressions channels only:
        broadcast doses reach everyone and are not modified.
        """
        members = None
        if channels is not None:
            members = np.zeros(self._model.n_channels, bool)
            members[[self._channel(c) for c in channels]] = True
        mask = None if scope is None else self.scope_mask(scope).copy()  # the scope as of today
        self._modifiers.append((modifier, members, mask))
        self._model.touchpoints.kick_modifier = self._exposure_multiplier

    def _exposure_multiplier(self, channel: Channel, rows: np.ndarray, day: int) -> np.ndarray | float:
        result: np.ndarray | float = 1.0
        for modifier, members, mask in self._modifiers:
            if members is not None and not members[channel.index]:
                continue
            factor = modifier(channel.index, rows, day) if callable(modifier) else np.float32(modifier)
            if mask is not None:
                factor = np.where(mask[rows], factor, np.float32(1.0))
            result = result * factor
        return result

    # ------------------------------------------------------------------ checkout
    def set_checkout_friction(self, friction: float, scope: Scope = None) -> None:
        """Probability that a checkout attempt of a customer in ``scope`` is abandoned, from today."""
        if not 0.0 <= friction <= 1.0:
            raise ConfigError("checkout_friction", friction, "a probability from 0 to 1")
        if scope is None:
            self.friction, self._customer_friction = friction, None
            return
        if self._customer_friction is None:
            self._customer_friction = np.full(self._model.state.size, self.friction)
        self._customer_friction[self.scope_mask(scope)] = friction

    def friction_of(self, rows: np.ndarray) -> float | np.ndarray:
        """Checkout abandonment probability of ``rows`` (a number when nobody has a scoped one)."""
        return self.friction if self._customer_friction is None else self._customer_friction[rows]

    def set_responsive_design(self, closing: float) -> None:
        """Responsive design from today: every device closes ``closing`` (0..1) of its gap in checkout
        success to the best device (:meth:`journeysim.sim.devices.Devices.narrow_gap`; 0: the configured gaps)."""
        if not 0.0 <= closing <= 1.0:
            raise ConfigError("responsive_design.closing", closing, "a share of the gap from 0 to 1")
        self._model.devices.narrow_gap(closing)

    def set_place_switching(self, friction: float) -> None:
        """Extra abandonment of checkout attempts that switch place mid-journey, from today
        (``market.places.switching_friction``; the omnichannel lever lowers it)."""
        if not 0.0 <= friction <= 1.0:
            raise ConfigError("place_switching", friction, "a probability from 0 to 1")
        self._model.places.switching_friction = friction

    # ------------------------------------------------------------------ word of mouth
    def scale_word_of_mouth(self, factor: float, scope: Scope = None) -> None:
        """Customers in ``scope`` hold ``factor`` times as many conversations a day as before."""
        if not factor >= 0:
            raise ConfigError("word_of_mouth", factor, "a multiplier of at least 0")
        model = self._model
        if scope is None:
            model.word_of_mouth.talk_multiplier *= factor
            return
        rates, mask = model.rates, self.scope_mask(scope)
        if rates.customer_talk is None:
            rates.customer_talk = np.ones(model.state.size, np.float32)
        if factor > 1.0:  # raise everyone's rate, lower the others' weights: weights stay within 1
            model.word_of_mouth.talk_multiplier *= factor
            rates.customer_talk[~mask] /= np.float32(factor)
        else:
            rates.customer_talk[mask] *= np.float32(factor)
        model.refresh(np.arange(model.state.size))

    def lift_talk(self, stages: Iterable[int], lift: float) -> None:
        """Customers in ``stages`` talk ``lift`` (at least 1) times as often; nobody else changes.

        The conversation rate is raised by ``lift`` and every other talk weight (other stages,
        dissatisfied customers) divided by it.
        """
        if not lift >= 1.0:
            raise ConfigError("talk_lift", lift, "a multiplier of at least 1")
        model, rates = self._model, self._model.rates
        model.word_of_mouth.talk_multiplier *= lift
        others = np.ones(len(Stage), bool)
        others[list(stages)] = False
        rates.talk_by_stage[others] /= np.float32(lift)
        rates.dissatisfied_talk = np.float32(rates.dissatisfied_talk / lift)
        model.refresh(np.arange(model.state.size))

    def set_referral_reward(self, reward: float, scope: Scope = None) -> None:
        """Pay ``reward`` (currency) per acquisition whose last touch was a conversation."""
        self._shared("set_referral_reward", scope)
        if not reward >= 0:
            raise ConfigError("reward", reward, "a reward of at least 0")
        self.referral_reward = reward

    # ------------------------------------------------------------------ retention
    def scale_traits(self, factors: Mapping[str, float], scope: Scope = None) -> None:
        """Multiply post-purchase traits (:data:`TRAIT_LEVERS`) of customers in ``scope``,
        e.g. ``{"repurchase_rate": 1.3, "churn_propensity": 0.6}`` for loyalty members."""
        traits = self._model.state.traits
        for name in factors:
            if name not in TRAIT_LEVERS:
                raise unknown_name("trait", name, TRAIT_LEVERS)
        rows = np.flatnonzero(self.scope_mask(scope))
        for name, factor in factors.items():
            traits[name][rows] *= factor
        self._model.refresh(rows)

    def enrol_in_loyalty_programme(self, scope: Scope = None) -> None:
        """Customers in ``scope`` join our loyalty programme: with competitors, members choose our
        brand with the bonus ``competition.choice.programme`` (without competitors, nothing changes)."""
        competition = self._model.competition
        if competition is not None:
            competition.members |= self.scope_mask(scope)


def _deprecated(old: str, read: str, setter: str) -> property:
    """A model property ``old`` that warns and reads ``controls.<read>`` or calls ``controls.<setter>``."""

    def warn(use: str) -> None:
        warnings.warn(f"model.{old} is deprecated: use model.controls.{use}", DeprecationWarning, stacklevel=3)

    def get(model: LegacyLeverAttributes) -> object:
        warn(old)
        return getattr(model.controls, read)

    def put(model: LegacyLeverAttributes, value: object) -> None:
        warn(f"{setter}(...)")
        getattr(model.controls, setter)(value)

    return property(get, put, doc=f"Deprecated: ``model.controls.{old}`` and ``{setter}``.")


class LegacyLeverAttributes:
    """Old lever attributes of the model, kept working with a DeprecationWarning."""

    controls: MarketControls
    budgets = _deprecated("budgets", "_budgets", "set_budgets")
    friction = _deprecated("friction", "friction", "set_checkout_friction")
    referral_reward = _deprecated("referral_reward", "referral_reward", "set_referral_reward")
