"""Every panel of a run, true and observed, named by the file each is written to."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from journeysim.experiments.exports import RunRecord, mmm_table, record
from journeysim.experiments.panels.meridian import meridian_panel
from journeysim.experiments.panels.observed import Observation, observe
from journeysim.experiments.panels.robyn import robyn_inputs, robyn_table

if TYPE_CHECKING:
    from journeysim.sim.model import JourneyModel

PANEL_FILES = ("meridian_weekly", "robyn_weekly", "robyn_inputs", "mmm_weekly_observed",
               "meridian_weekly_observed", "robyn_weekly_observed")
"""Names of the panels :func:`panel_exports` returns (``robyn_inputs`` is JSON, the others tables)."""


def panel_exports(source: JourneyModel | RunRecord, seed: int,
                  observation: Observation | None = None) -> dict[str, pd.DataFrame | dict[str, Any]]:
    """The Meridian and Robyn panels of a run, and the observed MMM, Meridian and Robyn panels.

    Parameters
    ----------
    source : JourneyModel or RunRecord
        A finished run (its journey log, if any, gives Meridian's weekly reach).
    seed : int
        The run's seed (the observed panels draw from its stream ``observation``).
    observation : Observation, optional
        Noise and reporting lag of the observed panels (default :class:`Observation`).
    """
    rec = source if isinstance(source, RunRecord) else record(source, need_events=False)
    seen = observe(rec, seed, observation)
    robyn = robyn_table(rec)
    return {"meridian_weekly": meridian_panel(rec), "robyn_weekly": robyn, "robyn_inputs": robyn_inputs(robyn),
            "mmm_weekly_observed": mmm_table(seen, "W"), "meridian_weekly_observed": meridian_panel(seen),
            "robyn_weekly_observed": robyn_table(seen)}


def write_panels(directory: str | Path, panels: dict[str, pd.DataFrame | dict[str, Any]]) -> list[Path]:
    """Write each panel as ``<name>.csv`` (``robyn_inputs.json`` for the Robyn arguments)."""
    from journeysim.outputs import write_csv, write_json

    directory = Path(directory)
    return [write_json(directory / f"{name}.json", value) if isinstance(value, dict)
            else write_csv(directory / f"{name}.csv", value) for name, value in panels.items()]
