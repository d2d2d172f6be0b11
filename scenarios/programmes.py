"""Customer programmes: a referral programme and a loyalty programme.

Their costs (rewards per referral, member benefits per day) are booked in the daily KPI
``programme_cost``, which :func:`journeysim.sim.kpis.spend` adds to media spend, so CAC,
ROAS and profit include them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from journeysim.scenarios.base import Lever, Params, book_cost, register
from journeysim.sim.errors import ConfigError
from journeysim.sim.stages import Stage

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel


@register("referral_programme")
class ReferralProgramme(Lever):
    """Reward customers for referred new customers; rewarded stages talk more.

    The talk rate of customers in ``stages`` is multiplied by ``talk_lift`` (the word-of-mouth
    rate is raised and the weights of every other stage, and of dissatisfied customers, are
    divided by the lift, so only the rewarded customers' positive talk changes). Each
    acquisition whose last touch was a conversation (a referral) costs ``reward``.

    YAML::

        type: referral_programme
        reward: 10.0                       # currency per referred new customer
        talk_lift: 2.0                     # multiplier of the rewarded customers' talk rate
        stages: [customer, loyal, advocate]

    Parameters
    ----------
    reward : float
        Currency per referred acquisition.
    talk_lift : float
        Multiplier (at least 1) of the talk rate of the rewarded stages.
    stages : tuple of int
        Stage codes whose talk is lifted.
    """

    keys = ("reward", "talk_lift", "stages")

    def __init__(self, reward: float, talk_lift: float, stages: tuple[int, ...]) -> None:
        self.reward, self.talk_lift, self.stages = reward, talk_lift, stages

    @classmethod
    def from_params(cls, params: Params) -> ReferralProgramme:
        """Build the lever from its validated YAML parameters."""
        stages = params.stages("stages", ("customer", "loyal", "advocate"))
        if any(s < Stage.CUSTOMER or s > Stage.ADVOCATE for s in stages):
            raise ConfigError(params.key("stages"), params.values.get("stages"),
                              "stages of people who have bought: customer, loyal, advocate")
        return cls(params.number("reward", low=0.0, default=10.0),
                   params.number("talk_lift", low=1.0, high=100.0, default=2.0), stages)

    def setup(self, model: JourneyModel) -> None:
        """Price referrals and lift the rewarded customers' talk rate."""
        model.controls.set_referral_reward(self.reward)
        model.controls.lift_talk(self.stages, self.talk_lift)


@register("loyalty_programme")
class LoyaltyProgramme(Lever):
    """Enrol repeat customers: they repurchase more often and lapse less, at a cost per member.

    A customer is enrolled the morning after their ``min_orders``-th order and stays a member
    (lapsed members cost nothing until they come back). Enrolment multiplies their
    ``repurchase_rate`` by ``repurchase_lift`` and their ``churn_propensity`` by ``churn_factor``.

    YAML::

        type: loyalty_programme
        min_orders: 2
        repurchase_lift: 1.3
        churn_factor: 0.6
        cost_per_member_day: 0.02   # currency per active member per day (points, perks)

    Parameters
    ----------
    min_orders : int
        Orders after which a customer joins.
    repurchase_lift, churn_factor : float
        Multipliers of members' repurchase rate and lapse propensity.
    cost : float
        Currency per active (not lapsed) member per day.
    """

    keys = ("min_orders", "repurchase_lift", "churn_factor", "cost_per_member_day")

    def __init__(self, min_orders: int, repurchase_lift: float, churn_factor: float, cost: float) -> None:
        self.min_orders, self.repurchase_lift = min_orders, repurchase_lift
        self.churn_factor, self.cost = churn_factor, cost
        self.members: np.ndarray | None = None

    @classmethod
    def from_params(cls, params: Params) -> LoyaltyProgramme:
        """Build the lever from its validated YAML parameters."""
        return cls(int(params.number("min_orders", low=1, integer=True, default=2)),
                   params.number("repurchase_lift", low=0.0, high=10.0, default=1.3),
                   params.number("churn_factor", low=0.0, high=10.0, default=0.6),
                   params.number("cost_per_member_day", low=0.0, default=0.02))

    def setup(self, model: JourneyModel) -> None:
        """Start with no members."""
        self.members = np.zeros(model.state.size, bool)

    def before_day(self, model: JourneyModel, day: int) -> None:
        """Enrol yesterday's qualifying buyers and book today's member cost."""
        state = model.state
        joining = (state.purchases >= self.min_orders) & ~self.members
        if joining.any():
            self.members |= joining
            model.controls.enrol_in_loyalty_programme(joining)
            model.controls.scale_traits({"repurchase_rate": self.repurchase_lift,
                                         "churn_propensity": self.churn_factor}, scope=joining)
        if self.cost:
            active = np.count_nonzero(self.members & (state.stage != Stage.LAPSED))
            book_cost(model, day, active * self.cost)
