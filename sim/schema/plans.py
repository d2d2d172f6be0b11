"""Plan files of the experiment commands: calibration, sensitivity and budget optimisation.

A plan is a YAML file (``conf/calibration/*.yaml``, ``conf/sensitivity/*.yaml``, or a path)
read by ``journey-calibrate``, ``journey-sensitivity`` or ``journey-optimise``. Each kind has
one spec here, validated with :func:`load_plan`; a bad value raises the one error format
(``abc.generations = 0 is not allowed: a whole number of at least 1.``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import model_validator

from journeysim.sim.errors import ConfigError
from journeysim.sim.schema.fields import (
    Choice,
    FieldRule,
    Number,
    Rule,
    SpecBase,
    Text,
    Whole,
    at,
    default_when_null,
    load,
    spec,
    spec_keys,
    whole,
)
from journeysim.sim.schema.messages import unknown_key


class Overrides(FieldRule):
    """Command-line overrides applied to every run: a list of ``key=value`` strings (null: none)."""

    what = "a list of key=value strings"

    def check(self, value: Any) -> tuple[str, ...]:
        """The overrides."""
        value = [] if value is None else value
        if not isinstance(value, list | tuple) or not all(isinstance(o, str) and "=" in o for o in value):
            raise Rule(value, self.what)
        return tuple(value)


class Names(FieldRule):
    """A non-empty list of names, or null (``distinct``: at least two, all different)."""

    def __init__(self, what: str, distinct: bool = False) -> None:
        self.what, self.distinct = what, distinct

    def check(self, value: Any) -> tuple[str, ...] | None:
        """The names."""
        if value is None:
            return None
        if (not isinstance(value, list | tuple) or not value or not all(isinstance(v, str) for v in value)
                or (self.distinct and len(set(value)) < max(2, len(value)))):
            raise Rule(value, self.what)
        return tuple(value)


@spec(kw_only=False)
class RangeSpec(SpecBase):
    """One config value an experiment varies over a range (a prior, or a sampled range).

    Attributes
    ----------
    name : str
        Dotted config key (``market.checkout_friction``), in the key's unit.
    low, high : float
        The range, ``low < high``, in the key's unit.
    log : bool
        The range is uniform on log10 of the value (for rates spanning orders of magnitude).
    integer : bool
        The config holds an integer: values are rounded (set when the plan is bound to a config).
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
        """The range on the sampled scale (log10 of the value when ``log``)."""
        return (math.log10(self.low), math.log10(self.high)) if self.log else (self.low, self.high)

    def value(self, x: float) -> float | int:
        """The config value of sampled-scale coordinate ``x`` (rounded for integer keys)."""
        return self.cast(10.0 ** x if self.log else x)

    def position(self, v: float) -> float:
        """Where value ``v`` lies in the range on the sampled scale: 0 at ``low``, 1 at ``high``
        (the inverse of :meth:`value`, as a share of :attr:`bounds`)."""
        low, high = self.bounds
        return ((math.log10(v) if self.log else v) - low) / (high - low)

    @property
    def range(self) -> dict[str, float | bool]:
        """The range as a plan writes it (``{low, high}``, and ``log`` when set)."""
        return {"low": self.low, "high": self.high, **({"log": True} if self.log else {})}

    def cast(self, v: float) -> float | int:
        """``v`` as the config holds it (rounded for integer keys)."""
        return int(round(v)) if self.integer else float(v)


class Ranges(FieldRule):
    """``{config key: [low, high]}`` or ``{config key: {low, high, <options>}}``.

    ``options`` are the keys allowed beside ``low`` and ``high``: ``log`` (read) and ``integer``
    (accepted and ignored: the config says whether a key is an integer).
    """

    what = "a mapping of config keys to [low, high] ranges"

    def __init__(self, options: tuple[str, ...] = ("log",)) -> None:
        self.options = options
        self.shape = "a range [low, high] of two numbers" + (", or {low, high, log}" if "log" in options else "")

    def check(self, value: Any) -> tuple[RangeSpec, ...]:
        """The ranges in YAML order."""
        if isinstance(value, tuple) and all(isinstance(v, RangeSpec) for v in value):
            return value
        if not isinstance(value, Mapping) or not value:
            raise Rule(value, self.what)
        return tuple(at(self.one, (str(name), entry), str(name)) for name, entry in value.items())

    def one(self, item: tuple[str, Any]) -> RangeSpec:
        """One entry ``(key, range)``."""
        name, entry = item
        log: Any = False
        if isinstance(entry, Mapping):
            keys = ("low", "high", *self.options)
            for key in entry:
                if key not in keys:
                    raise unknown_key((key,), entry[key], keys)
            bounds, log = [entry.get("low"), entry.get("high")], entry.get("log", False)
        else:
            bounds = list(entry) if isinstance(entry, list | tuple) else []
        if len(bounds) != 2 or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds):
            raise Rule(entry, self.shape)
        low, high = float(bounds[0]), float(bounds[1])
        if not low < high:
            raise Rule(entry, "a range with low < high")
        if not isinstance(log, bool):
            raise Rule(log, "true or false", ("log",))
        if log and low <= 0:
            raise Rule(entry, "a range of positive numbers when log is true")
        return RangeSpec(name, low, high, log)


# --------------------------------------------------------------------------- sensitivity
SENSITIVITY_METHODS = ("morris",)
"""Screening methods of ``journey-sensitivity``."""


class EvenLevels(Whole):
    """Morris grid levels: an even whole number of at least 2."""

    def check(self, value: Any) -> int:
        """The number of levels."""
        levels = super().check(value)
        if levels % 2:
            raise Rule(levels, "an even number (Morris design and analysis assume it)")
        return levels


@spec(kw_only=False)
class SensitivityPlanSpec(SpecBase):
    """A sensitivity study (``conf/sensitivity``): the KPI, the parameters' ranges and the design."""

    name: str
    kpi: Annotated[str, Text()]
    parameters: Annotated[tuple[RangeSpec, ...], Ranges(options=("integer",))]
    scenario: Annotated[str | None, Text(optional=True)] = None
    method: Annotated[str, Choice(SENSITIVITY_METHODS)] = "morris"
    trajectories: Annotated[int, whole(2)] = 10
    num_levels: Annotated[int, EvenLevels(low=2, integer=True)] = 4
    seed: Annotated[int, whole(0)] = 0
    replicates: Annotated[int, whole(1)] = 1
    overrides: Annotated[tuple[str, ...], Overrides()] = ()

    @classmethod
    def from_yaml(cls, data: dict) -> dict:
        """A KPI must be a non-empty name."""
        if not isinstance(data.get("kpi"), str) or not data.get("kpi"):
            raise Rule(data.get("kpi"), "the name of a KPI of the run summary (e.g. profit)", ("kpi",))
        return data


# --------------------------------------------------------------------------- calibration
@spec
class AbcSpec(SpecBase):
    """The size of an ABC-SMC inference (``abc:`` of a calibration plan)."""

    population_size: Annotated[int, whole(10)] = 60  # particles per generation
    generations: Annotated[int, whole(1)] = 5
    max_simulations: Annotated[int, whole(10)] = 1500  # runs
    min_epsilon: Annotated[float, Number(low=0.0)] = 0.0  # distance
    predictive_draws: Annotated[int, whole(0)] = 20  # runs


@spec
class CalibrationPlanSpec(SpecBase):
    """A calibration (``conf/calibration``): fitted parameters' priors, the simulation, the inference's size."""

    name: str
    parameters: Annotated[tuple[RangeSpec, ...], Ranges(options=("log",))]
    scenario: Annotated[str | None, Text(optional=True)] = None
    config_dir: Annotated[str | None, Text(optional=True)] = None
    overrides: Annotated[tuple[str, ...], Overrides()] = ()
    statistics: Annotated[tuple[str, ...] | None, Names("a list of data column names, or null for all")] = None
    market_size: Annotated[int | None, whole(1, optional=True)] = None  # customers
    warmup_weeks: Annotated[int, whole(0)] = 0  # weeks
    seed: Annotated[int, whole(0)] = 0
    abc: AbcSpec = dataclasses.field(default_factory=AbcSpec)

    @classmethod
    def from_yaml(cls, data: dict) -> dict:
        """``abc: null`` means the defaults."""
        return default_when_null(data, "abc", "a mapping with " + ", ".join(spec_keys(AbcSpec)))


# --------------------------------------------------------------------------- budget optimisation
OBJECTIVES = ("profit", "acquisitions", "revenue")
"""What ``journey-optimise`` maximises (currency, new customers, currency)."""


@spec
class BurstSpec(SpecBase):
    """A burst window (``timing:``): part of each channel's budget spent on these days (0-based, inclusive)."""

    from_day: Annotated[int, whole(0)]
    to_day: Annotated[int, whole(0)]
    max_burst_share: Annotated[float, Number(low=0.0, high=1.0)] = 0.8

    @model_validator(mode="after")
    def _ordered(self) -> BurstSpec:
        if self.to_day < self.from_day:
            raise Rule({"from_day": self.from_day, "to_day": self.to_day},
                       "from_day and to_day with from_day <= to_day")
        return self

    @property
    def days(self) -> int:
        """Length of the burst, days."""
        return self.to_day - self.from_day + 1


@spec
class CurvesSpec(SpecBase):
    """Response curves (``curves:``): budgets per channel and seeds per point."""

    points: Annotated[int, whole(2)] = 5
    seeds: Annotated[int, whole(1)] = 2


@spec
class BudgetPlanSpec(SpecBase):
    """A budget optimisation (``conf/optimisation``-style plan of ``journey-optimise``)."""

    name: str
    objective: Annotated[str, Choice(OBJECTIVES)] = "profit"
    scenario: Annotated[str | None, Text(optional=True)] = None
    config_dir: Annotated[str | None, Text(optional=True)] = None
    overrides: Annotated[tuple[str, ...], Overrides()] = ()
    cac_ceiling: Annotated[float | None, Number(low=1e-9, optional=True)] = None  # currency per new customer
    channels: Annotated[tuple[str, ...] | None, Names(
        "a list of at least two different channel names, or null", distinct=True)] = None
    total_daily: Annotated[float | None, Number(low=1e-9, optional=True)] = None  # currency per day
    trials: Annotated[int, whole(2)] = 60
    seeds: Annotated[int, whole(1)] = 4
    validation_seeds: Annotated[int, whole(2)] = 8
    seed: Annotated[int, whole(0)] = 0
    timing: BurstSpec | None = None
    curves: CurvesSpec = dataclasses.field(default_factory=CurvesSpec)

    @classmethod
    def from_yaml(cls, data: dict) -> dict:
        """``curves: null`` means the defaults; ``timing`` is null or a mapping."""
        default_when_null(data, "curves", "a mapping with points and seeds")
        timing = data.get("timing")
        if timing is not None and not isinstance(timing, Mapping):
            raise Rule(timing, "null or a mapping with from_day, to_day and max_burst_share", ("timing",))
        return data


PLAN_SPECS = {"calibration": CalibrationPlanSpec, "sensitivity": SensitivityPlanSpec, "optimisation": BudgetPlanSpec}
"""The plan spec of each experiment command's plan folder."""


def load_plan(cls: type, name: str, raw: Any) -> Any:
    """Validate a plan read from YAML (``raw``) as spec ``cls``, named ``name``.

    Raises
    ------
    ConfigError
        For the first bad value, naming its plan key (``abc.generations``), the value and
        what is allowed.
    """
    if not isinstance(raw, Mapping):
        raise ConfigError("plan", raw, "a YAML mapping of plan keys")
    return load(cls, {**raw, "name": name}, "", root="the plan")
