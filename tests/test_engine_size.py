"""Module size: no engine module (``sim/``) over 400 lines, none in the package over 600.

Modules still being split by other parts of the layout issue (#16) are listed in ``PENDING``
with their limit's owner; the test also fails when a listed module has come under its limit,
so the list only ever shrinks.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ROOT, package_modules

ENGINE_LIMIT = 400  # lines per module in sim/
PACKAGE_LIMIT = 600  # lines per module anywhere in the installed package

PENDING: dict[str, str] = {}
"""Modules over their limit today, and the part of #16 that splits them."""


def limit(path: Path) -> int:
    """The line limit of one module."""
    return ENGINE_LIMIT if path.relative_to(ROOT).parts[0] == "sim" else PACKAGE_LIMIT


def lines(path: Path) -> int:
    """Number of lines of a module."""
    return len(path.read_text().splitlines())


def test_no_module_is_over_its_size_limit() -> None:
    too_long = {str(p.relative_to(ROOT)): lines(p) for p in package_modules()
                if lines(p) > limit(p) and str(p.relative_to(ROOT)) not in PENDING}
    assert too_long == {}, f"engine modules at most {ENGINE_LIMIT} lines, others {PACKAGE_LIMIT}"


def test_modules_pending_a_split_are_still_over_their_limit() -> None:
    done = [name for name in PENDING if not (ROOT / name).is_file() or lines(ROOT / name) <= limit(ROOT / name)]
    assert done == [], "split: remove these from PENDING so the size limit guards them"


def test_the_engine_phases_are_each_one_module() -> None:
    phases = ("touchpoints", "word_of_mouth", "funnel", "purchase", "retention", "satisfaction", "service")
    for phase in phases:
        path = ROOT / "sim" / f"{phase}.py"
        assert path.is_file() and lines(path) <= ENGINE_LIMIT, phase
