"""Journey stages: the ``Stage`` enum, the named stage groups and the transition rules.

This is the one module that changes a customer's stage (:func:`move`, :func:`set_stage`).
Phases decide *who* moves; the rules below say *where to*; the step applies the moves here
and then books them (flows, journey log) and refreshes the movers' derived rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from journeysim.sim.state import CustomerState


class Stage(IntEnum):
    """Journey stages; the value is the code stored in the ``stage`` array (int8)."""

    UNAWARE = 0
    AWARE = 1
    CONSIDERING = 2
    DECIDING = 3
    CUSTOMER = 4
    LOYAL = 5
    ADVOCATE = 6
    LAPSED = 7

    @property
    def label(self) -> str:
        """Lower-case name used in configs, tables and figures."""
        return self.name.lower()


STAGE_NAMES: tuple[str, ...] = tuple(stage.label for stage in Stage)
"""Stage labels in code order (``STAGE_NAMES[code]``)."""


class StageGroup:
    """A named set of stages, with a lookup table for stage-code arrays.

    Parameters
    ----------
    name : str
        What the group means (used in messages and docs).
    stages : Stage
        Its members.
    """

    def __init__(self, name: str, *stages: Stage) -> None:
        self.name = name
        self.stages: tuple[Stage, ...] = tuple(sorted(Stage(s) for s in stages))
        mask = np.zeros(len(Stage), bool)
        mask[list(self.stages)] = True
        mask.flags.writeable = False
        self.mask = mask
        """``mask[code]`` is True for members (index it with a stage array)."""

    def holds(self, stage: np.ndarray) -> np.ndarray:
        """Boolean array: which entries of the stage-code array ``stage`` are in the group."""
        return self.mask[stage]

    def count(self, counts: np.ndarray) -> np.ndarray:
        """Customers in the group from per-stage ``counts`` (last axis: the 8 stages)."""
        return counts[..., self.mask].sum(axis=-1)

    @property
    def codes(self) -> list[int]:
        """Member stage codes, ascending (for fancy indexing)."""
        return [int(s) for s in self.stages]

    def __iter__(self):
        return iter(self.stages)

    def __len__(self) -> int:
        return len(self.stages)

    def __contains__(self, stage: object) -> bool:
        return stage in self.stages

    def __repr__(self) -> str:
        return f"StageGroup({self.name!r}, {', '.join(s.label for s in self.stages)})"


IN_FUNNEL = StageGroup("in the funnel", Stage.UNAWARE, Stage.AWARE, Stage.CONSIDERING, Stage.DECIDING)
"""Prospects who have not bought (or not since lapsing): interest moves them along the levels."""

POST_PURCHASE = StageGroup("post-purchase", Stage.CUSTOMER, Stage.LOYAL, Stage.ADVOCATE)
"""Active customers: they repurchase, may become advocates, and may lapse."""

PROSPECTS = StageGroup("prospects", *IN_FUNNEL, Stage.LAPSED)
"""Everyone who is not an active customer; a purchase makes them customers."""

LOYAL_STAGES = StageGroup("loyal", Stage.LOYAL, Stage.ADVOCATE)
"""Loyal customers and advocates: less price sensitive in choosing the brand."""

RECEPTIVE = PROSPECTS
"""Stages in which a conversation changes interest (prospects and lapsed customers)."""

EVALUATING = StageGroup("evaluating", Stage.CONSIDERING, Stage.DECIDING)
"""Prospects weighing the offer: the public review score scales what moves them."""

FALLING_BACK = StageGroup("can fall back", Stage.AWARE, Stage.CONSIDERING, Stage.DECIDING)
"""Funnel stages a customer can fall back from when interest decays below the fallback level."""

CONVERSION_FUNNEL = StageGroup("conversion funnel", Stage.AWARE, Stage.CONSIDERING, Stage.DECIDING,
                               Stage.CUSTOMER)
"""The stages of the reported funnel (ever reached), in order."""

FUNNEL_LEVELS = 3
"""Interest levels a prospect crosses to be aware, considering and deciding (``levels[0:3]``)."""


# ---------------------------------------------------------------------- transition rules
WIN_BACK_STAGE = Stage.CONSIDERING
"""Where a lapsed customer whose interest crossed the win-back level goes."""

ABANDON_STAGE = Stage.CONSIDERING
"""Where a prospect who abandons the cart goes."""


def forward(held: np.ndarray, stage: np.ndarray) -> np.ndarray:
    """Funnel stage after interest rose: the levels held, never below the current stage
    (a strong push can cross several levels in a day: a skip)."""
    return np.maximum(held, stage)


def fall_back(held: np.ndarray, stage: np.ndarray) -> np.ndarray:
    """Funnel stage after interest fell below the fallback level: the levels still held
    (at the fallback share), at least one stage back, never below unaware."""
    return np.maximum(np.minimum(held, stage - 1), 0)


def after_purchase(stage: np.ndarray, purchases: np.ndarray, satisfaction: np.ndarray,
                   loyal_after: int) -> np.ndarray:
    """Stage after an order: prospects become customers; a customer with at least
    ``loyal_after`` orders who is not dissatisfied (satisfaction >= 0) becomes loyal."""
    new = np.where(PROSPECTS.holds(stage), Stage.CUSTOMER, stage).astype(np.int8)
    upgrade = (stage == Stage.CUSTOMER) & (purchases >= loyal_after) & (satisfaction >= 0)
    new[upgrade] = Stage.LOYAL
    return new


def after_clock(advocate: np.ndarray) -> np.ndarray:
    """Stage of post-purchase customers whose clock rang: advocate, or else lapsed."""
    return np.where(advocate, Stage.ADVOCATE, Stage.LAPSED).astype(np.int8)


def after_switch(n: int) -> np.ndarray:
    """Stage of ``n`` active customers who bought a competitor instead of reordering: lapsed."""
    return np.full(n, Stage.LAPSED, np.int8)


def with_account(n: int) -> np.ndarray:
    """Stage of ``n`` members of a B2B account that has just ordered: customers (the account's
    order is theirs; see :mod:`journeysim.sim.accounts`)."""
    return np.full(n, Stage.CUSTOMER, np.int8)


def waiting_for_committee(stage: np.ndarray) -> np.ndarray:
    """Stage of convinced members of an account whose buying rule is not met: deciding (they
    crossed their buy level and wait for the committee)."""
    return forward(np.full(stage.size, Stage.DECIDING, np.int8), stage)


def replaced(n: int) -> np.ndarray:
    """Stage of ``n`` people replaced by a newcomer in their seat (a champion who left their
    account): unaware (the newcomer does not know the brand)."""
    return np.full(n, Stage.UNAWARE, np.int8)


def next_level_slot(stage: np.ndarray) -> np.ndarray:
    """Slot of ``levels`` holding the next interest level at each stage: the entry level of
    the next funnel stage, then slot 3 (see :data:`journeysim.sim.state.ORDER_SLOT`)."""
    return np.minimum(stage, FUNNEL_LEVELS)


# ---------------------------------------------------------------------- the one writer
@dataclass
class StageChange:
    """Customers whose stage changed: row, old and new stage codes (int8)."""

    rows: np.ndarray
    old: np.ndarray
    new: np.ndarray

    @classmethod
    def none(cls) -> StageChange:
        """No change."""
        e = np.empty(0, np.int8)
        return cls(np.empty(0, np.int64), e, e)


def move(state: CustomerState, rows: np.ndarray, stages: np.ndarray) -> StageChange:
    """Set the stage of ``rows`` to ``stages`` and mark the stage reached.

    Returns only the customers whose stage actually changed.
    """
    if rows.size == 0:
        return StageChange.none()
    old = state.stage[rows]
    changed = old != stages
    rows, old, new = rows[changed], old[changed], stages[changed]
    if rows.size == 0:
        return StageChange.none()
    state.stage[rows] = new
    state.reached[rows] |= np.left_shift(np.uint8(1), new.astype(np.uint8))
    return StageChange(rows, old, new)


def set_stage(state: CustomerState, rows: np.ndarray | int, stage: Stage | int) -> None:
    """Put ``rows`` in ``stage`` directly (the agent facade, tests and hand-made states):
    no flows are counted and no derived rate is refreshed."""
    state.stage[rows] = int(stage)
