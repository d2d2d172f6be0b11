"""Pricing levers: a list-price change from a given day, for everyone or by persona.

The price reaches every purchase and repurchase decision through the one price rule
(:mod:`journeysim.sim.pricing`): the offered price against each customer's reference price,
scaled by their price sensitivity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeysim.scenarios.base import Lever, Params, register
from journeysim.sim.errors import ConfigError

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel


@register("price_change")
class PriceChange(Lever):
    """A new list price from a given day (a regular price change, not a temporary deal).

    YAML::

        type: price_change
        change: 0.10          # +10% on market.price (or give price: 66.0, currency per order)
        from_day: 180         # first day at the new price (default 0)
        personas: [researcher]  # optional: only these personas (segment pricing); default everyone

    Parameters
    ----------
    price : float
        New list price, currency per order.
    day : int
        First day at the new price.
    personas : tuple of str
        Personas the price applies to (empty: everyone).
    """

    keys = ("change", "price", "from_day", "personas")

    def __init__(self, price: float, day: int, personas: tuple[str, ...] = ()) -> None:
        self.price, self.day, self.personas = price, day, personas

    @classmethod
    def from_params(cls, params: Params) -> PriceChange:
        """Build the lever from its validated YAML parameters (exactly one of change and price)."""
        if params.has("change") == params.has("price"):
            raise ConfigError(params.key("change"), params.values.get("change"),
                              "exactly one of change (a share, e.g. 0.1 for +10%) and price (currency per order)")
        if params.has("price"):
            price = params.number("price", low=0.0)
        else:
            price = params.spec.market.price * (1.0 + params.number("change", low=-1.0))
        day = int(params.number("from_day", low=0, integer=True, default=0))
        return cls(price, day, params.personas("personas"))

    def before_day(self, model: JourneyModel, day: int) -> None:
        """Put the new price live on its day."""
        if day != self.day:
            return
        for scope in self.personas or (None,):
            model.controls.set_list_price(self.price, scope=scope)
