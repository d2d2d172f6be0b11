"""``journey --multirun hydra/launcher=dask`` and ``hydra/launcher=ray``: Hydra's joblib launcher on
the joblib backend its config names.

Hydra's joblib launcher (1.2) always runs joblib's ``loky`` backend (local processes), whatever its
``backend`` option says; :class:`EngineLauncher` passes the option on, so the jobs run on a Dask
cluster (joblib's ``dask`` backend: the client :func:`journeysim.cli.main` opens) or on Ray (Ray's
joblib backend). Each job composes its own config where it runs, as with the joblib launcher.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from hydra.core.utils import JobReturn
from hydra_plugins.hydra_joblib_launcher.joblib_launcher import JoblibLauncher

log = logging.getLogger(__name__)


class EngineLauncher(JoblibLauncher):
    """Hydra's joblib launcher (same options) that runs its jobs on the configured joblib backend."""

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        """Run every job through ``joblib.Parallel(backend=...)``; results in job order."""
        from hydra.core.singleton import Singleton
        from hydra.core.utils import configure_log, setup_globals
        from hydra_plugins.hydra_joblib_launcher._core import execute_job, process_joblib_cfg
        from joblib import Parallel, delayed, parallel_config

        assert self.config is not None and self.task_function is not None and self.hydra_context is not None
        setup_globals()
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        Path(str(self.config.hydra.sweep.dir)).mkdir(parents=True, exist_ok=True)
        options = dict(self.joblib)
        process_joblib_cfg(options)
        log.info("Joblib.Parallel(%s) is launching %d jobs", ",".join(f"{k}={v}" for k, v in options.items()),
                 len(job_overrides))
        state = Singleton.get_state()
        with parallel_config(backend=options.pop("backend")):  # registers joblib's dask backend on first use
            return Parallel(**options)(
                delayed(execute_job)(initial_job_idx + index, overrides, self.hydra_context, self.config,
                                     self.task_function, state)
                for index, overrides in enumerate(job_overrides))
