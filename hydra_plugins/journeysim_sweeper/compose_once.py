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

Where jobs are composed (in this process, or in each worker), the jobs of a sweep that choose the same
config groups share one composition: a process composes the config groups of a sweep's jobs once
(:class:`DerivedConfigs`) and gives each job a copy with its own values set, as Hydra sets them
(0.13 CPU s a job saved in a 10,000-customer sweep, where a copy takes 0.015 s). The config files
are read when a process composes a sweep's first job of each choice of groups; edits to them while
the sweep runs are not seen by its later jobs.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
import uuid
from collections.abc import Sequence
from typing import Any

from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
from hydra._internal.core_plugins.basic_launcher import BasicLauncher
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf

# Hydra's plugin scan executes this module again in the same module object each time a worker
# starts a job (``Singleton.set_state`` re-creates the plugin registry): the caches below are taken
# over from the last execution, or each job would compose afresh.
_COMPOSED: dict[tuple[str, ...], DictConfig] = globals().get("_COMPOSED", {})
"""This process's compositions of one sweep's config groups, by the sweep and its group overrides
(see :class:`DerivedConfigs`); a new sweep forgets the last one's."""
_GROUPS: dict[tuple[str, str], bool] = globals().get("_GROUPS", {})
"""Whether an override's key names a config group, by the sweep and the key."""
_LOCK: threading.Lock = globals().get("_LOCK") or threading.Lock()
"""Guards the two caches (a Dask worker runs jobs in threads)."""


class _WrappedLoader:
    """A wrapper of Hydra's config loader: whatever it does not define goes to the wrapped ``loader``."""

    loader: Any

    def __getattr__(self, name: str) -> Any:
        loader = self.__dict__.get("loader")
        if loader is None:
            raise AttributeError(name)
        return getattr(loader, name)


class DerivedConfigs(_WrappedLoader):
    """A config loader that composes the config groups of a sweep's jobs once per process and gives
    each job a copy of that composition with its own values set.

    A job's config is Hydra's composition of its config groups (the defaults list, merged) with the
    job's other overrides applied: jobs that choose the same groups (``seed=0``, ``seed=1``, ...)
    differ only in those values. Each job's config is built as Hydra builds it
    (:meth:`ConfigLoaderImpl.load_configuration`): the same classification of overrides (an
    override is a value unless its key names a config group and its value is not a dictionary),
    the same function applying the values in order, the task overrides and ``override_dirname``
    recorded from all of them. Anything else (a sweep over Hydra's own keys, ``hydra.searchpath``)
    is composed by Hydra as before.

    Parameters
    ----------
    loader : hydra.core.config_loader.ConfigLoader
        Hydra's config loader of the sweep (pickled with each job to the process that runs it).
    sweep : str
        Identifies the sweep, so a process that runs jobs of several sweeps (a reused worker) never
        hands one sweep's composition to another.
    """

    def __init__(self, loader: Any, sweep: str) -> None:
        self.loader = loader
        self.sweep = sweep

    def load_sweep_config(self, master_config: DictConfig, sweep_overrides: list[str]) -> DictConfig:
        """The job's config: a copy of its config groups' composition with its values set."""
        overrides = OverridesParser.create().parse_overrides(list(sweep_overrides))
        if (not isinstance(self.loader, ConfigLoaderImpl) or list(master_config.hydra.searchpath)
                or any(o.is_sweep_override() or o.is_hydra_override() for o in overrides)):
            return self.loader.load_sweep_config(master_config=master_config, sweep_overrides=list(sweep_overrides))
        values = [o for o in overrides if isinstance(o.value(), dict) or not self._is_group(o.key_or_group)]
        groups = [o.input_line for o in overrides if not any(o is v for v in values)]
        config = copy.deepcopy(self._composed(master_config, groups))
        ConfigLoaderImpl._apply_overrides_to_config(values, config)
        task = config.hydra.overrides.task
        task.clear()
        for override in overrides:
            task.append(override.input_line)
        naming = config.hydra.job.config.override_dirname
        config.hydra.job.override_dirname = get_overrides_dirname(
            overrides=overrides, exclude_keys=naming.exclude_keys, item_sep=naming.item_sep, kv_sep=naming.kv_sep)
        OmegaConf.copy_cache(from_config=master_config, to_config=config)
        return config

    def _composed(self, master_config: DictConfig, groups: list[str]) -> DictConfig:
        """Hydra's composition of the sweep's config with these group overrides (this process's first)."""
        key = (self.sweep, *groups)
        with _LOCK:
            composed = _COMPOSED.get(key)
        if composed is None:
            composed = self.loader.load_sweep_config(master_config=master_config, sweep_overrides=groups)
            with _LOCK:
                for old in [k for k in _COMPOSED if k[0] != self.sweep]:
                    del _COMPOSED[old]
                _COMPOSED[key] = composed
        return composed

    def _is_group(self, key: str) -> bool:
        """Whether ``key`` names a config group (Hydra's test, on the sweep's search path)."""
        with _LOCK:
            known = _GROUPS.get((self.sweep, key))
        if known is None:
            known = bool(self.loader.repository.group_exists(key))
            with _LOCK:
                _GROUPS[(self.sweep, key)] = known
        return known


class ComposedConfigs(_WrappedLoader):
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


class ComposeOnceSweeper(BasicSweeper):
    """Hydra's basic sweeper (same options, same jobs, same order) with one composition per job."""

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        """Set up Hydra's basic sweeper and its launcher; an in-process launcher reads the composed configs."""
        super().setup(hydra_context=hydra_context, task_function=task_function, config=config)
        self.in_process = isinstance(self.launcher, BasicLauncher)
        derived = DerivedConfigs(hydra_context.config_loader, uuid.uuid4().hex)
        if self.in_process:
            self.configs = ComposedConfigs(derived)
            self.launcher.hydra_context = dataclasses.replace(hydra_context, config_loader=self.configs)
        elif hasattr(self.launcher, "hydra_context"):
            self.launcher.hydra_context = dataclasses.replace(hydra_context, config_loader=derived)

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
