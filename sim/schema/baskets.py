"""The ``market.baskets`` section: order values (:mod:`journeysim.sim.baskets`)."""

from __future__ import annotations

from typing import Annotated

from journeysim.sim.schema.fields import Number, SpecBase, spec


@spec
class BasketSpec(SpecBase):
    """``market.baskets``: basket size per order, in multiples of a standard order (``market.price``);
    each persona's mean is its ``basket_size``.

    Attributes
    ----------
    spread : float
        Standard deviation of the log basket size per order (lognormal with mean 1; 0: none).
    satisfaction_upsell : float
        Share the basket grows at satisfaction 1 (linear in satisfaction above 0).
    tenure_upsell : float
        Share the basket grows per previous order, up to ``tenure_cap`` orders.
    tenure_cap : int
        Previous orders beyond which tenure adds nothing.
    """

    spread: Annotated[float, Number(low=0.0, high=3.0)] = 0.0
    satisfaction_upsell: Annotated[float, Number(low=0.0)] = 0.0
    tenure_upsell: Annotated[float, Number(low=0.0)] = 0.0
    tenure_cap: Annotated[int, Number(low=0, integer=True)] = 10
