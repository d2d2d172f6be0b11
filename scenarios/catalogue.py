"""The scenario library: every ``conf/scenario/*.yaml`` with the question it answers.

``journey-scenarios`` (:func:`journeysim.cli.scenarios_main`) lists the library, one line per
scenario (the first line of the file's leading comment); ``journey-scenarios NAME`` prints that
scenario's file. Run one with ``journey scenario=NAME``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

from journeysim.sim.errors import unknown_name


@dataclass(frozen=True)
class Scenario:
    """One scenario file of the library."""

    name: str
    question: str
    text: str


def scenario_folder() -> Traversable:
    """The installed ``conf/scenario`` folder."""
    return files("journeysim.conf").joinpath("scenario")


def question(text: str) -> str:
    """The first line of a YAML file's leading comment, without the ``#`` (empty if none).
    A Hydra ``# @package`` directive is not part of the comment."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.replace(" ", "").startswith("#@package"):
            continue
        return stripped.lstrip("#").strip() if stripped.startswith("#") else ""
    return ""


def library() -> list[Scenario]:
    """Every scenario of the library, sorted by name."""
    entries = []
    for path in scenario_folder().iterdir():
        if path.name.endswith(".yaml"):
            text = path.read_text(encoding="utf-8")
            entries.append(Scenario(path.name[: -len(".yaml")], question(text), text))
    return sorted(entries, key=lambda s: s.name)


def find(name: str) -> Scenario:
    """The scenario called ``name`` (ConfigError with the closest name otherwise)."""
    scenarios = {s.name: s for s in library()}
    if name not in scenarios:
        raise unknown_name("scenario", name, scenarios)
    return scenarios[name]


def listing(scenarios: list[Scenario]) -> str:
    """One line per scenario: its name, padded, and its question."""
    width = max((len(s.name) for s in scenarios), default=0)
    return "\n".join(f"{s.name:<{width}}  {s.question}" for s in scenarios)
