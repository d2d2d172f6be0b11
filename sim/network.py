"""The social network: who can talk to whom, as CSR arrays over customer rows.

Graphs come from networkx generators (or an edge-list file) and are stored as CSR
arrays (``indptr``, ``indices``) over customer rows, shuffled so that graph position is
independent of persona (except in the homophilous blocks, where that is the point).
The daily conversations over it are the word-of-mouth phase, :mod:`journeysim.sim.word_of_mouth`.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import scipy.sparse as sp

from journeysim.sim.config import NetworkSpec
from journeysim.sim.errors import ConfigError
from journeysim.sim.validate import Column, read_csv_table


@dataclass
class Graph:
    """An undirected graph over customer rows in CSR form."""

    indptr: np.ndarray
    indices: np.ndarray

    @property
    def degree(self) -> np.ndarray:
        """Number of neighbours of each row."""
        return np.diff(self.indptr)

    @classmethod
    def from_edges(cls, n: int, u: np.ndarray, v: np.ndarray) -> Graph:
        """Symmetric CSR graph from an edge list (self-loops and duplicates dropped)."""
        keep = u != v
        u, v = u[keep], v[keep]
        data = np.ones(2 * u.size, np.int8)
        matrix = sp.csr_array((data, (np.concatenate([u, v]), np.concatenate([v, u]))), shape=(n, n))
        matrix.sum_duplicates()
        return cls(matrix.indptr.astype(np.int64), matrix.indices.astype(np.int64))


def read_edge_list(path: str | Path, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Read a CSV edge list of 0-based customer rows (``source,target``; a header is allowed;
    further columns such as a weight are ignored).

    Self-loops and duplicate edges (``a,b`` twice, or ``a,b`` and ``b,a``) are dropped with a
    warning that counts them.

    Returns
    -------
    tuple of ndarray
        Sources and targets (int64), one row per undirected edge, each with source < target.

    Raises
    ------
    ConfigError
        Naming the file, line and column of a malformed row or an out-of-range customer; or the
        file when it holds no edge, or only self-loops.
    """
    rows = (Column("source", "int", 0, n - 1), Column("target", "int", 0, n - 1))
    table = read_csv_table(path, rows, key="network.edge_list", allow_extra=True)
    u, v = table["source"], table["target"]
    where = f"network.edge_list ({Path(path).name})"
    if u.size == 0:
        raise ConfigError(where, "no edge", "at least one source,target row (the file is empty or holds "
                          "only a header, blank lines or comments)")
    loops = u == v
    low, high = np.minimum(u, v)[~loops], np.maximum(u, v)[~loops]
    if low.size == 0:
        raise ConfigError(where, f"{u.size:,} self-loop{'s' if u.size > 1 else ''}",
                          "at least one edge between two different customers")
    pairs = np.unique(low * np.int64(n) + high)
    duplicates = low.size - pairs.size
    if loops.any() or duplicates:
        logging.getLogger(__name__).warning(
            "%s: dropped %d self-loop(s) and %d duplicate edge(s) (an edge is undirected: a,b and b,a are one); "
            "%d edges kept", where, int(loops.sum()), duplicates, pairs.size)
    return pairs // n, pairs % n


def _tie_probability(p: float) -> float:
    """A block tie probability networkx can sample: at most 1, and 0 below 1e-12 (where
    log(1 - p) underflows to 0 in its geometric skipping)."""
    return min(p, 1.0) if p >= 1e-12 else 0.0


def build_graph(spec: NetworkSpec, n: int, persona: np.ndarray, counts: np.ndarray,
                rng: np.random.Generator, people: int | None = None) -> Graph | None:
    """The word-of-mouth graph for ``spec`` over ``n`` rows (None when fully mixed or in personal groups).

    ``people`` (default ``n``) is the number of people in the market at a time (``population.size``);
    with an open population the rows also hold everyone who will enter. A random graph then has
    ``mean_degree * n / people`` ties per row, spread over all rows, so the ties among the people
    present at any one time keep the configured ``mean_degree`` as people come and go. An edge
    list names the first ``people`` rows; each entrant's row copies the ties of a person of the
    list drawn at random (:func:`entrant_ties`).
    """
    if spec.type in ("fully_mixed", "groups"):
        return None
    people = n if people is None else people
    if spec.type == "edge_list":
        u, v = read_edge_list(spec.edge_list, people)
        if n > people:
            u, v = entrant_ties(Graph.from_edges(people, u, v), n, rng)
        return Graph.from_edges(n, u, v)
    seed = int(rng.integers(2**31 - 1))
    k = spec.mean_degree if n == people else spec.mean_degree * n / max(people, 1)
    if spec.type == "erdos_renyi":
        graph = nx.fast_gnp_random_graph(n, k / max(n - 1, 1), seed=seed)
    elif spec.type == "watts_strogatz":
        graph = nx.watts_strogatz_graph(n, int(k) if n == people else 2 * round(k / 2), spec.rewiring, seed=seed)
    elif spec.type == "barabasi_albert":
        graph = nx.barabasi_albert_graph(n, max(1, round(k / 2)), seed=seed)
    else:  # homophilous stochastic blocks, one block per persona
        order = np.argsort(persona, kind="stable")  # block node -> row (identity when rows are persona-sorted)
        counts = np.bincount(persona, minlength=len(counts))
        sizes = [int(c) for c in counts]
        within = [spec.homophily * k / max(s - 1, 1) for s in sizes]
        across = (1 - spec.homophily) * k / max(n - np.mean(sizes), 1)
        probs = [[_tie_probability(within[i] if i == j else across) for j in range(len(sizes))]
                 for i in range(len(sizes))]
        graph = nx.stochastic_block_model(sizes, probs, seed=seed, sparse=True)
        edges = np.array(graph.edges(), dtype=np.int64).reshape(-1, 2)
        return Graph.from_edges(n, order[edges[:, 0]], order[edges[:, 1]])
    edges = np.array(graph.edges(), dtype=np.int64).reshape(-1, 2)
    position = rng.permutation(n)  # graph node -> customer row, independent of persona
    return Graph.from_edges(n, position[edges[:, 0]], position[edges[:, 1]])


def entrant_ties(listed: Graph, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Edges of an edge-list graph over ``n`` rows: the listed people's ties, and for each row
    beyond them (an entrant of an open population) the ties of a listed person drawn at random
    (the entrant knows the people they know, so degrees keep the list's distribution).

    Parameters
    ----------
    listed : Graph
        The graph of the edge list over its people (rows ``0 .. people - 1``).
    n : int
        Rows of the run, entrants included.
    rng : Generator
        The network stream.

    Returns
    -------
    tuple of ndarray
        Sources and targets (int64) of every edge, listed ones first.
    """
    people = listed.degree.size
    template = rng.integers(people, size=n - people)  # the listed person each entrant copies
    degree = listed.degree[template]
    entrants = np.repeat(np.arange(people, n, dtype=np.int64), degree)
    starts = np.repeat(listed.indptr[template], degree)
    offsets = np.arange(entrants.size) - np.repeat(np.cumsum(degree) - degree, degree)
    neighbours = listed.indices[starts + offsets]
    sources = np.repeat(np.arange(people, dtype=np.int64), listed.degree)
    return np.concatenate([sources, entrants]), np.concatenate([listed.indices, neighbours])


def bernoulli_positions(total: int, probability: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions in ``[0, total)``, each kept independently with ``probability``, drawn
    by geometric gaps: work in proportion to the positions kept, not to ``total``."""
    if total <= 0 or probability <= 0:
        return np.empty(0, np.int64)
    if probability >= 1:
        return np.arange(total, dtype=np.int64)
    parts, last = [], -1
    while True:
        expected = (total - last) * probability
        gaps = rng.geometric(probability, int(expected + 4.0 * math.sqrt(expected) + 16))
        positions = last + np.cumsum(gaps)
        parts.append(positions[positions < total])
        if positions[-1] >= total:
            return np.concatenate(parts)
        last = int(positions[-1])


def segment_hits(start: np.ndarray, length: np.ndarray, probability: np.ndarray,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Independent Bernoulli trials over segments ``[start[i], start[i] + length[i])`` of an
    array, with success probability ``probability[i]`` in segment ``i``: the segment index and
    the position of every success. Candidates are drawn at the largest probability and thinned,
    so the work is in proportion to the segments and the successes, not to their total length."""
    ends = np.cumsum(length)
    if ends.size == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    top = float(probability.max())
    flat = bernoulli_positions(int(ends[-1]), top, rng)
    owner = np.searchsorted(ends, flat, side="right")
    if top > 0 and (probability < top).any():
        keep = rng.random(flat.size) * top < probability[owner]
        flat, owner = flat[keep], owner[keep]
    return owner, start[owner] + flat - (ends[owner] - length[owner])


def personal_groups(n: int, group_size: int, rng: np.random.Generator, people: int | None = None) -> np.ndarray:
    """Group id per row: rows shuffled into groups of ``group_size`` (the last may be smaller).

    With an open population (``people``, the people in the market at a time, fewer than the ``n``
    rows) groups hold ``group_size * n / people`` rows, so that about ``group_size`` of their
    members are in the market at any one time."""
    if people is not None and people != n:
        group_size = max(1, round(group_size * n / people))
    return (rng.permutation(n) // group_size).astype(np.int64)
