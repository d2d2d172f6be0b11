"""Shares per option (device, place) and relative checkout success, shared by devices and places.

Devices and purchase places each split sessions or checkout attempts over a few options by persona
shares, draw an option per row from them, and scale checkout success by a relative conversion per
option. Success is scaled on the **odds** scale: ``odds = s / (1 - s)`` times the option's
multiplier, so a success never leaves (0, 1) and a lower checkout friction raises every option's
success (a multiplier on the probability clipped at 1 and left the best option deaf to friction).

The multipliers come from the relative conversions (share of orders over share of traffic) read
at :data:`REFERENCE_SUCCESS`, the default market's checkout success: there the option's success is
``REFERENCE_SUCCESS x relative``. They are then scaled by one factor so that the mix-weighted mean
success equals the configured ``1 - checkout_friction`` (:func:`mean_preserving_scale`): options move
orders between each other, not in total, at any configured friction.
"""

from __future__ import annotations

import numpy as np

ODDS_CAP = 1e-9
"""Successes and abandonments are kept this far inside (0, 1) before taking odds."""


def option_shares(shares: np.ndarray) -> np.ndarray:
    """Cumulative shares per row of ``shares`` (shape (personas, options)), the last exactly 1."""
    cumulative = np.cumsum(shares, axis=1)
    cumulative[:, -1] = 1.0
    return cumulative


def draw_options(cumulative: np.ndarray, persona: np.ndarray, u: np.ndarray) -> np.ndarray:
    """An option code per uniform number ``u`` from the cumulative shares of the ``persona`` codes."""
    return (u[:, None] >= cumulative[persona]).sum(axis=1).astype(np.int8)


def relative_success(conversion: np.ndarray, mix: np.ndarray) -> np.ndarray:
    """Relative checkout success per option, rescaled so the ``mix``-weighted mean is 1."""
    return conversion / float(mix @ conversion)


def odds(success: np.ndarray | float) -> np.ndarray:
    """``s / (1 - s)``, with ``s`` kept inside (0, 1)."""
    s = np.clip(np.asarray(success, np.float64), ODDS_CAP, 1.0 - ODDS_CAP)
    return s / (1.0 - s)


REFERENCE_SUCCESS = 0.5
"""Checkout success at which relative conversions are read (the default ``checkout_friction`` 0.5)."""


def mean_preserving_scale(multipliers: np.ndarray, mix: np.ndarray, success: float) -> float:
    """The factor ``f`` for which the ``mix``-weighted mean of ``scale_success(success, f x multipliers)``
    is ``success`` (1 when it already is; Brent's method on ``log f``: the mean rises with ``f``)."""
    def gap(log_factor: float) -> float:
        return float(mix @ scale_success(success, np.exp(log_factor) * multipliers)) - success

    if not 0.0 < success < 1.0 or abs(gap(0.0)) <= 1e-12:
        return 1.0
    from scipy.optimize import brentq  # 0.2 s to import, and the default markets never need it

    return float(np.exp(brentq(gap, -40.0, 40.0, xtol=1e-14, rtol=4 * np.finfo(float).eps)))


def odds_multipliers(relative: np.ndarray, success: float) -> np.ndarray:
    """Odds multiplier per option that gives success ``success x relative`` at the configured
    success ``success`` (kept inside (0, 1)): the configured market's successes per option are the
    relative ones; any other friction moves every option's odds by the same factor."""
    return odds(success * relative) / odds(success)


def scale_success(success: np.ndarray | float, multiplier: np.ndarray | float) -> np.ndarray:
    """Success after multiplying its odds by ``multiplier`` (``success`` 0 or 1 stays as it is)."""
    success = np.asarray(success, np.float64)
    o = odds(success) * multiplier
    return np.where((success <= 0.0) | (success >= 1.0), success, o / (1.0 + o))
