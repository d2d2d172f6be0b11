"""``manifest.json``: what produced an output directory, and the sha256 of every file in it.

Every command writes one in its output directory (a run directory, a sweep directory, an
experiment's directory): the resolved config, the seeds, the versions of journeysim and the
libraries it ran with, the git commit of the source tree when there is one, and the size and
sha256 of each output file. :func:`verify_manifest` checks a directory against it, so a result
can be checked and a resumed sweep can trust what it finds.

A subdirectory with its own manifest (a sweep's runs) is listed by its manifest's hash, not
file by file, so a sweep's manifest stays small and cheap.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import platform
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
PACKAGES = ("journeysim", "numpy", "pandas", "mesa", "hydra-core", "omegaconf", "pydantic", "matplotlib",
            "networkx", "simpy", "pyarrow", "scipy")
"""Distributions whose versions a manifest records (those installed)."""
UNHASHED = (MANIFEST,)
TRANSIENT = ("run.lock",)
"""Files that exist only while a run works (:data:`journeysim.rundir.LOCK_FILE`): never listed."""
CHUNK = 1 << 20  # bytes read at a time when hashing


def sha256(path: Path) -> str:
    """The sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


@functools.cache
def package_versions() -> dict[str, str]:
    """Versions of :data:`PACKAGES` that are installed (looked up once a process: a sweep's worker
    writes many manifests)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


@functools.lru_cache(maxsize=1)
def git_commit() -> str | None:
    """The commit of the source tree journeysim runs from (``+dirty`` with local changes); None outside git.

    Asked once a process (two ``git`` processes each time: a sweep's worker writes many manifests).
    """
    source = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(source), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}+dirty" if dirty else commit or None


def output_files(directory: Path) -> dict[str, dict[str, Any]]:
    """``{relative path: {bytes, sha256}}`` of every file below ``directory`` but manifests,
    temporary files and run locks; a subdirectory with a manifest is one entry, its manifest."""
    directory = Path(directory)
    files: dict[str, dict[str, Any]] = {}
    nested = {p.parent for p in directory.rglob(MANIFEST) if p.parent != directory}
    for path in sorted(directory.rglob("*")):
        if (not path.is_file() or path.name.endswith(".tmp") or path.name in TRANSIENT
                or (path.parent == directory and path.name in UNHASHED)):
            continue
        # the outermost subdirectory with a manifest holding the file (a set lookup per level: a sweep
        # of 100 runs has 2,000 files below 100 such directories)
        inside = next((parent for parent in reversed(path.parents) if parent in nested), None)
        if inside is not None and path != inside / MANIFEST:
            continue
        files[path.relative_to(directory).as_posix()] = {"bytes": path.stat().st_size, "sha256": sha256(path)}
    return files


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    if isinstance(value, float) and value != value:
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def write_manifest(directory: str | Path, *, config: Any = None, seeds: Sequence[int] | None = None,
                   command: str | None = None) -> Path:
    """Write ``manifest.json`` in ``directory`` after its outputs are written.

    Parameters
    ----------
    directory : str or Path
        The output directory.
    config : mapping, DictConfig or spec, optional
        The resolved config (kept from an earlier manifest of the directory when None).
    seeds : sequence of int, optional
        The seeds that produced the outputs (kept from an earlier manifest when None).
    command : str, optional
        The command line or function that wrote the directory.

    Returns
    -------
    Path
        The manifest's path.
    """
    from journeysim.outputs import write_json

    directory = Path(directory)
    earlier = read_manifest(directory) or {}
    if config is not None and not isinstance(config, Mapping) and hasattr(config, "keys"):  # a DictConfig
        from omegaconf import OmegaConf

        config = OmegaConf.to_container(config, resolve=True)
    if isinstance(config, Mapping):
        config = {k: v for k, v in config.items() if k != "hydra"}
    manifest = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": command if command is not None else earlier.get("command"),
        "seeds": [int(s) for s in seeds] if seeds is not None else earlier.get("seeds"),
        "versions": {**package_versions(), "python": platform.python_version()},
        "git_commit": git_commit(),
        "config": _plain(config) if config is not None else earlier.get("config"),
        "files": output_files(directory),
    }
    return write_json(directory / MANIFEST, manifest)


def read_manifest(directory: str | Path) -> dict[str, Any] | None:
    """The manifest of ``directory`` (None if it has none or it is unreadable)."""
    path = Path(directory) / MANIFEST
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def verify_manifest(directory: str | Path) -> list[str]:
    """Files of ``directory`` that do not match its manifest (changed, missing or unlisted); [] if all match.

    Raises
    ------
    FileNotFoundError
        When the directory has no manifest.
    """
    directory = Path(directory)
    manifest = read_manifest(directory)
    if manifest is None:
        raise FileNotFoundError(f"{directory / MANIFEST} is missing or unreadable")
    listed, found = manifest.get("files", {}), output_files(directory)
    return sorted(name for name in set(listed) | set(found) if listed.get(name) != found.get(name))
