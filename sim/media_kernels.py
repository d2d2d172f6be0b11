"""Compiled loops of the media phase (:mod:`journeysim.sim.touchpoints`, :mod:`journeysim.sim.devices`).

Drawing impression recipients, their frequency stocks, the interest exposures add and the
exposure books, with the same result to the bit as the numpy code they replaced (see
:mod:`journeysim.sim.kernels`): the phases' numpy generators still draw every random number.
"""

from __future__ import annotations

import numba
import numpy as np

from journeysim.sim.kernels import cell, hashed_uniform

STAGE_CODES = 8
"""Stage codes a packed row code leaves room for (``Stage`` has eight)."""


@numba.njit(cache=True, nogil=True)
def pack_rows(persona: np.ndarray, stage: np.ndarray, present: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Write into ``code`` one number per row ``0 .. code.size - 1``: ``(persona * STAGE_CODES + stage) * 2
    + present``, so a candidate's persona, stage and presence are one load (see :func:`accept_table`).
    ``code`` is uint8 when at most 16 personas keep every code below 256 (:func:`code_type`), so
    the array the thinning reads at random is half as large."""
    for i in range(code.size):
        code[i] = (persona[i] * STAGE_CODES + stage[i]) * 2 + present[i]
    return code


def code_type(personas: int) -> type:
    """The smallest unsigned type that holds :func:`pack_rows`' codes for ``personas`` personas."""
    return np.uint8 if personas * STAGE_CODES * 2 <= 256 else np.uint16


def accept_table(weights: np.ndarray, mask: np.ndarray | None, check_present: bool) -> np.ndarray:
    """Acceptance probability of a candidate by its packed row code (:func:`pack_rows`): its
    persona's weight, or -1 (never: a uniform number is not below it) when its stage is outside
    ``mask`` or, with ``check_present``, it is not in the market."""
    table = np.repeat(np.asarray(weights, np.float64), STAGE_CODES * 2).reshape(-1, STAGE_CODES, 2)
    if mask is not None:
        table[:, ~mask[:STAGE_CODES], :] = -1.0
    if check_present:
        table[:, :, 0] = -1.0
    return table.reshape(-1)


@numba.njit(cache=True, nogil=True)
def accept_candidates(u: np.ndarray, size: int, audience: np.ndarray, table: np.ndarray, code: np.ndarray,
                      out: np.ndarray, got: int) -> int:
    """Thin one batch of candidate recipients into ``out[got:]``, in draw order.

    Candidate ``i`` is row ``floor(u[i, 0] * size)`` (an index into ``audience`` when it is not
    empty); it is kept when ``u[i, 1] < table[code[row]]`` (:func:`accept_table`: below its
    persona's weight, in a target stage, in the market). Stops when ``out`` is full.

    Parameters
    ----------
    u : ndarray, shape (batch, 2)
        Uniform numbers in [0, 1): each candidate's pair (row, acceptance), consecutive in the
        stream, so candidate ``i`` of a channel-day is the same whatever the batch sizes.
    size : int
        Number of candidates to pick from (rows in use, or the audience's length).
    audience : ndarray of int64
        Rows of the audience, or empty for rows ``0 .. size - 1``.
    table : ndarray of float64
        Acceptance probability by packed row code.
    code : ndarray of uint8 or uint16
        Packed row code of every row in use (:func:`pack_rows`).
    out : ndarray of int64
        The recipients drawn so far (``out[:got]``); filled in place.
    got : int
        Recipients already in ``out``.

    Returns
    -------
    int
        Recipients in ``out`` after this batch.
    """
    n = out.size
    listed = audience.size > 0
    for i in range(u.shape[0]):  # no branch on a candidate's fate: the loads of many candidates overlap
        if got >= n:
            break
        row = np.int64(u[i, 0] * size)
        if listed:
            row = audience[row]
        out[got] = row
        got += u[i, 1] < table[code[row]]
    return got


@numba.njit(cache=True, nogil=True)
def restock(stock: np.ndarray, stock_day: np.ndarray, rows: np.ndarray, counts: np.ndarray, decay: np.ndarray,
            day: int) -> np.ndarray:
    """Frequency stock of ``rows`` today, before today's exposures, then add ``counts`` to it.

    The stock of a row last updated ``a`` days ago is ``stock * decay[a]`` (``decay`` holds the
    carry-over to the power ``a``, float32, as numpy computes it); the stored stock becomes
    that plus the row's count, rounded to float32, and its day ``day``.

    Returns
    -------
    ndarray of float32
        Each row's stock before today's exposures.
    """
    now = np.empty(rows.size, np.float32)
    for i in range(rows.size):
        r = rows[i]
        x = stock[r] * decay[day - stock_day[r]]
        now[i] = x
        stock[r] = np.float32(np.float64(x) + np.float64(counts[i]))
        stock_day[r] = day
    return now


@numba.njit(cache=True, nogil=True, inline="always")
def _kick(effect: np.ndarray, stage: np.int8, gain: np.float32, response: np.float32, evaluating: np.ndarray,
          review: np.float32) -> np.float32:
    """Interest one row's exposures add: the effect at its ``stage`` times the saturated ``gain``,
    its media ``response`` and the ``review`` factor if it is ``evaluating`` (stage mask; float32,
    multiplied in that order)."""
    factor = review if evaluating[stage] else np.float32(1.0)
    return effect[stage] * gain * response * factor


@numba.njit(cache=True, nogil=True)
def media_kicks(rows: np.ndarray, stage: np.ndarray, effect: np.ndarray, gain: np.ndarray, response: np.ndarray,
                evaluating: np.ndarray, review: np.float32) -> np.ndarray:
    """Interest added by one channel-day's exposures to each of ``rows`` (:func:`_kick`)."""
    kick = np.empty(rows.size, np.float32)
    for i in range(rows.size):
        r = rows[i]
        kick[i] = _kick(effect, stage[r], gain[i], response[r], evaluating, review)
    return kick


@numba.njit(cache=True, nogil=True)
def expose_rows(rows: np.ndarray, counts: np.ndarray, gain: np.ndarray, stage: np.ndarray, effect: np.ndarray,
                response: np.ndarray, evaluating: np.ndarray, review: np.float32,
                interest: np.ndarray, last_touch: np.ndarray, channel: int, group: np.ndarray,
                cells: np.ndarray, other_group: np.ndarray, other_cells: np.ndarray, stages: int,
                channels: int) -> None:
    """One channel-day's exposures of ``rows`` (distinct) in one pass: :func:`media_kicks`, then
    :func:`add_kicks`, then :func:`journeysim.sim.kernels.count_cells` into one or two books
    (``other_group`` empty: one). The same result to the bit as those three in turn."""
    both = other_group.size > 0
    for i in range(rows.size):
        r = rows[i]
        s = stage[r]
        kick = _kick(effect, s, gain[i], response[r], evaluating, review)
        interest[r] += kick
        if kick > 0:
            last_touch[r] = channel
        cells[cell(group[r], s, stages, channels, channel)] += counts[i]
        if both:
            other_cells[cell(other_group[r], s, stages, channels, channel)] += counts[i]


@numba.njit(cache=True, nogil=True)
def session_devices(primary: np.ndarray, persona: np.ndarray, cumulative: np.ndarray, rows: np.ndarray,
                    switch: float, switch_key: np.uint64, device_key: np.uint64, day: int,
                    used: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One session of each of ``rows`` on ``day``: its device, marked in ``used``; and sessions per device.

    A row whose number under ``switch_key`` (:func:`journeysim.sim.kernels.hashed_uniform` of the row
    and the day) is below ``switch`` draws a device afresh from its persona's ``cumulative`` shares
    with its number under ``device_key`` (the device is the number of cumulative shares at or below
    it); the others use their ``primary`` device. ``used[row]`` gains the device's bit.
    """
    device = np.empty(rows.size, np.int8)
    counts = np.zeros(cumulative.shape[1], np.int64)
    for i in range(rows.size):
        r = rows[i]
        d = primary[r]
        if switch > 0 and hashed_uniform(r, day, switch_key) < switch:
            u = hashed_uniform(r, day, device_key)
            d = 0
            for c in cumulative[persona[r]]:
                d += u >= c
        device[i] = d
        used[r] |= np.uint8(1) << np.uint8(d)
        counts[d] += 1
    return device, counts


@numba.njit(cache=True, nogil=True)
def add_kicks(interest: np.ndarray, last_touch: np.ndarray, rows: np.ndarray, kick: np.ndarray,
              channel: int) -> None:
    """Add ``kick`` to the interest of ``rows`` (distinct; in the kick's precision, rounded to the
    interest's) and make ``channel`` the last touch of those it raised."""
    for i in range(rows.size):
        r = rows[i]
        interest[r] += kick[i]
        if kick[i] > 0:
            last_touch[r] = channel


@numba.njit(cache=True, nogil=True)
def add_scaled(values: np.ndarray, weight: np.ndarray, scale: np.float32) -> None:
    """``values += weight * scale`` (float32: the product rounded to float32, then the sum), as
    numpy computes it, without a temporary as long as ``values``."""
    for i in range(values.size):
        values[i] += weight[i] * scale


@numba.njit(cache=True, nogil=True)
def dose_weights(weight: np.ndarray, rows: np.ndarray, effect: np.ndarray, stage: np.ndarray,
                 affinity: np.ndarray, persona: np.ndarray, response: np.ndarray, present: np.ndarray) -> None:
    """``weight[row]`` of a broadcast dose for ``rows``: effect at its stage times its persona's
    affinity times its media ``response`` (float32, in that order), times ``present`` when that
    is not empty (open population)."""
    check = present.size > 0
    for r in rows:
        w = effect[stage[r]] * affinity[persona[r]] * response[r]
        if check:
            w = w * np.float32(present[r])
        weight[r] = w
