"""Calibrate named model parameters to observed weekly aggregates (ABC-SMC with pyabc).

=================  ==============================================================================
module             holds
=================  ==============================================================================
``plan``           :class:`CalibrationPlan`: parameters and priors, the runs compared, the size
``observed``       :class:`Observed` and :func:`read_observed`: the weekly CSV, read and checked
``statistics``     the statistics compared and :func:`weekly_statistics` of a finished run
``method``         :func:`calibrate`: ABC-SMC, the posterior predictive, :func:`synthesise`
``result``         :class:`Calibration`: posterior, fitted values, calibrated scenario, files
``plots``          observed vs simulated, and the posterior of each parameter
``cli``            ``journey-calibrate PLAN DATA``
=================  ==============================================================================
"""

from journeysim.experiments.calibration.cli import main
from journeysim.experiments.calibration.method import (
    Simulator,
    base_config,
    calibrate,
    posterior_predictive,
    prepare,
    run_abc,
    run_seed,
    seeded_sampler,
    synthesise,
)
from journeysim.experiments.calibration.observed import Observed, read_observed, write_observed
from journeysim.experiments.calibration.plan import (
    PLAN_PACKAGE,
    CalibrationPlan,
    bind,
    parse_plan,
    plan_mapping,
    read_plan_file,
)
from journeysim.experiments.calibration.plots import fit_figure, plot_fit, plot_posterior, posterior_figure
from journeysim.experiments.calibration.result import Calibration
from journeysim.experiments.calibration.statistics import (
    COUNT_STATISTICS,
    DAYS_PER_WEEK,
    FUNNEL_RATES,
    SOURCES,
    allowed_statistics,
    is_count,
    statistic_range,
    weekly_statistics,
)
from journeysim.experiments.plans import Parameter

__all__ = ["COUNT_STATISTICS", "DAYS_PER_WEEK", "FUNNEL_RATES", "PLAN_PACKAGE", "SOURCES", "Calibration",
           "CalibrationPlan", "Observed", "Parameter", "Simulator", "allowed_statistics", "base_config", "bind",
           "calibrate", "fit_figure", "is_count", "main", "parse_plan", "plan_mapping", "plot_fit", "plot_posterior",
           "posterior_figure", "posterior_predictive", "prepare", "read_observed", "read_plan_file", "run_abc",
           "run_seed", "seeded_sampler", "statistic_range", "synthesise", "weekly_statistics", "write_observed"]
