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
"""

from __future__ import annotations

import hashlib
import json
import os
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


def recorded_hashes() -> dict[str, str]:
    """The committed golden hashes."""
    return json.loads(GOLDEN_FILE.read_text()) if GOLDEN_FILE.is_file() else {}


@pytest.mark.parametrize("name", sorted(REFERENCE_RUNS))
def test_reference_run_matches_its_golden_hash(name: str) -> None:
    digest = run_digest(*REFERENCE_RUNS[name])
    if os.environ.get("JOURNEYSIM_UPDATE_GOLDEN"):
        hashes = recorded_hashes()
        hashes[name] = digest
        GOLDEN_FILE.parent.mkdir(exist_ok=True)
        GOLDEN_FILE.write_text(json.dumps(dict(sorted(hashes.items())), indent=2) + "\n")
        pytest.skip("golden hash rewritten")
    assert digest == recorded_hashes().get(name), (
        f"reference run '{name}' changed: a refactor must not change it; a change of behaviour "
        "updates tests/golden/hashes.json (JOURNEYSIM_UPDATE_GOLDEN=1) and says why in its commit")
