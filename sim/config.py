"""Typed, validated run configuration built from the resolved Hydra config.

The specs and their rules live in :mod:`journeysim.sim.schema` (one module per section);
this module keeps the names other modules import from here. The whole config, scenario
included, is turned into a :class:`RunSpec` by :func:`journeysim.scenarios.spec.parse_config`
(the scenario's levers are checked there, above the engine). Every value is checked before anything is
allocated; a bad one raises :class:`~journeysim.sim.errors.ConfigError` naming the key, the
value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from journeysim.sim.errors import ConfigError
from journeysim.sim.schema.channels import CHANNEL_KINDS, SATURATION_SHAPES, ChannelSpec, SaturationSpec
from journeysim.sim.schema.fields import MISSING, PROBABILITY, Number, Rule, load, spec_keys
from journeysim.sim.schema.market import MarketSpec, OutputSpec
from journeysim.sim.schema.network import NETWORK_MODES, NETWORK_TYPES, NetworkSpec, check_network_size
from journeysim.sim.schema.population import MIN_HETEROGENEITY, TRAITS, UNIT_TRAITS, PersonaSpec, PopulationSpec
from journeysim.sim.schema.run import BASS_SCENARIO_KEYS, ROOT_KEYS, SCENARIO_KINDS, RunSpec, load_run
from journeysim.sim.schema.service import ServiceSpec, parse_service
from journeysim.sim.validate import check_memory

__all__ = [
    "BASS_SCENARIO_KEYS", "CHANNEL_KINDS", "MIN_HETEROGENEITY", "MISSING", "NETWORK_MODES", "NETWORK_TYPES",
    "ROOT_KEYS", "SATURATION_SHAPES", "SCENARIO_KINDS", "TRAITS", "UNIT_TRAITS",
    "ChannelSpec", "MarketSpec", "NetworkSpec", "OutputSpec", "PersonaSpec", "PopulationSpec", "RunSpec",
    "SaturationSpec", "ServiceSpec",
    "check_memory", "load_run", "mapping", "number", "parse_network", "parse_outputs", "parse_service", "probability",
    "spec_keys", "to_container",
]


# --------------------------------------------------------------------------- single values
def number(cfg: Mapping, key: str, prefix: str, *, low: float | None = None, high: float | None = None,
           integer: bool = False, default: Any = None, positive: bool = False) -> float:
    """Read ``cfg[key]`` by the schema's number rule (:class:`~journeysim.sim.schema.fields.Number`).

    Raises
    ------
    ConfigError
        Naming ``prefix.key``, the value and what is allowed.
    """
    value = cfg.get(key, default) if isinstance(cfg, Mapping) else default
    rule = Number(low=low, high=high, integer=integer, positive=positive)
    try:
        return rule.check(value)
    except Rule as bad:
        raise ConfigError(f"{prefix}.{key}" if prefix else key, bad.value, bad.allowed) from None


def probability(cfg: Mapping, key: str, prefix: str, default: Any = None) -> float:
    """Read a probability or share in [0, 1]."""
    return number(cfg, key, prefix, low=PROBABILITY.low, high=PROBABILITY.high, default=default)


def mapping(cfg: Mapping, key: str, prefix: str) -> Mapping:
    """Read a nested mapping (a config section)."""
    value = cfg.get(key)
    if not isinstance(value, Mapping):
        raise ConfigError(f"{prefix}.{key}" if prefix else key, value, "a mapping of keys to values")
    return value


# --------------------------------------------------------------------------- sections
def parse_network(cfg: Mapping, size: int) -> NetworkSpec:
    """Validate the ``network`` section, including parameters impossible for the size."""
    network = load(NetworkSpec, cfg, "network")
    check_network_size(network, size)
    return network


def parse_outputs(cfg: Mapping | None) -> OutputSpec:
    """Validate the ``outputs`` section (absent: the defaults)."""
    return load(OutputSpec, cfg or {}, "outputs")


def to_container(cfg: Any) -> dict:
    """Plain ``dict`` from a DictConfig or mapping (interpolations resolved).

    Raises
    ------
    ConfigError
        For an interpolation that does not resolve (a missing value, ``???``, stays as it is).
    """
    try:
        from omegaconf import DictConfig, OmegaConf
        from omegaconf.errors import OmegaConfBaseException
    except ImportError:  # pragma: no cover - hydra is a dependency
        return dict(cfg)
    if not isinstance(cfg, DictConfig):
        if not isinstance(cfg, Mapping):
            raise ConfigError("config", cfg, "a mapping of config sections")
        return dict(cfg)
    try:
        return OmegaConf.to_container(cfg, resolve=True)  # type: ignore[return-value]
    except OmegaConfBaseException as error:
        key = str(getattr(error, "full_key", None) or "config")
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ConfigError(key, _raw_value(cfg, key), f"a value that resolves ({reason})") from None


def _raw_value(cfg: Any, key: str) -> Any:
    """The value at dotted ``key`` as written, interpolations unresolved."""
    from omegaconf import OmegaConf

    node: Any = OmegaConf.to_container(cfg, resolve=False)
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node
