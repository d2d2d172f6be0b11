"""The journey log: events of a sample of customers (everyone at small sizes)."""

from __future__ import annotations

from collections.abc import Iterator
from enum import IntEnum

import numpy as np
import pandas as pd


class Event(IntEnum):
    """Kinds of journey events; ``detail`` is a channel code or a stage code."""

    EXPOSURE = 0        # detail: channel
    WORD_OF_MOUTH = 1   # detail: +1 positive, -1 negative
    STAGE_CHANGE = 2    # detail: new stage
    PURCHASE = 3        # detail: 1 first order, 0 repeat
    ABANDON = 4         # detail: -
    RETURN = 5          # detail: -


class JourneyLog:
    """Collects events of the logged customers in daily chunks.

    Parameters
    ----------
    n : int
        Number of customers.
    sample : int
        How many customers to log (all if ``sample >= n``).
    rng : Generator
        Chooses the sample (its own stream, so logging never shifts other draws).
    """

    def __init__(self, n: int, sample: int, rng: np.random.Generator) -> None:
        self.mask = np.zeros(n, bool)
        if sample >= n:
            self.mask[:] = True
        elif sample > 0:
            self.mask[rng.choice(n, sample, replace=False)] = True
        self.active = bool(self.mask.any())
        self._chunks: list[tuple[np.ndarray, ...]] = []

    def record(self, day: int, rows: np.ndarray, kind: Event, detail: np.ndarray | int = 0) -> None:
        """Log ``kind`` events of ``rows`` on ``day`` (rows outside the sample are skipped)."""
        if not self.active or rows.size == 0:
            return
        keep = self.mask[rows]
        if not keep.any():
            return
        detail = np.broadcast_to(np.asarray(detail, dtype=np.int16), rows.shape)[keep]
        n = int(keep.sum())
        self._chunks.append((rows[keep].astype(np.int64), np.full(n, day, np.int32),
                             np.full(n, int(kind), np.int8), detail.astype(np.int16)))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """All events as arrays in the order recorded: customer, day index (0 = day 1), kind, detail code."""
        if not self._chunks:
            return (np.empty(0, np.int64), np.empty(0, np.int32), np.empty(0, np.int8), np.empty(0, np.int16))
        return tuple(np.concatenate(c) for c in zip(*self._chunks, strict=True))

    def frame(self, channel_names: tuple[str, ...], stage_names: tuple[str, ...]) -> pd.DataFrame:
        """All events as a table: customer, day, kind, detail (named), by customer, day and kind.

        ``day`` is the simulated day, 1 to ``days``, as in every output table (the arrays of
        :meth:`arrays` hold the step's day index, 0 for day 1).
        """
        chunks = list(self.frames(channel_names, stage_names))
        return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]

    def frames(self, channel_names: tuple[str, ...], stage_names: tuple[str, ...],
               rows: int = 1_000_000) -> Iterator[pd.DataFrame]:
        """The table of :meth:`frame` in pieces of at most ``rows`` events (for streaming writers:
        only the sort order and one piece are held beside the log's own arrays)."""
        if not self._chunks:  # one empty piece: a written table still has its header
            yield pd.DataFrame({"customer": [], "day": [], "kind": [], "detail": []})
            return
        customer, day, kind, detail = self.arrays()
        order = np.lexsort((kind, day, customer))
        kinds = np.array([e.name.lower() for e in sorted(Event)], dtype=object)
        names = _detail_names(channel_names, stage_names)
        for start in range(0, order.size, rows):
            part = order[start: start + rows]
            k, code = kind[part], detail[part].astype(np.int64)
            yield pd.DataFrame({"customer": customer[part], "day": day[part] + 1, "kind": kinds[k],
                                "detail": names[k, np.clip(code + 1, 0, names.shape[1] - 1)]})

    def history(self, row: int) -> pd.DataFrame:
        """Events of one customer (empty if not in the sample)."""
        frame = self.frame(self._channel_names, self._stage_names)
        return frame[frame["customer"] == row].reset_index(drop=True)

    def name_codes(self, channel_names: tuple[str, ...], stage_names: tuple[str, ...]) -> None:
        """Remember the names used by :meth:`history`."""
        self._channel_names, self._stage_names = channel_names, stage_names


def _detail_names(channels: tuple[str, ...], stages: tuple[str, ...]) -> np.ndarray:
    """Names of detail codes by kind: ``table[kind, code + 1]`` (codes run from -1)."""
    width = max(len(channels), len(stages), 2) + 1
    table = np.full((len(Event), width), "", dtype=object)
    table[Event.EXPOSURE, 1: len(channels) + 1] = channels
    table[Event.STAGE_CHANGE, 1: len(stages) + 1] = stages
    table[Event.WORD_OF_MOUTH, [0, 1, 2]] = ["negative", "negative", "positive"]  # codes -1, (0), +1
    table[Event.PURCHASE, [1, 2]] = ["repeat", "first"]
    return table
