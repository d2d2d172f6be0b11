"""The ``market`` section (price, quality, funnel thresholds, checkout) and the ``outputs`` section."""

from __future__ import annotations

import dataclasses
import re
from typing import Annotated

from journeysim.sim.schema.baskets import BasketSpec
from journeysim.sim.schema.demand import DemandSpec
from journeysim.sim.schema.devices import DeviceSpec
from journeysim.sim.schema.fields import PROBABILITY, Choice, Flag, Number, NumberMap, SpecBase, Text, spec
from journeysim.sim.schema.places import PlaceSpec
from journeysim.sim.schema.pricing import PricingSpec
from journeysim.sim.state import FUNNEL_STEPS

CURRENCY_CODE = "[A-Z]{3}"
"""What a currency code must be (an ISO 4217 code is three capital letters)."""


@spec
class CurrencySpec(SpecBase):
    """The currency every amount of a run is in (prices, budgets, revenue): labels only, no conversion.

    In YAML either a mapping ``{code: EUR, symbol: €}`` or just the code (``currency: EUR``; the
    symbol of a common code is filled in by the faces, any other code is written before amounts).
    """

    # ISO 4217 code: labels column headers and axes, e.g. spend (USD)
    code: Annotated[str, Text(pattern=CURRENCY_CODE, shape="a three-letter ISO 4217 code, e.g. EUR")] = "USD"
    symbol: Annotated[str | None, Text(optional=True)] = "$"  # written before amounts, e.g. $1,235

    @classmethod
    def from_yaml(cls, data: dict) -> dict:
        """Codes in capitals (a code that is no three letters is left as given, for its error); a code
        without a symbol gets none (the faces choose one)."""
        if "code" in data and isinstance(data["code"], str):
            code = data["code"].strip().upper()
            if re.fullmatch(CURRENCY_CODE, code):
                data["code"] = code
            data.setdefault("symbol", None)
        return data


@spec
class MarketSpec(SpecBase):
    """Price, quality, funnel thresholds and checkout of the product being sold."""

    price: Annotated[float, Number(low=0.0)]  # currency per order
    unit_cost: Annotated[float, Number(low=0.0)]  # currency per order
    quality: Annotated[float, PROBABILITY]
    quality_noise: Annotated[float, Number(low=0.0)]
    thresholds: Annotated[dict[str, float], NumberMap(Number(low=0.0), keys=FUNNEL_STEPS, complete=True)]
    fallback: Annotated[float, PROBABILITY]
    checkout_friction: Annotated[float, PROBABILITY]
    discount: Annotated[float, PROBABILITY] = 0.0
    review_weight: Annotated[float, Number(low=0.0)] = 0.0
    loyal_after: Annotated[int, Number(low=1, integer=True)]  # orders
    advocate_satisfaction: Annotated[float, Number(low=-1.0, high=1.0)]
    winback: Annotated[float, Number(low=0.0, infinite=True)]  # .inf: lapsed customers never come back
    survey_noise: Annotated[float, Number(low=0.0)] = 1.0
    pricing: PricingSpec = dataclasses.field(default_factory=PricingSpec)  # the price rule (sim/pricing.py)
    baskets: BasketSpec = dataclasses.field(default_factory=BasketSpec)  # order values (sim/baskets.py)
    currency: CurrencySpec = dataclasses.field(default_factory=CurrencySpec)
    demand: DemandSpec = dataclasses.field(default_factory=DemandSpec)  # organic demand, seasons (sim/demand.py)
    devices: DeviceSpec = dataclasses.field(default_factory=DeviceSpec)  # devices per session (sim/devices.py)
    places: PlaceSpec = dataclasses.field(default_factory=PlaceSpec)  # web shop, app, store (sim/places.py)

    @classmethod
    def from_yaml(cls, data: dict) -> dict:
        """``currency: EUR`` is short for ``currency: {code: EUR}``."""
        if isinstance(data.get("currency"), str):
            data["currency"] = {"code": data["currency"]}
        return data


TABLE_FORMATS = ("csv", "parquet")
"""File formats of a run's tables: CSV (the default) or Parquet (pyarrow; compressed, typed)."""

MESA_AGENT_MODES = ("auto", "eager", "lazy")
"""When the Mesa ``Customer`` agents are created: up to a size (auto), up front, or on access."""


@spec
class OutputSpec(SpecBase):
    """What a run writes."""

    figures: Annotated[bool, Flag()] = True
    tables: Annotated[bool, Flag()] = True
    format: Annotated[str, Choice(TABLE_FORMATS)] = "csv"
    event_log_sample: Annotated[int, Number(low=0, integer=True)] = 5000  # customers
    progress: Annotated[bool, Flag()] = True
    mesa_agents: Annotated[str, Choice(MESA_AGENT_MODES)] = "auto"
