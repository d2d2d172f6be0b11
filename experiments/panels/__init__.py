"""Marketing-mix panels of a run for three ecosystems, observed as an analyst would see them.

=================  ==============================================================================
module             holds
=================  ==============================================================================
``observed``       :class:`Observation` and :func:`observe`: measurement noise and reporting lag
``meridian``       :func:`meridian_panel` (geo x week), :func:`stack_geos`, :func:`coord_to_columns`
``robyn``          :func:`robyn_table` (``dt_input``) and :func:`robyn_inputs` (its arguments, JSON)
``exported``       :func:`panel_exports`: every panel of a run, true and observed, by file name
``lift``           :func:`lift_tests`: holdout experiments per channel and their truth; calibration inputs
``geo``            :func:`geo_truth`: regions with their own plans as jobs, the geo panel, the truth per region
=================  ==============================================================================

The PyMC-Marketing table is :func:`journeysim.experiments.exports.mmm_table`.
"""

from journeysim.experiments.panels.exported import PANEL_FILES, panel_exports, write_panels
from journeysim.experiments.panels.geo import Geo, GeoResult, default_geos, geo_truth
from journeysim.experiments.panels.lift import (
    LiftDesign,
    LiftResult,
    lift_tests,
    meridian_roi_priors,
    pymc_lift_tests,
    robyn_calibration,
)
from journeysim.experiments.panels.meridian import coord_to_columns, meridian_panel, stack_geos, weekly_reach
from journeysim.experiments.panels.observed import NONE, Observation, observe
from journeysim.experiments.panels.robyn import robyn_inputs, robyn_table

__all__ = [
    "Geo", "GeoResult", "LiftDesign", "LiftResult", "NONE", "Observation", "PANEL_FILES", "coord_to_columns",
    "default_geos", "geo_truth", "lift_tests", "meridian_panel", "meridian_roi_priors", "observe", "panel_exports",
    "pymc_lift_tests", "robyn_calibration", "robyn_inputs", "robyn_table", "stack_geos", "weekly_reach",
    "write_panels"
]
