"""Split a fixed total budget across channels (and between always-on and a burst) to maximise a KPI.

=================  ==============================================================================
module             holds
=================  ==============================================================================
``plan``           :class:`BudgetPlan`: objective, channels, total, search size, seeds, burst
``allocation``     :class:`Problem` (a plan bound to its config) and :class:`Allocation` (a split)
``method``         :func:`optimise`: Optuna search, validation on fresh seeds, response curves
``result``         :class:`Optimisation`: the best plan, its interval, the scenario, the files
``plots``          response curves, candidates' trade-offs, the allocation
``cli``            ``journey-optimise [PLAN] [key=value ...]``
=================  ==============================================================================
"""

from journeysim.experiments.optimisation.allocation import (
    BUDGET_STEP,
    Allocation,
    Problem,
    bind,
    floor_budget,
    plan_config,
    planned_spend,
)
from journeysim.experiments.optimisation.cli import main
from journeysim.experiments.optimisation.method import (
    KPIS,
    PlanRun,
    allocation_of,
    evaluate,
    optimise,
    response_curves,
    run_kpis,
    score,
    search,
    validate,
)
from journeysim.experiments.optimisation.plan import (
    PLAN_PACKAGE,
    VALIDATION_OFFSET,
    BudgetPlan,
    Burst,
    parse_plan,
    plan_mapping,
    read_plan_file,
)
from journeysim.experiments.optimisation.plots import (
    plot_allocation,
    plot_response,
    plot_tradeoff,
    response_figure,
    tradeoff_figure,
)
from journeysim.experiments.optimisation.result import Optimisation, best_row

__all__ = ["BUDGET_STEP", "KPIS", "PLAN_PACKAGE", "VALIDATION_OFFSET", "Allocation", "BudgetPlan",
           "Burst", "Optimisation", "PlanRun", "Problem", "allocation_of", "best_row", "bind", "evaluate",
           "floor_budget", "main", "optimise", "parse_plan", "plan_config", "plan_mapping",
           "planned_spend", "plot_allocation", "plot_response", "plot_tradeoff", "read_plan_file", "response_curves",
           "response_figure", "run_kpis", "score", "search", "tradeoff_figure", "validate"]
