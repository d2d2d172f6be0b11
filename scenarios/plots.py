"""Deprecated: the what-if figures moved to :mod:`journeysim.plots` (faces live in ``journeysim/``)."""

from __future__ import annotations

import warnings
from typing import Any

_MOVED = {"plot_daily_comparison": "plot_daily_comparison", "plot_what_if": "plot_what_if",
          "SCENARIO_COLOURS": "SCENARIO_COLOURS", "LABELS": "DAILY_LABELS"}


def __getattr__(name: str) -> Any:
    """The moved names, with a DeprecationWarning pointing at :mod:`journeysim.plots`."""
    if name not in _MOVED:
        raise AttributeError(f"module 'journeysim.scenarios.plots' has no attribute {name!r}")
    warnings.warn(f"journeysim.scenarios.plots.{name} moved to journeysim.plots.{_MOVED[name]}",
                  DeprecationWarning, stacklevel=2)
    from journeysim import plots

    return getattr(plots, _MOVED[name])
