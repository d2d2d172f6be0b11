"""B2B account levers: account-based marketing, sales enablement for a role, a champion who leaves.

Each acts through the lever API of accounts (:mod:`journeysim.sim.account_controls`) and needs a
population whose personas buy as accounts (a persona with a ``committee``, e.g. ``population=b2b``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeysim.scenarios.base import Lever, Params, book_cost, register
from journeysim.sim.errors import ConfigError
from journeysim.sim.schema.accounts import ROLES
from journeysim.sim.schema.fields import Choice

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel


def needs_accounts(params: Params) -> None:
    """Raise a clear error when the run's population has no accounts."""
    if not params.spec.population.has_accounts:
        raise ConfigError(params.prefix, dict(params.values),
                          "a lever for a population that buys as accounts (a persona with a committee, e.g. "
                          "population=b2b)")


@register("account_based_marketing")
class AccountBasedMarketing(Lever):
    """Account-based marketing: a channel's budget aimed at the members of chosen accounts.

    The channel's impressions reach only the members (in the market, not yet customers with their
    account) of ``accounts`` of the accounts of ``personas``. Its budget is the channel's (set it in
    ``channels`` or with a budget lever).

    YAML::

        type: account_based_marketing
        channel: display          # an impressions channel
        accounts: 0.2             # share of the personas' accounts targeted
        personas: [enterprise_committee]   # default: every persona with a committee

    Parameters
    ----------
    channel : int
        Index of the channel.
    share : float
        Share of the personas' accounts targeted.
    personas : tuple of str
        Personas whose accounts are targeted (empty: all with a committee).
    """

    keys = ("channel", "accounts", "personas")

    def __init__(self, channel: int, share: float, personas: tuple[str, ...]) -> None:
        self.channel, self.share, self.personas = channel, share, personas

    @classmethod
    def from_params(cls, params: Params) -> AccountBasedMarketing:
        """Build the lever from its validated YAML parameters."""
        needs_accounts(params)
        channel = params.impressions_channel("channel", params.channel("channel", "display"))
        return cls(channel, params.probability("accounts", default=0.2), params.personas("personas"))

    def setup(self, model: JourneyModel) -> None:
        """Point the channel at the chosen accounts' members."""
        controls = model.controls
        personas = self.personas or tuple(p.name for p in model.spec.population.personas if p.committee)
        controls.target_accounts(self.channel, controls.pick_accounts(self.share, personas))


@register("sales_enablement")
class SalesEnablement(Lever):
    """Sales enablement: content made for one committee role (a finance case, a security brief)
    works better on that role's members, optionally with a channel aimed at them alone.

    YAML::

        type: sales_enablement
        role: finance             # champion, user, technical, finance or procurement
        channels: [webinars, content]   # channels carrying the content (default: every impressions channel)
        lift: 1.0                 # extra share of effect per exposure on the role's members
        reach_only_role: false    # true: the first channel's impressions reach only the role's members
        from_day: 0
        cost: 0                   # one-off cost of making the content, currency at reference size

    Parameters
    ----------
    role : str
        The committee role.
    channels : list of int
        Channels carrying the content.
    lift : float
        Extra share of effect on the role's members.
    only_role : bool
        Whether the first channel reaches only the role's members (prospects in the market).
    day : int
        Day the content is live.
    cost : float
        One-off cost at reference size, currency.
    """

    keys = ("role", "channels", "lift", "reach_only_role", "from_day", "cost")

    def __init__(self, role: str, channels: list[int], lift: float, only_role: bool, day: int, cost: float) -> None:
        self.role, self.channels, self.lift, self.only_role = role, channels, lift, only_role
        self.day, self.cost = day, cost

    @classmethod
    def from_params(cls, params: Params) -> SalesEnablement:
        """Build the lever from its validated YAML parameters."""
        needs_accounts(params)
        return cls(params.read("role", Choice(ROLES)), params.impressions_channels("channels"),
                   params.number("lift", low=0.0, high=10.0, default=1.0), params.flag("reach_only_role", False),
                   int(params.number("from_day", low=0, integer=True, default=0)),
                   params.number("cost", low=0.0, default=0.0))

    def before_day(self, model: JourneyModel, day: int) -> None:
        """Put the content live on its day (an exposure modifier on the role) and book its cost."""
        if day != self.day:
            return
        controls = model.controls
        controls.add_exposure_modifier(1.0 + self.lift, channels=self.channels, scope=controls.role_mask(self.role))
        if self.only_role:
            controls.target_role(self.channels[0], self.role)
        book_cost(model, day, self.cost * model.spec.population.scale)


@register("champion_leaves")
class ChampionLeaves(Lever):
    """A champion leaves: on one day the champions of a share of the accounts leave their
    companies and newcomers take their seats. A prospect account loses its advocate (the newcomer
    starts unaware); a customer account lapses with probability ``lapse``.

    YAML::

        type: champion_leaves
        day: 180
        accounts: 0.3     # share of the accounts in the market whose champion leaves
        lapse: 0.5        # probability that a customer account whose champion left lapses (illustrative)

    Parameters
    ----------
    day : int
        The day they leave.
    share : float
        Share of the accounts in the market.
    lapse : float
        Probability a customer account lapses.
    """

    keys = ("day", "accounts", "lapse")

    def __init__(self, day: int, share: float, lapse: float) -> None:
        self.day, self.share, self.lapse = day, share, lapse

    @classmethod
    def from_params(cls, params: Params) -> ChampionLeaves:
        """Build the lever from its validated YAML parameters."""
        needs_accounts(params)
        return cls(int(params.number("day", low=0, integer=True)), params.probability("accounts", default=1.0),
                   params.probability("lapse", default=0.5))

    def before_day(self, model: JourneyModel, day: int) -> None:
        """The champions leave on their day."""
        if day == self.day:
            model.controls.champions_leave(day, self.share, self.lapse)
