"""Hydra composition for experiments: the resolved config of a scenario and overrides, once, as a dict.

An experiment composes its base config here once and passes it on; each run then changes
dotted keys (:mod:`journeysim.experiments.keys`) and runs it
(:func:`journeysim.experiments.runner.run_config`), never composing again.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from journeysim.sim.errors import ConfigError, from_hydra


def compose_base(scenario: str | None, overrides: Sequence[str], config_dir: str | Path | None = None,
                 seed: int | None = None) -> dict[str, Any]:
    """The resolved config of ``journey [--config-dir DIR] scenario=... overrides`` as a plain dict.

    Parameters
    ----------
    scenario : str, optional
        A packaged scenario, or one in ``config_dir/scenario`` (e.g. a calibrated one).
    overrides : sequence of str
        ``key=value`` overrides, as on the ``journey`` command line.
    config_dir : str or Path, optional
        A folder Hydra also searches (``journey --config-dir DIR``).
    seed : int, optional
        The run seed.

    Raises
    ------
    ConfigError
        For an override of a key the config does not have, or a missing ``config_dir``.
    """
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from journeysim.sim.config import to_container

    try:
        if config_dir is None:
            from journeysim.api import compose_config

            config = to_container(compose_config(scenario, list(overrides), seed))
        else:
            config = to_container(_compose_with_dir(scenario, list(overrides), Path(config_dir), seed))
    except (HydraException, OmegaConfBaseException) as error:
        raise from_hydra(error, list(overrides)) from None  # the key at fault, the closest key
    config.pop("hydra", None)
    return config


def _compose_with_dir(scenario: str | None, overrides: list[str], config_dir: Path, seed: int | None):
    from hydra import compose, initialize_config_module
    from hydra.core.global_hydra import GlobalHydra

    from journeysim.cli import check_group_choices

    if not config_dir.is_dir():
        raise ConfigError("config_dir", str(config_dir), "an existing folder holding scenario/<name>.yaml")
    args = [f"scenario={scenario}"] if scenario else []
    args += overrides + ([f"seed={seed}"] if seed is not None else [])
    check_group_choices(["--config-dir", str(config_dir), *args])
    GlobalHydra.instance().clear()
    with initialize_config_module("journeysim.conf", version_base="1.3"):
        return compose("config", overrides=[f"hydra.searchpath=[file://{config_dir.resolve()}]", *args])
