"""The whole run config, scenario included, as a validated :class:`~journeysim.sim.config.RunSpec`.

The engine checks its own sections (:func:`journeysim.sim.config.load_run`); the scenario's
parts live here, above it: a Bass scenario is rebuilt as the Bass reference spec, any other
scenario has its levers built once so their parameters are checked before anything runs.
"""

from __future__ import annotations

from typing import Any

from journeysim.sim.config import RunSpec, check_memory, load_run, to_container


def parse_config(cfg: Any, *, check_resources: bool = True) -> RunSpec:
    """Validate a whole resolved config and return the typed :class:`RunSpec`.

    Every section is checked, unknown keys included, whatever the scenario kind uses; then
    the scenario's levers are built once (so their parameters are checked too) and the
    memory the run needs is compared with what is available.

    Parameters
    ----------
    cfg : DictConfig or Mapping
        The resolved config (Hydra's, or a plain dict of the same shape).
    check_resources : bool
        Refuse a population too large for the memory available now.

    Raises
    ------
    ConfigError
        For the first bad value, naming its key, the value and what is allowed.
    """
    cfg = to_container(cfg)
    spec = load_run(cfg)
    if spec.kind == "bass":
        from journeysim.scenarios.bass import bass_run_spec

        spec = bass_run_spec(cfg, seed=spec.seed, days=spec.days)
    else:
        from journeysim.scenarios.levers import build_levers

        build_levers(spec)
    if check_resources:
        check_memory(spec)
    return spec
