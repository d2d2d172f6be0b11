"""The sweeper of ``journey --multirun``: Hydra's basic sweeper, composing each job's config once.

Hydra's basic sweeper composes every job of a batch before launching it (to stop a sweep with a bad
override before its first job), then the launcher composes every job again where it runs: two
compositions a job, 0.3 to 0.9 s each. This sweeper keeps the early check and drops the repeat:

- when the launcher runs jobs in this process (``hydra/launcher=basic``, the default), the configs
  composed by the check are the ones the jobs run (one composition per job);
- when jobs run elsewhere (joblib, Ray, submitit), each job composes its own config in its worker
  (in parallel, one composition per job), and this process composes only the first job of each
  batch, which fails on any override key the config does not have (every job of a sweep has the
  same keys; group choices and config files were checked before Hydra started, see
  :func:`journeysim.cli.main`).

``conf/hydra/sweeper/journeysim.yaml`` selects it (the default of ``journey``). Hydra accepts
plugin classes from the ``hydra_plugins`` package only, and finds them by scanning that package,
which an editable install hides from the scan: ``journey`` registers the class by hand
(:func:`journeysim.cli.register_sweeper`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from hydra._internal.core_plugins.basic_launcher import BasicLauncher
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig


class ComposedConfigs:
    """A config loader that hands out, once each, the job configs composed ahead of their launch.

    Every other call (and a job composed for the first time) goes to the wrapped loader.

    Parameters
    ----------
    loader : hydra.core.config_loader.ConfigLoader
        Hydra's config loader of the sweep.
    """

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.composed: dict[tuple[str, ...], DictConfig] = {}

    def compose(self, master_config: DictConfig, overrides: Sequence[str]) -> DictConfig:
        """Compose one job's config and keep it for that job's launch."""
        config = self.loader.load_sweep_config(master_config=master_config, sweep_overrides=list(overrides))
        self.composed[tuple(overrides)] = config
        return config

    def load_sweep_config(self, master_config: DictConfig, sweep_overrides: list[str]) -> DictConfig:
        """The job's config composed ahead (handed out once), else a fresh composition."""
        config = self.composed.pop(tuple(sweep_overrides), None)
        if config is None:
            config = self.loader.load_sweep_config(master_config=master_config, sweep_overrides=sweep_overrides)
        return config

    def __getattr__(self, name: str) -> Any:
        loader = self.__dict__.get("loader")
        if loader is None:
            raise AttributeError(name)
        return getattr(loader, name)


class ComposeOnceSweeper(BasicSweeper):
    """Hydra's basic sweeper (same options, same jobs, same order) with one composition per job."""

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        """Set up Hydra's basic sweeper and its launcher; an in-process launcher reads the composed configs."""
        super().setup(hydra_context=hydra_context, task_function=task_function, config=config)
        self.in_process = isinstance(self.launcher, BasicLauncher)
        if self.in_process:
            self.configs = ComposedConfigs(hydra_context.config_loader)
            self.launcher.hydra_context = dataclasses.replace(hydra_context, config_loader=self.configs)

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Compose the batch's jobs before any is launched (in process: each job; else the first), and
        check the comparison's options."""
        from journeysim.experiments.callbacks import check_options

        assert self.config is not None
        check_options(self.config)
        if self.in_process:
            self.configs.composed.clear()
            for overrides in batch:
                self.configs.compose(self.config, overrides)
        elif batch:
            self.hydra_context.config_loader.load_sweep_config(master_config=self.config,
                                                               sweep_overrides=list(batch[0]))
