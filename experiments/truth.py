"""True channel effects from counterfactual runs under common random numbers.

For each seed the scenario runs as planned ("all on"), with every channel off ("all off"),
and, for each channel, with that channel off and (for the marginal ROAS) with its budget
10% lower and 10% higher. Each channel has its own random stream per day, so a counterfactual
run of a seed differs from the factual one only through the channel that changed and what
it set in motion (word of mouth included).

Definitions, per seed, then mean and Student t interval over seeds:

* incremental acquisitions of channel c = acquisitions(all on) - acquisitions(c off);
  incremental revenue likewise (net revenue over the horizon, repeat orders included);
* ROAS = incremental revenue / the channel's spend in the factual run;
* marginal ROAS = (revenue(+10%) - revenue(-10%)) / (spend(+10%) - spend(-10%)) (central difference);
* share = incremental acquisitions / the sum over the evaluated channels;
* interaction share = 1 - sum of single-channel increments / (acquisitions(all on) - acquisitions(all off)):
  0 when channels act independently; negative when they need each other (an awareness channel
  and a closing channel: switching either off loses the same customers, so the single-channel
  increments add up to more than the joint effect); positive when they can stand in for each
  other (switching one off loses little because another reaches the same people).

Channels are switched off, or scaled, after the scenario's levers have set the day's budgets
(:meth:`~journeysim.sim.controls.MarketControls.scale_budgets`: levers set planned budgets, the
media phase spends the scaled ones), so budget plans in a scenario are counterfactualised too.

Command line (``key=value`` overrides as for ``journey``)::

    journey-truth scenario=attribution_lab seeds=5 population.size=50000
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from journeysim.experiments.intervals import LEVEL, Interval, mean_interval
from journeysim.sim.config import RunSpec
from journeysim.sim.errors import ConfigError

MARGINAL_STEP = 0.10
"""Relative budget change of the marginal-ROAS central difference (+/-10%)."""

METRICS = ("acquisitions", "revenue", "orders", "margin", "spend")
"""Run totals recorded per counterfactual run (counts; currency)."""


# ---------------------------------------------------------------------- one run
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
        last touch); with ``exports`` also ``paths``, ``mmm_daily`` and ``mmm_weekly``.
    """
    from journeysim.experiments.exports import journey_paths, mmm_table, record
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
    if exports:
        rec = record(model)
        out |= {"paths": journey_paths(model), "mmm_daily": mmm_table(rec, "D"), "mmm_weekly": mmm_table(rec, "W")}
    return out


# ---------------------------------------------------------------------- the experiment
@dataclass
class TruthResult:
    """True effects of a scenario's channels.

    Attributes
    ----------
    table : DataFrame
        One row per evaluated channel: ``spend`` (currency, mean over seeds),
        ``incremental_acquisitions``, ``incremental_revenue`` (currency), ``roas``,
        ``marginal_roas`` and ``share`` (of the summed increments), each with ``_low`` and
        ``_high`` bounds; ``last_touch_acquisitions`` (mean over seeds, for reference).
    totals : DataFrame
        ``acquisitions_all_on``, ``acquisitions_all_off``, ``total_effect``,
        ``sum_of_channel_effects``, ``interaction_share``, ``revenue_all_on``,
        ``revenue_all_off`` with mean, low and high.
    runs : DataFrame
        Every run's totals (seed, variant, channel, acquisitions, revenue, orders, margin, spend).
    exports : dict of int to dict
        Per seed with exports: ``paths``, ``mmm_daily`` and ``mmm_weekly`` of its factual run.
    meta : dict
        Scenario, seeds, overrides, size, days, channels, level and wall seconds.
    """

    table: pd.DataFrame
    totals: pd.DataFrame
    runs: pd.DataFrame
    exports: dict[int, dict[str, pd.DataFrame]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def shares(self) -> pd.Series:
        """True incremental share of acquisitions per channel (sums to 1)."""
        return self.table.set_index("channel")["share"]

    def write(self, directory: str | Path) -> Path:
        """Write the tables, ``truth.json``, the figure and the first seed's exports into ``directory``."""
        from journeysim.experiments.exports import channelattribution_table
        from journeysim.outputs import write_csv, write_figure, write_json

        directory = Path(directory)
        write_csv(directory / "truth.csv", self.table)
        write_csv(directory / "truth_totals.csv", self.totals)
        write_csv(directory / "truth_runs.csv", self.runs)
        write_json(directory / "truth.json", {**self.meta, "totals": self.totals.set_index("metric").to_dict("index"),
                                              "channels": self.table.to_dict("records")})
        write_figure(directory / "truth.png", plot_truth(self.table).figure)
        if self.exports:
            seed = min(self.exports)
            write_csv(directory / "paths.csv", self.exports[seed]["paths"])
            write_csv(directory / "paths_channelattribution.csv",
                      channelattribution_table(self.exports[seed]["paths"]))
            write_csv(directory / "mmm_daily.csv", self.exports[seed]["mmm_daily"])
            write_csv(directory / "mmm_weekly.csv", self.exports[seed]["mmm_weekly"])
        return directory


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
    from joblib import Parallel, delayed

    from journeysim.api import compose_config
    from journeysim.sim.config import parse_config

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
    outputs = Parallel(n_jobs=jobs)(delayed(run_variant)(*task) for task in tasks)
    runs = pd.DataFrame([{k: v for k, v in o.items() if k in ("seed", "variant", "channel", *METRICS)}
                         for o in outputs])
    table = channel_table(outputs, names, spec.channel_names, marginal, level)
    meta = {"scenario": spec.scenario, "seeds": seed_list, "overrides": _override_list(overrides),
            "customers": spec.population.size, "days": spec.days, "channels": list(names), "level": level,
            "jobs": jobs, "runs": len(tasks), "wall_seconds": round(time.perf_counter() - started, 2)}
    return TruthResult(table=table, totals=totals_table(outputs, names, level), runs=runs,
                       exports={o["seed"]: {k: o[k] for k in ("paths", "mmm_daily", "mmm_weekly")}
                                for o in outputs if "paths" in o},
                       meta=meta)


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


def _by(outputs: list[dict], kind: str, channel: str | None) -> dict[int, dict]:
    return {o["seed"]: o for o in outputs if o["variant"] == kind and o["channel"] == channel}


def channel_table(outputs: list[dict], names: Sequence[str], all_names: Sequence[str], marginal: bool = True,
                  level: float = LEVEL) -> pd.DataFrame:
    """Per-channel truth from the runs' totals (see :class:`TruthResult` for the columns).

    Parameters
    ----------
    outputs : list of dict
        :func:`run_variant` results of every seed: ``all``, ``off`` per channel (and ``up``
        and ``down`` with ``marginal``).
    names : sequence of str
        Channels evaluated.
    all_names : sequence of str
        Every channel, in the order of ``channel_spend`` and ``last_touch``.
    """
    factual = _by(outputs, "all", None)
    seeds = sorted(factual)
    off = {c: _by(outputs, "off", c) for c in names}
    inc_acq = {c: {s: factual[s]["acquisitions"] - off[c][s]["acquisitions"] for s in seeds} for c in names}
    totals = {s: sum(inc_acq[c][s] for c in names) for s in seeds}
    rows = []
    for c in names:
        k = all_names.index(c)
        spend = {s: float(factual[s]["channel_spend"][k]) for s in seeds}
        inc_rev = {s: factual[s]["revenue"] - off[c][s]["revenue"] for s in seeds}
        row = {"channel": c, "spend": float(np.mean(list(spend.values())))}
        row |= _columns("incremental_acquisitions", mean_interval(inc_acq[c].values(), level))
        row |= _columns("incremental_revenue", mean_interval(inc_rev.values(), level))
        row |= _columns("roas", mean_interval([_ratio(inc_rev[s], spend[s]) for s in seeds], level))
        if marginal:
            up, down = _by(outputs, "up", c), _by(outputs, "down", c)
            mroas = [_ratio(up[s]["revenue"] - down[s]["revenue"], up[s]["spend"] - down[s]["spend"]) for s in seeds]
            row |= _columns("marginal_roas", mean_interval(mroas, level))
        row |= _columns("share", mean_interval([_ratio(inc_acq[c][s], totals[s]) for s in seeds], level))
        row["last_touch_acquisitions"] = float(np.mean([factual[s]["last_touch"][k] for s in seeds]))
        rows.append(row)
    return pd.DataFrame(rows)


def totals_table(outputs: list[dict], names: Sequence[str], level: float = LEVEL) -> pd.DataFrame:
    """Run-wide truth: acquisitions with all channels on and off, their difference, the sum of
    single-channel effects and the interaction share (mean, low, high over seeds)."""
    factual = _by(outputs, "all", None)
    seeds = sorted(factual)
    none = _by(outputs, "none", None)
    singles = {s: sum(factual[s]["acquisitions"] - _by(outputs, "off", c)[s]["acquisitions"] for c in names)
               for s in seeds}
    effect = {s: factual[s]["acquisitions"] - none[s]["acquisitions"] for s in seeds}
    values = {
        "acquisitions_all_on": [factual[s]["acquisitions"] for s in seeds],
        "acquisitions_all_off": [none[s]["acquisitions"] for s in seeds],
        "total_effect": list(effect.values()),
        "sum_of_channel_effects": list(singles.values()),
        "interaction_share": [1.0 - _ratio(singles[s], effect[s]) for s in seeds],
        "revenue_all_on": [factual[s]["revenue"] for s in seeds],
        "revenue_all_off": [none[s]["revenue"] for s in seeds],
    }
    rows = [{"metric": name, **_columns("", mean_interval(v, level))} for name, v in values.items()]
    return pd.DataFrame(rows).rename(columns={"": "mean", "_low": "low", "_high": "high"})


def _ratio(a: float, b: float) -> float:
    return float(a) / float(b) if b else float("nan")


def _columns(name: str, interval: Interval) -> dict[str, float]:
    return {name: interval.estimate, f"{name}_low": interval.low, f"{name}_high": interval.high}


# ---------------------------------------------------------------------- figure
def plot_truth(table: pd.DataFrame, ax=None, **kwargs: Any):
    """Incremental acquisitions per channel with their interval (horizontal bars); returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.subplots(figsize=(7, 0.5 * len(table) + 1.6), layout="constrained")[1]
    y = np.arange(len(table))[::-1]
    mean = table["incremental_acquisitions"].to_numpy(float)
    err = np.vstack([mean - table["incremental_acquisitions_low"], table["incremental_acquisitions_high"] - mean])
    options = {"color": "#4292c6", "ecolor": "#08306b", "capsize": 4, **kwargs}
    ax.barh(y, mean, xerr=np.nan_to_num(err), **options)
    marginal = table["marginal_roas"] if "marginal_roas" in table else [np.nan] * len(table)
    labels = [f"{c}  (ROAS {r:.1f}" + (f", marginal {m:.1f})" if np.isfinite(m) else ")")
              for c, r, m in zip(table["channel"], table["roas"], marginal, strict=True)]
    ax.set_yticks(y, labels)
    ax.axvline(0, color="#636363", linewidth=0.8)
    ax.set(xlabel="incremental acquisitions over the horizon (customers)", title="True channel effects")
    return ax


# ---------------------------------------------------------------------- command line
OPTIONS = {"seeds": "number of seeds (default 5)", "jobs": "parallel processes (default: CPUs)",
           "marginal": "true/false: also run +/-10% budgets for the marginal ROAS (default true)",
           "out": "output directory (default outputs/truth/<scenario>/<time>)",
           "exports": "first/all/none: seeds whose factual run writes paths and MMM tables (default first)"}
"""Options of the command line besides config overrides (``key=value`` like overrides)."""


def parse_arguments(argv: Sequence[str], options: Mapping[str, str] = OPTIONS) -> tuple[dict[str, str], list[str]]:
    """Split ``key=value`` arguments into this command's options and config overrides."""
    chosen, overrides = {}, []
    for arg in argv:
        key, sep, value = arg.partition("=")
        if not sep:
            raise ConfigError(arg, None, "key=value arguments (options: " + ", ".join(options) + "; or config keys)")
        if key in options:
            chosen[key] = value
        else:
            overrides.append(arg)
    return chosen, overrides


def integer_option(options: Mapping[str, str], key: str, default: int | None) -> int | None:
    """Read an integer option (``seeds=5``)."""
    if key not in options:
        return default
    try:
        return int(options[key])
    except ValueError:
        raise ConfigError(key, options[key], "a whole number") from None


def flag_option(options: Mapping[str, str], key: str, default: bool) -> bool:
    """Read a true/false option."""
    value = options.get(key, str(default)).lower()
    if value not in ("true", "false"):
        raise ConfigError(key, options[key], "true or false")
    return value == "true"


def default_directory(kind: str, scenario: str) -> Path:
    """``outputs/<kind>/<scenario>/<time>`` under the working directory."""
    return Path("outputs") / kind / scenario / time.strftime("%Y-%m-%d_%H-%M-%S")


def usage(command: str, options: Mapping[str, str], doc: str) -> str:
    """Help text of a command taking options and config overrides."""
    lines = [f"usage: {command} [option=value ...] [config.key=value ...]", "", doc.strip(), "", "options:"]
    lines += [f"  {key:<10} {text}" for key, text in options.items()]
    return "\n".join(lines)


def format_table(table: pd.DataFrame) -> str:
    """The truth table as aligned text (means with intervals)."""
    lines = [f"{'channel':<14}{'spend':>12}{'incr. acq.':>24}{'share':>8}{'ROAS':>22}{'mROAS':>8}"]
    for row in table.to_dict("records"):
        acq = f"{row['incremental_acquisitions']:,.0f} [{row['incremental_acquisitions_low']:,.0f}, " \
              f"{row['incremental_acquisitions_high']:,.0f}]"
        roas = f"{row['roas']:.2f} [{row['roas_low']:.2f}, {row['roas_high']:.2f}]"
        lines.append(f"{row['channel']:<14}{row['spend']:>12,.0f}{acq:>24}{row['share']:>8.1%}{roas:>22}"
                     f"{row.get('marginal_roas', float('nan')):>8.2f}")
    return "\n".join(lines)


def run_command(argv: Sequence[str]) -> tuple[TruthResult, Path]:
    """``journey-truth`` without the exit handling: run, write, print; return the result and directory."""
    options, overrides = parse_arguments(argv)
    result = true_effects(None, seeds=integer_option(options, "seeds", 5), overrides=overrides,
                          marginal=flag_option(options, "marginal", True), exports=options.get("exports", "first"),
                          jobs=integer_option(options, "jobs", None))
    directory = Path(options["out"]) if "out" in options else default_directory("truth", result.meta["scenario"])
    result.write(directory)
    totals = result.totals.set_index("metric")
    print(format_table(result.table))
    print(f"interaction share: {totals.loc['interaction_share', 'mean']:.1%} "
          f"[{totals.loc['interaction_share', 'low']:.1%}, {totals.loc['interaction_share', 'high']:.1%}]; "
          f"{result.meta['runs']} runs in {result.meta['wall_seconds']:.0f} s; written to {directory}")
    return result, directory


def main(argv: Sequence[str] | None = None) -> None:
    """Console script ``journey-truth``."""
    from journeysim.sim.errors import EXIT_BAD_INPUT

    argv = list(sys.argv[1:] if argv is None else argv)
    if {"-h", "--help"} & set(argv):
        print(usage("journey-truth", OPTIONS, __doc__.split("\n\n")[0]))
        return
    try:
        run_command(argv)
    except ConfigError as error:
        print(f"journey-truth: error: {error}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None


if __name__ == "__main__":
    main()

