"""A config written back as a scenario file that ``journey --config-dir DIR scenario=<name>`` runs.

Calibration writes its fitted values this way, optimisation its best budget plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from journeysim.experiments.compose import compose_base
from journeysim.experiments.keys import config_changes


def global_scenario_yaml(config: Mapping[str, Any], name: str, question: str,
                         notes: Sequence[str] = ()) -> str:
    """A ``# @package _global_`` scenario file that makes the defaults into ``config``.

    It holds every key of ``config`` (without ``seed`` and ``outputs``) that differs from the
    default config, and ``scenario`` with its name, kind and levers. Placed at
    ``DIR/scenario/<name>.yaml`` it runs with ``journey --config-dir DIR scenario=<name>``;
    command-line overrides still win over its values.
    """
    import yaml

    defaults = compose_base(None, [])
    body = {k: v for k, v in config.items() if k not in ("seed", "outputs", "scenario")}
    changes = config_changes(body, {k: v for k, v in defaults.items() if k != "scenario"})
    scenario = {**dict(config.get("scenario") or {}), "name": name}
    scenario.setdefault("kind", "journey")
    comments = ["# @package _global_", f"# {question}", *(f"# {line}" for line in notes)]  # Hydra: header first
    text = yaml.safe_dump(_plain({"scenario": scenario, **changes}), sort_keys=False, default_flow_style=None)
    return "\n".join(comments) + "\n" + text


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
