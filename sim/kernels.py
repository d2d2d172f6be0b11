"""Compiled loops of the daily step's hot spots (numba, cached on disk).

Each kernel does, in one pass and without temporaries, what a chain of numpy calls did, with the
same result to the bit: the random numbers are drawn by the phases' numpy generators, hashed per
customer (:func:`hashed_uniforms`, the hash ``RandomStreams.row_uniform`` defines) or taken from a
counter stream by position (:func:`stream_uniforms`, ``RandomStreams.counter``), and the other
kernels do only integer work, comparisons and copies. Compiled once per machine (``cache=True``
writes the machine code beside this file), so a process pays only the load of the cached code.
"""

from __future__ import annotations

import numba
import numpy as np

RADIX_BITS = 11
"""Bits per pass of the radix sort (2,048 buckets: the counts stay in the first-level cache)."""


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
def split_counts(delivered: np.ndarray, attended: int,
                 largest: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """The distinct rows of ``delivered[:attended]`` with their counts, those of the rest
    (``delivered[attended:]``, the unattended exposures) with theirs, both ascending, and the
    distinct rows of all (the reach): what ``np.unique(..., return_counts=True)`` of each part and of the whole give,
    from one radix sort of ``2 * row + (position >= attended)``."""
    keys = np.empty(delivered.size, np.int64)
    for i in range(delivered.size):
        keys[i] = 2 * delivered[i] + (i >= attended)
    ordered = radix_sort(keys, 2 * largest + 1)
    rows = np.empty(ordered.size, np.int64)
    counts = np.zeros(ordered.size, np.int64)
    other_rows = np.empty(ordered.size, np.int64)
    other_counts = np.zeros(ordered.size, np.int64)
    k = m = reach = 0
    for i in range(ordered.size):
        key = ordered[i]
        fresh = i == 0 or key != ordered[i - 1]
        if i == 0 or key >> 1 != ordered[i - 1] >> 1:
            reach += 1
        if key & 1:
            if fresh:
                other_rows[m] = key >> 1
                m += 1
            other_counts[m - 1] += 1
        else:
            if fresh:
                rows[k] = key >> 1
                k += 1
            counts[k - 1] += 1
    return rows[:k], counts[:k], other_rows[:m], other_counts[:m], reach


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
    ``floor_level`` (when ``find_down``); empty otherwise. Crossings are rare among rows but not
    among blocks (about 18,000 a day at 1,000,000 customers: most blocks of 128 hold one): a block
    of :data:`BLOCK` rows is updated and tested without a branch; if one crossed, its rows' flags
    are written without a branch too, and only the words of eight flags that are not 0 are listed.
    """
    up, down = np.empty(BLOCK, np.int64), np.empty(BLOCK, np.int64)
    block_up, block_down = np.empty(BLOCK, np.int64), np.empty(BLOCK, np.int64)
    flags = np.zeros(BLOCK, np.uint8)
    words = flags.view(np.uint64)
    wanted = np.uint8(find_up) | (np.uint8(find_down) << np.uint8(1))
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
        flags[width:] = 0  # the last block's flags past row n - 1 (empty for a whole block)
        for j in range(width):  # bit 0: reaches next_level, bit 1: below floor_level; vectorises
            i = np.uint64(start + j)
            x = interest[i]
            flags[j] = np.uint8(x >= next_level[i]) | (np.uint8(x < floor_level[i]) << np.uint8(1))
        m_up = m_down = 0
        for w in range(BLOCK // 8):  # eight flags a word: most words of a block are 0
            if words[w] == 0:
                continue
            for j in range(8 * w, 8 * w + 8):
                crossed = flags[j] & wanted
                block_up[m_up] = start + j
                m_up += crossed & 1
                block_down[m_down] = start + j
                m_down += crossed >> 1
        if m_up:
            up = _extend(up, n_up, block_up, m_up)
            n_up += m_up
        if m_down:
            down = _extend(down, n_down, block_down, m_down)
            n_down += m_down
    return up[:n_up].copy(), down[:n_down].copy()


@numba.njit(cache=True, nogil=True, inline="always")
def cell(group: np.int64, stage: np.int64, stages: int, channels: int, channel: int) -> np.int64:
    """Index of (``group``, ``stage``, ``channel``) in a flat exposure book of ``stages`` stages and
    ``channels`` channels (:attr:`journeysim.sim.stage_stays.StageStays.exposures`)."""
    return (np.int64(group) * stages + stage) * channels + channel


@numba.njit(cache=True, nogil=True)
def count_cells(stage: np.ndarray, rows: np.ndarray, counts: np.ndarray, group: np.ndarray, cells: np.ndarray,
                other_group: np.ndarray, other_cells: np.ndarray, stages: int, channels: int, channel: int) -> None:
    """Add ``counts`` to the :func:`cell` of each of ``rows`` in the flat book ``cells``, and in
    ``other_cells`` by ``other_group`` (empty: one book). Whole numbers in float64: the sums are
    exact in any order."""
    both = other_group.size > 0
    for i in range(rows.size):
        r = rows[i]
        cells[cell(group[r], stage[r], stages, channels, channel)] += counts[i]
        if both:
            other_cells[cell(other_group[r], stage[r], stages, channels, channel)] += counts[i]


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
def book_moves(satisfaction: np.ndarray, entered: np.ndarray, rows: np.ndarray, old: np.ndarray, new: np.ndarray,
               day: int, group: np.ndarray, book: tuple, other_group: np.ndarray, other_book: tuple) -> None:
    """Book stays ended by moves of ``rows`` from ``old`` to ``new`` on ``day`` into one or two books
    (``other_group`` empty: one), each kept by a group code per row (:class:`journeysim.sim.stage_stays.StageStays`).

    A book is the flat count arrays ``(lengths, moves, left_satisfaction, occupancy, started)``, by
    group and stage. Per row and book, the ended stay's length in days (``day - entered``, within
    ``0 .. lengths`` per cell - 1) and its next stage are counted, its satisfaction summed (in
    float64, in row order from zero, then added to the total: as ``np.bincount`` then ``+=``), the
    group's occupancy moved and its new stay started; the stay's start ``entered`` (one array for
    both books: they book the same stays) becomes ``day``."""
    both = other_group.size > 0
    ended = np.zeros(book[3].size)
    other_ended = np.zeros(other_book[3].size)
    for i in range(rows.size):
        r = rows[i]
        length = np.int64(day) - np.int64(entered[r])
        sat = np.float64(satisfaction[r])
        _book_move(book, ended, group[r], old[i], new[i], length, sat)
        if both:
            _book_move(other_book, other_ended, other_group[r], old[i], new[i], length, sat)
        entered[r] = day
    _add_sums(book[2], ended)
    if both:
        _add_sums(other_book[2], other_ended)


@numba.njit(cache=True, nogil=True, inline="always")
def _book_move(book: tuple, ended: np.ndarray, group: np.int64, old: np.int8, new: np.int8, length: np.int64,
               satisfaction: np.float64) -> None:
    """One ended stay of a row of ``group`` in ``book`` (see :func:`book_moves`)."""
    lengths, moves, _, occupancy, started = book
    stages = moves.size // occupancy.size
    longest = lengths.size // occupancy.size - 1
    cell = np.int64(group) * stages
    left, came = cell + old, cell + new
    lengths[left * (longest + 1) + min(max(length, 0), longest)] += 1
    moves[left * stages + new] += 1
    ended[left] += satisfaction
    occupancy[left] -= 1
    occupancy[came] += 1
    started[came] += 1


@numba.njit(cache=True, nogil=True, inline="always")
def _add_sums(total: np.ndarray, sums: np.ndarray) -> None:
    """``total += sums``, cell by cell."""
    for c in range(total.size):
        total[c] += sums[c]


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


GOLDEN_GAMMA = 0x9E3779B97F4A7C15
"""splitmix64's increment: its state steps by this odd constant (2**64 over the golden ratio)."""


@numba.njit(cache=True, nogil=True, inline="always")
def mix64(x: np.uint64) -> np.uint64:
    """splitmix64's finaliser: a bijection of 64-bit words that spreads every input bit over the output."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@numba.njit(cache=True, nogil=True, inline="always")
def to_unit(x: np.uint64) -> np.float64:
    """The top 53 bits of ``x`` as a number in [0, 1) (as numpy's generators make a double)."""
    return np.float64(x >> np.uint64(11)) * 2.0**-53


@numba.njit(cache=True, nogil=True)
def stream_uniforms(key: np.uint64, position: int, out: np.ndarray) -> None:
    """``out[i]``: number ``position + i`` of the counter stream ``key``, in [0, 1): splitmix64's
    output number ``position + i + 1`` from the state ``key``. Each number is computed from its
    position alone, so the loop vectorises (about a nanosecond a number here, where a numpy
    generator takes four to six: :class:`journeysim.sim.streams.CounterStream`)."""
    start = np.uint64(key) + np.uint64(position + 1) * np.uint64(GOLDEN_GAMMA)
    for i in range(out.size):
        out[i] = to_unit(mix64(start + np.uint64(i) * np.uint64(GOLDEN_GAMMA)))


@numba.njit(cache=True, nogil=True, inline="always")
def hashed_uniform(row: np.int64, occasion: np.int64, key: np.uint64) -> np.float64:
    """A uniform number in [0, 1) hashed from ``row`` and ``occasion`` under the stream ``key``:
    splitmix64's finaliser over ``row * K + occasion * C + key``, the top 53 bits
    (:meth:`~journeysim.sim.streams.RandomStreams.row_uniform`, to the bit)."""
    return to_unit(mix64(np.uint64(row) * np.uint64(0xBF58476D1CE4E5B9)
                         + (np.uint64(occasion) * np.uint64(0x94D049BB133111EB) + key)))


@numba.njit(cache=True, nogil=True)
def hashed_uniforms(rows: np.ndarray, occasion: np.ndarray, key: np.uint64, out: np.ndarray) -> None:
    """``out[i]``: :func:`hashed_uniform` of ``rows[i]`` and ``occasion[i]`` (one occasion for all
    when it has one element) under ``key``."""
    one_occasion = occasion.size == 1
    for i in range(rows.size):
        out[i] = hashed_uniform(rows[i], occasion[0] if one_occasion else occasion[i], key)
