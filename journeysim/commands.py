"""The one skeleton of every journeysim command (``journey``, ``journey-compare``, ``journey-truth``...).

Every command has the same shape:

- **options**: positional arguments, ``--long-options`` and config overrides ``key=value`` in
  Hydra's grammar, in any order; ``--version`` prints journeysim's version;
- **help**: what the command does in journeysim's words first, then usage, options, examples,
  where it writes and the exit statuses (:func:`parser`);
- **errors**: bad input (a :class:`~journeysim.sim.errors.ConfigError`, a Hydra composition error,
  an unknown option) prints ``<command>: error: <key> = <value> is not allowed: <what is>`` on
  stderr and exits :data:`~journeysim.sim.errors.EXIT_BAD_INPUT`, with no traceback; Ctrl-C exits
  :data:`~journeysim.sim.errors.EXIT_INTERRUPTED` and SIGTERM
  :data:`~journeysim.sim.errors.EXIT_TERMINATED` (:func:`run`);
- **output directory**: ``hydra.run.dir=DIR``, the key ``journey`` has always taken, chooses where
  a command writes; the default is ``outputs/<kind>/<name>/<date_time>`` (:func:`output_dir`); each
  command ends by writing ``manifest.json`` there and printing ``outputs: DIR`` (:func:`report_outputs`).

A command in this shape (the experiment commands' thin ``cli`` modules follow it)::

    def parser() -> CommandParser:
        p = commands.parser("journey-truth", "journey-truth: what it does, in our words.",
                            examples=("journey-truth scenario=attribution_lab --seeds 5",),
                            writes="truth.csv, ... in outputs/truth/<scenario>/<date_time>/")
        p.add_argument("--seeds", type=int, default=5, help="number of seeds (default 5)")
        commands.add_overrides(p)
        return p

    def main(argv=None) -> int:
        def body() -> None:
            args = commands.parse(parser(), argv)
            result = true_effects(..., overrides=args.overrides)
            directory = commands.output_dir(args.output_dir, "truth", result.scenario)
            result.write(directory)
            commands.report_outputs(directory)
        return commands.run("journey-truth", body, argv)

This module imports nothing heavy; Hydra loads only when a command composes a config.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from journeysim import interrupts
from journeysim.sim.errors import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    ConfigError,
    exit_status,
    hydra_errors_as_config_errors,
    yaml_syntax_error,
)
from journeysim.version import version

OUTPUT_KEY = "hydra.run.dir"
"""The override that chooses a command's output directory (``hydra.run.dir=DIR``)."""

OUTPUT_ROOT = Path("outputs")
"""Default root of every command's outputs, under the working directory."""

TIME_FORMAT = "%Y-%m-%d_%H-%M-%S"
"""Timestamp of default output directories (as Hydra names its run directories)."""

EXIT_STATUSES = (f"exit status: {EXIT_OK} done; {EXIT_FAILED} a run failed; {EXIT_BAD_INPUT} bad input (one line "
                 f"naming the key, the value and what is allowed); {EXIT_INTERRUPTED} interrupted (Ctrl-C); "
                 f"{EXIT_TERMINATED} stopped (SIGTERM)")
"""The last line of every command's help."""


def version_line(prog: str) -> str:
    """What ``<command> --version`` prints: ``journey (journeysim 0.1.0)``."""
    return f"{prog} (journeysim {version()})"


# --------------------------------------------------------------------------- help and options
class CommandParser(argparse.ArgumentParser):
    """An argument parser whose help opens with what the command does, then its usage."""

    def format_help(self) -> str:
        """Description first (journeysim's words), then usage, arguments and the epilog."""
        formatter = self._get_formatter()
        formatter.add_text(self.description)
        formatter.add_usage(self.usage, self._actions, self._mutually_exclusive_groups)
        for group in self._action_groups:
            formatter.start_section(group.title)
            formatter.add_text(group.description)
            formatter.add_arguments(group._group_actions)
            formatter.end_section()
        formatter.add_text(self.epilog)
        return formatter.format_help()

    def error(self, message: str) -> NoReturn:
        """An unknown or malformed option: one line, exit :data:`EXIT_BAD_INPUT` (as every bad input)."""
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def help_epilog(examples: Sequence[str] = (), writes: str | None = None) -> str:
    """The part of a command's help after its options: examples, where it writes, exit statuses.

    Parameters
    ----------
    examples : sequence of str
        Command lines, each optionally followed by ``  # what it does``.
    writes : str, optional
        What the command writes and its default directory; None for commands that write nothing.
    """
    parts = []
    if examples:
        parts.append("examples:\n" + "\n".join(f"  {line}" for line in examples))
    if writes is not None:
        parts.append(f"output: {writes}; {OUTPUT_KEY}=DIR writes into DIR instead")
    parts.append(EXIT_STATUSES)
    return "\n\n".join(parts)


def parser(prog: str, summary: str, examples: Sequence[str] = (), writes: str | None = None) -> CommandParser:
    """An argument parser in the house layout.

    Parameters
    ----------
    prog : str
        The command's name (``journey-compare``).
    summary : str
        What the command does, in journeysim's words (the first thing ``--help`` prints).
    examples : sequence of str
        Example command lines for the help.
    writes : str, optional
        What the command writes and where by default; such a command accepts ``hydra.run.dir=DIR``.

    Returns
    -------
    CommandParser
        With ``--version``; add the command's own arguments (config overrides last, with
        :func:`add_overrides`), then parse with :func:`parse`.
    """
    p = CommandParser(prog=prog, description=summary, epilog=help_epilog(examples, writes),
                      formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=version_line(prog), help="print journeysim's version")
    p.set_defaults(output_dir=None)
    p.default_output = OUTPUT_ROOT if writes is not None else None  # checked by parse()
    return p


def add_overrides(p: argparse.ArgumentParser, help: str | None = None) -> None:  # noqa: A002 - argparse's name
    """Take config overrides (``key=value``, after the other positional arguments) into ``args.overrides``."""
    p.add_argument("overrides", nargs="*", metavar="key=value",
                   help=help or "config overrides for every run, e.g. population.size=5000 (see journey --help)")


def add_deprecated_out(p: argparse.ArgumentParser) -> None:
    """``--out DIR``, the old way to choose the output directory (hidden; :func:`parse` notes it)."""
    p.add_argument("--out", default=None, help=argparse.SUPPRESS)


def split_output_dir(argv: Sequence[str]) -> tuple[list[str], str | None]:
    """Take ``hydra.run.dir=DIR`` out of ``argv``: (the other arguments, DIR or None)."""
    rest, chosen = [], None
    for arg in argv:
        key, sep, value = arg.partition("=")
        if sep and key.lstrip("+") == OUTPUT_KEY:
            if not value:
                raise ConfigError(OUTPUT_KEY, value, "a directory to write into")
            chosen = value
        else:
            rest.append(arg)
    return rest, chosen


class MissingArgument(ConfigError):
    """A required argument left out; a ``key=value`` in its place is an override, never the argument.

    Parameters
    ----------
    name : str
        The argument's name (``plan``).
    allowed : str
        What it may be (the argument's help).
    overrides : sequence of str
        The overrides given, that argparse would have taken for it.
    given : str
        The positional arguments that were given, by name (``plan 'x.csv'``).
    """

    def __init__(self, name: str, allowed: str, overrides: Sequence[str] = (), given: str = "") -> None:
        taken = ""
        if overrides:
            listed = ", ".join(repr(o) for o in overrides)
            taken = f"; {listed} {'is a key=value override' if len(overrides) == 1 else 'are key=value overrides'}, " \
                    f"not the {name}"
        after = f" (given: {given})" if given else ""
        ValueError.__init__(self, f"the {name} argument is missing{after}: {allowed}{taken}.")
        self.key, self.value, self.allowed = name, None, allowed


def is_override(arg: str) -> bool:
    """``key=value`` (a config override) rather than a positional argument: an ``=`` after a key
    that is no path (``seed=2``; not ``runs/seed=2`` nor an existing file)."""
    key, sep, _ = arg.partition("=")
    return bool(sep and key) and not arg.startswith("-") and "/" not in key and not Path(arg).exists()


def check_required_positionals(p: argparse.ArgumentParser, argv: Sequence[str]) -> None:
    """Refuse a command line that leaves out a required positional argument of a command taking
    overrides, naming the argument and what it may be, before argparse puts an override in its place
    (``journey-calibrate seed=2`` would read the plan ``seed=2``)."""
    actions = [a for a in p._actions if not a.option_strings]  # noqa: SLF001 - argparse keeps no public list
    if not any(a.dest == "overrides" for a in actions):
        return
    required = [a for a in actions if a.nargs is None]
    takes_value = {s for a in p._actions if a.option_strings and a.nargs != 0 for s in a.option_strings}  # noqa: SLF001
    positionals, overrides, option_value = [], [], False
    for arg in argv:
        if option_value or arg.startswith("-"):
            option_value = not option_value and arg in takes_value
            continue
        (overrides if is_override(arg) else positionals).append(arg)
    if len(positionals) < len(required) and not {"-h", "--help", "--version"} & set(argv):
        missing = required[len(positionals)]
        given = ", ".join(f"{a.metavar or a.dest} {v!r}" for a, v in zip(required, positionals, strict=False))
        raise MissingArgument(missing.metavar or missing.dest, missing.help or "see --help", overrides, given)


def omitted_positional(args: argparse.Namespace, name: str, default: str) -> None:
    """An optional positional argument (``[PLAN] [key=value ...]``) left out: argparse put the first
    override in its place. Move it back to ``args.overrides`` and use ``default``."""
    value = getattr(args, name)
    if value is not None and "=" in value:
        args.overrides = [value, *args.overrides]
        setattr(args, name, default)


def legacy_options(prog: str, argv: Sequence[str], names: Sequence[str]) -> list[str]:
    """Rewrite options once written ``name=value`` (``seeds=5``) as ``--name value``, with a note.

    ``out=DIR`` becomes ``hydra.run.dir=DIR``. For commands whose options used the override style.
    """
    rewritten = []
    for arg in argv:
        key, sep, value = arg.partition("=")
        if sep and key in names:
            new = [f"{OUTPUT_KEY}={value}"] if key == "out" else [f"--{key.replace('_', '-')}", value]
            print(f"{prog}: '{arg}' is deprecated; write {' '.join(new)}", file=sys.stderr)
            rewritten += new
        else:
            rewritten.append(arg)
    return rewritten


def parse(p: argparse.ArgumentParser, argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse a command line built by :func:`parser`; ``hydra.run.dir=DIR`` lands in ``args.output_dir``.

    Options and positional arguments may be intermixed (``PLAN key=value --jobs 2``). Every
    config override must be ``key=value``. A command that writes has its output location checked
    here, before any work (:func:`check_output_location`; ``p.default_output`` when no directory is
    chosen, None to skip).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    rest, chosen = split_output_dir(argv)
    check_required_positionals(p, rest)
    args = p.parse_intermixed_args(rest)
    if getattr(args, "out", None) is not None:
        print(f"{p.prog}: --out is deprecated; write {OUTPUT_KEY}={args.out}", file=sys.stderr)
        chosen = chosen or args.out
    args.output_dir = chosen
    where = chosen or getattr(p, "default_output", None)
    if where is not None:
        check_output_location(where)
    for override in getattr(args, "overrides", None) or []:
        if "=" not in override:
            raise ConfigError("override", override, "key=value (a config key and its value)")
    return args


# --------------------------------------------------------------------------- where a command writes
def output_dir(chosen: str | Path | None, kind: str, name: str) -> Path:
    """The directory a command writes into: ``hydra.run.dir`` if given, else ``outputs/<kind>/<name>/<time>``.

    Parameters
    ----------
    chosen : str or Path, optional
        ``args.output_dir`` (from ``hydra.run.dir=DIR``).
    kind : str
        What the command makes (``truth``, ``sensitivity``...).
    name : str
        The scenario or plan it ran.
    """
    return Path(chosen) if chosen else OUTPUT_ROOT / kind / name / time.strftime(TIME_FORMAT)


def report_outputs(directory: str | Path, **provenance: object) -> None:
    """Write the directory's ``manifest.json`` (:func:`journeysim.manifest.write_manifest`, with
    ``provenance``: ``config``, ``seeds``), then print where the command wrote: ``outputs: DIR``."""
    from journeysim.manifest import write_manifest

    if Path(directory).is_dir():
        write_manifest(directory, command=" ".join([Path(sys.argv[0]).name, *sys.argv[1:]]), **provenance)
    print(f"outputs: {directory}", flush=True)


# --------------------------------------------------------------------------- running a command
def headless() -> None:
    """Commands write figures to files: make matplotlib's backend Agg in this process only."""
    if "matplotlib" in sys.modules:
        import matplotlib

        matplotlib.use("Agg")
    else:
        os.environ["MPLBACKEND"] = "Agg"


_ENDS_WITHOUT_COLLECTION: list[bool] = []
"""Holds True once :func:`end_without_collection` has registered its exit hook in this process."""


def end_without_collection() -> None:
    """Let this process end without Python's shutdown garbage collections (registered once a process).

    A command's process holds a large heap when it ends (numpy, pandas, Hydra, SciPy and, after a
    run, the model), and Python's shutdown spent about half a second collecting it after the last
    output was written (0.47 s after ``journey --multirun`` wrote its comparison). At exit every
    object is frozen (:func:`gc.freeze`): shutdown frees what reference counts free and skips the
    cycle collections. Every output of a command is written, flushed and renamed before it returns.
    """
    if _ENDS_WITHOUT_COLLECTION:
        return
    _ENDS_WITHOUT_COLLECTION.append(True)
    import atexit
    import gc

    atexit.register(gc.freeze)


def fail(prog: str, error: ConfigError) -> NoReturn:
    """Print a bad-input error as one paragraph and exit with :data:`EXIT_BAD_INPUT` (no traceback)."""
    print(f"{prog}: error: {error}", file=sys.stderr)
    raise SystemExit(EXIT_BAD_INPUT)


# --------------------------------------------------------------------------- files and locations
PATH_PROBLEMS = {
    errno.ENOENT: "a path that exists (no such file or directory)",
    errno.EACCES: "a location this user may read and write (permission denied)",
    errno.EPERM: "a location this user may read and write (operation not permitted)",
    errno.EROFS: "a location on a writable file system (this one is read-only)",
    errno.ENOSPC: "a location with free space (the disk is full; files written so far are kept whole)",
    errno.EDQUOT: "a location with free space (the disk quota is used up)",
    errno.ENOTDIR: "a path whose every parent is a directory (a file stands where a directory should be)",
    errno.EISDIR: "a file, not a directory",
    errno.EEXIST: "a path free for a directory (a file of that name exists)",
    errno.ENAMETOOLONG: "a shorter path (the name is too long)",
}
"""What a file or location must be, by the operating system's error number."""


def path_error(error: OSError, key: str = "file") -> ConfigError | None:
    """A :class:`ConfigError` for an operating-system error on a user's file or location (None for
    an error that is not about where a file is: those are bugs and keep their traceback).

    Parameters
    ----------
    error : OSError
        Raised by the operating system; ``error.filename`` names the file when known.
    key : str
        What the path is (``file``, ``hydra.run.dir``, a config key naming a data file).
    """
    allowed = PATH_PROBLEMS.get(error.errno)
    if allowed is None:
        return None
    path = error.filename if error.filename is not None else "(a file being written)"
    return ConfigError(key, str(path), allowed)


def as_config_error(error: BaseException) -> ConfigError | None:
    """The bad input behind ``error`` as a :class:`ConfigError`, or None when it is not bad input.

    Bad input besides config values: a YAML file that does not parse, and a file or output location
    that cannot be read or written (missing, read-only, a file where a directory should be, a full
    disk).
    """
    if isinstance(error, ConfigError):
        return error
    if isinstance(error, OSError):
        return path_error(error)
    yaml = sys.modules.get("yaml")
    if yaml is not None and isinstance(error, yaml.YAMLError):
        return yaml_syntax_error(error)
    return None


MIN_FREE_BYTES = 1 << 20
"""Free space an output location must have before a command starts (bytes)."""


def check_output_location(directory: str | Path, key: str = OUTPUT_KEY) -> None:
    """Refuse, before any work, an output directory that cannot be created or written into.

    Nothing is created: the directory, or its nearest existing parent, must be a writable directory
    on a file system with free space.

    Raises
    ------
    ConfigError
        Naming ``key``, the directory and what stands in the way.
    """
    directory = Path(directory)
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        allowed = (PATH_PROBLEMS[errno.EEXIST] if existing == directory
                   else f"a path whose every parent is a directory ({existing} is a file)")
        raise ConfigError(key, str(directory), allowed)
    stats = os.statvfs(existing)
    if stats.f_flag & os.ST_RDONLY:
        raise ConfigError(key, str(directory), PATH_PROBLEMS[errno.EROFS])
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(key, str(directory), PATH_PROBLEMS[errno.EACCES])
    if stats.f_bavail * stats.f_frsize < MIN_FREE_BYTES:
        raise ConfigError(key, str(directory), "a location with free space (the disk is full)")


def run(prog: str, body: Callable[[], int | None], argv: Sequence[str] | None = None) -> int:
    """Run a command's body with the house error handling; returns its exit status.

    Parameters
    ----------
    prog : str
        The command's name, prefixed to every error message.
    body : callable
        Does the work; returns an exit status (None means :data:`EXIT_OK`).
    argv : sequence of str, optional
        The command line (to name the override at fault in Hydra's errors).

    Raises
    ------
    SystemExit
        :data:`EXIT_BAD_INPUT` after bad input, :data:`EXIT_INTERRUPTED` after Ctrl-C,
        :data:`EXIT_TERMINATED` after SIGTERM.
    """
    headless()
    end_without_collection()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        with hydra_errors_as_config_errors(argv):
            status = body()
    except KeyboardInterrupt as interruption:
        print(f"{prog}: interrupted", file=sys.stderr)
        raise SystemExit(exit_status(interruption)) from None
    except Exception as error:
        interruption = interrupts.behind(error)  # a library's own error raised while a signal unwound it
        if interruption is not None:
            print(f"{prog}: interrupted", file=sys.stderr)
            raise SystemExit(exit_status(interruption)) from None
        bad_input = as_config_error(error)
        if bad_input is None:
            raise
        fail(prog, bad_input)
    return EXIT_OK if status is None else int(status)
