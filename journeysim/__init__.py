"""journeysim: an agent-based customer journey simulator.

The folders ``sim``, ``agents``, ``scenarios``, ``experiments`` and ``conf`` install as
``journeysim.sim``, ``journeysim.agents``, ... The public API lives here:

- :func:`simulate` runs one scenario and returns a :class:`Result` (tables, KPIs, plots);
- :func:`sweep` runs scenarios over seeds and compares them (paired by seed);
- :func:`compare` aggregates any sweep directory, like ``journey-compare``;
- :func:`compose_config` resolves a config exactly as the ``journey`` command would.
"""

from journeysim.api import Result, compare, comparison_markdown, compose_config, simulate, sweep

__all__ = ["Result", "compare", "comparison_markdown", "compose_config", "simulate", "sweep"]
