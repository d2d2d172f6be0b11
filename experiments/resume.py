"""Resume: a run directory that already holds a complete run of the same config and seed, whose
outputs still match the hashes of its ``manifest.json``, is reused; any other is run again."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journeysim.manifest import MANIFEST, read_manifest, sha256
from journeysim.outputs import read_status

SUMMARY_FILE = "summary.json"

HYDRA_FILES = (".hydra/",)
"""Prefixes of files Hydra itself rewrites every time it launches a job (its config copies): a
resumed sweep never blames them."""


@dataclass(frozen=True)
class Resume:
    """What a sweep does with a job's run directory.

    Attributes
    ----------
    summary : dict or None
        The stored summary when the directory holds this job, complete and whole: reuse it.
    again : str or None
        Why a directory that says it is complete for this config and seed is run again (its
        outputs are missing or changed since its manifest was written); None otherwise.
    """

    summary: dict[str, Any] | None = None
    again: str | None = None


def resume(run_dir: Path, config_hash: str, seed: int) -> Resume:
    """Whether ``run_dir`` already holds the job of this config and seed, complete and whole.

    Parameters
    ----------
    run_dir : Path
        The run directory assigned to the job.
    config_hash : str
        :func:`journeysim.runner.config_hash` of the job's resolved config.
    seed : int
        The job's seed.
    """
    run_dir = Path(run_dir)
    if read_status(run_dir) != "complete":
        return Resume()
    try:
        summary = json.loads((run_dir / SUMMARY_FILE).read_text())
    except (OSError, json.JSONDecodeError):
        return Resume()
    if not isinstance(summary, dict) or summary.get("config_hash") != config_hash or summary.get("seed") != seed:
        return Resume()
    problems = damaged_outputs(run_dir)
    if problems:
        return Resume(again=problems)
    return Resume(summary=summary)


def completed_summary(run_dir: Path, config_hash: str, seed: int) -> dict[str, Any] | None:
    """The stored summary if ``run_dir`` holds a complete run of this config and seed whose outputs
    match its manifest, else None (see :func:`resume`)."""
    return resume(run_dir, config_hash, seed).summary


def damaged_outputs(run_dir: Path) -> str | None:
    """What is wrong with a complete run's outputs against the sizes and sha256 hashes its
    ``manifest.json`` recorded (a file missing, truncated or changed; no manifest), or None.

    Files the manifest does not list are not checked, nor :data:`HYDRA_FILES`.
    """
    manifest = read_manifest(run_dir)
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict):
        return f"it has no readable {MANIFEST} (the run may have stopped before writing it)"
    missing, changed = [], []
    for name, recorded in sorted(files.items()):
        if name.startswith(HYDRA_FILES) or not isinstance(recorded, dict):
            continue
        path = run_dir / name
        if not path.is_file():
            missing.append(name)
        elif path.stat().st_size != recorded.get("bytes") or sha256(path) != recorded.get("sha256"):
            changed.append(name)
    found = ((missing, f"missing (listed in its {MANIFEST})"), (changed, f"changed since its {MANIFEST} was written"))
    parts = [f"{', '.join(names)} {what}" for names, what in found if names]
    return "; ".join(parts) or None
