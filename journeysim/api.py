"""The Python API: the same configs as the CLI, without knowing where Hydra puts files.

>>> from journeysim import simulate, sweep
>>> result = simulate("baseline", overrides={"population.size": 5_000}, seed=1)
>>> result.daily.tail()
>>> comparison = sweep(["baseline", "digital_shift"], seeds=5, overrides={"population.size": 2_000})
>>> comparison.table

:func:`simulate` runs one scenario and returns a :class:`Result` (the CLI's tables as
DataFrames, the KPI summary and the resolved config); :func:`sweep` runs scenarios over seeds
into a directory laid out like ``journey --multirun`` and compares them like
``journey-compare``; :func:`compare` aggregates any sweep directory.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeysim.journey_map import JourneyMapViews
from journeysim.rundir import scratch_directory
from journeysim.sim.errors import ConfigError

if TYPE_CHECKING:  # pandas, matplotlib and Hydra load when a function needs them, not on import
    import pandas as pd
    from matplotlib.axes import Axes
    from omegaconf import DictConfig

    from journeysim.experiments.aggregate import Comparison
    from journeysim.sim.model import JourneyModel

TABLES = ("daily", "flows", "channels", "events")
"""The tables of a run, each written as ``<name>.csv`` (or ``.parquet``) in its run directory."""
MAP_TABLES = ("journey_map", "journey_touchpoints", "journey_map_by_device", "journey_touchpoints_by_device",
              "brands")  # optional: old runs lack maps; brands: competitors

HYDRA_DIR = ".hydra"
"""Folder of a run directory holding the resolved config and the overrides (as Hydra writes it)."""


# --------------------------------------------------------------------------- overrides
def format_value(value: Any) -> str:
    """Write a Python value in Hydra's override syntax (``None`` -> ``null``, lists, dicts).

    Parameters
    ----------
    value : object
        A number, string, bool, None, or a list or mapping of those.

    Returns
    -------
    str
        The value as it would be typed on the command line after ``key=``.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{key}:{format_value(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(format_value(item) for item in value) + "]"
    return str(value)


def override_strings(overrides: Mapping[str, Any] | Sequence[str] | None) -> list[str]:
    """Hydra override strings from a mapping (``{"population.size": 5000}``) or a list of strings.

    Parameters
    ----------
    overrides : mapping, sequence of str, or None
        Dotted config keys and values, or ready-made overrides such as ``["days=730"]``.

    Returns
    -------
    list of str
        Overrides as the CLI takes them (``population.size=5000``).

    Raises
    ------
    ConfigError
        If ``overrides`` is neither a mapping nor a list of ``key=value`` strings.
    """
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        return [f"{key}={format_value(value)}" for key, value in overrides.items()]
    if isinstance(overrides, str) or not all(isinstance(item, str) and "=" in item for item in overrides):
        raise ConfigError("overrides", overrides, "a mapping of keys to values, or a list of 'key=value' strings")
    return list(overrides)


def compose_config(scenario: str | None = None, overrides: Mapping[str, Any] | Sequence[str] | None = None,
                   seed: int | None = None) -> DictConfig:
    """Resolve the run config exactly as ``journey scenario=... key=value ...`` would.

    Parameters
    ----------
    scenario : str, optional
        A scenario of ``conf/scenario`` (default: the config's default, ``baseline``).
    overrides : mapping or sequence of str, optional
        Config overrides (see :func:`override_strings`).
    seed : int, optional
        The run's seed (overrides ``seed`` in the config).

    Returns
    -------
    DictConfig
        The composed config, without Hydra's own ``hydra`` section.

    Raises
    ------
    ConfigError
        For a config group option that does not exist (``population=b3c``) or malformed overrides.
    """
    from hydra import compose, initialize_config_module
    from hydra.core.global_hydra import GlobalHydra

    from journeysim.cli import check_group_choices

    args = job_overrides(scenario, overrides, seed)
    check_group_choices(args)
    GlobalHydra.instance().clear()
    try:
        with initialize_config_module("journeysim.conf", version_base="1.3"):
            return compose("config", overrides=args)
    finally:
        GlobalHydra.instance().clear()


def job_overrides(scenario: str | None, overrides: Mapping[str, Any] | Sequence[str] | None,
                  seed: int | None) -> list[str]:
    """The overrides of one job as the CLI would record them: scenario first, seed last."""
    args = override_strings(overrides)
    if scenario is not None:
        args.insert(0, f"scenario={scenario}")
    if seed is not None:
        args.append(f"seed={seed}")
    return args


# --------------------------------------------------------------------------- results
@dataclass
class Result(JourneyMapViews):
    """A finished run: tables as DataFrames, the KPI summary and the resolved config.

    Attributes
    ----------
    daily : DataFrame
        One row per simulated day, 1 to ``days``: customers per stage at the end of the day and
        the day's KPIs (every table's ``day`` is the same; the initial state is ``summary['initial']``;
        columns: :mod:`journeysim.columns`).
    flows : DataFrame
        Stage-to-stage moves per day: ``day, from_stage, to_stage, customers``.
    channels : DataFrame
        Per channel and day: ``impressions``, ``reach`` (customers), ``spend`` (currency) and
        ``last_touch_acquisitions``.
    events : DataFrame
        The journey log ``customer, day, kind, detail`` of the logged customers.
    journey_map, journey_touchpoints, journey_map_by_device, journey_touchpoints_by_device : DataFrame or None
        Journey maps by persona and by primary device, exposures by stage (:mod:`journeysim.journey_map`).
    brands : DataFrame or None
        Runs with competitors: per day and brand, orders, revenue, media spend and the trailing
        share of category orders (:func:`journeysim.outputs.brands_table`; None without competitors).
    summary : dict
        ``summary.json``: scenario, seed, days, customers, version, config hash and ``kpis``.
    config : dict
        The resolved config of the run (Hydra's ``.hydra/config.yaml``).
    overrides : list of str
        The run's overrides as the CLI records them (Hydra's ``.hydra/overrides.yaml``).
    path : Path or None
        The run directory the result was written to or read from (None: memory only).
    model : JourneyModel or None
        The model after its last day (only for results of :func:`simulate`, not loaded ones).
    """

    daily: pd.DataFrame
    flows: pd.DataFrame
    channels: pd.DataFrame
    events: pd.DataFrame
    summary: dict[str, Any]
    config: dict[str, Any] = field(default_factory=dict)
    overrides: list[str] = field(default_factory=list)
    path: Path | None = None
    journey_map: pd.DataFrame | None = field(default=None, repr=False)
    journey_touchpoints: pd.DataFrame | None = field(default=None, repr=False)
    journey_map_by_device: pd.DataFrame | None = field(default=None, repr=False)
    journey_touchpoints_by_device: pd.DataFrame | None = field(default=None, repr=False)
    brands: pd.DataFrame | None = field(default=None, repr=False)
    model: JourneyModel | None = field(default=None, repr=False, compare=False)

    @property
    def kpis(self) -> dict[str, Any]:
        """Headline KPIs (``summary['kpis']``; units in the KPI reference)."""
        return self.summary["kpis"]

    @property
    def scenario(self) -> str:
        """The scenario's name."""
        return str(self.summary.get("scenario", ""))

    @property
    def seed(self) -> int | None:
        """The run's seed."""
        return self.summary.get("seed")

    def __repr__(self) -> str:
        """One line: scenario, seed, size and where the run is stored (not the tables)."""
        where = f", path='{self.path}'" if self.path is not None else ""
        return (f"Result(scenario='{self.scenario}', seed={self.seed}, customers={self.kpis.get('customers')}, "
                f"days={self.kpis.get('days')}{where})")

    def _repr_html_(self) -> str:
        """A small KPI table for notebooks."""
        from journeysim.units import currency_from, kpi_rows

        rows = "".join(f"<tr><td>{label}</td><td style='text-align:right'>{value}</td></tr>"
                       for label, value in kpi_rows(self.kpis, currency_from(self.config)))
        return f"<p><b>{self!r}</b></p><table>{rows}</table>"

    def save(self, path: str | Path, figures: bool = False) -> Path:
        """Write the tables, summary and config into ``path`` in the CLI's layout.

        Parameters
        ----------
        path : str or Path
            The run directory to write (created if needed); files are written atomically.
        figures : bool
            Also write the PNG figures (``stages.png``, ``funnel.png``, ``flows.png``, ``channels.png``).

        Returns
        -------
        Path
            The run directory, readable with :meth:`Result.load`.
        """
        from journeysim.manifest import write_manifest
        from journeysim.outputs import mark_status, write_csv, write_figure, write_json
        from journeysim.plots import headless_axes

        path = Path(path)
        for name in (*TABLES, *(n for n in MAP_TABLES if getattr(self, n) is not None)):
            write_csv(path / f"{name}.csv", getattr(self, name))
        write_json(path / "summary.json", self.summary)
        write_hydra_files(path, self.config, self.overrides)
        if figures:
            for name in ("stages", "funnel", "flows", "channels", *(("journey_map",) * (self.journey_map is not None))):
                ax = getattr(self, f"plot_{name}")(ax=headless_axes(name))
                write_figure(path / f"{name}.png", ax.figure)
        mark_status(path, "complete")
        write_manifest(path, config=self.config, seeds=[self.summary["seed"]] if "seed" in self.summary else None,
                       command="journeysim.Result.save")
        self.path = path
        return path

    @classmethod
    def load(cls, path: str | Path) -> Result:
        """Read a run directory written by the CLI (``journey``), by :func:`simulate` or by :meth:`save`.

        Parameters
        ----------
        path : str or Path
            The run directory (it holds ``summary.json`` and the CSV tables).

        Raises
        ------
        ConfigError
            If ``path`` is not a run directory with tables (a run with ``outputs.tables=false``).
        """
        from omegaconf import OmegaConf

        from journeysim.outputs import read_table

        path = Path(path)
        files = {name: next((p for p in (path / f"{name}.csv", path / f"{name}.parquet") if p.is_file()), None)
                 for name in TABLES}
        missing = [f"{name}.csv" for name, file in files.items() if file is None]
        if not (path / "summary.json").is_file() or missing:
            raise ConfigError("path", str(path), "a run directory holding summary.json and the tables "
                              f"(CSV or Parquet; missing: {', '.join(missing) or 'summary.json'})")
        tables = {name: read_table(file) for name, file in files.items()}
        tables.update({n: read_table(path / f"{n}{s}") for n in MAP_TABLES for s in (".csv", ".parquet")
                       if (path / f"{n}{s}").is_file()})
        summary = json.loads((path / "summary.json").read_text())
        config_file, overrides_file = path / HYDRA_DIR / "config.yaml", path / HYDRA_DIR / "overrides.yaml"
        config = OmegaConf.to_container(OmegaConf.load(config_file)) if config_file.is_file() else {}
        overrides = [str(o) for o in OmegaConf.load(overrides_file)] if overrides_file.is_file() else []
        return cls(**tables, summary=summary, config=config, overrides=overrides, path=path)

    # ------------------------------------------------------------------ exports
    def paths(self, **kwargs: Any) -> pd.DataFrame:
        """Journey paths for attribution tools (see :func:`journeysim.experiments.exports.journey_paths`)."""
        from journeysim.experiments.exports import journey_paths

        return journey_paths(self, **kwargs)

    def mmm_table(self, freq: str = "W", **kwargs: Any) -> pd.DataFrame:
        """Daily or weekly marketing-mix table (see :func:`journeysim.experiments.exports.mmm_table`)."""
        from journeysim.experiments.exports import mmm_table

        return mmm_table(self, freq, **kwargs)

    # ------------------------------------------------------------------ plots
    def plot_stages(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Stage occupancy over time (customers per stage by day, stacked)."""
        from journeysim import plots

        return plots.plot_stages(self.daily, ax=ax, **kwargs)

    def plot_funnel(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Customers who ever reached each funnel stage, with step conversion."""
        from journeysim import plots

        return plots.plot_funnel(self.kpis["funnel"], ax=ax, **kwargs)

    def plot_flows(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Journey flows between stages over the run (forward above the line, backward below)."""
        from journeysim import plots

        return plots.plot_flows(self.flows, ax=ax, **kwargs)

    def plot_channels(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Spend (in the run's currency) and impressions bought per channel over the run."""
        from journeysim import plots
        from journeysim.units import currency_from

        return plots.plot_channels(self.channels, ax=ax, **{"currency": currency_from(self.config), **kwargs})

    def plot_service(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Support waits (hours) and the order backlog (orders) by day."""
        from journeysim import plots

        return plots.plot_service(self.daily, ax=ax, **kwargs)

    def plot_adoption(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Bass scenario only: the adopted fraction by day against the closed-form curve.

        Raises
        ------
        ConfigError
            If the run is not a Bass run (``scenario.kind`` is not ``bass``).
        """
        scenario = self.config.get("scenario") or {}
        if scenario.get("kind") != "bass" or "adopted_fraction" not in self.daily:
            raise ConfigError("scenario.kind", scenario.get("kind"), "bass (plot_adoption needs a Bass run)")
        from journeysim import plots

        return plots.plot_adoption(self.daily, p=scenario["p"], q=scenario["q"], ax=ax, **kwargs)


def write_hydra_files(run_dir: Path, config: Mapping[str, Any], overrides: Sequence[str] | None) -> None:
    """Write ``.hydra/config.yaml`` (and ``.hydra/overrides.yaml`` if given) like a Hydra job.

    Parameters
    ----------
    run_dir : Path
        The run directory.
    config : mapping
        The resolved run config.
    overrides : sequence of str, optional
        The job's overrides (``scenario=...``, ``seed=...``), as the CLI records them.
    """
    from omegaconf import OmegaConf

    from journeysim.outputs import atomic_write

    folder = Path(run_dir) / HYDRA_DIR
    text = OmegaConf.to_yaml(OmegaConf.create(dict(config)))
    atomic_write(folder / "config.yaml", lambda tmp: tmp.write_text(text))
    if overrides is not None:
        listed = OmegaConf.to_yaml(OmegaConf.create(list(overrides)))
        atomic_write(folder / "overrides.yaml", lambda tmp: tmp.write_text(listed))


# --------------------------------------------------------------------------- running
def simulate(scenario: str | None = None, overrides: Mapping[str, Any] | Sequence[str] | None = None,
             seed: int | None = None, path: str | Path | None = None, figures: bool | None = None) -> Result:
    """Run one scenario and return its :class:`Result`.

    Parameters
    ----------
    scenario : str, optional
        A scenario of ``conf/scenario`` (default: the config's default, ``baseline``).
    overrides : mapping or sequence of str, optional
        Config overrides, e.g. ``{"population.size": 50_000}`` or ``["days=730"]``.
    seed : int, optional
        The run's seed (overrides ``seed`` in the config).
    path : str or Path, optional
        Also write the CLI's outputs (tables, figures, ``summary.json``, ``status.json`` and
        ``.hydra/``) into this run directory.
    figures : bool, optional
        With ``path``: write the PNG figures (default: the config's ``outputs.figures``).

    Returns
    -------
    Result
        The run's tables, summary and config; ``result.model`` is the model after its last day.

    Raises
    ------
    ConfigError
        For any bad config value (the key, the value and what is allowed).
    """
    args = job_overrides(scenario, overrides, seed)
    return _run_config(compose_config(scenario, overrides, seed), args, path, figures)


def _run_config(cfg: DictConfig, args: list[str], path: str | Path | None, figures: bool | None) -> Result:
    """Validate and run a composed config; write its run directory if ``path`` is given."""
    import dataclasses

    from omegaconf import OmegaConf

    from journeysim import outputs
    from journeysim.runner import run
    from journeysim.scenarios.spec import parse_config

    spec = parse_config(cfg)
    if figures is not None:
        spec = dataclasses.replace(spec, outputs=dataclasses.replace(spec.outputs, figures=figures))
    config = OmegaConf.to_container(cfg, resolve=True)
    run_dir = Path(path) if path is not None else None
    if run_dir is not None:
        write_hydra_files(run_dir, config, args)
    outcome = run(spec, run_dir, cfg=cfg, progress=False)
    return Result(**outputs.tables(outcome.model), summary=outcome.summary, config=config, overrides=args,
                  path=outcome.run_dir, model=outcome.model)


def _seed_list(seeds: int | Iterable[int]) -> list[int]:
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ConfigError("seeds", seeds, "a number of seeds of at least 1, or a list of seeds")
        return list(range(seeds))
    listed = list(seeds)
    if not listed or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in listed):
        raise ConfigError("seeds", listed, "a non-empty list of whole numbers of at least 0")
    return listed


def job_dirname(overrides: Sequence[str]) -> str:
    """The run folder of a sweep job below its scenario, as Hydra names it (``override_dirname``).

    The job's overrides other than ``scenario``, sorted and joined by commas:
    ``seed=3``, or ``population.size=2000,seed=3``.
    """
    return ",".join(sorted(o for o in overrides if o.partition("=")[0].lstrip("+~") != "scenario"))


def _run_job(scenario: str, overrides: list[str], seed: int, run_dir: Path, figures: bool) -> str:
    """One sweep job: skip it if ``run_dir`` already holds it complete, else simulate into it."""
    from journeysim.experiments.resume import completed_summary
    from journeysim.runner import config_hash

    cfg = compose_config(scenario, overrides, seed)
    if completed_summary(run_dir, config_hash(cfg), seed) is not None:
        return "reused"
    try:
        _run_config(cfg, job_overrides(scenario, overrides, seed), run_dir, figures)
    except ConfigError:
        raise
    except Exception as error:  # the run directory is marked failed; the sweep goes on, as the CLI's does
        return f"failed: {type(error).__name__}: {error}"
    return "complete"


def sweep(scenarios: str | Sequence[str], seeds: int | Iterable[int] = 5,
          overrides: Mapping[str, Any] | Sequence[str] | None = None, path: str | Path | None = None,
          n_jobs: int = 1, reference: str | None = None, kpis: Sequence[str] | None = None,
          level: float = 0.95, figures: bool = True, run_figures: bool = False) -> Comparison:
    """Run scenarios over seeds and compare them, like ``journey --multirun scenario=a,b seed=...``.

    Every scenario runs with the same seeds, so scenarios share their random numbers seed by
    seed and their differences are paired (common random numbers). Runs go into
    ``<path>/<scenario>/<overrides>/`` exactly as in a Hydra sweep (``seed=3``, or
    ``population.size=2000,seed=3``); a run directory that already holds a complete run of the
    same config and seed is reused, so calling ``sweep`` again with more seeds only runs the new
    ones. The comparison (``comparison.csv``, ``comparison.md``, ``runs.csv`` and the figures)
    is written into ``path`` as ``journey-compare`` writes it.

    Parameters
    ----------
    scenarios : str or sequence of str
        Scenario names of ``conf/scenario``.
    seeds : int or iterable of int
        Number of seeds (``5`` means seeds 0 to 4) or the seeds themselves.
    overrides : mapping or sequence of str, optional
        Config overrides applied to every run, e.g. ``{"population.size": 2_000, "days": 180}``.
    path : str or Path, optional
        The sweep directory (default: a temporary one, removed when Python exits; pass a path to keep the runs).
    n_jobs : int
        Runs in parallel (processes, via joblib); ``-1`` uses every core.
    reference : str, optional
        The reference scenario for differences (default ``baseline`` if swept, else the first).
    kpis : sequence of str, optional
        KPIs of the Markdown table and the figures (the table has every scalar KPI).
    level : float
        Confidence level of every interval, 0..1.
    figures : bool
        Write ``comparison.png`` and ``differences.png`` into the sweep directory.
    run_figures : bool
        Also write each run's PNG figures (off by default: drawing them takes longer than a small run).

    Returns
    -------
    Comparison
        The aggregate (:class:`journeysim.experiments.aggregate.Comparison`): ``table`` has one row
        per scenario and KPI with the mean over seeds, its t interval and the paired difference
        to the reference.

    Raises
    ------
    ConfigError
        For an unknown scenario or a bad override (before anything runs).
    """
    from journeysim.scenarios.levers import build_levers
    from journeysim.scenarios.spec import parse_config

    names = [scenarios] if isinstance(scenarios, str) else list(scenarios)
    if not names:
        raise ConfigError("scenarios", names, "at least one scenario name")
    seed_list = _seed_list(seeds)
    extra = override_strings(overrides)
    for name in dict.fromkeys(names):  # validate every scenario before any run starts
        build_levers(parse_config(compose_config(name, extra, seed_list[0])))
    sweep_dir = Path(path) if path is not None else scratch_directory("journeysim-sweep-")
    jobs = [(name, extra, seed, sweep_dir / name / job_dirname([*extra, f"seed={seed}"]), run_figures)
            for name in dict.fromkeys(names) for seed in seed_list]
    if n_jobs == 1:
        outcomes = [_run_job(*job) for job in jobs]
    else:
        from joblib import Parallel, delayed

        outcomes = Parallel(n_jobs=n_jobs)(delayed(_run_job)(*job) for job in jobs)
    failed = [f"{job[3]}: {outcome}" for job, outcome in zip(jobs, outcomes, strict=True)
              if outcome.startswith("failed")]
    if failed:
        warnings.warn("some runs failed and are left out of the comparison:\n" + "\n".join(failed), stacklevel=2)
    return compare(sweep_dir, reference=reference, kpis=kpis, level=level, figures=figures)


def compare(path: str | Path, reference: str | None = None, kpis: Sequence[str] | None = None,
            level: float = 0.95, out: str | Path | None = None, figures: bool = True,
            write: bool = True) -> Comparison:
    """Aggregate a sweep directory, finished or partial, like ``journey-compare PATH``.

    Parameters
    ----------
    path : str or Path
        A sweep directory (``journey --multirun`` or :func:`sweep`).
    reference : str, optional
        The reference scenario: a label of the table, or words of one
        (``market.checkout_friction=0.3``); default ``baseline``, else the first.
    kpis : sequence of str, optional
        KPIs of the Markdown table and the figures (the table has every scalar KPI).
    level : float
        Confidence level of every interval, 0..1.
    out : str or Path, optional
        Where to write the comparison files (default: the sweep directory).
    figures : bool
        Write ``comparison.png`` and ``differences.png``.
    write : bool
        Write ``comparison.csv``, ``comparison.md`` and ``runs.csv`` (False: only return the aggregate).

    Returns
    -------
    Comparison
        ``table`` (one row per scenario and KPI), ``groups``, ``reference``, ``runs`` and
        ``notes()`` listing runs that failed, did not finish or never started.

    Raises
    ------
    ConfigError
        If ``path`` is not a directory, holds no complete run, or names an unknown reference or KPI.
    """
    from journeysim.experiments.aggregate import aggregate
    from journeysim.experiments.report import write_comparison

    comparison = aggregate(path, reference, kpis, level)
    if write:
        write_comparison(comparison, out, figures=figures, kpis=kpis)
    return comparison


def comparison_markdown(comparison: Comparison, kpis: Sequence[str] | None = None) -> str:
    """The comparison as ``journey-compare`` prints it (Markdown: table and notes on left-out runs).

    Parameters
    ----------
    comparison : Comparison
        A result of :func:`sweep` or :func:`compare`.
    kpis : sequence of str, optional
        KPIs of the table (default: the headline KPIs).
    """
    from journeysim.experiments.report import markdown

    return markdown(comparison, kpis)
