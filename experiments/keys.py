"""Dotted config keys: which numeric keys a config has, and copies of it with keys set.

Two ways to set keys, for two meanings:

* :func:`set_keys` sets exactly the values given (a sensitivity design point);
* :func:`set_parameters` sets fitted parameters and keeps persona shares a partition
  (a calibration particle, a calibrated scenario).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from journeysim.sim.errors import ConfigError, UnknownKeyError

PERSONAS = "population.personas."


def flat_numbers(config: Mapping[str, Any], prefix: str = "") -> dict[str, float | int]:
    """Every numeric leaf of a nested config (or of a run's summary, numpy numbers included), by
    dotted key; flags are not numbers."""
    out: dict[str, float | int] = {}
    for key, value in config.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            out.update(flat_numbers(value, name))
        elif isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
            out[name] = value
    return out


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


def set_keys(config: Mapping[str, Any], values: Mapping[str, float | int]) -> dict[str, Any]:
    """A deep copy of ``config`` with dotted keys set to ``values`` (missing parents created)."""
    out = copy.deepcopy(dict(config))
    for name, value in values.items():
        node = out
        *parents, leaf = name.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


def is_share(name: str) -> bool:
    """Whether dotted key ``name`` is a persona's population share."""
    return name.startswith(PERSONAS) and name.endswith(".share")


def set_parameters(config: Mapping[str, Any], values: Mapping[str, float | int]) -> dict[str, Any]:
    """:func:`set_keys`, then persona shares (``population.personas.<name>.share``) kept a partition.

    When some shares are set, the other personas share what is left in their configured
    proportions; when all are set, they are weights normalised to sum to 1.
    """
    out = set_keys(config, values)
    shares = [n for n in values if is_share(n)]
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


# --------------------------------------------------------------------------- a plan's parameters
def parameter_error(name: str, value: Any, config: Mapping[str, Any], plan_key: str = "parameters") -> ConfigError:
    """The error for a plan parameter that names no numeric key of ``config``.

    It names the plan key, the value the plan gives it and the keys allowed, in the shape of
    :class:`~journeysim.sim.errors.UnknownKeyError`: ``unknown key 'parameters.market.pricee'
    (value [45, 80]); did you mean 'market.price'? Allowed: a numeric key of the config's market,
    one of market.advocate_satisfaction, ...``. The keys listed are those of the deepest section
    of the config the name gets right (every section when it gets none right).

    Parameters
    ----------
    name : str
        The dotted config key the plan names.
    value : object
        What the plan gives it (its range).
    config : mapping
        The plan's base config.
    plan_key : str
        The plan's section of parameters.
    """
    key = f"{plan_key}.{name}"
    numbers = flat_numbers(config)
    node: Any = config
    for part in name.split("."):
        if not isinstance(node, Mapping) or part not in node:
            break
        node = node[part]
    else:  # the key exists, but is not a number
        return ConfigError(key, value, f"a key of a number in the config; {name} holds {node!r}")
    parts = name.split(".")
    section = next((".".join(parts[:depth]) for depth in range(len(parts) - 1, 0, -1)
                    if any(k.startswith(".".join(parts[:depth]) + ".") for k in numbers)), "")
    known = sorted(k for k in numbers if k.startswith(section + ".")) if section else sorted(numbers)
    return UnknownParameterError(key, value, name, known, numbers, section)


class UnknownParameterError(UnknownKeyError):
    """A plan parameter naming no numeric config key (see :func:`parameter_error`)."""

    def __init__(self, key: str, value: Any, name: str, known: list[str], numbers: Mapping[str, Any],
                 section: str) -> None:
        import difflib

        match = difflib.get_close_matches(name, list(numbers), n=1, cutoff=0.5)
        hint = f"; did you mean '{match[0]}'?" if match else "."
        where = f"the config's {section}" if section else "the config"
        allowed = f"a numeric key of {where}, one of {', '.join(known)}"
        ValueError.__init__(self, f"unknown key '{key}' (value {value!r}){hint} Allowed: {allowed}.")
        self.key, self.value, self.allowed = key, value, allowed


def check_ranges(config: Mapping[str, Any], parameters: Iterable[Any], plan_key: str = "parameters",
                 setter: Callable[[Mapping[str, Any], Mapping[str, float | int]], dict[str, Any]] = set_keys) -> None:
    """Check the config is valid at both ends of every parameter's range, before any run.

    A range reaching beyond what a key allows (a checkout friction up to 1.6) would otherwise fail
    only once a sampled value crosses the limit, deep inside the experiment, naming a value the
    user never wrote.

    Parameters
    ----------
    config : mapping
        The plan's base config.
    parameters : iterable of :class:`~journeysim.sim.schema.plans.RangeSpec`
        The plan's bound parameters (``low``, ``high``, ``cast``).
    plan_key : str
        The plan's section of parameters.
    setter : callable
        How a value is set (:func:`set_keys`, or :func:`set_parameters` for a calibration).

    Raises
    ------
    ConfigError
        Naming ``<plan_key>.<name>.low`` or ``.high``, the bound, and what the key allows.
    """
    from journeysim.scenarios.spec import parse_config

    for parameter in parameters:
        for end in ("low", "high"):
            bound = parameter.cast(getattr(parameter, end))
            try:
                parse_config(setter(config, {parameter.name: bound}))
            except ConfigError as error:
                allowed = (f"a bound inside what {parameter.name} allows, {error.allowed}"
                           if error.key == parameter.name else
                           f"a bound at which the config is valid (with {parameter.name} = {bound}: {error})")
                raise ConfigError(f"{plan_key}.{parameter.name}.{end}", bound, allowed) from None
