"""Command-line entry points (Hydra): ``journey`` runs one scenario or a sweep."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from journeysim.sim.config import parse_config
from journeysim.sim.errors import EXIT_BAD_INPUT, EXIT_INTERRUPTED, ConfigError, closest

CONFIG_GROUPS = ("scenario", "population", "channels", "network", "service")


def group_options(group: str) -> list[str]:
    """Names of the YAML files of a config group (``scenario`` -> baseline, bass, ...)."""
    from importlib.resources import files

    folder = files("journeysim.conf").joinpath(group)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def user_config_dirs(argv: list[str]) -> list[Path]:
    """Directories given with ``--config-dir DIR`` or ``-cd DIR`` (Hydra searches them too)."""
    dirs = [Path(b) for a, b in zip(argv, argv[1:], strict=False) if a in ("--config-dir", "-cd")]
    return dirs + [Path(a.partition("=")[2]) for a in argv if a.startswith("--config-dir=")]


def check_group_choices(argv: list[str]) -> None:
    """Reject ``group=name`` overrides naming no config file, before Hydra starts.

    Files ``DIR/<group>/<name>.yaml`` of a ``--config-dir DIR`` count as options too.
    """
    extra = user_config_dirs(argv)
    for arg in argv:
        key, _, value = arg.partition("=")
        key = key.lstrip("+~")
        if key in CONFIG_GROUPS and value:
            options = group_options(key) + sorted(p.stem for d in extra for p in (d / key).glob("*.yaml"))
            for name in value.split(","):
                if name not in options:
                    raise ConfigError(key, name, closest(name, options))


def fail(error: ConfigError) -> None:
    """Print a bad-input error and exit with status 2 (no traceback)."""
    print(f"journey: error: {error}", file=sys.stderr)
    raise SystemExit(EXIT_BAD_INPUT)


def fail_job(error: Exception, run_dir: Path) -> dict:
    """In a sweep, record a job's error in its run directory and let the other jobs run."""
    import logging

    from journeysim.outputs import mark_status

    bad_input = isinstance(error, ConfigError)
    mark_status(run_dir, "failed", error=f"{type(error).__name__}: {error}", bad_input=bad_input)
    if bad_input:
        print(f"journey: error in {run_dir}: {error}", file=sys.stderr)
    else:  # the traceback goes to the job's log file beside its outputs
        logging.getLogger(__name__).exception("run failed; %s is marked failed", run_dir)
    return {"status": "failed", "error": str(error)}


@hydra.main(version_base="1.3", config_path="pkg://journeysim.conf", config_name="config")
def run_journey(cfg: DictConfig) -> dict | None:
    """Run the configured scenario into Hydra's run directory and print its KPI table."""
    from journeysim.experiments.resume import completed_summary
    from journeysim.runner import config_hash, request_stop, run

    run_dir = Path(HydraConfig.get().runtime.output_dir)
    sweep = HydraConfig.get().mode == RunMode.MULTIRUN
    try:
        spec = parse_config(cfg)
    except ConfigError as error:
        return fail_job(error, run_dir) if sweep else fail(error)
    stored = completed_summary(run_dir, config_hash(cfg), spec.seed)
    if stored is not None:  # resume: this directory already holds this config and seed, complete
        print(f"journey: {run_dir} is complete for this config and seed; skipped", file=sys.stderr)
        return stored
    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        outcome = run(spec, run_dir, cfg=cfg, progress=spec.outputs.progress)
    except ConfigError as error:
        return fail_job(error, run_dir) if sweep else fail(error)
    except KeyboardInterrupt:
        print(f"journey: interrupted; {run_dir} is marked incomplete", file=sys.stderr)
        raise SystemExit(EXIT_INTERRUPTED) from None
    except Exception as error:
        if not sweep:
            raise
        return fail_job(error, run_dir)
    if spec.outputs.progress:
        from journeysim.report import print_kpis

        print_kpis(outcome.summary, run_dir)
    return outcome.summary


def main() -> None:
    """Console script ``journey``: any bad input, Hydra's own errors included, exits 2 with a
    one-paragraph message and no traceback."""
    from journeysim.sim.errors import hydra_errors_as_config_errors

    try:
        check_group_choices(sys.argv[1:])
        with hydra_errors_as_config_errors(sys.argv[1:]):
            run_journey()
    except ConfigError as error:
        fail(error)
