"""The runs of a sweep directory as records: status, scenario, seed, overrides and KPIs.

A run directory is any folder under the sweep that holds ``status.json`` or Hydra's
``.hydra/overrides.yaml``. The sweep's own ``multirun.yaml`` says which jobs were asked
for, so jobs that never started are reported as missing.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from journeysim.outputs import STATUS_FILE, read_status
from journeysim.units import DEFAULT_CURRENCY, Currency, currency_from

SUMMARY_FILE = "summary.json"
OVERRIDES_FILE = Path(".hydra") / "overrides.yaml"
CONFIG_FILE = Path(".hydra") / "config.yaml"
SWEEP_FILE = "multirun.yaml"
NOT_KPIS = frozenset({"customers", "days"})
"""Summary keys that describe the run rather than measure it."""


@dataclass(frozen=True)
class Run:
    """One run directory of a sweep.

    Attributes
    ----------
    path : Path
        The run directory.
    status : str
        ``complete``, ``failed``, ``incomplete``, ``running``, ``stale`` (said running, but its
        process died), ``missing`` (no status file) or ``broken`` (said complete, but its
        ``summary.json`` is missing, empty or malformed: ``error`` says what is wrong).
    scenario : str
        The scenario's name.
    seed : int or None
        The run's seed (None if it cannot be read).
    job : tuple of str
        Hydra's task overrides of the job, exactly as in ``.hydra/overrides.yaml``.
    kpis : dict of str to float
        Scalar KPIs of a complete run (NaN where the summary has null); empty otherwise.
    error : str or None
        The error recorded for a failed run, or what is wrong with a broken run's summary.
    bad_input : bool
        The run failed on a bad config value (a ConfigError).
    currency : Currency
        The currency of its money KPIs (``currency`` of its summary; the default without one).
    """

    path: Path
    status: str
    scenario: str
    seed: int | None
    job: tuple[str, ...] = ()
    kpis: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    bad_input: bool = False
    currency: Currency = DEFAULT_CURRENCY

    @property
    def settings(self) -> tuple[str, ...]:
        """The job's overrides other than ``seed`` and ``scenario``, sorted: what defines its group."""
        return tuple(sorted(o for o in self.job if override_key(o) not in ("seed", "scenario")))


def override_key(override: str) -> str:
    """The key of a Hydra override string (``+a.b=1`` -> ``a.b``)."""
    return override.partition("=")[0].lstrip("+~")


def override_value(job: tuple[str, ...] | list[str], key: str) -> str | None:
    """The value given to ``key`` among a job's overrides (None if it is not overridden)."""
    for override in job:
        if override_key(override) == key:
            return override.partition("=")[2]
    return None


def scalar_kpis(kpis: dict[str, Any]) -> dict[str, float]:
    """The numeric, non-nested KPIs of a summary (null becomes NaN)."""
    out = {}
    for name, value in kpis.items():
        if name in NOT_KPIS or isinstance(value, bool):
            continue
        if value is None:
            out[name] = math.nan
        elif isinstance(value, int | float):
            out[name] = float(value)
    return out


BRAND_KPIS = ("market_share_volume", "market_share_value", "share_of_voice", "penetration", "purchase_frequency")
"""Per-brand KPIs of ``summary.json`` → ``competition`` that sweeps compare, as ``<kpi>.<brand>``."""


def brand_kpis(competition: dict[str, Any] | None) -> dict[str, float]:
    """The per-brand KPIs of a run with competitors as scalars named ``<kpi>.<brand>``
    (``market_share_volume.ours``), so a sweep compares them like any KPI ({} without competitors)."""
    out: dict[str, float] = {}
    for name in BRAND_KPIS:
        for brand, value in ((competition or {}).get(name) or {}).items():
            out[f"{name}.{brand}"] = math.nan if value is None else float(value)
    return out


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):  # unreadable, not UTF-8 or not JSON
        return None
    return data if isinstance(data, dict) else None


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError):
        return None


def summary_problem(summary: Any) -> str | None:
    """What makes a parsed ``summary.json`` unusable for a comparison (None if nothing).

    A usable summary is a JSON object with ``scenario`` (a string), ``seed`` (an integer) and
    ``kpis`` (an object whose values are numbers, null or objects of breakdowns).
    """
    if not isinstance(summary, dict):
        return f"holds {_json_type(summary)} where an object with scenario, seed and kpis is expected"
    if not isinstance(summary.get("scenario"), str):
        return _wrong(summary, "scenario", "the scenario's name (a string)")
    if isinstance(summary.get("seed"), bool) or not isinstance(summary.get("seed"), int):
        return _wrong(summary, "seed", "an integer")
    kpis = summary.get("kpis")
    if not isinstance(kpis, dict):
        return _wrong(summary, "kpis", "an object of KPI name to number")
    for name, value in kpis.items():
        if isinstance(value, str | list | bool):
            return (f"KPI '{name}' is {_shown(value)} ({_json_type(value)}); expected a number, null "
                    "or an object")
    return None


def _wrong(summary: dict, key: str, allowed: str) -> str:
    if key not in summary:
        return f"has no '{key}'; expected {allowed}"
    return f"'{key}' is {_shown(summary[key])} ({_json_type(summary[key])}); expected {allowed}"


def _shown(value: Any, limit: int = 40) -> str:
    text = json.dumps(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _json_type(value: Any) -> str:
    names = {bool: "boolean", int: "number", float: "number", str: "string", list: "array",
             dict: "object", type(None): "null"}
    name = names.get(type(value), type(value).__name__)
    return ("an " if name[0] in "aeiou" else "a ") + name


def read_summary(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """A run's ``summary.json`` and, if it cannot be used, what is wrong with it.

    Returns
    -------
    summary : dict or None
        The summary, None if it is missing, unreadable or malformed.
    problem : str or None
        ``summary.json`` and what is wrong with it (None for a usable summary).
    """
    name = Path(path).name
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        return None, f"{name} is missing"
    except (OSError, UnicodeDecodeError) as error:
        return None, f"{name} cannot be read ({error.__class__.__name__}: {error})"
    if not text.strip():
        return None, f"{name} is empty"
    try:
        summary = json.loads(text)
    except json.JSONDecodeError as error:
        return None, f"{name} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
    problem = summary_problem(summary)
    return (None, f"{name} {problem}") if problem else (summary, None)


def read_run(run_dir: Path) -> Run:
    """Read one run directory (a complete run from its summary, others from Hydra's files).

    A run whose status says complete but whose summary is missing, empty or malformed is
    ``broken``, with what is wrong as its ``error``: it is reported, never compared.
    """
    run_dir = Path(run_dir)
    status = read_status(run_dir)
    job = tuple(str(o) for o in (_read_yaml(run_dir / OVERRIDES_FILE) or []))
    summary, problem = read_summary(run_dir / SUMMARY_FILE) if status == "complete" else (None, None)
    if summary is not None:
        kpis = {**scalar_kpis(summary["kpis"]), **brand_kpis(summary.get("competition"))}
        return Run(run_dir, status, summary["scenario"], summary["seed"], job, kpis,
                   currency=currency_from(summary))
    details = _read_json(run_dir / STATUS_FILE) or {}
    scenario, seed = override_value(job, "scenario"), _as_int(override_value(job, "seed"))
    if scenario is None or seed is None:
        config = _read_yaml(run_dir / CONFIG_FILE) or {}
        scenario = scenario or (config.get("scenario") or {}).get("name")
        seed = seed if seed is not None else _as_int(config.get("seed"))
    if problem is not None:
        return Run(run_dir, "broken", str(scenario or "?"), seed, job, error=problem)
    return Run(run_dir, status, str(scenario or details.get("scenario") or "?"), seed, job,
               error=details.get("error"), bad_input=bool(details.get("bad_input", False)))


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def find_run_dirs(sweep_dir: Path) -> list[Path]:
    """Every run directory under ``sweep_dir`` (sorted by path)."""
    sweep_dir = Path(sweep_dir)
    found = {p.parent for p in sweep_dir.rglob(STATUS_FILE)}
    found |= {p.parent.parent for p in sweep_dir.rglob(OVERRIDES_FILE.name) if p.parent.name == ".hydra"}
    return sorted(found)


def expected_jobs(sweep_dir: Path) -> list[tuple[str, ...]] | None:
    """The jobs the sweep asked for, from ``multirun.yaml``, in launch order.

    None when the sweep has no ``multirun.yaml`` or used a sweeper other than a grid sweeper,
    Hydra's basic one or journeysim's subclass of it (other sweepers' jobs cannot be listed in advance).
    """
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    config = _read_yaml(Path(sweep_dir) / SWEEP_FILE)
    hydra = (config or {}).get("hydra") or {}
    sweeper = hydra.get("sweeper") or {}
    if not str(sweeper.get("_target_", "")).endswith(("BasicSweeper", "ComposeOnceSweeper")):
        return None
    arguments = [f"{k}={v}" for k, v in (sweeper.get("params") or {}).items()]
    arguments += list((hydra.get("overrides") or {}).get("task") or [])
    try:
        overrides = OverridesParser.create().parse_overrides(arguments)
        batches = BasicSweeper.split_arguments(overrides, None)
    except HydraException:
        return None
    return [tuple(job) for batch in batches for job in batch]


def _job_key(job: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(sorted(job))


def sweep_runs(sweep_dir: Path) -> tuple[list[Run], list[tuple[str, ...]]]:
    """The sweep's runs (in launch order where known) and the jobs that have no run directory.

    Parameters
    ----------
    sweep_dir : Path
        A Hydra sweep directory (or any folder holding run directories).

    Returns
    -------
    runs : list of Run
        Every run directory found, finished or not.
    missing : list of tuple of str
        Overrides of the jobs ``multirun.yaml`` asked for that have no run directory.
    """
    runs = [read_run(path) for path in find_run_dirs(sweep_dir)]
    expected = expected_jobs(sweep_dir)
    if expected is None:
        return runs, []
    order = {_job_key(job): k for k, job in enumerate(expected)}
    runs.sort(key=lambda run: (order.get(_job_key(run.job), len(order)), str(run.path)))
    present = {_job_key(run.job) for run in runs}
    return runs, [job for job in expected if _job_key(job) not in present]
