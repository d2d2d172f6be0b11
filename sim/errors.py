"""The one error type for bad input: it names the key, the value and what is allowed."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

# --------------------------------------------------------------------------- exit codes
EXIT_OK = 0
"""Every command: done."""
EXIT_FAILED = 1
"""A run failed, or some runs of a sweep failed (the others are kept)."""
EXIT_BAD_INPUT = 2
"""Bad input (config, override, plan or path): one message naming the key, value and what is allowed."""
EXIT_INTERRUPTED = 130
"""Stopped by Ctrl-C (128 + SIGINT); the run directory is marked incomplete."""
EXIT_TERMINATED = 143
"""Stopped by SIGTERM (128 + SIGTERM); the run directory is marked incomplete."""


class Interrupted(KeyboardInterrupt):
    """A run stopped by a signal (Ctrl-C or SIGTERM), raised where it can stop cleanly.

    Parameters
    ----------
    signum : int
        The signal's number (``signal.SIGINT`` or ``signal.SIGTERM``).
    detail : str
        Where it stopped, e.g. ``after day 12``.
    """

    def __init__(self, signum: int, detail: str = "") -> None:
        self.signum = int(signum)
        super().__init__(f"stopped by {signal_name(self.signum)}{' ' + detail if detail else ''}")


def signal_name(signum: int) -> str:
    """``SIGINT``, ``SIGTERM``, ... (``signal N`` for a number Python has no name for)."""
    import signal

    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def exit_status(interruption: BaseException) -> int:
    """128 + the signal that stopped a command: 130 for Ctrl-C (a plain KeyboardInterrupt), 143 for
    SIGTERM."""
    return 128 + getattr(interruption, "signum", 2)


class ConfigError(ValueError):
    """A config or input value that the simulator cannot run with.

    Parameters
    ----------
    key : str
        Dotted config key (or file and line) of the bad value.
    value : object
        The value given.
    allowed : str
        What would be accepted, in words.
    """

    def __init__(self, key: str, value: object, allowed: str) -> None:
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"{key} = {value!r} is not allowed: {allowed}.")

    def __reduce__(self) -> tuple:
        """Pickled whole (class, message, key, value, allowed): a subclass such as
        :class:`UnknownKeyError` raised in a worker reaches the command as itself, so it exits 2."""
        return (_rebuilt, (type(self), str(self), self.key, self.value, self.allowed))


def _rebuilt(cls: type[ConfigError], message: str, key: str, value: object, allowed: str) -> ConfigError:
    """A :class:`ConfigError` (or subclass) from its pickled parts, without calling its ``__init__``."""
    error = cls.__new__(cls)
    ValueError.__init__(error, message)
    error.key, error.value, error.allowed = key, value, allowed
    return error


def closest(name: str, choices: Iterable[str]) -> str:
    """Return a 'did you mean' hint for ``name`` among ``choices`` (empty if none is close)."""
    choices = list(choices)
    match = difflib.get_close_matches(str(name), choices, n=1, cutoff=0.5)
    listed = ", ".join(sorted(choices))
    hint = f"one of {listed}"
    return f"{hint} (did you mean '{match[0]}'?)" if match else hint


NO_VALUE = object()
"""The value of an unknown key when it is not known (a key read from a file Hydra composed)."""


class UnknownKeyError(ConfigError):
    """A key the config does not have: names the key, the value given to it and the keys allowed.

    Reads ``unknown key 'sedes' (value '2'); did you mean 'seed'? Allowed: a key of the root
    config, one of channels, days, ...``.

    Parameters
    ----------
    key : str
        Dotted key of the unknown key.
    value : object
        The value given to it (:data:`NO_VALUE` if not known).
    known : iterable of str
        The keys its section does have.
    section : str
        The section, in words (``market``, ``the root config``).
    add : str
        What to write to add the key on purpose (empty when adding is not possible).
    """

    def __init__(self, key: str, value: object, known: Iterable[str], section: str, add: str = "") -> None:
        known = sorted(str(k) for k in known)
        name = key.rpartition(".")[2].rpartition("]")[2] or key
        match = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
        given = "" if value is NO_VALUE else f" (value {value!r})"
        hint = f"; did you mean '{match[0]}'?" if match else "."
        allowed = f"a key of {section}, one of {', '.join(known)}{add}"
        ValueError.__init__(self, f"unknown key '{key}'{given}{hint} Allowed: {allowed}.")
        self.key, self.value, self.allowed = key, (None if value is NO_VALUE else value), allowed


def unknown_name(key: str, name: str, choices: Iterable[str]) -> ConfigError:
    """Error for a name that is not one of ``choices``, suggesting the closest."""
    return ConfigError(key, name, closest(name, choices))


def yaml_syntax_error(error: Exception, file: str | None = None) -> ConfigError:
    """A :class:`ConfigError` for a YAML syntax error: the file, line and column and the parser's
    reason, on one line and never quoting the file's contents.

    Parameters
    ----------
    error : Exception
        A ``yaml.YAMLError`` (a ``MarkedYAMLError`` knows the file, line and column).
    file : str, optional
        The file's name when the parser was given its text, not the file.
    """
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or "the text does not parse"
    context = getattr(error, "context", None)
    reason = f"{problem} ({context})" if context else problem
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "the file"
    name = getattr(mark, "name", None)
    if file is not None or not name or name.startswith("<"):
        name = file or "a YAML file"
    return ConfigError(str(name), where, f"valid YAML: {reason}; indent with spaces, never tabs, "
                       "and close every brace and bracket")


# --------------------------------------------------------------------------- Hydra's own errors
HYDRA_GRAMMAR = "https://hydra.cc/docs/1.2/advanced/override_grammar/basic"


def one_paragraph(text: str) -> str:
    """Hydra's multi-line message as one paragraph (search path and node details dropped)."""
    text = text.split("Config search path:", 1)[0]
    lines = [line.strip() for line in text.splitlines()]
    details = ("full_key:", "object_type=", "reference_type=", "See https://")
    kept = [line for line in lines if line and not line.startswith(details)]
    return " ".join(kept).rstrip(".")


def from_hydra(error: Exception, argv: list[str]) -> ConfigError:
    """A :class:`ConfigError` for an error Hydra or OmegaConf raised on the command line.

    Parameters
    ----------
    error : Exception
        A ``hydra.errors.HydraException`` or ``omegaconf.errors.OmegaConfBaseException``.
    argv : list of str
        The command-line arguments (to find the override at fault).
    """
    from hydra.errors import MissingConfigException, OverrideParseException
    from omegaconf.errors import ConfigAttributeError, ConfigKeyError

    cause = error.__cause__
    if isinstance(cause, ConfigAttributeError | ConfigKeyError) and cause.full_key and cause.parent_node is not None:
        return _unknown_key(cause, argv)
    if isinstance(error, OverrideParseException):
        return _bad_syntax(error, argv)
    if isinstance(error, MissingConfigException) and error.missing_cfg_file:
        group, _, name = error.missing_cfg_file.rpartition("/")
        options = error.options or []
        allowed = closest(name, options) if options else f"the name of a config in the group '{group}' (it has none)"
        return ConfigError(group or "config", name, allowed)
    return _other(error, argv)


def _other(error: Exception, argv: list[str]) -> ConfigError:
    """Any other Hydra or OmegaConf error: name the override it quotes, if any."""
    message = one_paragraph(str(error))
    if error.__cause__ is not None and str(error.__cause__):
        message = f"{message}: {one_paragraph(str(error.__cause__))}"
    quoted = [arg.partition("=")[0].lstrip("+~") for arg in argv if arg in message]
    keys = [getattr(error, "full_key", None), *quoted, *re.findall(r"'([^' ]+)'", message)]
    for key in filter(None, keys):
        arg = _override_of(str(key), argv)
        if arg is not None:
            return ConfigError(str(key), arg, message)
    return ConfigError("command line", " ".join(argv), message)


def _override_of(key: str, argv: list[str]) -> str | None:
    for arg in argv:
        name, _, value = arg.partition("=")
        if name.lstrip("+~") == key or name.lstrip("+~").startswith(f"{key}."):
            return arg
    return None


def _unknown_key(cause: Exception, argv: list[str]) -> ConfigError:
    full_key = str(cause.full_key)
    parent, _, name = full_key.rpartition(".")
    known = [str(k) for k in cause.parent_node]
    arg = _override_of(full_key, argv)
    add = f"; to add a new key on purpose write +{arg.lstrip('+~')}" if arg else ""
    value: object = NO_VALUE
    if arg:  # the override's value, under the keys below the unknown one (channels.serch.daily_budget=10)
        given_key, _, value = arg.lstrip("+~").partition("=")
        for part in reversed(given_key[len(full_key) + 1:].split(".") if given_key != full_key else []):
            value = {part: value}
    return UnknownKeyError(full_key, value, known, parent or "the root config", add)


def _bad_syntax(error: Exception, argv: list[str]) -> ConfigError:
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    parser = OverridesParser.create()
    for arg in argv:
        if arg.startswith("-"):
            continue
        try:
            parser.parse_override(arg)
        except HydraException as bad:
            return ConfigError("override", arg, _grammar_hint(bad))
    return ConfigError("override", " ".join(argv), _grammar_hint(error))


def _grammar_hint(error: Exception) -> str:
    reason = one_paragraph(str(error)).replace("Error parsing override ", "")
    return (f"key=value in Hydra's override grammar, e.g. market.checkout_friction=0.2, "
            f"'service.staff_schedule=[{{from_day:0,staff:3}}]' (parser: {reason}; see {HYDRA_GRAMMAR})")


@contextmanager
def hydra_errors_as_config_errors(argv: list[str]) -> Iterator[None]:
    """Let Hydra's own errors (override syntax, unknown keys, missing config files) surface as
    :class:`ConfigError` instead of Hydra's message and exit status 1.

    Hydra raises instead of reporting when ``HYDRA_FULL_ERROR`` is set; a user who set it
    wants the full traceback, so then nothing is translated.
    """
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    if os.environ.get("HYDRA_FULL_ERROR") == "1":
        yield
        return
    os.environ["HYDRA_FULL_ERROR"] = "1"
    try:
        yield
    except (HydraException, OmegaConfBaseException) as error:
        raise from_hydra(error, argv) from None
    finally:
        os.environ.pop("HYDRA_FULL_ERROR", None)
