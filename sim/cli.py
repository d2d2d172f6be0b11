"""Command-line entry points (Hydra): ``journey`` runs one scenario or a sweep."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from journeysim.sim.config import parse_config
from journeysim.sim.errors import ConfigError, closest

CONFIG_GROUPS = ("scenario", "population", "channels", "network", "service")
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def group_options(group: str) -> list[str]:
    """Names of the YAML files of a config group (``scenario`` -> baseline, bass, ...)."""
    from importlib.resources import files

    folder = files("journeysim.conf").joinpath(group)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def check_group_choices(argv: list[str]) -> None:
    """Reject ``group=name`` overrides naming no config file, before Hydra starts."""
    for arg in argv:
        key, _, value = arg.partition("=")
        key = key.lstrip("+~")
        if key in CONFIG_GROUPS and value:
            options = group_options(key)
            for name in value.split(","):
                if name not in options:
                    raise ConfigError(key, name, closest(name, options))


def fail(error: ConfigError) -> None:
    """Print a bad-input error and exit with status 2 (no traceback)."""
    print(f"journey: error: {error}", file=sys.stderr)
    raise SystemExit(EXIT_BAD_INPUT)


def _terminate(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    raise KeyboardInterrupt


@hydra.main(version_base="1.3", config_path="pkg://journeysim.conf", config_name="config")
def run_journey(cfg: DictConfig) -> dict | None:
    """Run the configured scenario into Hydra's run directory and print its KPI table."""
    from journeysim.sim.runner import run

    try:
        spec = parse_config(cfg)
    except ConfigError as error:
        fail(error)
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        outcome = run(spec, run_dir, cfg=cfg, progress=spec.outputs.progress)
    except ConfigError as error:
        fail(error)
    except KeyboardInterrupt:
        print(f"journey: interrupted; {run_dir} is marked incomplete", file=sys.stderr)
        raise SystemExit(EXIT_INTERRUPTED) from None
    if spec.outputs.progress:
        from journeysim.sim.report import print_kpis

        print_kpis(outcome.summary, run_dir)
    return outcome.summary


def main() -> None:
    """Console script ``journey``."""
    try:
        check_group_choices(sys.argv[1:])
    except ConfigError as error:
        fail(error)
    run_journey()
