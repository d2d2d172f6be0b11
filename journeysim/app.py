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
freed on Reset and when the session ends (the snapshot and the session are
:mod:`journeysim.page_session`).

The model behind the page, built from keyword levers, is :mod:`journeysim.classroom`. Order of
this file: the controls (levers in a trainer's words), the panels, then ``Page``;
``journey-app`` itself is :func:`journeysim.cli.app_main`.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from typing import Any

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
from journeysim.page_session import Session, Snapshot
from journeysim.sim.stages import STAGE_NAMES

__all__ = ["CUSTOMERS", "DAYS", "DEFAULT_SEED", "SAMPLE_SIZE", "SCENARIOS", "ClassroomModel", "Page", "PageModel",
           "Session", "Snapshot", "classroom_config", "lever_overrides", "parse_seed"]

PAGE_TITLE = "journeysim: customer journeys, live"  # the page's heading and its browser tab's title
FRAMES_PER_SECOND = 2.0  # at most this many snapshots a second while playing (the render-rate cap)
STEP_SIZES = {"1 day": 1, "1 week": 7, "1 month": 30, "2 months": 61, "1 year": 365}  # days per Step press
DEFAULT_STEP_SIZE = "1 week"
PLAY_SPEEDS = {"slow (7 days/s)": 7, "normal (20 days/s)": 20, "fast (60 days/s)": 60}  # days per second
DEFAULT_PLAY_SPEED = "normal (20 days/s)"


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
.journey-charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(380px, 100%), 1fr)); gap: 8px;
                  grid-auto-flow: row dense; }  /* dense: small charts fill the row before a full-width one */
.journey-charts > div { min-width: 0; }
.journey-charts > div:has(svg[aria-label^="Journey map"]) { grid-column: 1 / -1; }
.journey-charts svg[aria-label^="Journey map"] { max-width: 1500px; margin: 0 auto; }
.journey-key { display: flex; flex-wrap: wrap; gap: 2px 12px; font-size: 12.5px; }
.journey-key span::before { content: ""; display: inline-block; width: 10px; height: 10px; margin-right: 4px;
                            background: var(--chip); border-radius: 2px; }
@media (max-width: 1100px) {  /* a tablet: the KPIs under the levers */
  .journey-page { grid-template-columns: minmax(0, 1fr); }
}
@media (max-width: 700px) {  /* a phone: levers two, then one, to a row */
  .journey-levers { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .journey-levers .v-input__slot > .v-label { white-space: normal; }
  .journey-bar { row-gap: 16px; }  /* the pickers' labels clear the buttons above them */
}
@media (max-width: 480px) {
  .journey-levers { grid-template-columns: minmax(0, 1fr); }
}
"""
"""The page's layout: run controls on top, levers and KPIs side by side (stacked on a tablet or a
phone), charts below them."""


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
