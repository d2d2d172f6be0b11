"""Deprecated: calibration moved to :mod:`journeysim.experiments.calibration` (one module per concept).

The shared helpers this module held moved too: Hydra composition to
:mod:`journeysim.experiments.compose`, dotted keys to :mod:`journeysim.experiments.keys`
(``assign`` is now ``set_parameters``), plan files to :mod:`journeysim.experiments.plans` (their
values are checked by :mod:`journeysim.sim.schema.plans`, so the value readers went),
parallel runs to :mod:`journeysim.experiments.runner` (``JoblibMap`` is now ``ParallelMap``)
and the scenario file to :mod:`journeysim.experiments.scenario_file`. Every other old name
still works here, with a DeprecationWarning when this module is imported.
"""

import sys
import warnings

from journeysim.experiments.calibration import *  # noqa: F403
from journeysim.experiments.calibration import __all__ as _moved
from journeysim.experiments.calibration.cli import main, parse_truth, parser, plan_from_args
from journeysim.experiments.compose import compose_base
from journeysim.experiments.intervals import weighted_quantiles
from journeysim.experiments.keys import config_changes, flat_numbers, settable
from journeysim.experiments.keys import set_parameters as assign
from journeysim.experiments.runner import BACKENDS, QUIET_OUTPUTS, parallel_map, quiet, run_config
from journeysim.experiments.runner import ParallelMap as JoblibMap
from journeysim.experiments.scenario_file import global_scenario_yaml
from journeysim.sim.errors import EXIT_BAD_INPUT

__all__ = [*_moved, "BACKENDS", "EXIT_BAD_INPUT", "QUIET_OUTPUTS", "JoblibMap", "assign", "compose_base",
           "config_changes", "flat_numbers", "global_scenario_yaml", "parallel_map", "parse_truth", "parser",
           "plan_from_args", "quiet", "run_config", "settable", "weighted_quantiles"]

warnings.warn("journeysim.experiments.calibrate is deprecated: use journeysim.experiments.calibration "
              "(and journeysim.experiments.compose, .keys, .plans, .runner for its helpers)",
              DeprecationWarning, stacklevel=2)

if __name__ == "__main__":
    sys.exit(main())
