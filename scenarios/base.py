"""The lever base class, the registry of lever types by name, and lever parameter checks.

A scenario's ``levers:`` list names each lever by ``type`` (``budget_plan``, ``promotion``,
...); :data:`LEVERS` maps that name to its class. Every class reads its parameters through
:class:`Params`, which raises a :class:`~journeysim.sim.errors.ConfigError` naming the full
config key (``scenario.levers[2].discount``), the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from journeysim.sim.config import RunSpec
from journeysim.sim.errors import ConfigError, UnknownKeyError, unknown_name
from journeysim.sim.schema.fields import (
    PROBABILITY,
    Choice,
    FieldRule,
    Flag,
    Number,
    NumberMap,
    StageList,
    check,
)
from journeysim.sim.stages import STAGE_NAMES

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel

PROGRAMME_COST = "programme_cost"
"""Daily KPI (currency per day) where levers book what a programme costs beyond media."""


class Lever:
    """Base class: a lever that does nothing until a hook is overridden.

    Subclasses set ``keys`` (the parameters they accept besides ``type``) and build
    themselves from validated parameters in :meth:`from_params`.
    """

    name: ClassVar[str] = ""
    keys: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_params(cls, params: Params) -> Lever:
        """Build the lever from its checked parameters."""
        return cls()

    def setup(self, model: JourneyModel) -> None:
        """Prepare the model before the first day."""

    def before_day(self, model: JourneyModel, day: int) -> None:
        """Set today's budgets, prices or capacities."""


LEVERS: dict[str, type[Lever]] = {}
"""Lever classes by the name used in YAML (``type: budget_plan``)."""


def register(name: str):
    """Class decorator: make a lever available to YAML as ``type: name``."""

    def add(cls: type[Lever]) -> type[Lever]:
        cls.name = name
        LEVERS[name] = cls
        return cls

    return add


def book_cost(model: JourneyModel, day: int, amount: float) -> None:
    """Add ``amount`` (currency) to the day's programme cost (counted in spend, CAC and ROAS)."""
    model.collector.add(day, PROGRAMME_COST, float(amount))


class Params:
    """One lever's parameters with the config path they came from.

    Parameters
    ----------
    values : Mapping
        The lever's YAML mapping without ``type``.
    prefix : str
        Its config path, e.g. ``scenario.levers[2]``.
    spec : RunSpec
        The run (channel names, personas, days) the lever applies to.
    allowed : tuple of str
        Parameter names the lever accepts; any other key is an error with a suggestion.
    """

    def __init__(self, values: Mapping, prefix: str, spec: RunSpec, allowed: tuple[str, ...]) -> None:
        self.values, self.prefix, self.spec = values, prefix, spec
        for key in values:
            if key not in allowed:
                raise UnknownKeyError(f"{prefix}.{key}", values[key], allowed or ("(no parameters)",), prefix)

    def key(self, name: str) -> str:
        """Full config key of parameter ``name``."""
        return f"{self.prefix}.{name}"

    def has(self, name: str) -> bool:
        """Whether the parameter is given (and not null)."""
        return self.values.get(name) is not None

    def read(self, name: str, rule: FieldRule, default: Any = None) -> Any:
        """Parameter ``name`` (``default`` when absent) checked by a rule of the config schema.

        Raises
        ------
        ConfigError
            Naming the parameter's full key, the value and what the rule allows.
        """
        return check(rule, self.values.get(name, default), self.key(name))

    def number(self, name: str, *, low: float | None = None, high: float | None = None,
               integer: bool = False, default: Any = None) -> float:
        """A number within [low, high]."""
        return self.read(name, Number(low=low, high=high, integer=integer), default)

    def probability(self, name: str, default: Any = None) -> float:
        """A probability or share in [0, 1]."""
        return self.read(name, PROBABILITY, default)

    def flag(self, name: str, default: bool) -> bool:
        """A true/false switch."""
        return self.read(name, Flag(), default)

    def mapping(self, name: str, default: Mapping | None = None) -> Mapping:
        """A nested mapping."""
        value = self.values.get(name, default)
        if not isinstance(value, Mapping):
            raise ConfigError(self.key(name), value, "a mapping of names to values")
        return value

    def items(self, name: str) -> list:
        """A list."""
        value = self.values.get(name)
        if not isinstance(value, list | tuple):
            raise ConfigError(self.key(name), value, "a list")
        return list(value)

    def channel(self, name: str, default: str | None = None) -> int:
        """A channel name, returned as its index in the model's channel arrays."""
        names = self.spec.channel_names
        return names.index(self.read(name, Choice(names), default))

    def channel_list(self, name: str, default: tuple[str, ...] | None = None) -> list[int]:
        """A list of channel names, returned as indices."""
        values = self.values.get(name, default)
        if not isinstance(values, list | tuple) or not values:
            raise ConfigError(self.key(name), values, "a non-empty list of channel names")
        names = self.spec.channel_names
        rule = Choice(names)
        return [names.index(check(rule, value, self.key(name))) for value in values]

    def impressions_channel(self, name: str, k: int) -> int:
        """Check that channel ``k`` (given under ``name``) is sampled by impressions; returns ``k``."""
        if self.spec.channels[k].kind != "impressions":
            raise ConfigError(self.key(name), self.spec.channel_names[k],
                              "an impressions channel (broadcast media reach everyone and keep no "
                              "per-customer exposures)")
        return k

    def impressions_channels(self, name: str) -> list[int]:
        """A list of impressions channels (default: every one), returned as indices."""
        default = tuple(c.name for c in self.spec.channels if c.kind == "impressions")
        return [self.impressions_channel(name, k) for k in self.channel_list(name, default)]

    def stages(self, name: str, default: tuple[str, ...] | None = None) -> tuple[int, ...]:
        """A list of stage names, returned as sorted stage codes."""
        values = self.values.get(name, default)
        if not isinstance(values, list | tuple) or not values:
            raise ConfigError(self.key(name), values, f"a non-empty list of stages ({', '.join(STAGE_NAMES)})")
        return tuple(sorted(set(check(StageList(), list(values), self.key(name)))))

    def persona_weights(self, name: str) -> np.ndarray:
        """``{persona: multiplier}`` as an array over the run's personas (missing: 1)."""
        weights = np.ones(len(self.spec.population.personas))
        names = tuple(persona.name for persona in self.spec.population.personas)
        values = self.read(name, NumberMap(Number(low=0.0), keys=names), {})
        for persona, weight in values.items():
            weights[names.index(persona)] = weight
        if not weights.any():
            raise ConfigError(self.key(name), dict(values), "at least one persona with a multiplier above 0")
        return weights

    def personas(self, name: str) -> tuple[str, ...]:
        """A list of persona names (empty when not given: everyone)."""
        if not self.has(name):
            return ()
        names = [persona.name for persona in self.spec.population.personas]
        values = tuple(self.items(name))
        for value in values:
            if value not in names:
                raise unknown_name(self.key(name), value, names)
        return values

    def window(self) -> tuple[int, int]:
        """``from_day`` and ``to_day`` (inclusive; defaults: the whole run)."""
        start = self.number("from_day", low=0, integer=True, default=0)
        stop = self.number("to_day", low=0, integer=True, default=max(self.spec.days - 1, start))
        if stop < start:
            raise ConfigError(self.key("to_day"), stop, f"a day on or after from_day ({start})")
        return int(start), int(stop)


def make_lever(entry: Any, prefix: str, spec: RunSpec) -> Lever:
    """Build one lever from its YAML mapping ``{type: name, ...parameters}``."""
    if not isinstance(entry, Mapping):
        raise ConfigError(prefix, entry, "a mapping with a type and the lever's parameters")
    kind = entry.get("type")
    if kind not in LEVERS:
        raise unknown_name(f"{prefix}.type", kind, LEVERS)
    cls = LEVERS[kind]
    values = {key: value for key, value in entry.items() if key != "type"}
    return cls.from_params(Params(values, prefix, spec, cls.keys))
