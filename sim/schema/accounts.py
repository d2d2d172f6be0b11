"""Buying committees: a persona's ``committee`` and the ``buying_rule`` (:mod:`journeysim.sim.accounts`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import model_validator

from journeysim.sim.errors import closest
from journeysim.sim.schema.fields import PROBABILITY, Choice, FieldRule, Number, NumberMap, Rule, SpecBase, spec

ROLES = ("champion", "user", "technical", "finance", "procurement")
"""Roles in a buying committee, in the order of their codes. Seat 0 of every account is its
champion (who places the order and holds the contract); the other seats draw their role."""

SEAT_ROLES = ROLES[1:]
"""Roles the seats after the champion's are drawn from."""

SIZE_SPREADS = ("poisson", "fixed")
"""How an account's committee size is drawn: ``1 + Poisson(size - 1)``, or ``size`` rounded."""

VETO_STAGES = ("aware", "considering", "deciding")
"""Stages a veto role's member must have reached for their role not to block the purchase."""


@dataclasses.dataclass(frozen=True)
class RoleList(FieldRule):
    """A list of role names (:data:`ROLES`); an empty list: no role can veto."""

    what = "a list of role names"

    def check(self, value: Any) -> tuple[str, ...]:
        """The roles, in the order of :data:`ROLES`."""
        if value is None:
            return ()
        if isinstance(value, str | Mapping) or not isinstance(value, list | tuple):
            raise Rule(value, f"a list of role names from {', '.join(ROLES)}")
        for role in value:
            if role not in ROLES:
                raise Rule(role, closest(str(role), ROLES))
        return tuple(role for role in ROLES if role in value)


DEFAULT_ROLE_SHARES = {"user": 0.35, "technical": 0.25, "finance": 0.2, "procurement": 0.2}
"""Shares of the seats after the champion's, per role (illustrative: no published split)."""


@spec
class CommitteeSpec(SpecBase):
    """A B2B persona's ``committee``: its people buy as accounts of several decision makers.

    Attributes
    ----------
    size : float
        Mean people per account (the buying group), at least 1.
    spread : str
        ``poisson``: each account has ``1 + Poisson(size - 1)`` people; ``fixed``: ``round(size)``.
    roles : dict
        Share of the seats after the champion's per role (``user``, ``technical``, ``finance``,
        ``procurement``), rescaled to sum to 1.
    """

    size: Annotated[float, Number(low=1.0, high=100.0)] = 1.0
    spread: Annotated[str, Choice(SIZE_SPREADS)] = "poisson"
    roles: Annotated[dict[str, float], NumberMap(Number(low=0.0), keys=SEAT_ROLES)] = dataclasses.field(
        default_factory=lambda: dict(DEFAULT_ROLE_SHARES))

    @model_validator(mode="after")
    def _role_shares(self) -> CommitteeSpec:
        total = sum(self.roles.values())
        if total <= 0:
            raise Rule(self.roles, f"shares of {', '.join(SEAT_ROLES)}, at least one above 0", ("roles",))
        object.__setattr__(self, "roles", {role: self.roles.get(role, 0.0) / total for role in SEAT_ROLES})
        return self


@spec
class BuyingRuleSpec(SpecBase):
    """``population.buying_rule``: when an account buys.

    Attributes
    ----------
    quorum : float
        The account buys when more than this share of its members in the market are convinced
        (their interest crossed their buy level): 0.5 is a majority.
    veto_roles : tuple of str
        Roles whose members block the purchase until they have reached ``veto_below``.
    veto_below : str
        Stage (aware, considering or deciding) a member of a veto role must have reached.
    internal_talk : float
        Share of the days, 0..1, on which a convinced member waiting for the committee talks the
        brand up to a colleague of the account (internal word of mouth, a positive conversation
        of ``network.positive_kick``); 0: members' conviction is independent.
    """

    quorum: Annotated[float, PROBABILITY] = 0.5
    veto_roles: Annotated[tuple[str, ...], RoleList()] = ("finance", "procurement")
    veto_below: Annotated[str, Choice(VETO_STAGES)] = "considering"
    internal_talk: Annotated[float, PROBABILITY] = 0.0

