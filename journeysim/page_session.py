"""One browser tab's run on the trainer's page: the :class:`Snapshot` the page draws and the
:class:`Session` that steps, pauses, resets and frees the run.

How the page holds a class (issue #28): every chart and readout is drawn from one
:class:`Snapshot`, taken under the session's lock right after the model stepped, so nothing reads
the model while a step runs; Play, Pause, Step and Reset each take that lock; a session's model is
freed on Reset and when the session ends, and the server's log counts the sessions open. The page
itself (controls, panels, ``Page``) is :mod:`journeysim.app`.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mesa
import numpy as np

from journeysim import units
from journeysim.classroom import MAIN_CHANNELS, ClassroomModel, PageModel
from journeysim.journey_map import ALL, journey_map_tables
from journeysim.sim import kpis, market_share
from journeysim.sim.model import JourneyModel
from journeysim.units import currency_from


# --------------------------------------------------------------------------- the snapshot
@dataclass(frozen=True, eq=False)
class Snapshot:
    """What the page shows of a run at one moment: copied from the model under the session's lock.

    Charts and readouts read only this, never the model, so no panel sees a day half-stepped and
    no two panels see different days. ``eq=False``: two snapshots are the same only if they are
    one object (the page redraws when a new one arrives).

    Parameters
    ----------
    run : int
        The session's run number (1 for its first run; Reset adds one).
    day, days : int
        Days stepped so far and the run's length (days).
    customers : int
        People who have been in the market so far (the population size, plus entrants when it is open).
    stage_counts : ndarray
        Customers in each stage on days 0..``day`` (rows) by stage (columns, ``STAGE_NAMES`` order).
    new_customers : ndarray
        Acquisitions so far at the end of days 0..``day`` (cumulative; 0 at day 0).
    queue, backlog : ndarray
        Support tickets and warehouse orders waiting at the end of each day run (days 1..``day``).
    funnel : dict
        Customers who have ever reached each funnel stage.
    sample_stages : ndarray
        Today's stage of each customer of the network sample.
    values : dict
        Today's KPI values (units of :mod:`journeysim.units`), keyed as in ``summary.json``.
    not_applicable : dict
        KPIs that mean nothing yet, with the reason.
    currency : Currency
        The run's currency.
    settings : str
        The levers this run was built with, as one line.
    brands : tuple of str
        The market's brands, ours first (empty in a market without competitors).
    brand_shares : ndarray
        Each brand's share of the category's orders over the trailing 28 days, days 0..``day``
        (rows; NaN while the window holds no order) by brand (columns).
    journey_map : tuple of dict
        The journey map of everyone: the ``journey_map`` table's rows for persona ``all``, in
        stage order (see :mod:`journeysim.journey_map`).
    layout, edges : ndarray
        The network sample's positions and ties (fixed for the run: shared, not copied).
    input_error : str or None
        Why the page's input was not used, if it was not.
    """

    run: int
    day: int
    days: int
    customers: int
    stage_counts: np.ndarray
    new_customers: np.ndarray
    queue: np.ndarray
    backlog: np.ndarray
    funnel: dict[str, int]
    sample_stages: np.ndarray
    values: dict[str, float]
    not_applicable: dict[str, str]
    currency: units.Currency
    settings: str
    journey_map: tuple[dict, ...] = ()
    brands: tuple[str, ...] = ()
    brand_shares: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    layout: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    edges: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.int64))
    input_error: str | None = None

    @property
    def ended(self) -> bool:
        """True on the run's last day: stepping further does nothing."""
        return self.day >= self.days

    def kpi_rows(self) -> list[tuple[str, str]]:
        """(label, value) of each KPI, written by :mod:`journeysim.units` as the terminal writes it."""
        return units.kpi_rows({**self.values, "not_applicable": self.not_applicable}, self.currency, keys=self.values)


def live_kpis(model: JourneyModel) -> dict[str, float]:
    """The page's KPIs today: so far (acquisitions .. word of mouth) and yesterday's service load."""
    daily, yesterday = model.collector.daily, max(model.day - 1, 0)
    return {
        "acquisitions": kpis.acquisitions(model),
        "churned": kpis.total(model, "churned"),
        "churn_rate_per_year": kpis.churn_rate(model),
        "nps": kpis.nps(model),
        "revenue": kpis.revenue(model),
        "spend": kpis.spend(model),
        "profit": kpis.profit(model),
        "cac": kpis.cac(model),
        "word_of_mouth_share": kpis.word_of_mouth_share(model),
        **({"market_share_volume": market_share.market_share(model)["ours"]} if model.competition else {}),
        "queue_tickets": float(daily["queue_tickets"][yesterday]),
        "mean_wait_days": float(daily["mean_wait_days"][yesterday]) if model.day else float("nan"),
        "backlog_orders": float(daily["backlog_orders"][yesterday]),
    }


def kpi_rows(model: JourneyModel) -> list[tuple[str, str]]:
    """Live KPI figures (label, value) of a model, written by :mod:`journeysim.units` exactly as the
    terminal's KPI table writes them."""
    rows = live_kpis(model)
    return units.kpi_rows({**rows, "not_applicable": kpis.not_applicable(model)}, currency_from(model.spec), keys=rows)


def take_snapshot(model: PageModel, run: int) -> Snapshot:
    """Copy what the page shows of ``model`` (call it only while no step runs)."""
    day, daily = model.day, model.collector.daily
    return Snapshot(
        run=run, day=day, days=model.spec.days, customers=model.state.entered,  # everyone in the market so far
        stage_counts=model.collector.stage_counts[: day + 1].copy(),
        new_customers=np.concatenate([[0.0], np.cumsum(daily["acquisitions"][:day])]),
        queue=daily["queue_tickets"][:day].copy(), backlog=daily["backlog_orders"][:day].copy(),
        funnel=kpis.funnel(model), sample_stages=model.state.stage[model.sample].copy(),
        values=live_kpis(model), not_applicable=kpis.not_applicable(model), currency=currency_from(model.spec),
        settings=lever_line(model), journey_map=everyone_journey_map(model), **brand_panel(model),
        layout=model.layout,
        edges=model.sample_edges, input_error=model.input_error)


def everyone_journey_map(model: JourneyModel) -> tuple[dict, ...]:
    """The journey map's rows for everyone (about 10 ms at 10,000 customers)."""
    table, _ = journey_map_tables(model)
    return tuple(table[table["persona"] == ALL].to_dict("records"))


def brand_panel(model: JourneyModel) -> dict[str, Any]:
    """The brands and their trailing 28-day order shares by day (empty without competitors)."""
    if model.competition is None:
        return {}
    shares = market_share.shares_over_time(model)
    day_0 = np.full((1, shares.shape[1]), np.nan)  # no order yet on day 0
    return {"brands": tuple(model.competition.names), "brand_shares": np.vstack([day_0, shares])}


def lever_line(model: ClassroomModel) -> str:
    """The levers this run was built with, as one line of text."""
    s = model.settings
    budgets = ", ".join(f"{name} {s[f'{name}_budget']:g}" for name in MAIN_CHANNELS)
    referral = f"referral reward {s['referral_reward']:g}" if s["referral_reward"] else "no page referral programme"
    rivals = ", ".join(model.competition.names[1:]) if model.competition else "none"
    return (f"scenario {s['scenario']}, network {s['network']}, competitors {rivals}, seed {model.spec.seed}; "
            f"budgets/day: {budgets}; "
            f"discount {s['discount']:.0%}; checkout abandonment {s['checkout_friction']:.0%}; "
            f"word of mouth x{s['word_of_mouth']:g}; {referral}; support staff {s['support_staff']:g}; "
            f"warehouse {s['warehouse_capacity']:g} orders/day (per 10,000); "
            f"scenario levers: {', '.join(lever.name or type(lever).__name__ for lever in model.levers) or 'none'}")


def free_model(model: JourneyModel | None) -> None:
    """Let a finished run's model be freed: Mesa 3.3 keeps every model in ``mesa.Agent._ids``
    (a class-level dictionary keyed by model; Mesa issue #3179), so drop its entry."""
    if model is not None:
        mesa.Agent._ids.pop(model, None)


def return_memory() -> None:
    """Collect freed runs and hand their memory back to the system.

    The model and its 10,000 agents are a reference cycle (a gen-2 collection frees them), and
    glibc keeps freed heap pages in its per-thread arenas: without ``malloc_trim`` the server's
    memory stayed 60 MB higher after three sessions had closed (measured, #28).
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc (macOS, musl): it keeps what it keeps
        ctypes.CDLL("libc.so.6").malloc_trim(0)


# --------------------------------------------------------------------------- the session
class Session:
    """One browser tab's run: its model, the previous run's last snapshot, and one lock.

    Every use of the model (Step, a Play frame, Reset, a snapshot) holds :attr:`lock`, so two
    clicks, or a click and Play, never step one model at once, and a snapshot never sees a
    half-stepped day.

    Parameters
    ----------
    levers : dict
        Keyword levers of :class:`PageModel` for the first run.
    """

    open_count = 0  # sessions of this server whose tab has not closed
    _count_lock = threading.Lock()

    def __init__(self, levers: dict[str, Any]) -> None:
        self._counted(+1, "a page opened")
        self.lock = threading.Lock()
        self.playing = threading.Event()
        self.closed = False
        self.run = 1
        self.model: PageModel | None = PageModel(**levers)
        self.snapshot = take_snapshot(self.model, self.run)
        self.previous: Snapshot | None = None

    def step(self, days: int) -> Snapshot:
        """Advance ``days`` days (fewer at the run's end; none after it) and snapshot the run."""
        with self.lock:
            return self._advance(days)

    def play_frame(self, days: int, show: Callable[[Snapshot], None]) -> Snapshot | None:
        """One Play frame: ``days`` days, then ``show`` the snapshot, unless Pause, Reset or the
        session's end came first. Both under the lock, so a frame is never shown after Pause."""
        with self.lock:
            if not self.playing.is_set() or self.closed:
                return None
            shot = self._advance(days)
            show(shot)
            return shot

    def _advance(self, days: int) -> Snapshot:
        if self.model is None:
            return self.snapshot
        for _ in range(max(0, min(days, self.model.spec.days - self.model.day))):
            self.model.step()
        self.snapshot = take_snapshot(self.model, self.run)
        return self.snapshot

    def pause(self) -> Snapshot:
        """Stop playing; returns once no Play frame is stepping (the snapshot is then final)."""
        self.playing.clear()
        with self.lock:
            return self.snapshot

    def reset(self, levers: dict[str, Any]) -> Snapshot:
        """Start a new run with ``levers``; the run it replaces becomes the one to compare with."""
        self.playing.clear()
        with self.lock:
            if self.closed:
                return self.snapshot
            if self.snapshot.day > 0:  # a run that never stepped has nothing to compare with
                self.previous = self.snapshot
            free_model(self.model)
            self.model = None
            return_memory()
            self.run += 1
            self.model = PageModel(**levers)
            self.snapshot = take_snapshot(self.model, self.run)
            return self.snapshot

    def close(self) -> None:
        """The tab has gone: stop playing and free the model (once; a second close does nothing)."""
        self.playing.clear()
        with self.lock:
            if self.closed:
                return
            self.closed = True
            free_model(self.model)
            self.model = None
        return_memory()
        self._counted(-1, "a page closed and its run was freed")

    @classmethod
    def _counted(cls, change: int, what: str) -> None:
        """Count open sessions and say so on the server's log (a trainer sees the class join and leave)."""
        with cls._count_lock:
            cls.open_count += change
            print(f"journey-app: {what}; {cls.open_count} open", file=sys.stderr, flush=True)
