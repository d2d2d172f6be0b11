"""The ``competition`` section (Hydra group ``conf/competition``): the brands we compete with.

``competition=none`` (the default) is a one-brand market: the alternative to buying from us is
the outside option of :mod:`journeysim.sim.pricing`. Each entry of ``competition.brands`` is a
competitor with a price, a quality, a service level, a media plan over our channel catalogue and
optional levers of its own (see :mod:`journeysim.sim.competition`). Existing keys keep meaning
*our* brand: ``market.price``, ``channels.<name>.daily_budget``, ``service.*``, every lever.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

from journeysim.sim.schema.fields import PROBABILITY, Named, Number, NumberMap, SpecBase, Text, default_when_null, spec

OUR_BRAND = "ours"
"""Name of our brand in the competition's tables (brand 0); no competitor may take it."""

MAX_BRANDS = 8
"""Brands a market may hold, ours included (one bit each in a uint8 mask per customer)."""


@spec
class PriceChangeSpec(SpecBase):
    """A competitor's price change: ``change`` (share, -0.2 is a 20% cut) from ``from_day`` on."""

    change: Annotated[float, Number(low=-0.99, high=10.0)]  # share of the brand's price
    from_day: Annotated[int, Number(low=0, integer=True)] = 0  # day of the run (0-based)


@spec
class ProgrammeSpec(SpecBase):
    """A competitor's loyalty programme: its buyers with ``min_orders`` orders in a row are members,
    and membership adds ``bonus`` to the brand's utility for them."""

    min_orders: Annotated[int, Number(low=1, integer=True)] = 2  # orders in a row of the brand
    bonus: Annotated[float, Number(low=0.0, high=10.0)] = 1.0  # utility units


@spec
class BrandLeversSpec(SpecBase):
    """A competitor's own levers (each optional)."""

    price_change: PriceChangeSpec | None = None
    loyalty_programme: ProgrammeSpec | None = None

    @classmethod
    def from_yaml(cls, data: dict) -> dict:
        """A null lever is no lever."""
        return {key: value for key, value in data.items() if value is not None}


@spec
class BrandSpec(SpecBase):
    """One competitor.

    Attributes
    ----------
    price : float
        List price, currency per standard order.
    quality : float
        Mean perceived quality, 0..1 (ours: ``market.quality``).
    service_level : float
        Share of orders served without a failure, 0..1; failures lower the buyer's satisfaction.
    media : dict
        Daily budget by channel of our catalogue, currency per day at ``population.reference_size``
        (bought at the channel's ``cpm``).
    launch_day : int
        Day the brand enters the market (before it, no media, no sales).
    initial_consideration : float
        Share of the people in the market who consider (and know) the brand on day 0: an
        established brand (0: a brand everyone discovers during the run).
    levers : BrandLeversSpec
        Its own levers.
    """

    name: Annotated[str, Text()]
    price: Annotated[float, Number(positive=True)]  # currency per order
    quality: Annotated[float, PROBABILITY]
    service_level: Annotated[float, PROBABILITY] = 0.9
    media: Annotated[dict[str, float], NumberMap(Number(low=0.0))] = dataclasses.field(default_factory=dict)
    launch_day: Annotated[int, Number(low=0, integer=True)] = 0
    initial_consideration: Annotated[float, PROBABILITY] = 0.0  # share considering it on day 0
    levers: BrandLeversSpec = dataclasses.field(default_factory=BrandLeversSpec)

    @classmethod
    def from_yaml(cls, data: dict) -> dict:
        """Null ``levers`` or ``media`` mean none."""
        if data.get("media", ...) is None:
            data["media"] = {}
        return default_when_null(data, "levers", "a mapping of lever names to their parameters")


@spec
class ChoiceSpec(SpecBase):
    """Weights of the multinomial-logit brand choice (utility units; see :mod:`journeysim.sim.competition`)."""

    price: Annotated[float, Number(low=0.0)] = 0.5  # multiplier of each customer's price sensitivity
    quality: Annotated[float, Number(low=0.0)] = 3.0  # per unit of quality
    reviews: Annotated[float, Number(low=0.0)] = 0.3  # per review star
    satisfaction: Annotated[float, Number(low=0.0)] = 1.0  # per unit of satisfaction with the brand
    inertia: Annotated[float, Number(low=0.0)] = 3.0  # at full loyalty to the last brand bought
    loyalty_memory: Annotated[float, Number(low=0.0, high=0.99)] = 0.5  # share of loyalty kept per order
    programme: Annotated[float, Number(low=0.0, high=10.0)] = 1.0  # our loyalty-programme members' bonus


@spec
class ConsiderationSpec(SpecBase):
    """How competitors enter and leave consideration sets, and their purchase occasions."""

    per_exposure: Annotated[float, PROBABILITY] = 0.1  # probability an exposure adds the brand
    forget_rate: Annotated[float, PROBABILITY] = 0.005  # per day, a brand leaves the set
    trial_rate: Annotated[float, PROBABILITY] = 0.001  # per day, category occasions of non-buyers
    talk_rate: Annotated[float, PROBABILITY] = 0.01  # per day, conversations of a brand's buyers
    talk_consideration: Annotated[float, PROBABILITY] = 0.3  # probability a good word adds the brand
    lapse_to_rival: Annotated[float, PROBABILITY] = 0.5  # probability a lapser considers a rival they know


@spec
class CompetitionSpec(SpecBase):
    """``competition``: the competitors and how customers choose among brands."""

    brands: Annotated[tuple[BrandSpec, ...], Named(BrandSpec, "a mapping with price, quality, media, ...")] = ()
    choice: ChoiceSpec = dataclasses.field(default_factory=ChoiceSpec)
    consideration: ConsiderationSpec = dataclasses.field(default_factory=ConsiderationSpec)
    panel_start: Annotated[int, Number(low=0, integer=True)] = 0  # day the purchase panel starts

    @classmethod
    def from_yaml(cls, data: dict) -> dict:
        """Null ``brands`` means none; null sub-sections their defaults."""
        if data.get("brands", ...) is None:
            data["brands"] = {}
        for key in ("choice", "consideration"):
            data = default_when_null(data, key, "a mapping of keys to values")
        return data

    @property
    def active(self) -> bool:
        """Whether the market has competitors."""
        return bool(self.brands)

    @property
    def brand_names(self) -> tuple[str, ...]:
        """Our brand, then the competitors in YAML order."""
        return (OUR_BRAND, *(brand.name for brand in self.brands))
