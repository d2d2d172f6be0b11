"""The arena: marketing-mix models (PyMC-Marketing, Google Meridian) fitted on the truth lab's observed
panels and scored against its truth (:mod:`~journeysim.experiments.arena.score`); ``journey-arena``."""

from journeysim.experiments.arena.score import (
    HORIZON_WEEKS,
    LEVEL,
    calibration_effect,
    ledger_roas,
    score,
    scoreboard,
    truth_table,
)

__all__ = ["HORIZON_WEEKS", "LEVEL", "calibration_effect", "ledger_roas", "score", "scoreboard", "truth_table"]
