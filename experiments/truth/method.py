"""Counterfactual runs under common random numbers: each seed as planned, all off, each channel off and +/-10%.

Each channel has its own random stream per day, so a counterfactual run of a seed differs
from the factual one only through the channel that changed and what it set in motion (word
of mouth included). Channels are switched off, or scaled, after the scenario's levers have set
the day's budgets (:meth:`~journeysim.sim.controls.MarketControls.scale_budgets`: levers set
planned budgets, the media phase spends the scaled ones), so budget plans in a scenario are
counterfactualised too. Every run goes through :func:`journeysim.experiments.runner.run_many`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from journeysim.experiments.intervals import LEVEL
from journeysim.experiments.runner import run_many
from journeysim.experiments.truth.ledger import baseline_table, ledger_table, weekly
from journeysim.experiments.truth.result import METRICS, TruthResult, channel_table, totals_table
from journeysim.sim.config import RunSpec
from journeysim.sim.errors import ConfigError

EXPORTS = ("paths", "mmm_daily", "mmm_weekly", "meridian_weekly", "robyn_weekly", "robyn_inputs",
           "mmm_weekly_observed", "meridian_weekly_observed", "robyn_weekly_observed")
"""What an exported seed's factual run returns beside its totals (the panels: ``journeysim.experiments.panels``)."""

MARGINAL_STEP = 0.10
"""Relative budget change of the marginal-ROAS central difference (+/-10%)."""

LEDGER_KINDS = ("all", "none", "off")
"""Variants whose daily outcomes are kept for the ledger (:mod:`~journeysim.experiments.truth.ledger`)."""


@dataclass(frozen=True)
class Variant:
    """One counterfactual of a seed: ``kind`` is all, none, off, down or up (of ``channel``)."""

    kind: str
    channel: str | None = None

    def factors(self, names: tuple[str, ...]) -> np.ndarray | None:
        """Budget multipliers per channel (None: as planned)."""
        if self.kind == "all":
            return None
        if self.kind == "none":
            return np.zeros(len(names))
        factors = np.ones(len(names))
        factors[names.index(self.channel)] = {"off": 0.0, "down": 1 - MARGINAL_STEP, "up": 1 + MARGINAL_STEP}[
            self.kind]
        return factors


def run_variant(spec: RunSpec, variant: Variant, exports: bool = False) -> dict[str, Any]:
    """Run one counterfactual; return its totals (and, with ``exports``, its paths and MMM tables).

    Returns
    -------
    dict
        ``seed``, ``variant``, ``channel``, the :data:`METRICS` totals, ``channel_spend``
        (currency per channel over the run) and ``last_touch`` (acquisitions per channel by
        last touch); for the factual, all-off and channel-off runs also ``series`` (the daily
        outcomes of :func:`~journeysim.experiments.truth.ledger.daily_series`); with ``exports`` also
        ``paths``, ``mmm_daily``, ``mmm_weekly`` and the panels of
        :data:`~journeysim.experiments.panels.PANEL_FILES` (Meridian, Robyn, observed).
    """
    from journeysim.experiments.exports import journey_paths, mmm_table, record
    from journeysim.experiments.panels import panel_exports
    from journeysim.experiments.truth.ledger import daily_series
    from journeysim.runner import build_model
    from journeysim.sim import kpis

    sample = spec.population.size if exports else 0
    spec = replace(spec, outputs=replace(spec.outputs, event_log_sample=sample, mesa_agents="lazy"))
    model = build_model(spec)
    factors = variant.factors(spec.channel_names)
    model.controls.scale_budgets(factors)
    model.run()
    out = {"seed": spec.seed, "variant": variant.kind, "channel": variant.channel,
           "acquisitions": kpis.acquisitions(model), "revenue": kpis.revenue(model),
           "orders": int(kpis.total(model, "orders")), "margin": kpis.total(model, "margin"),
           "spend": kpis.spend(model), "channel_spend": model.collector.spend[: model.day].sum(axis=0),
           "last_touch": model.collector.acquisitions_by_source[: model.day, : model.n_channels].sum(axis=0)}
    if variant.kind in LEDGER_KINDS:
        out["series"] = daily_series(model)
    if exports:
        rec = record(model)
        out |= {"paths": journey_paths(model), "mmm_daily": mmm_table(rec, "D"), "mmm_weekly": mmm_table(rec, "W"),
                **panel_exports(rec, spec.seed)}
    return out


def true_effects(scenario: str | None = None, seeds: int | Sequence[int] = 5,
                 overrides: Mapping[str, Any] | list[str] | None = None, *, channels: Sequence[str] | None = None,
                 marginal: bool = True, exports: str = "first", jobs: int | None = None,
                 level: float = LEVEL) -> TruthResult:
    """Each channel's true incremental acquisitions, revenue, ROAS and marginal ROAS.

    Parameters
    ----------
    scenario : str, optional
        A scenario of ``conf/scenario`` (default: the config's default).
    seeds : int or sequence of int
        Number of seeds (counting up from the config's ``seed``) or the seeds themselves.
    overrides : mapping or list of str, optional
        Config overrides, as for :func:`journeysim.simulate`.
    channels : sequence of str, optional
        Channels to evaluate (default: every channel with a planned budget).
    marginal : bool
        Also run the +/-10% budget changes for the marginal ROAS.
    exports : {"first", "all", "none"}
        Seeds whose factual run also returns its journey paths and MMM tables.
    jobs : int, optional
        Parallel processes (default: the number of CPUs, at most the number of runs).
    level : float
        Confidence level of the intervals, 0..1.
    """
    from journeysim.api import compose_config
    from journeysim.scenarios.spec import parse_config

    started = time.perf_counter()
    spec = parse_config(compose_config(scenario, overrides))
    seed_list = _seed_list(seeds, spec.seed)
    names = _evaluated_channels(spec, channels)
    variants = [Variant("all"), Variant("none"), *(Variant(kind, c) for c in names
                                                    for kind in (("off", "down", "up") if marginal else ("off",)))]
    if exports not in ("first", "all", "none"):
        raise ConfigError("exports", exports, "first, all or none")
    exported = {"first": seed_list[:1], "all": seed_list, "none": []}[exports]
    tasks = [(replace(spec, seed=s), v, v.kind == "all" and s in exported) for s in seed_list for v in variants]
    jobs = _jobs(jobs, len(tasks))
    outputs = run_many([partial(run_variant, *task) for task in tasks], jobs).values()
    runs = pd.DataFrame([{k: v for k, v in o.items() if k in ("seed", "variant", "channel", *METRICS)}
                         for o in outputs])
    table = channel_table(outputs, names, spec.channel_names, marginal, level)
    ledger = ledger_table(outputs, names, spec.channel_names)
    meta = {"scenario": spec.scenario, "seeds": seed_list, "overrides": _override_list(overrides),
            "customers": spec.population.size, "days": spec.days, "channels": list(names), "level": level,
            "jobs": jobs, "runs": len(tasks), "format": spec.outputs.format,
            "wall_seconds": round(time.perf_counter() - started, 2)}
    return TruthResult(table=table, totals=totals_table(outputs, names, level), runs=runs,
                       exports={o["seed"]: {k: o[k] for k in EXPORTS if k in o} for o in outputs if "paths" in o},
                       meta=meta, ledger=ledger, ledger_weekly=weekly(ledger),
                       baseline=baseline_table(outputs))


def _seed_list(seeds: int | Sequence[int], base: int) -> list[int]:
    if isinstance(seeds, bool) or not isinstance(seeds, int | Sequence) or isinstance(seeds, str):
        raise ConfigError("seeds", seeds, "a number of seeds (at least 1) or a list of seeds")
    if isinstance(seeds, int):
        if seeds < 1:
            raise ConfigError("seeds", seeds, "a number of seeds of at least 1")
        return list(range(base, base + seeds))
    if not seeds or any(not isinstance(s, int) or s < 0 for s in seeds):
        raise ConfigError("seeds", seeds, "a non-empty list of seeds (whole numbers of at least 0)")
    return list(dict.fromkeys(seeds))


def _evaluated_channels(spec: RunSpec, channels: Sequence[str] | None) -> tuple[str, ...]:
    """The channels asked for, or every channel the scenario's plan gives a budget."""
    if channels is not None:
        for name in channels:
            if name not in spec.channel_names:
                from journeysim.sim.errors import unknown_name

                raise unknown_name("channels", name, spec.channel_names)
        return tuple(dict.fromkeys(channels))
    from journeysim.scenarios.levers import planned_budgets

    plan = planned_budgets(spec)
    return tuple(name for k, name in enumerate(spec.channel_names) if plan[:, k].sum() > 0)


def _jobs(jobs: int | None, tasks: int) -> int:
    if jobs is None:
        return max(1, min(os.cpu_count() or 1, tasks))
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ConfigError("jobs", jobs, "a whole number of processes of at least 1")
    return jobs


def _override_list(overrides: Mapping[str, Any] | list[str] | None) -> list[str]:
    if isinstance(overrides, Mapping):
        return [f"{k}={v}" for k, v in overrides.items()]
    return list(overrides or [])
