"""The trainer's page's charts as small inline SVG: cheap to make on the server, crisp at any size.

A matplotlib PNG of a panel costs 60-110 ms to draw on this machine; these strings cost about a
millisecond, so a class of browser sessions can share one server (issue #28). Each chart is a pure
function of arrays: it never reads a model, so the page draws from one snapshot of the run.

Every chart scales to the width of its box (``viewBox``, no fixed pixel size), so it never
overflows at 1366 x 768 or 1920 x 1080. Numbers on axes are written by :mod:`journeysim.units`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from journeysim import units

WIDTH, HEIGHT = 480, 260  # viewBox units of a chart (its aspect ratio; the box sets the pixels)
MARGIN = {"left": 52, "right": 12, "top": 26, "bottom": 34}  # viewBox units around the plot area
MAX_POINTS = 240  # points per drawn line: a 730-day series is thinned to this, evenly
FONT = 'font-family="sans-serif" font-size="12" fill="#333"'
SMALL = 'font-family="sans-serif" font-size="11"'  # dense panels' text (with a fill of its own)


@dataclass(frozen=True)
class Frame:
    """The plot area of a chart and its data ranges (x from 0 to ``x_max``, y from 0 to ``y_max``)."""

    x_max: float
    y_max: float
    width: float = WIDTH
    height: float = HEIGHT

    @property
    def left(self) -> float:
        """Left edge of the plot area (viewBox units)."""
        return MARGIN["left"]

    @property
    def right(self) -> float:
        """Right edge of the plot area (viewBox units)."""
        return self.width - MARGIN["right"]

    @property
    def top(self) -> float:
        """Top edge of the plot area (viewBox units)."""
        return MARGIN["top"]

    @property
    def bottom(self) -> float:
        """Bottom edge of the plot area (viewBox units)."""
        return self.height - MARGIN["bottom"]

    def x(self, values: np.ndarray | float) -> np.ndarray | float:
        """Data x (days) to viewBox x."""
        return self.left + (self.right - self.left) * np.asarray(values, float) / max(self.x_max, 1e-9)

    def y(self, values: np.ndarray | float) -> np.ndarray | float:
        """Data y to viewBox y (up is more)."""
        return self.bottom - (self.bottom - self.top) * np.asarray(values, float) / max(self.y_max, 1e-9)


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``top`` (steps of 1, 2 or 5 times a power of ten)."""
    if not top > 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return [k * step for k in range(int(math.ceil(top / step - 1e-9)) + 1)]


def thin(values: np.ndarray, limit: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most ``limit`` evenly spaced points of ``values``, the last one kept."""
    n = len(values)
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(np.int64))


def _points(xs: np.ndarray, ys: np.ndarray) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))


def _svg(body: list[str], title: str, label: str, width: float = WIDTH, height: float = HEIGHT) -> str:
    """An SVG element scaled to its box's width, with a title line and an accessible label."""
    return (f'<svg class="journey-chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
            f'aria-label="{html.escape(label)}" preserveAspectRatio="xMidYMid meet" '
            f'style="display:block;max-height:100%">'
            f'<text x="{width / 2}" y="16" text-anchor="middle" {FONT} font-weight="bold">{html.escape(title)}</text>'
            + "".join(body) + "</svg>")


def _axes(frame: Frame, x_label: str, y_label: str, y_unit: str = units.COUNT,
          currency: units.Currency = units.DEFAULT_CURRENCY) -> list[str]:
    """Axis lines, round ticks and labels (tick text by :func:`journeysim.units.axis_formatter`)."""
    body = [f'<path d="M{frame.left},{frame.top}V{frame.bottom}H{frame.right}" stroke="#777" fill="none"/>']
    y_ticks = [v for v in nice_ticks(frame.y_max) if v <= frame.y_max * 1.0001]
    labels = units.axis_formatter(y_unit, currency).format_ticks(y_ticks)
    for value, text in zip(y_ticks, labels, strict=True):
        y = frame.y(value)
        body.append(f'<line x1="{frame.left - 4}" x2="{frame.right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e4e4"/>'
                    f'<text x="{frame.left - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT}>{html.escape(text)}</text>')
    for value in [v for v in nice_ticks(frame.x_max, 6) if v <= frame.x_max * 1.0001]:
        x = frame.x(value)
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{frame.bottom}" y2="{frame.bottom + 4}" stroke="#777"/>'
                    f'<text x="{x:.1f}" y="{frame.bottom + 16}" text-anchor="middle" {FONT}>{value:g}</text>')
    body.append(f'<text x="{(frame.left + frame.right) / 2}" y="{frame.height - 3}" text-anchor="middle" '
                f'{FONT}>{html.escape(x_label)}</text>')
    body.append(f'<text x="4" y="{frame.top - 10}" text-anchor="start" {FONT} fill="#555">'
                f'{html.escape(y_label)}</text>')
    return body


def stacked_area_svg(counts: np.ndarray, days: int, total: int, names: Sequence[str],
                     colours: Sequence[str], title: str) -> str:
    """Stacked areas of ``counts`` (days so far x groups) on a 0..``days`` by 0..``total`` frame.

    Parameters
    ----------
    counts : ndarray
        Customers in each group (columns) on each day 0, 1, ... (rows).
    days : int
        Length of the run (days): the x axis always spans the whole run.
    total : int
        Customers in the population (the y axis' top).
    names, colours : sequence of str
        Each column's name and fill colour.
    title : str
        The chart's title.
    """
    frame = Frame(days, total)
    body = _axes(frame, "day", "customers")
    rows = thin(counts[:, 0])
    xs = frame.x(rows)
    tops = np.cumsum(counts[rows].astype(float), axis=1)
    bottoms = tops - counts[rows]
    for k in range(counts.shape[1]):
        if not counts[rows, k].any():
            continue
        upper, lower = frame.y(tops[:, k]), frame.y(bottoms[:, k])
        body.append(f'<polygon points="{_points(xs, upper)} {_points(xs[::-1], lower[::-1])}" '
                    f'fill="{colours[k]}" stroke="none"><title>{html.escape(names[k])}</title></polygon>')
    return _svg(body, title, f"{title}: customers in each stage by day")


@dataclass(frozen=True)
class Line:
    """One series of a line chart: y by day 0, 1, ..., with its name, colour and dash."""

    name: str
    values: np.ndarray
    colour: str
    dashed: bool = False


def lines_svg(lines: Sequence[Line], days: int, title: str, y_label: str, y_unit: str = units.COUNT,
              currency: units.Currency = units.DEFAULT_CURRENCY, y_floor: float = 5.0) -> str:
    """Lines by day on a 0..``days`` axis; y from 0 to the largest value (at least ``y_floor``).

    Parameters
    ----------
    lines : sequence of Line
        The series, drawn in order; a legend names them.
    days : int
        Length of the run (days).
    title, y_label : str
        Title and the y axis' name with its unit.
    y_unit : str
        A :mod:`journeysim.units` unit for the y ticks.
    currency : Currency
        For money ticks.
    y_floor : float
        The y axis' top when every value is below it (an empty run's axis stays readable).
    """
    top = max([y_floor, *(float(np.nanmax(line.values)) for line in lines if np.isfinite(line.values).any())])
    frame = Frame(days, nice_ticks(top)[-1])
    body = _axes(frame, "day", y_label, y_unit, currency)
    for k, line in enumerate(lines):
        legend_x = frame.left + 10 + 150 * k
        dash = ' stroke-dasharray="6 4"' if line.dashed else ""
        body.append(f'<line x1="{legend_x}" x2="{legend_x + 18}" y1="{frame.top + 8}" y2="{frame.top + 8}" '
                    f'stroke="{line.colour}" stroke-width="2"{dash}/>'
                    f'<text x="{legend_x + 22}" y="{frame.top + 12}" {FONT}>{html.escape(line.name)}</text>')
        if len(line.values) < 2:
            continue
        rows = thin(line.values)
        rows = rows[np.isfinite(line.values[rows])]  # undefined days (a share before any order) are not drawn
        body.append(f'<polyline points="{_points(frame.x(rows), frame.y(line.values[rows]))}" fill="none" '
                    f'stroke="{line.colour}" stroke-width="2"{dash}/>')
    return _svg(body, title, f"{title}: {', '.join(line.name for line in lines)} by day")


def funnel_svg(reached: dict[str, int], total: int, colours: dict[str, str],
               previous: dict[str, int] | None = None) -> str:
    """Customers who have ever reached each funnel stage, as bars on a 0..``total`` axis.

    Parameters
    ----------
    reached : dict
        Stage name -> customers who have reached it, in funnel order.
    total : int
        Customers in the population: the axis' length, so day 0 shows empty bars on a real scale.
    colours : dict
        Stage name -> bar colour.
    previous : dict, optional
        The previous run's counts, drawn as outlined bars under this run's for comparison.
    """
    height = 40 + 34 * len(reached)
    frame = Frame(total, 1, height=height)
    left = 96
    span = frame.right - left - 130  # room for the numbers after the longest bar
    body = []
    for value in nice_ticks(total, 4):
        x = left + span * value / max(total, 1)
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="26" y2="{height - 20}" stroke="#eee"/>'
                    f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" {FONT}>{units.compact(value)}</text>')
    counts = list(reached.values())
    for k, (name, count) in enumerate(reached.items()):
        y = 30 + 34 * k
        width = span * count / max(total, 1)
        if previous is not None:
            old = span * previous.get(name, 0) / max(total, 1)
            body.append(f'<rect x="{left}" y="{y - 2}" width="{old:.1f}" height="26" fill="none" stroke="#222" '
                        f'stroke-dasharray="4 3"><title>previous run: {previous.get(name, 0):,}</title></rect>')
        step = f" ({count / counts[k - 1]:.0%} of previous stage)" if k and counts[k - 1] else ""
        body.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" {FONT}>{html.escape(name)}</text>'
                    f'<rect x="{left}" y="{y}" width="{width:.1f}" height="22" fill="{colours[name]}"/>'
                    f'<text x="{left + width + 4:.1f}" y="{y + 15}" {FONT}>{count:,}{html.escape(step)}</text>')
    return _svg(body, "Funnel: customers who ever reached each stage",
                "Funnel: customers who have ever reached aware, considering, deciding and customer",
                height=height)


def network_svg(layout: np.ndarray, edges: np.ndarray, colours: Sequence[str], title: str) -> str:
    """Sampled customers (dots coloured by stage) and the ties among them.

    Parameters
    ----------
    layout : ndarray
        Positions, customers x 2, any scale (fitted to the box).
    edges : ndarray
        Ties as pairs of rows of ``layout``.
    colours : sequence of str
        Each customer's fill colour.
    title : str
        The chart's title.
    """
    width, height, pad = WIDTH, 300, 10
    low, high = layout.min(axis=0), layout.max(axis=0)
    scale = np.maximum(high - low, 1e-9)
    xy = np.column_stack([pad + (width - 2 * pad) * (layout[:, 0] - low[0]) / scale[0],
                          24 + (height - 24 - pad) * (layout[:, 1] - low[1]) / scale[1]])
    body = []
    if len(edges):
        path = "".join(f"M{xy[a, 0]:.1f},{xy[a, 1]:.1f}L{xy[b, 0]:.1f},{xy[b, 1]:.1f}" for a, b in edges)
        body.append(f'<path d="{path}" stroke="#9e9e9e" stroke-width="0.5" stroke-opacity="0.6" fill="none"/>')
    body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.2" fill="{c}" stroke="#555" stroke-width="0.3"/>'
             for (x, y), c in zip(xy, colours, strict=True)]
    return _svg(body, title, f"{title}: customers coloured by their stage", width, height)


def journey_map_svg(rows: Sequence[dict], colours: dict[str, str], day: int) -> str:
    """The journey map of everyone, stages left to right (the page's compact form of
    :func:`journeysim.journey_map.plot_journey_map`).

    Per stage: customers there on an average day and the median stay (days); a bar of how
    stays ended (onward, back, drop-off, still there) with its shares; the largest pain point
    per 100 stays; and mean satisfaction at the end of the stays (-1 to +1).

    Parameters
    ----------
    rows : sequence of dict
        The ``journey_map`` table's rows for everyone (persona ``all``), in stage order.
    colours : dict
        Stage name -> box colour.
    day : int
        The day the map is drawn at (days run so far).
    """
    from journeysim.journey_map import DARK_STAGES, stay_ends, top_pains

    width, height = 1280, 208
    column = width / max(len(rows), 1)
    body = []
    for k, row in enumerate(rows):
        left, middle, stage = k * column + 3, (k + 0.5) * column, row["stage"]
        ink = "#fff" if stage in DARK_STAGES else "#000"
        median = row["median_days"]
        stay = f"median stay {units.format_value(median, units.DAYS, 0)}" if np.isfinite(median) else "no stay ended"
        on_a_day = f"{units.format_value(row['mean_customers'], units.COUNT)} on a day"
        box = f'x="{left:.1f}" y="26" width="{column - 6:.1f}" height="52" rx="6" fill="{colours[stage]}"'
        body.append(f"<rect {box}/>")
        for y, text, extra in ((42, stage, ' font-weight="bold"'), (58, on_a_day, ""), (72, stay, "")):
            body.append(f'<text x="{middle:.1f}" y="{y}" text-anchor="middle" {SMALL} fill="{ink}"{extra}>'
                        f'{html.escape(text)}</text>')
        bar_left, bar_width = left + 6, column - 18
        for label, share, colour in stay_ends(row):
            part = bar_width * (share if np.isfinite(share) else 0.0)
            body.append(f'<rect x="{bar_left:.1f}" y="88" width="{part:.1f}" height="9" fill="{colour}">'
                        f'<title>{label} {units.format_value(share, units.PERCENT)}</title></rect>')
            bar_left += part
        ends = {label: units.format_value(share, units.PERCENT) for label, share, _ in stay_ends(row)}
        pains = top_pains(row, 1)
        satisfaction = row["mean_satisfaction"]
        lines = [(112, f"onward {ends['onward']} · back {ends['back']}", "#333"),
                 (126, f"drop {ends['drop']} · still {ends['still']}", "#333"),
                 (146, pains[0][0] if pains else "no pain points", "#a50026" if pains else "#777"),
                 (160, f"{pains[0][1]:.1f} per 100 stays" if pains else "", "#a50026"),
                 (180, f"satisfaction {satisfaction:+.2f}" if np.isfinite(satisfaction) else "satisfaction n/a",
                  "#762a83")]
        body += [f'<text x="{middle:.1f}" y="{y}" text-anchor="middle" {SMALL} fill="{ink_colour}">'
                 f'{html.escape(text)}</text>' for y, text, ink_colour in lines if text]
    body.append(f'<text x="4" y="{height - 6}" {SMALL} fill="#555">'
                f'stays end: onward, back (fall-back), drop (drop-off), still there · pain points per 100 stays · '
                f'satisfaction from -1 (angry) to +1 (delighted)</text>')
    title = f"Journey map: what happens to customers in each stage (days 1-{day})" if day else \
        "Journey map: what happens to customers in each stage"
    return _svg(body, title, f"{title}: per stage, customers on a day, median stay, how stays end, pain points "
                             "and satisfaction", width, height)
