"""Validation beyond single values: the memory a run needs (and, re-exported, CSV data files).

Every check raises :class:`~journeysim.sim.errors.ConfigError` naming where the bad input is
(a dotted config key, or a file with its line and column), the value given and what is allowed.
Single values and sections are checked by the config schema (:mod:`journeysim.sim.schema`); CSV
data files by :mod:`journeysim.sim.datafiles`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from journeysim.sim.datafiles import Column, CsvTable, read_csv_table
from journeysim.sim.errors import ConfigError
from journeysim.sim.lifetime import MONTH_DAYS
from journeysim.sim.schema.demand import rows_needed

__all__ = ["Column", "CsvTable", "read_csv_table", "check_memory", "estimate_bytes", "bytes_per_customer",
           "available_memory"]

if TYPE_CHECKING:
    from journeysim.sim.config import RunSpec


# --------------------------------------------------------------------------- memory
MESA_AGENT_BYTES = 700
"""Bytes per eagerly created Mesa ``Customer`` agent (measured with Mesa 3.3)."""

STATE_BYTES = 180
"""Bytes per customer of the state arrays, derived rates, log mask and the step's temporaries."""

IMPRESSION_CHANNEL_BYTES = 8
"""Bytes per customer of an impressions channel's frequency stock (float32 stock and uint16 day: 6,
counted as 8)."""

BROADCAST_CHANNEL_BYTES = 4
"""Bytes per customer of a broadcast channel's dose weights (float32)."""

GRAPH_BYTES_PER_DEGREE = 220
"""Peak bytes per customer per unit of mean degree while networkx builds a random graph."""

COMPETITION_BYTES = 10
"""Bytes per customer of the competition's state (five uint8 masks and codes, a float32, a flag)."""

GROUPS_BYTES = 24
"""Bytes per customer of the personal-groups network (group id and sort order)."""

EDGE_LIST_FACTOR = 4.0
"""Peak bytes held while reading an edge list, per byte of the file."""

HEADROOM = 1.25
"""Safety factor on the estimate (allocator slack, pandas tables at the end of a run)."""

IMPRESSION_BYTES = 48
"""Peak bytes per impression of one channel's day while its audience is drawn: two float64
uniforms per candidate, about 1.4 candidates per impression (persona affinity thins them), the
chosen rows; channels are drawn one after another."""

EAGER_AGENT_LIMIT = 200_000
"""``outputs.mesa_agents: auto`` creates agents up front up to this size (see ``sim/model.py``)."""


def bytes_per_customer(spec: RunSpec) -> float:
    """Estimated peak bytes a run needs per customer (before :data:`HEADROOM`).

    Parameters
    ----------
    spec : RunSpec
        The validated run (population, channels, network, outputs).
    """
    per = STATE_BYTES
    for channel in spec.channels:
        per += BROADCAST_CHANNEL_BYTES if channel.kind == "broadcast" else IMPRESSION_CHANNEL_BYTES
    network = spec.network
    if network.type in ("erdos_renyi", "watts_strogatz", "barabasi_albert", "homophilous"):
        size = spec.population.size  # an open population's rows hold mean_degree ties per person present
        per += GRAPH_BYTES_PER_DEGREE * network.mean_degree * rows_needed(size, spec.market.demand, spec.days) / size
    elif network.type == "groups":
        per += GROUPS_BYTES
    if spec.competition.active:
        per += COMPETITION_BYTES
    mode = spec.outputs.mesa_agents
    if mode == "eager" or (mode == "auto" and spec.population.size <= EAGER_AGENT_LIMIT):
        per += MESA_AGENT_BYTES
    return per


def largest_impression_day(spec: RunSpec) -> tuple[object | None, float]:
    """The impressions channel that buys the most impressions a day at its daily budget, and how
    many (``daily_budget / cpm * 1000``, scaled from ``population.reference_size`` to the
    population); (None, 0) without one."""
    best, most = None, 0.0
    for channel in spec.channels:
        bought = channel.daily_budget * spec.population.scale / channel.cpm * 1000.0
        if channel.kind != "broadcast" and bought > most:
            best, most = channel, bought
    return best, most


def estimate_bytes(spec: RunSpec) -> int:
    """Estimated peak memory of a run in bytes, headroom included (customers, network, collector
    arrays, the lifetime value table and the largest channel-day of impressions)."""
    fixed = IMPRESSION_BYTES * largest_impression_day(spec)[1]
    if spec.network.type == "edge_list" and spec.network.edge_list:
        path = Path(spec.network.edge_list)
        fixed += EDGE_LIST_FACTOR * path.stat().st_size if path.is_file() else 0.0
    days, k = spec.days, len(spec.channels)
    fixed += days * (64 + 8 * 4 * k + 8 * 40)  # collector arrays: flows, channels, daily KPIs
    fixed += 8 * days * (days // MONTH_DAYS + 1)  # lifetime value by age and cohort (355 MB at 36,500 days)
    rows = rows_needed(spec.population.size, spec.market.demand, days)  # entrants' rows are preallocated
    return int(HEADROOM * (fixed + bytes_per_customer(spec) * rows))


def available_memory() -> int | None:
    """Bytes that can be allocated now (MemAvailable, capped by a cgroup limit); None if unknown."""
    available = None
    try:
        import psutil

        available = int(psutil.virtual_memory().available)
    except (ImportError, OSError):
        available = _meminfo_available()
    limit = _cgroup_room()
    if limit is not None:
        available = limit if available is None else min(available, limit)
    return available


def _meminfo_available() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _cgroup_room() -> int | None:
    """Bytes left under a cgroup v2 memory limit (None when there is no limit)."""
    base = Path("/sys/fs/cgroup")
    try:
        limit = (base / "memory.max").read_text().strip()
        if limit == "max":
            return None
        return max(int(limit) - int((base / "memory.current").read_text()), 0)
    except (OSError, ValueError):
        return None


def check_memory(spec: RunSpec, available: int | None = None) -> None:
    """Refuse a population whose estimated peak memory exceeds what is available.

    Parameters
    ----------
    spec : RunSpec
        The validated run.
    available : int, optional
        Bytes available (default: :func:`available_memory`).

    Raises
    ------
    ConfigError
        Naming ``population.size``, the estimate and the largest size that fits; or, when one
        channel's daily impressions are most of the estimate, that channel's ``daily_budget`` and
        the largest budget that fits.
    """
    available = available_memory() if available is None else available
    if available is None:
        return
    need = estimate_bytes(spec)
    if need <= available:
        return
    channel, impressions = largest_impression_day(spec)
    drawing = HEADROOM * IMPRESSION_BYTES * impressions
    if channel is not None and need - drawing <= available:  # the budget, not the population, is too large
        fits = (max(available - (need - drawing), 0) / (HEADROOM * IMPRESSION_BYTES) * channel.cpm / 1000.0
                / spec.population.scale)
        raise ConfigError(f"channels.{channel.name}.daily_budget", channel.daily_budget,
                          f"a budget whose impressions fit in memory: at cpm {channel.cpm:g} it buys this "
                          f"population about {impressions:,.0f} impressions a day, which need about "
                          f"{_gib(drawing)} to draw but {_gib(available)} is available, so at most about "
                          f"{_round_down(int(fits)):,}")
    fits = _round_down(_largest_size(spec, available))
    raise ConfigError("population.size", spec.population.size,
                      f"a population that fits in memory: this run needs about {_gib(need)} but "
                      f"{_gib(available)} is available, so at most about {fits:,} customers with this "
                      "network and outputs.mesa_agents (lazy agents or a sparser network need less)")


def _largest_size(spec: RunSpec, available: int) -> int:
    """The largest ``population.size`` whose estimate fits in ``available`` bytes, other settings
    as in ``spec`` (budgets, stated at ``population.reference_size``, scale with the size; an open
    population's rows are not proportional to it, so search rather than divide)."""
    import dataclasses

    def need(size: int) -> int:
        return estimate_bytes(dataclasses.replace(spec, population=dataclasses.replace(spec.population, size=size)))

    low, high = 0, spec.population.size  # need(high) > available; need(0) is never asked
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if need(middle) <= available else (low, middle)
    return low


def _round_down(n: int) -> int:
    """``n`` rounded down to two significant digits."""
    if n < 100:
        return n
    step = 10 ** (len(str(n)) - 2)
    return n // step * step


def _gib(n: float) -> str:
    return f"{n / 2**30:.1f} GiB"
