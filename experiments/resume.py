"""Resume: a run directory that already holds a complete run of the same config and seed is reused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from journeysim.outputs import read_status

SUMMARY_FILE = "summary.json"


def completed_summary(run_dir: Path, config_hash: str, seed: int) -> dict[str, Any] | None:
    """The stored summary if ``run_dir`` finished a run of this config and seed, else None.

    Parameters
    ----------
    run_dir : Path
        The run directory Hydra assigned to the job.
    config_hash : str
        :func:`journeysim.runner.config_hash` of the job's resolved config.
    seed : int
        The job's seed.
    """
    run_dir = Path(run_dir)
    if read_status(run_dir) != "complete":
        return None
    try:
        summary = json.loads((run_dir / SUMMARY_FILE).read_text())
    except (OSError, json.JSONDecodeError):
        return None
    if not isinstance(summary, dict):
        return None
    if summary.get("config_hash") != config_hash or summary.get("seed") != seed:
        return None
    return summary
