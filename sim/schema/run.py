"""The root of a run's config: seed, days, the scenario and one spec per section.

:class:`RunSpec` is what the engine runs with (``spec.market.price``, ``spec.channels``); it
is validated from the resolved Hydra config as a whole (:func:`load_run`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import model_validator

from journeysim.sim.errors import UnknownKeyError
from journeysim.sim.schema.channels import ChannelSpec
from journeysim.sim.schema.competition import MAX_BRANDS, OUR_BRAND, CompetitionSpec
from journeysim.sim.schema.fields import Choice, Named, Number, Rule, SpecBase, Text, at, load, spec
from journeysim.sim.schema.market import MarketSpec, OutputSpec
from journeysim.sim.schema.messages import unknown_key
from journeysim.sim.schema.network import NetworkSpec, check_network_size
from journeysim.sim.schema.population import PopulationSpec
from journeysim.sim.schema.service import DISABLED, ServiceSpec

SCENARIO_KINDS = ("journey", "bass")
"""A journey run (levers over the full model) or the two-stage Bass reference case."""
ROOT_KEYS = ("seed", "days", "population", "channels", "network", "service", "scenario", "market", "outputs",
             "competition", "hydra")
"""Top-level keys of a resolved config (``hydra`` only when Hydra's own settings are included)."""
BASS_SCENARIO_KEYS = ("name", "kind", "p", "q")
"""Keys of a ``kind: bass`` scenario; a journey scenario's other keys are its levers' parameters."""
SEED = Number(low=0, high=2**63 - 1, integer=True)  # a 64-bit signed int: every table and JSON reader keeps it exact
DAYS = Number(low=1, high=36_500, integer=True)


@spec
class RunSpec(SpecBase):
    """Everything a run needs, validated.

    In YAML, ``scenario`` is a mapping (``name``, ``kind`` and the levers' parameters) and
    ``channels`` and ``population.personas`` map names to sections; here they are the
    scenario's ``scenario`` name, ``kind`` and ``scenario_params``, and tuples of specs.
    """

    seed: Annotated[int, SEED]
    days: Annotated[int, DAYS]
    scenario: Annotated[str, Text()]
    kind: Annotated[str, Choice(SCENARIO_KINDS)]
    population: PopulationSpec
    channels: Annotated[tuple[ChannelSpec, ...], Named(
        ChannelSpec, "a mapping with kind, cpm, daily_budget, effect, ...")]
    network: NetworkSpec
    market: MarketSpec
    service: ServiceSpec
    outputs: OutputSpec = dataclasses.field(default_factory=OutputSpec)
    competition: CompetitionSpec = dataclasses.field(default_factory=CompetitionSpec)  # none: one brand
    scenario_params: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def channel_names(self) -> tuple[str, ...]:
        """Channel names in the order of the model's channel arrays."""
        return tuple(channel.name for channel in self.channels)

    @classmethod
    def yaml_keys(cls) -> tuple[str, ...]:
        """The sections of a resolved config."""
        return ROOT_KEYS

    @classmethod
    def from_yaml(cls, data: dict) -> dict:
        """The fields from the YAML sections (the scenario mapping split, no Hydra settings)."""
        scenario = data.get("scenario") or {}
        if not isinstance(scenario, Mapping):
            raise Rule(scenario, "a mapping with at least name and kind", ("scenario",))
        kind = at(Choice(SCENARIO_KINDS).check, scenario.get("kind", "journey"), "scenario", "kind")
        if kind == "bass":
            for key in scenario:
                if key not in BASS_SCENARIO_KEYS:
                    raise unknown_key(("scenario", key), scenario[key], BASS_SCENARIO_KEYS)
        service = data.get("service")
        return {
            "seed": data.get("seed"), "days": data.get("days"),
            "scenario": str(scenario.get("name", "custom")), "kind": kind,
            "population": data.get("population"), "channels": data.get("channels"),
            "network": data.get("network"), "market": data.get("market"),
            "service": DISABLED if service is None or service == {} else service,
            "outputs": data.get("outputs") or {},
            "competition": data.get("competition") or {},
            "scenario_params": {k: v for k, v in scenario.items() if k not in ("name", "kind")},
        }

    @model_validator(mode="after")
    def _sections_agree(self) -> RunSpec:
        names = self.channel_names
        for persona in self.population.personas:
            for channel in persona.affinity:
                if channel not in names:
                    section = f"population.personas.{persona.name}.affinity"
                    raise UnknownKeyError(f"{section}.{channel}", persona.affinity[channel], names, section)
        check_network_size(self.network, self.population.size)
        self._brands_agree(names)
        return self

    def _brands_agree(self, names: tuple[str, ...]) -> None:
        """Competitors buy media of our catalogue, never take our brand's name, fit the brand mask."""
        brands = self.competition.brands
        if len(brands) >= MAX_BRANDS:
            raise Rule(f"{len(brands)} brands", f"at most {MAX_BRANDS - 1} competitors", ("competition", "brands"))
        for brand in brands:
            if brand.name == OUR_BRAND:
                raise Rule(brand.name, f"a competitor's name other than '{OUR_BRAND}' (our brand)",
                           ("competition", "brands"))
            for channel in brand.media:
                if channel not in names:
                    section = f"competition.brands.{brand.name}.media"
                    raise UnknownKeyError(f"{section}.{channel}", brand.media[channel], names, section)


def load_run(cfg: Mapping) -> RunSpec:
    """Validate a whole resolved config (plain containers) as a :class:`RunSpec`.

    Raises
    ------
    ConfigError
        For the first bad value: its full key, the value and what is allowed.
    """
    return load(RunSpec, cfg, "")
