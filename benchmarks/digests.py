"""Same bytes? A digest of every scenario's run, to compare an engine change against the tree before it.

Usage::

    python benchmarks/digests.py before.json          # on the tree before the change
    python benchmarks/digests.py after.json before.json   # after it: names every run that differs

Runs each scenario of ``conf/scenario`` (3,000 customers, 200 days, seed 5), ``competition=three_brands``
and ``population=b2b``, and hashes what the golden test hashes (the collector's arrays and the final
customer state: ``tests/test_golden.py``) plus what it leaves out: the stage-stay books by persona and
by device, every derived rate and the NPS survey answers. A refactor or a speed change that keeps the
bytes leaves every digest unchanged; the golden test's five reference runs are a small part of this.
Exit status 1 when a second file is given and a run differs from it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the tests' run helpers
SIZE = ("population.size=3000", "days=200", "seed=5")
RATES = ("next_level", "floor_level", "keep", "drift", "hazard", "talk", "clock", "levels")


def runs() -> dict[str, tuple[str, ...]]:
    """The runs digested: every named scenario, three brands, B2B accounts."""
    names = sorted(path.stem for path in (ROOT / "conf" / "scenario").glob("*.yaml"))
    cases = {name: (f"scenario={name}", *SIZE) for name in names}
    cases["three_brands"] = ("competition=three_brands", *SIZE)
    cases["b2b"] = ("population=b2b", "population.size=2000", *SIZE[1:])
    return cases


def digest(*overrides: str) -> str:
    """sha256 of one run's golden arrays, stage-stay books, derived rates and survey answers."""
    from tests.conftest import run_model
    from tests.test_golden import model_digest

    model = run_model(*overrides)
    sha = model_digest(model)
    for book in (model.stays, model.stays.also):
        for name, value in sorted(vars(book).items()):
            if isinstance(value, np.ndarray):
                sha.update(name.encode())
                sha.update(np.ascontiguousarray(value).tobytes())
    for name in RATES:
        sha.update(np.ascontiguousarray(getattr(model.state, name)).tobytes())
    sha.update(model.rates.nps_category.tobytes())
    sha.update(f"{model.rates.promoters} {model.rates.detractors}".encode())
    return sha.hexdigest()


def main(argv: list[str]) -> int:
    """Write the digests to ``argv[0]``; compare them with ``argv[1]`` if given."""
    digests = {name: digest(*overrides) for name, overrides in runs().items()}
    Path(argv[0]).write_text(json.dumps(digests, indent=1) + "\n")
    if len(argv) < 2:
        print(f"{len(digests)} runs digested into {argv[0]}")
        return 0
    before = json.loads(Path(argv[1]).read_text())
    differ = sorted(name for name in digests if digests[name] != before.get(name))
    print(f"{len(digests) - len(differ)} of {len(digests)} runs the same bytes"
          + (f"; differ: {', '.join(differ)}" if differ else ""))
    return 1 if differ else 0


if __name__ == "__main__":
    if not sys.argv[1:]:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
