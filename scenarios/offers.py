"""Offer levers: price promotions over dates, a checkout friction fix and responsive design."""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeysim.scenarios.base import Lever, Params, book_cost, register

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel


@register("promotion")
class Promotion(Lever):
    """A price discount on a date range (a deal): price-sensitive prospects buy and customers
    reorder sooner, each order earns less (the price rule, ``sim/pricing.py``).

    YAML::

        type: promotion
        discount: 0.2     # share off the list price, 0..1
        from_day: 90      # first day of the sale
        to_day: 117       # last day (inclusive); the configured discount returns the day after

    Parameters
    ----------
    discount : float
        Share off the list price during the promotion.
    start, stop : int
        First and last day of the promotion (inclusive).
    """

    keys = ("discount", "from_day", "to_day")

    def __init__(self, discount: float, start: int, stop: int) -> None:
        self.discount, self.start, self.stop = discount, start, stop

    @classmethod
    def from_params(cls, params: Params) -> Promotion:
        """Build the lever from its validated YAML parameters."""
        start, stop = params.window()
        return cls(params.number("discount", low=0.0, high=0.95), start, stop)

    def before_day(self, model: JourneyModel, day: int) -> None:
        """Start the discount on the first day and end it after the last."""
        if day == self.start:
            model.controls.set_discount(self.discount)
        elif day == self.stop + 1:
            model.controls.set_discount(model.spec.market.discount)


@register("checkout_fix")
class CheckoutFix(Lever):
    """A checkout redesign: lower abandonment from a given day, at a one-off cost.

    YAML::

        type: checkout_fix
        friction: 0.10    # probability a checkout attempt is abandoned after the fix
        from_day: 0       # day the fix goes live
        cost: 20000       # one-off cost, currency at population.reference_size (scaled like budgets)

    Parameters
    ----------
    friction : float
        Abandonment probability after the fix.
    day : int
        Day the fix goes live.
    cost : float
        One-off cost at reference size, currency.
    """

    keys = ("friction", "from_day", "cost")

    def __init__(self, friction: float, day: int, cost: float) -> None:
        self.friction, self.day, self.cost = friction, day, cost

    @classmethod
    def from_params(cls, params: Params) -> CheckoutFix:
        """Build the lever from its validated YAML parameters."""
        return cls(params.probability("friction"), int(params.number("from_day", low=0, integer=True, default=0)),
                   params.number("cost", low=0.0, default=0.0))

    def before_day(self, model: JourneyModel, day: int) -> None:
        """Put the fix live on its day and book its cost."""
        if day == self.day:
            model.controls.set_checkout_friction(self.friction)
            book_cost(model, day, self.cost * model.spec.population.scale)


@register("responsive_design")
class ResponsiveDesign(Lever):
    """Responsive design: checkout on small screens works nearly as well as on desktop from a
    given day, at a one-off cost (the device gap of ``market.devices.conversion`` narrows).

    YAML::

        type: responsive_design
        closing: 0.5      # share of each device's gap in checkout success to the best device closed, 0..1
        from_day: 0       # day the new design goes live
        cost: 20000       # one-off cost, currency at population.reference_size (scaled like budgets)

    Parameters
    ----------
    closing : float
        Share of each device's gap to the best device closed (0..1).
    day : int
        Day the design goes live.
    cost : float
        One-off cost at reference size, currency.
    """

    keys = ("closing", "from_day", "cost")

    def __init__(self, closing: float, day: int, cost: float) -> None:
        self.closing, self.day, self.cost = closing, day, cost

    @classmethod
    def from_params(cls, params: Params) -> ResponsiveDesign:
        """Build the lever from its validated YAML parameters."""
        return cls(params.probability("closing"), int(params.number("from_day", low=0, integer=True, default=0)),
                   params.number("cost", low=0.0, default=0.0))

    def before_day(self, model: JourneyModel, day: int) -> None:
        """Put the design live on its day and book its cost."""
        if day == self.day:
            model.controls.set_responsive_design(self.closing)
            book_cost(model, day, self.cost * model.spec.population.scale)
