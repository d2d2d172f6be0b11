"""Per-customer state as a struct of numpy arrays (one row per customer)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from journeysim.sim.stages import Stage

FUNNEL_STEPS = ("aware", "considering", "deciding", "purchase")
"""The interest levels a prospect crosses, in order; slot k of ``levels``."""

ORDER_SLOT = len(FUNNEL_STEPS) - 1
"""Slot of ``levels`` holding the interest level of the next order. Its meaning follows the
stage: for prospects the **buy level** (deciding level plus the purchase step, at list price),
for active customers the **repurchase level**, for lapsed customers the **win-back level**.
Read and write it through :attr:`CustomerState.buy_level`, :attr:`~CustomerState.repurchase_level`
and :attr:`~CustomerState.winback_level`, which name the meaning at the point of use."""

NO_TOUCH = -1
"""``last_touch`` of a customer no discrete touchpoint has reached."""

DAY = np.uint16
"""Dtype of per-customer days that are never negative (0 .. ``days``): a run has at most 36,500
days (``days`` in :mod:`~journeysim.sim.schema.run`), which uint16 holds in 2 bytes a customer."""


def signed_days(days: int) -> type[np.signedinteger]:
    """Dtype of per-customer days of a run of ``days`` days that may be -1 (never): int16 when
    every day fits it (``days`` up to 32,767), else int32."""
    return np.int16 if days <= np.iinfo(np.int16).max else np.int32


def row_numbers(rows: int) -> type[np.signedinteger]:
    """Dtype of per-customer row numbers (-1: none) among ``rows`` rows: int32 when every row
    fits it, else int64."""
    return np.int32 if rows <= np.iinfo(np.int32).max else np.int64


def funnel_widths(means: dict[str, float], scale: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw each customer's interest needed per funnel step (exponential around the mean).

    Parameters
    ----------
    means : dict
        Mean interest per step (``market.thresholds``); 0 removes the step.
    scale : ndarray
        Per-customer multiplier (persona ``threshold_scale``).
    rng : Generator
        Population stream.

    Returns
    -------
    ndarray, shape (4, n)
        Widths of the aware, considering, deciding and purchase steps.
    """
    widths = rng.standard_exponential((len(FUNNEL_STEPS), scale.size), dtype=np.float32)
    for k, step in enumerate(FUNNEL_STEPS):
        widths[k] *= np.float32(means[step]) * scale
    return widths


def entry_levels(widths: np.ndarray) -> np.ndarray:
    """Cumulative interest at which each funnel stage is entered.

    A step of zero width is not a stage of its own: it is entered together with the
    next step (the Bass scenario has only unaware and adopted).
    """
    levels = np.cumsum(widths, axis=0)
    for k in range(len(FUNNEL_STEPS) - 2, -1, -1):
        empty = widths[k] == 0
        levels[k, empty] = levels[k + 1, empty]
    return levels


@dataclass
class CustomerState:
    """All per-customer arrays. ``Customer`` agents and every phase read and write these.

    Units: interest and levels are dimensionless (accumulated effect); rates and hazards
    are per day; days are integers since the start (-1 = never). ``days`` is the length of the
    run (None: any length); it sets the dtype of ``last_abandon`` (:func:`signed_days`).
    """

    stage: np.ndarray
    persona: np.ndarray
    traits: dict[str, np.ndarray]
    interest: np.ndarray
    levels: np.ndarray
    satisfaction: np.ndarray
    survey_bias: np.ndarray
    days: int | None = None
    next_level: np.ndarray = field(init=False)
    floor_level: np.ndarray = field(init=False)
    keep: np.ndarray = field(init=False)
    drift: np.ndarray = field(init=False)
    hazard: np.ndarray = field(init=False)
    clock: np.ndarray = field(init=False)
    clock_threshold: np.ndarray = field(init=False)
    talk: np.ndarray = field(init=False)
    purchases: np.ndarray = field(init=False)
    last_purchase: np.ndarray = field(init=False)
    last_touch: np.ndarray = field(init=False)
    last_abandon: np.ndarray = field(init=False)
    reached: np.ndarray = field(init=False)
    present: np.ndarray = field(init=False)
    entered: int = field(init=False)
    open: bool = field(init=False)

    def __post_init__(self) -> None:
        n = self.stage.size
        self.next_level = np.zeros(n, np.float32)
        self.floor_level = np.full(n, -np.inf, np.float32)
        self.keep = np.ones(n, np.float32)
        self.drift = np.zeros(n, np.float32)
        self.hazard = np.zeros(n, np.float32)
        self.clock = np.zeros(n, np.float32)
        self.clock_threshold = np.full(n, np.inf, np.float32)
        self.talk = np.zeros(n, np.float32)
        self.purchases = np.zeros(n, np.int32)
        self.last_purchase = np.full(n, -1, np.int32)
        self.last_touch = np.full(n, NO_TOUCH, np.int8)
        days = np.int32 if self.days is None else signed_days(self.days)
        self.last_abandon = np.full(n, -1, days)  # day of the last cart abandonment
        self.reached = np.ones(n, np.uint8)  # bit k set: the customer has been in stage k
        self.present = np.ones(n, bool)  # in the market now (open population: sim/turnover.py)
        self.entered = n  # rows in use: rows from here on are people yet to enter
        self.open = False  # people may enter or leave (phases then check ``present``)

    def reserve(self, entered: int) -> None:
        """Only the first ``entered`` rows are in the market; the others are people yet to enter
        (not present, inert until they enter)."""
        self.entered = int(entered)
        self.open = True
        self.present[entered:] = False
        self.make_inert(np.arange(entered, self.size))

    def make_inert(self, rows: np.ndarray) -> None:
        """``rows`` are out of the market: no interest, no level to cross, no drift, no clock, no talk."""
        self.interest[rows] = 0.0
        self.next_level[rows] = np.inf
        self.floor_level[rows] = -np.inf
        self.keep[rows] = 1.0
        self.drift[rows] = 0.0
        self.hazard[rows] = 0.0
        self.clock_threshold[rows] = np.inf
        self.talk[rows] = 0.0

    def entry_level(self, stage: Stage) -> np.ndarray:
        """Interest at which a prospect enters funnel ``stage`` (aware, considering or deciding):
        a view of ``levels`` to index by row."""
        if not Stage.AWARE <= stage <= Stage.DECIDING:
            raise ValueError(f"no entry level for stage {Stage(stage).label}")
        return self.levels[stage - 1]

    @property
    def buy_level(self) -> np.ndarray:
        """Prospects: interest at which they buy at list price (view of ``levels[ORDER_SLOT]``)."""
        return self.levels[ORDER_SLOT]

    @property
    def repurchase_level(self) -> np.ndarray:
        """Active customers: interest at which they order again (view of ``levels[ORDER_SLOT]``)."""
        return self.levels[ORDER_SLOT]

    @property
    def winback_level(self) -> np.ndarray:
        """Lapsed customers: interest at which they consider again (view of ``levels[ORDER_SLOT]``)."""
        return self.levels[ORDER_SLOT]

    @property
    def size(self) -> int:
        """Number of rows: everyone who is, was or may be in the market during the run (the
        initial population, plus room for entrants when the population is open)."""
        return int(self.stage.size)

    @property
    def in_market(self) -> int:
        """People in the market now."""
        return int(self.present[: self.entered].sum()) if self.open else self.size

    def stage_counts(self) -> np.ndarray:
        """Customers in the market per stage (length 8)."""
        stage = self.stage[self.present] if self.open else self.stage
        return np.bincount(stage, minlength=len(Stage))

    def nbytes(self) -> int:
        """Memory held by the arrays, bytes."""
        arrays = [v for v in vars(self).values() if isinstance(v, np.ndarray)]
        return sum(a.nbytes for a in arrays) + sum(a.nbytes for a in self.traits.values())
