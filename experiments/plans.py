"""Experiment plans: YAML files given by path or packaged by name, and the readers that check their values.

A plan says what an experiment runs (calibration, budget optimisation, sensitivity); each
method's ``plan`` module turns the raw mapping into a typed, frozen plan with these readers, so
every bad value raises a :class:`~journeysim.sim.errors.ConfigError` naming its key.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from journeysim.experiments.keys import flat_numbers
from journeysim.sim.errors import ConfigError, unknown_name

__all__ = ["Parameter", "check_keys", "flat_numbers", "override_list", "parse_parameter", "plan_names",
           "read_plan_file", "real", "whole"]


def plan_names(package: str) -> list[str]:
    """Names of the plans packaged in ``package`` (its ``*.yaml`` files)."""
    return sorted(p.name[:-5] for p in files(package).iterdir() if p.name.endswith(".yaml"))


def read_plan_file(source: str, package: str) -> tuple[str, dict[str, Any]]:
    """Read a plan from a YAML path or a name packaged in ``package``; returns its name and mapping.

    Raises
    ------
    ConfigError
        For a missing file, an unknown plan name (with the closest one), bad YAML, or YAML
        that is not a mapping.
    """
    names = plan_names(package)
    path = Path(source)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        if not path.is_file():
            raise ConfigError("plan", source, "an existing YAML file or one of " + ", ".join(names))
        text, name = path.read_text(), path.stem
    else:
        if source not in names:
            raise unknown_name("plan", source, names)
        text, name = files(package).joinpath(f"{source}.yaml").read_text(), source
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError("plan", source, f"valid YAML ({error})") from None
    if not isinstance(raw, dict):
        raise ConfigError("plan", source, "a YAML mapping of plan keys")
    return name, raw


# --------------------------------------------------------------------------- readers of plan values
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


# --------------------------------------------------------------------------- varied config values
@dataclass(frozen=True)
class Parameter:
    """One config value an experiment varies over a range (a prior, or a sampled range).

    Attributes
    ----------
    name : str
        Dotted config key (``market.checkout_friction``), in the key's unit.
    low, high : float
        The range, in the key's unit.
    log : bool
        The range is uniform on log10 of the value (for rates spanning orders of magnitude).
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
        """The range on the sampled scale (log10 of the value when ``log``)."""
        return (math.log10(self.low), math.log10(self.high)) if self.log else (self.low, self.high)

    def value(self, x: float) -> float | int:
        """The config value of sampled-scale coordinate ``x`` (rounded for integer keys)."""
        return self.cast(10.0 ** x if self.log else x)

    def cast(self, v: float) -> float | int:
        """``v`` as the config holds it (rounded for integer keys)."""
        return int(round(v)) if self.integer else float(v)


def parse_parameter(name: str, spec: Any, options: tuple[str, ...] = ("log",)) -> Parameter:
    """Validate one ``parameters`` entry: ``[low, high]`` or ``{low, high, <options>}``.

    Parameters
    ----------
    name : str
        The dotted config key.
    spec : object
        The plan's value for it.
    options : tuple of str
        Keys allowed beside ``low`` and ``high``: ``log`` (read) and ``integer`` (accepted and
        ignored: the config says whether a key is an integer).
    """
    key = f"parameters.{name}"
    log: Any = False
    if isinstance(spec, Mapping):
        check_keys(spec, ("low", "high", *options), f"{key}.")
        bounds, log = [spec.get("low"), spec.get("high")], spec.get("log", False)
    else:
        bounds = list(spec) if isinstance(spec, list | tuple) else []
    shapes = "a range [low, high] of two numbers" + (", or {low, high, log}" if "log" in options else "")
    if len(bounds) != 2 or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds):
        raise ConfigError(key, spec, shapes)
    low, high = float(bounds[0]), float(bounds[1])
    if not low < high:
        raise ConfigError(key, spec, "a range with low < high")
    if not isinstance(log, bool):
        raise ConfigError(f"{key}.log", log, "true or false")
    if log and low <= 0:
        raise ConfigError(key, spec, "a range of positive numbers when log is true")
    return Parameter(name, low, high, log)
