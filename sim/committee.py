"""The buying-committee hooks of the daily step (a mixin of the model).

:class:`CommitteePhases` gives :class:`~journeysim.sim.model.JourneyModel` its B2B accounts
(:class:`~journeysim.sim.accounts.Accounts`, None when no persona has a ``committee``): the
accounts' decision before checkout, the members who become customers with their account, the
account lapsing with its holder, and seats taken and given up as people enter and leave. Stage
moves go through the model's ``move`` (:mod:`journeysim.sim.stages` writes them); every hook does
nothing without accounts, so a B2C run is as it was.
"""

from __future__ import annotations

import numpy as np

from journeysim.sim import purchase, retention, stages
from journeysim.sim.accounts import Accounts
from journeysim.sim.stages import Stage
from journeysim.sim.streams import SequentialDraws


class CommitteePhases:
    """Accounts in the model: built from ``spec.population``; every method does nothing without them."""

    accounts: Accounts | None

    def _create_accounts(self) -> Accounts | None:
        spec = self.spec.population
        if not spec.has_accounts:
            return None
        return Accounts(spec, self.state.persona, self.state.entered, self.streams.generator("accounts"))

    def decide_accounts(self, day: int, checkout: np.ndarray) -> np.ndarray:
        """Checkout attempts after the accounts' decisions: single decision makers and the holders
        of accounts whose buying rule is met. Convinced members of other accounts wait at deciding
        and talk the brand up to colleagues; convinced members of customer accounts join them."""
        if self.accounts is None or checkout.size == 0:
            return checkout
        decision = self.accounts.decide(self.state, checkout)
        waiting = decision.waiting
        self.move(day, waiting, stages.waiting_for_committee(self.state.stage[waiting]))
        if self.accounts.internal_talk > 0 and waiting.size:  # convinced members talk to colleagues
            uniform = self.streams.row_uniform
            self.accounts.talk_up(self.state, waiting, uniform("internal_talk", day, waiting),
                                  uniform("internal_talk_listener", day, waiting), self.spec.network.positive_kick)
        self.seat_with_account(day, decision.joining)
        return decision.checkout

    def seat_with_account(self, day: int, rows: np.ndarray) -> None:
        """Members ``rows`` become customers with their account: no order of their own, no
        repurchase level and no clock (the holder renews for the account)."""
        if rows.size == 0:
            return
        s = self.state
        s.interest[rows] = 0.0
        s.repurchase_level[rows] = np.inf
        s.clock_threshold[rows] = np.inf
        self.move(day, rows, stages.with_account(rows.size))

    def accounts_ordered(self, day: int, rows: np.ndarray, price: np.ndarray) -> None:
        """Book today's orders on their accounts; the other members of an account that bought
        become customers with it."""
        if self.accounts is not None:
            self.seat_with_account(day, self.accounts.ordered(self.state, day, rows, price))

    def accounts_lapse(self, day: int, lapsers: np.ndarray) -> None:
        """Accounts whose holders lapsed today lapse whole: their other members lapse too."""
        if self.accounts is None or lapsers.size == 0:
            return
        members = self.accounts.lapsing(self.state, lapsers)
        if members.size:
            retention.lapse(self.state, members, self.spec.market, SequentialDraws(self.accounts_rng))
            self.move(day, members, stages.after_clock(np.zeros(members.size, bool)))

    def accounts_turnover(self, entrants: np.ndarray, leavers: np.ndarray) -> None:
        """Entrants take their seats, leavers give theirs up; a customer account's new holder
        starts a post-purchase clock and a repurchase level."""
        if self.accounts is None:
            return
        self.accounts.entered(self.state, entrants)
        held = self.accounts.left(self.state, leavers)
        if held.size:
            draws = SequentialDraws(self.accounts_rng)
            retention.start_clocks(self.state, held, draws)
            purchase.redraw_repurchase_level(self.state, held, self.spec.market, draws)
            self.refresh(held)

    def accounts_moved(self, day: int, rows: np.ndarray, new: np.ndarray) -> None:
        """Stage changes of ``rows`` (to ``new``): an account's first member aware starts its clock
        of days to purchase."""
        if self.accounts is not None:
            self.accounts.became_aware(day, rows[(new >= Stage.AWARE) & (new != Stage.LAPSED)])

    @property
    def accounts_rng(self) -> np.random.Generator:
        """The accounts' generator for draws after the start (lapses, new holders)."""
        if getattr(self, "_accounts_rng", None) is None:
            self._accounts_rng = self.streams.generator("accounts", 1)
        return self._accounts_rng
