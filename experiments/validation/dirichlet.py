"""The NBD-Dirichlet model of repeat buying and its published toothpaste example (EVIDENCE §6).

Goodhardt, Ehrenberg and Chatfield (1984), "The Dirichlet: A Comprehensive Model of Buying
Behaviour", *JRSS A* 147(5):621-655: a household buys the category as a Poisson process at a
gamma-distributed rate (category purchases in a period follow an NBD with mean ``M`` and shape
``K``), and chooses brands at each purchase with probabilities drawn once per household from a
Dirichlet with parameters ``S * share``. Fitted the way the CRAN package NBDdirichlet fits it:
``K`` from the category's mean and zeros, ``S`` per brand from its observed penetration, then
the share-weighted mean of the brands' ``S``.

:data:`TOOTHPASTE` is the package's example (UK toothpaste, first quarter of 1973, AGB panel of
5,240 households): category penetration 0.56, 2.6 purchases per category buyer, eight brands'
shares and penetrations as EVIDENCE §6 lists them. The package documents M = 1.46, K = 0.78,
S = 1.55 for it. Its brand buying rates ``w = share * M / b`` follow from the table (purchase
occasions per household of the brand over the brand's buyers per household); its duplication of
purchase is the Dirichlet's theoretical one at the fitted parameters (the observed duplication
table of the paper is not in EVIDENCE).

Units: penetrations and shares are fractions of households and of purchase occasions (0..1);
``M``, ``w`` purchases per household and per brand buyer in the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import optimize, special, stats

from journeysim.experiments.validation.brand_laws import (
    BrandTable,
    double_jeopardy_checks,
    duplication_checks,
    plot_brand_laws,
)
from journeysim.experiments.validation.experiment import Outcome, saved_outcome

NAME = "brand_laws_toothpaste"

MAX_PURCHASES = 200
"""Category purchases per household summed over (the NBD's tail beyond is negligible here)."""
MAX_S = 30.0
"""Upper bound of the Dirichlet's ``S`` in the fit (as in NBDdirichlet)."""


@dataclass(frozen=True)
class Dirichlet:
    """A fitted NBD-Dirichlet: category NBD (``mean``, ``k``), Dirichlet ``s`` and the brands' shares.

    Attributes
    ----------
    mean : float
        ``M``: category purchases per household in the period.
    k : float
        NBD shape ``K`` of category purchases.
    s : float
        Dirichlet ``S`` (the sum of the brands' Dirichlet parameters).
    shares : numpy.ndarray
        Each brand's share of purchase occasions (0..1).
    """

    mean: float
    k: float
    s: float
    shares: np.ndarray

    def category_purchases(self) -> np.ndarray:
        """P(n) of n = 0 .. :data:`MAX_PURCHASES` category purchases (NBD)."""
        n = np.arange(MAX_PURCHASES + 1)
        return stats.nbinom.pmf(n, self.k, self.k / (self.k + self.mean))

    def buys_none(self, alpha: float) -> float:
        """Probability that a household buys none of a set of brands whose Dirichlet parameters sum to ``alpha``."""
        return _buys_none(self.category_purchases(), alpha, self.s)

    def penetration(self) -> np.ndarray:
        """Each brand's theoretical penetration b (0..1)."""
        return np.array([1.0 - self.buys_none(self.s * share) for share in self.shares])

    def frequency(self) -> np.ndarray:
        """Each brand's theoretical purchases per buyer w: share x M / b."""
        return self.shares * self.mean / self.penetration()

    def duplication(self) -> np.ndarray:
        """Theoretical share of brand X's buyers (row) who also buy brand Y (column); NaN diagonal."""
        alpha = self.s * self.shares
        none = np.array([self.buys_none(a) for a in alpha])
        out = np.full((alpha.size, alpha.size), np.nan)
        for x in range(alpha.size):
            for y in range(alpha.size):
                if x != y:
                    both = 1.0 - none[x] - none[y] + self.buys_none(alpha[x] + alpha[y])
                    out[x, y] = both / (1.0 - none[x])
        return out


def _buys_none(pn: np.ndarray, alpha: float, s: float) -> float:
    """Sum over n of P(n) x P(no purchase of brands with parameter ``alpha`` in n purchases | S)."""
    n = np.arange(pn.size)
    log_none = special.gammaln(s) + special.gammaln(s - alpha + n) - special.gammaln(s - alpha) - special.gammaln(s + n)
    return float((pn * np.exp(log_none)).sum())


def nbd_k(penetration: float, mean: float) -> float:
    """NBD shape ``K`` from a category's penetration and mean purchases per household (mean and zeros).

    Solves ``1 - penetration = (1 + mean / K) ** -K``.
    """
    return float(optimize.brentq(lambda k: k * np.log1p(mean / k) + np.log1p(-penetration), 1e-6, 1e4))


def fit(category_penetration: float, category_rate: float, shares: np.ndarray,
        penetrations: np.ndarray) -> Dirichlet:
    """Fit the NBD-Dirichlet to a category's summary figures (as NBDdirichlet does).

    Parameters
    ----------
    category_penetration : float
        Share of households buying the category in the period (0..1).
    category_rate : float
        Category purchases per category buyer in the period.
    shares, penetrations : numpy.ndarray
        Each brand's share of purchase occasions and penetration (0..1).

    Returns
    -------
    Dirichlet
        ``M = penetration x rate``; ``K`` from mean and zeros; ``S`` the share-weighted mean of
        the per-brand ``S`` that reproduce each brand's penetration.
    """
    shares, penetrations = np.asarray(shares, float), np.asarray(penetrations, float)
    mean = category_penetration * category_rate
    k = nbd_k(category_penetration, mean)
    pn = Dirichlet(mean, k, 1.0, shares).category_purchases()

    def s_of(share: float, b: float) -> float:
        best = optimize.minimize_scalar(lambda s: (1.0 - _buys_none(pn, s * share, s) - b) ** 2,
                                        bounds=(1e-6, MAX_S), method="bounded")
        return float(best.x)

    per_brand = np.array([s_of(share, b) for share, b in zip(shares, penetrations, strict=True)])
    return Dirichlet(mean, k, float(np.average(per_brand, weights=shares)), shares)


TOOTHPASTE_BRANDS = ("Colgate DC", "Macleans", "Close Up", "Signal", "Ultrabrite", "Gibbs SR", "Boots private label",
                     "Sainsbury private label")
TOOTHPASTE_CATEGORY_PENETRATION = 0.56
TOOTHPASTE_CATEGORY_RATE = 2.6  # purchases per category buyer in the quarter
TOOTHPASTE_SHARES = np.array([0.25, 0.19, 0.10, 0.10, 0.09, 0.08, 0.03, 0.02])
TOOTHPASTE_PENETRATIONS = np.array([0.20, 0.17, 0.09, 0.08, 0.08, 0.07, 0.03, 0.02])


def toothpaste_model() -> Dirichlet:
    """The NBD-Dirichlet fitted to the toothpaste example (M 1.456, K 0.78, S 1.55)."""
    return fit(TOOTHPASTE_CATEGORY_PENETRATION, TOOTHPASTE_CATEGORY_RATE, TOOTHPASTE_SHARES, TOOTHPASTE_PENETRATIONS)


def toothpaste() -> BrandTable:
    """The published toothpaste category as a brand table (Goodhardt, Ehrenberg and Chatfield 1984; EVIDENCE §6).

    Shares and penetrations as published; ``w = share x M / b``; duplication the fitted
    Dirichlet's (no observed duplication table in EVIDENCE).
    """
    model = toothpaste_model()
    return BrandTable(TOOTHPASTE_BRANDS, TOOTHPASTE_SHARES.copy(), TOOTHPASTE_PENETRATIONS.copy(),
                      TOOTHPASTE_SHARES * model.mean / TOOTHPASTE_PENETRATIONS, model.duplication())


def run(out_dir: Path, jobs: int = 1, seed: int = 0) -> Outcome:
    """Double Jeopardy and duplication of purchase on the published toothpaste category (no simulation).

    The reference the simulated markets' checks are read against: the same criteria pass on a
    real category. ``jobs`` and ``seed`` are unused (nothing is random).
    """
    table = toothpaste()
    checks = double_jeopardy_checks(table, NAME) + duplication_checks(table, NAME)
    model = toothpaste_model()
    fig = plot_brand_laws(table, f"UK toothpaste, 1st quarter 1973 (Goodhardt, Ehrenberg and Chatfield 1984): "
                          f"Dirichlet M {model.mean:.2f}, K {model.k:.2f}, S {model.s:.2f}")
    return saved_outcome(out_dir, NAME, checks, table.frame(), fig)
