"""The Python API: the same configs as the CLI, without knowing where Hydra puts files.

>>> from journeysim import simulate
>>> result = simulate("baseline", overrides={"population.size": 5_000}, seed=1)
>>> result.daily.tail()
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from omegaconf import DictConfig, OmegaConf

from journeysim.sim import plots


def compose_config(scenario: str | None = None, overrides: Mapping[str, Any] | list[str] | None = None,
                   seed: int | None = None) -> DictConfig:
    """Resolve the run config exactly as ``journey scenario=... key=value ...`` would."""
    from hydra import compose, initialize_config_module
    from hydra.core.global_hydra import GlobalHydra

    items = list(overrides.items()) if isinstance(overrides, Mapping) else None
    args = [f"{k}={v}" for k, v in items] if items is not None else list(overrides or [])
    if scenario is not None:
        args.insert(0, f"scenario={scenario}")
    if seed is not None:
        args.append(f"seed={seed}")
    from journeysim.sim.cli import check_group_choices

    check_group_choices(args)
    GlobalHydra.instance().clear()
    with initialize_config_module("journeysim.conf", version_base="1.3"):
        return compose("config", overrides=args)


@dataclass
class Result:
    """A finished run: tables as DataFrames, the KPI summary and the resolved config."""

    daily: pd.DataFrame
    flows: pd.DataFrame
    channels: pd.DataFrame
    events: pd.DataFrame
    summary: dict[str, Any]
    config: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def kpis(self) -> dict[str, Any]:
        """Headline KPIs (``summary['kpis']``)."""
        return self.summary["kpis"]

    def save(self, path: str | Path) -> Path:
        """Write the tables, summary and config into ``path`` (the CLI's layout)."""
        from journeysim.sim.outputs import mark_status, write_csv, write_json

        path = Path(path)
        for name in ("daily", "flows", "channels", "events"):
            write_csv(path / f"{name}.csv", getattr(self, name))
        write_json(path / "summary.json", self.summary)
        (path / ".hydra").mkdir(parents=True, exist_ok=True)
        (path / ".hydra" / "config.yaml").write_text(OmegaConf.to_yaml(OmegaConf.create(self.config)))
        mark_status(path, "complete")
        self.path = path
        return path

    @classmethod
    def load(cls, path: str | Path) -> Result:
        """Read a run directory written by the CLI or by :meth:`save`."""
        path = Path(path)
        tables = {name: pd.read_csv(path / f"{name}.csv") for name in ("daily", "flows", "channels", "events")}
        summary = json.loads((path / "summary.json").read_text())
        config_file = path / ".hydra" / "config.yaml"
        config = OmegaConf.to_container(OmegaConf.load(config_file)) if config_file.is_file() else {}
        return cls(**tables, summary=summary, config=config, path=path)

    def plot_stages(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Stage occupancy over time."""
        return plots.plot_stages(self.daily, ax=ax, **kwargs)

    def plot_funnel(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Customers who reached each funnel stage."""
        return plots.plot_funnel(self.kpis["funnel"], ax=ax, **kwargs)

    def plot_flows(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Journey flows between stages (backward flows below the line)."""
        return plots.plot_flows(self.flows, ax=ax, **kwargs)

    def plot_channels(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Spend and exposures per channel."""
        return plots.plot_channels(self.channels, ax=ax, **kwargs)


def simulate(scenario: str | None = None, overrides: Mapping[str, Any] | list[str] | None = None,
             seed: int | None = None, path: str | Path | None = None) -> Result:
    """Run one scenario and return its :class:`Result`.

    Parameters
    ----------
    scenario : str, optional
        A scenario of ``conf/scenario`` (default: the config's default, ``baseline``).
    overrides : mapping or list of str, optional
        Config overrides, e.g. ``{"population.size": 50_000}`` or ``["days=730"]``.
    seed : int, optional
        The run's seed (overrides ``seed`` in the config).
    path : str or Path, optional
        Also write the CLI's outputs (tables, figures, summary) into this directory.
    """
    from journeysim.sim import outputs
    from journeysim.sim.config import parse_config
    from journeysim.sim.runner import run

    cfg = compose_config(scenario, overrides, seed)
    spec = parse_config(cfg)
    outcome = run(spec, Path(path) if path is not None else None, cfg=cfg, progress=False)
    tables = outputs.tables(outcome.model)
    config = OmegaConf.to_container(cfg, resolve=True)
    result = Result(**tables, summary=outcome.summary, config=config, path=outcome.run_dir)
    result.model = outcome.model
    return result
