"""The adaptive budget against the static plans, on true profit (``journey-optimise --adaptive``).

journey-optimise finds the best static split by running every candidate in the model, which no
advertiser can do. The ``adaptive_budget`` lever (:mod:`journeysim.scenarios.adaptive`) starts
from the configured split and reallocates every few days from the observed panel alone. Here it
runs on the optimiser's fresh validation seeds, the same seeds as the configured split and the
best plan, so the three are compared paired by seed (common random numbers) on the KPIs the model
books, not on what the policy observed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from journeysim.experiments.intervals import mean_interval, paired_difference
from journeysim.experiments.optimisation.allocation import Problem
from journeysim.sim.errors import ConfigError
from journeysim.units import format_kpi

PLANS = ("baseline", "best", "adaptive")
"""Plans of the comparison: the configured split, journey-optimise's best, the adaptive budget."""

LABELS = {"baseline": "configured split (static)", "best": "journey-optimise best (static)",
          "adaptive": "adaptive budget (Thompson sampling)"}

DIFFERENCES = (("adaptive", "baseline"), ("adaptive", "best"), ("best", "baseline"))
"""Paired differences reported: (plan, minus plan)."""


def parse_settings(text: str | None, key: str = "--adaptive") -> dict[str, Any]:
    """The lever's settings from ``"every=7,prior_sd=0.5,observation.reporting_lag_days=5"``.

    Numbers written as whole numbers stay integers; ``observation.<name>`` keys fill the
    ``observation`` mapping. The values are checked by the lever (:func:`check_adaptive`).
    """
    settings: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        name, sep, raw = (s.strip() for s in part.partition("="))
        try:
            value: Any = int(raw) if raw.lstrip("-").isdigit() else float(raw)
        except ValueError:
            value = None
        if not sep or not name or value is None:
            raise ConfigError(key, part, "key=value pairs separated by commas with numbers as values, e.g. "
                                         "every=7,prior_sd=0.5,observation.reporting_lag_days=5")
        if name.startswith("observation."):
            settings.setdefault("observation", {})[name.split(".", 1)[1]] = value
        else:
            settings[name] = value
    if "channels" in settings:
        raise ConfigError(f"{key} channels", settings["channels"], "no channels: the plan's channels are reallocated")
    return settings


def adaptive_levers(problem: Problem, settings: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The configured split at the plan's total (always-on), then the adaptive lever over the plan's channels."""
    start = problem.configured.lever(problem.total_daily, problem.days)
    return [start, {"type": "adaptive_budget", "channels": list(problem.channels), **settings}]


def check_adaptive(problem: Problem, settings: Mapping[str, Any]) -> None:
    """Build the levers against the base config (a bad setting raises before any run).

    Raises
    ------
    ConfigError
        Naming the lever's key (``scenario.levers[k].every``), the value and what is allowed.
    """
    from journeysim.scenarios.levers import build_levers
    from journeysim.scenarios.spec import parse_config

    config = problem.config
    scenario = dict(config.get("scenario") or {})
    scenario["levers"] = [*(scenario.get("levers") or []), *adaptive_levers(problem, settings)]
    build_levers(parse_config({**config, "scenario": scenario}))


def adaptive_path(problem: Problem, settings: Mapping[str, Any], seed: int) -> pd.DataFrame:
    """The shares the adaptive budget chose at each decision of one run at ``seed``.

    Returns
    -------
    DataFrame
        ``day`` (0-based, the first day of each block) and one column per channel: its share of
        the day's total, 0 to 1.
    """
    from journeysim.experiments.runner import quiet, run_config

    config = quiet(problem.config, seed=seed)
    scenario = dict(config.get("scenario") or {})
    scenario["levers"] = [*(scenario.get("levers") or []), *adaptive_levers(problem, settings)]
    lever = run_config({**config, "scenario": scenario}).levers[-1]
    return pd.DataFrame([{"day": day, **dict(zip(lever.feed.channels, shares, strict=True))}
                         for day, shares in lever.decisions])


def comparison(validation: pd.DataFrame, kpi: str) -> pd.DataFrame:
    """Each plan's mean ``kpi`` and the paired differences, with 95% t intervals over the seeds.

    Columns: ``comparison`` (a plan, or ``plan - plan``), ``estimate``, ``low``, ``high``, ``n``,
    ``p_value`` and ``wins`` (seeds where the difference is above 0; blank for a plan), in the
    KPI's unit.
    """
    by_seed = {plan: dict(zip(rows["seed"].astype(int), rows[kpi].astype(float), strict=True))
               for plan, rows in validation.groupby("plan")}
    missing = [p for p in PLANS if p not in by_seed]
    if missing:
        raise ConfigError("validation.plan", missing, f"runs of every plan: {', '.join(PLANS)}")
    rows = []
    for plan in PLANS:
        mean = mean_interval(by_seed[plan].values())
        rows.append({"comparison": plan, **vars(mean), "wins": None})
    for plan, other in DIFFERENCES:
        diff = paired_difference(by_seed[plan], by_seed[other])
        wins = sum(by_seed[plan][s] > by_seed[other][s] for s in by_seed[plan] if s in by_seed[other])
        rows.append({"comparison": f"{plan} - {other}", **vars(diff), "wins": wins})
    return pd.DataFrame(rows)


def comparison_markdown(table: pd.DataFrame, kpi: str) -> str:
    """The comparison as a Markdown table, each value in ``kpi``'s unit (:mod:`journeysim.units`)."""
    lines = [f"| plan or paired difference | {kpi}, mean over seeds | 95% interval | seeds won |",
             "|---|---:|---|---:|"]
    for row in table.to_dict("records"):
        name = row["comparison"]
        if " - " in name:
            a, b = name.split(" - ")
            label, won = f"{a} minus {b}", f"{int(row['wins'])} of {int(row['n'])}"
        else:
            label, won = LABELS[name], ""
        difference = " - " in name
        value = [format_kpi(kpi, row[k], difference=difference) for k in ("estimate", "low", "high")]
        lines.append(f"| {label} | {value[0]} | {value[1]} to {value[2]} | {won} |")
    return "\n".join(lines) + "\n"
