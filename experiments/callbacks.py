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
        self.compare(sweep_dir, quiet=False)
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
            comparison = aggregate(sweep_dir, self.reference, level=self.level)
        except ConfigError as error:
            print(f"journey: no comparison for {sweep_dir}: {error}", file=sys.stderr)
            return None
        write_comparison(comparison, sweep_dir, figures=self.figures, kpis=self.kpis)
        if not quiet:
            print(markdown(comparison, self.kpis))
            print(f"journey: comparison written to {sweep_dir / 'comparison.md'} (and .csv, runs.csv, figures)")
        return comparison


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
