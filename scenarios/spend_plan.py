"""A real media plan in: a CSV of spend per channel per day or week becomes the run's budgets.

The file has a header: one time column, then one column per channel (its name, or
``spend_<name>`` as in the MMM exports), spend in currency::

    week,search,display,tv          day,spend_search,spend_display      date,search,tv
    1,1400,2100,0                   1,200,300                           2025-01-06,200,0
    2,1400,0,3500                   2,200,300                           2025-01-07,200,500

``day`` counts simulated days from 1, ``week`` 7-day blocks from day 1 (each week's spend is
spread evenly over its days), ``date`` ISO dates one day or one week apart (the first is day 1).
The plan must cover every day of the run. Amounts are what the simulated population spends
(``amounts: population``, the default: the MMM exports of a run read back as a plan give the
same spend) or budgets stated for ``population.reference_size`` customers like
``channels.*.daily_budget`` (``amounts: reference``). Channels the plan does not name keep
their budgets. Every problem is a :class:`~journeysim.sim.errors.ConfigError` naming the file,
the line or column, the value and what is allowed.

YAML::

    type: spend_plan
    file: plans/q3.csv
    amounts: population        # or reference
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import numpy as np

from journeysim.scenarios.base import Params, register
from journeysim.scenarios.budgets import BudgetLever, configured_plan
from journeysim.sim.config import RunSpec
from journeysim.sim.datafiles import Column, read_csv_table
from journeysim.sim.errors import ConfigError, closest

TIME_COLUMNS = ("day", "week", "date")
"""The time column a plan may have (exactly one)."""

AMOUNTS = ("population", "reference")
"""What a plan's amounts are: this population's spend, or budgets at ``population.reference_size``."""


def _header(path: Path, key: str) -> list[str]:
    """The header fields of the plan (the first line that is not blank or a comment)."""
    if not path.is_file():
        raise ConfigError(key, str(path), "a path to an existing CSV file of spend per channel")
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        for text in handle:
            text = text.split("#", 1)[0]
            if text.strip():
                return [field.strip() for field in next(csv.reader([text]))]
    raise ConfigError(f"{key} ({path.name})", "an empty file", "a header: day, week or date, then channel names")


def _channel_of(column: str, names: tuple[str, ...]) -> str | None:
    bare = column.removeprefix("spend_")
    return bare if bare in names else None


def read_spend_plan(path: str | Path, spec: RunSpec, *, key: str = "plan",
                    amounts: str = "population") -> tuple[np.ndarray, np.ndarray]:
    """The plan as budgets: shape (days, channels), currency per day at reference size, and the
    channels it sets (a boolean mask); the other channels keep ``channels.*.daily_budget``.

    Raises
    ------
    ConfigError
        For a missing file, an unknown or repeated column, a bad or negative amount, days or
        weeks that are not 1, 2, 3, ... in order, dates not one day or week apart, or a plan
        shorter than the run.
    """
    path = Path(path)
    if amounts not in AMOUNTS:
        raise ConfigError(f"{key}.amounts", amounts, " or ".join(AMOUNTS))
    names = spec.channel_names
    header = _header(path, key)
    where = f"{key} ({path.name}, header)"
    times = [c for c in header if c in TIME_COLUMNS]
    if len(times) != 1:
        raise ConfigError(where, ",".join(header), "exactly one time column (day, week or date) and channel columns")
    time = times[0]
    channels = [c for c in header if c != time]
    if not channels:
        raise ConfigError(where, ",".join(header), f"at least one channel column: {', '.join(names)}")
    for column in channels:
        if _channel_of(column, names) is None:
            raise ConfigError(f"{where}, column '{column}'", column,
                              f"the time column, then channels of the run, named as such or spend_<channel>: "
                              f"{closest(column.removeprefix('spend_'), names)}")
    chosen = [_channel_of(c, names) for c in channels]
    if len(set(chosen)) < len(chosen):
        raise ConfigError(where, ",".join(header), "each channel once")
    kind = "str" if time == "date" else "int"
    data = read_csv_table(path, [Column(time, kind, low=None if kind == "str" else 1),
                                 *(Column(c, "float", low=0.0) for c in channels)], key=key, header="required",
                          min_rows=1)
    period = _period(data[time], time, f"{key} ({path.name}, column '{time}')")
    rows = len(data[time])
    covered = rows * period
    if covered < spec.days:
        raise ConfigError(f"{key} ({path.name}, column '{time}')", f"{rows} {'weeks' if period == 7 else 'days'}",
                          f"a plan covering the run's {spec.days} days (extend it, or set days={covered})")
    schedule, controls = configured_plan(spec), np.zeros(len(names), bool)
    scale = spec.population.scale if amounts == "population" else 1.0
    for column, name in zip(channels, chosen, strict=True):
        k = names.index(name)
        daily = np.repeat(np.asarray(data[column], dtype=float) / period, period)[: spec.days]
        schedule[:, k], controls[k] = daily / scale, True
    return schedule, controls


def _period(values: np.ndarray, time: str, where: str) -> int:
    """Days per row (1 or 7) after checking the time column counts up without gaps."""
    if time in ("day", "week"):
        expected = np.arange(1, len(values) + 1)
        if not np.array_equal(np.asarray(values, dtype=np.int64), expected):
            first = int(np.flatnonzero(np.asarray(values, dtype=np.int64) != expected)[0])
            raise ConfigError(where, int(values[first]), f"{time} {first + 1} on data row {first + 1}: {time}s "
                                                         f"1, 2, 3, ... in order, none missing")
        return 7 if time == "week" else 1
    try:
        dates = np.array(values, dtype="datetime64[D]")
    except ValueError:
        bad = next(v for v in values if not _is_date(v))
        raise ConfigError(where, bad, "an ISO date such as 2025-01-06") from None
    steps = np.diff(dates).astype(np.int64)
    if len(dates) > 1 and not (np.all(steps == 1) or np.all(steps == 7)):
        first = int(np.flatnonzero(steps != steps[0])[0]) if np.any(steps != steps[0]) else 0
        raise ConfigError(where, str(dates[first + 1]), "dates one day apart (a daily plan) or one week apart "
                                                        "(a weekly plan), in order, none missing")
    return 7 if len(dates) > 1 and steps[0] == 7 else 1


def _is_date(text: str) -> bool:
    try:
        np.datetime64(text, "D")
    except ValueError:
        return False
    return True


@register("spend_plan")
class SpendPlan(BudgetLever):
    """The run's budgets from a CSV plan of spend per channel per day or week.

    YAML::

        type: spend_plan
        file: plans/q3.csv           # header: day, week or date, then channels (or spend_<channel>)
        amounts: population          # this population's spend (default), or reference: budgets at reference size

    The plan must cover every day of the run (rows after its last day are ignored); a week's spend
    is spread evenly over its days; channels the plan does not name keep their budgets. Put it last
    in ``levers`` so it sets its channels' budgets on every day. ``journey-truth --plan FILE`` adds it
    to any scenario.
    """

    keys = ("file", "amounts")

    @classmethod
    def from_params(cls, params: Params) -> SpendPlan:
        """Read and check the plan file."""
        if not params.has("file"):
            raise ConfigError(params.key("file"), None, "the path of a CSV plan: day, week or date, then channels")
        amounts = params.values.get("amounts", "population")
        schedule, controls = read_spend_plan(str(params.values["file"]), params.spec, key=params.key("file"),
                                             amounts=amounts)
        return cls(schedule, controls)


def with_plan(spec: RunSpec, path: str | Path, amounts: str = "population") -> RunSpec:
    """``spec`` with a :class:`SpendPlan` lever of ``path`` after its scenario's levers (so the plan
    sets the budgets of its channels on every day); checked now, so a bad plan fails before any run."""
    entry = {"type": "spend_plan", "file": str(Path(path).resolve()), "amounts": amounts}
    read_spend_plan(entry["file"], spec, key="plan", amounts=amounts)
    levers = list(spec.scenario_params.get("levers") or [])
    return replace(spec, scenario_params={**spec.scenario_params, "levers": [*levers, entry]})
