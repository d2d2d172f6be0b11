"""Typed, validated run configuration built from the resolved Hydra config.

Every value is checked before anything is allocated; a bad one raises
:class:`~journeysim.sim.errors.ConfigError` naming the key, the value and what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from journeysim.agents.customer import STAGE_NAMES
from journeysim.sim.errors import ConfigError, unknown_name

TRAITS: tuple[str, ...] = (
    "innovativeness",
    "social_susceptibility",
    "price_sensitivity",
    "interest_decay",
    "threshold_scale",
    "quality_expectation",
    "advocacy",
    "repurchase_rate",
    "churn_propensity",
)
"""Persona traits; each is drawn per customer around the persona's mean."""

UNIT_TRAITS = frozenset({"interest_decay", "quality_expectation"})
"""Traits that are shares in [0, 1]."""

NETWORK_TYPES = (
    "fully_mixed",
    "erdos_renyi",
    "watts_strogatz",
    "barabasi_albert",
    "homophilous",
    "edge_list",
    "groups",
)
SATURATION_SHAPES = ("exponential", "hill", "linear")
CHANNEL_KINDS = ("impressions", "broadcast")
SCENARIO_KINDS = ("journey", "bass")


# --------------------------------------------------------------------------- checks
def number(cfg: Mapping, key: str, prefix: str, *, low: float | None = None,
           high: float | None = None, integer: bool = False, default: Any = None) -> float:
    """Read ``cfg[key]`` as a number within [low, high] or raise a ConfigError."""
    full = f"{prefix}.{key}" if prefix else key
    value = cfg.get(key, default) if isinstance(cfg, Mapping) else default
    if value is None:
        raise ConfigError(full, value, "a number (the key is missing)")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(full, value, "a number")
    if integer and float(value) != int(value):
        raise ConfigError(full, value, "a whole number")
    if not math.isfinite(float(value)):
        raise ConfigError(full, value, "a finite number")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ConfigError(full, value, f"a number from {low} to {high}" if high is not None
                          else f"a number of at least {low}")
    return int(value) if integer else float(value)


def probability(cfg: Mapping, key: str, prefix: str, default: Any = None) -> float:
    """Read a probability or share in [0, 1]."""
    return number(cfg, key, prefix, low=0.0, high=1.0, default=default)


def choice(cfg: Mapping, key: str, prefix: str, options: tuple[str, ...], default: Any = None) -> str:
    """Read a name that must be one of ``options``."""
    value = cfg.get(key, default)
    if value not in options:
        raise unknown_name(f"{prefix}.{key}" if prefix else key, value, options)
    return str(value)


def mapping(cfg: Mapping, key: str, prefix: str) -> Mapping:
    """Read a nested mapping (a config section)."""
    value = cfg.get(key)
    if not isinstance(value, Mapping):
        raise ConfigError(f"{prefix}.{key}" if prefix else key, value, "a mapping of keys to values")
    return value


def stage_vector(values: Mapping | None, key: str, *, low: float | None = None) -> np.ndarray:
    """Turn ``{stage_name: value}`` into a float array indexed by stage code."""
    out = np.zeros(len(STAGE_NAMES), dtype=np.float64)
    for name in values or {}:
        if name not in STAGE_NAMES:
            raise unknown_name(f"{key}.{name}", name, STAGE_NAMES)
        out[STAGE_NAMES.index(name)] = number(values, name, key, low=low)
    return out


# --------------------------------------------------------------------------- specs
@dataclass(frozen=True)
class PersonaSpec:
    """One named customer segment: its share, channel affinities and mean traits."""

    name: str
    share: float
    affinity: dict[str, float]
    traits: dict[str, float]


@dataclass(frozen=True)
class PopulationSpec:
    """The synthetic population: size, budget reference size and personas."""

    size: int
    reference_size: int
    heterogeneity: float
    personas: tuple[PersonaSpec, ...]

    @property
    def scale(self) -> float:
        """Factor from stated budgets and capacities to this population's size."""
        return self.size / self.reference_size


@dataclass(frozen=True)
class SaturationSpec:
    """Diminishing returns with frequency: a named cumulative response shape."""

    shape: str
    scale: float


@dataclass(frozen=True)
class ChannelSpec:
    """One touchpoint: cost, budget, effect per stage, saturation and carry-over."""

    name: str
    kind: str
    cpm: float
    daily_budget: float
    effect: np.ndarray
    saturation: SaturationSpec
    carryover: float
    target_stages: tuple[int, ...] | None


@dataclass(frozen=True)
class NetworkSpec:
    """Word of mouth: who talks to whom, how often, and how strongly."""

    type: str
    mean_degree: float
    rewiring: float
    homophily: float
    edge_list: str | None
    talk_rate: float
    positive_kick: float
    negative_kick: float
    talk: np.ndarray
    dissatisfied_talk: float
    talk_days: int | None
    group_size: int = 10
    weak_ties: int = 2
    weak_kick: float | None = None


@dataclass(frozen=True)
class MarketSpec:
    """Price, quality, funnel thresholds and checkout of the product being sold."""

    price: float
    unit_cost: float
    quality: float
    quality_noise: float
    thresholds: dict[str, float]
    fallback: float
    checkout_friction: float
    discount: float
    review_weight: float
    loyal_after: int
    advocate_satisfaction: float
    winback: float
    survey_noise: float


@dataclass(frozen=True)
class OutputSpec:
    """What a run writes."""

    figures: bool = True
    tables: bool = True
    event_log_sample: int = 5000
    progress: bool = True
    mesa_agents: str = "auto"


@dataclass(frozen=True)
class RunSpec:
    """Everything a run needs, validated."""

    seed: int
    days: int
    scenario: str
    kind: str
    population: PopulationSpec
    channels: tuple[ChannelSpec, ...]
    network: NetworkSpec
    market: MarketSpec
    service: dict[str, Any]
    outputs: OutputSpec
    scenario_params: dict[str, Any] = field(default_factory=dict)

    @property
    def channel_names(self) -> tuple[str, ...]:
        """Channel names in the order of the model's channel arrays."""
        return tuple(channel.name for channel in self.channels)


# --------------------------------------------------------------------------- parsing
def parse_population(cfg: Mapping, channel_names: tuple[str, ...]) -> PopulationSpec:
    """Validate the ``population`` section."""
    size = number(cfg, "size", "population", low=1, integer=True)
    reference = number(cfg, "reference_size", "population", low=1, integer=True, default=size)
    heterogeneity = number(cfg, "heterogeneity", "population", low=0.0, high=3.0, default=0.3)
    personas_cfg = mapping(cfg, "personas", "population")
    if not personas_cfg:
        raise ConfigError("population.personas", {}, "at least one persona")
    personas = tuple(_parse_persona(name, body, channel_names) for name, body in personas_cfg.items())
    total = sum(p.share for p in personas)
    if abs(total - 1.0) > 1e-6:
        shares = {p.name: p.share for p in personas}
        raise ConfigError("population.personas.*.share", shares, f"shares summing to 1 (they sum to {total:.6g})")
    return PopulationSpec(size, reference, heterogeneity, personas)


def _parse_persona(name: str, body: Mapping, channel_names: tuple[str, ...]) -> PersonaSpec:
    prefix = f"population.personas.{name}"
    if not isinstance(body, Mapping):
        raise ConfigError(prefix, body, "a mapping with share, affinity and traits")
    known = {"share", "affinity", *TRAITS}
    for key in body:
        if key not in known:
            raise unknown_name(f"{prefix}.{key}", key, known)
    share = probability(body, "share", prefix)
    affinity = {}
    for channel in body.get("affinity") or {}:
        if channel not in channel_names:
            raise unknown_name(f"{prefix}.affinity.{channel}", channel, channel_names)
        affinity[channel] = number(body["affinity"], channel, f"{prefix}.affinity", low=0.0)
    traits = {}
    for trait in TRAITS:
        high = 1.0 if trait in UNIT_TRAITS else None
        traits[trait] = number(body, trait, prefix, low=0.0, high=high)
    return PersonaSpec(name, share, affinity, traits)


def parse_channels(cfg: Mapping) -> tuple[ChannelSpec, ...]:
    """Validate the ``channels`` section (one entry per touchpoint)."""
    channels = []
    for name, body in cfg.items():
        prefix = f"channels.{name}"
        if not isinstance(body, Mapping):
            raise ConfigError(prefix, body, "a mapping with kind, cpm, daily_budget, effect, ...")
        sat_cfg = body.get("saturation") or {"shape": "exponential", "scale": 2.0}
        saturation = SaturationSpec(
            choice(sat_cfg, "shape", f"{prefix}.saturation", SATURATION_SHAPES),
            number(sat_cfg, "scale", f"{prefix}.saturation", low=1e-9),
        )
        targets = body.get("target_stages")
        if targets is not None:
            for stage in targets:
                if stage not in STAGE_NAMES:
                    raise unknown_name(f"{prefix}.target_stages", stage, STAGE_NAMES)
            targets = tuple(sorted(STAGE_NAMES.index(stage) for stage in targets))
        channels.append(ChannelSpec(
            name=str(name),
            kind=choice(body, "kind", prefix, CHANNEL_KINDS, default="impressions"),
            cpm=number(body, "cpm", prefix, low=1e-9),
            daily_budget=number(body, "daily_budget", prefix, low=0.0),
            effect=stage_vector(body.get("effect"), f"{prefix}.effect", low=0.0),
            saturation=saturation,
            carryover=probability(body, "carryover", prefix, default=0.0),
            target_stages=targets,
        ))
    return tuple(channels)


def parse_network(cfg: Mapping, size: int) -> NetworkSpec:
    """Validate the ``network`` section, including parameters impossible for the size."""
    kind = choice(cfg, "type", "network", NETWORK_TYPES)
    degree = number(cfg, "mean_degree", "network", low=0.0, default=10)
    if kind in {"erdos_renyi", "watts_strogatz", "barabasi_albert", "homophilous"} and degree >= size:
        raise ConfigError("network.mean_degree", degree, f"less than population.size ({size})")
    if kind == "watts_strogatz" and (degree < 2 or int(degree) % 2):
        raise ConfigError("network.mean_degree", degree, "an even number of at least 2 for watts_strogatz")
    if kind == "barabasi_albert" and degree < 2:
        raise ConfigError("network.mean_degree", degree, "at least 2 for barabasi_albert (m = mean_degree / 2)")
    talk_days = cfg.get("talk_days")
    if talk_days is not None:
        talk_days = number(cfg, "talk_days", "network", low=1, integer=True)
    edge_list = cfg.get("edge_list")
    if kind == "edge_list" and not edge_list:
        raise ConfigError("network.edge_list", edge_list, "a path to a CSV edge list when network.type is edge_list")
    weak_kick = cfg.get("weak_kick")
    return NetworkSpec(
        type=kind,
        mean_degree=degree,
        rewiring=probability(cfg, "rewiring", "network", default=0.1),
        homophily=probability(cfg, "homophily", "network", default=0.8),
        edge_list=None if edge_list is None else str(edge_list),
        talk_rate=number(cfg, "talk_rate", "network", low=0.0, high=1.0),
        positive_kick=number(cfg, "positive_kick", "network", low=0.0),
        negative_kick=number(cfg, "negative_kick", "network", low=0.0),
        talk=stage_vector(cfg.get("talk"), "network.talk"),
        dissatisfied_talk=number(cfg, "dissatisfied_talk", "network", low=-1.0, high=1.0, default=0.0),
        talk_days=talk_days,
        group_size=number(cfg, "group_size", "network", low=1, integer=True, default=10),
        weak_ties=number(cfg, "weak_ties", "network", low=0, integer=True, default=2),
        weak_kick=None if weak_kick is None else number(cfg, "weak_kick", "network", low=0.0),
    )


def parse_market(cfg: Mapping) -> MarketSpec:
    """Validate the ``market`` section."""
    thresholds_cfg = mapping(cfg, "thresholds", "market")
    thresholds = {}
    for step in ("aware", "considering", "deciding", "purchase"):
        thresholds[step] = number(thresholds_cfg, step, "market.thresholds", low=0.0)
    return MarketSpec(
        price=number(cfg, "price", "market", low=0.0),
        unit_cost=number(cfg, "unit_cost", "market", low=0.0),
        quality=probability(cfg, "quality", "market"),
        quality_noise=number(cfg, "quality_noise", "market", low=0.0),
        thresholds=thresholds,
        fallback=probability(cfg, "fallback", "market"),
        checkout_friction=probability(cfg, "checkout_friction", "market"),
        discount=probability(cfg, "discount", "market", default=0.0),
        review_weight=number(cfg, "review_weight", "market", low=0.0, default=0.0),
        loyal_after=number(cfg, "loyal_after", "market", low=1, integer=True),
        advocate_satisfaction=number(cfg, "advocate_satisfaction", "market", low=-1.0, high=1.0),
        winback=number(cfg, "winback", "market", low=0.0),
        survey_noise=number(cfg, "survey_noise", "market", low=0.0, default=1.0),
    )


def parse_outputs(cfg: Mapping | None) -> OutputSpec:
    """Validate the ``outputs`` section."""
    cfg = cfg or {}
    return OutputSpec(
        figures=bool(cfg.get("figures", True)),
        tables=bool(cfg.get("tables", True)),
        event_log_sample=number(cfg, "event_log_sample", "outputs", low=0, integer=True, default=5000),
        progress=bool(cfg.get("progress", True)),
        mesa_agents=choice(cfg, "mesa_agents", "outputs", ("auto", "eager", "lazy"), default="auto"),
    )


def to_container(cfg: Any) -> dict:
    """Plain ``dict`` from a DictConfig or mapping (interpolations resolved)."""
    try:
        from omegaconf import DictConfig, OmegaConf
    except ImportError:  # pragma: no cover - hydra is a dependency
        return dict(cfg)
    if isinstance(cfg, DictConfig):
        return OmegaConf.to_container(cfg, resolve=True)  # type: ignore[return-value]
    return dict(cfg)


def parse_config(cfg: Any) -> RunSpec:
    """Validate a whole resolved config and return the typed :class:`RunSpec`."""
    cfg = to_container(cfg)
    scenario = cfg.get("scenario") or {}
    if not isinstance(scenario, Mapping):
        raise ConfigError("scenario", scenario, "a mapping with at least name and kind")
    kind = choice(scenario, "kind", "scenario", SCENARIO_KINDS, default="journey")
    seed = number(cfg, "seed", "", low=0, integer=True)
    days = number(cfg, "days", "", low=1, high=36_500, integer=True)
    if kind == "bass":
        from journeysim.scenarios.bass import bass_run_spec

        return bass_run_spec(cfg, seed=seed, days=days)
    channels = parse_channels(mapping(cfg, "channels", ""))
    population = parse_population(mapping(cfg, "population", ""), tuple(c.name for c in channels))
    return RunSpec(
        seed=seed,
        days=days,
        scenario=str(scenario.get("name", "custom")),
        kind=kind,
        population=population,
        channels=channels,
        network=parse_network(mapping(cfg, "network", ""), population.size),
        market=parse_market(mapping(cfg, "market", "")),
        service=dict(cfg.get("service") or {"enabled": False}),
        outputs=parse_outputs(cfg.get("outputs")),
        scenario_params={k: v for k, v in scenario.items() if k not in {"name", "kind"}},
    )
