"""Experiment plans: YAML files given by path or packaged by name, and the config values they vary.

A plan says what an experiment runs (calibration, budget optimisation, sensitivity). Each
method's ``plan`` module validates the raw mapping with its spec in
:mod:`journeysim.sim.schema.plans` (one error format naming the plan key) and builds the frozen
plan its method uses; a varied config value is a :class:`Parameter`.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from journeysim.experiments.keys import flat_numbers
from journeysim.sim.errors import ConfigError, unknown_name, yaml_syntax_error
from journeysim.sim.schema.plans import RangeSpec

__all__ = ["Parameter", "flat_numbers", "plan_names", "read_plan_file", "with_flags"]


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
        raise yaml_syntax_error(error, str(source)) from None
    if not isinstance(raw, dict):
        raise ConfigError("plan", source, "a YAML mapping of plan keys")
    return name, raw


def with_flags(raw: dict[str, Any], flags: dict[str, Any], overrides: list[str] | None = None) -> dict[str, Any]:
    """A plan mapping with the command line's flags over it (flags left at None keep the plan's
    value) and the command line's config overrides appended to the plan's own."""
    merged = {**raw, **{key: value for key, value in flags.items() if value is not None}}
    if overrides is not None:
        merged["overrides"] = [*(raw.get("overrides") or []), *overrides]
    return merged


# --------------------------------------------------------------------------- varied config values
Parameter = RangeSpec
"""One config value an experiment varies over a range (a prior, or a sampled range): the schema's
:class:`~journeysim.sim.schema.plans.RangeSpec` (name, low, high, log, integer; key, bounds,
value, cast)."""
