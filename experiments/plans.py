"""Experiment plans: YAML files given by path or packaged by name, and the config values they vary.

A plan says what an experiment runs (calibration, budget optimisation, sensitivity). Each
method's ``plan`` module validates the raw mapping with its spec in
:mod:`journeysim.sim.schema.plans` (one error format naming the plan key) and builds the frozen
plan its method uses; a varied config value is a :class:`Parameter`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from journeysim.experiments.keys import flat_numbers
from journeysim.sim.errors import ConfigError, unknown_name

__all__ = ["Parameter", "flat_numbers", "plan_names", "read_plan_file"]


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
