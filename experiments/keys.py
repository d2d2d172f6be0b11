"""Dotted config keys: which numeric keys a config has, and copies of it with keys set.

Two ways to set keys, for two meanings:

* :func:`set_keys` sets exactly the values given (a sensitivity design point);
* :func:`set_parameters` sets fitted parameters and keeps persona shares a partition
  (a calibration particle, a calibrated scenario).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

PERSONAS = "population.personas."


def flat_numbers(config: Mapping[str, Any], prefix: str = "") -> dict[str, float | int]:
    """Every numeric leaf of a nested config, by dotted key."""
    out: dict[str, float | int] = {}
    for key, value in config.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            out.update(flat_numbers(value, name))
        elif isinstance(value, int | float) and not isinstance(value, bool):
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
