"""Experiment plans: YAML files given by path or by the name of a packaged plan."""

from __future__ import annotations

from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from journeysim.sim.errors import ConfigError, unknown_name


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
