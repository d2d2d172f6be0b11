"""Laws of brand buying (issue #22): Double Jeopardy, duplication of purchase, cross-price elasticity.

Pure functions over a :class:`BrandTable` (per brand: market share, penetration b, purchase
frequency w, and the duplication matrix), which :func:`brand_table` computes from each
customer's purchases of each brand. The checks, each with its published source:

* **Double Jeopardy** (Ehrenberg, Goodhardt and Barwise 1990, *J. Marketing* 54(3):82-91;
  EVIDENCE §6): smaller brands have fewer buyers, who also buy them slightly less often.
  Criteria: Spearman rank correlation of b with share at least :data:`PENETRATION_RHO`; of w
  with share above :data:`FREQUENCY_RHO`; w(1 - b) varies across brands (max - min) by less
  than :data:`LOYALTY_SPREAD` of its mean.
* **Duplication of purchase** (Ehrenberg; Lees and Wright 2009; EVIDENCE §6): the share of
  brand X's buyers who also buy Y follows Y's penetration. Criterion: the least-squares line of
  that share on b_Y, over all ordered pairs X != Y, has R² at least :data:`DUPLICATION_R2`.
* **Cross-price elasticity** (Auer and Papies 2019, *JAMS*: mean 0.26, median 0.10 over 7,264
  estimates; EVIDENCE §1): the elasticity of our orders to a competitor's price lies in
  :data:`CROSS_PRICE_RANGE`.

Units: shares and penetrations are fractions (0..1) of purchases and of customers; w is
purchases per brand buyer in the period; elasticities are dimensionless.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scipy import stats

from journeysim.experiments.plots import axes_or_new
from journeysim.experiments.validation.experiment import Check
from journeysim.units import PERCENT, axis_formatter

PENETRATION_RHO = 0.9
"""Least Spearman rank correlation of penetration with market share."""
FREQUENCY_RHO = 0.0
"""Spearman rank correlation of purchase frequency with market share must exceed this."""
LOYALTY_SPREAD = 0.25
"""Largest (max - min) of w(1 - b) across brands, as a fraction of its mean."""
DUPLICATION_R2 = 0.7
"""Least R² of the duplication-of-purchase regression."""
CROSS_PRICE_RANGE = (0.05, 1.0)
"""Accepted cross-price elasticity of our orders to a competitor's price."""
AUER_PAPIES_MEAN, AUER_PAPIES_MEDIAN = 0.26, 0.10  # 7,264 estimates, 115 studies (EVIDENCE §1)


@dataclass(frozen=True)
class BrandTable:
    """Brand-buying figures of one period.

    Attributes
    ----------
    brands : tuple of str
        Brand names.
    share : numpy.ndarray
        Each brand's market share: its fraction of all purchases (0..1).
    penetration : numpy.ndarray
        b: fraction of customers buying the brand at least once in the period (0..1).
    frequency : numpy.ndarray
        w: purchases of the brand per buyer of the brand in the period (NaN with no buyer).
    duplication : numpy.ndarray
        ``duplication[x, y]``: fraction of brand x's buyers who also bought brand y (0..1);
        NaN on the diagonal and in the row of a brand with no buyer.
    """

    brands: tuple[str, ...]
    share: np.ndarray
    penetration: np.ndarray
    frequency: np.ndarray
    duplication: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.brands)
        for name in ("share", "penetration", "frequency"):
            if np.shape(getattr(self, name)) != (n,):
                raise ValueError(f"BrandTable.{name} has shape {np.shape(getattr(self, name))}, expected ({n},)")
        if np.shape(self.duplication) != (n, n):
            raise ValueError(f"BrandTable.duplication has shape {np.shape(self.duplication)}, expected ({n}, {n})")

    @property
    def loyalty(self) -> np.ndarray:
        """w(1 - b) of each brand (purchases per buyer), near-constant under Double Jeopardy."""
        return self.frequency * (1.0 - self.penetration)

    def subset(self, keep: Sequence[int]) -> BrandTable:
        """The brands ``keep`` (indices) only, with their figures in the whole market (shares not rescaled)."""
        keep = np.asarray(list(keep), dtype=np.int64)
        return BrandTable(tuple(self.brands[j] for j in keep), self.share[keep], self.penetration[keep],
                          self.frequency[keep], self.duplication[np.ix_(keep, keep)])

    def frame(self) -> pd.DataFrame:
        """One row per brand: share, penetration, frequency, w(1 - b) and ``dup_<brand>`` columns."""
        table = pd.DataFrame({"brand": list(self.brands), "share": self.share, "penetration": self.penetration,
                              "frequency": self.frequency, "w_1_minus_b": self.loyalty})
        for y, name in enumerate(self.brands):
            table[f"dup_{name}"] = self.duplication[:, y]
        return table


def brand_table(purchases: np.ndarray, brands: Sequence[str] | None = None) -> BrandTable:
    """Share, penetration, frequency and duplication from each customer's purchases of each brand.

    Parameters
    ----------
    purchases : numpy.ndarray
        Shape (customers, brands): purchases of each brand by each customer in the period
        (counts >= 0). Every customer of the population counts, buyers or not.
    brands : sequence of str, optional
        Brand names (default ``B1``, ``B2``, ...).

    Returns
    -------
    BrandTable
        Share = the brand's purchases / all purchases; b = buyers / customers; w = purchases /
        buyers; duplication[x, y] = customers buying both / buyers of x.
    """
    counts = np.asarray(purchases)
    if counts.ndim != 2 or counts.shape[0] == 0:
        raise ValueError(f"purchases must be a (customers, brands) array with customers, got shape {counts.shape}")
    if (counts < 0).any():
        raise ValueError("purchases must be counts >= 0")
    return brand_table_from_buyers(counts > 0, counts.sum(axis=0), brands)


def brand_table_from_buyers(bought: np.ndarray, purchases: np.ndarray,
                            brands: Sequence[str] | None = None) -> BrandTable:
    """Share, penetration, frequency and duplication from who bought each brand and each brand's purchases.

    For an engine that keeps, per customer, only whether they bought each brand in the period
    and, per brand, the period's purchases.

    Parameters
    ----------
    bought : numpy.ndarray
        Shape (customers, brands), bool: the customer bought the brand at least once in the period.
    purchases : numpy.ndarray
        Shape (brands,): each brand's purchases in the period (counts).
    brands : sequence of str, optional
        Brand names (default ``B1``, ``B2``, ...).
    """
    bought = np.asarray(bought, dtype=bool)
    volume = np.asarray(purchases, dtype=np.float64)
    if bought.ndim != 2 or bought.shape[0] == 0 or volume.shape != (bought.shape[1],):
        raise ValueError(f"bought must be (customers, brands) and purchases (brands,), got {bought.shape} "
                         f"and {volume.shape}")
    names = tuple(brands) if brands is not None else tuple(f"B{j + 1}" for j in range(bought.shape[1]))
    if len(names) != bought.shape[1]:
        raise ValueError(f"{len(names)} brand names for {bought.shape[1]} brands")
    buyers = bought.sum(axis=0).astype(np.float64)
    total = volume.sum()
    both = bought.T.astype(np.int64) @ bought.astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        frequency = np.where(buyers > 0, volume / buyers, np.nan)
        duplication = np.where(buyers[:, None] > 0, both / buyers[:, None], np.nan)
    np.fill_diagonal(duplication, np.nan)
    share = volume / total if total > 0 else np.full(volume.size, np.nan)
    return BrandTable(names, share, buyers / bought.shape[0], frequency, duplication)


def bought_from_mask(mask: np.ndarray, brands: int) -> np.ndarray:
    """Decode a per-customer bit mask (bit b set: bought brand b) into a (customers, brands) bool array."""
    mask = np.asarray(mask).astype(np.int64)
    return ((mask[:, None] >> np.arange(brands)) & 1).astype(bool)


# --------------------------------------------------------------------------- Double Jeopardy
@dataclass(frozen=True)
class DoubleJeopardy:
    """The Double Jeopardy statistics of a brand table.

    Attributes
    ----------
    penetration_rho : float
        Spearman rank correlation of b with share.
    frequency_rho : float
        Spearman rank correlation of w with share.
    loyalty_mean : float
        Mean of w(1 - b) over brands (purchases per buyer).
    loyalty_spread : float
        (max - min) of w(1 - b) over its mean.
    """

    penetration_rho: float
    frequency_rho: float
    loyalty_mean: float
    loyalty_spread: float


def double_jeopardy(table: BrandTable) -> DoubleJeopardy:
    """Rank correlations of b and w with share, and the spread of w(1 - b) (brands with buyers only)."""
    keep = np.isfinite(table.frequency) & (table.penetration > 0)
    share, b, w = table.share[keep], table.penetration[keep], table.frequency[keep]
    loyalty = w * (1.0 - b)
    mean = float(loyalty.mean()) if loyalty.size else math.nan
    spread = float((loyalty.max() - loyalty.min()) / mean) if loyalty.size and mean > 0 else math.nan
    return DoubleJeopardy(_spearman(share, b), _spearman(share, w), mean, spread)


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman rank correlation; NaN with fewer than three brands or a constant column."""
    if x.size < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return math.nan
    return float(stats.spearmanr(x, y).statistic)


def double_jeopardy_checks(table: BrandTable, experiment: str) -> list[Check]:
    """The three Double Jeopardy criteria of issue #22 as checks of ``experiment``."""
    dj = double_jeopardy(table)
    loyalty = table.loyalty
    source = "Ehrenberg, Goodhardt and Barwise 1990"
    return [
        Check(experiment, f"Double Jeopardy: penetration b falls with market share (Spearman rank correlation "
              f">= {PENETRATION_RHO:g}; {source})", bool(dj.penetration_rho >= PENETRATION_RHO),
              f"rho(b, share) = {dj.penetration_rho:.3f} over {len(table.brands)} brands; b "
              + ", ".join(f"{v:.3f}" for v in table.penetration)),
        Check(experiment, f"Double Jeopardy: purchase frequency w tends to fall with share (Spearman rank correlation "
              f"> {FREQUENCY_RHO:g}; {source})", bool(dj.frequency_rho > FREQUENCY_RHO),
              f"rho(w, share) = {dj.frequency_rho:.3f}; w " + ", ".join(f"{v:.2f}" for v in table.frequency)),
        Check(experiment, f"Double Jeopardy: w(1 - b) varies across brands (max - min) by less than "
              f"{LOYALTY_SPREAD:.0%} of its mean (EVIDENCE §6)", bool(dj.loyalty_spread < LOYALTY_SPREAD),
              f"spread {dj.loyalty_spread:.1%} of mean {dj.loyalty_mean:.3f}; w(1 - b) "
              + ", ".join(f"{v:.2f}" for v in loyalty)),
    ]


# --------------------------------------------------------------------------- duplication of purchase
@dataclass(frozen=True)
class Duplication:
    """The duplication-of-purchase regression of a brand table.

    Attributes
    ----------
    slope, intercept : float
        Least-squares line: share of X's buyers also buying Y = intercept + slope x b_Y.
    r_squared : float
        R² of that line.
    coefficient : float
        The duplication coefficient D of the line through the origin (share = D x b_Y).
    pairs : int
        Ordered pairs X != Y in the regression.
    """

    slope: float
    intercept: float
    r_squared: float
    coefficient: float
    pairs: int


def duplication_pairs(table: BrandTable) -> pd.DataFrame:
    """One row per ordered pair X != Y with buyers: ``brand_x``, ``brand_y``, ``penetration_y``, ``duplication``."""
    rows = [{"brand_x": table.brands[x], "brand_y": table.brands[y], "penetration_y": float(table.penetration[y]),
             "duplication": float(table.duplication[x, y])}
            for x in range(len(table.brands)) for y in range(len(table.brands))
            if x != y and np.isfinite(table.duplication[x, y])]
    return pd.DataFrame(rows, columns=["brand_x", "brand_y", "penetration_y", "duplication"])


def duplication_of_purchase(table: BrandTable) -> Duplication:
    """Regress the share of X's buyers also buying Y on Y's penetration over all ordered pairs."""
    pairs = duplication_pairs(table)
    x, y = pairs["penetration_y"].to_numpy(), pairs["duplication"].to_numpy()
    if x.size < 3 or np.ptp(x) == 0:
        return Duplication(math.nan, math.nan, math.nan, math.nan, int(x.size))
    line = stats.linregress(x, y)
    return Duplication(float(line.slope), float(line.intercept), float(line.rvalue**2), float(x @ y / (x @ x)),
                       int(x.size))


def duplication_checks(table: BrandTable, experiment: str) -> list[Check]:
    """The duplication-of-purchase criterion of issue #22 as a check of ``experiment``."""
    dup = duplication_of_purchase(table)
    return [Check(experiment, f"duplication of purchase: share of X's buyers also buying Y regressed on Y's "
                  f"penetration over all pairs, R² >= {DUPLICATION_R2:g} (Ehrenberg; EVIDENCE §6)",
                  bool(dup.r_squared >= DUPLICATION_R2),
                  f"R² = {dup.r_squared:.3f} over {dup.pairs} pairs; line {dup.intercept:.3f} + {dup.slope:.2f} b_Y; "
                  f"through the origin D = {dup.coefficient:.2f}")]


# --------------------------------------------------------------------------- cross-price elasticity
def cross_price_elasticity(orders_base: float, orders_changed: float, price_change: float) -> float:
    """Arc elasticity of our orders to a competitor's price: ln(orders_changed / orders_base) / ln(1 + change).

    Parameters
    ----------
    orders_base, orders_changed : float
        Our orders with the competitor's price as planned and changed (counts, paired runs).
    price_change : float
        Relative change of the competitor's price (-0.2: a 20% cut); not 0, above -1.

    Returns
    -------
    float
        Positive when a competitor's cut takes orders from us (substitutes); NaN without orders.
    """
    if price_change == 0 or price_change <= -1:
        raise ValueError(f"price_change must be above -1 and not 0, got {price_change}")
    if orders_base <= 0 or orders_changed <= 0:
        return math.nan
    return math.log(orders_changed / orders_base) / math.log1p(price_change)


def cross_price_checks(elasticity: float, experiment: str, detail: str = "") -> list[Check]:
    """The cross-price criterion of issue #22 as a check of ``experiment`` (``detail`` adds to the numbers)."""
    low, high = CROSS_PRICE_RANGE
    return [Check(experiment, f"cross-price elasticity of our orders to a competitor's price in [{low:g}, {high:g}] "
                  f"(Auer and Papies 2019: mean {AUER_PAPIES_MEAN}, median {AUER_PAPIES_MEDIAN})",
                  bool(low <= elasticity <= high), f"elasticity {elasticity:.3f}{'; ' + detail if detail else ''}")]


# --------------------------------------------------------------------------- figures
def plot_double_jeopardy(table: BrandTable, ax: Axes | None = None) -> Axes:
    """Each brand's purchase frequency w against its penetration b, with the curves w(1 - b) = its mean, min and max."""
    ax = axes_or_new(ax, (6.5, 4))
    dj = double_jeopardy(table)
    loyalty = table.loyalty[np.isfinite(table.loyalty)]
    top = min(float(np.nanmax(table.penetration)) * 1.15, 0.99)
    b = np.linspace(0, top, 100)
    ax.fill_between(b, loyalty.min() / (1 - b), loyalty.max() / (1 - b), color="tab:green", alpha=0.12,
                    label=f"w(1 - b) from {loyalty.min():.2f} to {loyalty.max():.2f}: {dj.loyalty_spread:.0%} of its "
                    f"mean (< {LOYALTY_SPREAD:.0%} passes)")
    ax.plot(b, dj.loyalty_mean / (1 - b), color="tab:green", ls="--", lw=1, label=f"w(1 - b) = {dj.loyalty_mean:.2f}")
    ax.scatter(table.penetration, table.frequency, s=25 + 600 * np.nan_to_num(table.share), color="tab:blue",
               alpha=0.7, zorder=3, label="brands (area ~ market share)")
    order = np.argsort(table.penetration, kind="stable")
    for rank, j in enumerate(order):  # labels alternate above and below, so neighbours do not overlap
        ax.annotate(table.brands[j], (table.penetration[j], table.frequency[j]), fontsize=7,
                    xytext=(4, 5 if rank % 2 == 0 else -11), textcoords="offset points")
    ax.set_xlim(0, top)
    ax.xaxis.set_major_formatter(axis_formatter(PERCENT))
    ax.set_xlabel("Penetration b: customers buying the brand (%)")
    ax.set_ylabel("Purchase frequency w (per buyer)")
    ax.set_title(f"Double Jeopardy: rank correlation with share of b {dj.penetration_rho:.2f}, "
                 f"of w {dj.frequency_rho:.2f}", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    return ax


def plot_duplication(table: BrandTable, ax: Axes | None = None) -> Axes:
    """The share of X's buyers also buying Y against Y's penetration, one point per pair, with the fitted line."""
    ax = axes_or_new(ax, (6.5, 4))
    pairs, dup = duplication_pairs(table), duplication_of_purchase(table)
    ax.scatter(pairs["penetration_y"], pairs["duplication"], s=18, color="tab:blue", alpha=0.7,
               label="pairs X -> Y")
    if np.isfinite(dup.slope):
        x = np.linspace(0, float(pairs["penetration_y"].max()) * 1.1, 50)
        ax.plot(x, dup.intercept + dup.slope * x, color="tab:red", lw=1.5,
                label=f"{dup.intercept:.3f} + {dup.slope:.2f} b_Y (R² {dup.r_squared:.2f})")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_formatter(axis_formatter(PERCENT))
    ax.yaxis.set_major_formatter(axis_formatter(PERCENT))
    ax.set_xlabel("Penetration of brand Y (%)")
    ax.set_ylabel("Buyers of X who also buy Y (%)")
    ax.set_title(f"Duplication of purchase: D = {dup.coefficient:.2f}, R² = {dup.r_squared:.2f}", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    return ax


def plot_brand_laws(table: BrandTable, title: str) -> Figure:
    """Double Jeopardy (left) and duplication of purchase (right) of one brand table, under ``title``."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4), layout="constrained")
    plot_double_jeopardy(table, left)
    plot_duplication(table, right)
    fig.suptitle(title, fontsize=11)
    return fig
