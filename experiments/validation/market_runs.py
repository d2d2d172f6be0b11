"""Runs of the default market for the stylised facts (issue #20): one job, one run, plain numbers back.

A :class:`MarketJob` says what to change (the list price from day 0, every paid channel's spend
times a factor from a day on) and what to keep; :func:`market_run` builds the default market
(``journey`` with the job's overrides), runs it and returns daily orders, the cart counts and,
when asked, each customer's purchases at the end of every year, so that paired runs under one
seed can be compared in the experiments (:mod:`~journeysim.experiments.validation.market_facts`,
:mod:`~journeysim.experiments.validation.repeat_buying`).

Units: orders and carts are counts per day; days from the start of the run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

YEAR = 365
"""Days per year of the yearly purchase counts."""


@dataclass(frozen=True)
class MarketJob:
    """One run of the default market.

    Attributes
    ----------
    size, days, seed : int
        Customers at the start, days simulated, seed.
    price_change : float
        Relative change of the list price from day 0 (the ``price_change`` lever; 0: none).
    budget_factor : float
        Every channel's spend times this from ``from_day`` on (0: paid media off; 1: as planned).
    from_day : int
        First day of the budget factor.
    yearly : bool
        Return each customer's purchase count at the end of every full year.
    overrides : tuple of str
        Further ``journey`` overrides.
    """

    size: int
    days: int
    seed: int
    price_change: float = 0.0
    budget_factor: float = 1.0
    from_day: int = 0
    yearly: bool = False
    overrides: tuple[str, ...] = ()


def build(job: MarketJob):
    """The job's model, built but not run."""
    from journeysim.api import compose_config
    from journeysim.runner import build_model
    from journeysim.scenarios.spec import parse_config

    args = [f"population.size={job.size}", f"days={job.days}", f"seed={job.seed}", "outputs.figures=false",
            "outputs.progress=false", *job.overrides]
    if job.price_change:
        args.append(f"scenario.levers=[{{type: price_change, change: {job.price_change}, from_day: 0}}]")
    return build_model(parse_config(compose_config(overrides=args)))


def market_run(job: MarketJob) -> dict:
    """Run ``job``; return ``orders`` (per day), ``carts``, ``orders_total``, ``open_carts`` (customers
    deciding at the end), ``cart_abandonment``, ``checkout_abandonment`` and, with ``job.yearly``,
    ``purchases`` (one array per full year: each customer's purchases by the year's end; customers
    who entered later are absent from earlier years' arrays) and ``persona`` (codes)."""
    from journeysim.sim import kpis

    model = build(job)
    purchases = []
    while model.day < job.days:
        if model.day == job.from_day and job.budget_factor != 1.0:
            model.controls.scale_budgets(np.full(model.n_channels, job.budget_factor))
        model.step()
        if job.yearly and model.day % YEAR == 0:
            purchases.append(model.state.purchases.astype(np.int32).copy())
    daily = model.collector.daily
    out = {"orders": daily["orders"][: model.day].astype(np.float64).copy(),
           "carts": kpis.total(model, "carts"), "orders_total": kpis.total(model, "orders"),
           "cart_abandonment": kpis.cart_abandonment_rate(model),
           "checkout_abandonment": kpis.checkout_abandonment_rate(model),
           "checkout_attempts": kpis.total(model, "checkout_attempts"),
           "checkout_abandoned": kpis.total(model, "abandoned")}
    if job.yearly:
        out["purchases"] = purchases
        out["persona"] = model.state.persona.copy()
        out["persona_names"] = [p.name for p in model.spec.population.personas]
    return out
