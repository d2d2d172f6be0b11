"""Brand choice among the brands a customer considers: a multinomial logit (Guadagni and Little 1983).

At a purchase occasion customer *i* picks brand *j* of their consideration set with probability
``exp(V_ij) / sum_k exp(V_ik)``, where

.. math::

    V_{ij} = -\\beta_i\\,\\gamma_P \\ln p_j + \\gamma_Q q_j + \\gamma_R (r_j - 3)
             + \\gamma_S s_{ij} + \\gamma_I L_{ij} + b_{ij}

* ``p_j`` is the brand's offered price (currency per order) and ``beta_i`` the customer's price
  sensitivity (``market.pricing.scale`` x persona ``price_sensitivity``, lower for our loyal
  customers, :meth:`journeysim.sim.pricing.Pricing.sensitivity`); ``gamma_P`` is
  ``competition.choice.price``. Only price *differences* between brands matter in a logit, so the
  reference price drops out of the choice (it still sets *whether* and *when* our prospects buy,
  through the price factor of :mod:`journeysim.sim.pricing`).
* ``q_j`` the brand's mean quality (0..1), ``r_j`` its public review score (1..5 stars).
* ``s_ij`` the customer's satisfaction with the brand if they bought it before (-1..1), else 0.
* ``L_ij = 1 - m^n`` the loyalty to the last brand bought after ``n`` orders of it in a row
  (``m`` = ``loyalty_memory``; exponentially smoothed loyalty, EVIDENCE §13), 0 for other brands.
* ``b_ij`` a loyalty-programme member's bonus for the programme's brand.

One uniform number per occasion picks the brand (inverse of the cumulative probabilities); the
caller supplies it (hashed per customer and day, so two runs of one seed share it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from journeysim.sim.schema.competition import ChoiceSpec


@dataclass
class Offers:
    """What the brands offer the customers of one occasion, aligned with their rows.

    Attributes
    ----------
    price : ndarray, shape (m, B)
        Offered price per brand, currency per order.
    quality, stars : ndarray, shape (B,)
        Mean quality (0..1) and review score (1..5 stars) per brand.
    satisfaction : ndarray, shape (m, B)
        Satisfaction with each brand bought before (0 where never bought).
    bonus : ndarray, shape (m, B)
        Loyalty-programme bonus per brand (utility units).
    considered : ndarray of bool, shape (m, B)
        Brands each customer chooses among.
    """

    price: np.ndarray
    quality: np.ndarray
    stars: np.ndarray
    satisfaction: np.ndarray
    bonus: np.ndarray
    considered: np.ndarray


def loyalty(streak: np.ndarray, memory: float) -> np.ndarray:
    """Loyalty to the last brand after ``streak`` orders of it in a row: ``1 - memory^streak`` (0..1)."""
    return (1.0 - np.power(np.float32(memory), streak.astype(np.float32))).astype(np.float32)


def utilities(offers: Offers, beta: np.ndarray, last_brand: np.ndarray, streak: np.ndarray,
              weights: ChoiceSpec) -> np.ndarray:
    """Utility of each brand for each customer (shape (m, B); -inf outside the consideration set).

    Parameters
    ----------
    offers : Offers
        Prices, quality, reviews, satisfaction, bonuses and consideration sets.
    beta : ndarray, shape (m,)
        Price sensitivity of each customer.
    last_brand, streak : ndarray, shape (m,)
        Brand of the customer's last order (-1: none) and orders of it in a row.
    weights : ChoiceSpec
        ``competition.choice``.
    """
    g = weights
    v = (-np.float32(g.price) * beta[:, None] * np.log(offers.price).astype(np.float32)
         + np.float32(g.quality) * offers.quality[None, :].astype(np.float32)
         + np.float32(g.reviews) * (offers.stars[None, :].astype(np.float32) - np.float32(3.0))
         + np.float32(g.satisfaction) * offers.satisfaction + offers.bonus).astype(np.float32)
    known = np.flatnonzero(last_brand >= 0)
    v[known, last_brand[known]] += np.float32(g.inertia) * loyalty(streak[known], g.loyalty_memory)
    v[~offers.considered] = -np.inf
    return v


def choose(v: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Brand index chosen by each customer from utilities ``v`` (shape (m, B)) and one uniform
    number per customer in [0, 1) (inverse of the cumulative choice probabilities)."""
    choice = np.argmax(v, axis=1)
    open_ = np.flatnonzero(np.isfinite(v).sum(axis=1) > 1)
    if open_.size == 0:
        return choice
    w = v[open_]
    p = np.exp(w - w.max(axis=1, keepdims=True))
    cumulative = np.cumsum(p, axis=1)
    u = uniform[open_] * cumulative[:, -1]
    choice[open_] = np.minimum((cumulative <= u[:, None]).sum(axis=1), v.shape[1] - 1)
    return choice


def probabilities(v: np.ndarray) -> np.ndarray:
    """Choice probabilities from utilities ``v`` (rows sum to 1; 0 outside the set)."""
    p = np.exp(v - v.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)
