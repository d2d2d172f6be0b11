"""The Robyn inputs: its ``dt_input`` data frame as a table and its model inputs as JSON.

Robyn (Meta's MMM, an R package) takes one data frame, ``dt_input``, and names the role of its
columns in ``robyn_inputs()``: ``date_var`` (dates as ``2020-01-01``; weekly data must start
weeks on a Monday or a Sunday), ``dep_var`` with ``dep_var_type`` (``"revenue"`` or
``"conversion"``), ``paid_media_spends`` and, in the same order, ``paid_media_vars`` (exposure
metrics such as impressions), ``context_vars`` (price, promotion), ``organic_vars`` (activity
without spend), ``factor_vars``, ``prophet_vars`` (``trend``, ``season``, ``weekday``,
``holiday``), ``window_start`` and ``window_end`` (Robyn's ``R/man/robyn_inputs.Rd``, checked
by ``tests/test_panels.py``). R does not run here: ``docs/attribution.md`` has the R snippet.

:func:`robyn_table` writes only the columns the inputs name, so nothing else (no outcome but
the dependent variable) is in ``dt_input``; :func:`robyn_inputs` writes the arguments.
Robyn's calibration input (experiments) comes from the lift tests
(:func:`journeysim.experiments.panels.lift.robyn_calibration`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from journeysim.experiments.exports import START_DATE, RunRecord, mmm_table, record
from journeysim.sim.errors import ConfigError

if TYPE_CHECKING:
    from journeysim.api import Result
    from journeysim.sim.model import JourneyModel

DATE = "DATE"
"""Robyn's date column (its demo data's name)."""

DEPENDENT = {"revenue": ("revenue", "revenue"), "conversion": ("acquisitions", "conversion")}
"""``dep_var_type`` -> (dependent column, Robyn's type name)."""

CONTEXT = ("promotion", "discount")
"""Context variables: promotion days and the discount off the list price."""

ROBYN_ARGUMENTS = ("dt_input", "dt_holidays", "date_var", "dep_var", "dep_var_type", "prophet_vars",
                   "prophet_signs", "prophet_country", "context_vars", "context_signs", "paid_media_vars",
                   "paid_media_signs", "paid_media_spends", "organic_vars", "organic_signs", "factor_vars",
                   "adstock", "hyperparameters", "window_start", "window_end", "cores", "iterations", "trials",
                   "nevergrad_algo", "calibration_input", "InputCollect")
"""The arguments of ``robyn_inputs()`` as Robyn documents them (``R/man/robyn_inputs.Rd``)."""


def robyn_table(source: JourneyModel | Result | RunRecord, freq: str = "W", *, dep_var_type: str = "revenue",
                start_date: str = START_DATE, channels: str | list[str] = "active") -> pd.DataFrame:
    """Robyn's ``dt_input``: one row per day or whole week.

    Returns
    -------
    DataFrame
        ``DATE`` (ISO date of the day or of the week's Monday), the dependent variable
        (``revenue``, currency, net of refunds as booked, so a week with more refunds than sales is
        below 0 in a small market; or ``acquisitions``), ``spend_<channel>`` (currency) and
        ``impressions_<channel>`` (exposures), ``promotion`` and ``discount``. A shorter last
        week is dropped.
    """
    if dep_var_type not in DEPENDENT:
        raise ConfigError("dep_var_type", dep_var_type, "revenue or conversion")
    rec = source if isinstance(source, RunRecord) else record(source, need_events=False)
    table = mmm_table(rec, freq, start_date=start_date, channels=channels)
    if freq == "W":
        table = table[table["days"] == 7]
    spends = [c for c in table.columns if c.startswith("spend_")]
    media = [c for c in table.columns if c.startswith("impressions_")]
    column = DEPENDENT[dep_var_type][0]
    out = pd.DataFrame({DATE: table["date"].dt.strftime("%Y-%m-%d"), column: table[column]})
    return pd.concat([out, table[spends + media + list(CONTEXT)]], axis=1).reset_index(drop=True)


def robyn_inputs(table: pd.DataFrame, freq: str = "W", *, dep_var_type: str = "revenue") -> dict[str, Any]:
    """The ``robyn_inputs()`` arguments for :func:`robyn_table`'s table (all but the data frames).

    Parameters
    ----------
    table : DataFrame
        The output of :func:`robyn_table` (same ``dep_var_type``).
    freq : {"W", "D"}
        The table's period (daily data also gets Prophet's ``weekday``).
    dep_var_type : {"revenue", "conversion"}
        The dependent variable's type.
    """
    if dep_var_type not in DEPENDENT:
        raise ConfigError("dep_var_type", dep_var_type, "revenue or conversion")
    spends = [c for c in table.columns if c.startswith("spend_")]
    column, kind = DEPENDENT[dep_var_type]
    return {
        "date_var": DATE, "dep_var": column, "dep_var_type": kind,
        "prophet_vars": ["trend", "season", *(["weekday"] if freq == "D" else [])],
        "prophet_signs": ["default", "default", *(["default"] if freq == "D" else [])],
        "context_vars": list(CONTEXT), "context_signs": ["default"] * len(CONTEXT),
        "paid_media_spends": spends,
        "paid_media_vars": [f"impressions_{c.removeprefix('spend_')}" for c in spends],
        "paid_media_signs": ["positive"] * len(spends),
        "organic_vars": [], "factor_vars": [], "adstock": "geometric",
        "window_start": str(table[DATE].iloc[0]) if len(table) else None,  # no whole week: no window
        "window_end": str(table[DATE].iloc[-1]) if len(table) else None,
    }
