"""Hydra callback: record every sweep job's status and compare the sweep's scenarios when it ends.

Hydra calls ``on_multirun_end`` only when no job raised; ``on_job_end`` always fires. So
``on_job_end`` records a raised error in the job's ``status.json`` and, once a job has
raised, re-aggregates the sweep from disk after every later job: the comparison of the
runs that did finish is never lost. (``journey`` itself catches a run's errors in a
sweep and records them, so normally ``on_multirun_end`` runs and aggregates once.)
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hydra.core.utils import JobReturn, JobStatus
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig

from journeysim.sim.errors import EXIT_BAD_INPUT, EXIT_FAILED

if TYPE_CHECKING:
    from journeysim.experiments.aggregate import Comparison



class CompareSweep(Callback):
    """Aggregate a sweep into ``comparison.csv``, ``comparison.md``, ``runs.csv`` and figures.

    Parameters
    ----------
    reference : str, optional
        The reference scenario for paired differences (a group's label, or words of it);
        default ``baseline`` if present, else the sweep's first scenario.
    kpis : sequence of str, optional
        KPIs for the Markdown table and the figures (the CSV always has every KPI).
    figures : bool
        Write ``comparison.png`` and ``differences.png``.
    level : float
        Confidence level of the intervals, 0..1.
    exit_on_failure : bool
        Exit with status 1 (2 if only bad input failed) after aggregating when runs failed.
    """

    def __init__(self, reference: str | None = None, kpis: Sequence[str] | None = None, figures: bool = True,
                 level: float = 0.95, exit_on_failure: bool = True) -> None:
        self.reference = reference
        self.kpis = list(kpis) if kpis else None
        self.figures = figures
        self.level = level
        self.exit_on_failure = exit_on_failure
        self.raised = 0
        self.bad_option = False

    def on_job_end(self, config: DictConfig, job_return: JobReturn, **kwargs: Any) -> None:
        """Record a raised error in the job's status file; after one, keep the comparison current."""
        if config.hydra.mode != RunMode.MULTIRUN:
            return
        if job_return.status == JobStatus.FAILED:
            # job_return.return_value re-raises a failed job's error; the error itself is _return_value
            record_failure(Path(config.hydra.runtime.output_dir), job_return._return_value)
            self.raised += 1
        if self.raised:
            self.compare(Path(config.hydra.sweep.dir), quiet=True)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Aggregate the whole sweep, print the table, and exit non-zero if runs failed."""
        from journeysim.experiments.runs import sweep_runs

        sweep_dir = Path(config.hydra.sweep.dir)
        if self.compare(sweep_dir, quiet=False) is None and self.bad_option:
            raise SystemExit(EXIT_BAD_INPUT)  # a KPI or reference the runs do not have: said above
        if not self.exit_on_failure:
            return
        failed = [run for run in sweep_runs(sweep_dir)[0] if run.status == "failed"]
        if failed:
            bad_input = all(run.bad_input for run in failed)
            raise SystemExit(EXIT_BAD_INPUT if bad_input else EXIT_FAILED)

    def compare(self, sweep_dir: Path, quiet: bool = False) -> Comparison | None:
        """Aggregate ``sweep_dir`` and write the comparison there; returns it (None if nothing to compare)."""
        from journeysim.experiments.aggregate import aggregate
        from journeysim.experiments.report import markdown, write_comparison
        from journeysim.sim.errors import ConfigError

        try:
            comparison = aggregate(sweep_dir, self.reference, self.kpis, level=self.level)
        except ConfigError as error:
            print(f"journey: no comparison for {sweep_dir}: {error}", file=sys.stderr)
            self.bad_option = error.key in ("kpi", "reference")
            return None
        write_comparison(comparison, sweep_dir, figures=self.figures, kpis=self.kpis)
        if not quiet:
            print(markdown(comparison, self.kpis))
            print(f"journey: comparison written to {sweep_dir / 'comparison.md'} (and .csv, runs.csv, figures)")
        return comparison


OPTIONS = ("reference", "kpis", "figures", "level", "exit_on_failure")
"""The options of ``hydra.callbacks.compare`` (besides its ``_target_``)."""


def check_options(config: DictConfig) -> None:
    """Check the comparison's options (``hydra.callbacks.compare``) before the sweep's first job.

    Raises
    ------
    ConfigError
        Naming the option, the value and what is allowed (a misspelt option as an unknown key).
    """
    from omegaconf import OmegaConf

    from journeysim.sim.errors import ConfigError, UnknownKeyError

    options = OmegaConf.select(config, "hydra.callbacks.compare")
    if options is None or not str(options.get("_target_", "")).endswith("CompareSweep"):
        return
    key = "hydra.callbacks.compare"
    for name, value in options.items():
        if name != "_target_" and name not in OPTIONS:
            raise UnknownKeyError(f"{key}.{name}", value, OPTIONS, key)
    level = options.get("level", 0.95)
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise ConfigError(f"{key}.level", level, "a confidence level between 0 and 1")
    for name in ("figures", "exit_on_failure"):
        if not isinstance(options.get(name, True), bool):
            raise ConfigError(f"{key}.{name}", options.get(name), "true or false")
    reference = options.get("reference")
    if reference is not None and not isinstance(reference, str):
        raise ConfigError(f"{key}.reference", reference, "a scenario's label or words of one, or null")
    kpis = options.get("kpis")
    if kpis is not None and (isinstance(kpis, str) or not all(isinstance(k, str) for k in kpis)):
        raise ConfigError(f"{key}.kpis", kpis if isinstance(kpis, str) else list(kpis),
                          "a list of KPI names, e.g. [profit,cac], or null")


def record_failure(run_dir: Path, error: BaseException | Any) -> None:
    """Mark ``run_dir`` failed with the error and its traceback (beside the run's other outputs)."""
    from journeysim.outputs import mark_status
    from journeysim.sim.errors import ConfigError

    if isinstance(error, BaseException):
        text = "".join(traceback.format_exception(error))
        mark_status(run_dir, "failed", error=f"{type(error).__name__}: {error}",
                    bad_input=isinstance(error, ConfigError), traceback=text)
    else:
        mark_status(run_dir, "failed", error=str(error), bad_input=False)
