"""KPIs of a run, as module-level functions of the model (shared by CLI, API, app and tests).

Units: counts of customers or orders; currency for revenue, margin and spend; NPS in
points (-100..100); rates as shares of the population or of customers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from journeysim.sim.stages import CONVERSION_FUNNEL, POST_PURCHASE, STAGE_NAMES, Stage

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel

FUNNEL_STAGES = CONVERSION_FUNNEL.stages

MIN_NPS_RESPONDENTS = 30
"""Fewest survey respondents for an NPS worth showing: below, its standard error exceeds about
18 points (a score of +100 from 17 buyers says nothing)."""

MONEY_KPIS = ("revenue", "margin", "spend", "profit", "support_cost", "cac", "roas", "average_order_value",
              "customer_lifetime_value")
"""KPIs in (or per unit of) the run's currency: meaningful only where media and prices cost real money."""

NOMINAL_MEDIA = "a Bass market's media and price are nominal, so money means nothing here"
"""Why a Bass run shows no money KPI."""


def stage_counts(model: JourneyModel) -> dict[str, int]:
    """Customers in each stage now."""
    counts = model.collector.stage_counts[model.day]
    return {name: int(counts[k]) for k, name in enumerate(STAGE_NAMES)}


def total(model: JourneyModel, name: str) -> float:
    """Sum of a daily KPI over the days run so far."""
    return float(model.collector.daily[name][: model.day].sum())


def acquisitions(model: JourneyModel) -> int:
    """New customers: first orders."""
    return int(total(model, "acquisitions"))


def spend(model: JourneyModel) -> float:
    """Media spend plus programme costs, currency."""
    return float(model.collector.spend[: model.day].sum()) + total(model, "programme_cost")


def revenue(model: JourneyModel) -> float:
    """Revenue net of refunds, currency."""
    return total(model, "revenue")


def cac(model: JourneyModel) -> float:
    """Customer acquisition cost: spend / new customers (NaN without acquisitions)."""
    new = acquisitions(model)
    return spend(model) / new if new else float("nan")


def profit(model: JourneyModel) -> float:
    """Margin less spend (media and programmes) and support cost, currency."""
    return total(model, "margin") - spend(model) - total(model, "support_cost")


def roas(model: JourneyModel) -> float:
    """Return on ad spend: revenue / spend (NaN without spend)."""
    cost = spend(model)
    return revenue(model) / cost if cost else float("nan")


def nps(model: JourneyModel) -> float:
    """Net promoter score of everyone who has bought, from simulated survey answers."""
    return model.rates.nps()


def churn_rate(model: JourneyModel) -> float:
    """Lapses per customer-year: lapses / (mean active customers x years); customers who switched
    to a competitor are not lapses (they are counted in ``switched``)."""
    counts = model.collector.stage_counts[: model.day + 1]
    active = POST_PURCHASE.count(counts).mean()
    years = model.day / 365.0
    return total(model, "churned") / (active * years) if active and years else float("nan")


def funnel(model: JourneyModel) -> dict[str, int]:
    """Customers who have ever reached each funnel stage (aware .. customer)."""
    reached = model.state.reached[: model.state.entered]
    return {Stage(s).label: int(np.count_nonzero(reached & np.uint8(1 << s))) for s in FUNNEL_STAGES}


def funnel_conversion(model: JourneyModel) -> dict[str, float]:
    """Step conversion of the funnel: share of those reaching a stage who reached the next."""
    counts = list(funnel(model).values())
    names = [Stage(s).label for s in FUNNEL_STAGES]
    return {f"{a}_to_{b}": (nb / na if na else float("nan"))
            for a, b, na, nb in zip(names, names[1:], counts, counts[1:], strict=False)}


def conversion_rate(model: JourneyModel) -> float:
    """Share of the people who have been in the market (at the start or since) who have bought at least once."""
    return float(np.count_nonzero(model.state.purchases)) / model.state.entered  # everyone who has been in the market


def acquisitions_by_source(model: JourneyModel) -> dict[str, int]:
    """New customers by their last touch: a channel, word of mouth, or direct (none)."""
    totals = model.collector.acquisitions_by_source[: model.day].sum(axis=0)
    names = (*model.spec.channel_names, "word_of_mouth", "direct")
    return {name: int(v) for name, v in zip(names, totals, strict=True)}


def word_of_mouth_share(model: JourneyModel) -> float:
    """Share of acquisitions whose last touch was a conversation."""
    sources = acquisitions_by_source(model)
    new = sum(sources.values())
    return sources["word_of_mouth"] / new if new else float("nan")


def cart_abandonment_rate(model: JourneyModel) -> float:
    """Carts abandoned among carts created, counted as Baymard counts it (EVIDENCE §4): browsers
    who fall back from deciding, checkout abandoners and completed orders all count as carts;
    carts still open at the end of the run (customers deciding) are left out (NaN without carts)."""
    from journeysim.sim.purchase import cart_abandonment

    open_carts = float(model.collector.stage_counts[model.day, Stage.DECIDING])
    return cart_abandonment(total(model, "carts"), total(model, "orders"), open_carts)


def checkout_abandonment_rate(model: JourneyModel) -> float:
    """Abandoned checkout attempts among checkout attempts (``market.checkout_friction`` at work;
    NaN without attempts)."""
    attempts = total(model, "checkout_attempts")
    return total(model, "abandoned") / attempts if attempts else float("nan")


def average_order_value(model: JourneyModel) -> float:
    """Revenue per order before refunds: the mean basket value (currency; NaN without orders)."""
    orders = total(model, "orders")
    return (revenue(model) + total(model, "refunds")) / orders if orders else float("nan")


def customer_lifetime_value(model: JourneyModel) -> float:
    """Realised margin per acquired customer so far (currency; :mod:`~journeysim.sim.lifetime`)."""
    return model.lifetime.per_customer()


def not_applicable(model: JourneyModel) -> dict[str, str]:
    """KPIs that mean nothing in this run, each with the reason (shown as "n/a (reason)").

    Money KPIs need real media costs and prices (not a Bass market's nominal media); NPS needs
    at least :data:`MIN_NPS_RESPONDENTS` respondents; CAC needs acquisitions, ROAS spend.
    """
    reasons: dict[str, str] = {}
    if model.spec.kind == "bass":
        reasons.update(dict.fromkeys(MONEY_KPIS, NOMINAL_MEDIA))
    else:
        if not acquisitions(model):
            reasons["cac"] = "no acquisitions to divide the spend by"
        if not spend(model):
            reasons["roas"] = "no spend to divide the revenue by"
    respondents = model.rates.respondents
    if respondents < MIN_NPS_RESPONDENTS:
        reasons["nps"] = f"{respondents:,} survey respondents; at least {MIN_NPS_RESPONDENTS} needed"
    return reasons


def summary(model: JourneyModel) -> dict[str, float | int | dict]:
    """Headline KPIs of the run (the KPI table and ``summary.json``).

    A KPI that means nothing in the run (:func:`not_applicable`) is NaN (``null`` in JSON) and
    its reason is under ``not_applicable``.
    """
    cost = spend(model)
    values = _values(model, cost)
    reasons = not_applicable(model)
    for key in reasons:
        values[key] = float("nan")
    return {**values, "nps_respondents": int(model.rates.respondents), "not_applicable": reasons}


def _values(model: JourneyModel, cost: float) -> dict[str, float | int | dict]:
    return {
        "customers": model.spec.population.size,  # in the market at the start (entrants: daily table)
        "days": model.day,
        "acquisitions": acquisitions(model),
        "repurchases": int(total(model, "repurchases")),
        "orders": int(total(model, "orders")),
        "winbacks": int(total(model, "winbacks")),
        "churned": int(total(model, "churned")),
        "churn_rate_per_year": churn_rate(model),
        "switched": int(total(model, "switched")),
        "abandonment_rate": cart_abandonment_rate(model),
        "checkout_abandonment_rate": checkout_abandonment_rate(model),
        "conversion_rate": conversion_rate(model),
        "revenue": revenue(model),
        "margin": total(model, "margin"),
        "spend": cost,
        "support_cost": total(model, "support_cost"),
        "profit": profit(model),
        "cac": cac(model),
        "roas": roas(model),
        "nps": nps(model),
        "review_score": float(model.collector.daily["review_score"][model.day - 1]) if model.day else 3.0,
        "word_of_mouth_share": word_of_mouth_share(model),
        "referrals": int(total(model, "referrals")),
        "returns": int(total(model, "returns")),
        "tickets": int(total(model, "tickets")),
        "stages": stage_counts(model),
        "funnel": funnel(model),
        "acquisitions_by_source": acquisitions_by_source(model),
        "average_order_value": average_order_value(model),
        "customer_lifetime_value": customer_lifetime_value(model),
        "referral_value": model.lifetime.referral_comparison(),
        "lifetime_value_by_source": model.lifetime.by_source(),
        "lifetime_value_by_cohort": model.lifetime.by_cohort(),
    }
