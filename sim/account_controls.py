"""The lever API of B2B accounts (a mixin of :class:`~journeysim.sim.controls.MarketControls`).

Account-based marketing points a channel's impressions at the members of chosen accounts; sales
enablement gives a role's members content that works better on them; a champion who leaves takes
the account's most convinced advocate away (:mod:`journeysim.sim.accounts`). Every operation
raises a clear error in a market without accounts (no persona has a ``committee``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from journeysim.sim import retention, stages
from journeysim.sim.accounts import Accounts
from journeysim.sim.errors import ConfigError, unknown_name
from journeysim.sim.schema.accounts import ROLES
from journeysim.sim.stages import POST_PURCHASE, PROSPECTS
from journeysim.sim.streams import SequentialDraws

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel


class AccountControls:
    """Levers over B2B accounts: targeting accounts, enabling a role, a champion leaving."""

    _model: JourneyModel

    def _accounts(self, operation: str) -> Accounts:
        accounts = self._model.accounts
        if accounts is None:
            raise ConfigError(operation, "population without committees",
                              "a population whose personas buy as accounts (a persona with a committee, e.g. "
                              "population=b2b)")
        return accounts

    def role_mask(self, role: str) -> np.ndarray:
        """Boolean mask over every row: members of an account holding ``role`` (a scope)."""
        if role not in ROLES:
            raise unknown_name("role", role, ROLES)
        return self._accounts("role_mask").role == ROLES.index(role)

    def pick_accounts(self, share: float, personas: Iterable[str] | None = None) -> np.ndarray:
        """The first ``share`` of the accounts of ``personas`` (None: every persona with a committee),
        in account order (accounts are random groups of a persona's people, so any share is a
        random sample that two scenarios under one seed share)."""
        accounts = self._accounts("pick_accounts")
        codes = np.arange(len(self._model.population.names))
        if personas is not None:
            names = self._model.population.names
            for name in personas:
                if name not in names:
                    raise unknown_name("personas", name, names)
            codes = np.array([names.index(name) for name in personas])
        chosen = []
        for code in codes:
            mine = np.flatnonzero(accounts.persona == code)
            chosen.append(mine[: int(round(share * mine.size))])
        return np.sort(np.concatenate(chosen)) if chosen else np.empty(0, np.int64)

    def target_accounts(self, channel: int | str, accounts: np.ndarray) -> None:
        """Account-based marketing: ``channel``'s impressions reach only the members of ``accounts``
        who are in the market and have not bought with their account (prospects)."""
        rows, _ = self._accounts("target_accounts").members_of(np.asarray(accounts, np.int64))
        self._target_rows(channel, np.sort(rows))

    def target_role(self, channel: int | str, role: str) -> None:
        """``channel``'s impressions reach only the members holding ``role`` who are in the market
        and have not bought with their account (prospects)."""
        self._target_rows(channel, np.flatnonzero(self.role_mask(role)))

    def _target_rows(self, channel: int | str, rows: np.ndarray) -> None:
        state = self._model.state

        def audience(day: int) -> np.ndarray:
            keep = PROSPECTS.holds(state.stage[rows])
            if state.open:
                keep &= state.present[rows]
            return rows[keep]

        self.set_audience_rule(channel, audience)

    def champions_leave(self, day: int, share: float, lapse: float) -> tuple[int, int]:
        """The champions of ``share`` of the accounts in the market leave today; a newcomer takes
        each seat. A prospect account's new champion starts unaware; a customer account lapses
        whole with probability ``lapse`` (the new champion does not renew what they did not buy).

        Returns
        -------
        tuple of int
            Champions replaced in prospect accounts, and customer accounts lost.
        """
        accounts, model = self._accounts("champions_leave"), self._model
        s = model.state
        rng = model.streams.generator("champions_leave", day)
        u = rng.random(accounts.count)
        champions = accounts.members[accounts.starts[:-1]]
        chosen = np.flatnonzero((u < share) & (accounts.seats > 0))
        if s.open:
            chosen = chosen[s.present[champions[chosen]]]
        customer = POST_PURCHASE.holds(s.stage[accounts.holder[chosen]])
        lost = chosen[customer & (rng.random(chosen.size) < lapse)]
        prospects = champions[chosen[~customer]]
        s.interest[prospects] = 0.0
        model.move(day, prospects, stages.replaced(prospects.size))
        if lost.size:
            members, _ = accounts.members_of(lost)
            members = members[POST_PURCHASE.holds(s.stage[members])]
            retention.lapse(s, members, model.spec.market, SequentialDraws(model.accounts_rng))
            model.move(day, members, stages.after_clock(np.zeros(members.size, bool)))
        return int(prospects.size), int(lost.size)
