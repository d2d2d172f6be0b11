"""What an A/B test measures, with each metric's label and unit."""

from __future__ import annotations

from journeysim.units import MONEY, PERCENT, POINTS

METRICS = ("conversion", "revenue", "nps")
"""What an A/B test measures per customer over its window (see :mod:`journeysim.experiments.ab.method`)."""

METRIC_UNITS = {"conversion": ("Conversion (ordered in the window)", PERCENT),
                "revenue": ("Revenue per customer in the window", MONEY),
                "nps": ("NPS of surveyed buyers", POINTS)}
"""Label and unit (:mod:`journeysim.units`) of each metric."""
