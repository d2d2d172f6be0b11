"""Satisfaction: every rule that changes a customer's satisfaction, and what it drives.

Satisfaction is a number per customer from -1 (angry) through 0 (neutral) to 1 (delighted).
This is the one module that writes ``state.satisfaction``:

* an order sets it from perceived quality against expectation (:func:`after_order`);
* the service layer's changes (late delivery, support waits, abandoned and unresolved contacts
  lower it; a resolved complaint gives part of the loss back) are added by :func:`apply_penalties`,
  with the curves :func:`delivery_penalty` and :func:`wait_penalty` and the contact outcomes of
  :func:`contact_change`. Delays the firm controls (support queues, the warehouse backlog) weigh
  ``in_control_factor`` times more than the carrier's (Taylor 1995: delays hurt most when the firm
  seems in control). A resolution gives back only a share (``recovery_share`` < 1) of what the
  failure cost, so recovery never leaves a customer better off than no failure (de Matos,
  Henrique and Rossi 2007: no recovery paradox for repurchase);
* the agent facade and hand-made states set it directly (:func:`set_satisfaction`).

It also holds what satisfaction drives: the repurchase, churn and advocacy multipliers read by
:mod:`journeysim.sim.rates`, the simulated survey score behind NPS, and the public review score
(:class:`Reviews`) that scales how evaluating prospects respond to media and word of mouth.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from journeysim.sim.stages import EVALUATING

if TYPE_CHECKING:
    from journeysim.sim.state import CustomerState

REVIEW_MEMORY = 200.0
"""Number of recent reviews the public review score effectively averages."""


# ---------------------------------------------------------------------- the writers
def perceived_satisfaction(quality: np.ndarray, expectation: np.ndarray) -> np.ndarray:
    """Satisfaction from one order: twice the gap of perceived quality over expectation, in [-1, 1]."""
    return np.clip(2.0 * (quality - expectation), -1.0, 1.0).astype(np.float32)


def after_order(state: CustomerState, rows: np.ndarray, first: np.ndarray,
                quality: np.ndarray) -> np.ndarray:
    """Set the satisfaction of buyers ``rows`` after an order of perceived ``quality``.

    A first order sets it to the experience; a repeat order averages the new experience with
    the old (weight 1/2). Returns the new satisfaction of ``rows`` (float32).
    """
    experienced = perceived_satisfaction(quality, state.traits["quality_expectation"][rows])
    old = state.satisfaction[rows]
    satisfaction = np.where(first, experienced, 0.5 * (old + experienced)).astype(np.float32)
    state.satisfaction[rows] = satisfaction
    return satisfaction


def apply_penalties(state: CustomerState, customers: np.ndarray, delta: np.ndarray) -> None:
    """Add the service layer's satisfaction changes ``delta`` (summed per customer; negative
    for penalties, positive for a recovery) to ``customers``, keeping satisfaction within [-1, 1]."""
    np.add.at(state.satisfaction, customers, delta)
    np.clip(state.satisfaction, -1.0, 1.0, out=state.satisfaction)


def set_satisfaction(state: CustomerState, rows: np.ndarray | int, value: float | np.ndarray) -> None:
    """Set satisfaction directly (the agent facade, tests and hand-made states)."""
    state.satisfaction[rows] = value


# ---------------------------------------------------------------------- service penalty curves
def wait_penalty(wait_days: np.ndarray, curve: Mapping[str, Any]) -> np.ndarray:
    """Satisfaction lost (>= 0) for support waits of ``wait_days`` days.

    ``linear``: ``per_day * wait``; ``logistic``: a logistic in wait centred on
    ``midpoint_days`` with slope ``steepness_per_day``, shifted and scaled to be 0 at no wait
    and to approach ``max``. Both are non-decreasing and capped at ``max``.
    """
    wait = np.maximum(np.asarray(wait_days, dtype=np.float64), 0.0)
    cap = float(curve["max"])
    if curve.get("shape", "linear") == "linear":
        penalty = float(curve["per_day"]) * wait
    else:
        steepness, midpoint = float(curve["steepness_per_day"]), float(curve["midpoint_days"])
        at_zero = _logistic(-steepness * midpoint)
        penalty = cap * (_logistic(steepness * (wait - midpoint)) - at_zero) / (1.0 - at_zero)
    return np.clip(penalty, 0.0, cap)


def delivery_penalty(delivery_days: np.ndarray, curve: Mapping[str, Any],
                     backlog_days: np.ndarray | float = 0.0, in_control: float = 1.0) -> np.ndarray:
    """Satisfaction lost (>= 0): ``per_day`` per day beyond ``promised_days``, capped at ``max``.

    Late days up to ``backlog_days`` (the order waited in the firm's warehouse) count
    ``in_control`` times; the rest (the carrier's transit) once.
    """
    late_days = np.maximum(np.asarray(delivery_days, np.float64) - curve["promised_days"], 0.0)
    firm_days = np.minimum(late_days, np.maximum(backlog_days, 0.0))
    weighted = late_days + (in_control - 1.0) * firm_days
    return np.minimum(float(curve["per_day"]) * weighted, float(curve["max"]))


def contact_change(kinds: np.ndarray, waits: np.ndarray, recovery: np.ndarray, config: Any) -> np.ndarray:
    """Satisfaction change of finished support contacts (float64, one per contact).

    Parameters
    ----------
    kinds : numpy.ndarray
        Outcome codes of :mod:`journeysim.sim.contacts` (resolved, abandoned, unresolved, deflected).
    waits : numpy.ndarray
        Total days each contact waited in queues.
    recovery : numpy.ndarray
        Satisfaction a full recovery of the contact's failure gives back (0 for "where is my order").
    config : ServiceSpec
        ``wait_penalty``, ``in_control_factor``, ``abandon_penalty``, ``unresolved_penalty``,
        ``recovery_share``.

    Returns
    -------
    numpy.ndarray
        ``-in_control * wait_penalty(wait)``, minus ``abandon_penalty`` or ``unresolved_penalty``
        for those outcomes, plus ``recovery_share * recovery`` for resolved or deflected ones.
    """
    from journeysim.sim.contacts import ABANDONED, DEFLECTED, RESOLVED, UNRESOLVED

    kinds = np.asarray(kinds)
    change = -config.in_control_factor * wait_penalty(waits, config.wait_penalty)
    change -= np.where(kinds == ABANDONED, config.abandon_penalty, 0.0)
    change -= np.where(kinds == UNRESOLVED, config.unresolved_penalty, 0.0)
    recovered = (kinds == RESOLVED) | (kinds == DEFLECTED)
    return change + np.where(recovered, config.recovery_share * np.asarray(recovery, np.float64), 0.0)


def _logistic(x: np.ndarray | float) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=np.float64)))


# ---------------------------------------------------------------------- what satisfaction drives
def satisfaction_factor(satisfaction: np.ndarray) -> np.ndarray:
    """Multiplier of the repurchase rate: 1 at neutral satisfaction, 2 delighted, 0.1 angry."""
    return np.clip(1.0 + satisfaction, 0.1, 2.0)


def churn_factor(satisfaction: np.ndarray) -> np.ndarray:
    """Multiplier of the lapse hazard: e^{-2 s}, so angry customers lapse ~7x faster."""
    return np.exp(-2.0 * satisfaction)


def advocacy_factor(satisfaction: np.ndarray, bar: float) -> np.ndarray:
    """Share of the advocacy hazard a loyal customer has: 0 below ``bar``, 1 delighted."""
    return np.clip((satisfaction - bar) / max(1.0 - bar, 1e-9), 0.0, 1.0)


def survey_category(satisfaction: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """NPS survey answer category: score = clip(round(8 + 3 s + bias), 0, 10); +1 promoter
    (9-10), -1 detractor (0-6), 0 passive (int8)."""
    score = np.clip(np.rint(8.0 + 3.0 * satisfaction + bias), 0, 10)
    return np.where(score >= 9, 1, np.where(score <= 6, -1, 0)).astype(np.int8)


class Reviews:
    """The public review score: a running mean of recent buyers' satisfaction.

    Parameters
    ----------
    weight : float
        ``market.review_weight``: how strongly the score scales evaluating prospects' response.
    """

    def __init__(self, weight: float) -> None:
        self.weight = float(weight)
        self.satisfaction = 0.0
        """Running mean of recent buyers' satisfaction (-1..1)."""
        self.multiplier = 1.0
        """Factor on media and word-of-mouth effects for evaluating prospects (>= 0)."""

    def add(self, satisfaction: np.ndarray) -> None:
        """Today's buyers review: move the score toward their mean satisfaction."""
        weight = min(1.0, satisfaction.size / REVIEW_MEMORY)
        self.satisfaction += weight * (float(satisfaction.mean()) - self.satisfaction)
        self.multiplier = max(0.0, 1.0 + self.weight * self.satisfaction)

    @property
    def stars(self) -> float:
        """The score on a 1-5 star scale (3 at neutral satisfaction)."""
        return 3.0 + 2.0 * self.satisfaction

    def factor(self, stage: np.ndarray) -> np.ndarray | float:
        """Per-customer factor for customers in ``stage`` (codes): the multiplier for those
        evaluating (considering or deciding), 1 for everyone else."""
        if self.multiplier == 1.0:
            return 1.0
        return np.where(EVALUATING.holds(stage), np.float32(self.multiplier), np.float32(1.0))
