"""Multi-touch attribution models: the conversions each credits to each channel.

Every model reads the journeys of :func:`journeysim.experiments.exports.journey_paths` (one
row per journey: ``path``, ``touch_days``, ``converted``, ``conversion_day``) and returns the
conversions it credits to each channel:

=====================  ==========================================================================
method                 credit of a converting journey
=====================  ==========================================================================
``first_touch``        all to the first touch
``last_touch``         all to the last touch
``linear``             equal shares to every touch
``time_decay``         touches weighted 2^(-days before the conversion / half-life), half-life 7 days
``position_based``     40% first, 40% last, 20% shared by the touches between (U-shaped)
``markov``             first-order Markov chain over all journeys: conversions split in proportion
                       to each channel's removal effect (own implementation)
``channelattribution`` the ``ChannelAttribution`` package's first-order Markov model, if installed
``shapley``            Shapley value over channel sets with v(S) = conversions of journeys whose set
                       of channels lies within S (Zhao et al. 2018): a journey's conversion is split
                       equally among its distinct channels
=====================  ==========================================================================
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from journeysim.experiments.attribution.touches import Touches, touches
from journeysim.experiments.exports import SEPARATOR
from journeysim.sim.errors import unknown_name

HALF_LIFE = 7.0
"""Half-life of the time-decay model, days."""


POSITION_ENDS = 0.4
"""Share of a position-based (U-shaped) credit given to each of the first and the last touch."""


def first_touch(t: Touches) -> pd.Series:
    """All of a conversion to its first touch."""
    return t.credit((t.position == 0).astype(float))


def last_touch(t: Touches) -> pd.Series:
    """All of a conversion to its last touch."""
    return t.credit((t.position == t.length - 1).astype(float))


def linear(t: Touches) -> pd.Series:
    """Equal shares of a conversion to each of its touches."""
    return t.credit(1.0 / t.length)


def time_decay(t: Touches, half_life: float = HALF_LIFE) -> pd.Series:
    """Shares halving every ``half_life`` days before the conversion."""
    weights = np.exp2(-t.age / half_life)
    totals = np.bincount(t.journey, weights, minlength=t.converted.size)
    return t.credit(weights / totals[t.journey])


def position_based(t: Touches, ends: float = POSITION_ENDS) -> pd.Series:
    """U-shaped: ``ends`` to the first and to the last touch, the rest shared by the middle ones
    (a single touch gets all of it, two touches half each)."""
    first, last = t.position == 0, t.position == t.length - 1
    middle = np.maximum(t.length - 2, 1)
    weights = np.where(first | last, ends, (1.0 - 2 * ends) / middle)
    weights = np.where(t.length == 1, 1.0, np.where(t.length == 2, 0.5, weights))
    return t.credit(weights)


def shapley(t: Touches) -> pd.Series:
    """Shapley value over channel sets with v(S) = conversions of journeys whose channels all lie
    in S. This game is a sum of unanimity games, one per journey, so each conversion is split
    equally among the journey's distinct channels (Zhao et al. 2018)."""
    pairs = np.unique(t.journey * t.names.size + t.channel)
    journey, channel = pairs // t.names.size, pairs % t.names.size
    distinct = np.bincount(journey, minlength=t.converted.size)
    weights = np.where(t.converted[journey], 1.0 / distinct[journey], 0.0)
    return pd.Series(np.bincount(channel, weights, minlength=t.names.size), index=t.names)


def transition_counts(t: Touches) -> np.ndarray:
    """First-order transition counts between states start, channels..., conversion, null."""
    m = t.names.size
    size = m + 3
    previous = np.concatenate([[0], t.channel[:-1] + 1])
    source = np.where(t.position == 0, 0, previous)
    target = t.channel + 1
    last = t.position == t.length - 1
    end = np.where(t.converted[t.journey[last]], m + 1, m + 2)
    codes = np.concatenate([source * size + target, (t.channel[last] + 1) * size + end])
    return np.bincount(codes, minlength=size * size).reshape(size, size)


def conversion_probability(counts: np.ndarray, removed: int | None = None) -> float:
    """Probability of reaching conversion from start; with ``removed``, visits to that channel
    code end the journey without conversion."""
    m = counts.shape[0] - 3
    transient = counts[: m + 1].astype(float)
    totals = transient.sum(axis=1, keepdims=True)
    p = np.divide(transient, totals, out=np.zeros_like(transient), where=totals > 0)
    q, to_conversion = p[:, : m + 1], p[:, m + 1].copy()
    if removed is not None:
        q = q.copy()
        q[:, removed + 1] = 0.0
        q[removed + 1] = 0.0
        to_conversion[removed + 1] = 0.0
    return float(np.linalg.solve(np.eye(m + 1) - q, to_conversion)[0])


def removal_effects(t: Touches) -> pd.Series:
    """Share of conversions lost when each channel is removed from the chain."""
    counts = transition_counts(t)
    base = conversion_probability(counts)
    effects = [1.0 - conversion_probability(counts, k) / base if base > 0 else 0.0 for k in range(t.names.size)]
    return pd.Series(effects, index=t.names)


def markov(t: Touches) -> pd.Series:
    """Conversions split in proportion to the channels' removal effects."""
    effects = removal_effects(t)
    total = effects.sum()
    return effects / total * t.conversions if total > 0 else effects * 0.0


def channelattribution(paths: pd.DataFrame) -> pd.Series | None:
    """First-order Markov credit from the ``ChannelAttribution`` package (None if not installed)."""
    from journeysim.experiments.exports import channelattribution_table

    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the package prints a banner on import
            import ChannelAttribution as ca  # noqa: N813
    except ImportError:
        return None
    table = channelattribution_table(paths[paths["path"].str.len() > 0])
    with contextlib.redirect_stdout(io.StringIO()):
        result = ca.markov_model(table, "path", "total_conversions", var_value="total_conversion_value",
                                 var_null="total_null", order=1, sep=SEPARATOR.strip(), verbose=False,
                                 flg_pro=False, seed=0)
    return result.set_index("channel_name")["total_conversions"].astype(float)


METHODS: dict[str, Callable[[Touches], pd.Series]] = {
    "first_touch": first_touch,
    "last_touch": last_touch,
    "linear": linear,
    "time_decay": time_decay,
    "position_based": position_based,
    "markov": markov,
    "shapley": shapley,
}
"""Attribution models by name (``channelattribution`` is added when the package is installed)."""


def attribute(paths: pd.DataFrame, methods: Sequence[str] | None = None) -> pd.DataFrame:
    """Conversions credited to each channel by each method.

    Parameters
    ----------
    paths : DataFrame
        Journeys as from :func:`~journeysim.experiments.exports.journey_paths`.
    methods : sequence of str, optional
        Names from :data:`METHODS` and ``channelattribution`` (default: all; the package's
        model only where it is installed).

    Returns
    -------
    DataFrame
        One row per method, one column per channel (conversions; each row sums to the
        conversions of the journeys).
    """
    chosen = list(methods) if methods is not None else [*METHODS, "channelattribution"]
    allowed = (*METHODS, "channelattribution")
    for name in chosen:
        if name not in allowed:
            raise unknown_name("methods", name, allowed)
    t = touches(paths)
    rows = {}
    for name in chosen:
        credit = channelattribution(paths) if name == "channelattribution" else METHODS[name](t)
        if credit is not None:
            rows[name] = credit
    return pd.DataFrame(rows).T.fillna(0.0)
