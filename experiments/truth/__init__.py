"""True channel effects from counterfactual runs under common random numbers.

For each seed the scenario runs as planned ("all on"), with every channel off ("all off"),
and, for each channel, with that channel off and (for the marginal ROAS) with its budget
10% lower and 10% higher.

=================  ==============================================================================
module             holds
=================  ==============================================================================
``method``         :class:`Variant`, :func:`run_variant` and :func:`true_effects` (the runs)
``result``         :class:`TruthResult` and the tables built from the runs' totals (definitions)
``ledger``         the truth per period: each channel's increments per day and week, the organic baseline
``plots``          incremental acquisitions per channel; weekly contribution; response curves
``cli``            ``journey-truth [--seeds N] [--jobs N] [key=value ...]`` (:mod:`journeysim.commands`)
=================  ==============================================================================
"""

from journeysim.experiments.truth.cli import add_truth_options, format_table, main, parser, run_command
from journeysim.experiments.truth.ledger import LEDGER_COLUMNS, baseline_table, ledger_table
from journeysim.experiments.truth.method import MARGINAL_STEP, Variant, run_variant, true_effects
from journeysim.experiments.truth.plots import plot_contribution, plot_response, plot_truth
from journeysim.experiments.truth.result import METRICS, TruthResult, channel_table, totals_table

__all__ = ["LEDGER_COLUMNS", "MARGINAL_STEP", "METRICS", "TruthResult", "Variant", "add_truth_options",
           "baseline_table", "channel_table", "format_table", "ledger_table", "main", "parser", "plot_contribution",
           "plot_response", "plot_truth", "run_command", "run_variant", "totals_table", "true_effects"]
