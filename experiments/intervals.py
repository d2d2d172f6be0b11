"""Confidence intervals over seeds: a KPI's mean, a paired difference and a Welch difference.

Every interval is a Student t interval. Values that are not finite (a CAC with no new
customers is NaN) are left out, so ``n`` counts the finite values actually used. The t
distribution comes from ``scipy.special`` (the functions ``scipy.stats.t`` calls, the same numbers
to the bit), which a sweep's comparison imports in a quarter of the time ``scipy.stats`` takes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

LEVEL = 0.95
"""Default confidence level of every interval."""

MIN_SEEDS = 5
"""Fewest seeds whose t intervals are shown without a warning (with 2 the t quantile is 12.7, and
two seeds that agree by chance give an interval of no width)."""


def seeds_warning(seeds: int) -> str | None:
    """The warning for intervals over ``seeds`` seeds (None from :data:`MIN_SEEDS` on)."""
    if seeds >= MIN_SEEDS:
        return None
    return (f"intervals from {seeds} seed{'s' if seeds != 1 else ''} are unreliable "
            f"(t intervals need at least {MIN_SEEDS} seeds)")


@dataclass(frozen=True)
class Interval:
    """An estimate with its confidence interval.

    Attributes
    ----------
    estimate : float
        Mean (or mean difference), in the KPI's unit.
    low, high : float
        Interval bounds, in the KPI's unit (NaN when fewer than two values).
    n : int
        Number of finite values (or pairs) the interval rests on.
    p_value : float
        Two-sided p-value of a t-test against zero (NaN when it does not apply).
    """

    estimate: float
    low: float
    high: float
    n: int
    p_value: float = math.nan

    @property
    def half_width(self) -> float:
        """Half the interval's width, in the KPI's unit."""
        return (self.high - self.low) / 2


def finite(values: Iterable[float | None]) -> np.ndarray:
    """The finite values of ``values`` as a float array (None and NaN dropped)."""
    array = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return array[np.isfinite(array)]


def t_quantile(level: float, dof: float) -> float:
    """Two-sided Student t quantile for ``level`` (0..1) and ``dof`` degrees of freedom (NaN unless
    ``dof`` is positive), as ``scipy.stats.t.ppf(0.5 + level / 2, dof)``."""
    return float(special.stdtrit(dof, 0.5 + level / 2)) if dof > 0 else math.nan


def t_p_value(t: float, dof: float) -> float:
    """Two-sided p-value of a t statistic ``t`` with ``dof`` degrees of freedom (NaN unless ``dof``
    is positive), as ``2 * scipy.stats.t.sf(abs(t), dof)``."""
    return float(2 * special.stdtr(dof, -abs(t))) if dof > 0 else math.nan


def mean_interval(values: Iterable[float | None], level: float = LEVEL) -> Interval:
    """Mean of ``values`` with its t interval (and the t-test of a zero mean).

    Parameters
    ----------
    values : iterable of float
        One value per seed, in the KPI's unit.
    level : float
        Confidence level, 0..1.
    """
    x = finite(values)
    n = x.size
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n < 2:
        return Interval(mean, math.nan, math.nan, n)
    se = float(x.std(ddof=1)) / math.sqrt(n)
    half = t_quantile(level, n - 1) * se
    p_value = t_p_value(mean / se, n - 1) if se > 0 else (1.0 if mean == 0 else 0.0)
    return Interval(mean, mean - half, mean + half, n, p_value)


def paired_difference(treatment: Mapping[int, float | None], reference: Mapping[int, float | None],
                      level: float = LEVEL) -> Interval:
    """Mean of ``treatment[seed] - reference[seed]`` over the seeds both have, with its t interval.

    Under common random numbers the two runs of a seed share customers, network and
    exposures, so the per-seed differences vary much less than the KPI itself.

    Parameters
    ----------
    treatment, reference : mapping of seed to float
        One KPI value per seed for each group, in the KPI's unit.
    level : float
        Confidence level, 0..1.
    """
    seeds = sorted(set(treatment) & set(reference))
    differences = [_difference(treatment[s], reference[s]) for s in seeds]
    return mean_interval(differences, level)


def welch_difference(treatment: Iterable[float | None], reference: Iterable[float | None],
                     level: float = LEVEL) -> Interval:
    """Difference of the two groups' means with Welch's (unpaired) t interval.

    Parameters
    ----------
    treatment, reference : iterable of float
        The KPI's values in each group, in the KPI's unit (seeds ignored).
    level : float
        Confidence level, 0..1.
    """
    a, b = finite(treatment), finite(reference)
    if a.size == 0 or b.size == 0:
        return Interval(math.nan, math.nan, math.nan, min(a.size, b.size))
    estimate = float(a.mean() - b.mean())
    if a.size < 2 or b.size < 2:
        return Interval(estimate, math.nan, math.nan, min(a.size, b.size))
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    if se == 0:
        return Interval(estimate, estimate, estimate, min(a.size, b.size), 1.0 if estimate == 0 else 0.0)
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = t_quantile(level, dof) * se
    p_value = t_p_value(estimate / se, dof)
    return Interval(estimate, estimate - half, estimate + half, min(a.size, b.size), p_value)


def _difference(a: float | None, b: float | None) -> float:
    if a is None or b is None:
        return math.nan
    return float(a) - float(b)


def weighted_quantiles(x: np.ndarray, weights: np.ndarray, q: Sequence[float]) -> list[float]:
    """Quantiles of a weighted sample (inverse of the weighted empirical CDF, midpoint rule)."""
    order = np.argsort(x)
    x, w = np.asarray(x, dtype=np.float64)[order], np.asarray(weights, dtype=np.float64)[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return [float(v) for v in np.interp(q, cdf, x)]
