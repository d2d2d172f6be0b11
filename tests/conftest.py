"""Shared helpers: compose a config like the CLI does and run small models."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

from journeysim.api import compose_config  # noqa: E402
from journeysim.runner import build_model  # noqa: E402
from journeysim.scenarios.spec import parse_config
from journeysim.sim.config import RunSpec  # noqa: E402
from journeysim.sim.model import JourneyModel  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
"""The repository."""


def package_modules() -> list[Path]:
    """Every Python module of the installed package, from pyproject's package-dir mapping."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    folders = sorted(set(config["tool"]["setuptools"]["package-dir"].values()))
    return sorted({path for folder in folders for path in (ROOT / folder).rglob("*.py")})


def make_spec(*overrides: str) -> RunSpec:
    """Validated spec for ``journey <overrides>``."""
    return parse_config(compose_config(overrides=list(overrides)))


def run_model(*overrides: str) -> JourneyModel:
    """Build and run a model to the end (with its service operations and levers)."""
    return build_model(make_spec(*overrides)).run()


@pytest.fixture(scope="session")
def baseline_model() -> JourneyModel:
    """The default scenario at 5,000 customers for a year, run once per session."""
    return run_model("population.size=5000", "seed=11")


FREQUENT_REPEAT: tuple[str, ...] = tuple(
    f"population.personas.{name}.repurchase_rate={rate}" for name, rate in
    (("deal_seeker", 0.006), ("researcher", 0.004), ("loyalist", 0.010), ("impulse_buyer", 0.008)))
"""Overrides for a market whose customers reorder four times as often as the default's (the b2c
repeat rates before they were tuned to the repeat profile, #20): mechanism tests of repeat buying
on small populations need that many repeat orders to see an effect above the noise."""
