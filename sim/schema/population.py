"""The ``population`` section (Hydra group ``conf/population``): size and personas."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from pydantic import model_validator

from journeysim.sim.schema.accounts import BuyingRuleSpec, CommitteeSpec
from journeysim.sim.schema.devices import DEVICES, device_shares
from journeysim.sim.schema.fields import (
    PROBABILITY,
    FieldRule,
    Named,
    Number,
    NumberMap,
    Rule,
    SpecBase,
    Text,
    at,
    spec,
)
from journeysim.sim.schema.places import PLACES, place_shares

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

TRAIT_RULES = {trait: Number(low=0.0, high=1.0 if trait in UNIT_TRAITS else None) for trait in TRAITS}
"""The rule of each trait's mean: at least 0, and at most 1 for a share."""

MIN_HETEROGENEITY = 1e-6
"""Smallest non-zero coefficient of variation of traits (gamma shape 1 / cv^2 stays finite)."""


class Traits(FieldRule):
    """Every trait of :data:`TRAITS` with its mean (see :data:`TRAIT_RULES`)."""

    what = "a mapping of trait names to means"

    def check(self, value: Any) -> dict[str, float]:
        """The trait means, in the order of :data:`TRAITS`."""
        if not isinstance(value, dict):
            raise Rule(value, self.what)
        return {trait: at(TRAIT_RULES[trait].check, value.get(trait), trait) for trait in TRAITS}


class Heterogeneity(Number):
    """Coefficient of variation of traits: 0 (identical customers) or from 1e-6 to 3."""

    def check(self, value: Any) -> float | None:
        """The coefficient of variation (None when optional and null)."""
        value = super().check(value)
        if value is not None and 0 < value < MIN_HETEROGENEITY:  # the gamma shape 1 / cv^2 would overflow
            raise Rule(value, f"0 (identical customers) or a number from {MIN_HETEROGENEITY:g} to {self.high}")
        return value


@spec
class PersonaSpec(SpecBase):
    """One named customer segment: its share, channel affinities and mean traits.

    In YAML the traits sit beside ``share`` and ``affinity`` (``innovativeness: 0.03``).
    """

    name: Annotated[str, Text()]
    share: Annotated[float, PROBABILITY]
    affinity: Annotated[dict[str, float], NumberMap(Number(low=0.0))] = dataclasses.field(default_factory=dict)
    traits: Annotated[dict[str, float], Traits()] = dataclasses.field(default_factory=dict)
    basket_size: Annotated[float, Number(positive=True)] = 1.0
    """Mean basket of the persona's orders, in standard orders (``market.price``; see ``sim/baskets.py``)."""
    need_recognition: Annotated[float, Number(low=0.0)] = 1.0
    """Multiplier of ``market.demand.need_rate`` for the persona's prospects (see ``sim/demand.py``)."""
    devices: Annotated[dict[str, float], NumberMap(Number(low=0.0), keys=DEVICES)] = dataclasses.field(
        default_factory=dict)
    """Share of the persona's sessions per device (rescaled to sum to 1; empty: ``market.devices.shares``)."""
    places: Annotated[dict[str, float], NumberMap(Number(low=0.0), keys=PLACES)] = dataclasses.field(
        default_factory=dict)
    """Share of the persona's checkout attempts per place (rescaled; empty: ``market.places.shares``)."""
    committee: CommitteeSpec | None = None
    """B2B: the persona's people buy as accounts of several decision makers (``sim/accounts.py``);
    None: each person decides alone (B2C)."""

    @classmethod
    def yaml_keys(cls) -> tuple[str, ...]:
        """``share``, ``affinity``, ``basket_size``, ``need_recognition``, ``devices``, ``places``,
        ``committee`` and the traits."""
        return ("share", "affinity", "basket_size", "need_recognition", "devices", "places", "committee", *TRAITS)

    @classmethod
    def from_yaml(cls, data: dict) -> dict:
        """Gather the traits under ``traits``."""
        traits = {trait: at(TRAIT_RULES[trait].check, data.pop(trait, None), trait) for trait in TRAITS}
        return {**data, "traits": traits}

    @model_validator(mode="after")
    def _device_shares(self) -> PersonaSpec:
        if self.devices:
            object.__setattr__(self, "devices", device_shares(self.devices, "devices"))
        if self.places:
            object.__setattr__(self, "places", place_shares(self.places, "places"))
        return self


@spec
class PopulationSpec(SpecBase):
    """The synthetic population: size, budget reference size and personas."""

    size: Annotated[int, Number(low=1, integer=True)]
    reference_size: Annotated[int | None, Number(low=1, integer=True, optional=True)] = None
    """Population the stated budgets and capacities refer to (default: ``size``)."""
    heterogeneity: Annotated[float, Heterogeneity(low=0.0, high=3.0)] = 0.3
    repurchase_heterogeneity: Annotated[float | None, Heterogeneity(low=0.0, high=3.0, optional=True)] = None
    """Coefficient of variation of the repurchase rate within a persona (gamma draws; the NBD's
    shape k is ``1 / cv^2``); None: ``heterogeneity``."""
    personas: Annotated[tuple[PersonaSpec, ...], Named(
        PersonaSpec, "a mapping with share, affinity and traits", "at least one persona")] = ()
    buying_rule: BuyingRuleSpec = dataclasses.field(default_factory=BuyingRuleSpec)
    """When an account of a persona with a ``committee`` buys (``sim/accounts.py``)."""

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> PopulationSpec:
        if self.reference_size is None:
            object.__setattr__(self, "reference_size", self.size)
        total = sum(p.share for p in self.personas)
        if abs(total - 1.0) > 1e-6:
            shares = {p.name: p.share for p in self.personas}
            raise Rule(shares, f"shares summing to 1 (they sum to {total:.6g})", ("personas.*.share",))
        return self

    @property
    def has_accounts(self) -> bool:
        """Whether any persona buys as accounts (has a ``committee``)."""
        return any(p.committee is not None for p in self.personas)

    @property
    def scale(self) -> float:
        """Factor from stated budgets and capacities to this population's size."""
        return self.size / self.reference_size
