"""The compiled refresh of derived rates (:meth:`journeysim.sim.rates.Rates.refresh`).

One pass over the rows to refresh does what a chain of about forty numpy calls did, with the
same result to the bit: every product, sum, clip and rounding in float32 as numpy computes
it. The two transcendental parts stay in numpy, computed before the pass on the rows' own
values (numpy's SIMD ``exp`` and ``power`` round differently from the compiled ones): the
price factor (:meth:`~journeysim.sim.pricing.Pricing.factor`) and the churn factor
(:func:`~journeysim.sim.satisfaction.churn_factor`). ``tests/test_kernels.py`` checks the pass
against the numpy rules of :mod:`journeysim.sim.satisfaction` and :mod:`journeysim.sim.stages`.
"""

from __future__ import annotations

import numba
import numpy as np

from journeysim.sim.stages import Stage

_ONE, _ZERO = np.float32(1.0), np.float32(0.0)
_REPURCHASE_LOW, _REPURCHASE_HIGH = np.float32(0.1), np.float32(2.0)  # satisfaction_factor's clip
_SURVEY_BASE, _SURVEY_SLOPE = np.float32(8.0), np.float32(3.0)  # survey_category's score
_NO_FLOOR = np.float32(-np.inf)
_DECIDING, _LOYAL = int(Stage.DECIDING), int(Stage.LOYAL)
_FIRST_POST, _LAST_POST = int(Stage.CUSTOMER), int(Stage.ADVOCATE)  # POST_PURCHASE
_FIRST_FALLING, _LAST_FALLING = int(Stage.AWARE), int(Stage.DECIDING)  # FALLING_BACK
_ORDER_SLOT = 3  # levels' slot of the next order (journeysim.sim.state.ORDER_SLOT)


@numba.njit(cache=True, nogil=True)
def refresh_rates(rows: np.ndarray, stage: np.ndarray, satisfaction: np.ndarray, levels: np.ndarray,
                  price_factor: np.ndarray, churn: np.ndarray, traits: tuple, market: tuple,
                  talk_by_stage: np.ndarray, dissatisfied_talk: np.float32, customer_talk: np.ndarray,
                  rates: tuple) -> None:
    """Write the derived rates of ``rows`` (see :meth:`journeysim.sim.rates.Rates.refresh`).

    Parameters
    ----------
    rows : ndarray of int64
        Rows to refresh (in the market).
    stage, satisfaction, levels : ndarray
        Every row's stage code, satisfaction and funnel levels (shape (4, rows)).
    price_factor, churn : ndarray of float32
        Aligned with ``rows``: the price factor (read for deciding prospects and active
        customers) and the churn factor ``exp(-2 s)``.
    traits : tuple of ndarray
        Every row's ``interest_decay``, ``repurchase_rate``, ``churn_propensity`` and ``advocacy``.
    market : tuple of float32
        ``market.fallback``, the repurchase scale, ``market.advocate_satisfaction`` and the
        advocacy divisor ``max(1 - advocate_satisfaction, 1e-9)``.
    talk_by_stage, dissatisfied_talk, customer_talk : ndarray, float32, ndarray
        Talk weights by stage, of dissatisfied customers, and per customer (empty: none).
    rates : tuple of ndarray
        The arrays written: ``next_level``, ``floor_level``, ``keep``, ``drift``, ``hazard``, ``talk``.
    """
    decay, repurchase_rate, churn_propensity, advocacy = traits
    fallback, repurchase_scale, bar, bar_divisor = market
    next_level, floor_level, keep, drift, hazard, talk = rates
    scoped_talk = customer_talk.size > 0
    for k in range(rows.size):
        i = rows[k]
        st = np.int64(stage[i])
        sat = satisfaction[i]
        post = _FIRST_POST <= st <= _LAST_POST
        level = levels[min(st, _ORDER_SLOT), i]
        if st == _DECIDING:  # funnel.purchase_level: the purchase step scaled by price
            deciding = levels[_DECIDING - 1, i]
            level = deciding + (levels[_ORDER_SLOT, i] - deciding) * price_factor[k]
        elif post:  # the repurchase decision
            level = level * price_factor[k]
        next_level[i] = level
        floor = _NO_FLOOR
        if _FIRST_FALLING <= st <= _LAST_FALLING:
            floor = fallback * levels[st - 1, i]
        floor_level[i] = floor
        if post:
            keep[i] = _ONE
            repurchase = min(max(_ONE + sat, _REPURCHASE_LOW), _REPURCHASE_HIGH)  # satisfaction_factor
            drift[i] = repurchase_rate[i] * repurchase * repurchase_scale
            h = churn_propensity[i] * churn[k]
            if st == _LOYAL:
                h = h + advocacy[i] * min(max((sat - bar) / bar_divisor, _ZERO), _ONE)  # advocacy_factor
            hazard[i] = h
        else:
            keep[i] = _ONE - decay[i]
            drift[i] = _ZERO
            hazard[i] = _ZERO
        t = dissatisfied_talk if post and sat < _ZERO else talk_by_stage[st]
        if scoped_talk:
            t = t * customer_talk[i]
        talk[i] = min(max(t, -_ONE), _ONE)


@numba.njit(cache=True, nogil=True)
def survey_answers(rows: np.ndarray, satisfaction: np.ndarray, bias: np.ndarray, purchases: np.ndarray,
                   category: np.ndarray) -> tuple[int, int]:
    """Update the NPS survey category of the buyers among ``rows``
    (:func:`journeysim.sim.satisfaction.survey_category`) and return the change in promoters and
    in detractors. Every old category is read before any is written, as numpy's gather then
    scatter does (a row listed twice counts twice)."""
    new = np.zeros(rows.size, np.int8)
    promoters = detractors = 0
    for k in range(rows.size):
        i = rows[k]
        if purchases[i] <= 0:
            continue
        score = np.rint(_SURVEY_BASE + _SURVEY_SLOPE * satisfaction[i] + bias[i])
        new[k] = 1 if score >= 9 else (-1 if score <= 6 else 0)
        old = category[i]
        promoters += (new[k] == 1) - (old == 1)
        detractors += (new[k] == -1) - (old == -1)
    for k in range(rows.size):
        if purchases[rows[k]] > 0:
            category[rows[k]] = new[k]
    return promoters, detractors


_LOYAL_FIRST, _LOYAL_LAST = int(Stage.LOYAL), int(Stage.ADVOCATE)  # LOYAL_STAGES
_TINY = np.float32(1e-9)


@numba.njit(cache=True, nogil=True)
def price_terms(rows: np.ndarray, stage: np.ndarray, satisfaction: np.ndarray, sensitivity: np.ndarray,
                memory: np.ndarray, list_price: np.ndarray, discount: np.ndarray,
                rule: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The bases and exponents of :meth:`journeysim.sim.pricing.Pricing.factor` for ``rows``, in
    float32 as numpy computes them: ``ratio ** beta * deal ** deal_beta`` is the factor (the two
    powers stay in numpy, whose SIMD ``power`` rounds differently from a compiled one).

    Parameters
    ----------
    rows : ndarray of int64
        Customers.
    stage, satisfaction, sensitivity : ndarray
        Their stage codes, satisfaction and ``price_sensitivity``, aligned with ``rows``.
    memory : ndarray of float32
        Every customer's price memory (currency per order).
    list_price, discount : ndarray of float32
        The offered list price and discount of each of ``rows``, or one for all (length 1).
    rule : tuple of float32
        ``scale``, ``loyal_sensitivity``, ``premium``, the outside option's part of the reference
        price ``(1 - memory weight) * reference``, the memory weight and ``deal_ratio``.

    Returns
    -------
    ratio, beta, deal, deal_beta : ndarray of float32
    """
    scale, loyal_scale, premium, outside, weight, deal_ratio = rule
    n = rows.size
    ratio, beta = np.empty(n, np.float32), np.empty(n, np.float32)
    deal, deal_beta = np.empty(n, np.float32), np.empty(n, np.float32)
    one_price, one_discount = list_price.size == 1, discount.size == 1
    for k in range(n):
        b = scale * sensitivity[k]  # Pricing.sensitivity
        if _LOYAL_FIRST <= stage[k] <= _LOYAL_LAST:
            b = b * loyal_scale
        s = satisfaction[k]
        expected = (outside + weight * memory[rows[k]]) * (_ONE + premium * s * s * s)  # reference * premium
        ratio[k] = list_price[0 if one_price else k] / max(expected, _TINY)
        deal[k] = _ONE - discount[0 if one_discount else k]
        beta[k] = b
        deal_beta[k] = b * deal_ratio
    return ratio, beta, deal, deal_beta
