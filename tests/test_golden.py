"""Golden outputs: the engine's records of reference runs, hashed.

A refactor never changes these hashes. A change of behaviour updates ``golden/hashes.json`` in
the same commit and says why in the commit message (regenerate with
``JOURNEYSIM_UPDATE_GOLDEN=1 pytest tests/test_golden.py``). A change that only reorders random
draws updates them together with a statistical-equivalence test over seeds: run
``python benchmarks/equivalence.py before.json`` on the tree before the change and
``python benchmarks/equivalence.py after.json before.json`` after it, and quote its report.

What is hashed is the engine's own record of a run (the collector's daily arrays and the final
customer state), not the files written from it, so output formatting can change without
touching the golden runs.

The bytes of a run also depend on the processor: numpy computes float64 ``power``, ``exp``,
``expm1`` and ``log1p`` with AVX-512 kernels where the processor has them and with the C library
elsewhere, and the two differ in the last bit now and then. So the hashes are kept per numpy SIMD
level (:func:`simd_level`). A refactor leaves every level's hashes unchanged; a change of behaviour
rewrites this machine's level and drops the others' (``JOURNEYSIM_UPDATE_GOLDEN=1``); on a level
with no hashes the test is skipped, saying how to add them (``JOURNEYSIM_UPDATE_GOLDEN=level``, on a
tree whose behaviour is unchanged).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import run_model

GOLDEN_FILE = Path(__file__).parent / "golden" / "hashes.json"

REFERENCE_RUNS: dict[str, tuple[str, ...]] = {
    "baseline": ("population.size=2000", "days=120", "seed=3"),
    "bass": ("scenario=bass", "population.size=5000", "days=200", "seed=3"),
    "black_friday_burst": ("scenario=black_friday_burst", "population.size=3000", "days=365", "seed=3"),
    "attribution_lab": ("scenario=attribution_lab", "population.size=2000", "days=200", "seed=3"),
    "b2b": ("population=b2b", "population.size=1500", "days=180", "seed=3"),
}
"""Reference runs: small sizes, fixed seeds, each scenario family once."""


def run_digest(*overrides: str) -> str:
    """sha256 over the collector's arrays and the final customer state of one run."""
    return model_digest(run_model(*overrides)).hexdigest()


def model_digest(model) -> hashlib._Hash:
    """sha256 over the collector's arrays and the customer state of a model that has run."""
    digest = hashlib.sha256()

    def feed(name: str, array: np.ndarray) -> None:
        array = np.ascontiguousarray(array)
        digest.update(f"{name}:{array.dtype.str}:{array.shape}".encode())
        digest.update(array.tobytes())

    collector = model.collector
    for name in ("stage_counts", "flows", "impressions", "reach", "spend", "acquisitions_by_source"):
        feed(name, getattr(collector, name))
    for name in sorted(collector.daily):
        feed(f"daily.{name}", collector.daily[name])
    state = model.state
    for name in ("stage", "interest", "satisfaction", "purchases", "last_purchase", "last_touch"):
        feed(f"state.{name}", getattr(state, name))
    return digest


def simd_level() -> str:
    """The widest x86 level of numpy's SIMD kernels this processor runs (``X86_V4``: AVX-512,
    ``X86_V3``: AVX2 and FMA, ``X86_V2``), or the machine's architecture off x86."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # numpy 1.x
        from numpy.core._multiarray_umath import __cpu_features__ as features
    levels = {"X86_V4": ("AVX512_SKX",), "X86_V3": ("AVX2", "FMA3"), "X86_V2": ("SSE42",)}
    for level, old_names in levels.items():
        if features.get(level) or all(features.get(name) for name in old_names):
            return level
    return platform.machine()


def every_level() -> dict[str, dict[str, str]]:
    """The committed golden hashes: SIMD level -> reference run -> hash."""
    return json.loads(GOLDEN_FILE.read_text()) if GOLDEN_FILE.is_file() else {}


def recorded_hashes(level: str | None = None) -> dict[str, str]:
    """The committed golden hashes of one SIMD level (default: this machine's)."""
    return every_level().get(level or simd_level(), {})


@pytest.mark.parametrize("name", sorted(REFERENCE_RUNS))
def test_reference_run_matches_its_golden_hash(name: str) -> None:
    digest, level = run_digest(*REFERENCE_RUNS[name]), simd_level()
    if update := os.environ.get("JOURNEYSIM_UPDATE_GOLDEN"):  # "level": add this level's; else a new behaviour
        every = every_level()
        if update != "level":  # the other levels' hashes of this run are stale until recorded there
            every = {other: {k: v for k, v in hashes.items() if k != name} for other, hashes in every.items()}
        every.setdefault(level, {})[name] = digest
        GOLDEN_FILE.parent.mkdir(exist_ok=True)
        GOLDEN_FILE.write_text(json.dumps({k: dict(sorted(v.items())) for k, v in sorted(every.items())}, indent=2)
                               + "\n")
        pytest.skip(f"golden hash rewritten for SIMD level {level}")
    if name not in recorded_hashes(level):
        pytest.skip(f"no golden hash of '{name}' for numpy's SIMD level {level} on this machine: record it "
                    "with JOURNEYSIM_UPDATE_GOLDEN=level on a tree whose behaviour is unchanged")
    assert digest == recorded_hashes(level)[name], (
        f"reference run '{name}' changed: a refactor must not change it; a change of behaviour "
        "updates tests/golden/hashes.json (JOURNEYSIM_UPDATE_GOLDEN=1) and says why in its commit")
