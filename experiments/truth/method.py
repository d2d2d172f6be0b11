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
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from journeysim.experiments.intervals import LEVEL, seeds_warning
from journeysim.experiments.runner import run_many
from journeysim.experiments.truth.horizons import (
    HORIZONS,
    contribution_table,
    horizon_table,
    pulse_table,
    pulse_weeks,
    response_table,
)
from journeysim.experiments.truth.ledger import (
    WEEK_DAYS,
    baseline_table,
    daily_series,
    ledger_table,
    weekly,
    weekly_spend_cv,
)
from journeysim.experiments.truth.result import METRICS, TruthResult, channel_table, totals_table
from journeysim.sim.config import RunSpec
from journeysim.sim.errors import ConfigError

EXPORTS = ("paths", "mmm_daily", "mmm_weekly", "meridian_weekly", "robyn_weekly", "robyn_inputs",
           "mmm_weekly_observed", "meridian_weekly_observed", "robyn_weekly_observed")
"""What an exported seed's factual run returns beside its totals (the panels: ``journeysim.experiments.panels``)."""

MARGINAL_STEP = 0.10
"""Relative budget change of the marginal-ROAS central difference (+/-10%)."""

RUN_COLUMNS = ("seed", "variant", "channel", "factor", "week", *METRICS)
"""Columns of ``truth_runs``: each run's variant (``factor`` of the channel's budget in off, down, up and scale
runs, ``week`` of a pulse run) and totals."""

LEDGER_KINDS = ("all", "none", "off")
"""Variants whose daily outcomes are kept for the ledger (:mod:`~journeysim.experiments.truth.ledger`)."""


@dataclass(frozen=True)
class Variant:
    """One counterfactual of a seed: ``kind`` is all, none, off, down or up (of ``channel``),
    scale (``channel``'s budget times ``factor`` all run) or pulse (``channel``'s spend removed
    in week ``week`` only, 1-based 7-day blocks from day 1)."""

    kind: str
    channel: str | None = None
    factor: float | None = None
    week: int | None = None

    def factors(self, names: tuple[str, ...]) -> np.ndarray | None:
        """Budget multipliers per channel (None: as planned); a pulse's apply in its week only."""
        if self.kind == "all":
            return None
        if self.kind == "none":
            return np.zeros(len(names))
        factors = np.ones(len(names))
        factors[names.index(self.channel)] = 0.0 if self.kind == "pulse" else self.budget_factor()
        return factors

    def budget_factor(self) -> float | None:
        """The factor of ``channel``'s budget over the whole run (None: all, none and pulse)."""
        return {"off": 0.0, "down": 1 - MARGINAL_STEP, "up": 1 + MARGINAL_STEP, "scale": self.factor}.get(self.kind)

    def window(self) -> tuple[int, int] | None:
        """Day indexes ``[start, stop)`` the factors apply to (None: the whole run)."""
        if self.kind != "pulse":
            return None
        return (self.week - 1) * WEEK_DAYS, self.week * WEEK_DAYS


def run_variant(spec: RunSpec, variant: Variant, exports: bool = False, observation: Any = None) -> dict[str, Any]:
    """Run one counterfactual; return its totals (and, with ``exports``, its paths and MMM tables).

    Returns
    -------
    dict
        ``seed``, ``variant``, ``channel``, the :data:`METRICS` totals, ``channel_spend``
        (currency per channel over the run) and ``last_touch`` (acquisitions per channel by
        last touch); for the factual, all-off, channel-off and pulse runs also ``series`` (the daily
        outcomes of :func:`~journeysim.experiments.truth.ledger.daily_series`; a pulse's ``spend``
        is its channel's only); with ``exports`` also ``paths``, ``mmm_daily``, ``mmm_weekly`` and
        the panels of :data:`~journeysim.experiments.panels.PANEL_FILES` (Meridian, Robyn, observed).
    """
    from journeysim.experiments.exports import journey_paths, mmm_table, record
    from journeysim.experiments.panels import panel_exports
    from journeysim.runner import build_model
    from journeysim.sim import kpis

    sample = spec.population.size if exports else 0
    spec = replace(spec, outputs=replace(spec.outputs, event_log_sample=sample, mesa_agents="lazy"))
    model = build_model(spec)
    factors, window = variant.factors(spec.channel_names), variant.window()
    if window is None:
        model.controls.scale_budgets(factors)
        model.run()
    while model.day < spec.days:  # a pulse: its factors on its days only (no random number moves)
        model.controls.scale_budgets(factors if window[0] <= model.day < window[1] else None)
        model.step()
    out = {"seed": spec.seed, "variant": variant.kind, "channel": variant.channel, "factor": variant.budget_factor(),
           "week": variant.week,
           "acquisitions": kpis.acquisitions(model), "revenue": kpis.revenue(model),
           "orders": int(kpis.total(model, "orders")), "margin": kpis.total(model, "margin"),
           "spend": kpis.spend(model), "channel_spend": model.collector.spend[: model.day].sum(axis=0),
           "last_touch": model.collector.acquisitions_by_source[: model.day, : model.n_channels].sum(axis=0)}
    if variant.kind in LEDGER_KINDS:
        out["series"] = daily_series(model)
    elif variant.kind == "pulse":  # its channel's spend only (currency per day)
        series = daily_series(model)
        out["series"] = series | {"spend": series["spend"][:, spec.channel_names.index(variant.channel)]}
    if exports:
        rec = record(model)
        out |= {"paths": journey_paths(model), "mmm_daily": mmm_table(rec, "D"), "mmm_weekly": mmm_table(rec, "W"),
                **panel_exports(rec, spec.seed, observation)}
    return out


def true_effects(scenario: str | None = None, seeds: int | Sequence[int] = 5,
                 overrides: Mapping[str, Any] | list[str] | None = None, *, channels: Sequence[str] | None = None,
                 marginal: bool = True, exports: str = "first", jobs: int | None = None,
                 level: float = LEVEL, pulses: int = 0, horizons: Sequence[int] = HORIZONS,
                 response: Sequence[float] = (), plan: str | Path | None = None,
                 plan_amounts: str = "population", observation: Any = None) -> TruthResult:
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
        Confidence level of the intervals, 0..1 (below
        :data:`~journeysim.experiments.intervals.MIN_SEEDS` seeds the result's ``meta["warning"]``
        says they are unreliable; ``truth.json`` carries it).
    pulses : int
        Pulse counterfactuals per channel per year (one week's spend removed; weeks sampled by
        :func:`~journeysim.experiments.truth.horizons.pulse_weeks`), for the ROAS over ``horizons``;
        0: none.
    horizons : sequence of int
        Horizons of the pulse ROAS, weeks from the first day of the pulse's week.
    response : sequence of float
        Budget factors (times the plan, over the whole run) for the response curve beyond 0,
        1 and the marginal steps; each is one more run per channel and seed.
    plan : str or Path, optional
        A spend plan CSV (:mod:`journeysim.scenarios.spend_plan`) that sets its channels' budgets
        after the scenario's levers: the truth of that plan.
    plan_amounts : {"population", "reference"}
        Whether the plan's amounts are this population's spend or budgets at reference size.
    observation : Observation, optional
        Noise and reporting lag of the observed panels
        (:class:`~journeysim.experiments.panels.Observation`; default its defaults).
    """
    from journeysim.api import compose_config
    from journeysim.scenarios.spec import parse_config

    started = time.perf_counter()
    spec = parse_config(compose_config(scenario, overrides))
    if plan is not None:
        from journeysim.scenarios.spend_plan import with_plan

        spec = with_plan(spec, plan, plan_amounts)
    seed_list = _seed_list(seeds, spec.seed)
    names = _evaluated_channels(spec, channels)
    variants = [Variant("all"), Variant("none"), *(Variant(kind, c) for c in names
                                                    for kind in (("off", "down", "up") if marginal else ("off",)))]
    horizons, factors = _horizons(horizons), _factors(response)
    from journeysim.scenarios.levers import planned_budgets

    weeks = pulse_weeks(planned_budgets(spec), names, spec.channel_names, pulses, seed_list[0], min(horizons))
    variants += [Variant("scale", c, factor=f) for c in names for f in factors]
    variants += [Variant("pulse", c, week=w) for c in names for w in weeks[c]]
    if exports not in ("first", "all", "none"):
        raise ConfigError("exports", exports, "first, all or none")
    exported = {"first": seed_list[:1], "all": seed_list, "none": []}[exports]
    tasks = [(replace(spec, seed=s), v, v.kind == "all" and s in exported, observation) for s in seed_list
             for v in variants]
    jobs = _jobs(jobs, len(tasks))
    outputs = run_many([partial(run_variant, *task) for task in tasks], jobs).values()
    runs = pd.DataFrame([{k: v for k, v in o.items() if k in RUN_COLUMNS} for o in outputs])
    runs["week"] = runs["week"].astype("Int64")  # pulse runs only
    table = channel_table(outputs, names, spec.channel_names, marginal, level)
    table["weekly_spend_cv"] = _spend_cv(outputs, names, spec.channel_names)
    ledger = ledger_table(outputs, names, spec.channel_names)
    ledger_weekly, pulse_rows = weekly(ledger), pulse_table(outputs, spec.channel_names, horizons)
    meta = {"scenario": spec.scenario, "seeds": seed_list, "overrides": _override_list(overrides),
            "plan": None if plan is None else str(Path(plan).resolve()),
            "customers": spec.population.size, "days": spec.days, "channels": list(names), "level": level,
            "jobs": jobs, "runs": len(tasks), "format": spec.outputs.format, "pulse_weeks": weeks,
            "horizons_weeks": list(horizons), "response_factors": list(factors),
            "wall_seconds": round(time.perf_counter() - started, 2)}
    if seeds_warning(len(seed_list)):
        meta["warning"] = seeds_warning(len(seed_list))
    return TruthResult(table=table, totals=totals_table(outputs, names, level), runs=runs,
                       exports={o["seed"]: {k: o[k] for k in EXPORTS if k in o} for o in outputs if "paths" in o},
                       meta=meta, ledger=ledger, ledger_weekly=ledger_weekly, baseline=baseline_table(outputs),
                       contribution=contribution_table(ledger_weekly, level), pulses=pulse_rows,
                       horizons=horizon_table(pulse_rows, level),
                       response=response_table(outputs, names, spec.channel_names, level))


def _spend_cv(outputs: Sequence[dict], names: Sequence[str], all_names: Sequence[str]) -> list[float]:
    """Each evaluated channel's weekly spend coefficient of variation in the factual runs (mean over seeds)."""
    cvs = np.array([weekly_spend_cv(o["series"]["spend"]) for o in outputs if o["variant"] == "all"])
    return [float(np.nanmean(cvs[:, all_names.index(c)])) if np.isfinite(cvs[:, all_names.index(c)]).any()
            else float("nan") for c in names]


def _horizons(horizons: Sequence[int]) -> tuple[int, ...]:
    values = tuple(horizons) if isinstance(horizons, Sequence) and not isinstance(horizons, str) else ()
    if not values or any(isinstance(h, bool) or not isinstance(h, int) or h < 1 for h in values):
        raise ConfigError("horizons", horizons, "a non-empty list of horizons in whole weeks of at least 1")
    return tuple(sorted(set(values)))


def _factors(response: Sequence[float]) -> tuple[float, ...]:
    values = tuple(response) if isinstance(response, Sequence) and not isinstance(response, str) else None
    if values is None or any(isinstance(f, bool) or not isinstance(f, int | float) or not 0 < f <= 10
                             for f in values):
        raise ConfigError("response", response, "budget factors above 0 and at most 10 (times the plan)")
    return tuple(sorted(set(float(f) for f in values) - {1.0}))


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
