"""The trainer's page: watch journeys move on a word-of-mouth network and pull the levers live.

Serve it with ``journey-app`` (or ``solara run journeysim.app``) and open the printed address.
Each browser tab is a session with its own run (a Mesa model, :class:`PageModel`). Lever changes
take effect when Reset is pressed: the model is rebuilt from the chosen scenario with the levers
applied as config overrides, so the page runs exactly what ``journey`` would run.

How the page holds a class (issue #28): every chart and readout is drawn from one
:class:`Snapshot`, taken under the session's lock right after the model stepped, so nothing reads
the model while a step runs; Play, Pause, Step and Reset each take that lock; Play publishes at
most :data:`FRAMES_PER_SECOND` snapshots a second; charts are small SVG strings
(:mod:`journeysim.page_charts`) redrawn only when the snapshot changes; a session's model is
freed on Reset and when the session ends.

The model behind the page, built from keyword levers, is :mod:`journeysim.classroom`. Order of
this file: the snapshot and the session, the controls (levers in a trainer's words), the panels,
then ``Page``; ``journey-app`` itself is :func:`journeysim.cli.app_main`.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import html
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mesa
import numpy as np
import solara
import solara.lab

from journeysim import page_charts, plots, units
from journeysim.classroom import (
    COMPETITIONS,
    CURRENCY,
    CUSTOMERS,
    DAYS,
    DEFAULT_BUDGETS,
    DEFAULT_CAPACITY,
    DEFAULT_NETWORK,
    DEFAULT_SEED,
    DEFAULT_STAFF,
    DEFAULTS,
    MAIN_CHANNELS,
    NETWORKS,
    SAMPLE_SIZE,
    SCENARIO_COMPETITION,
    SCENARIOS,
    ClassroomModel,
    PageModel,
    classroom_config,
    lever_overrides,
    parse_seed,
)
from journeysim.cli import app_main
from journeysim.journey_map import ALL, journey_map_tables
from journeysim.sim import kpis, market_share
from journeysim.sim.model import JourneyModel
from journeysim.sim.stages import STAGE_NAMES
from journeysim.units import currency_from

__all__ = ["CUSTOMERS", "DAYS", "DEFAULT_SEED", "SAMPLE_SIZE", "SCENARIOS", "ClassroomModel", "Page", "PageModel",
           "Session", "Snapshot", "classroom_config", "lever_overrides", "parse_seed"]

PAGE_TITLE = "journeysim: customer journeys, live"  # the page's heading and its browser tab's title
FRAMES_PER_SECOND = 2.0  # at most this many snapshots a second while playing (the render-rate cap)
STEP_SIZES = {"1 day": 1, "1 week": 7, "1 month": 30, "2 months": 61, "1 year": 365}  # days per Step press
DEFAULT_STEP_SIZE = "1 week"
PLAY_SPEEDS = {"slow (7 days/s)": 7, "normal (20 days/s)": 20, "fast (60 days/s)": 60}  # days per second
DEFAULT_PLAY_SPEED = "normal (20 days/s)"


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

    def __init__(self, levers: dict[str, Any]) -> None:
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
        """The tab has gone: stop playing and free the model."""
        self.playing.clear()
        with self.lock:
            self.closed = True
            free_model(self.model)
            self.model = None
        return_memory()


# --------------------------------------------------------------------------- controls
@dataclass(frozen=True)
class Lever:
    """A lever of the page: its label in a trainer's words and its slider range.

    Parameters
    ----------
    label : str
        What the slider is called, with its unit.
    low, high, step : float
        The slider's range and step.
    default : float
        Its value on a fresh page.
    show : str
        How the value is written next to the label (``{:.0%}`` style), or "money" for currency.
    """

    label: str
    low: float
    high: float
    step: float
    default: float
    show: str = "{:g}"

    def text(self, value: float) -> str:
        """``label: value`` as shown above the slider."""
        written = CURRENCY.amount(value) if self.show == "money" else self.show.format(value)
        return f"{self.label}: {written}"


def _budget_lever(channel: str) -> Lever:
    name = {"search": "Search ads", "social": "Social ads", "display": "Display ads", "tv": "TV ads"}[channel]
    default = DEFAULT_BUDGETS[channel]
    return Lever(f"{name} per day", 0, int(max(10 * default, 400.0)), 4, int(default), "money")


LEVERS: dict[str, Lever] = {
    **{f"{channel}_budget": _budget_lever(channel) for channel in MAIN_CHANNELS},
    "discount": Lever("Promotion discount", 0.0, 0.5, 0.05, 0.0, "{:.0%}"),
    "checkout_friction": Lever("Checkout abandonment", 0.0, 0.8, 0.05, float(DEFAULTS.market.checkout_friction),
                               "{:.0%}"),
    "word_of_mouth": Lever("Word of mouth", 0.0, 5.0, 0.25, 1.0, "x{:g}"),
    "referral_reward": Lever("Referral reward", 0, 50, 5, 0, "money"),
    "support_staff": Lever("Support staff per 10,000", 1, 12, 1, DEFAULT_STAFF),
    "warehouse_capacity": Lever("Warehouse orders/day per 10,000", 20, 600, 20, DEFAULT_CAPACITY),
}
"""The sliders, in the order shown (a referral reward of 0 runs no page referral programme)."""

DEFAULT_LEVERS: dict[str, Any] = {"seed": DEFAULT_SEED, "scenario": "baseline", "network": DEFAULT_NETWORK,
                                  "competition": SCENARIO_COMPETITION,
                                  **{key: lever.default for key, lever in LEVERS.items()}}
"""The levers of a fresh page (keywords of :class:`PageModel`)."""


# --------------------------------------------------------------------------- panels
STAGE_COLOURS = [plots.STAGE_COLOURS[name] for name in STAGE_NAMES]

PAGE_CSS = """
.journey-page { display: grid; grid-template-columns: minmax(0, 1.45fr) minmax(0, 1fr); gap: 6px 14px;
                padding: 16px 10px 4px; font-size: 14px; }
.journey-wide { grid-column: 1 / -1; }
.journey-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; }
.journey-bar .v-input { flex: 0 0 auto; margin-top: 0; padding-top: 0; }
.journey-bar .v-btn .v-icon { font-size: 18px; height: 18px; width: 18px; }
.journey-bar .v-btn__content { height: 100%; }
.journey-title { font-size: 17px; font-weight: bold; margin-right: 8px; }
.journey-day { font-size: 16px; font-weight: bold; min-width: 10em; }
.journey-levers { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 0 16px; }
.journey-levers .v-input { margin-top: 0; padding-top: 0; }
.journey-levers .v-input__slot { margin-bottom: 0; }
.journey-levers .v-input.v-text-field { padding-top: 12px; }  /* pickers and the seed: room for their labels */
.journey-levers .v-messages { display: none; }
.journey-levers .v-text-field__details { display: none; }
.journey-levers .v-slider { margin: 0 4px 0 0; }
.journey-levers .v-input__slot { flex-wrap: wrap; }
.journey-levers .v-input__slot > .v-label { flex: 0 0 100%; font-size: 12.5px; height: auto; line-height: 1.3;
                                             margin: 4px 0 0 0; white-space: nowrap; }
.journey-kpis { border-collapse: collapse; width: 100%; font-size: 13.5px; }
.journey-kpis td, .journey-kpis th { padding: 1px 6px; white-space: nowrap; }
.journey-kpis th { text-align: left; font-weight: bold; }
.journey-kpis td + td, .journey-kpis th + th { text-align: right; }
.journey-note { font-size: 12px; color: #555; }
.journey-ended { background: #fff3cd; border: 1px solid #e0b100; border-radius: 4px; padding: 4px 8px; }
.journey-charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 8px;
                  grid-auto-flow: row dense; }  /* dense: small charts fill the row before a full-width one */
.journey-charts > div { min-width: 0; }
.journey-charts > div:has(svg[aria-label^="Journey map"]) { grid-column: 1 / -1; }
.journey-charts svg[aria-label^="Journey map"] { max-width: 1500px; margin: 0 auto; }
.journey-key { display: flex; flex-wrap: wrap; gap: 2px 12px; font-size: 12.5px; }
.journey-key span::before { content: ""; display: inline-block; width: 10px; height: 10px; margin-right: 4px;
                            background: var(--chip); border-radius: 2px; }
"""
"""The page's layout: run controls on top, levers and KPIs side by side, charts below them."""


def stage_line(snapshot: Snapshot) -> str:
    """Today's stage counts as one line of text."""
    counts = snapshot.stage_counts[-1]
    return " · ".join(f"{name} {int(counts[k]):,}" for k, name in enumerate(STAGE_NAMES))


def compare_rows(now: Snapshot, before: Snapshot | None) -> str:
    """The KPI table as HTML: this run, and with a previous run its values and the difference.

    The difference is shown only when both runs are at the same day (a KPI so far at day 60
    against one at day 730 would compare time, not levers).
    """
    head = f"<th>KPI</th><th>this run (day {now.day})</th>"
    rows = now.kpi_rows()
    if before is None:
        body = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in rows)
        return f'<table class="journey-kpis"><tr>{head}</tr>{body}</table>'
    head += f"<th>previous run (day {before.day})</th><th>change</th>"
    old = dict(before.kpi_rows())
    body = ""
    for (label, value), key in zip(rows, now.values, strict=True):
        change = units.format_kpi(key, now.values[key] - before.values.get(key, float("nan")), now.currency,
                                  difference=True) if before.day == now.day else "at another day"
        body += (f"<tr><td>{html.escape(label)}</td><td>{html.escape(value)}</td>"
                 f"<td>{html.escape(old.get(label, units.MISSING))}</td><td>{html.escape(change)}</td></tr>")
    return f'<table class="journey-kpis"><tr>{head}</tr>{body}</table>'


def charts(now: Snapshot, before: Snapshot | None) -> list[str]:
    """The page's charts (SVG strings) from one snapshot, with the previous run overlaid if given."""
    layout, edges = now.layout, now.edges
    palette = np.array(STAGE_COLOURS)
    ties = f"{len(edges)} ties" if len(edges) else "no ties: anyone talks to anyone"
    network = page_charts.network_svg(layout, edges, palette[now.sample_stages.astype(np.int64)],
                                      f"Word of mouth: {len(layout)} customers, {ties} (day {now.day})")
    occupancy = page_charts.stacked_area_svg(now.stage_counts, now.days, now.customers, STAGE_NAMES,
                                             STAGE_COLOURS, "Customers in each stage")
    growth = [page_charts.Line("this run", now.new_customers, "#3182bd")]
    if before is not None:
        growth.append(page_charts.Line(f"previous run (to day {before.day})", before.new_customers, "#222", True))
    acquired = page_charts.lines_svg(growth, now.days, "New customers so far", "customers")
    colours = {name: plots.STAGE_COLOURS[name] for name in now.funnel}
    funnel = page_charts.funnel_svg(now.funnel, now.customers, colours, before.funnel if before else None)
    service = page_charts.lines_svg([page_charts.Line("support queue (tickets)", now.queue, "#de2d26"),
                                     page_charts.Line("warehouse backlog (orders)", now.backlog, "#756bb1")],
                                    now.days, "Service load", "waiting")
    journey_map = page_charts.journey_map_svg(now.journey_map, plots.STAGE_COLOURS, now.day)
    shown = [network, occupancy, journey_map, acquired, funnel, service]
    if now.brands:
        shares = [page_charts.Line(name, now.brand_shares[:, k], plots.BRAND_COLOURS[k % len(plots.BRAND_COLOURS)])
                  for k, name in enumerate(now.brands)]
        shown.insert(3, page_charts.lines_svg(shares, now.days, "Market share (orders, last 28 days)",
                                              "share of orders", units.PERCENT, y_floor=1.0))
    return shown


@solara.component
def LeverSliders(levers: solara.Reactive[dict], disabled: bool):  # noqa: N802 - Solara components are capitalised
    """The levers: scenario, network and seed, then one slider per lever, in three columns."""
    values = levers.value

    def setter(key: str):
        return lambda value: levers.set({**levers.value, key: value})

    with solara.Div(classes=["journey-levers"]):
        solara.Select("Scenario", values=SCENARIOS, value=values["scenario"], on_value=setter("scenario"), dense=True)
        solara.Select("Network", values=NETWORKS, value=values["network"], on_value=setter("network"), dense=True)
        solara.InputText("Random seed", value=str(values["seed"]), on_value=setter("seed"), continuous_update=False)
        solara.Select("Competitors", values=COMPETITIONS, value=values["competition"], on_value=setter("competition"),
                      dense=True)
        for key, lever in LEVERS.items():
            slider = solara.SliderFloat if isinstance(lever.step, float) else solara.SliderInt
            slider(lever.text(values[key]), value=values[key], min=lever.low, max=lever.high, step=lever.step,
                   on_value=setter(key), thumb_label=False, disabled=disabled)


@solara.component
def Chart(svg: str):  # noqa: N802
    """One chart (an SVG string), re-sent only when its text changes."""
    return solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["journey-chart-box"])


@solara.component
def Page():  # noqa: N802
    """The page, with one run per browser session (classmates' tabs never share a model)."""
    session = solara.use_memo(lambda: Session(DEFAULT_LEVERS), dependencies=[])
    solara.use_effect(lambda: session.close, dependencies=[])  # on the session's end: free its model
    snapshot, set_snapshot = solara.use_state(session.snapshot)
    levers = solara.use_reactive(dict(DEFAULT_LEVERS))
    playing = solara.use_reactive(False)
    step_size = solara.use_reactive(DEFAULT_STEP_SIZE)
    speed = solara.use_reactive(DEFAULT_PLAY_SPEED)
    compare = solara.use_reactive(True)
    applied = solara.use_reactive(dict(DEFAULT_LEVERS))  # the levers of the current run

    def play_loop() -> None:
        frame = 1.0 / FRAMES_PER_SECOND
        days = max(1, round(PLAY_SPEEDS[speed.value] * frame))
        while session.playing.is_set():
            started = time.monotonic()
            shot = session.play_frame(days, set_snapshot)
            if shot is None:
                break
            if shot.ended:
                session.playing.clear()
                playing.set(False)
                break
            time.sleep(max(0.0, frame - (time.monotonic() - started)))

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def on_play() -> None:
        if playing.value:
            set_snapshot(session.pause())
            playing.set(False)
        elif not session.snapshot.ended:
            session.playing.set()
            playing.set(True)

    def on_step() -> None:
        set_snapshot(session.step(STEP_SIZES[step_size.value]))

    def on_reset() -> None:
        playing.set(False)
        chosen = dict(levers.value)
        set_snapshot(session.reset(chosen))
        applied.set(chosen)

    with solara.Div(classes=["journey-page"]) as main:
        solara.Style(PAGE_CSS)
        solara.Title(PAGE_TITLE)
        with solara.Div(classes=["journey-bar", "journey-wide"]):
            solara.Text(PAGE_TITLE, classes=["journey-title"])
            solara.Button("Pause" if playing.value else "Play", on_click=on_play, color="primary",
                          icon_name="mdi-pause" if playing.value else "mdi-play")
            solara.Button("Step", on_click=on_step, color="primary", disabled=playing.value)
            solara.Button("Reset", on_click=on_reset, color="primary", outlined=True)
            solara.Select("Step moves", values=list(STEP_SIZES), value=step_size, dense=True,
                          style={"width": "9em"})
            solara.Select("Play speed", values=list(PLAY_SPEEDS), value=speed, dense=True, disabled=playing.value,
                          style={"width": "12em"})
            solara.Checkbox(label="Compare with the previous run", value=compare)
            solara.Text(f"Day {snapshot.day} of {snapshot.days}", classes=["journey-day"])
        if snapshot.ended:
            solara.Text(f"The run has ended: day {snapshot.days} was its last day. Press Reset to start a new run "
                        "(move the levers first to change it).", classes=["journey-ended", "journey-wide"])
        with solara.Column(gap="2px"):
            LeverSliders(levers, disabled=False)
            pending = levers.value != applied.value
            solara.Text("Levers changed: press Reset to start a run with them." if pending else
                        "Move a lever, then press Reset: the run restarts with it.",
                        classes=["journey-note", "journey-pending" if pending else "journey-hint"])
        with solara.Column(gap="2px"):
            if snapshot.input_error:
                solara.Error(snapshot.input_error)
            solara.Text(stage_line(snapshot), classes=["journey-stage-counts"])
            before = session.previous if compare.value else None
            table = solara.use_memo(lambda: compare_rows(snapshot, before), dependencies=[snapshot, before])
            solara.HTML(tag="div", unsafe_innerHTML=table, classes=["journey-kpi-box"])
            solara.Text(f"Run {snapshot.run}: {snapshot.settings}", classes=["journey-note", "journey-settings"])
        with solara.Div(classes=["journey-wide"]):
            key = "".join(f'<span style="--chip:{c}">{n}</span>' for n, c in zip(STAGE_NAMES, STAGE_COLOURS,
                                                                                   strict=True))
            solara.HTML(tag="div", unsafe_innerHTML=key, classes=["journey-key"])
            svgs = solara.use_memo(lambda: charts(snapshot, before), dependencies=[snapshot, before])
            with solara.Div(classes=["journey-charts"]):
                for svg in svgs:
                    Chart(svg)
    return main


page = Page


# --------------------------------------------------------------------------- console script
main = app_main  # ``journey-app`` (:func:`journeysim.cli.app_main`) serves this module's ``Page``
