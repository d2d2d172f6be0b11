"""The configuration reference, generated from ``conf/`` so that it cannot drift from the configs.

Every leaf key of every YAML file under ``conf/`` (except Hydra's own settings) must be
documented by a comment in the YAML itself:

- an inline comment on the key's line (``talk_rate: 0.05  # conversations per day``), or full-line
  comments directly above the key;
- or a glossary line in the file's leading comment, indented after the ``#``
  (``#   cpm: currency per 1,000 simulated exposures``), which documents that key name in the file;
- a key written once in a group is documented for the whole group: ``b2b.yaml`` need not repeat the
  comments of ``b2c.yaml``.

Two kinds of key inherit their parent's description: the members of a named collection
(:data:`COLLECTIONS`: personas, channels, stages, funnel steps, parameter names), and the keys of
an inline mapping written on one line (``saturation: {shape: exponential, scale: 2.0}``).
:func:`undocumented` lists every key that has no description; the test suite requires it to be empty.

The *allowed* column is read from the validator itself (:func:`journeysim.scenarios.spec.parse_config`):
each key is set to a few out-of-range values and the :class:`~journeysim.sim.errors.ConfigError`
it raises says what is allowed.
"""

from __future__ import annotations

import copy
import fnmatch
import inspect
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str, ...]

COLLECTIONS: dict[str, str] = {
    "population.personas": "<persona>",
    "population.personas.<persona>.affinity": "<channel>",
    "channels": "<channel>",
    "channels.<channel>.effect": "<stage>",
    "network.talk": "<stage>",
    "market.thresholds": "<step>",
    "competition.brands": "<brand>",
    "competition.brands.<brand>.media": "<channel>",
    "sensitivity.parameters": "<key>",
    "calibration.parameters": "<key>",
}
"""Mappings whose keys are names (of personas, channels, stages, ...) rather than settings:
their members are shown as the placeholder and share the mapping's description."""

SKIPPED_TOP_KEYS = frozenset({"defaults", "hydra"})
"""Keys that are Hydra's own (the defaults list and Hydra's settings), not journeysim's."""

GROUPS_IN_RUN_CONFIG = ("population", "channels", "network", "service", "competition", "scenario")
"""Config groups composed into the run config (``journey group=option``)."""

TABLE_ORDER = (*GROUPS_IN_RUN_CONFIG, "sensitivity", "calibration")
"""Reference tables after the root keys: the run's groups, then the configs of other commands."""

UNIT_RULES: tuple[tuple[str, str], ...] = (
    (r"currency per day|currency/day|currency a day", "currency/day"),
    (r"currency per 1,000", "currency/1,000 exposures"),
    (r"per referred acquisition", "currency/acquisition"),
    (r"currency per order|per order, currency", "currency/order"),
    (r"\bcurrency\b", "currency"),
    (r"orders shipped per day", "orders/day"),
    (r"tickets per order", "tickets/order"),
    (r"agent-hours per ticket", "hours/ticket"),
    (r"hours .*per calendar day", "hours/day"),
    (r"\bhours\b", "hours"),
    (r"satisfaction lost per day", "satisfaction/day"),
    (r"share of .*per day", "share/day"),
    (r"per year", "1/year"),
    (r"per-day|per day|per talker-day", "1/day"),
    (r"\bweeks\b", "weeks"),
    (r"\bdays\b", "days"),
    (r"probability|chance", "probability 0..1"),
    (r"\bshare\b|0\.\.1\b", "share 0..1"),
    (r"^(simulated |real )?customers\b|this many customers", "customers"),
    (r"^satisfaction\b", "satisfaction -1..1"),
)
"""Unit of a key, from words of its description (first matching rule; none: dimensionless)."""


# --------------------------------------------------------------------------- YAML comments
@dataclass
class FileComments:
    """The comments of one YAML file.

    Attributes
    ----------
    header : list of str
        The leading comment lines (without ``#``), before the first key.
    keys : dict
        Comment text by key path (a tuple of keys from the file's root).
    inline : set
        Paths whose value is an inline (flow) mapping written on the key's line.
    glossary : dict
        ``name: text`` entries of the leading comment (lines indented after ``#``).
    lines : dict
        Line number of each key path (1-based).
    """

    header: list[str] = field(default_factory=list)
    keys: dict[Path_, str] = field(default_factory=dict)
    inline: set[Path_] = field(default_factory=set)
    glossary: dict[str, str] = field(default_factory=dict)
    lines: dict[Path_, int] = field(default_factory=dict)


KEY_LINE = re.compile(r"^(?P<indent>\s*)(?P<key>[^\s#:'\"{}\[\],-][^:#]*?|'[^']*'|\"[^\"]*\"):(?:\s+(?P<rest>.*))?$")
GLOSSARY_LINE = re.compile(r"^#\s{2,}(?P<key>[A-Za-z_][\w.]*):\s+(?P<text>.+)$")


def split_comment(text: str) -> tuple[str, str]:
    """Split ``value  # comment`` into value and comment (a ``#`` inside quotes is not a comment)."""
    quote = ""
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or text[i - 1].isspace()):
            return text[:i].rstrip(), text[i + 1:].strip()
    return text.rstrip(), ""


def read_comments(text: str) -> FileComments:
    """Collect the comments of a YAML file written in block style, key by key.

    Parameters
    ----------
    text : str
        The YAML source.

    Returns
    -------
    FileComments
        Header, per-key comments, inline mappings, glossary and line numbers.
    """
    out = FileComments()
    stack: list[tuple[int, str]] = []  # (indent, key) of the open block mappings
    above: list[str] = []  # full-line comments directly above the next key
    seen_key = False
    list_indent: int | None = None  # inside a block list: skip its items
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped:
            above = []
            continue
        indent = len(line) - len(line.lstrip())
        if stripped.startswith("#"):
            if not seen_key:
                _header_line(out, stripped)
            elif list_indent is None or indent <= list_indent:
                above.append(stripped.lstrip("#").strip())
            continue
        if list_indent is not None:
            if indent > list_indent or (indent == list_indent and stripped.startswith("-")):
                continue
            list_indent = None
        if stripped.startswith("-"):
            list_indent = stack[-1][0] if stack else 0
            continue
        match = KEY_LINE.match(line)
        if match is None:
            continue
        seen_key = True
        while stack and stack[-1][0] >= indent:
            stack.pop()
        key = match["key"].strip("'\"")
        path = (*(k for _, k in stack), key)
        value, comment = split_comment(match["rest"] or "")
        text_parts = [*above, comment] if comment else above
        if text_parts:
            out.keys[path] = " ".join(part for part in text_parts if part)
        out.lines[path] = number
        above = []
        if value.startswith("{"):
            out.inline.add(path)
        elif not value:
            stack.append((indent, key))
            list_indent = None
    return out


def _header_line(out: FileComments, stripped: str) -> None:
    match = GLOSSARY_LINE.match(stripped)
    if match:
        out.glossary[match["key"]] = match["text"].strip()
        out.header.append(stripped.lstrip("#").strip())
        return
    body = stripped.lstrip("#")
    if out.glossary and body.startswith(" " * 4) and body.strip():
        last = next(reversed(out.glossary))
        out.glossary[last] += " " + body.strip()
    out.header.append(body.strip())


# --------------------------------------------------------------------------- conf files
@dataclass
class ConfFile:
    """One YAML file of ``conf/``: its group, option name, data and comments."""

    path: Path
    group: str
    option: str
    data: dict[str, Any]
    comments: FileComments

    @property
    def package(self) -> str:
        """Where the file's keys go in the config: its group, or ``_global_`` (``# @package _global_``)."""
        for line in self.comments.header:
            if line.startswith("@package"):
                return line.split(maxsplit=1)[1].strip()
        return self.group

    @property
    def prefix(self) -> Path_:
        """Key path of the file's root in the config (``('network',)``; ``()`` for the root or ``_global_``)."""
        package = self.package
        return tuple(package.split(".")) if package and package != "_global_" else ()

    @property
    def label(self) -> str:
        """How the file is chosen: ``network=erdos_renyi``, or ``config`` for the root config."""
        return f"{self.group}={self.option}" if self.group else self.option


def conf_dir() -> Path:
    """The ``conf`` folder journeysim reads its configs from (the installed ``journeysim.conf``)."""
    return Path(str(files("journeysim.conf")))


def conf_files(root: Path | None = None) -> list[ConfFile]:
    """Every YAML file under ``root`` (default: :func:`conf_dir`) except Hydra's own settings.

    The root ``config.yaml`` has group ``""``; ``network/erdos_renyi.yaml`` has group
    ``network`` and option ``erdos_renyi``.
    """
    root = Path(root) if root is not None else conf_dir()
    found = []
    for path in sorted(root.rglob("*.yaml")):
        relative = path.relative_to(root)
        if relative.parts[0] == "hydra":
            continue
        group = ".".join(relative.parts[:-1])
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
        if not isinstance(data, dict):
            continue
        found.append(ConfFile(path, group, path.stem, data, read_comments(text)))
    return found


def pattern(path: Path_) -> Path_:
    """The key path with collection members replaced by placeholders (``channels.<channel>.cpm``)."""
    out: list[str] = []
    for key in path:
        placeholder = COLLECTIONS.get(".".join(out))
        out.append(placeholder if placeholder else str(key))
    return tuple(out)


def leaves(data: Mapping[str, Any], prefix: Path_ = ()) -> Iterator[Path_]:
    """Every leaf key path of a mapping: scalars and lists; nested mappings are walked."""
    for key, value in data.items():
        path = (*prefix, str(key))
        if not prefix and key in SKIPPED_TOP_KEYS:
            continue
        if isinstance(value, Mapping) and value:
            yield from leaves(value, path)
        else:
            yield path


# --------------------------------------------------------------------------- descriptions
@dataclass
class KeyDoc:
    """One documented key (pattern) of a config group.

    Attributes
    ----------
    key : str
        Dotted key with placeholders, e.g. ``channels.<channel>.cpm``.
    description : str
        From the YAML comments (empty: undocumented).
    source : str
        File and line the description comes from.
    values : dict
        The key's value in each option of the group that sets it (option -> value).
    example : tuple of str
        A concrete key path of the pattern (used to probe the validator).
    allowed : str
        What the validator accepts (filled by :func:`probe_allowed`).
    members : dict
        For a key with placeholders: the value of each concrete key, by option (option -> key -> value).
    """

    key: str
    description: str
    source: str
    values: dict[str, Any]
    example: Path_
    allowed: str = ""
    members: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def unit(self) -> str:
        """The key's unit, from its description (:data:`UNIT_RULES`); none for names, switches and lists."""
        values = [v for v in self.values.values() if v is not None]
        if values and not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            return ""
        return unit_of(self.description, self.key)


def unit_of(description: str, key: str = "") -> str:
    """Unit named by a key's description (``""``: dimensionless or not stated)."""
    text = description.lower()
    if text.startswith("sd of"):
        return ""
    for regex, unit in UNIT_RULES:
        if re.search(regex, text):
            return unit
    if key.endswith("_days") or key.endswith("from_day"):
        return "days"
    return ""


def _parent_is_collection(conf: ConfFile, path: Path_) -> bool:
    return len(path) > 1 and ".".join(pattern((*conf.prefix, *path[:-1]))) in COLLECTIONS


def _description(conf: ConfFile, path: Path_, docs: dict[Path_, tuple[str, str]]) -> tuple[str, str]:
    """Description and source of key ``path`` of ``conf`` (empty strings if undocumented).

    In order: the description of the collection the key is a member of; the key's own comment;
    the comment of the same key pattern in another file; the file's glossary; the description of
    the inline mapping the key is written in.
    """
    comments = conf.comments
    if _parent_is_collection(conf, path):
        text, source = _description(conf, path[:-1], docs)
        if text:
            return text, source
    if path in comments.keys:
        return comments.keys[path], f"{conf.path.name}:{comments.lines[path]}"
    full = pattern((*conf.prefix, *path))
    if full in docs:
        return docs[full]
    if path[-1] in comments.glossary:
        return comments.glossary[path[-1]], f"{conf.path.name} (header)"
    if len(path) > 1 and path[:-1] in comments.inline:
        return _description(conf, path[:-1], docs)
    return "", ""


def documented_patterns(confs: list[ConfFile]) -> dict[Path_, tuple[str, str]]:
    """Description and source of every key pattern some file documents (comments and glossaries)."""
    docs: dict[Path_, tuple[str, str]] = {}
    for conf in confs:
        for path, text in conf.comments.keys.items():
            docs.setdefault(pattern((*conf.prefix, *path)), (text, f"{conf.path.name}:{conf.comments.lines[path]}"))
        for name, text in conf.comments.glossary.items():
            for path in leaves(conf.data):
                if name in path:
                    named = path[: path.index(name) + 1]
                    docs.setdefault(pattern((*conf.prefix, *named)), (text, f"{conf.path.name} (header)"))
    return docs


def table_of(key: Path_) -> str:
    """The reference table a key belongs in: its first segment if that is a group, else the root table."""
    return key[0] if len(key) > 1 and key[0] in TABLE_ORDER else ""


def default_options(confs: list[ConfFile]) -> dict[str, str]:
    """Each group's default option, from the root config's defaults list."""
    root = next((c for c in confs if c.group == "" and c.option == "config"), None)
    chosen: dict[str, str] = {}
    for entry in (root.data.get("defaults") or []) if root else []:
        if isinstance(entry, Mapping):
            chosen.update({str(k): str(v) for k, v in entry.items()})
    return chosen


def describe(confs: list[ConfFile] | None = None) -> dict[str, list[KeyDoc]]:
    """Every key pattern of ``conf/`` with its description and its value in each file that sets it.

    Returns
    -------
    dict
        Table name (``""`` for the root keys, else the group) -> key docs, in file order, each
        group's default option first.
    """
    confs = conf_files() if confs is None else confs
    defaults = default_options(confs)
    docs = documented_patterns(confs)
    ordered = sorted(confs, key=lambda c: (c.group != "", c.group, c.option != defaults.get(c.group), c.option))
    tables: dict[str, dict[str, KeyDoc]] = {}
    for conf in ordered:
        for path in leaves(conf.data):
            full = (*conf.prefix, *path)
            name = ".".join(pattern(full))
            text, source = _description(conf, path, docs)
            table = tables.setdefault(table_of(full), {})
            doc = table.setdefault(name, KeyDoc(name, text, source, {}, full))
            if not doc.description and text:
                doc.description, doc.source = text, source
            if pattern(full) == full:
                doc.values.setdefault(conf.label, _get(conf.data, path))
            else:
                doc.members.setdefault(conf.label, {})[".".join(full)] = _get(conf.data, path)
    order = ["", *TABLE_ORDER]
    return {name: list(tables[name].values()) for name in sorted(tables, key=order.index)}


def undocumented(confs: list[ConfFile] | None = None) -> list[str]:
    """Dotted keys (with placeholders) that no YAML comment documents; empty when the docs are complete."""
    return [f"{doc.key} ({group or 'config'})" for group, docs in describe(confs).items() for doc in docs
            if not doc.description]


def _get(data: Mapping[str, Any], path: Path_) -> Any:
    for key in path:
        data = data[key]
    return data


# --------------------------------------------------------------------------- allowed values
PROBES: tuple[Any, ...] = (-1e9, 0.5, 1e9, "__not_a_valid_value__")
"""Values each numeric or named key is set to, to make the validator say what it allows."""


def _set(data: dict, path: Path_, value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


def validator() -> Callable[[dict], Any]:
    """``config -> None`` that validates a whole resolved run config (levers included)."""
    from journeysim.scenarios.levers import build_levers
    from journeysim.scenarios.spec import parse_config

    quick = {"check_resources": False} if "check_resources" in inspect.signature(parse_config).parameters else {}

    def check(cfg: dict) -> None:
        build_levers(parse_config(cfg, **quick))

    return check


def probe_allowed(base: dict, path: Path_, check: Callable[[dict], Any]) -> str:
    """What the validator allows for the key at ``path`` of config ``base``, in words.

    The key is set to each of :data:`PROBES`; the :class:`ConfigError` naming exactly this key
    says what is allowed. Keys the validator never rejects get ``""``.
    """
    from journeysim.sim.errors import ConfigError

    dotted = ".".join(path)
    said: dict[Any, str] = {}
    for value in PROBES:
        trial = copy.deepcopy(base)
        _set(trial, path, value)
        try:
            check(trial)
        except ConfigError as error:
            if error.key == dotted:
                said[value] = str(error.allowed)
        except Exception:  # noqa: BLE001 - a probe the validator does not handle: nothing learnt
            continue
    return allowed_words(said, _get(base, path))


_NUMBER, _OR_INF = r"^a (?:whole )?number", r"(?:, or \.inf)?$"
RANGE_TEXTS = (
    (re.compile(_NUMBER + r" from (?P<low>\S+) to (?P<high>\S+)" + _OR_INF), True),
    (re.compile(_NUMBER + r" of at least (?P<low>\S+)" + _OR_INF), True),
    (re.compile(_NUMBER + r" greater than (?P<low>\S+?)(?: and at most (?P<high>\S+?))?" + _OR_INF), False),
    (re.compile(_NUMBER + r" of at most (?P<high>\S+)" + _OR_INF), True),
)
"""The validator's phrases for a range: (pattern, whether the lower bound is included)."""


def _bounds(texts: list[str]) -> tuple[str | None, bool, str | None]:
    low: str | None = None
    high: str | None = None
    inclusive = True
    for text in texts:
        for regex, includes in RANGE_TEXTS:
            match = regex.match(text)
            if not match:
                continue
            found = match.groupdict()
            if found.get("low") not in (None, "None"):
                low, inclusive = found["low"], includes
            if found.get("high") not in (None, "None"):
                high = found["high"]
    return low, inclusive, high


def allowed_words(said: Mapping[Any, str], value: Any) -> str:
    """Condense the validator's answers to the probes into one phrase (``""``: never rejected)."""
    texts = list(dict.fromkeys(said.values()))
    choices = [t for t in texts if t.startswith("one of")]
    if choices:
        return re.sub(r" \(did you mean .*\)$", "", choices[0])
    if isinstance(value, bool) and texts:
        return "true or false"
    whole = any("whole" in t for t in texts)
    low, inclusive, high = _bounds(texts)
    if low is not None or high is not None:
        if low is not None and high is not None and inclusive:
            text = f"{low} to {high}"
        else:
            parts = [f"{'≥' if inclusive else '>'} {low}"] if low is not None else []
            parts += [f"≤ {high}"] if high is not None else []
            text = ", ".join(parts)
        return f"whole number {text}" if whole else text
    if whole:
        return "whole number"
    if texts == ["a number"]:
        return "any number"
    return "; ".join(t for t in texts if t != "a number")


def fill_allowed(docs: dict[str, list[KeyDoc]]) -> None:
    """Probe the validator for every key of the run config (root keys and the run's groups).

    Each key is probed in the default composition, or, if the default options do not set it,
    in the composition with the first option that does (``service=understaffed``, ``scenario=bass``).
    """
    from omegaconf import OmegaConf

    from journeysim.api import compose_config

    check = validator()
    defaults = {f"{group}={option}" for group, option in default_options(conf_files()).items()} | {"config"}
    bases: dict[str, dict] = {}
    for table, table_docs in docs.items():
        if table not in ("", *GROUPS_IN_RUN_CONFIG):
            continue
        for doc in table_docs:
            labels = [label for label in doc.values if "=" in label]
            chosen = "" if not labels or defaults & set(doc.values) else labels[0]
            if chosen not in bases:
                bases[chosen] = OmegaConf.to_container(compose_config(overrides=[chosen] if chosen else []),
                                                       resolve=True)
            try:
                _get(bases[chosen], doc.example)
            except (KeyError, TypeError):
                continue
            doc.allowed = probe_allowed(bases[chosen], doc.example, check)


# --------------------------------------------------------------------------- sources of defaults
RATE_UNITS = frozenset({"1/day", "1/year", "probability 0..1", "share 0..1", "share/day"})
"""Units that make a key a *rate*: its default must state a source or say "illustrative"."""

RATE_NAMES = re.compile(r"(rate|friction|propensity|elasticity|advocacy|churn|decay|hazard)s?$")
"""Key names that make a key a rate whatever its description says."""

SETTINGS = ("seed", "days", "market.currency.*", "outputs.*", "population.size", "population.reference_size",
            "population.personas.<persona>.committee.spread", "channels.<channel>.kind",
            "channels.<channel>.daily_budget", "channels.<channel>.saturation.shape",
            "channels.<channel>.target_stages",
            "network.type", "network.edge_list", "network.mode", "service.enabled",
            "service.scale_with_population", "service.default_channel", "service.proactive_notifications",
            "service.staff_schedule", "service.hours_per_day", "service.wait_penalty.shape", "service.channels",
            "service.channels.*.staff_schedule", "service.channels.*.hours_per_day", "service.channels.*.self_service",
            "competition.brands", "competition.panel_start", "competition.brands.<brand>.launch_day",
            "competition.brands.<brand>.levers")
"""Keys (patterns) whose default is a choice of the run, not a quantity of the market: its length and seed,
its outputs, the plan (budgets, staff, shifts) and the model's structure (network type, shapes). Every
other key's default must state a source or say "illustrative" (:func:`unsourced_defaults`)."""

DEFAULT_TABLES = ("", "population", "channels", "network", "service", "competition")
"""Tables of the default run config (the scenario group's values differ per scenario)."""


def source_of(description: str) -> str:
    """Where a default comes from, read from its description: ``EVIDENCE §4``, ``published`` (a
    citation with a year in the comment), ``illustrative``, or ``""`` (not stated)."""
    found = re.findall(r"EVIDENCE\s*(§\s*\d+(?:\s*(?:and|,|&)\s*§?\s*\d+)*)", description)
    sections = dict.fromkeys(n for text in found for n in re.findall(r"\d+", text))
    if sections:
        return "EVIDENCE " + ", ".join(f"§{n}" for n in sections)
    if "illustrative" in description.lower():
        return "illustrative"
    if re.search(r"[A-Z][a-z]+[^()]*\b(19|20)\d{2}\b", description):
        return "published (cited in the comment)"
    return ""


def is_rate(doc: KeyDoc) -> bool:
    """A key whose default is a rate, probability or share (a number whose source matters)."""
    return doc.unit in RATE_UNITS or bool(RATE_NAMES.search(doc.key.rsplit(".", 1)[-1]))


def is_setting(key: str) -> bool:
    """A key (pattern) whose default is a choice of the run (:data:`SETTINGS`), which needs no source."""
    return any(fnmatch.fnmatchcase(key, setting) for setting in SETTINGS)


def unsourced_defaults(confs: list[ConfFile] | None = None) -> list[str]:
    """``key (file)`` of every value in the default run config's files and every other option of its groups
    (``conf/network/cascade.yaml`` as well as ``fully_mixed.yaml``) that is not a setting of the run and
    whose comment (the file's own, else the key's description elsewhere) states neither a source nor
    "illustrative"."""
    confs = conf_files() if confs is None else confs
    docs = documented_patterns(confs)
    found = []
    for conf in confs:
        if conf.group not in DEFAULT_TABLES:
            continue
        for path in leaves(conf.data):
            key = ".".join(pattern((*conf.prefix, *path)))
            if not is_setting(key) and not source_of(_description(conf, path, docs)[0]):
                found.append(f"{key} ({conf.path.name})")
    return sorted(set(found))


def unsourced_rates(confs: list[ConfFile] | None = None) -> list[str]:
    """Rate keys of the default run config whose comment states neither a source nor "illustrative"."""
    docs = describe(confs)
    return [doc.key for table in DEFAULT_TABLES for doc in docs.get(table, [])
            if is_rate(doc) and not source_of(doc.description)]
