"""Compiled loops of the daily step's hot spots (numba, cached on disk).

Each kernel does, in one pass and without temporaries, what a chain of numpy calls did,
with the same result to the bit: the random numbers are still drawn by the phases' numpy
generators (so every stream's draws are unchanged) and the kernels do only integer work,
comparisons and copies. Compiled once per machine (``cache=True`` writes the machine code
beside this file), so a process pays only the load of the cached code.
"""

from __future__ import annotations

import numba
import numpy as np

RADIX_BITS = 11
"""Bits per pass of the radix sort (2,048 buckets: the counts stay in the first-level cache)."""


STAGE_CODES = 8
"""Stage codes a packed row code leaves room for (``Stage`` has eight)."""


@numba.njit(cache=True, nogil=True)
def pack_rows(persona: np.ndarray, stage: np.ndarray, present: np.ndarray, n: int) -> np.ndarray:
    """One uint16 per row ``0 .. n - 1``: ``(persona * STAGE_CODES + stage) * 2 + present``, so a
    candidate's persona, stage and presence are one load (see :func:`accept_table`)."""
    code = np.empty(n, np.uint16)
    for i in range(n):
        code[i] = (np.uint16(persona[i]) * STAGE_CODES + np.uint16(stage[i])) * 2 + np.uint16(present[i])
    return code


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

    Candidate ``i`` is row ``floor(u[0, i] * size)`` (an index into ``audience`` when it is not
    empty); it is kept when ``u[1, i] < table[code[row]]`` (:func:`accept_table`: below its
    persona's weight, in a target stage, in the market). Stops when ``out`` is full.

    Parameters
    ----------
    u : ndarray, shape (2, batch)
        Uniform numbers in [0, 1): the candidate and its acceptance.
    size : int
        Number of candidates to pick from (rows in use, or the audience's length).
    audience : ndarray of int64
        Rows of the audience, or empty for rows ``0 .. size - 1``.
    table : ndarray of float64
        Acceptance probability by packed row code.
    code : ndarray of uint16
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
    for i in range(u.shape[1]):  # no branch on a candidate's fate: the loads of many candidates overlap
        if got >= n:
            break
        row = np.int64(u[0, i] * size)
        if listed:
            row = audience[row]
        out[got] = row
        got += u[1, i] < table[code[row]]
    return got


@numba.njit(cache=True, nogil=True)
def radix_sort(values: np.ndarray, largest: int) -> np.ndarray:
    """``values`` (non-negative int64, none above ``largest``) sorted ascending, in O(len) passes.

    Least significant digit first, :data:`RADIX_BITS` bits a pass; as many passes as
    ``largest`` needs (two up to 4 million, three up to 8 billion).
    """
    buckets = 1 << RADIX_BITS
    digit_mask = buckets - 1
    src = values.copy()
    dst = np.empty_like(src)
    shift = 0
    while (largest >> shift) > 0 or shift == 0:
        counts = np.zeros(buckets + 1, np.int64)
        for v in src:
            counts[((v >> shift) & digit_mask) + 1] += 1
        for b in range(buckets):
            counts[b + 1] += counts[b]
        for v in src:
            d = (v >> shift) & digit_mask
            dst[counts[d]] = v
            counts[d] += 1
        src, dst = dst, src
        shift += RADIX_BITS
    return src


@numba.njit(cache=True, nogil=True)
def unique_counts(rows: np.ndarray, largest: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``rows`` (non-negative, none above ``largest``) in ascending order and how
    often each occurs: ``np.unique(rows, return_counts=True)`` in linear time (a radix sort, then
    the runs of equal rows; no scratch array over all rows)."""
    ordered = radix_sort(rows, largest)
    distinct = np.empty(ordered.size, np.int64)
    counts = np.empty(ordered.size, np.int64)
    k = 0
    for i in range(ordered.size):
        if i == 0 or ordered[i] != ordered[i - 1]:
            distinct[k] = ordered[i]
            counts[k] = 0
            k += 1
        counts[k - 1] += 1
    return distinct[:k], counts[:k]


BLOCK = 128
"""Rows a scan updates (a loop the compiler vectorises) before it looks for crossings among them."""


@numba.njit(cache=True, nogil=True)
def _extend(rows: np.ndarray, k: int, more: np.ndarray, m: int) -> np.ndarray:
    """``rows`` (its first ``k`` entries used) with ``more[:m]`` written after them (doubling when full)."""
    if k + m > rows.size:
        bigger = np.empty(max(2 * rows.size, k + m), np.int64)
        bigger[:k] = rows[:k]
        rows = bigger
    rows[k:k + m] = more[:m]
    return rows


@numba.njit(cache=True, nogil=True)
def decay_scan(interest: np.ndarray, keep: np.ndarray, drift: np.ndarray, season: np.float32, decays: bool,
               drifts: bool, next_level: np.ndarray, floor_level: np.ndarray, n: int, find_up: bool,
               find_down: bool) -> tuple[np.ndarray, np.ndarray]:
    """Decay and drift the interest of rows ``0 .. n - 1`` and find who crossed a level, in one pass.

    Interest becomes ``interest * keep`` (when ``decays``) plus ``drift * season`` (when
    ``drifts``), in float32 as numpy computes it. Returns the rows (ascending) whose interest
    then reaches ``next_level`` (when ``find_up``) and those whose interest is below
    ``floor_level`` (when ``find_down``); empty otherwise. Crossings are rare: a block of
    :data:`BLOCK` rows is updated and tested without a branch, and listed only if one crossed.
    """
    up, down = np.empty(BLOCK, np.int64), np.empty(BLOCK, np.int64)
    block_up, block_down = np.empty(BLOCK, np.int64), np.empty(BLOCK, np.int64)
    n_up = n_down = 0
    for b in range((n + BLOCK - 1) // BLOCK):
        start = b * BLOCK
        width = min(BLOCK, n - start)
        hits = np.uint32(0)
        if decays and drifts:  # one loop per case, each without a branch (so each vectorises)
            for j in range(width):
                i = np.uint64(start + j)  # unsigned: no wraparound test
                x = interest[i] * keep[i] + drift[i] * season
                interest[i] = x
                hits |= np.uint32(x >= next_level[i]) | np.uint32(x < floor_level[i])
        elif decays:
            for j in range(width):
                i = np.uint64(start + j)
                x = interest[i] * keep[i]
                interest[i] = x
                hits |= np.uint32(x >= next_level[i]) | np.uint32(x < floor_level[i])
        elif drifts:
            for j in range(width):
                i = np.uint64(start + j)
                x = interest[i] + drift[i] * season
                interest[i] = x
                hits |= np.uint32(x >= next_level[i]) | np.uint32(x < floor_level[i])
        else:
            for j in range(width):
                i = np.uint64(start + j)
                x = interest[i]
                hits |= np.uint32(x >= next_level[i]) | np.uint32(x < floor_level[i])
        if hits == 0:
            continue
        m_up = m_down = 0
        for i in range(start, start + width):
            x = interest[i]
            block_up[m_up] = i
            m_up += find_up and x >= next_level[i]
            block_down[m_down] = i
            m_down += find_down and x < floor_level[i]
        if m_up:
            up = _extend(up, n_up, block_up, m_up)
            n_up += m_up
        if m_down:
            down = _extend(down, n_down, block_down, m_down)
            n_down += m_down
    return up[:n_up].copy(), down[:n_down].copy()


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


@numba.njit(cache=True, nogil=True)
def media_kicks(rows: np.ndarray, stage: np.ndarray, effect: np.ndarray, gain: np.ndarray, response: np.ndarray,
                evaluating: np.ndarray, review: np.float32, multiplier: np.float32) -> np.ndarray:
    """Interest added by one channel-day's exposures: per row, the effect at its stage times its
    saturated ``gain``, its media ``response``, the ``review`` factor if it is ``evaluating``
    (stage mask) and the channel's spend ``multiplier`` (float32, multiplied in that order)."""
    kick = np.empty(rows.size, np.float32)
    for i in range(rows.size):
        r = rows[i]
        s = stage[r]
        factor = review if evaluating[s] else np.float32(1.0)
        kick[i] = effect[s] * gain[i] * response[r] * factor * multiplier
    return kick


@numba.njit(cache=True, nogil=True)
def cell_sums(persona: np.ndarray, stage: np.ndarray, rows: np.ndarray, weights: np.ndarray, stages: int,
              channels: int, channel: int, cells: int) -> np.ndarray:
    """``np.bincount`` of ``rows``' cells ``(persona * stages + stage) * channels + channel`` weighted
    by ``weights`` (float64 sums in row order), ``cells`` long."""
    total = np.zeros(cells)
    for i in range(rows.size):
        r = rows[i]
        total[(np.int64(persona[r]) * stages + stage[r]) * channels + channel] += np.float64(weights[i])
    return total


@numba.njit(cache=True, nogil=True)
def session_devices(primary: np.ndarray, persona: np.ndarray, cumulative: np.ndarray, rows: np.ndarray,
                    switch_draws: np.ndarray, switch: float, device_draws: np.ndarray,
                    used: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One session of each of ``rows``: its device, marked in ``used``; and sessions per device.

    A row whose ``switch_draws`` entry is below ``switch`` draws a device afresh from its persona's
    ``cumulative`` shares, with the next of ``device_draws`` (the number of cumulative shares at or
    below it), the others use their ``primary`` device. ``used[row]`` gains the device's bit.
    """
    device = np.empty(rows.size, np.int8)
    counts = np.zeros(cumulative.shape[1], np.int64)
    j = 0
    for i in range(rows.size):
        r = rows[i]
        d = primary[r]
        if switch_draws.size and switch_draws[i] < switch:
            u = device_draws[j]
            j += 1
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


@numba.njit(cache=True, nogil=True)
def levels_held(interest: np.ndarray, levels: np.ndarray, rows: np.ndarray, share: np.float32) -> np.ndarray:
    """How many of the first three ``levels`` (times ``share``, float32) the interest of each of
    ``rows`` reaches (int8)."""
    held = np.zeros(rows.size, np.int8)
    for i in range(rows.size):
        r = rows[i]
        x = interest[r]
        for k in range(3):
            held[i] += x >= share * levels[k, r]
    return held


@numba.njit(cache=True, nogil=True)
def book_moves(group: np.ndarray, satisfaction: np.ndarray, entered: np.ndarray, rows: np.ndarray,
               old: np.ndarray, new: np.ndarray, day: int, lengths: np.ndarray, moves: np.ndarray,
               left_satisfaction: np.ndarray, occupancy: np.ndarray, started: np.ndarray) -> None:
    """Book stays ended by moves of ``rows`` from ``old`` to ``new`` on ``day`` (the flat count
    arrays of :meth:`journeysim.sim.stage_stays.StageStays.moved`, by group and stage).

    Per row, the ended stay's length in days (``day - entered``, within ``0 .. lengths`` per cell
    - 1) and its next stage are counted, its satisfaction summed (in float64, in row order from
    zero, then added to the total: as ``np.bincount`` then ``+=``), the group's occupancy moved
    and its new stay started on ``day``."""
    stages = moves.size // occupancy.size
    longest = lengths.size // occupancy.size - 1
    ended = np.zeros(occupancy.size)
    for i in range(rows.size):
        r = rows[i]
        cell = np.int64(group[r]) * stages
        left, came = cell + old[i], cell + new[i]
        length = min(max(np.int64(day) - np.int64(entered[r]), 0), longest)
        lengths[left * (longest + 1) + length] += 1
        moves[left * stages + new[i]] += 1
        ended[left] += np.float64(satisfaction[r])
        occupancy[left] -= 1
        occupancy[came] += 1
        started[came] += 1
        entered[r] = day
    for c in range(occupancy.size):
        left_satisfaction[c] += ended[c]


@numba.njit(cache=True, nogil=True)
def advance_clocks(clock: np.ndarray, hazard: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """Add a day's ``hazard`` to every ``clock`` (float32, in place) and return the rows (ascending)
    whose clock reached its ``threshold``: ``np.add(clock, hazard, out=clock)`` then
    ``np.flatnonzero(clock >= threshold)`` in one pass."""
    rang = np.empty(BLOCK, np.int64)
    found = np.empty(BLOCK, np.int64)
    n_rang = 0
    for start in range(0, clock.size, BLOCK):
        stop = min(start + BLOCK, clock.size)
        hits = np.uint32(0)
        for j in range(stop - start):  # without a branch, so it vectorises (as decay_scan)
            i = np.uint64(start + j)
            x = clock[i] + hazard[i]
            clock[i] = x
            hits |= np.uint32(x >= threshold[i])
        if hits == 0:
            continue
        m = 0
        for i in range(start, stop):
            found[m] = i
            m += clock[i] >= threshold[i]
        rang = _extend(rang, n_rang, found, m)
        n_rang += m
    return rang[:n_rang].copy()
