"""Multi-touch attribution models, evaluated against the simulator's true channel effects.

=================  ==============================================================================
module             holds
=================  ==============================================================================
``touches``        :class:`Touches`: journeys as flat arrays, the input of every model
``models``         the models (first/last touch, linear, time decay, position based, Markov,
                   Shapley, ChannelAttribution) and :func:`attribute`
``result``         credit shares, error scores, :func:`evaluate` against a truth and
                   :class:`AttributionResult`
``plots``          credit shares by method beside the true incremental share
``cli``            ``journey-attribution [option=value ...] [config.key=value ...]``
=================  ==============================================================================
"""

from journeysim.experiments.attribution.cli import main
from journeysim.experiments.attribution.models import (
    HALF_LIFE,
    METHODS,
    POSITION_ENDS,
    attribute,
    channelattribution,
    conversion_probability,
    first_touch,
    last_touch,
    linear,
    markov,
    position_based,
    removal_effects,
    shapley,
    time_decay,
    transition_counts,
)
from journeysim.experiments.attribution.plots import METHOD_COLOURS, plot_attribution
from journeysim.experiments.attribution.result import (
    AttributionResult,
    credit_shares,
    error_scores,
    evaluate,
    evaluate_attribution,
    visible_error_scores,
)
from journeysim.experiments.attribution.touches import Touches, touches

__all__ = ["HALF_LIFE", "METHODS", "METHOD_COLOURS", "POSITION_ENDS", "AttributionResult", "Touches", "attribute",
           "channelattribution", "conversion_probability", "credit_shares", "error_scores", "evaluate",
           "evaluate_attribution", "first_touch", "last_touch", "linear", "main", "markov", "plot_attribution",
           "position_based", "removal_effects", "shapley", "time_decay", "touches", "transition_counts",
           "visible_error_scores"]
