"""The one error type for bad input: it names the key, the value and what is allowed."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


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


def closest(name: str, choices: Iterable[str]) -> str:
    """Return a 'did you mean' hint for ``name`` among ``choices`` (empty if none is close)."""
    choices = list(choices)
    match = difflib.get_close_matches(str(name), choices, n=1, cutoff=0.5)
    listed = ", ".join(sorted(choices))
    hint = f"one of {listed}"
    return f"{hint} (did you mean '{match[0]}'?)" if match else hint


def unknown_name(key: str, name: str, choices: Iterable[str]) -> ConfigError:
    """Error for a name that is not one of ``choices``, suggesting the closest."""
    return ConfigError(key, name, closest(name, choices))
