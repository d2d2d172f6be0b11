"""B2B accounts: people of a persona with a ``committee`` buy together, as accounts.

An account is a group of people (rows) of one persona: its buying committee. Each member is an
ordinary customer row: media, organic discovery and word of mouth reach members one by one, and
each member moves through aware, considering and deciding on their own interest. A member whose
interest crosses their buy level is **convinced**; the account buys when its **buying rule** is met
(``population.buying_rule``): more than ``quorum`` of its members in the market are convinced, and
no member of a veto role (finance, procurement) is still below ``veto_below``. Convinced members of
an account that is not ready wait at deciding, while their interest decays: a larger committee
must be convinced at the same time, so longer cycles and fewer purchases emerge from its size.

**Members talk to each other.** A convinced member who waits for the committee talks the brand up
to a colleague on ``buying_rule.internal_talk`` of the days (a colleague of the account drawn at
random): a colleague still a prospect gains the interest of a positive conversation
(``network.positive_kick`` times their social susceptibility). Without it the members' conviction
would be independent, and an account of two would buy only about as often as both of its members
would each have bought alone (the mobiliser who builds consensus inside the account: Adamson et
al., *The Challenger Customer*, 2015).

**Who orders.** Seat 0 of an account, its champion, is the account's **holder**: when the rule is
met the holder goes to checkout and places the account's order (its contract value is the
persona's ``basket_size``); the other members then become customers with no orders of their own
(no repurchase level, no clock). Retention and renewal run on the holder's clocks: a renewal is the
holder's repurchase, and when the holder lapses the whole account lapses. If the holder leaves the
market, the next member in the market who is still a customer holds the account (or, if none is,
the next member in the market); a customer account's new holder starts a fresh clock and
repurchase level.

**Memory** is linear in people: an account id and a role per row (int32, int8), a few arrays per
account, and the members listed account by account (CSR: ``members[starts[a]:starts[a + 1]]``);
reductions over accounts are ``np.bincount`` over the account ids. Sizes and roles are drawn from a
stream of their own (``accounts``), so a population without committees draws nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from journeysim.sim.schema.accounts import ROLES, SEAT_ROLES, VETO_STAGES
from journeysim.sim.schema.population import PopulationSpec
from journeysim.sim.stages import IN_FUNNEL, POST_PURCHASE, PROSPECTS, RECEPTIVE, Stage
from journeysim.sim.state import CustomerState

CHAMPION = ROLES.index("champion")
"""Role code of seat 0 of every account."""

NO_DAY = -1
"""A day not reached yet (account arrays)."""


@dataclass
class Decision:
    """Today's account decisions over the checkout attempts of the funnel.

    Attributes
    ----------
    checkout : ndarray
        Rows that go to checkout: single decision makers (B2C) and holders of accounts whose rule
        is met, ascending.
    waiting : ndarray
        Convinced members of accounts whose rule is not met (they wait at deciding).
    joining : ndarray
        Convinced members of accounts that are already customers (they join them).
    """

    checkout: np.ndarray
    waiting: np.ndarray
    joining: np.ndarray


def draw_sizes(people: int, mean: float, spread: str, rng: np.random.Generator) -> np.ndarray:
    """Committee sizes of the accounts that share ``people`` people (the last one is cut to fit).

    Parameters
    ----------
    people : int
        People of one persona to group.
    mean : float
        Mean committee size, people (at least 1).
    spread : str
        ``poisson``: ``1 + Poisson(mean - 1)``; ``fixed``: ``round(mean)``.
    rng : Generator
        The ``accounts`` stream.
    """
    if people == 0:
        return np.empty(0, np.int64)
    n = int(people / mean * 1.2) + 8
    sizes = np.empty(0, np.int64)
    while sizes.sum() < people:
        more = np.full(n, max(round(mean), 1)) if spread == "fixed" else 1 + rng.poisson(mean - 1.0, n)
        sizes = np.concatenate([sizes, more])
    ends = np.cumsum(sizes)
    last = int(np.searchsorted(ends, people))
    sizes = sizes[: last + 1]
    sizes[-1] -= ends[last] - people
    return sizes


class Accounts:
    """Accounts and their committees over the customer rows.

    Parameters
    ----------
    spec : PopulationSpec
        Personas (their ``committee``) and the ``buying_rule``.
    persona : ndarray
        Persona code per row.
    entered : int
        Rows in the market on day 0 (the initial population); later rows are entrants, grouped
        into accounts of their own.
    rng : Generator
        The ``accounts`` stream.
    """

    def __init__(self, spec: PopulationSpec, persona: np.ndarray, entered: int, rng: np.random.Generator) -> None:
        n = persona.size
        self.account = np.full(n, -1, np.int32)
        self.role = np.full(n, -1, np.int8)
        sizes, owners = [], []
        for code, p in enumerate(spec.personas):
            if p.committee is None:
                continue
            shares = np.array([p.committee.roles[r] for r in SEAT_ROLES])
            for lo, hi in ((0, entered), (entered, n)):
                rows = lo + np.flatnonzero(persona[lo:hi] == code)
                drawn = draw_sizes(rows.size, p.committee.size, p.committee.spread, rng)
                first = sum(s.size for s in sizes)
                ids = np.repeat(np.arange(first, first + drawn.size), drawn)
                seat = np.arange(rows.size) - np.repeat(np.cumsum(drawn) - drawn, drawn)
                self.account[rows] = ids
                self.role[rows] = np.where(seat == 0, CHAMPION, 1 + rng.choice(len(SEAT_ROLES), rows.size, p=shares))
                sizes.append(drawn)
                owners.append(np.full(drawn.size, code, np.int16))
        self.size = np.concatenate(sizes).astype(np.int32)
        """Committee size of each account, people."""
        self.persona = np.concatenate(owners)
        m = self.size.size
        rows = np.flatnonzero(self.account >= 0)
        self.members = rows[np.argsort(self.account[rows], kind="stable")]
        """Member rows account by account, ascending within an account (CSR with :attr:`starts`)."""
        self.starts = np.concatenate([[0], np.cumsum(self.size)]).astype(np.int64)
        self.holder = self.members[self.starts[:-1]].astype(np.int64)
        """Row holding each account (seat 0 until they leave the market)."""
        self.seats = np.bincount(self.account[: min(entered, n)][self.account[:entered] >= 0], minlength=m)
        """Members of each account in the market now."""
        self.aware_day = np.full(m, NO_DAY, np.int32)
        """Day the first member of each account became aware (-1: not yet)."""
        self.bought_day = np.full(m, NO_DAY, np.int32)
        """Day of each account's first order (-1: none)."""
        self.orders = np.zeros(m, np.int32)
        self.revenue = np.zeros(m, np.float64)
        """Orders and revenue (currency, contract values) of each account."""
        rule = spec.buying_rule
        self.quorum = rule.quorum
        self.veto_role = np.array([r in rule.veto_roles for r in ROLES])
        self.veto_stage = Stage(VETO_STAGES.index(rule.veto_below) + 1)
        self.internal_talk = rule.internal_talk
        """Share of the days a convinced member waiting for the committee talks to a colleague."""

    @property
    def count(self) -> int:
        """Number of accounts (entrants' accounts included)."""
        return int(self.size.size)

    def members_of(self, accounts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Member rows of ``accounts`` and, for each, its position in ``accounts``."""
        lo, hi = self.starts[accounts], self.starts[accounts + 1]
        counts = hi - lo
        owner = np.repeat(np.arange(accounts.size), counts)
        offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        return self.members[lo[owner] + offset], owner

    # ------------------------------------------------------------------ the decision
    def decide(self, state: CustomerState, checkout: np.ndarray) -> Decision:
        """Split today's checkout attempts (people whose interest crossed their buy level) into
        single decision makers and accounts whose buying rule is met (their holders go to checkout),
        convinced members who wait, and convinced members of customer accounts."""
        account = self.account[checkout]
        single = checkout[account < 0]
        members, account = checkout[account >= 0], account[account >= 0]
        customer = POST_PURCHASE.holds(state.stage[self.holder[account]])
        joining = members[customer]
        members, account = members[~customer], account[~customer]
        candidates, convinced = np.unique(account, return_counts=True)
        ready = convinced > self.quorum * self.seats[candidates]
        candidates = candidates[ready]
        if candidates.size:
            rows, owner = self.members_of(candidates)
            stage = state.stage[rows]
            won = (IN_FUNNEL.holds(stage) & (stage >= self.veto_stage)) | POST_PURCHASE.holds(stage)
            veto = self.veto_role[self.role[rows]] & ~won & ~np.isin(rows, members)
            if state.open:
                veto &= state.present[rows]
            candidates = candidates[np.bincount(owner[veto], minlength=candidates.size) == 0]
        deciding = np.zeros(self.count, bool)
        deciding[candidates] = True
        buyers = self.holder[candidates]
        if state.open:
            buyers = buyers[state.present[buyers]]
        return Decision(np.sort(np.concatenate([single, buyers])), members[~deciding[account]], joining)

    def talk_up(self, state: CustomerState, waiting: np.ndarray, talks: np.ndarray, picks: np.ndarray,
                kick: float) -> np.ndarray:
        """Internal word of mouth: convinced members ``waiting`` for their committee talk the brand up
        to one colleague each.

        Parameters
        ----------
        state : CustomerState
            Its ``interest`` rises for the colleagues who listen.
        waiting : ndarray
            Convinced members of accounts whose rule is not met (:attr:`Decision.waiting`).
        talks : ndarray
            Uniform [0, 1) per waiting member: they talk today when below :attr:`internal_talk`.
        picks : ndarray
            Uniform [0, 1) per waiting member: which of the other members of their account listens.
        kick : float
            Interest a conversation adds before the listener's social susceptibility, interest units.

        Returns
        -------
        ndarray
            The colleagues whose interest rose (one entry per conversation).
        """
        talk = talks < self.internal_talk
        talkers, picks = waiting[talk], picks[talk]
        account = self.account[talkers]
        others = self.size[account].astype(np.int64) - 1
        alone = others == 0
        talkers, picks, account, others = talkers[~alone], picks[~alone], account[~alone], others[~alone]
        seat = self.starts[account] + np.minimum((picks * others).astype(np.int64), others - 1)
        listeners = self.members[seat]
        listeners = np.where(listeners == talkers, self.members[self.starts[account] + others], listeners)
        listen = RECEPTIVE.holds(state.stage[listeners])
        if state.open:
            listen &= state.present[listeners]
        listeners = listeners[listen]
        np.add.at(state.interest, listeners, np.float32(kick) * state.traits["social_susceptibility"][listeners])
        return listeners

    # ------------------------------------------------------------------ after the decision
    def ordered(self, state: CustomerState, day: int, rows: np.ndarray, price: np.ndarray) -> np.ndarray:
        """Book the orders of ``rows`` (``price``: currency per order) on their accounts; return the
        members who become customers with their account: prospects in the market other than the
        one who ordered (everyone after a first order, or after a lapsed account was won back)."""
        account = self.account[rows]
        mine = account >= 0
        account, price = account[mine], price[mine]
        if account.size == 0:
            return np.empty(0, np.int64)
        np.add.at(self.orders, account, 1)
        np.add.at(self.revenue, account, price)
        new = account[self.bought_day[account] == NO_DAY]
        self.bought_day[new] = day
        members, _ = self.members_of(account)
        follow = PROSPECTS.holds(state.stage[members]) & ~np.isin(members, rows[mine])
        if state.open:
            follow &= state.present[members]
        return members[follow]

    def lapsing(self, state: CustomerState, holders: np.ndarray) -> np.ndarray:
        """Members (active customers, not holders) of the accounts whose holders lapse."""
        account = self.account[holders]
        account = account[(account >= 0) & (self.holder[np.maximum(account, 0)] == holders)]
        members, _ = self.members_of(account)
        return members[POST_PURCHASE.holds(state.stage[members]) & (self.holder[self.account[members]] != members)]

    def became_aware(self, day: int, rows: np.ndarray) -> None:
        """``rows`` moved to a stage at least aware on ``day``: their accounts' first awareness."""
        account = self.account[rows]
        account = account[account >= 0]
        self.aware_day[account[self.aware_day[account] == NO_DAY]] = day

    def entered(self, state: CustomerState, rows: np.ndarray) -> None:
        """Entrants ``rows`` take their seats; an account whose holder has left the market (before
        any other member entered, so nobody took it over) is held by its first entrant."""
        account = self.account[rows]
        mine = account >= 0
        np.add.at(self.seats, account[mine], 1)
        seated, account = rows[mine], account[mine]
        vacant = ~state.present[self.holder[account]]
        held, first = np.unique(account[vacant], return_index=True)
        self.holder[held] = seated[vacant][first]

    def left(self, state: CustomerState, rows: np.ndarray) -> np.ndarray:
        """Leavers ``rows`` give up their seats; an account whose holder left is held by its next
        member in the market who is a customer (a member who lapsed or switched to a rival does not
        take the contract over), or by its next member in the market if none is. Returns the new
        holders of customer accounts (who need a clock and a repurchase level)."""
        account = self.account[rows]
        mine = account >= 0
        np.add.at(self.seats, account[mine], -1)
        orphaned = account[mine][self.holder[account[mine]] == rows[mine]]
        if orphaned.size == 0:
            return np.empty(0, np.int64)
        members, owner = self.members_of(orphaned)
        here = state.present[members]
        customer = POST_PURCHASE.holds(state.stage[members])
        none = np.iinfo(np.int64).max
        first = np.full(orphaned.size, none, np.int64)
        np.minimum.at(first, owner[here & customer], members[here & customer])  # the lowest customer in the market
        other = np.full(orphaned.size, none, np.int64)
        np.minimum.at(other, owner[here], members[here])  # or, if none is a customer, the lowest row in the market
        first = np.where(first < none, first, other)
        kept = first < none
        self.holder[orphaned[kept]] = first[kept]
        new = first[kept]
        return new[POST_PURCHASE.holds(state.stage[new])]

    # ------------------------------------------------------------------ reports
    def days_to_purchase(self) -> np.ndarray:
        """Days from an account's first awareness to its first order (NaN: it has not bought)."""
        days = (self.bought_day - self.aware_day).astype(np.float64)
        days[self.bought_day == NO_DAY] = np.nan
        return days

    def summary(self, entered: int) -> dict:
        """Accounts that entered by the end of the run: how many, mean committee size, share that
        bought, orders, revenue, and per committee size the accounts, share bought and median
        days from first awareness to first order."""
        seen = np.zeros(self.count, bool)
        seen[self.account[:entered][self.account[:entered] >= 0]] = True
        size, bought, days = self.size[seen], self.bought_day[seen] != NO_DAY, self.days_to_purchase()[seen]
        by_size = {}
        for k in np.unique(size):
            at = size == k
            won = days[at & bought]
            by_size[str(int(k))] = {"accounts": int(at.sum()), "bought_share": float(bought[at].mean()),
                                    "median_days_to_purchase": float(np.median(won)) if won.size else None}
        return {"accounts": int(seen.sum()), "mean_committee_size": float(size.mean()) if size.size else None,
                "bought_share": float(bought.mean()) if size.size else None,
                "orders": int(self.orders[seen].sum()), "revenue": float(self.revenue[seen].sum()),
                "by_committee_size": by_size}
