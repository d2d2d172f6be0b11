"""``journey`` runs one scenario or a sweep (a Hydra application); ``journey-scenarios`` lists them.

Both follow the skeleton of :mod:`journeysim.commands`: journeysim's own help and version, one
error line and exit status 2 for bad input, ``hydra.run.dir=DIR`` for the output directory.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from journeysim import commands, interrupts
from journeysim.sim.errors import (  # noqa: F401 - docs read EXIT_* here
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    ConfigError,
    closest,
    exit_status,
    signal_name,
)

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


def check_user_yaml(argv: list[str]) -> None:
    """Parse the config files of each ``--config-dir`` (``config.yaml`` and the files of its group
    folders) before Hydra starts, so a syntax error stops a sweep before its first job and names the
    file, line and column (other YAML files there, such as plans, are not configs: left alone)."""
    import yaml

    from journeysim.sim.errors import yaml_syntax_error

    for folder in user_config_dirs(argv):
        configs = [*folder.glob("config.yaml"), *folder.glob("*/*.yaml")] if folder.is_dir() else []
        for path in sorted(configs):
            try:
                yaml.safe_load(path.read_text())
            except yaml.YAMLError as error:
                raise yaml_syntax_error(error, str(path)) from None


def check_output_location(argv: list[str]) -> None:
    """Refuse, before Hydra starts, a run or sweep directory that cannot be written
    (``hydra.run.dir``, or ``hydra.sweep.dir`` with ``--multirun``; default ``outputs/``, ``multirun/``)."""
    if {"--cfg", "-c", "--info", "-i", "--hydra-help", "--shell-completion", "-sc"} & set(argv):
        return  # prints, writes nothing
    multirun = bool({"--multirun", "-m"} & set(argv))
    key = "hydra.sweep.dir" if multirun else commands.OUTPUT_KEY
    chosen = [arg.partition("=")[2] for arg in argv if arg.partition("=")[0].lstrip("+") == key]
    where = chosen[-1] if chosen else ("multirun" if multirun else str(commands.OUTPUT_ROOT))
    static = where.split("${", 1)[0] or "."  # an interpolated tail is resolved by Hydra
    commands.check_output_location(static, key)


def read_partial(run_dir: Path) -> bool:
    """Whether an interrupted run kept the tables of the days it finished (``status.json``)."""
    import json

    try:
        return bool(json.loads((run_dir / "status.json").read_text()).get("partial"))
    except (OSError, ValueError, AttributeError):
        return False


def single_run_dir(argv: list[str]) -> Path | None:
    """The directory a single run writes into when the command line names it (not a sweep, no
    interpolation): locked before Hydra writes its own files there."""
    if {"--multirun", "-m", "--cfg", "-c", "--info", "-i", "--hydra-help"} & set(argv):
        return None
    chosen = [arg.partition("=")[2] for arg in argv if arg.partition("=")[0].lstrip("+") == commands.OUTPUT_KEY]
    return Path(chosen[-1]) if chosen and "${" not in chosen[-1] else None


def register_plugins() -> None:
    """Register journeysim's Hydra plugins, ``hydra/sweeper=journeysim`` (a sweep composes each job
    once) and the launcher of ``hydra/launcher=dask`` and ``=ray``, with Hydra, which finds plugins
    by scanning the ``hydra_plugins`` package: an editable install hides ours from the scan.

    The scan runs first: it re-executes the modules it finds, Hydra's sweepers among them, so a class
    imported before it would subclass a replaced one.
    """
    from hydra.core.plugins import Plugins

    plugins = Plugins.instance()
    from hydra_plugins.journeysim_sweeper.compose_once import ComposeOnceSweeper
    from hydra_plugins.journeysim_sweeper.engines import EngineLauncher

    plugins.register(ComposeOnceSweeper)  # a no-op when the scan found it
    plugins.register(EngineLauncher)


def sweep_engine(argv: list[str]):
    """What the sweep's launcher needs open while it runs: joblib's Ray backend registered
    (``hydra/launcher=ray``), or a Dask client (``hydra/launcher=dask``: the scheduler at
    ``DASK_SCHEDULER_ADDRESS``, else a local cluster of one single-threaded worker per CPU,
    stopped when the sweep ends)."""
    from contextlib import nullcontext

    if "hydra/launcher=ray" in argv:  # conf/hydra/launcher/ray.yaml: joblib's Ray backend
        from journeysim.experiments.executors import register_joblib_ray

        register_joblib_ray()
    if "hydra/launcher=dask" in argv:  # conf/hydra/launcher/dask.yaml: joblib's Dask backend
        from journeysim.experiments.executors import Executor, open_session

        return open_session(Executor("dask", os.environ.get("DASK_SCHEDULER_ADDRESS") or None), 0).current()
    return nullcontext()


def fail(error: ConfigError) -> None:
    """Print a bad-input error and exit with status 2 (no traceback)."""
    commands.fail("journey", error)


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
    if HydraConfig.get().mode != RunMode.MULTIRUN:
        return journey_job(cfg)
    from journeysim.experiments.workers import worker_job

    with worker_job():  # in a worker of hydra/launcher=joblib: it ends when the sweep's parent does
        return journey_job(cfg)


def journey_job(cfg: DictConfig) -> dict | None:
    """:func:`run_journey`'s work: one run (alone, or one job of a sweep)."""
    from journeysim.experiments.resume import resume
    from journeysim.runner import config_hash, request_stop, run
    from journeysim.scenarios.spec import parse_config  # the config schema: pydantic, numpy (0.2 s)

    run_dir = Path(HydraConfig.get().runtime.output_dir)
    sweep = HydraConfig.get().mode == RunMode.MULTIRUN
    try:
        spec = parse_config(cfg)
    except ConfigError as error:
        return fail_job(error, run_dir) if sweep else fail(error)
    stored = resume(run_dir, config_hash(cfg), spec.seed)
    if stored.summary is not None:  # this directory already holds this config and seed, complete and whole
        print(f"journey: {run_dir} is complete for this config and seed; skipped", file=sys.stderr)
        return stored.summary
    if stored.again is not None:
        print(f"journey: {run_dir} was complete for this config and seed, but {stored.again}; running it again",
              file=sys.stderr)
    if threading.current_thread() is threading.main_thread():  # a Dask worker runs jobs in a thread
        # a signal that a library swallowed while this job's modules loaded (after the entry point's
        # check) would be lost once request_stop takes over: raise it now
        interrupts.raise_received()
        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
    try:
        outcome = run(spec, run_dir, cfg=cfg, progress=spec.outputs.progress)
    except ConfigError as error:
        return fail_job(error, run_dir) if sweep else fail(error)
    except KeyboardInterrupt as interruption:
        kept = " (the tables of the finished days are kept, marked partial)" if read_partial(run_dir) else ""
        print(f"journey: interrupted by {signal_name(getattr(interruption, 'signum', signal.SIGINT))}; "
              f"{run_dir} is marked incomplete{kept}", file=sys.stderr)
        raise SystemExit(exit_status(interruption)) from None
    except Exception as error:
        if sweep:
            return fail_job(error, run_dir)
        bad_input = commands.as_config_error(error)  # a full disk, a read-only directory
        if bad_input is None:
            raise
        fail(bad_input)
    if spec.outputs.progress:
        from journeysim.report import print_kpis
        from journeysim.units import currency_from

        print_kpis(outcome.summary, console=None, currency=currency_from(cfg))
    if not sweep:
        commands.report_outputs(run_dir)
    return outcome.summary


SUMMARY = ("journey: run one journeysim scenario. Synthetic customers move from unaware to advocate under "
           "marketing, word of mouth and service; journey prints the KPI table and writes the run's tables "
           "(CSV, or Parquet with outputs.format=parquet), figures (PNG), summary.json and manifest.json.")

EXAMPLES = (
    "journey                                           # baseline: 10,000 customers for 365 days",
    "journey scenario=spring_sale seed=3 days=730      # another scenario, seed and run length",
    "journey --multirun scenario=baseline,digital_shift seed='range(5)'   # a sweep; then journey-compare DIR",
)


def journey_help() -> str:
    """``journey --help``: what it does, three examples, the groups and scenarios (one line each),
    then how to see the full config."""
    from journeysim.scenarios.catalogue import library

    width = 12
    groups = [f"  {group:<{width}}{', '.join(group_options(group))}" for group in CONFIG_GROUPS if group != "scenario"]
    scenarios = library()
    name_width = max(len(s.name) for s in scenarios) + 2
    lines = [SUMMARY, "", "usage: journey [group=option ...] [key=value ...] [--multirun] [hydra.run.dir=DIR]", "",
             "examples:", *(f"  {line}" for line in EXAMPLES), "",
             "scenarios (scenario=NAME; journey-scenarios NAME prints one):",
             *(f"  {s.name:<{name_width}}{s.question}" for s in scenarios), "",
             "config groups (group=option):", *groups, "",
             "options:",
             "  --version           print journeysim's version",
             "  --multirun, -m      sweep every combination of comma-separated values",
             "  --cfg job           print the resolved config and stop (every key: docs/config.md)",
             "  --hydra-help        Hydra's own options", "",
             f"output: outputs/<scenario>/<date_time>/ (a sweep: multirun/<date_time>/); "
             f"{commands.OUTPUT_KEY}=DIR writes into DIR instead", "",
             commands.EXIT_STATUSES]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``journey``: journeysim's help and version; any bad input, Hydra's own errors
    included, exits 2 with a one-paragraph message and no traceback."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if {"-h", "--help"} & set(argv):
        print(journey_help())
        return 0
    if {"-V", "--version"} & set(argv):
        print(commands.version_line("journey"))
        return 0

    def body() -> None:
        check_group_choices(argv)
        check_user_yaml(argv)
        check_output_location(argv)
        register_plugins()
        from contextlib import nullcontext

        from journeysim.rundir import run_lock

        locked = single_run_dir(argv)
        saved = sys.argv
        sys.argv = [saved[0] if saved else "journey", *argv]  # Hydra reads the command line from sys.argv
        try:
            with run_lock(locked) if locked is not None else nullcontext(), sweep_engine(argv):
                run_journey()
        finally:
            sys.argv = saved

    return commands.run("journey", body, argv)


# --------------------------------------------------------------------------- journey-scenarios
def scenarios_main(argv: Sequence[str] | None = None) -> int:
    """Console script ``journey-scenarios``: the scenario library, or one scenario's YAML file."""
    from journeysim.scenarios.catalogue import find, library, listing

    p = commands.parser("journey-scenarios", "journey-scenarios: list journeysim's scenario library, one line "
                        "per scenario with the question it answers (run one with: journey scenario=NAME).",
                        examples=("journey-scenarios                 # the library",
                                  "journey-scenarios spring_sale     # that scenario's YAML file"))
    p.add_argument("name", nargs="?", help="print this scenario's YAML file instead of the list")

    def body() -> None:
        args = commands.parse(p, argv)
        try:
            print(find(args.name).text if args.name else listing(library()), end="" if args.name else "\n")
            sys.stdout.flush()
        except BrokenPipeError:  # the reader (e.g. ``head``) stopped early: not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

    return commands.run("journey-scenarios", body, argv)


# --------------------------------------------------------------------------- journey-app
HOST = "127.0.0.1"  # the page is served to this machine only unless --host says otherwise
PORT = 8765  # TCP port (Solara's default)


def app_parser() -> commands.CommandParser:
    """The command line of ``journey-app``."""
    p = commands.parser("journey-app", "journey-app: serve journeysim's interactive page for trainers: watch "
                        "customers move between journey stages on a word-of-mouth network, pull the levers "
                        "(budgets, discount, checkout, staffing) and press Reset to rerun with them.",
                        examples=("journey-app                      # http://127.0.0.1:8765",
                                  "journey-app --host 0.0.0.0 --port 8080   # a classroom LAN"))
    p.add_argument("--port", type=int, default=PORT, help=f"TCP port (default {PORT}; 0 picks a free one)")
    p.add_argument("--host", default=HOST,
                   help=f"address to listen on (default {HOST}: this machine only; 0.0.0.0 for a classroom LAN)")
    return p


def parse_app_args(argv: Sequence[str] | None = None):
    """Options of ``journey-app`` (ConfigError for a port outside 0..65535). An empty or blank
    ``--host`` means this machine only (:data:`HOST`), never every interface; a warning goes to
    standard error when the page is served beyond this machine."""
    from journeysim.sim.schema.fields import Number, check

    args = commands.parse(app_parser(), argv)
    check(Number(low=0, high=65535, integer=True), args.port, "--port")
    args.host = args.host.strip() or HOST
    if not is_loopback(args.host):
        print(f"journey-app: warning: serving the page on {args.host}: anyone who can reach this machine on "
              f"port {args.port} can use it (the default, {HOST}, serves this machine only)", file=sys.stderr)
    return args


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (``127.0.0.1``, ``::1``, ``localhost``)."""
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def server_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command serving the page (production mode, no version check, no browser)."""
    return [sys.executable, "-m", "solara", "run", "journeysim.app", "--host", host, "--port", str(port),
            "--production", "--no-open", "--no-check-version"]


def app_main(argv: Sequence[str] | None = None) -> int:
    """Console script ``journey-app``: serve the page with Solara until interrupted."""

    def body() -> None:
        args = parse_app_args(argv)
        os.environ.setdefault("SOLARA_CHECK_HOOKS", "off")
        os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
        os.environ.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "15s")  # a closed tab's run is freed 15 s later
        os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "false")  # Solara's corner banner covered the charts
        # glibc gives each thread touching the heap an arena (up to 8 a core); a class's sessions step
        # on many threads, and the arenas kept about 100 MB after the class left (two: about 40, #28)
        os.environ.setdefault("MALLOC_ARENA_MAX", "2")
        command = server_command(args.host, args.port)
        os.execv(command[0], command)

    return commands.run("journey-app", body, argv)
