"""journeysim: an agent-based customer journey simulator.

The folders ``sim``, ``agents``, ``scenarios``, ``experiments`` and ``conf`` install as
``journeysim.sim``, ``journeysim.agents``, ... The public API lives here:

- :func:`simulate` runs one scenario and returns a :class:`Result` (tables, KPIs, plots);
- :func:`sweep` runs scenarios over seeds and compares them (paired by seed);
- :func:`compare` aggregates any sweep directory, like ``journey-compare``;
- :func:`ab_test` runs A/B tests inside the market, beside the truth (``journey-ab``);
- :func:`compose_config` resolves a config exactly as the ``journey`` command would.

Importing the package is quiet: it loads no plotting, table or Hydra library (the names above
load :mod:`journeysim.api` on first use) and never changes the matplotlib backend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from journeysim.api import Result, compare, comparison_markdown, compose_config, simulate, sweep
    from journeysim.experiments.ab.method import ab_test

__all__ = ["Result", "__version__", "ab_test", "compare", "comparison_markdown", "compose_config", "simulate", "sweep"]

_API = frozenset(__all__) - {"__version__", "ab_test"}


def __getattr__(name: str) -> Any:
    """Load the API (and the version) on first use, not on ``import journeysim``."""
    if name in _API:
        from journeysim import api

        return getattr(api, name)
    if name == "ab_test":
        from journeysim.experiments.ab.method import ab_test

        return ab_test
    if name == "__version__":
        from journeysim.version import version

        return version()
    raise AttributeError(f"module 'journeysim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
