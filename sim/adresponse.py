"""Response of a channel's effect to its spend: carry-over (adstock) and saturation (Hill).

Media-mix models write a channel's contribution as ``beta * Hill(adstock(x)_t)`` (Jin et al.
2017; Google Meridian: EVIDENCE §12). Here the spend ``x_t`` (currency per day at reference size)
is carried over geometrically,

    A_t = alpha * A_{t-1} + (1 - alpha) * x_t,   alpha = 0.5 ** (1 / half_life)

(so a steady spend ``x`` has ``A = x``, and a pulse's adstock halves every ``half_life`` days;
the first day's spend is taken as the spend of the days before the run, so an always-on plan
starts at its steady state instead of building up from nothing over the first half-lives),
and the channel's attended exposures today follow the MMM curve ``ec * Hill(A_t)``: of the
exposures today's spend buys (proportional to ``x_t``), the share

    m_t = min(1, ec * Hill(A_t) / x_t),   Hill(A) = z**s / (1 + z**s),   z = A / ec,

are attended (``ec`` the half-saturation spend, ``s`` the slope); the others reach people
without effect (the marginal budget buys worse placements and repeats: the cost of an attended
contact rises with spend; they still count in impressions and reach). Each attended exposure
keeps its configured effect, so a channel's sales response follows its Hill curve as far as the
journey's response to attended exposures is linear (a paired test:
``tests/test_demand.py``). At a steady spend ``x`` the share is ``Hill(x) / (x / ec)``: 1 far
below ``ec`` (``s = 1``), 1/2 at ``ec``; the elasticity of attended exposures to a steady spend is
``1 - Hill(x)`` (``s = 1``). After a rise in spend the adstock, and so the response, builds up
over the half-life (carry-over: the long-term response exceeds the short-term one); no channel
attends more exposures than it buys (the cap at 1).

Scaling each exposure's effect by ``m_t`` instead (before 2026-12-05) made the response far
flatter than its Hill curve: small kicks to many customers decay before they cross a funnel level,
so at the default budget search's sales response rose 6% from 1x to 1.5x its budget where its
Hill curve rises 20%, and social's not at all.
"""

from __future__ import annotations

import math

from journeysim.sim.schema.channels import ResponseSpec


class SpendResponse:
    """Attended share of one channel's bought exposures from its spend history (``linear``: always 1).

    Parameters
    ----------
    spec : ResponseSpec
        Shape, half-saturation spend, slope and half-life.
    """

    def __init__(self, spec: ResponseSpec) -> None:
        self.spec = spec
        self.alpha = 0.5 ** (1.0 / spec.half_life) if spec.half_life > 0 else 0.0
        self.adstock: float | None = None  # currency per day at reference size (None: before the first day)
        self.spend = 0.0  # today's spend, currency per day at reference size

    def update(self, spend: float) -> None:
        """Carry yesterday's adstock over and add today's ``spend`` (currency/day at reference size);
        on the first day the adstock is that spend (the plan ran before the run began)."""
        self.spend = float(spend)
        if self.adstock is None:
            self.adstock = self.spend
        else:
            self.adstock = self.alpha * self.adstock + (1.0 - self.alpha) * self.spend

    def attended_share(self) -> float:
        """Share of today's bought exposures that are attended, 0..1."""
        return 1.0


class HillResponse(SpendResponse):
    """``m = min(1, ec * Hill(A) / x)``: the Hill curve of adstocked spend sets today's attended exposures."""

    def attended_share(self) -> float:
        """Share of today's bought exposures that are attended, 0..1."""
        ec = self.spec.half_saturation
        if ec is None or self.spend <= 0.0:
            return 1.0
        return min(1.0, ec * self.hill() / self.spend)

    def hill(self) -> float:
        """``Hill(A)``: today's response as a share of the channel's maximum, 0..1."""
        ec = self.spec.half_saturation
        if ec is None or not self.adstock:
            return 0.0
        z = math.pow(self.adstock / ec, self.spec.slope)
        return z / (1.0 + z)


RESPONSES: dict[str, type[SpendResponse]] = {"hill": HillResponse, "linear": SpendResponse}
"""Response shapes by the name used in YAML (``channels.<name>.response.shape``)."""


def make_response(spec: ResponseSpec) -> SpendResponse:
    """Instantiate the response shape named in ``spec``."""
    return RESPONSES[spec.shape](spec)
