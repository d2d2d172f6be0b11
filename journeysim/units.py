"""How journeysim writes a number: the one formatting module for KPIs and their units.

The terminal's KPI table, the trainer's page, the figures' axes, the sweep reports and
``Result._repr_html_`` all format through here, so a KPI reads the same everywhere: churn
``81.0%`` on the page and in the terminal, money with the run's currency symbol, NPS in
points, durations in days.

>>> format_kpi("churn_rate_per_year", 0.81)
'81.0%'
>>> format_kpi("revenue", -1234.5, Currency("EUR", "€"))
'-€1,235'

This module imports nothing heavy (no pandas, matplotlib or Hydra): :func:`axis_formatter`
imports matplotlib only when called.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# --------------------------------------------------------------------------- units
COUNT = "count"
"""Customers, orders, tickets: whole numbers with thousands separators."""
MONEY = "money"
"""An amount of the run's currency (:class:`Currency`)."""
PERCENT = "percent"
"""A share or rate stored as a fraction 0..1, written as a percentage (0.81 -> ``81.0%``)."""
RATIO = "ratio"
"""A dimensionless ratio (ROAS: revenue per unit of spend)."""
POINTS = "points"
"""NPS points, -100..+100, always signed."""
DAYS = "days"
"""A duration in days."""
HOURS = "hours"
"""A duration in hours."""
SCORE = "score"
"""A rating on its own scale (the public review score, 1..5 stars)."""
NUMBER = "number"
"""A number of no known unit: digits chosen by its size (``12,345``, ``12.35``, ``0.0123``)."""
UNITS = (COUNT, MONEY, PERCENT, RATIO, POINTS, DAYS, HOURS, SCORE, NUMBER)

MISSING = "n/a"
"""What an undefined value (None, NaN, infinity) reads as."""


# --------------------------------------------------------------------------- currency
KNOWN_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹", "CHF": "CHF "}
"""Symbols of common ISO 4217 codes (any other code is written before the amount, as ``SEK 1,200``)."""


@dataclass(frozen=True)
class Currency:
    """The currency of a run's money KPIs.

    Parameters
    ----------
    code : str
        ISO 4217 code, e.g. ``USD``; it labels axes and column headers (``spend (USD)``).
    symbol : str
        Written before amounts, e.g. ``$`` (``-$1,235``).
    """

    code: str = "USD"
    symbol: str = "$"

    def amount(self, value: float, digits: int = 0, signed: bool = False) -> str:
        """``value`` as money: sign, symbol, thousands separators (``-$1,235``; ``+$12.50`` if signed)."""
        sign = "-" if value < 0 else "+" if signed and value > 0 else ""
        return f"{sign}{self.symbol}{abs(value):,.{digits}f}"


DEFAULT_CURRENCY = Currency()
"""The currency when a config names none: US dollars, as the page has always shown."""


def currency_from(config: Any = None) -> Currency:
    """The currency named by a config's ``market.currency`` (default :data:`DEFAULT_CURRENCY`).

    Parameters
    ----------
    config : mapping, DictConfig, RunSpec or None
        A resolved config (or anything with a ``market`` holding ``currency``), or a run's
        ``summary.json`` (``currency`` at its top). The currency may be an ISO code (``EUR``) or a
        mapping with ``code`` and ``symbol``.
    """
    market = _get(config, "market")
    value = _get(market, "currency") if market is not None else _get(config, "currency")  # a config or a summary
    if value is None:
        return DEFAULT_CURRENCY
    if isinstance(value, str):
        code = value.strip().upper()
        return Currency(code, KNOWN_SYMBOLS.get(code, f"{code} "))
    code = str(_get(value, "code") or DEFAULT_CURRENCY.code).upper()
    symbol = _get(value, "symbol")
    return Currency(code, str(symbol) if symbol is not None else KNOWN_SYMBOLS.get(code, f"{code} "))


def _get(container: Any, key: str) -> Any:
    if container is None:
        return None
    if isinstance(container, Mapping):
        return container.get(key)
    try:  # DictConfig (``in`` works without resolving) or a spec dataclass
        return container.get(key) if hasattr(container, "get") else getattr(container, key, None)
    except Exception:  # noqa: BLE001 - a config without the key
        return None


# --------------------------------------------------------------------------- numbers
def defined(value: Any) -> bool:
    """True for a finite number (None, NaN and infinity are undefined)."""
    return value is not None and isinstance(value, int | float) and math.isfinite(value)


def format_value(value: Any, unit: str, digits: int = 0, currency: Currency = DEFAULT_CURRENCY,
                 signed: bool | None = None, difference: bool = False) -> str:
    """One number in its unit.

    Parameters
    ----------
    value : float or None
        The number (fractions 0..1 for :data:`PERCENT`).
    unit : str
        One of :data:`UNITS`.
    digits : int
        Decimal places (of the percentage for :data:`PERCENT`).
    currency : Currency
        For :data:`MONEY`.
    signed : bool, optional
        Write ``+`` before positive values (default: only for :data:`POINTS` and differences).
    difference : bool
        The value is a difference between two runs: signed (zero has no sign), and percentages
        are written in percentage points (``+1.2 pp``).

    Returns
    -------
    str
        The number with its unit, or :data:`MISSING` if it is undefined.
    """
    if unit not in UNITS:
        raise ValueError(f"unit = {unit!r} is not allowed: one of {', '.join(UNITS)}")
    if not defined(value):
        return MISSING
    value = float(value)
    if signed is None:
        signed = difference or unit == POINTS
    plus = "+" if signed and value != 0 else ""
    if unit == NUMBER:
        shape = ",.0f" if abs(value) >= 1000 else ".2f" if abs(value) >= 1 else ".3g"
        return f"{value:{plus}{shape}}"
    if unit == MONEY:
        return currency.amount(value, digits, bool(plus))
    if unit == PERCENT:
        return f"{100 * value:{plus},.{digits}f} pp" if difference else f"{100 * value:{plus},.{digits}f}%"
    if unit == DAYS:
        text = f"{value:{plus},.{digits}f}"
        return f"{text} day" if text.lstrip("+-") == "1" else f"{text} days"  # 1 day, 1.5 days, 0 days
    if unit == HOURS:
        return f"{value:{plus},.{digits}f} h"
    return f"{value:{plus},.{digits}f}"


# --------------------------------------------------------------------------- KPIs
@dataclass(frozen=True)
class Kpi:
    """How one KPI of ``summary.json`` is labelled and written.

    Parameters
    ----------
    label : str
        Human name, the same in the terminal, on the page, in reports and on axes.
    unit : str
        One of :data:`UNITS`.
    digits : int
        Decimal places.
    """

    label: str
    unit: str
    digits: int = 0

    def format(self, value: Any, currency: Currency = DEFAULT_CURRENCY, difference: bool = False) -> str:
        """``value`` in this KPI's unit (see :func:`format_value`)."""
        return format_value(value, self.unit, self.digits, currency, difference=difference)

    def axis_label(self, currency: Currency = DEFAULT_CURRENCY) -> str:
        """The KPI's axis label with its unit, e.g. ``Revenue (USD)`` or ``Cart abandonment (%)``."""
        return f"{self.label} ({unit_name(self.unit, currency)})" if unit_name(self.unit, currency) else self.label


KPIS: dict[str, Kpi] = {
    "acquisitions": Kpi("Acquisitions", COUNT),
    "repurchases": Kpi("Repeat orders", COUNT),
    "conversion_rate": Kpi("Bought at least once", PERCENT, 1),
    "churned": Kpi("Lapsed", COUNT),
    "churn_rate_per_year": Kpi("Churn (per customer-year)", PERCENT, 1),
    "abandonment_rate": Kpi("Cart abandonment", PERCENT, 1),
    "revenue": Kpi("Revenue", MONEY),
    "spend": Kpi("Spend", MONEY),
    "profit": Kpi("Profit (margin - spend - support)", MONEY),
    "support_cost": Kpi("Support cost", MONEY),
    "cac": Kpi("CAC", MONEY, 2),
    "roas": Kpi("ROAS", RATIO, 2),
    "nps": Kpi("NPS (points)", POINTS, 1),
    "word_of_mouth_share": Kpi("Acquisitions via word of mouth", PERCENT, 1),
}
"""The headline KPIs in table order: the terminal's KPI table and the sweep report show these."""

MORE_KPIS: dict[str, Kpi] = {
    "customers": Kpi("Customers", COUNT),
    "days": Kpi("Days", DAYS),
    "orders": Kpi("Orders", COUNT),
    "switched": Kpi("Switched to a rival", COUNT),
    "winbacks": Kpi("Won back", COUNT),
    "margin": Kpi("Margin", MONEY),
    "review_score": Kpi("Review score (stars)", SCORE, 2),
    "referrals": Kpi("Referrals", COUNT),
    "returns": Kpi("Returns", COUNT),
    "tickets": Kpi("Support tickets", COUNT),
    "programme_cost": Kpi("Programme cost", MONEY),
    "queue_tickets": Kpi("Support queue (tickets)", COUNT),
    "backlog_orders": Kpi("Warehouse backlog (orders)", COUNT),
    "mean_wait_days": Kpi("Support wait", DAYS, 2),
    "p95_wait_days": Kpi("Support wait, 95th percentile", DAYS, 2),
    "mean_delivery_days": Kpi("Order-to-door time", DAYS, 1),
    "checkout_abandonment_rate": Kpi("Checkout abandonment", PERCENT, 1),
    "carts": Kpi("Carts created", COUNT),
    "loyal_repurchases": Kpi("Repeat orders of loyal customers", COUNT),
    "average_order_value": Kpi("Average order value", MONEY, 2),
    "customer_lifetime_value": Kpi("Lifetime value (realised margin per customer)", MONEY, 2),
    "market_share_volume": Kpi("Market share (orders)", PERCENT, 1),
    "market_share_value": Kpi("Market share (revenue)", PERCENT, 1),
    "share_of_voice": Kpi("Share of voice (media spend)", PERCENT, 1),
    "penetration": Kpi("Penetration (bought in the panel)", PERCENT, 1),
    "purchase_frequency": Kpi("Purchases per buyer", NUMBER, 2),
}
"""Other KPIs and daily columns with a known unit (page readouts, reports, axes)."""


def kpi(key: str) -> Kpi:
    """The :class:`Kpi` of ``key``; a per-brand KPI ``<kpi>.<brand>`` (``market_share_volume.ours``)
    takes its KPI's unit; an unknown key is labelled by its name, digits by its size."""
    found = KPIS.get(key) or MORE_KPIS.get(key)
    if found is not None:
        return found
    base, _, brand = key.partition(".")
    if brand and base in MORE_KPIS:
        return Kpi(f"{MORE_KPIS[base].label}: {brand}", MORE_KPIS[base].unit, MORE_KPIS[base].digits)
    return Kpi(key, NUMBER)


def format_kpi(key: str, value: Any, currency: Currency = DEFAULT_CURRENCY, difference: bool = False) -> str:
    """A KPI's value as every face shows it (``format_kpi("cac", 31.79)`` -> ``$31.79``)."""
    return kpi(key).format(value, currency, difference)


def format_estimate(key: str, mean: Any, low: Any, high: Any, currency: Currency = DEFAULT_CURRENCY,
                    difference: bool = False) -> str:
    """An estimate with the half-width of its interval: ``45.0% ± 1.2%``, ``+$1,200 ± $300``, ``+1.2 pp ± 0.4 pp``.

    Parameters
    ----------
    key : str
        The KPI (its unit and digits).
    mean, low, high : float
        The estimate and its interval's bounds (an undefined bound leaves the interval out).
    currency : Currency
        For money KPIs.
    difference : bool
        A difference between scenarios: signed, percentages in percentage points.
    """
    k = kpi(key)
    text = k.format(mean, currency, difference)
    if defined(low) and defined(high) and defined(mean):
        half = (float(high) - float(low)) / 2
        if k.unit == PERCENT and difference:
            text += f" ± {100 * half:.{k.digits}f} pp"
        else:
            text += " ± " + format_value(half, k.unit, k.digits, currency, signed=False)
    return text


def not_applicable(reason: str) -> str:
    """An undefined KPI with why: ``n/a (12 survey respondents; at least 30 needed)``."""
    return f"{MISSING} ({reason})"


def kpi_rows(kpis: Mapping[str, Any], currency: Currency = DEFAULT_CURRENCY,
             keys: Any = None) -> list[tuple[str, str]]:
    """(label, formatted value) for each headline KPI present in ``kpis`` (``summary['kpis']``).

    A KPI listed under ``kpis['not_applicable']`` reads ``n/a (reason)``; with ``keys`` None, the
    money KPIs of a run where all of them are n/a for one reason collapse into one row.
    """
    reasons = kpis.get("not_applicable") or {}
    rows, shared = [], set()
    money = [key for key in KPIS if kpi(key).unit in (MONEY, RATIO) and key in reasons]
    if keys is None and len(money) > 1 and len({reasons[key] for key in money}) == 1:
        shared = set(money)
    for key in keys or KPIS:
        if key not in kpis or key in shared:
            continue
        value = not_applicable(reasons[key]) if key in reasons else format_kpi(key, kpis[key], currency)
        rows.append((kpi(key).label, value))
    if shared:
        rows.append(("Money KPIs (" + ", ".join(kpi(key).label for key in money) + ")",
                     not_applicable(reasons[money[0]])))
    return rows


# --------------------------------------------------------------------------- axes
def unit_name(unit: str, currency: Currency = DEFAULT_CURRENCY, difference: bool = False) -> str:
    """A unit as written in an axis label or column header: ``USD``, ``%``, ``days``, ``h``, or ``''``;
    with ``difference`` (differences or sizes of effects) percentages are percentage points, ``pp``."""
    return {MONEY: currency.code, PERCENT: "pp" if difference else "%", DAYS: "days", HOURS: "h", POINTS: "points",
            COUNT: "", RATIO: "", SCORE: "", NUMBER: ""}[unit]


def axis_formatter(unit: str, currency: Currency = DEFAULT_CURRENCY, difference: bool = False):
    """A matplotlib tick formatter writing ticks in ``unit`` (money ``$35k``, percentages ``40%``).

    All ticks of one axis share one scale (``$6k, $12k, $18k``, never ``$6,000, $12k``): the
    largest tick chooses it. With ``difference`` the axis holds differences (or sizes of
    effects), so percentages are written in percentage points (``2 pp``), as in the tables.

    Returns
    -------
    matplotlib.ticker.Formatter
        For ``ax.yaxis.set_major_formatter(...)``.
    """
    from matplotlib.ticker import Formatter

    def tick(value: float, scale_of: float, digits: int | None = None) -> str:
        if unit == PERCENT:
            suffix = " pp" if difference else "%"
            if digits is None:
                digits = 0 if abs(value) >= 0.0999999 or value == 0 else 1
            return f"{100 * value:.{digits}f}{suffix}"
        text = compact(abs(value) if unit == MONEY else value, scale_of=scale_of)
        return f"{'-' if value < 0 else ''}{currency.symbol}{text}" if unit == MONEY else text

    class Ticks(Formatter):
        def __call__(self, value: float, pos: object = None) -> str:
            return tick(value, abs(value))

        def format_ticks(self, values: list[float]) -> list[str]:
            largest = max((abs(v) for v in values), default=0.0)
            # percentages: one number of decimals for the axis (2%, 4%, 6%, or 2.5%, 5.0%, 7.5%)
            whole = all(abs(100 * v - round(100 * v)) < 1e-6 for v in values)
            return [tick(v, largest, 0 if whole else 1) for v in values]

    return Ticks()


def compact(value: float, _position: object = None, *, scale_of: float | None = None) -> str:
    """A short number for ticks: ``1.2M``, ``35k``, ``4,500`` or ``0.25`` (a matplotlib tick function).

    ``scale_of`` (default: ``value``) chooses the scale, so the ticks of one axis can share the
    scale of its largest tick (``0``, ``6k``, ``12k``).
    """
    if value == 0:
        return "0"
    magnitude = abs(value if scale_of is None else scale_of)
    if magnitude >= 1e6:
        return f"{value / 1e6:.4g}M"
    if magnitude >= 1e4:
        return f"{value / 1e3:.4g}k"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"
