"""Geo panels: several regions, each a market of its own with its own spend plan, and the truth per region.

A geo experiment varies spend between regions: here each region is a separate population (its
own size and seed) that runs the scenario with its own budget multiplier per channel (or its
own spend plan CSV). Every region's run, and every region's channel-off counterfactual under
the region's seed (common random numbers), is one job of
:func:`journeysim.experiments.runner.run_many`, so regions run in parallel on any executor
(``--executor dask|submitit|ray``).

The regions' factual runs of the first seed are stacked into one Meridian geo panel
(:func:`~journeysim.experiments.panels.meridian.stack_geos`: ``geo_panel.csv``); the truth per
region and channel is ``geo_truth.csv`` (over the run) and ``geo_truth_weekly.csv`` (per whole
week). A region whose multiplier for a channel is 0 is a dark market for it: a geo lift test of
a broadcast channel (TV), which cannot hold out single customers.

Budgets are stated for ``population.reference_size`` customers (the scenario's), so a region of
a quarter of the people spends a quarter of the plan at multiplier 1: spend per person is the
same in every region before the multipliers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from journeysim.experiments.panels.lift import jobs_for, seed_list_of
from journeysim.sim.config import RunSpec
from journeysim.sim.errors import ConfigError
from journeysim.sim.streams import RandomStreams

LEVELS = (0.0, 0.5, 1.0, 1.5, 2.0)
"""Budget multipliers :func:`default_geos` draws from, per region and channel."""

SEED_STEP = 1000
"""Region ``g`` (0-based) of seed ``s`` runs seed ``s + SEED_STEP * g``: different markets."""

OUTCOMES = ("acquisitions", "orders", "revenue")
"""Outcomes of the truth per region (first orders; all orders; net revenue, currency)."""


@dataclass(frozen=True)
class Geo:
    """One region.

    Attributes
    ----------
    name : str
        The region's name (Meridian's ``geo``).
    size : int
        Its population (``population.size``).
    budgets : mapping of str to float
        Multiplier of each channel's planned budget (channels not named: 1; 0: dark).
    plan : str, optional
        A spend plan CSV of the region (:mod:`journeysim.scenarios.spend_plan`), before the multipliers.
    """

    name: str
    size: int
    budgets: Mapping[str, float] = field(default_factory=dict)
    plan: str | None = None

    def factors(self, names: Sequence[str]) -> np.ndarray:
        """The multipliers in channel order (checked)."""
        from journeysim.sim.errors import unknown_name

        for channel, value in self.budgets.items():
            if channel not in names:
                raise unknown_name(f"geos.{self.name}.budgets", channel, names)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
                raise ConfigError(f"geos.{self.name}.budgets.{channel}", value, "a budget multiplier from 0 to 100")
        return np.array([float(self.budgets.get(n, 1.0)) for n in names])


def default_geos(spec: RunSpec, regions: int = 4) -> list[Geo]:
    """``regions`` regions sharing ``population.size`` (unequal shares), each paid channel's budget
    multiplied by a level of :data:`LEVELS`, drawn from the seed's stream ``geos``; every channel
    is dark in at least one region and on in another."""
    if isinstance(regions, bool) or not isinstance(regions, int) or not 2 <= regions <= 50:
        raise ConfigError("geos", regions, "a number of regions from 2 to 50")
    from journeysim.scenarios.levers import planned_budgets

    rng = RandomStreams(spec.seed).generator("geos")
    shares = rng.uniform(0.5, 1.5, regions)
    sizes = np.maximum(np.floor(spec.population.size * shares / shares.sum()).astype(int), 1)
    paid = [n for k, n in enumerate(spec.channel_names) if planned_budgets(spec)[:, k].sum() > 0]
    levels = rng.choice(LEVELS, size=(regions, len(paid)))
    for c in range(len(paid)):  # one dark region and one on air per channel, so each is identified
        dark, on = rng.choice(regions, 2, replace=False)
        levels[dark, c], levels[on, c] = 0.0, max(levels[on, c], 1.0)
    return [Geo(f"region_{g + 1}", int(sizes[g]), {n: float(levels[g, c]) for c, n in enumerate(paid)})
            for g in range(regions)]


@dataclass(frozen=True)
class GeoRun:
    """One job: region ``geo`` (index ``index``) under ``spec`` with channel ``off`` switched off (None: factual)."""

    spec: RunSpec
    geo: Geo
    index: int
    off: str | None = None
    export: bool = False

    def __call__(self) -> dict[str, Any]:
        """Run; return daily outcomes and spend (and, with ``export``, the region's Meridian panel)."""
        from journeysim.experiments.exports import record
        from journeysim.experiments.panels.meridian import meridian_panel
        from journeysim.runner import build_model

        spec = self.spec
        if self.geo.plan is not None:
            from journeysim.scenarios.spend_plan import with_plan

            spec = with_plan(spec, self.geo.plan)
        logged = spec.population.size if self.export else 0
        spec = replace(spec, outputs=replace(spec.outputs, event_log_sample=logged, mesa_agents="lazy"))
        model = build_model(spec)
        factors = self.geo.factors(spec.channel_names)
        if self.off is not None:
            factors[spec.channel_names.index(self.off)] = 0.0
        model.controls.scale_budgets(factors)
        model.run()
        c, days = model.collector, model.day
        out = {"geo": self.geo.name, "seed": self.spec.seed, "off": self.off, "spend": c.spend[:days].copy(),
               **{name: c.daily[name][:days].copy() for name in OUTCOMES}}
        if self.export:
            out["panel"] = meridian_panel(record(model, need_events=False), geo=self.geo.name)
        return out


@dataclass
class GeoResult:
    """A geo panel and the truth per region.

    Attributes
    ----------
    panel : DataFrame
        The Meridian geo panel of the first seed (columns as ``meridian``, one row per region and week).
    truth : DataFrame
        ``geo_truth``: per seed, region and channel, spend and incremental outcomes over the run.
    weekly : DataFrame
        ``geo_truth_weekly``: the same per whole week.
    geos : DataFrame
        The regions: name, size, seed offset and budget multiplier per channel.
    """

    panel: pd.DataFrame
    truth: pd.DataFrame
    weekly: pd.DataFrame
    geos: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def write(self, directory: str | Path) -> list[Path]:
        """Write ``geo_panel.csv``, ``geo_truth.csv``, ``geo_truth_weekly.csv`` and ``geos.csv``."""
        from journeysim.outputs import write_csv

        directory = Path(directory)
        return [write_csv(directory / f"{name}.csv", frame) for name, frame in (
            ("geo_panel", self.panel), ("geo_truth", self.truth), ("geo_truth_weekly", self.weekly),
            ("geos", self.geos))]


def geo_truth(scenario: str | None = None, geos: int | Sequence[Geo] = 4, seeds: int | Sequence[int] = 1,
              overrides: Mapping[str, Any] | list[str] | None = None, *, channels: Sequence[str] | None = None,
              jobs: int | None = None) -> GeoResult:
    """Run every region as planned and with each channel off; stack the panel; the truth per region.

    Parameters
    ----------
    scenario : str, optional
        A scenario of ``conf/scenario``.
    geos : int or sequence of Geo
        The regions, or how many :func:`default_geos` draws.
    seeds : int or sequence of int
        Seeds (region ``g`` of seed ``s`` runs seed ``s + 1000 g``).
    overrides : mapping or list of str, optional
        Config overrides for every region (``population.size`` is the regions' total for
        :func:`default_geos`; each region's own size replaces it).
    channels : sequence of str, optional
        Channels whose truth is computed (default: every channel some region spends on).
    jobs : int, optional
        Parallel processes (default: every core).
    """
    from journeysim.api import compose_config
    from journeysim.experiments.runner import run_many
    from journeysim.scenarios.spec import parse_config

    base = _list(overrides)
    spec = parse_config(compose_config(scenario, base))
    regions = default_geos(spec, geos) if isinstance(geos, int) else list(geos)
    if not regions or len({g.name for g in regions}) < len(regions):
        raise ConfigError("geos", [g.name for g in regions], "one or more regions with different names")
    reference = spec.population.reference_size
    specs = {g.name: parse_config(compose_config(scenario, [*base, f"population.size={g.size}",
                                                            f"population.reference_size={reference}"]))
             for g in regions}
    names = _channels(spec, regions, channels)
    seed_list = seed_list_of(seeds, spec.seed)
    on = {g.name: dict(zip(spec.channel_names, g.factors(spec.channel_names) > 0, strict=True)) for g in regions}
    tasks = [GeoRun(replace(specs[g.name], seed=s + SEED_STEP * i), g, i, off, export=off is None and s == seed_list[0])
             for s in seed_list for i, g in enumerate(regions) for off in (None, *names)
             if off is None or on[g.name][off]]  # a channel dark in a region adds exactly nothing there
    outputs = run_many(tasks, jobs_for(jobs, len(tasks))).values()
    panel = stack_panels([o["panel"] for o in outputs if "panel" in o], regions)
    truth, weekly = _truth(outputs, tasks, names, spec.channel_names)
    table = pd.DataFrame([{"geo": g.name, "size": g.size, "seed_offset": SEED_STEP * i,
                           **{f"budget_{n}": float(g.factors(spec.channel_names)[spec.channel_names.index(n)])
                              for n in names}}
                          for i, g in enumerate(regions)])
    meta = {"scenario": spec.scenario, "seeds": seed_list, "regions": [g.name for g in regions], "channels": names,
            "runs": len(tasks)}
    return GeoResult(panel, truth, weekly, table, meta)


def stack_panels(panels: list[pd.DataFrame], regions: Sequence[Geo]) -> pd.DataFrame:
    """The regions' Meridian panels as one geo panel (every region keeps every channel column)."""
    from journeysim.experiments.panels.meridian import stack_geos

    return stack_geos({g.name: p for g, p in zip(regions, panels, strict=True)})


def _list(overrides: Mapping[str, Any] | list[str] | None) -> list[str]:
    if isinstance(overrides, Mapping):
        return [f"{k}={v}" for k, v in overrides.items()]
    return list(overrides or [])


def _channels(spec: RunSpec, regions: Sequence[Geo], channels: Sequence[str] | None) -> list[str]:
    from journeysim.scenarios.levers import planned_budgets

    if channels is not None:
        for name in channels:
            if name not in spec.channel_names:
                from journeysim.sim.errors import unknown_name

                raise unknown_name("channels", name, spec.channel_names)
        return list(dict.fromkeys(channels))
    spent = np.zeros(len(spec.channel_names), bool)
    for g in regions:
        if g.plan is not None:
            from journeysim.scenarios.spend_plan import with_plan

            plan = planned_budgets(with_plan(spec, g.plan))
        else:
            plan = planned_budgets(spec)
        spent |= plan.sum(axis=0) * g.factors(spec.channel_names) > 0
    return [n for k, n in enumerate(spec.channel_names) if spent[k]]


def _truth(outputs: list[dict], tasks: list[GeoRun], names: list[str],
           all_names: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per region, seed and channel: factual minus channel-off, over the run and per whole week."""
    factual = {(t.geo.name, t.spec.seed): (t, o) for t, o in zip(tasks, outputs, strict=True) if t.off is None}
    done = {(t.geo.name, t.spec.seed, t.off): o for t, o in zip(tasks, outputs, strict=True) if t.off is not None}
    rows, weekly = [], []
    for (geo, run_seed), (first, f) in factual.items():
        for channel in names:
            t = replace(first, off=channel)
            o = done.get((geo, run_seed, channel), f)  # dark: the factual run is its own channel-off run
            row, weeks = _rows_of(t, f, o, all_names)
            rows.append(row)
            weekly += weeks
    return pd.DataFrame(rows), pd.DataFrame(weekly)


def _rows_of(t: GeoRun, f: dict, o: dict, all_names: tuple[str, ...]) -> tuple[dict, list[dict]]:
    """The truth rows of one region, seed and channel: over the run, and per whole week."""
    k = all_names.index(t.off)
    spend = f["spend"][:, k]
    inc = {name: f[name] - o[name] for name in OUTCOMES}
    seed = t.spec.seed - SEED_STEP * t.index
    row = {"geo": t.geo.name, "seed": seed, "channel": t.off, "spend": float(spend.sum()),
           **{f"incremental_{n}": float(v.sum()) for n, v in inc.items()},
           "roas": float(inc["revenue"].sum() / spend.sum()) if spend.sum() > 0 else float("nan")}
    weekly = [{"geo": t.geo.name, "seed": seed, "channel": t.off, "week": w + 1, "day": 7 * w + 1,
               "spend": float(spend[7 * w: 7 * w + 7].sum()),
               **{f"incremental_{n}": float(v[7 * w: 7 * w + 7].sum()) for n, v in inc.items()}}
              for w in range(len(spend) // 7)]
    return row, weekly
