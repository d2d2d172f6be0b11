"""The ``market.pricing`` section: how price enters every purchase decision (:mod:`journeysim.sim.pricing`)."""

from __future__ import annotations

from typing import Annotated

from journeysim.sim.schema.fields import PROBABILITY, Number, SpecBase, spec

DEAL_TO_REGULAR = 3.63 / 2.62
"""Deal (temporary price cut) elasticity over regular-price elasticity: -3.63 / -2.62 (Bijmolt et
al. 2005 via van Heerde and Neslin 2008; EVIDENCE §1 and §3, status C)."""


@spec
class PricingSpec(SpecBase):
    """``market.pricing``: the price rule's parameters (see :mod:`journeysim.sim.pricing`).

    Attributes
    ----------
    reference_price : float or None
        The outside option's price customers compare with, currency per order (None: the list
        price ``market.price``).
    scale : float
        Multiplier of the persona trait ``price_sensitivity`` (the exponent ``beta``).
    deal_ratio : float
        Deal elasticity over regular-price elasticity (``delta``).
    memory : float
        Weight of the prices a customer has paid in their reference price, 0..1.
    adaptation : float
        Share by which the price memory moves towards each price paid, 0..1.
    loyal_sensitivity : float
        Price sensitivity of loyal customers and advocates relative to others (>= 0).
    premium : float
        Premium over reference (a share) that a delighted customer (satisfaction 1) accepts.
    """

    reference_price: Annotated[float | None, Number(positive=True, optional=True)] = None  # currency per order
    scale: Annotated[float, Number(low=0.0)] = 1.0
    deal_ratio: Annotated[float, Number(low=0.0)] = DEAL_TO_REGULAR
    memory: Annotated[float, PROBABILITY] = 0.5
    adaptation: Annotated[float, PROBABILITY] = 0.3
    loyal_sensitivity: Annotated[float, Number(low=0.0)] = 0.5
    premium: Annotated[float, Number(low=0.0, high=0.99)] = 0.2
