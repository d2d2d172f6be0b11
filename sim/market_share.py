"""Competition KPIs, as module-level functions of the model (summary, KPI table, figures, validation).

Every function needs a run with competitors (``model.competition`` not None). Brands are named
as in :attr:`journeysim.sim.competition.Competition.names`: ``ours`` first, then the competitors.

Units: shares, penetration 0..1; purchase frequency in orders per buyer; counts of orders.
Penetration, frequency and duplication count purchases from ``competition.panel_start`` on (a
panel period after a warm-up); shares and share of voice the whole run so far.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel


def _by_brand(model: JourneyModel, values: np.ndarray) -> dict[str, float]:
    return {name: float(v) for name, v in zip(model.competition.names, values, strict=True)}


def _shares(totals: np.ndarray) -> np.ndarray:
    whole = totals.sum()
    return totals / whole if whole > 0 else np.full(totals.shape, np.nan)


def market_share(model: JourneyModel, value: bool = False) -> dict[str, float]:
    """Each brand's share of the category's orders (``value``: of its revenue), 0..1."""
    c = model.competition
    books = c.revenue if value else c.orders
    return _by_brand(model, _shares(books[: model.day].sum(axis=0).astype(np.float64)))


def share_of_voice(model: JourneyModel) -> dict[str, float]:
    """Each brand's share of the category's media spend, 0..1."""
    return _by_brand(model, _shares(model.competition.spend[: model.day].sum(axis=0)))


def buyers(model: JourneyModel) -> np.ndarray:
    """People who bought each brand since ``competition.panel_start`` (counts, per brand)."""
    c = model.competition
    bits = c.bought[: model.state.entered]
    return np.array([np.count_nonzero(bits & np.uint8(1 << k)) for k in range(len(c.names))], np.int64)


def panel_orders(model: JourneyModel) -> np.ndarray:
    """Orders of each brand since ``competition.panel_start`` (counts, per brand)."""
    c = model.competition
    return c.orders[c.spec.panel_start: model.day].sum(axis=0)


def penetration(model: JourneyModel) -> dict[str, float]:
    """Share of the people who have been in the market who bought each brand in the panel period (b)."""
    return _by_brand(model, buyers(model) / max(model.state.entered, 1))


def purchase_frequency(model: JourneyModel) -> dict[str, float]:
    """Orders per buyer of each brand in the panel period (w; NaN for a brand nobody bought)."""
    who = buyers(model).astype(np.float64)
    orders = panel_orders(model).astype(np.float64)
    return _by_brand(model, np.divide(orders, who, out=np.full(who.shape, np.nan), where=who > 0))


def switching_matrix(model: JourneyModel) -> dict[str, dict[str, int]]:
    """Purchases by brand bought before (outer key) and brand bought (inner key); the diagonal
    holds repeat purchases of the same brand."""
    c = model.competition
    return {a: {b: int(c.switches[i, j]) for j, b in enumerate(c.names)} for i, a in enumerate(c.names)}


def duplication(model: JourneyModel) -> np.ndarray:
    """Share of each brand's panel buyers (row) who also bought each other brand (column), shape
    (brands, brands); NaN on the diagonal and for brands without buyers."""
    c = model.competition
    bits = c.bought[: model.state.entered]
    bought = ((bits[:, None] >> np.arange(len(c.names), dtype=np.uint8)[None, :]) & 1).astype(np.int64)
    both = (bought.T @ bought).astype(np.float64)
    who = np.diag(both).copy()
    out = np.divide(both, who[:, None], out=np.full(both.shape, np.nan), where=who[:, None] > 0)
    np.fill_diagonal(out, np.nan)
    return out


def shares_over_time(model: JourneyModel, window: int = 28, value: bool = False) -> np.ndarray:
    """Volume (``value``: revenue) share of each brand over a trailing ``window`` of days, shape
    (days run, brands); NaN on days whose window holds no order."""
    c = model.competition
    books = (c.revenue if value else c.orders)[: model.day].astype(np.float64)
    running = np.cumsum(books, axis=0)
    trailing = running - np.vstack([np.zeros((min(window, len(running)), books.shape[1])), running[:-window]])
    totals = trailing.sum(axis=1, keepdims=True)
    return np.divide(trailing, totals, out=np.full(trailing.shape, np.nan), where=totals > 0)


def summary(model: JourneyModel) -> dict:
    """The ``competition`` section of ``summary.json``: per brand market share (volume and value),
    share of voice, penetration and purchase frequency, the switching matrix, and our checkout and
    reorder attempts won by a competitor."""
    c = model.competition
    return {
        "brands": list(c.names),
        "panel_start": c.spec.panel_start,
        "market_share_volume": market_share(model),
        "market_share_value": market_share(model, value=True),
        "share_of_voice": share_of_voice(model),
        "penetration": penetration(model),
        "purchase_frequency": purchase_frequency(model),
        "orders": {name: int(v) for name, v in zip(c.names, c.orders[: model.day].sum(axis=0), strict=True)},
        "switching": switching_matrix(model),
        "lost_to_competitors": int(c.lost[: model.day].sum()),
    }
