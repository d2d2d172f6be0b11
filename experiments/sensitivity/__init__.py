"""Global sensitivity analysis (SALib, Morris elementary effects) of a KPI to named config parameters.

=================  ==============================================================================
module             holds
=================  ==============================================================================
``plan``           :class:`Plan`: the KPI, the parameters and ranges, the design; the base config
``method``         the Morris design, the runs (:func:`evaluate`) and the indices (:func:`analyse`)
``result``         :class:`SensitivityResult`: design, KPI values, Morris table, files
``plots``          mu* per parameter and the mu*-sigma plane (imports matplotlib)
``cli``            ``journey-sensitivity [PLAN] [key=value ...]``
=================  ==============================================================================
"""

from journeysim.experiments.plans import Parameter
from journeysim.experiments.sensitivity.cli import main
from journeysim.experiments.sensitivity.method import analyse, evaluate, kpi_of_point, run_sensitivity, sample
from journeysim.experiments.sensitivity.plan import (
    PLAN_PACKAGE,
    Plan,
    base_config,
    bind,
    parse_plan,
    plan_mapping,
    plan_names,
    read_plan_file,
)
from journeysim.experiments.sensitivity.result import SensitivityResult, design_values

__all__ = ["PLAN_PACKAGE", "Parameter", "Plan", "SensitivityResult", "analyse", "base_config", "bind",
           "design_values", "evaluate", "kpi_of_point", "main", "parse_plan", "plan_mapping",
           "plan_names", "read_plan_file", "run_sensitivity", "sample"]
