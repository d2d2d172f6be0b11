"""journeysim: an agent-based customer journey simulator.

The folders ``sim``, ``agents``, ``scenarios``, ``experiments`` and ``conf`` install as
``journeysim.sim``, ``journeysim.agents``, ... The public API lives here.
"""

from journeysim.api import Result, compose_config, simulate

__all__ = ["Result", "compose_config", "simulate"]
