"""Does a packed row layout speed up the media phase's exposure pass? A microbenchmark.

The exposure pass (:func:`journeysim.sim.media_kernels.expose_rows`) reads and writes six fields of
each reached customer (stage, media response, interest, last touch, persona, device), each in its own
array today: one cache line per field. A layout that packs a customer's hot fields into one record
(16 bytes, one cache line) was the candidate for the factor of issue #29. This times the same pass
over 145,000 of 1,200,000 rows (a day's reached customers at 1,000,000 customers) both ways, with the
rows sorted (as ``kernels.split_counts`` returns them) or in random order.

Usage::

    python benchmarks/layout.py            # median ns a row of each layout, sorted and random rows
"""

from __future__ import annotations

import time

import numba
import numpy as np

ROWS = 1_200_000
"""Rows of the customer arrays (1,000,000 customers and their entrants)."""

REACHED = 145_000
"""Rows the pass touches (a day's impressions at 1,000,000 customers)."""

RECORD = np.dtype([("interest", np.float32), ("response", np.float32), ("persona", np.int16), ("stage", np.int8),
                   ("device", np.int8), ("last_touch", np.int8), ("pad", np.int8, 3)])
"""One customer's hot fields in one 16-byte record."""


@numba.njit(nogil=True)
def separate(rows, stage, response, interest, last_touch, persona, device, effect, cells, other_cells, channel):
    """The pass over one array per field (today's layout)."""
    for i in range(rows.size):
        r = rows[i]
        s = stage[r]
        kick = effect[s] * response[r]
        interest[r] += kick
        if kick > 0:
            last_touch[r] = channel
        cells[(persona[r] * 8 + s) * 16 + channel] += 1
        other_cells[(device[r] * 8 + s) * 16 + channel] += 1


@numba.njit(nogil=True)
def packed(rows, records, effect, cells, other_cells, channel):
    """The same pass over one record per row."""
    for i in range(rows.size):
        r = rows[i]
        p = records[r]
        s = p.stage
        kick = effect[s] * p.response
        p.interest += kick
        if kick > 0:
            p.last_touch = channel
        cells[(p.persona * 8 + s) * 16 + channel] += 1
        other_cells[(p.device * 8 + s) * 16 + channel] += 1


def main(days: int = 200) -> None:
    """Print the median nanoseconds a row of each layout over ``days`` passes, sorted and random rows."""
    rng = np.random.default_rng(1)
    stage = rng.integers(0, 8, ROWS).astype(np.int8)
    persona = rng.integers(0, 4, ROWS).astype(np.int16)
    device = rng.integers(0, 3, ROWS).astype(np.int8)
    response, interest = rng.random(ROWS, dtype=np.float32), rng.random(ROWS, dtype=np.float32)
    last_touch = np.zeros(ROWS, np.int8)
    records = np.zeros(ROWS, RECORD)
    for name, values in (("interest", interest), ("response", response), ("persona", persona), ("stage", stage),
                         ("device", device)):
        records[name] = values
    effect = rng.random(8, dtype=np.float32)
    cells, other_cells = np.zeros(4 * 8 * 16, np.int64), np.zeros(3 * 8 * 16, np.int64)
    passes = {"one array per field": lambda rows: separate(rows, stage, response, interest, last_touch, persona,
                                                           device, effect, cells, other_cells, 3),
              "one record per row": lambda rows: packed(rows, records, effect, cells, other_cells, 3)}
    for run in passes.values():
        run(np.arange(10))  # compile
    for order in ("sorted", "random"):
        spent = {name: [] for name in passes}
        for _ in range(days):
            rows = rng.integers(0, ROWS, REACHED)
            if order == "sorted":
                rows.sort()
            for name, run in passes.items():  # in turn, so both see the same machine
                started = time.perf_counter()
                run(rows)
                spent[name].append(time.perf_counter() - started)
        print(f"{order} rows: " + "; ".join(f"{name} {np.median(times) / REACHED * 1e9:.1f} ns a row"
                                            for name, times in spent.items()))


if __name__ == "__main__":
    main()
