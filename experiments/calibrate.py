"""Calibrate named model parameters to observed weekly aggregates (ABC-SMC with pyabc).

A plan in YAML (``conf/calibration/*.yaml`` or any file) names the scenario the data are
compared with, the parameters to fit as dotted config keys with their prior ranges, and the
size of the inference::

    scenario: baseline
    overrides: [population.size=3000, service.enabled=false]
    market_size: null        # real customers behind the observed counts (default: population.size)
    warmup_weeks: 0          # weeks simulated before the first observed week
    seed: 0
    parameters:
      market.checkout_friction: {low: 0.05, high: 0.6}
      network.positive_kick: [0.1, 1.5]
      population.personas.impulse_buyer.interest_decay: {low: 0.02, high: 0.3, log: true}
    statistics: null         # data columns compared (default: every column of the data)
    abc: {population_size: 60, generations: 5, max_simulations: 1500, min_epsilon: 0.0, predictive_draws: 20}

The observed data are a CSV with one row per week (:func:`read_observed` documents the
columns). ``journey-calibrate PLAN DATA`` fits the parameters and writes the posterior, the
fitted values, a calibrated scenario (``scenario/<name>.yaml``, run it with
``journey --config-dir OUT scenario=<name>``) and the observed-vs-simulated figure.

Why pyabc's ABC-SMC rather than an Optuna point fit: the simulator is stochastic and has no
likelihood, and the question "does this look like my business?" needs the uncertainty of the
fitted values (which values the data cannot tell apart) as much as a best guess. ABC-SMC gives
a weighted sample of the posterior; a point optimiser gives one value and no interval.

The helpers in the section "configs, plans and parallel runs" are shared with
:mod:`journeysim.experiments.optimise`.
"""

from __future__ import annotations

import argparse
import copy
import csv
import hashlib
import logging
import math
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from journeysim.experiments import plans
from journeysim.experiments.plans import flat_numbers
from journeysim.sim.errors import ConfigError, closest, unknown_name
from journeysim.sim.stages import Stage

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from journeysim.sim.model import JourneyModel

EXIT_BAD_INPUT = 2
PLAN_PACKAGE = "journeysim.conf.calibration"
BACKENDS = ("loky", "ray")
DAYS_PER_WEEK = 7

FUNNEL_RATES: dict[str, tuple[Stage, Stage]] = {
    "aware_to_considering": (Stage.AWARE, Stage.CONSIDERING),
    "considering_to_deciding": (Stage.CONSIDERING, Stage.DECIDING),
    "deciding_to_customer": (Stage.DECIDING, Stage.CUSTOMER),
}
"""Funnel rates: of the customers who left the first stage in the week, the share who moved on to
the second (the rest fell back or abandoned the cart)."""

COUNT_STATISTICS = ("acquisitions", "orders", "revenue")
"""Weekly totals (customers, orders, currency), scaled from the simulated population to the market."""

SOURCES = ("word_of_mouth", "direct")
"""Acquisition sources besides the channels: ``<source>_conversions`` columns."""

QUIET_OUTPUTS = {"event_log_sample": 0, "mesa_agents": "lazy", "figures": False, "tables": False,
                 "progress": False}
"""Output settings of the many runs of an inference (nothing written, no journey log)."""


# =========================================================================== configs, plans and parallel runs
def read_plan_file(source: str, package: str = PLAN_PACKAGE) -> tuple[str, dict[str, Any]]:
    """Read a calibration or budget plan (a YAML path or a name in ``conf/calibration``)."""
    return plans.read_plan_file(source, package)


def compose_base(scenario: str | None, overrides: Sequence[str], config_dir: str | Path | None = None,
                 seed: int | None = None) -> dict[str, Any]:
    """The resolved config of ``journey [--config-dir DIR] scenario=... overrides`` as a plain dict.

    Parameters
    ----------
    scenario : str, optional
        A packaged scenario, or one in ``config_dir/scenario`` (e.g. a calibrated one).
    overrides : sequence of str
        ``key=value`` overrides, as on the ``journey`` command line.
    config_dir : str or Path, optional
        A folder Hydra also searches (``journey --config-dir DIR``).
    seed : int, optional
        The run seed.
    """
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from journeysim.sim.config import to_container

    try:
        if config_dir is None:
            from journeysim.api import compose_config

            config = to_container(compose_config(scenario, list(overrides), seed))
        else:
            config = to_container(_compose_with_dir(scenario, list(overrides), Path(config_dir), seed))
    except (HydraException, OmegaConfBaseException) as error:
        message = "; ".join(line.strip() for line in str(error).strip().splitlines()[:3]) or type(error).__name__
        raise ConfigError("overrides", list(overrides), f"overrides of existing config keys ({message})") from None
    config.pop("hydra", None)
    return config


def _compose_with_dir(scenario: str | None, overrides: list[str], config_dir: Path, seed: int | None):
    from hydra import compose, initialize_config_module
    from hydra.core.global_hydra import GlobalHydra

    from journeysim.cli import check_group_choices

    if not config_dir.is_dir():
        raise ConfigError("config_dir", str(config_dir), "an existing folder holding scenario/<name>.yaml")
    args = [f"scenario={scenario}"] if scenario else []
    args += overrides + ([f"seed={seed}"] if seed is not None else [])
    check_group_choices(["--config-dir", str(config_dir), *args])
    GlobalHydra.instance().clear()
    with initialize_config_module("journeysim.conf", version_base="1.3"):
        return compose("config", overrides=[f"hydra.searchpath=[file://{config_dir.resolve()}]", *args])


def settable(config: Mapping[str, Any], name: str) -> bool:
    """Whether dotted key ``name`` may be set: a numeric leaf, or a new stage/channel under an effect or affinity."""
    if name in flat_numbers(config):
        return True
    *parents, leaf = name.split(".")
    node: Any = config
    for part in parents:
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return isinstance(node, Mapping) and bool(parents) and parents[-1] in ("effect", "affinity") and leaf not in node


def assign(config: Mapping[str, Any], values: Mapping[str, float | int]) -> dict[str, Any]:
    """A deep copy of ``config`` with dotted keys set to ``values``.

    Persona shares (``population.personas.<name>.share``) stay a partition: when some are set,
    the others share what is left in their configured proportions; when all are set, they are
    weights normalised to sum to 1.
    """
    out = copy.deepcopy(dict(config))
    for name, value in values.items():
        node = out
        *parents, leaf = name.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    shares = [n for n in values if n.startswith("population.personas.") and n.endswith(".share")]
    if shares:
        _renormalise_shares(out["population"]["personas"], {n.split(".")[2] for n in shares})
    return out


def _renormalise_shares(personas: dict[str, Any], fitted: set[str]) -> None:
    rest = [name for name in personas if name not in fitted]
    fixed = sum(float(personas[name]["share"]) for name in fitted)
    if not rest:
        for name in personas:
            personas[name]["share"] = float(personas[name]["share"]) / fixed
        return
    left = max(0.0, 1.0 - fixed)
    configured = sum(float(personas[name]["share"]) for name in rest)
    for name in rest:
        weight = float(personas[name]["share"]) / configured if configured else 1.0 / len(rest)
        personas[name]["share"] = left * weight


def quiet(config: Mapping[str, Any], days: int | None = None, seed: int | None = None) -> dict[str, Any]:
    """``config`` with :data:`QUIET_OUTPUTS` (and optionally ``days`` and ``seed``) set."""
    out = {**config, "outputs": {**(config.get("outputs") or {}), **QUIET_OUTPUTS}}
    if days is not None:
        out["days"] = days
    if seed is not None:
        out["seed"] = seed
    return out


def run_config(config: Mapping[str, Any]) -> JourneyModel:
    """Validate ``config`` and run its model to the end (with its service and levers)."""
    from journeysim.runner import build_model
    from journeysim.sim.config import parse_config

    return build_model(parse_config(dict(config))).run()


def config_changes(config: Mapping[str, Any], reference: Mapping[str, Any]) -> dict[str, Any]:
    """The nested keys whose values differ between ``config`` and ``reference`` (lists whole)."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        if key not in reference:
            out[key] = value
        elif isinstance(value, Mapping) and isinstance(reference[key], Mapping):
            inner = config_changes(value, reference[key])
            if inner:
                out[key] = inner
        elif value != reference[key]:
            out[key] = value
    return out


def global_scenario_yaml(config: Mapping[str, Any], name: str, question: str,
                         notes: Sequence[str] = ()) -> str:
    """A ``# @package _global_`` scenario file that makes the defaults into ``config``.

    It holds every key of ``config`` (without ``seed`` and ``outputs``) that differs from the
    default config, and ``scenario`` with its name, kind and levers. Placed at
    ``DIR/scenario/<name>.yaml`` it runs with ``journey --config-dir DIR scenario=<name>``;
    command-line overrides still win over its values.
    """
    import yaml

    defaults = compose_base(None, [])
    body = {k: v for k, v in config.items() if k not in ("seed", "outputs", "scenario")}
    changes = config_changes(body, {k: v for k, v in defaults.items() if k != "scenario"})
    scenario = {**dict(config.get("scenario") or {}), "name": name}
    scenario.setdefault("kind", "journey")
    comments = ["# @package _global_", f"# {question}", *(f"# {line}" for line in notes)]  # Hydra: header first
    text = yaml.safe_dump(_plain({"scenario": scenario, **changes}), sort_keys=False, default_flow_style=None)
    return "\n".join(comments) + "\n" + text


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def parallel_map(func: Callable[[Any], Any], items: Iterable[Any], jobs: int = 1, backend: str = "loky") -> list:
    """``[func(x) for x in items]`` over ``jobs`` worker processes (joblib; ``-1``: every core).

    Parameters
    ----------
    func : callable
        A picklable function of one item.
    items : iterable
        The inputs; results come back in their order.
    jobs : int
        Workers; 1 runs in this process.
    backend : str
        ``loky`` (joblib's local processes) or ``ray`` (joblib on a Ray cluster; needs Ray installed,
        ``pip install 'journeysim[ray]'``, and connects to ``RAY_ADDRESS`` or starts a local one).
    """
    items = list(items)
    if backend not in BACKENDS:
        raise unknown_name("backend", backend, BACKENDS)
    if jobs == 1 or len(items) <= 1:
        return [func(item) for item in items]
    from joblib import Parallel, delayed, parallel_config

    if backend == "ray":
        try:
            from ray.util.joblib import register_ray
        except ImportError:
            raise ConfigError("backend", backend, "loky, unless Ray is installed (pip install 'journeysim[ray]')") \
                from None
        register_ray()
    with parallel_config(backend=backend, n_jobs=jobs):
        return Parallel()(delayed(func)(item) for item in items)


@dataclass(frozen=True)
class JoblibMap:
    """A ``map`` over joblib workers, for pyabc's :class:`~pyabc.sampler.MappingSampler`."""

    jobs: int
    backend: str = "loky"

    def __call__(self, func: Callable[[Any], Any], items: Iterable[Any]) -> list:
        """``list(map(func, items))`` in parallel."""
        return parallel_map(func, items, self.jobs, self.backend)


def whole(raw: Mapping[str, Any], key: str, default: int | None, low: int, prefix: str = "") -> int | None:
    """Read ``raw[key]`` as a whole number of at least ``low`` (``default`` when absent)."""
    value = raw.get(key, default)
    if value is None and default is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or value < low:
        raise ConfigError(f"{prefix}{key}", value, f"a whole number of at least {low}")
    return int(value)


def real(raw: Mapping[str, Any], key: str, default: float, low: float, prefix: str = "") -> float:
    """Read ``raw[key]`` as a finite number of at least ``low``."""
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < low:
        raise ConfigError(f"{prefix}{key}", value, f"a number of at least {low}")
    return float(value)


def override_list(raw: Mapping[str, Any], key: str = "overrides") -> tuple[str, ...]:
    """Read a list of ``key=value`` strings."""
    overrides = raw.get(key) or []
    if not isinstance(overrides, list) or not all(isinstance(o, str) and "=" in o for o in overrides):
        raise ConfigError(key, overrides, "a list of key=value strings")
    return tuple(overrides)


def check_keys(raw: Mapping[str, Any], known: Iterable[str], prefix: str = "") -> None:
    """Reject keys of ``raw`` that are not ``known`` (suggesting the closest)."""
    known = sorted(known)
    for key in raw:
        if key not in known:
            raise unknown_name(f"{prefix}{key}", key, known)


# =========================================================================== the plan
@dataclass(frozen=True)
class Parameter:
    """One fitted config value with its uniform prior.

    Attributes
    ----------
    name : str
        Dotted config key (``market.checkout_friction``), in the key's unit.
    low, high : float
        Prior range, in the key's unit.
    log : bool
        Uniform prior on log10 of the value (for rates spanning orders of magnitude).
    integer : bool
        The config holds an integer: values are rounded.
    """

    name: str
    low: float
    high: float
    log: bool = False
    integer: bool = False

    @property
    def key(self) -> str:
        """The parameter's name inside pyabc (dots are not allowed there)."""
        return self.name.replace(".", "__")

    @property
    def bounds(self) -> tuple[float, float]:
        """Prior range on the fitted scale (log10 of the value when ``log``)."""
        return (math.log10(self.low), math.log10(self.high)) if self.log else (self.low, self.high)

    def value(self, x: float) -> float | int:
        """The config value of fitted-scale coordinate ``x``."""
        return self.cast(10.0 ** x if self.log else x)

    def cast(self, v: float) -> float | int:
        """``v`` as the config holds it (rounded for integer keys)."""
        return int(round(v)) if self.integer else float(v)


@dataclass(frozen=True)
class CalibrationPlan:
    """A calibration: which parameters, the simulation compared with the data, and the inference's size."""

    name: str
    parameters: tuple[Parameter, ...]
    scenario: str | None = None
    config_dir: str | None = None
    overrides: tuple[str, ...] = ()
    statistics: tuple[str, ...] | None = None
    market_size: int | None = None
    warmup_weeks: int = 0
    seed: int = 0
    population_size: int = 60
    generations: int = 5
    max_simulations: int = 1500
    min_epsilon: float = 0.0
    predictive_draws: int = 20


ABC_KEYS = ("population_size", "generations", "max_simulations", "min_epsilon", "predictive_draws")
PLAN_KEYS = ("scenario", "config_dir", "overrides", "statistics", "market_size", "warmup_weeks", "seed",
             "parameters", "abc")


def parse_parameter(name: str, spec: Any) -> Parameter:
    """Validate one ``parameters`` entry: ``[low, high]`` or ``{low, high, log}``."""
    key = f"parameters.{name}"
    if isinstance(spec, Mapping):
        check_keys(spec, ("low", "high", "log"), f"{key}.")
        bounds, log = [spec.get("low"), spec.get("high")], spec.get("log", False)
    else:
        bounds, log = (list(spec) if isinstance(spec, list | tuple) else []), False
    if len(bounds) != 2 or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds):
        raise ConfigError(key, spec, "a range [low, high] of two numbers, or {low, high, log}")
    low, high = float(bounds[0]), float(bounds[1])
    if not low < high:
        raise ConfigError(key, spec, "a range with low < high")
    if not isinstance(log, bool):
        raise ConfigError(f"{key}.log", log, "true or false")
    if log and low <= 0:
        raise ConfigError(key, spec, "a range of positive numbers when log is true")
    return Parameter(name, low, high, log)


def parse_plan(name: str, raw: Mapping[str, Any]) -> CalibrationPlan:
    """Validate a raw plan mapping (each bad value raises a ConfigError naming its key)."""
    check_keys(raw, PLAN_KEYS)
    parameters = raw.get("parameters")
    if not isinstance(parameters, Mapping) or not parameters:
        raise ConfigError("parameters", parameters, "a mapping of config keys to [low, high] ranges")
    statistics = raw.get("statistics")
    if statistics is not None and (not isinstance(statistics, list) or not statistics
                                   or not all(isinstance(s, str) for s in statistics)):
        raise ConfigError("statistics", statistics, "a list of data column names, or null for all")
    abc = raw.get("abc") or {}
    if not isinstance(abc, Mapping):
        raise ConfigError("abc", abc, "a mapping with " + ", ".join(ABC_KEYS))
    check_keys(abc, ABC_KEYS, "abc.")
    market_size = whole(raw, "market_size", None, 1)
    return CalibrationPlan(
        name=name, parameters=tuple(parse_parameter(str(k), v) for k, v in parameters.items()),
        scenario=raw.get("scenario"), config_dir=raw.get("config_dir"), overrides=override_list(raw),
        statistics=None if statistics is None else tuple(statistics), market_size=market_size,
        warmup_weeks=whole(raw, "warmup_weeks", 0, 0), seed=whole(raw, "seed", 0, 0),
        population_size=whole(abc, "population_size", 60, 10, "abc."),
        generations=whole(abc, "generations", 5, 1, "abc."),
        max_simulations=whole(abc, "max_simulations", 1500, 10, "abc."),
        min_epsilon=real(abc, "min_epsilon", 0.0, 0.0, "abc."),
        predictive_draws=whole(abc, "predictive_draws", 20, 0, "abc."))


def bind(plan: CalibrationPlan, config: Mapping[str, Any]) -> CalibrationPlan:
    """Check each parameter names a settable numeric key of ``config``; mark integer keys.

    Persona shares may be fitted when the other personas can take up the rest (the fitted
    shares' upper bounds sum to less than 1) or when every persona's share is fitted.
    """
    numbers = flat_numbers(config)
    bound = []
    for p in plan.parameters:
        if not settable(config, p.name):
            raise ConfigError(f"parameters.{p.name}", p.name, "a numeric config key: " + closest(p.name, numbers))
        bound.append(replace(p, integer=isinstance(numbers.get(p.name), int)))
    shares = [p for p in bound if p.name.startswith("population.personas.") and p.name.endswith(".share")]
    personas = config.get("population", {}).get("personas", {})
    if shares and len(shares) < len(personas) and sum(p.high for p in shares) >= 1.0:
        raise ConfigError("parameters.population.personas.*.share", {p.name: p.high for p in shares},
                          "upper bounds summing to less than 1 (the other personas share the rest)")
    return replace(plan, parameters=tuple(bound))


# =========================================================================== observed data
def allowed_statistics(channel_names: Sequence[str]) -> tuple[str, ...]:
    """Column names the observed data may have (besides ``week``)."""
    return (*COUNT_STATISTICS, "churn_rate", "nps", *FUNNEL_RATES,
            *(f"{name}_conversions" for name in (*channel_names, *SOURCES)))


def statistic_range(name: str) -> tuple[float, float | None]:
    """Allowed values of a statistic: (low, high); no upper bound for counts and currency."""
    if name == "nps":
        return -100.0, 100.0
    if name == "churn_rate" or name in FUNNEL_RATES:
        return 0.0, 1.0
    return 0.0, None


def is_count(name: str) -> bool:
    """Whether a statistic is a count or currency total (scaled with the market size)."""
    return name in COUNT_STATISTICS or name.endswith("_conversions")


@dataclass(frozen=True)
class Observed:
    """Observed weekly aggregates.

    Attributes
    ----------
    source : str
        Where they came from (a file path).
    weeks : ndarray of int
        Week labels as numbers (the file's week numbers, or 0, 1, ... for dates).
    start : date, optional
        Date of the first week when the file gives dates.
    values : dict of str to ndarray
        One float array per statistic, one value per week.
    """

    source: str
    weeks: np.ndarray
    values: dict[str, np.ndarray]
    start: date | None = None

    @property
    def n_weeks(self) -> int:
        """Number of weeks."""
        return int(self.weeks.size)

    @property
    def names(self) -> tuple[str, ...]:
        """Statistics observed, in column order."""
        return tuple(self.values)

    def labels(self) -> list:
        """Week labels for tables and figures (dates when the file gave dates)."""
        if self.start is None:
            return [int(w) for w in self.weeks]
        return [self.start + timedelta(weeks=int(k)) for k in range(self.n_weeks)]

    def frame(self) -> pd.DataFrame:
        """The data as a table, ``week`` first."""
        return pd.DataFrame({"week": self.labels(), **self.values})

    def only(self, names: Sequence[str]) -> Observed:
        """The same data restricted to ``names`` (which must be columns)."""
        for name in names:
            if name not in self.values:
                raise unknown_name("statistics", name, self.names)
        return replace(self, values={name: self.values[name] for name in names})


def read_observed(path: str | Path, allowed: Sequence[str]) -> Observed:
    """Read and check observed weekly data from a CSV.

    Columns: ``week`` (ISO dates ``YYYY-MM-DD`` seven days apart, or week numbers increasing by
    1), then any of ``allowed``: weekly totals ``acquisitions``, ``orders``, ``revenue`` and
    ``<channel>_conversions`` (new customers whose last touch was that channel, or
    ``word_of_mouth`` / ``direct``); ``churn_rate`` (share of active customers lapsing in the
    week); ``nps`` (at the end of the week, -100..100); funnel rates ``aware_to_considering``,
    ``considering_to_deciding``, ``deciding_to_customer`` (of those leaving the first stage in the
    week, the share moving on). Every cell needs a value; blank lines and ``#`` comments are
    skipped. Values are checked by :func:`journeysim.sim.validate.read_csv_table`.

    Raises
    ------
    ConfigError
        Naming the file, its line and column, the value and what is allowed.
    """
    from journeysim.sim.validate import Column, read_csv_table

    path = Path(path)
    if not path.is_file():
        raise ConfigError("data", str(path), "an existing CSV file with a week column and statistic columns")
    lines = _data_lines(path)
    header = [name.strip() for name in next(csv.reader([lines[0][1]]))] if lines else []
    where = f"data ({path.name}, line {lines[0][0] if lines else 1})"
    for k, name in enumerate(header):
        if name != "week" and name not in allowed:
            raise ConfigError(where, name, "a column name: " + closest(name, ["week", *allowed]))
        if name in header[:k]:
            raise ConfigError(where, name, "each column once")
    names = [name for name in header if name != "week"]
    if not names:
        raise ConfigError(where, ",".join(header), "a header with week and at least one statistic column: "
                          + ", ".join(allowed))
    columns = [Column("week", "str"), *(Column(name, "float", *statistic_range(name)) for name in names)]
    table = read_csv_table(path, columns, key="data", header="required", min_rows=2)
    weeks, start = _read_weeks(path, table["week"], [number for number, _ in lines[1:]])
    return Observed(str(path), weeks, {name: table[name] for name in names}, start)


def _data_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, text) of the lines that are not blank or comments (as ``read_csv_table`` reads them)."""
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        return [(number, text.split("#", 1)[0]) for number, text in enumerate(handle, start=1)
                if text.split("#", 1)[0].strip()]


def _read_weeks(path: Path, texts: Sequence[str], line_numbers: Sequence[int]) -> tuple[np.ndarray, date | None]:
    """Week labels as numbers (0, 1, ... for dates) and the first date; consecutive weeks or a ConfigError."""
    labels: list[int | date] = []
    for text, line in zip(texts, line_numbers, strict=False):
        where = f"data ({path.name}, line {line}, column 'week')"
        label = _week_label(text)
        if label is None:
            raise ConfigError(where, text, "an ISO date (YYYY-MM-DD) or a whole week number")
        if labels and type(label) is not type(labels[0]):
            raise ConfigError(where, text, "the same kind of week label on every row (all dates or all week numbers)")
        if labels and _week_step(labels[-1], label) != 1:
            previous = labels[-1]
            want = previous + timedelta(days=DAYS_PER_WEEK) if isinstance(previous, date) else previous + 1
            raise ConfigError(where, text, f"the week after the previous row's ({want}): one row per consecutive "
                                           "week")
        labels.append(label)
    if isinstance(labels[0], date):
        return np.arange(len(labels)), labels[0]
    return np.array(labels, dtype=np.int64), None


def _week_label(text: str) -> int | date | None:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _week_step(previous: int | date, label: int | date) -> float:
    if isinstance(label, date):
        return (label - previous).days / DAYS_PER_WEEK  # type: ignore[operator]
    return label - previous  # type: ignore[operator]


def write_observed(observed: Observed, path: str | Path) -> Path:
    """Write observed data as the CSV :func:`read_observed` reads."""
    from journeysim.outputs import write_csv

    return write_csv(Path(path), observed.frame())


# =========================================================================== simulated statistics
def weekly_statistics(model: JourneyModel, names: Sequence[str], weeks: int, warmup_weeks: int = 0,
                      count_scale: float = 1.0) -> dict[str, np.ndarray]:
    """The statistics of a finished run, one value per week after the warm-up.

    Parameters
    ----------
    model : JourneyModel
        A run of at least ``7 * (warmup_weeks + weeks)`` days.
    names : sequence of str
        Statistics (see :func:`read_observed` for their meaning).
    weeks, warmup_weeks : int
        Weeks compared, and weeks skipped before them.
    count_scale : float
        Factor from simulated counts to the market's (market size / population size).
    """
    c = model.collector
    start, stop = DAYS_PER_WEEK * warmup_weeks, DAYS_PER_WEEK * (warmup_weeks + weeks)
    channels = model.spec.channel_names

    def weekly(daily: np.ndarray) -> np.ndarray:
        block = daily[start:stop]
        return block.reshape(weeks, DAYS_PER_WEEK, *block.shape[1:]).sum(axis=1)

    out: dict[str, np.ndarray] = {}
    for name in names:
        if name in COUNT_STATISTICS:
            out[name] = weekly(c.daily[name]) * count_scale
        elif name.endswith("_conversions"):
            source = name[: -len("_conversions")]
            k = channels.index(source) if source in channels else len(channels) + SOURCES.index(source)
            out[name] = weekly(c.acquisitions_by_source[:, k]).astype(np.float64) * count_scale
        elif name == "churn_rate":
            counts = c.stage_counts[start:stop:DAYS_PER_WEEK, Stage.CUSTOMER:Stage.ADVOCATE + 1].sum(axis=1)
            out[name] = _share(weekly(c.daily["churned"]), counts)
        elif name == "nps":
            out[name] = np.nan_to_num(c.daily["nps"][start + DAYS_PER_WEEK - 1:stop:DAYS_PER_WEEK], nan=0.0)
        elif name in FUNNEL_RATES:
            a, b = FUNNEL_RATES[name]
            flows = weekly(c.flows[:, a, :])
            out[name] = _share(flows[:, b], flows.sum(axis=1))
        else:
            raise unknown_name("statistics", name, allowed_statistics(channels))
    return out


def _share(part: np.ndarray, whole_: np.ndarray) -> np.ndarray:
    whole_ = np.asarray(whole_, dtype=np.float64)
    return np.divide(part, whole_, out=np.zeros_like(whole_), where=whole_ > 0)


def run_seed(values: Mapping[str, float], base: int) -> int:
    """A seed that depends only on the parameter values and the plan's seed (reruns repeat)."""
    text = repr((base, sorted((k, round(float(v), 12)) for k, v in values.items())))
    return int(hashlib.blake2b(text.encode(), digest_size=4).hexdigest(), 16) % (2**31)


@dataclass
class Simulator:
    """The model as pyabc sees it: fitted-scale parameters in, the observed statistics out.

    Attributes
    ----------
    config : dict
        The base config (quiet outputs, the data's length in days).
    parameters : tuple of Parameter
        The fitted parameters.
    names : tuple of str
        Statistics compared.
    weeks, warmup_weeks : int
        Weeks of data, and simulated weeks before the first.
    count_scale : float
        Market size / population size.
    seed : int
        The plan's seed (mixed with the parameter values into each run's seed).
    """

    config: dict[str, Any]
    parameters: tuple[Parameter, ...]
    names: tuple[str, ...]
    weeks: int
    warmup_weeks: int = 0
    count_scale: float = 1.0
    seed: int = 0

    def values(self, point: Mapping[str, float]) -> dict[str, float | int]:
        """Config values of a pyabc parameter point."""
        return {p.name: p.value(point[p.key]) for p in self.parameters}

    def series(self, values: Mapping[str, float | int], seed: int) -> dict[str, np.ndarray]:
        """Full weekly series of a run with ``values`` set."""
        model = run_config({**assign(self.config, values), "seed": seed})
        return weekly_statistics(model, self.names, self.weeks, self.warmup_weeks, self.count_scale)

    def __call__(self, point: Mapping[str, float]) -> dict[str, np.ndarray]:
        """The statistics pyabc compares with the data."""
        values = self.values(point)
        return self.series(values, run_seed(values, self.seed))


# =========================================================================== inference
@dataclass
class Calibration:
    """A finished calibration.

    Attributes
    ----------
    plan : CalibrationPlan
        The bound plan.
    observed : Observed
        The data fitted.
    particles : DataFrame
        The last ABC-SMC generation: one column per parameter (config values) and ``weight``.
    generations : DataFrame
        Per generation ``t``: ``epsilon`` (distance threshold), ``simulations`` and ``particles``.
    simulations : int
        Model runs of the ABC-SMC (all generations).
    predictive : dict of str to ndarray
        Posterior predictive series per statistic, shape (draws, weeks).
    config : dict
        The base config the parameters were fitted in.
    wall_seconds : float
        Time taken.
    """

    plan: CalibrationPlan
    observed: Observed
    particles: pd.DataFrame
    generations: pd.DataFrame
    simulations: int
    predictive: dict[str, np.ndarray]
    config: dict[str, Any]
    wall_seconds: float = 0.0
    truth: dict[str, float] = field(default_factory=dict)

    @property
    def runs(self) -> int:
        """All model runs: ABC simulations plus posterior predictive draws."""
        first = next(iter(self.predictive.values()), np.empty((0, 0)))
        return self.simulations + first.shape[0]

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Posterior per parameter: weighted mean, sd, median and central ``level`` interval."""
        w = self.particles["weight"].to_numpy()
        rows = []
        for p in self.plan.parameters:
            x = self.particles[p.name].to_numpy()
            mean = float(np.average(x, weights=w))
            low, median, high = weighted_quantiles(x, w, [(1 - level) / 2, 0.5, (1 + level) / 2])
            row = {"parameter": p.name, "mean": mean, "sd": float(np.sqrt(np.average((x - mean) ** 2, weights=w))),
                   "median": median, "low": low, "high": high, "prior_low": p.low, "prior_high": p.high}
            if p.name in self.truth:
                row["truth"] = self.truth[p.name]
                row["covered"] = bool(low <= self.truth[p.name] <= high)
            rows.append(row)
        return pd.DataFrame(rows)

    def fitted(self) -> dict[str, float | int]:
        """Point values for the calibrated scenario: posterior medians."""
        table = self.summary()
        return {p.name: p.cast(float(f"{m:.6g}")) for p, m in zip(self.plan.parameters, table["median"], strict=True)}

    def calibrated_config(self) -> dict[str, Any]:
        """The base config with the fitted values (the outputs' settings as configured)."""
        return assign(self.config, self.fitted())

    def scenario_yaml(self, name: str = "calibrated") -> str:
        """The calibrated scenario file (``# @package _global_``), for ``DIR/scenario/<name>.yaml``."""
        fitted = ", ".join(f"{k} = {v:.4g}" for k, v in self.fitted().items())
        notes = [f"Fitted by journey-calibrate (plan {self.plan.name}) to {self.observed.source}:",
                 f"posterior medians {fitted}.",
                 f"Run: journey --config-dir DIR scenario={name}  (this file is DIR/scenario/{name}.yaml)."]
        return global_scenario_yaml(self.calibrated_config(), name,
                                    "Calibrated: what does the model say about the business whose data it was "
                                    "fitted to?", notes)

    def predictive_table(self) -> pd.DataFrame:
        """Observed vs posterior predictive per statistic and week: median and 5/25/75/95% bands."""
        frames = []
        for name, draws in self.predictive.items():
            q = np.nanquantile(draws, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0) if draws.size else \
                np.full((5, self.observed.n_weeks), np.nan)
            frames.append(pd.DataFrame({"statistic": name, "week": self.observed.labels(),
                                        "observed": self.observed.values[name], "q05": q[0], "q25": q[1],
                                        "median": q[2], "q75": q[3], "q95": q[4]}))
        return pd.concat(frames, ignore_index=True)

    def report(self) -> dict[str, Any]:
        """What was run and what it cost (``calibration.json``)."""
        return {"plan": plan_mapping(self.plan), "data": self.observed.source, "weeks": self.observed.n_weeks,
                "statistics": list(self.observed.names), "abc_simulations": self.simulations,
                "predictive_runs": self.runs - self.simulations, "runs": self.runs,
                "wall_seconds": round(self.wall_seconds, 2), "generations": self.generations.to_dict("records"),
                "fitted": self.fitted(), "posterior": self.summary().to_dict("records")}

    def write(self, out_dir: str | Path, name: str = "calibrated", figures: bool = True) -> list[Path]:
        """Write ``fitted.csv``, ``fitted.md``, ``posterior.csv``, ``predictive.csv``, ``calibration.json``,
        ``scenario/<name>.yaml`` and the figures ``fit.png`` and ``posterior.png``."""
        from journeysim.outputs import atomic_write, write_csv, write_figure, write_json

        out = Path(out_dir)
        yaml_text = self.scenario_yaml(name)
        written = [write_csv(out / "fitted.csv", self.summary()),
                   atomic_write(out / "fitted.md", lambda tmp: tmp.write_text(self.markdown())),
                   write_csv(out / "posterior.csv", self.particles),
                   write_csv(out / "predictive.csv", self.predictive_table()),
                   write_json(out / "calibration.json", self.report()),
                   atomic_write(out / "scenario" / f"{name}.yaml", lambda tmp: tmp.write_text(yaml_text))]
        if figures:
            written += [write_figure(out / "fit.png", fit_figure(self)),
                        write_figure(out / "posterior.png", posterior_figure(self))]
        return written

    def markdown(self) -> str:
        """The posterior table as Markdown."""
        table = self.summary()
        truth = "truth" in table
        lines = [f"Calibration `{self.plan.name}` to `{self.observed.source}` ({self.observed.n_weeks} weeks; "
                 f"{self.simulations:,} ABC-SMC runs in {len(self.generations)} generations, "
                 f"{self.runs - self.simulations} predictive runs).", "",
                 "| parameter | prior | median | mean ± sd | 95% interval |" + (" truth |" if truth else ""),
                 "|---|---|---:|---:|---|" + ("---:|" if truth else "")]
        for row in table.to_dict("records"):
            line = (f"| `{row['parameter']}` | {row['prior_low']:.4g} to {row['prior_high']:.4g} | "
                    f"{row['median']:.4g} | {row['mean']:.4g} ± {row['sd']:.2g} | "
                    f"{row['low']:.4g} to {row['high']:.4g} |")
            known = truth and row["truth"] == row["truth"]  # NaN: no true value given for this parameter
            lines.append(line + (f" {row['truth']:.4g}{'' if row['covered'] else ' (outside)'} |" if known
                                 else " |" if truth else ""))
        return "\n".join(lines) + "\n"


def weighted_quantiles(x: np.ndarray, weights: np.ndarray, q: Sequence[float]) -> list[float]:
    """Quantiles of a weighted sample (inverse of the weighted empirical CDF, midpoint rule)."""
    order = np.argsort(x)
    x, w = np.asarray(x, dtype=np.float64)[order], np.asarray(weights, dtype=np.float64)[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return [float(v) for v in np.interp(q, cdf, x)]


def prepare(plan: CalibrationPlan, observed: Observed) -> tuple[CalibrationPlan, Observed, Simulator, dict]:
    """Bind the plan to its base config and check the data against it.

    Returns the bound plan, the data compared, the simulator to fit with and the base config
    (as configured, with the data's length in days).
    """
    config = compose_base(plan.scenario, plan.overrides, plan.config_dir)
    plan = bind(plan, config)
    allowed = allowed_statistics(tuple(config["channels"]))
    for name in observed.names:
        if name not in allowed:
            raise unknown_name(f"{observed.source}:1:{name}", name, allowed)
    if plan.statistics is not None:
        observed = observed.only(plan.statistics)
    size = int(config["population"]["size"])
    days = DAYS_PER_WEEK * (plan.warmup_weeks + observed.n_weeks)
    simulator = Simulator(quiet(config, days=days), plan.parameters, observed.names, observed.n_weeks,
                          plan.warmup_weeks, (plan.market_size or size) / size, plan.seed)
    return plan, observed, simulator, {**config, "days": days}


def calibrate(plan: CalibrationPlan, observed: Observed, jobs: int = 1, backend: str = "loky",
              db_path: str | Path | None = None, truth: Mapping[str, float] | None = None,
              verbose: bool = False) -> Calibration:
    """Fit ``plan``'s parameters to ``observed`` with ABC-SMC; then draw the posterior predictive.

    Parameters
    ----------
    plan : CalibrationPlan
        The parameters, their priors and the inference's size.
    observed : Observed
        The data (see :func:`read_observed`).
    jobs : int
        Worker processes (joblib; -1: every core).
    backend : str
        ``loky`` or ``ray`` (see :func:`parallel_map`).
    db_path : str or Path, optional
        pyabc's SQLite history (default: a temporary file).
    truth : mapping, optional
        Known parameter values (synthetic data): the summary says whether each is covered.
    verbose : bool
        Show pyabc's log of each generation.
    """
    import tempfile

    started = time.perf_counter()
    plan, observed, simulator, config = prepare(plan, observed)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(db_path) if db_path is not None else Path(tmp) / "abc.db"
        particles, generations, simulations = run_abc(plan, simulator, observed.values, db, jobs, backend, verbose)
    calibration = Calibration(plan, observed, particles, generations, simulations, {}, config,
                              truth=dict(truth or {}))
    calibration.predictive = posterior_predictive(calibration, simulator, jobs, backend)
    calibration.wall_seconds = time.perf_counter() - started
    return calibration


def run_abc(plan: CalibrationPlan, simulator: Simulator, observed: dict[str, np.ndarray], db: Path, jobs: int,
            backend: str, verbose: bool = False) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Run pyabc's ABC-SMC; returns the last generation's particles, the generations and the run count.

    The distance is pyabc's adaptive p-norm (p = 2) on standardised statistics: each simulated
    statistic is divided by its median absolute deviation across the generation's simulations,
    refitted every generation, so weekly counts and shares weigh alike.
    """
    import pyabc

    logging.getLogger("ABC").setLevel(logging.INFO if verbose else logging.WARNING)
    prior = pyabc.Distribution(**{p.key: pyabc.RV("uniform", p.bounds[0], p.bounds[1] - p.bounds[0])
                                  for p in plan.parameters})
    distance = pyabc.AdaptivePNormDistance(p=2, scale_function=pyabc.distance.mad)
    sampler = seeded_sampler(JoblibMap(jobs, backend))
    abc = pyabc.ABCSMC(simulator, prior, distance, population_size=plan.population_size, sampler=sampler)
    np.random.seed(plan.seed)  # pyabc draws priors and perturbations from numpy's global generator
    abc.new(f"sqlite:///{db}", observed)
    history = abc.run(minimum_epsilon=plan.min_epsilon, max_nr_populations=plan.generations,
                      max_total_nr_simulations=plan.max_simulations)
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    particles = pd.DataFrame({p.name: [p.value(x) for x in frame[p.key]] for p in plan.parameters})
    particles["weight"] = weights / weights.sum()
    populations = history.get_all_populations()
    populations = populations[populations["t"] >= 0]
    generations = pd.DataFrame({"t": populations["t"].astype(int), "epsilon": populations["epsilon"],
                                "simulations": populations["samples"].astype(int),
                                "particles": populations["particles"].astype(int)}).reset_index(drop=True)
    return particles, generations, int(history.total_nr_simulations)


def seeded_sampler(map_: Callable[[Callable, list], list]):
    """pyabc's :class:`~pyabc.sampler.MappingSampler` with one seed per task drawn from numpy's
    global generator: a calibration repeats exactly for a plan seed, whatever the number of workers.

    Each task samples particles until one is accepted (as in pyabc); pyabc's own mapping sampler
    reseeds every task from the operating system, which makes parallel runs unrepeatable.
    """
    from pyabc.sampler import MappingSampler

    class SeededMappingSampler(MappingSampler):
        def map_function(self, simulate_one, seed):  # noqa: D102 - pyabc's interface
            import random

            simulate_one = self.unpickle(simulate_one)
            states = np.random.get_state(), random.getstate()  # in-process tasks leave the caller's alone
            np.random.seed(seed)
            random.seed(seed)
            sample, evaluations = self._create_empty_sample(), 0
            try:
                while True:
                    particle = simulate_one()
                    evaluations += 1
                    sample.append(particle)
                    if particle.accepted:
                        return sample, evaluations
            finally:
                np.random.set_state(states[0])
                random.setstate(states[1])

        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False,  # noqa: ARG002
                                    ana_vars=None):  # noqa: ARG002
            import functools

            seeds = [int(s) for s in np.random.randint(0, 2**31 - 1, size=n)]
            task = functools.partial(self.map_function, self.pickle(simulate_one))
            results = list(self.map_(task, seeds))
            self.nr_evaluations_ = sum(evaluations for _, evaluations in results)
            sample = self._create_empty_sample()
            for part, _ in results:
                sample += part
            return sample

    return SeededMappingSampler(map_=map_)


def posterior_predictive(calibration: Calibration, simulator: Simulator, jobs: int = 1,
                         backend: str = "loky") -> dict[str, np.ndarray]:
    """Series of runs at posterior draws (by weight), each with a fresh seed; shape (draws, weeks)."""
    plan, particles = calibration.plan, calibration.particles
    rng = np.random.default_rng(plan.seed)
    rows = rng.choice(len(particles), size=plan.predictive_draws, p=particles["weight"].to_numpy())
    draws = [({p.name: particles[p.name].iloc[r].item() for p in plan.parameters}, 1_000_003 + plan.seed * 7919 + k)
             for k, r in enumerate(rows)]
    results = parallel_map(_PredictiveRun(simulator), draws, jobs, backend)
    return {name: np.array([r[name] for r in results]).reshape(len(results), -1) for name in simulator.names}


@dataclass(frozen=True)
class _PredictiveRun:
    simulator: Simulator

    def __call__(self, draw: tuple[dict[str, float], int]) -> dict[str, np.ndarray]:
        values, seed = draw
        return self.simulator.series(values, seed)


def synthesise(plan: CalibrationPlan, truth_overrides: Sequence[str], weeks: int, seed: int | None = None,
               statistics: Sequence[str] | None = None, start: date | None = None) -> Observed:
    """Observed-style data simulated by journeysim itself (for parameter recovery and examples).

    The plan's base config with ``truth_overrides`` (``key=value``) is run once at ``seed``;
    counts are scaled to the plan's market size and rounded to whole numbers, as real data are.
    """
    config = compose_base(plan.scenario, [*plan.overrides, *truth_overrides], plan.config_dir)
    channels = tuple(config["channels"])
    if statistics is None:
        active = [f"{name}_conversions" for name, c in config["channels"].items()
                  if c.get("daily_budget", 0) > 0 and c.get("kind") != "broadcast"]  # broadcast is no last touch
        statistics = ("acquisitions", "orders", "churn_rate", "nps", *FUNNEL_RATES, *active,
                      "word_of_mouth_conversions")
    for name in statistics:
        if name not in allowed_statistics(channels):
            raise unknown_name("statistics", name, allowed_statistics(channels))
    size = int(config["population"]["size"])
    days = DAYS_PER_WEEK * (plan.warmup_weeks + weeks)
    model = run_config(quiet(config, days=days, seed=plan.seed if seed is None else seed))
    series = weekly_statistics(model, statistics, weeks, plan.warmup_weeks, (plan.market_size or size) / size)
    values = {name: np.round(v) if is_count(name) else np.round(v, 4) for name, v in series.items()}
    labels = np.arange(1, weeks + 1)
    return Observed("synthetic", labels, values, start)


# =========================================================================== figures
def plot_fit(weeks: Sequence, observed: np.ndarray, draws: np.ndarray, name: str = "",
             ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Observed series against the posterior predictive: median, 50% and 90% bands.

    Parameters
    ----------
    weeks : sequence
        Week labels (numbers or dates), one per value.
    observed : ndarray
        Observed values, in the statistic's unit.
    draws : ndarray, shape (draws, weeks)
        Simulated series at posterior draws.
    name : str
        The statistic (title).
    ax : Axes, optional
        Where to draw (default: a new figure).
    **kwargs
        Passed to the observed series' ``plot`` (over ``{"color": "black", "marker": "o"}``).
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.subplots(figsize=(5, 3))[1]
    x = list(weeks)
    if draws.size:
        q = np.nanquantile(draws, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
        ax.fill_between(x, q[0], q[4], color="tab:blue", alpha=0.15, label="simulated 90%", linewidth=0)
        ax.fill_between(x, q[1], q[3], color="tab:blue", alpha=0.3, label="simulated 50%", linewidth=0)
        ax.plot(x, q[2], color="tab:blue", label="simulated median")
    ax.plot(x, observed, **{"color": "black", "marker": "o", "markersize": 3, "linewidth": 1, "label": "observed",
                            **kwargs})
    ax.set_title(name.replace("_", " "))
    ax.set_xlabel("week")
    return ax


def fit_figure(calibration: Calibration) -> Figure:
    """Observed vs posterior predictive, one panel per statistic."""
    observed = calibration.observed
    names = list(calibration.predictive)
    fig, axes = _grid(len(names), (4.2, 2.8))
    for ax, name in zip(axes, names, strict=False):
        plot_fit(observed.labels(), observed.values[name], calibration.predictive[name], name, ax=ax)
    axes[0].legend(fontsize="x-small")
    fig.suptitle(f"Posterior predictive check: {len(next(iter(calibration.predictive.values())))} runs at "
                 f"posterior draws, fresh seeds", fontsize="medium")
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    return fig


def plot_posterior(values: np.ndarray, weights: np.ndarray, parameter: Parameter, truth: float | None = None,
                   ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Weighted posterior histogram of one parameter over its prior range, with median and 95% interval.

    Parameters
    ----------
    values, weights : ndarray
        The particles' values (the key's unit) and weights.
    parameter : Parameter
        The parameter (its prior range sets the x-axis).
    truth : float, optional
        A known true value (synthetic data), drawn as a red line.
    ax : Axes, optional
        Where to draw (default: a new figure).
    **kwargs
        Passed to ``hist`` (over ``{"bins": 20, "color": "tab:blue", "alpha": 0.6}``).
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.subplots(figsize=(4, 3))[1]
    edges = np.geomspace(parameter.low, parameter.high, 21) if parameter.log else \
        np.linspace(parameter.low, parameter.high, 21)
    ax.hist(values, weights=weights, density=True, **{"bins": edges, "color": "tab:blue", "alpha": 0.6, **kwargs})
    low, median, high = weighted_quantiles(values, weights, [0.025, 0.5, 0.975])
    ax.axvspan(low, high, color="tab:blue", alpha=0.1, label="95% interval")
    ax.axvline(median, color="tab:blue", label="median")
    if truth is not None:
        ax.axvline(truth, color="tab:red", linestyle="--", label="true value")
    if parameter.log:
        from matplotlib.ticker import NullFormatter

        ax.set_xscale("log")
        ticks = np.geomspace(parameter.low, parameter.high, 5)
        ax.set_xticks(ticks, [f"{t:.3g}" for t in ticks])
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlim(parameter.low, parameter.high)
    ax.set_title(parameter.name, fontsize="small")
    ax.set_ylabel("posterior density")
    return ax


def posterior_figure(calibration: Calibration) -> Figure:
    """Posterior of each parameter over its prior range."""
    parameters = calibration.plan.parameters
    fig, axes = _grid(len(parameters), (4.2, 2.8))
    w = calibration.particles["weight"].to_numpy()
    for ax, p in zip(axes, parameters, strict=False):
        plot_posterior(calibration.particles[p.name].to_numpy(), w, p, calibration.truth.get(p.name), ax=ax)
    axes[0].legend(fontsize="x-small")
    fig.suptitle("ABC-SMC posterior (x-axis: prior range)", fontsize="medium")
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    return fig


def _grid(count: int, size: tuple[float, float]) -> tuple[Figure, list[Axes]]:
    import matplotlib.pyplot as plt

    cols = min(3, max(1, count))
    rows = math.ceil(count / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(size[0] * cols, size[1] * rows), squeeze=False)
    flat = list(axes.ravel())
    for ax in flat[count:]:
        ax.set_visible(False)
    return fig, flat[:count]


# =========================================================================== command line
def plan_mapping(plan: CalibrationPlan) -> dict[str, Any]:
    """The plan as a YAML/JSON-ready mapping (as run)."""
    return {"scenario": plan.scenario, "config_dir": plan.config_dir, "overrides": list(plan.overrides),
            "statistics": None if plan.statistics is None else list(plan.statistics),
            "market_size": plan.market_size, "warmup_weeks": plan.warmup_weeks, "seed": plan.seed,
            "parameters": {p.name: {"low": p.low, "high": p.high, "log": p.log} for p in plan.parameters},
            "abc": {"population_size": plan.population_size, "generations": plan.generations,
                    "max_simulations": plan.max_simulations, "min_epsilon": plan.min_epsilon,
                    "predictive_draws": plan.predictive_draws}}


def parser() -> argparse.ArgumentParser:
    """The command line of ``journey-calibrate``."""
    p = argparse.ArgumentParser(
        prog="journey-calibrate",
        description="Fit config parameters (ranges in a YAML plan) to observed weekly data with ABC-SMC; "
                    "write the posterior, a calibrated scenario and the observed-vs-simulated figure.")
    p.add_argument("plan", help="a plan in conf/calibration (by name, e.g. recovery) or a YAML file")
    p.add_argument("data", help="observed weekly data (CSV); with --synthesise, the CSV to write")
    p.add_argument("overrides", nargs="*", metavar="key=value",
                   help="config overrides for every run (with --synthesise: the true values to simulate)")
    p.add_argument("--out", help="output directory (default: calibration/<plan>/<time>)")
    p.add_argument("--name", default="calibrated", help="name of the calibrated scenario (default calibrated)")
    p.add_argument("--jobs", type=int, default=-1, help="worker processes (default -1: every core)")
    p.add_argument("--backend", default="loky", choices=BACKENDS, help="joblib backend (default loky)")
    p.add_argument("--population-size", type=int, help="ABC particles per generation (overrides the plan's)")
    p.add_argument("--generations", type=int, help="ABC-SMC generations at most (overrides the plan's)")
    p.add_argument("--max-simulations", type=int, help="ABC runs at most (overrides the plan's)")
    p.add_argument("--seed", type=int, help="seed of the inference (overrides the plan's)")
    p.add_argument("--truth", action="append", default=[], metavar="key=value",
                   help="a known true value (synthetic data), shown in the table and figure")
    p.add_argument("--synthesise", action="store_true",
                   help="write DATA simulated by journeysim at the overrides' values, then exit")
    p.add_argument("--weeks", type=int, default=26, help="weeks of synthetic data (default 26)")
    p.add_argument("--no-figures", action="store_true", help="skip fit.png and posterior.png")
    p.add_argument("--verbose", action="store_true", help="show pyabc's log of each generation")
    return p


def plan_from_args(args: argparse.Namespace) -> CalibrationPlan:
    """The plan named on the command line with its flags applied."""
    name, raw = read_plan_file(args.plan)
    abc = dict(raw.get("abc") or {})
    flags = {"population_size": args.population_size, "generations": args.generations,
             "max_simulations": args.max_simulations}
    abc.update({k: v for k, v in flags.items() if v is not None})
    raw = {**raw, "abc": abc}
    if args.seed is not None:
        raw["seed"] = args.seed
    for override in args.overrides:
        if "=" not in override:
            raise ConfigError("override", override, "key=value")
    if not args.synthesise:
        raw["overrides"] = [*(raw.get("overrides") or []), *args.overrides]
    return parse_plan(name, raw)


def parse_truth(items: Sequence[str]) -> dict[str, float]:
    """``key=value`` strings as numbers."""
    truth = {}
    for item in items:
        key, _, value = item.partition("=")
        try:
            truth[key] = float(value)
        except ValueError:
            raise ConfigError(f"--truth {key}", value, "a number") from None
    return truth


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``journey-calibrate``; returns 0, or exits 2 on bad input."""
    args = parser().parse_intermixed_args(argv)
    try:
        plan = plan_from_args(args)
        if args.synthesise:
            observed = synthesise(plan, args.overrides, args.weeks, statistics=plan.statistics)
            print(f"written: {write_observed(observed, args.data)} ({args.weeks} weeks, 1 run)")
            return 0
        out = Path(args.out or Path("calibration") / plan.name / time.strftime("%Y-%m-%d_%H-%M-%S"))
        observed = read_observed(args.data, allowed_statistics(_channel_names(plan)))
        out.mkdir(parents=True, exist_ok=True)
        calibration = calibrate(plan, observed, jobs=args.jobs, backend=args.backend, db_path=out / "abc.db",
                                truth=parse_truth(args.truth), verbose=args.verbose)
    except ConfigError as error:
        print(f"journey-calibrate: error: {error}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None
    written = calibration.write(out, args.name, figures=not args.no_figures)
    print(calibration.markdown())
    print(f"cost: {calibration.runs:,} runs ({calibration.simulations:,} ABC-SMC, "
          f"{calibration.runs - calibration.simulations} predictive) in {calibration.wall_seconds:,.0f} s")
    print(f"run it: journey --config-dir {out} scenario={args.name}")
    print("written: " + ", ".join(str(path) for path in written))
    return 0


def _channel_names(plan: CalibrationPlan) -> tuple[str, ...]:
    return tuple(compose_base(plan.scenario, plan.overrides, plan.config_dir)["channels"])


if __name__ == "__main__":
    sys.exit(main())
