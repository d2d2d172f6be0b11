"""Typed, validated run configuration built from the resolved Hydra config.

Every value is checked before anything is allocated; a bad one raises
:class:`~journeysim.sim.errors.ConfigError` naming the key, the value and what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from journeysim.sim.errors import ConfigError, unknown_name
from journeysim.sim.schema.service import ServiceSpec, parse_service
from journeysim.sim.stages import STAGE_NAMES
from journeysim.sim.state import FUNNEL_STEPS
from journeysim.sim.validate import check_keys, check_memory

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

MIN_HETEROGENEITY = 1e-6
"""Smallest non-zero coefficient of variation of traits (gamma shape 1 / cv^2 stays finite)."""

NETWORK_TYPES = (
    "fully_mixed",
    "erdos_renyi",
    "watts_strogatz",
    "barabasi_albert",
    "homophilous",
    "edge_list",
    "groups",
)
NETWORK_MODES = ("conversations", "cascade")
"""Word-of-mouth modes: daily conversations with one listener each, or an independent cascade
(a newly informed customer tells each neighbour with a daily probability for ``talk_days``)."""
SATURATION_SHAPES = ("exponential", "hill", "linear")
CHANNEL_KINDS = ("impressions", "broadcast")
SCENARIO_KINDS = ("journey", "bass")
ROOT_KEYS = ("seed", "days", "population", "channels", "network", "service", "scenario", "market", "outputs",
             "hydra")
"""Top-level keys of a resolved config (``hydra`` only when Hydra's own settings are included)."""
MISSING = "???"
"""OmegaConf's mark of a value that must be given."""
BASS_SCENARIO_KEYS = ("name", "kind", "p", "q")
"""Keys of a ``kind: bass`` scenario; a journey scenario's other keys are its levers' parameters."""


# --------------------------------------------------------------------------- checks
def number(cfg: Mapping, key: str, prefix: str, *, low: float | None = None,
           high: float | None = None, integer: bool = False, default: Any = None, positive: bool = False) -> float:
    """Read ``cfg[key]`` as a number within [low, high] (above 0 if ``positive``) or raise a ConfigError."""
    full = f"{prefix}.{key}" if prefix else key
    value = cfg.get(key, default) if isinstance(cfg, Mapping) else default
    if value is None or value == MISSING:
        raise ConfigError(full, value, "a number (the key is missing)" if value is None else "a number (it is missing)")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(full, value, "a number")
    if not math.isfinite(float(value)):
        raise ConfigError(full, value, "a finite number")
    if integer and float(value) != int(value):
        raise ConfigError(full, value, "a whole number")
    if positive and value <= 0:
        raise ConfigError(full, value, "a number greater than 0" if high is None
                          else f"a number greater than 0 and at most {high}")
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


def flag(cfg: Mapping, key: str, prefix: str, default: bool) -> bool:
    """Read a true/false switch (``yes`` or ``1`` are not taken for true)."""
    value = cfg.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{prefix}.{key}" if prefix else key, value, "true or false")
    return value


def section(cfg: Mapping, key: str, prefix: str, known: Any = None, default: Any = None) -> Mapping:
    """Read an optional nested mapping (``default`` when absent); with ``known``, reject unknown keys."""
    value = cfg.get(key, default)
    full = f"{prefix}.{key}" if prefix else key
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        raise ConfigError(full, value, "a mapping of keys to values")
    if known is not None:
        check_keys(value, known, full)
    return value


def spec_keys(spec: type, *skip: str) -> tuple[str, ...]:
    """Config keys of a section: the fields of its spec dataclass."""
    return tuple(f.name for f in fields(spec) if f.name not in skip)


def stage_vector(values: Mapping | None, key: str, *, low: float | None = None) -> np.ndarray:
    """Turn ``{stage_name: value}`` into a float array indexed by stage code."""
    if values is not None and not isinstance(values, Mapping):
        raise ConfigError(key, values, "a mapping of stage names to numbers, e.g. {aware: 0.5}")
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
    mode: str = "conversations"
    transmission: float = 0.0
    weak_transmission: float | None = None


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
    service: ServiceSpec
    outputs: OutputSpec
    scenario_params: dict[str, Any] = field(default_factory=dict)

    @property
    def channel_names(self) -> tuple[str, ...]:
        """Channel names in the order of the model's channel arrays."""
        return tuple(channel.name for channel in self.channels)


# --------------------------------------------------------------------------- parsing
def parse_population(cfg: Mapping, channel_names: tuple[str, ...]) -> PopulationSpec:
    """Validate the ``population`` section."""
    check_keys(cfg, spec_keys(PopulationSpec), "population")
    size = number(cfg, "size", "population", low=1, integer=True)
    reference = number(cfg, "reference_size", "population", low=1, integer=True, default=size)
    heterogeneity = number(cfg, "heterogeneity", "population", low=0.0, high=3.0, default=0.3)
    if 0 < heterogeneity < MIN_HETEROGENEITY:  # the gamma shape 1 / cv^2 would overflow
        raise ConfigError("population.heterogeneity", heterogeneity,
                          f"0 (identical customers) or a number from {MIN_HETEROGENEITY:g} to 3.0")
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
    for channel in section(body, "affinity", prefix):
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
        check_keys(body, spec_keys(ChannelSpec, "name"), prefix)
        sat_cfg = section(body, "saturation", prefix, spec_keys(SaturationSpec)) or {"shape": "exponential",
                                                                                     "scale": 2.0}
        saturation = SaturationSpec(
            choice(sat_cfg, "shape", f"{prefix}.saturation", SATURATION_SHAPES),
            number(sat_cfg, "scale", f"{prefix}.saturation", positive=True),
        )
        targets = body.get("target_stages")
        if targets is not None:
            if isinstance(targets, str) or not isinstance(targets, list | tuple):
                raise ConfigError(f"{prefix}.target_stages", targets, "a list of stage names or null (everyone)")
            for stage in targets:
                if stage not in STAGE_NAMES:
                    raise unknown_name(f"{prefix}.target_stages", stage, STAGE_NAMES)
            targets = tuple(sorted(STAGE_NAMES.index(stage) for stage in targets))
        channels.append(ChannelSpec(
            name=str(name),
            kind=choice(body, "kind", prefix, CHANNEL_KINDS, default="impressions"),
            cpm=number(body, "cpm", prefix, positive=True),
            daily_budget=number(body, "daily_budget", prefix, low=0.0),
            effect=stage_vector(body.get("effect"), f"{prefix}.effect", low=0.0),
            saturation=saturation,
            carryover=probability(body, "carryover", prefix, default=0.0),
            target_stages=targets,
        ))
    return tuple(channels)


def parse_network(cfg: Mapping, size: int) -> NetworkSpec:
    """Validate the ``network`` section, including parameters impossible for the size."""
    check_keys(cfg, spec_keys(NetworkSpec), "network")
    kind = choice(cfg, "type", "network", NETWORK_TYPES)
    degree = number(cfg, "mean_degree", "network", low=0.0, default=10)
    if kind in {"erdos_renyi", "watts_strogatz", "barabasi_albert", "homophilous"} and degree >= size:
        raise ConfigError("network.mean_degree", degree, f"less than population.size ({size}) for {kind}")
    if kind == "watts_strogatz" and (degree < 2 or degree != int(degree) or int(degree) % 2):
        raise ConfigError("network.mean_degree", degree, "an even whole number of at least 2 for watts_strogatz")
    if kind == "barabasi_albert" and degree < 2:
        raise ConfigError("network.mean_degree", degree, "at least 2 for barabasi_albert (m = mean_degree / 2)")
    talk_days = cfg.get("talk_days")
    if talk_days is not None:
        talk_days = number(cfg, "talk_days", "network", low=1, integer=True)
    edge_list = cfg.get("edge_list")
    if kind == "edge_list" and not edge_list:
        raise ConfigError("network.edge_list", edge_list, "a path to a CSV edge list when network.type is edge_list")
    if kind == "edge_list" and not Path(str(edge_list)).is_file():
        raise ConfigError("network.edge_list", str(edge_list), "a path to an existing CSV file (source,target rows)")
    group_size = number(cfg, "group_size", "network", low=1, integer=True, default=10)
    if kind == "groups" and group_size > size:
        raise ConfigError("network.group_size", group_size, f"at most population.size ({size}) for groups")
    weak_kick = cfg.get("weak_kick")
    weak_transmission = cfg.get("weak_transmission")
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
        group_size=group_size,
        weak_ties=number(cfg, "weak_ties", "network", low=0, integer=True, default=2),
        weak_kick=None if weak_kick is None else number(cfg, "weak_kick", "network", low=0.0),
        mode=choice(cfg, "mode", "network", NETWORK_MODES, default="conversations"),
        transmission=probability(cfg, "transmission", "network", default=0.0),
        weak_transmission=None if weak_transmission is None else probability(cfg, "weak_transmission", "network"),
    )


def parse_market(cfg: Mapping) -> MarketSpec:
    """Validate the ``market`` section."""
    check_keys(cfg, spec_keys(MarketSpec), "market")
    thresholds_cfg = mapping(cfg, "thresholds", "market")
    check_keys(thresholds_cfg, FUNNEL_STEPS, "market.thresholds")
    thresholds = {}
    for step in FUNNEL_STEPS:
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
    cfg = section({"outputs": cfg}, "outputs", "", spec_keys(OutputSpec))
    return OutputSpec(
        figures=flag(cfg, "figures", "outputs", True),
        tables=flag(cfg, "tables", "outputs", True),
        event_log_sample=number(cfg, "event_log_sample", "outputs", low=0, integer=True, default=5000),
        progress=flag(cfg, "progress", "outputs", True),
        mesa_agents=choice(cfg, "mesa_agents", "outputs", ("auto", "eager", "lazy"), default="auto"),
    )


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


def parse_scenario(cfg: Mapping) -> tuple[Mapping, str]:
    """The ``scenario`` section and its kind (``journey`` or ``bass``)."""
    scenario = cfg.get("scenario") or {}
    if not isinstance(scenario, Mapping):
        raise ConfigError("scenario", scenario, "a mapping with at least name and kind")
    kind = choice(scenario, "kind", "scenario", SCENARIO_KINDS, default="journey")
    if kind == "bass":
        check_keys(scenario, BASS_SCENARIO_KEYS, "scenario")
    return scenario, kind


def parse_config(cfg: Any, *, check_resources: bool = True) -> RunSpec:
    """Validate a whole resolved config and return the typed :class:`RunSpec`.

    Every section is checked, unknown keys included, whatever the scenario kind uses; then
    the scenario's levers are built once (so their parameters are checked too) and the
    memory the run needs is compared with what is available.

    Parameters
    ----------
    cfg : DictConfig or Mapping
        The resolved config (Hydra's, or a plain dict of the same shape).
    check_resources : bool
        Refuse a population too large for the memory available now.

    Raises
    ------
    ConfigError
        For the first bad value, naming its key, the value and what is allowed.
    """
    cfg = to_container(cfg)
    check_keys(cfg, ROOT_KEYS, "")
    scenario, kind = parse_scenario(cfg)
    seed = number(cfg, "seed", "", low=0, integer=True)
    days = number(cfg, "days", "", low=1, high=36_500, integer=True)
    channels = parse_channels(mapping(cfg, "channels", ""))
    population = parse_population(mapping(cfg, "population", ""), tuple(c.name for c in channels))
    spec = RunSpec(
        seed=seed,
        days=days,
        scenario=str(scenario.get("name", "custom")),
        kind=kind,
        population=population,
        channels=channels,
        network=parse_network(mapping(cfg, "network", ""), population.size),
        market=parse_market(mapping(cfg, "market", "")),
        service=parse_service(cfg.get("service")),
        outputs=parse_outputs(cfg.get("outputs")),
        scenario_params={k: v for k, v in scenario.items() if k not in {"name", "kind"}},
    )
    if kind == "bass":
        from journeysim.scenarios.bass import bass_run_spec

        spec = bass_run_spec(cfg, seed=seed, days=days)
    else:
        from journeysim.scenarios.levers import build_levers

        build_levers(spec)
    if check_resources:
        check_memory(spec)
    return spec
