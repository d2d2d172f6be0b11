"""The one error format of the config schema.

A field rule raises :class:`Rule` (the value and what is allowed, with the path below the
field); :func:`config_error` turns it, or the first failure of a pydantic validation, into a
:class:`~journeysim.sim.errors.ConfigError` whose key is where the value sits::

    <key> = <value given> is not allowed: <what is allowed>.

An unknown key (:func:`unknown_key`) becomes an :class:`~journeysim.sim.errors.UnknownKeyError`
naming the key, the value given to it and the keys its section has.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import ValidationError

from journeysim.sim.errors import ConfigError, UnknownKeyError, closest


class Rule(ValueError):
    """A value that a field does not allow; :func:`load` adds the key from where it sits.

    Parameters
    ----------
    value : object
        The value given.
    allowed : str
        What would be accepted, in words.
    where : tuple of str or int
        Path below the field (a mapping key or list index) when the bad value is inside it.
    known : tuple of str, optional
        For an unknown key (the last of ``where``): the keys its section does have.
    """

    def __init__(self, value: object, allowed: str, where: tuple[str | int, ...] = (),
                 known: tuple[str, ...] | None = None) -> None:
        self.value, self.allowed, self.where, self.known = value, allowed, tuple(where), known
        super().__init__(allowed)

    def below(self, *where: str | int) -> Rule:
        """The same rule, its path prefixed by ``where``."""
        return Rule(self.value, self.allowed, (*where, *self.where), self.known)


def unknown_key(where: tuple[str | int, ...], value: object, known: Iterable[str]) -> Rule:
    """The :class:`Rule` for an unknown key at ``where`` given ``value``; its section has ``known``."""
    known = tuple(str(k) for k in known)
    return Rule(value, f"a key of {{section}}: {closest(str(where[-1]), known)}", where, known)


def first_rule(error: ValidationError, where: tuple[str | int, ...] = ()) -> Rule | ConfigError:
    """The first failure of a pydantic validation as a :class:`Rule` (path below ``where``);
    a :class:`ConfigError` raised with a full key stays as it is."""
    first = error.errors(include_url=False)[0]
    path = (*where, *first["loc"])
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, ConfigError):
        return cause
    if isinstance(cause, Rule):
        return cause.below(*path)
    if first["type"] == "missing":
        return Rule(None, "a value (the key is missing)", path)
    if first["type"] in ("dataclass_type", "dict_type", "model_type", "dataclass_args_type"):
        return Rule(first.get("input"), "a mapping of keys to values", path)
    return Rule(first.get("input"), first["msg"], path)


def config_error(error: ValidationError | Rule | ConfigError, prefix: str = "",
                 root: str = "the root config") -> ConfigError:
    """The :class:`ConfigError` for the first failure of a validation below ``prefix``.

    ``{section}`` in a rule's message becomes the key of the section holding the bad key.
    """
    rule = first_rule(error) if isinstance(error, ValidationError) else error
    if isinstance(rule, ConfigError):
        return rule
    section = dotted(prefix, rule.where[:-1]) or root
    if rule.known is not None:
        return UnknownKeyError(dotted(prefix, rule.where), rule.value, rule.known, section)
    return ConfigError(dotted(prefix, rule.where), rule.value, rule.allowed.replace("{section}", section))


def dotted(prefix: str, where: Sequence[str | int]) -> str:
    """``prefix`` extended by a path: names joined with dots, list indices in brackets."""
    key = prefix
    for part in where:
        key = f"{key}[{part}]" if isinstance(part, int) else f"{key}.{part}" if key else str(part)
    return key


def range_words(what: str, low: float | None, high: float | None) -> str:
    """``what`` with its bounds in words: 'a whole number from 0 to 999', 'a number of at least 1'."""
    if low is not None and high is not None:
        return f"{what} from {low:g} to {high:g}"
    if low is not None:
        return f"{what} of at least {low:g}"
    if high is not None:
        return f"{what} of at most {high:g}"
    return what
