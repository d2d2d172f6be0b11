"""The journey map: per persona and overall, what happens to customers in each stage.

The map practitioners draw (personas, stages left to right, touchpoints, actions, pain points,
emotions), computed from what a run records in :class:`journeysim.sim.stage_stays.StageStays`:

* ``journey_map`` — one row per persona (and ``all``) and stage: customers there on an average
  day, stays begun, the median length of a finished stay, how stays ended (onward, fall-back,
  drop-off) or that they are still open, pain points per 100 stays, and mean satisfaction at
  the end of the stays (the "emotions" line);
* ``journey_touchpoints`` — one row per persona, stage and channel: exposures that reached
  customers in the stage and their share of the stage's exposures;
* ``journey_map_by_device`` and ``journey_touchpoints_by_device`` — the same by the customers'
  primary device (``device``: mobile, desktop, tablet and ``all``) instead of persona.

:func:`plot_journey_map` draws the map for one persona or everyone; every run writes both tables
and ``journey_map.png`` (with ``outputs.figures``); ``Result.plot_journey_map`` draws it from a
result or a loaded run directory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from journeysim.sim.errors import ConfigError
from journeysim.sim.schema.devices import DEVICES
from journeysim.sim.stage_stays import PAIN_POINTS
from journeysim.sim.stages import STAGE_NAMES, Stage

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from journeysim.sim.model import JourneyModel

ALL = "all"
"""The persona label of the rows for everyone."""

GROUPINGS = ("persona", "device")
"""How the journey map's rows are grouped: by persona, or by the customers' primary device."""

ENDS = ("onward", "fall_back", "drop_off")
"""How a stay ends: onward (a later stage; from lapsed, any move back into the journey), fall-back
(an earlier stage still in the journey) or drop-off (back to unaware, or lapsed)."""

PAIN_LABELS = {"abandoned_carts": "carts abandoned", "long_support_waits": "long support waits",
               "late_deliveries": "late parcels", "returns": "returns",
               "negative_word_of_mouth": "bad word of mouth"}
"""Pain points as the figure names them."""


END_STYLES = {"onward": ("onward", "#1a9850"), "fall_back": ("back", "#f46d43"), "drop_off": ("drop", "#a50026"),
              "open": ("still", "#999999"), "left_market": ("left", "#4575b4")}
"""How each way a stay ends is named and coloured in a journey map: key of ``<key>_share`` -> (label, colour).
``left_market`` (the customer left an open market) is shown only where some stays ended so."""

DARK_STAGES = frozenset({"considering", "deciding", "loyal", "advocate"})
"""Stages whose colour is dark enough for white text."""


def stay_ends(row: Any) -> list[tuple[str, float, str]]:
    """(label, share of stays, colour) of each way a stage's stays ended, from a ``journey_map`` row."""
    return [(label, float(row[f"{key}_share"]), colour) for key, (label, colour) in END_STYLES.items()
            if key != "left_market" or row[f"{key}_share"] > 0]


def top_pains(row: Any, count: int = 3) -> list[tuple[str, float]]:
    """The ``count`` largest pain points of a ``journey_map`` row: (label, per 100 stays), largest first."""
    pains = [(PAIN_LABELS[p], float(row[f"{p}_per_100_stays"])) for p in PAIN_POINTS
             if row[f"{p}_per_100_stays"] >= 0.05]
    return sorted(pains, key=lambda item: -item[1])[:count]


def end_kinds() -> np.ndarray:
    """``kind[old, new]``: 0 onward, 1 fall-back, 2 drop-off for a move from ``old`` to ``new``."""
    n = len(Stage)
    kind = np.zeros((n, n), np.int64)
    for old in range(n):
        for new in range(n):
            if new == Stage.LAPSED or (new == Stage.UNAWARE and old != Stage.LAPSED):
                kind[old, new] = 2
            elif old != Stage.LAPSED and new < old:
                kind[old, new] = 1
    return kind


# ------------------------------------------------------------------ the tables
def journey_map_tables(model: JourneyModel, by: str = "persona") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``journey_map`` and ``journey_touchpoints`` tables of a run (see :mod:`journeysim.columns`),
    by persona, or with ``by="device"`` by primary device (``journey_map_by_device`` and
    ``journey_touchpoints_by_device``: the column ``device`` instead of ``persona``)."""
    import pandas as pd

    if by not in GROUPINGS:
        raise ConfigError("by", by, f"one of {', '.join(GROUPINGS)}")
    stays, days = (model.stays, max(model.day, 1)) if by == "persona" else (model.stays.also, max(model.day, 1))
    spent_open, satisfaction_open = stays.open_stays(model.day)
    names = (*(model.population.names if by == "persona" else DEVICES), ALL)

    def with_all(a: np.ndarray) -> np.ndarray:
        return np.concatenate([a, a.sum(axis=0, keepdims=True)])

    ended_lengths = with_all(stays.lengths)  # (personas + 1, stages, days + 1)
    moves = with_all(stays.moves)
    started = with_all(stays.started)
    still_open = with_all(stays.occupancy)
    lengths = np.arange(ended_lengths.shape[2])
    ended_days = (ended_lengths * lengths).sum(axis=2)
    departures = with_all(stays.departures)  # stays ended by leaving the market (open population)
    spent = ended_days + with_all(spent_open) + with_all(stays.departed_days)
    kinds = end_kinds()
    ends = np.stack([(moves * (kinds == k)).sum(axis=2) for k in range(len(ENDS))])  # (3, personas + 1, stages)
    ended = ended_lengths.sum(axis=2)
    satisfaction = with_all(stays.left_satisfaction) + with_all(satisfaction_open)
    pains = np.stack([with_all(p) for p in stays.pains])
    rows = []
    for p, persona in enumerate(names):
        for s, stage in enumerate(STAGE_NAMES):
            n = started[p, s]
            row = {by: persona, "stage": stage, "mean_customers": spent[p, s] / days,
                   "stays": int(n), "median_days": _median(ended_lengths[p, s]),
                   **{f"{end}_share": _share(ends[k, p, s], n) for k, end in enumerate(ENDS)},
                   "open_share": _share(still_open[p, s], n),
                   "left_market_share": _share(departures[p, s], n),
                   **{f"{pain}_per_100_stays": 100 * _share(pains[k, p, s], n) for k, pain in enumerate(PAIN_POINTS)},
                   "mean_satisfaction": _share(satisfaction[p, s], ended[p, s] + still_open[p, s] + departures[p, s])}
            rows.append(row)
    table = pd.DataFrame(rows)
    exposures = with_all(stays.exposures)
    totals = exposures.sum(axis=2, keepdims=True)
    share = np.divide(exposures, totals, out=np.full_like(exposures, np.nan), where=totals > 0)
    p, s, c = np.meshgrid(np.arange(len(names)), np.arange(len(STAGE_NAMES)), np.arange(exposures.shape[2]),
                          indexing="ij")
    touchpoints = pd.DataFrame({by: np.array(names, dtype=object)[p.ravel()],
                                "stage": np.array(STAGE_NAMES, dtype=object)[s.ravel()],
                                "channel": np.array(model.spec.channel_names, dtype=object)[c.ravel()],
                                "exposures": exposures.ravel(), "share": share.ravel()})
    return table, touchpoints


def _median(counts: np.ndarray) -> float:
    """Median of a histogram of whole days (NaN if empty)."""
    total = counts.sum()
    if total == 0:
        return float("nan")
    cumulative = np.cumsum(counts)
    low = int(np.searchsorted(cumulative, (total + 1) // 2))
    high = int(np.searchsorted(cumulative, total // 2 + 1))
    return (low + high) / 2


def _share(part: float, whole: float) -> float:
    return float(part) / float(whole) if whole > 0 else float("nan")


# ------------------------------------------------------------------ the figure
def plot_journey_map(table: pd.DataFrame, touchpoints: pd.DataFrame, persona: str | None = None,
                     ax: Axes | None = None, top_channels: int = 3, **kwargs: Any) -> Axes:
    """Draw the journey map of one persona (or everyone): stages left to right.

    Lanes from top to bottom: customers there on an average day and the median days a stay
    lasts; the channels whose exposures reached customers there (share of the stage's
    exposures); how stays ended (onward, fall-back, drop-off, still there); the pain points
    per 100 stays; and the satisfaction line (mean satisfaction, -1 angry to 1 delighted, at
    the end of the stays).

    Parameters
    ----------
    table, touchpoints : DataFrame
        The run's ``journey_map`` and ``journey_touchpoints`` tables.
    persona : str, optional
        A persona's name (default: everyone).
    ax : Axes, optional
        Where to draw (default: a new figure).
    top_channels : int
        Channels listed per stage.
    **kwargs
        Options of the satisfaction line (``color``, ``linewidth``, ...).

    Raises
    ------
    ConfigError
        If ``persona`` is not a persona of the run.
    """
    from journeysim.plots import STAGE_COLOURS, _axes
    from journeysim.sim.errors import ConfigError
    from journeysim.units import COUNT, DAYS, PERCENT, format_value

    who = ALL if persona is None else persona
    allowed = sorted(set(table["persona"]) - {ALL})
    if who not in set(table["persona"]):
        raise ConfigError("persona", persona, f"one of the run's personas: {', '.join(allowed)} (or None: everyone)")
    rows = table[table["persona"] == who].set_index("stage").reindex(list(STAGE_NAMES))
    shown = [s for s in STAGE_NAMES if rows.loc[s, "stays"] > 0]
    ax = _axes(ax, "journey_map")
    ax.set_xlim(-1.1, len(shown) - 0.5)
    ax.set_ylim(-0.2, 10.2)
    ax.axis("off")
    lanes = {"stage": 9.3, "channels": 7.4, "ends": 5.4, "pains": 3.4}
    for label, y in (("reached by", lanes["channels"] + 0.5), ("stays end", lanes["ends"] + 0.5),
                     ("pain points\nper 100 stays", lanes["pains"] + 0.5), ("satisfaction\n(−1 to +1)", 1.0)):
        ax.text(-1.05, y, label, fontsize=9, color="#555555", va="center", ha="left", style="italic")
    for x, stage in enumerate(shown):
        r = rows.loc[stage]
        colour = STAGE_COLOURS[stage]
        dark = stage in DARK_STAGES
        ax.add_patch(_box(x, lanes["stage"], colour))
        ax.text(x, lanes["stage"] + 0.35, stage, ha="center", va="center", fontsize=11, weight="bold",
                color="white" if dark else "black")
        days = format_value(r["median_days"], DAYS, 0) if np.isfinite(r["median_days"]) else "no stay ended"
        ax.text(x, lanes["stage"] - 0.3, f"{format_value(r['mean_customers'], COUNT)} on a day\nmedian stay {days}",
                ha="center", va="center", fontsize=8.5, color="white" if dark else "black", linespacing=1.3)
        reach = touchpoints[(touchpoints["persona"] == who) & (touchpoints["stage"] == stage)]
        reach = reach[reach["exposures"] > 0].nlargest(top_channels, "exposures")
        lines = [f"{c} {format_value(v, PERCENT)}" for c, v in zip(reach["channel"], reach["share"], strict=True)]
        ax.text(x, lanes["channels"], "\n".join(lines) or "no exposures", ha="center", va="top", fontsize=8.5)
        ends = stay_ends(r)
        ax.text(x, lanes["ends"], "\n".join(f"{name} {format_value(v, PERCENT)}" for name, v, _ in ends),
                ha="center", va="top", fontsize=8.5)
        _end_bar(ax, x, lanes["ends"] + 0.2, ends)
        pains = top_pains(r)
        ax.text(x, lanes["pains"], "\n".join(f"{name} {value:.1f}" for name, value in pains) or "none",
                ha="center", va="top", fontsize=8.5, color="#a50026" if pains else "#777777")
    satisfaction = rows.loc[shown, "mean_satisfaction"].to_numpy(dtype=float)
    band = 1.0 + 0.9 * np.nan_to_num(satisfaction)  # -1..1 mapped onto 0.1..1.9
    ax.axhline(1.0, xmin=0.02, color="#bbbbbb", linewidth=0.8, linestyle=":")
    ax.plot(np.arange(len(shown)), band, **{"color": "#762a83", "linewidth": 2.2, "marker": "o", **kwargs})
    for x, value in enumerate(satisfaction):
        ax.text(x, 1.0 + 0.9 * np.nan_to_num(value) + 0.25, _signed(value),
                ha="center", fontsize=8, color="#762a83")
    title = "Journey map: everyone" if who == ALL else f"Journey map: {who}"
    ax.set_title(title, fontsize=13, loc="left")
    return ax


def _signed(value: float) -> str:
    """Satisfaction with its sign, ``0.00`` unsigned, ``n/a`` if undefined."""
    if not np.isfinite(value):
        return "n/a"
    text = f"{value:+.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text


def _box(x: float, y: float, colour: str):
    from matplotlib.patches import FancyBboxPatch

    return FancyBboxPatch((x - 0.46, y - 0.65), 0.92, 1.3, boxstyle="round,pad=0.02,rounding_size=0.08",
                          facecolor=colour, edgecolor="none")


def _end_bar(ax: Axes, x: float, y: float, ends: list[tuple[str, float, str]]) -> None:
    """A thin stacked bar of how stays ended, above the lane's text."""
    left = x - 0.4
    for _, share, colour in ends:
        width = 0.8 * (share if np.isfinite(share) else 0.0)
        ax.add_patch(_rect(left, y, width, colour))
        left += width


def _rect(x: float, y: float, width: float, colour: str):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), width, 0.18, facecolor=colour, edgecolor="none")


class JourneyMapViews:
    """What a :class:`journeysim.Result` offers of its journey map (mixed into ``Result``)."""

    journey_map: pd.DataFrame | None
    journey_touchpoints: pd.DataFrame | None

    def plot_journey_map(self, persona: str | None = None, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """The journey map of ``persona`` (default: everyone), stages left to right
        (see :func:`journeysim.journey_map.plot_journey_map`).

        Raises
        ------
        ConfigError
            If the run has no journey map (written before journey maps) or ``persona`` is unknown.
        """
        if self.journey_map is None or self.journey_touchpoints is None:
            from journeysim.sim.errors import ConfigError

            raise ConfigError("journey_map", None, "a run written with its journey_map and journey_touchpoints "
                                                   "tables (re-run it)")
        return plot_journey_map(self.journey_map, self.journey_touchpoints, persona=persona, ax=ax, **kwargs)
