"""The field types of the config schema and its one error format.

Every field of a spec (``market.price``, ``service.staff_schedule``, a plan's ``trials``) is
annotated with one of the rules below, e.g. ``Annotated[float, Number(low=0.0)]``. A rule checks
a raw YAML value and returns the typed value; a value it does not allow raises :class:`Rule`
(see :mod:`.messages`). :func:`load` validates a mapping against a spec and
turns the first failure into a :class:`~journeysim.sim.errors.ConfigError` whose key is where
the value sits (``channels.search.daily_budget``), so every message has one shape::

    <key> = <value given> is not allowed: <what is allowed>.

Specs are pydantic dataclasses (see ``docs/architecture.md``, "Configuration schema"): attribute
access, ``dataclasses.replace`` and ``dataclasses.fields`` work as on plain dataclasses.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, TypeVar

import numpy as np
from pydantic import ConfigDict, ValidationError, model_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic_core import core_schema

from journeysim.sim.errors import ConfigError, closest
from journeysim.sim.schema.messages import Rule, config_error, first_rule, range_words, unknown_key
from journeysim.sim.stages import STAGE_NAMES

MISSING = "???"
"""OmegaConf's mark of a value that must be given."""

T = TypeVar("T")


# --------------------------------------------------------------------------- rules
class FieldRule:
    """Base of the field rules: a pydantic annotation whose :meth:`check` is the whole validation."""

    what = "a value"
    """What the field holds, in words (used when the key is missing)."""

    def check(self, value: Any) -> Any:  # pragma: no cover - interface
        """The typed value, or raise :class:`Rule`."""
        raise NotImplementedError

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(self.check)


@dataclass(frozen=True)
class Number(FieldRule):
    """A finite number within [low, high] (above 0 if ``positive``; whole if ``integer``).

    ``optional``: null is allowed (and stays None); ``infinite``: ``.inf`` is allowed.
    """

    low: float | None = None
    high: float | None = None
    integer: bool = False
    positive: bool = False
    optional: bool = False
    infinite: bool = False
    what = "a number"

    def check(self, value: Any) -> float | int | None:
        """The number as ``int`` (``integer``) or ``float``."""
        if value is None and self.optional:
            return None
        if value is None or (isinstance(value, str) and value == MISSING):
            raise Rule(value, f"{self.kind} (the key is missing)" if value is None else f"{self.kind} (it is missing)")
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
            raise Rule(value, self._bounds())
        if self.infinite and value == math.inf:
            return math.inf
        if not math.isfinite(float(value)):
            raise Rule(value, f"a finite {self.kind[2:]}")
        if self.integer and float(value) != int(value):
            raise Rule(value, self._bounds())
        low, high = self.low, self.high
        if (self.positive and value <= 0) or (low is not None and value < low) or (high is not None and value > high):
            raise Rule(value, self._bounds())
        return int(value) if self.integer else float(value)

    @property
    def kind(self) -> str:
        """What the field holds, in words: 'a whole number' or 'a number'."""
        return "a whole number" if self.integer else "a number"

    def _bounds(self) -> str:
        """The kind with its bounds as errors word them ('a whole number of at least 1'; unrounded)."""
        kind, low, high = self.kind, self.low, self.high
        if self.positive:
            words = f"{kind} greater than 0" + ("" if high is None else f" and at most {high}")
        elif low is None:
            words = kind if high is None else f"{kind} of at most {high}"
        else:
            words = f"{kind} from {low} to {high}" if high is not None else f"{kind} of at least {low}"
        return f"{words}, or .inf" if self.infinite else words

    def allowed(self) -> str:
        """What the field accepts, in words."""
        return range_words(f"{self.kind} greater than 0" if self.positive else self.kind, self.low, self.high)


PROBABILITY = Number(low=0.0, high=1.0)
"""A probability or share in [0, 1]."""


class Whole(Number):
    """A whole number of at least ``low`` (``optional``: or null)."""

    def check(self, value: Any) -> int | None:
        """The number as ``int``."""
        if value is None and self.optional:
            return None
        try:
            return super().check(value)
        except Rule:
            raise Rule(value, f"a whole number of at least {self.low}") from None


def whole(low: int, optional: bool = False) -> Whole:
    """The rule of a whole number of at least ``low``."""
    return Whole(low=low, integer=True, optional=optional)


@dataclass(frozen=True)
class Flag(FieldRule):
    """A true/false switch (``yes`` or ``1`` are not taken for true)."""

    what = "true or false"

    def check(self, value: Any) -> bool:
        """The switch."""
        if not isinstance(value, bool | np.bool_):
            raise Rule(value, "true or false")
        return bool(value)


@dataclass(frozen=True)
class Choice(FieldRule):
    """One name of ``options`` (an unknown one gets the closest as a suggestion)."""

    options: tuple[str, ...] = ()
    optional: bool = False
    what = "a name"

    def check(self, value: Any) -> str | None:
        """The name."""
        if value is None and self.optional:
            return None
        if value not in self.options:
            raise Rule(value, closest(str(value), self.options))
        return str(value)


@dataclass(frozen=True)
class Text(FieldRule):
    """Free text (a path or a name); null allowed when ``optional``; when a ``pattern`` (a regular
    expression the whole text must match) is given, ``shape`` says in words what it allows."""

    optional: bool = False
    pattern: str | None = None
    shape: str = "text"
    what = "text"

    def check(self, value: Any) -> str | None:
        """The text."""
        if value is None and self.optional:
            return None
        if value is None or isinstance(value, Mapping | list | tuple | bool):
            raise Rule(value, self.shape)
        if self.pattern is not None and not re.fullmatch(self.pattern, str(value)):
            raise Rule(value, self.shape)
        return str(value)


@dataclass(frozen=True)
class StageVector(FieldRule):
    """``{stage name: number}`` as a float array indexed by stage code (missing stages: 0)."""

    low: float | None = None
    what = "a mapping of stage names to numbers"

    def check(self, value: Any) -> np.ndarray:
        """The array over stages."""
        if isinstance(value, np.ndarray):
            return value
        if value is not None and not isinstance(value, Mapping):
            raise Rule(value, "a mapping of stage names to numbers, e.g. {aware: 0.5}")
        out = np.zeros(len(STAGE_NAMES), dtype=np.float64)
        rule = Number(low=self.low)
        for name, number in (value or {}).items():
            if name not in STAGE_NAMES:
                raise unknown_key((name,), number, STAGE_NAMES)
            out[STAGE_NAMES.index(name)] = at(rule.check, number, name)
        return out


@dataclass(frozen=True)
class StageList(FieldRule):
    """A list of stage names as sorted stage codes; null (everyone) allowed."""

    what = "a list of stage names or null (everyone)"

    def check(self, value: Any) -> tuple[int, ...] | None:
        """The stage codes."""
        if value is None:
            return None
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise Rule(value, "a list of stage names or null (everyone)")
        if isinstance(value, tuple) and all(isinstance(s, int | np.integer) and not isinstance(s, bool) for s in value):
            return tuple(int(stage) for stage in value)  # already codes (a validated spec); YAML gives lists
        for stage in value:
            if stage not in STAGE_NAMES:
                raise Rule(stage, closest(str(stage), STAGE_NAMES))
        return tuple(sorted(STAGE_NAMES.index(stage) for stage in value))


@dataclass(frozen=True)
class NumberMap(FieldRule):
    """``{name: number}``; with ``keys``, only those names (all of them when ``complete``)."""

    rule: Number = Number()
    keys: tuple[str, ...] | None = None
    complete: bool = False
    what = "a mapping of keys to values"

    def check(self, value: Any) -> dict[str, float]:
        """The mapping with checked numbers (in the order of ``keys`` when complete)."""
        if value is None and not self.complete:
            return {}
        if not isinstance(value, Mapping):
            raise Rule(value, "a mapping of keys to values")
        if self.keys is not None:
            for name in value:
                if name not in self.keys:
                    raise unknown_key((name,), value[name], self.keys)
        names = self.keys if self.complete else tuple(value)
        return {name: at(self.rule.check, value.get(name), name) for name in names}


@dataclass(frozen=True)
class Named(FieldRule):
    """``{name: {...}}`` entries of one spec (channels, personas) as a tuple in YAML order.

    Each entry is validated as ``spec`` with its name filled in from the YAML key.
    """

    spec: type = object
    shape: str = "a mapping of keys to values"
    nonempty: str | None = None
    what = "a mapping of names to sections"

    def check(self, value: Any) -> tuple:
        """The entries (already validated entries are taken as they are)."""
        if isinstance(value, tuple | list) and all(isinstance(entry, self.spec) for entry in value):
            return tuple(value)
        if not isinstance(value, Mapping):
            raise Rule(value, "a mapping of keys to values")
        if not value and self.nonempty:
            raise Rule(dict(value), self.nonempty)
        entries = []
        for name, body in value.items():
            if not isinstance(body, Mapping):
                raise Rule(body, self.shape, (name,))
            if "name" in body:
                raise unknown_key((name, "name"), body["name"], self.spec.yaml_keys())
            try:
                entries.append(self.spec.__pydantic_validator__.validate_python({**body, "name": str(name)}))
            except ValidationError as error:
                raise first_rule(error, (name,)) from None
        return tuple(entries)


def check(rule: FieldRule, value: Any, key: str) -> Any:
    """``value`` checked by ``rule``, for a value outside a spec (a lever parameter, a command's
    option such as ``--jobs``); a bad one raises a :class:`ConfigError` naming ``key``."""
    try:
        return rule.check(value)
    except Rule as bad:
        raise config_error(bad, key) from None


def at(check: Callable[[Any], T], value: Any, *where: str | int) -> T:
    """``check(value)``, with ``where`` prefixed to the path of a :class:`Rule` it raises."""
    try:
        return check(value)
    except Rule as rule:
        raise rule.below(*where) from None


# --------------------------------------------------------------------------- specs
SPEC_CONFIG = ConfigDict(arbitrary_types_allowed=True)


class SpecBase:
    """Behaviour shared by every spec: reject unknown keys, name missing ones."""

    @classmethod
    def yaml_keys(cls) -> tuple[str, ...]:
        """The keys the section may hold in YAML (default: the spec's fields but ``name``,
        which :class:`Named` fills in from the entry's YAML key)."""
        return spec_keys(cls, "name")

    @classmethod
    def from_yaml(cls, data: dict) -> dict:
        """The spec's fields from the section's YAML keys (checked known; default: as they are)."""
        return data

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        known = cls.yaml_keys()
        for key in data:
            if key not in known and key != "name":
                raise unknown_key((key,), data[key], known)
        data = cls.from_yaml(dict(data))
        for f in fields(cls):  # type: ignore[arg-type]
            if f.name not in data and _required(f):
                rule = next((m for m in cls.__pydantic_fields__[f.name].metadata if isinstance(m, FieldRule)), None)
                what = rule.what if rule is not None else "a value"
                raise Rule(None, f"{what} (the key is missing)", (f.name,))
        return data


def default_when_null(data: dict, key: str, allowed: str) -> dict:
    """For a spec's ``from_yaml``: a null sub-section ``key`` means its defaults; else a mapping."""
    if data.get(key, ...) is None:
        data.pop(key)
    elif key in data and not isinstance(data[key], Mapping):
        raise Rule(data[key], allowed, (key,))
    return data


def _required(f: Any) -> bool:
    from dataclasses import MISSING as NO_DEFAULT

    return f.default is NO_DEFAULT and f.default_factory is NO_DEFAULT


def spec(cls: type[T] | None = None, *, frozen: bool = True, kw_only: bool = True) -> Any:
    """Class decorator: a config spec (a pydantic dataclass; subclass :class:`SpecBase`)."""

    def wrap(cls: type[T]) -> type[T]:
        return pydantic_dataclass(frozen=frozen, kw_only=kw_only, config=SPEC_CONFIG)(cls)

    return wrap if cls is None else wrap(cls)


def spec_keys(cls: type, *skip: str) -> tuple[str, ...]:
    """Config keys of a section: the fields of its spec."""
    return tuple(f.name for f in fields(cls) if f.name not in skip)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- loading
def load(cls: type[T], data: Any, prefix: str = "", context: Mapping | None = None,
         root: str = "the root config") -> T:
    """Validate ``data`` (a YAML mapping) against spec ``cls``.

    Parameters
    ----------
    cls : type
        A spec (see :func:`spec`).
    data : Mapping
        The section as read from YAML (plain containers).
    prefix : str
        Dotted key of the section ('' for the root), used in messages.
    context : Mapping, optional
        What cross-section rules need (e.g. ``{"size": 1000}``).
    root : str
        What the top level is called in messages ("a key of the root config").

    Raises
    ------
    ConfigError
        For the first bad value: its full key, the value and what is allowed.
    """
    if not isinstance(data, Mapping):
        raise ConfigError(prefix or "config", data, "a mapping of keys to values")
    try:
        return cls.__pydantic_validator__.validate_python(dict(data), context=context)  # type: ignore[attr-defined]
    except ValidationError as error:
        raise config_error(error, prefix, root) from None


def plain(data: Any) -> Any:
    """Plain containers from an OmegaConf node (interpolations resolved); other values as they are."""
    import sys

    omegaconf = sys.modules.get("omegaconf")
    if omegaconf is not None and isinstance(data, omegaconf.DictConfig | omegaconf.ListConfig):
        return omegaconf.OmegaConf.to_container(data, resolve=True)
    return data
