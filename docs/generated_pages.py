"""Pages generated on every docs build: scenarios, levers, commands and the config reference.

Each function returns Markdown text; :mod:`hooks` adds the pages to the site. Nothing here is
written by hand about a scenario, a lever or a command: the scenario pages come from
``conf/scenario/*.yaml`` (the first comment line is the question), the levers from the lever
registry and its docstrings, the commands from their argument parsers, and the config reference
from :mod:`config_reference`.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import os
import re
import textwrap
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import config_reference as ref
import yaml

REPO = Path(__file__).resolve().parents[1]
"""The repository root (``docs/`` is one level below)."""

PLACEHOLDERS = {
    "<persona>": "a persona of the population (`deal_seeker`, ...)",
    "<channel>": "a channel of `channels` (`search`, `social`, ...)",
    "<stage>": "a journey stage: unaware, aware, considering, deciding, customer, loyal, advocate, lapsed",
    "<step>": "a funnel step: aware, considering, deciding, purchase",
    "<key>": "a dotted config key (`market.price`)",
}


# --------------------------------------------------------------------------- helpers
def cell(text: Any) -> str:
    """Text for a Markdown table cell (pipes escaped, newlines flattened)."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def flow(value: Any) -> str:
    """A config value as it would be written in YAML flow style (``null``, ``[a, b]``, ``{a: 1}``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | Mapping):
        return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000).strip()
    return str(value)


def code(value: Any) -> str:
    """A config value as inline code for a table cell."""
    return f"`{cell(flow(value))}`"


def rst_to_markdown(text: str) -> str:
    """Turn the reStructuredText of a docstring's prose into Markdown (double backticks, roles)."""
    text = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", text)
    return text.replace("``", "`")


# --------------------------------------------------------------------------- scenarios
def scenario_files() -> list[ref.ConfFile]:
    """Every scenario of the library, sorted by name."""
    return sorted((c for c in ref.conf_files() if c.group == "scenario"), key=lambda c: c.option)


def scenario_question(conf: ref.ConfFile) -> tuple[str, str]:
    """The question a scenario answers (first comment line) and the rest of its leading comment."""
    lines = [line for line in conf.comments.header if not line.startswith("@package")]
    if not lines:
        return "", ""
    return lines[0], " ".join(line for line in lines[1:] if line)


def scenario_body(conf: ref.ConfFile) -> Mapping[str, Any]:
    """The scenario's own keys (``scenario:`` of a global-package file, else the whole file)."""
    return conf.data.get("scenario", {}) if conf.package == "_global_" else conf.data


def lever_rows(levers: list[Any]) -> list[str]:
    """Table rows, one per lever of a scenario: its type (linked) and its parameters."""
    rows = []
    for k, lever in enumerate(levers, start=1):
        if not isinstance(lever, Mapping):
            rows.append(f"| {k} | {code(lever)} | |")
            continue
        kind = lever.get("type", "?")
        params = ", ".join(f"`{cell(key)}: {cell(flow(value))}`" for key, value in lever.items() if key != "type")
        rows.append(f"| {k} | [`{kind}`](../reference/levers.md#{kind}) | {params} |")
    return rows


def scenario_page(conf: ref.ConfFile) -> str:
    """The page of one scenario: its question, how to run it, its levers and its file."""
    name = conf.option
    question, context = scenario_question(conf)
    body = scenario_body(conf)
    text = [f"# {name}", "", f"> **{question}**" if question else "", ""]
    if context:
        text += [context, ""]
    text += ["## Run it", "", "```bash", f"journey scenario={name}"]
    paired = body.get("kind", "journey") == "journey" and name != "baseline"
    if paired:
        text.append(f"journey --multirun scenario=baseline,{name} seed='range(10)'   # paired with the baseline")
    text += ["```", "", "```python", "from journeysim import simulate" + (", sweep" if paired else ""),
             "", f'result = simulate("{name}", seed=0)']
    if paired:
        text.append(f'comparison = sweep(["baseline", "{name}"], seeds=10)   # mean and paired difference')
    text += ["```", ""]
    levers = body.get("levers") or []
    if levers:
        text += ["## Levers", "", "Applied in this order every morning "
                 "(see the [levers reference](../reference/levers.md)):", "",
                 "| # | Lever | Parameters |", "|---|---|---|", *lever_rows(levers), ""]
    elif body.get("kind") == "journey":
        text += ["## Levers", "", "None: the configured media plan runs unchanged.", ""]
    params = {k: v for k, v in body.items() if k not in ("name", "kind", "levers")}
    other = {k: v for k, v in conf.data.items() if k != "scenario"} if conf.package == "_global_" else {}
    if params:
        docs = ref.documented_patterns([conf])
        text += ["## Parameters", "", "| Key | Value | Meaning |", "|---|---|---|"]
        text += [f"| `scenario.{k}` | {code(v)} | {cell(docs.get(('scenario', k), ('', ''))[0])} |"
                 for k, v in params.items()]
        text.append("")
    if other:
        keys = ", ".join(f"`{'.'.join(path)}`" for path in ref.leaves(other))
        text += ["## Also changes", "", f"Besides its levers this scenario sets {keys} (see the file below).", ""]
    source = conf.path.read_text(encoding="utf-8")
    text += ["## The scenario file", "", f"`conf/scenario/{conf.path.name}`:", "", "```yaml", source.rstrip(), "```",
             ""]
    return "\n".join(text)


def scenario_index() -> str:
    """The scenario library: one row per scenario with its question and levers."""
    text = ["# Scenario library", "",
            "Each scenario is a file in `conf/scenario/` whose first comment line is the question it answers. "
            "Run one with `journey scenario=NAME` (or `simulate(\"NAME\")`); compare it with the baseline "
            "under the same seeds with `journey --multirun scenario=baseline,NAME seed='range(10)'` "
            "(or `sweep([\"baseline\", \"NAME\"], seeds=10)`). `journey-scenarios` lists the library on the "
            "command line.", "", "| Scenario | Question | Levers |", "|---|---|---|"]
    for conf in scenario_files():
        question, _ = scenario_question(conf)
        levers = scenario_body(conf).get("levers") or []
        kinds = ", ".join(dict.fromkeys(f"`{lever.get('type')}`" for lever in levers if isinstance(lever, Mapping)))
        text.append(f"| [{conf.option}]({conf.option}.md) | {cell(question)} | {kinds or '–'} |")
    return "\n".join(text) + "\n"


# --------------------------------------------------------------------------- levers
def split_docstring(doc: str) -> tuple[str, str, str]:
    """A lever docstring's summary, its ``YAML::`` example and its other prose (numpy sections dropped)."""
    doc = inspect.cleandoc(doc or "")
    doc = re.split(r"\n\s*(Parameters|Attributes|Returns|Raises|Notes|Examples)\n\s*-{3,}\n", doc)[0]
    summary, _, rest = doc.partition("\n\n")
    example = ""
    match = re.search(r"YAML::\s*\n((?:\n|[ \t]+.*\n?)+)", rest)
    if match:
        example = textwrap.dedent(match.group(1)).strip("\n")
        rest = rest[: match.start()] + rest[match.end():]
    return summary.replace("\n", " "), example, rest.strip()


def levers_page() -> str:
    """The levers reference: every lever type of the registry, its YAML, its keys and its scenarios."""
    from journeysim.scenarios.levers import LEVERS

    users: dict[str, list[str]] = {}
    for conf in scenario_files():
        for lever in scenario_body(conf).get("levers") or []:
            if isinstance(lever, Mapping):
                users.setdefault(str(lever.get("type")), []).append(conf.option)
    text = ["# Levers reference", "",
            "A scenario's `levers:` list names each lever by `type`; the levers are applied in order every "
            "morning, before the media run. Every parameter is validated when the run starts: a bad one "
            "stops the run with the key (`scenario.levers[2].discount`), the value and what is allowed.", ""]
    for name, cls in LEVERS.items():
        summary, example, prose = split_docstring(cls.__doc__ or "")
        text += [f"## `{name}` {{#{name}}}", "", rst_to_markdown(summary), ""]
        if example:
            text += ["```yaml", example, "```", ""]
        if prose:
            text += [rst_to_markdown(prose), ""]
        keys = ", ".join(f"`{key}`" for key in cls.keys) or "none"
        text += [f"**Parameters:** {keys}.", ""]
        if name in users:
            used = ", ".join(f"[{s}](../scenarios/{s}.md)" for s in dict.fromkeys(users[name]))
            text += [f"**Used by:** {used}.", ""]
    return "\n".join(text)


# --------------------------------------------------------------------------- commands
def console_scripts() -> dict[str, str]:
    """The console scripts declared in ``pyproject.toml`` (name -> ``module:function``)."""
    from journeysim.entry import TARGETS  # every script goes through journeysim.entry: its work is here

    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return {name: TARGETS.get(name, target) for name, target in data.get("project", {}).get("scripts", {}).items()}


def command_help(target: str) -> str | None:
    """``--help`` text of a command, read without running it.

    Uses the module's ``parser()`` if it has one, else calls the entry point with ``--help``
    (every command prints its help and stops before anything runs). None if the module is missing.
    """
    module_name, _, function = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    os.environ["COLUMNS"] = "100"
    if callable(getattr(module, "parser", None)):
        return module.parser().format_help()
    out = io.StringIO()  # every command prints its help for --help (journeysim.commands)
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        getattr(module, function)(["--help"])
    return out.getvalue() or None


def cli_page() -> str:
    """The command reference: ``journey`` (Hydra) and every argparse console script."""
    from journeysim import cli

    defaults = ref.default_options(ref.conf_files())
    groups = []
    for group in cli.CONFIG_GROUPS:
        options = [f"**{o}**" if o == defaults.get(group) else o for o in cli.group_options(group)]
        groups.append(f"| `{group}` | {', '.join(options)} |")
    text = ["# Commands", "",
            "Every command works from any directory and reads the configs installed with the package "
            "(`conf/`). Bad input stops a command with exit status "
            f"{cli.EXIT_BAD_INPUT} and one line naming the key, the value and what is allowed; no traceback.",
            "", "## `journey`", "",
            "Runs one scenario (a Hydra application): `journey [group=option ...] [key=value ...]`.", "",
            "```bash",
            "journey                                         # baseline, 10,000 customers, 365 days",
            "journey scenario=spring_sale seed=3             # another scenario and seed",
            "journey population=b2b network=watts_strogatz   # other config group options",
            "journey market.checkout_friction=0.15 days=730  # any key of the config reference",
            "journey --cfg job                               # print the resolved config and stop",
            "journey --multirun scenario=baseline,spring_sale seed='range(10)'   # a sweep",
            "journey hydra.run.dir=my_run                    # choose the run directory",
            "```", "",
            "Config groups (**bold**: the default):", "", "| Group | Options |", "|---|---|", *groups, "",
            "Every key and its allowed values: [configuration reference](config.md). A run writes into "
            "`outputs/<scenario>/<date_time>/`, a sweep into `multirun/<date_time>/<scenario>/<overrides>/` "
            "and, when the sweep ends, the comparison into the sweep directory.", "",
            f"Exit status: 0 done; {cli.EXIT_BAD_INPUT} bad input; {cli.EXIT_INTERRUPTED} interrupted by Ctrl-C, "
            f"{cli.EXIT_TERMINATED} by SIGTERM (the run directory is marked `incomplete` and keeps the tables "
            "of the finished days, marked partial); in a sweep, 1 if a run failed.", ""]
    for name, target in console_scripts().items():
        if name == "journey":
            continue
        help_text = command_help(target)
        if help_text is None:
            continue
        text += [f"## `{name}`", "", "```text", help_text.rstrip(), "```", ""]
    return "\n".join(text)


# --------------------------------------------------------------------------- configuration
def _other_values(doc: ref.KeyDoc, default_label: str | None) -> str:
    """Values of the group's other options where they differ from the default option's."""
    if default_label is None or default_label not in doc.values:
        return ""
    group = default_label.partition("=")[0] + "="
    base = doc.values[default_label]
    others = [f"{label.partition('=')[2]}: {code(v)}" for label, v in doc.values.items()
              if label != default_label and label.startswith(group) and v != base]
    return "; ".join(others)


def _members(doc: ref.KeyDoc, label: str | None) -> str:
    """``name: value`` of each concrete key of a placeholder key in the default option."""
    members = doc.members.get(label or "", {})
    return ", ".join(f"{key.rsplit('.', 1)[1]}: {flow(v)}" for key, v in members.items())


def _default_cell(doc: ref.KeyDoc, label: str | None, per: dict[str, str]) -> str:
    placeholder = next((p for p in per if p in doc.key), None)
    if placeholder is not None:
        return per[placeholder]
    if label in doc.values:
        default = code(doc.values[label])
        others = _other_values(doc, label)
        return f"{default} (other options: {others})" if others else default
    if doc.members.get(label or ""):
        return f"`{cell(_members(doc, label))}`"
    group = (label or "").partition("=")[0]
    values = {k: v for k, v in doc.values.items() if k.startswith(f"{group}=")}
    if values:
        return "; ".join(f"{k.partition('=')[2]}: {code(v)}" for k, v in values.items())
    return "–"


def _key_table(docs: list[ref.KeyDoc], default_label: str | None, per: dict[str, str]) -> list[str]:
    rows = ["| Key | Default | Unit | Allowed | Description |", "|---|---|---|---|---|"]
    for doc in docs:
        rows.append(f"| `{cell(doc.key)}` | {_default_cell(doc, default_label, per)} | {cell(doc.unit) or '–'} | "
                    f"{cell(doc.allowed) or '–'} | {cell(doc.description)} |")
    return rows


def _persona_tables(confs: list[ref.ConfFile]) -> list[str]:
    text = []
    for conf in confs:
        personas = conf.data.get("personas") or {}
        names = list(personas)
        keys = list(dict.fromkeys(k for body in personas.values() for k in body if k != "affinity"))
        text += [f"### Personas of `population={conf.option}`", "",
                 "| | " + " | ".join(f"`{n}`" for n in names) + " |", "|---" * (len(names) + 1) + "|"]
        for key in keys:
            text.append(f"| `{key}` | " + " | ".join(code(personas[n].get(key)) for n in names) + " |")
        text.append("| `affinity` | " + " | ".join(
            cell(", ".join(f"{c} {v}" for c, v in (personas[n].get("affinity") or {}).items())) for n in names) + " |")
        text.append("")
    return text


def _channel_table(conf: ref.ConfFile) -> list[str]:
    columns = ("kind", "cpm", "daily_budget", "carryover", "saturation", "target_stages", "effect")
    text = [f"### Channels of `channels={conf.option}`", "",
            "| Channel | " + " | ".join(f"`{c}`" for c in columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, body in conf.data.items():
        text.append(f"| `{name}` | " + " | ".join(code(body.get(c)) for c in columns) + " |")
    return [*text, ""]


def config_page() -> str:
    """The configuration reference: every key of ``conf/`` with default, unit, allowed values and meaning."""
    confs = ref.conf_files()
    docs = ref.describe(confs)
    ref.fill_allowed(docs)
    defaults = ref.default_options(confs)
    placeholders = "\n".join(f"- `{p}`: {meaning}" for p, meaning in PLACEHOLDERS.items())
    text = ["# Configuration reference", "",
            "Generated from `conf/` on every docs build, so it always matches the configs: the descriptions "
            "are the comments in the YAML files, the defaults are the values in them, and **Allowed** is what "
            "the validator accepts (each key is tried with out-of-range values and the error names the range). "
            "A key added to a YAML file without a comment fails the test suite.", "",
            "Override any key on the command line (`journey market.checkout_friction=0.15`) or in Python "
            "(`simulate(overrides={\"market.checkout_friction\": 0.15})`). Budgets and service capacities are "
            "stated for `population.reference_size` customers and scale with `population.size`.", "",
            "Placeholders in keys:", "", placeholders, ""]
    by_group = {}
    for conf in confs:
        by_group.setdefault(conf.group, []).append(conf)
    for table, table_docs in docs.items():
        if table == "":
            text += ["## Root keys", "", "In `conf/config.yaml`.", ""]
            text += _key_table(table_docs, "config", {})
            text.append("")
            continue
        members = by_group.get(table, [])
        options = ", ".join(f"`{c.option}`" + (" (default)" if c.option == defaults.get(table) else "")
                            for c in sorted(members, key=lambda c: c.option))
        label = f"{table}={defaults[table]}" if table in defaults else f"{table}="
        text += [f"## `{table}`", ""]
        if table in ref.GROUPS_IN_RUN_CONFIG:
            text += [f"Config group `conf/{table}/`, chosen with `journey {table}=OPTION`: {options}.", ""]
        else:
            text += [f"Files in `conf/{table}/` ({options}), read by their own commands (each file's first "
                     "comment lines say which and how); not part of a run's config.", ""]
        per = {"<persona>": "per persona (below)", "<channel>": "per channel (below)",
               "<key>": "per parameter"}
        if table == "scenario":
            text += ["Values differ per scenario: see the [scenario pages](../scenarios/index.md) and the "
                     "[levers reference](levers.md).", ""]
            per = {key: "per scenario" for key in ("scenario.name", "scenario.kind", "scenario.levers")}
            label = "scenario="
        text += _key_table(table_docs, label, per)
        text.append("")
        if table == "population":
            text += _persona_tables(sorted(members, key=lambda c: c.option != defaults.get(table)))
        if table == "channels":
            text += [line for conf in members for line in _channel_table(conf)]
    text += _hydra_section(confs)
    return "\n".join(text)


def _hydra_section(confs: list[ref.ConfFile]) -> list[str]:
    root = next((c for c in confs if c.group == "" and c.option == "config"), None)
    hydra = (root.data.get("hydra") or {}) if root else {}
    rows = []
    for path in ref.leaves(hydra, ("hydra",)):
        comment = root.comments.keys.get(path, "")
        rows.append(f"| `{'.'.join(path)}` | {code(ref._get(root.data, path))} | {cell(comment)} |")
    if not rows:
        return []
    return ["## Hydra settings", "",
            "Hydra's own keys set in `conf/config.yaml` (see the Hydra documentation); journeysim does not "
            "validate them. `conf/hydra/launcher/` holds launcher configs (`hydra/launcher=slurm`, "
            "`hydra/launcher=ray`).", "",
            "| Key | Value | Note |", "|---|---|---|", *rows, ""]


# --------------------------------------------------------------------------- defaults and their sources
def _source(doc: ref.KeyDoc) -> str:
    """The Source cell of a key on the defaults page: where its default comes from, or that it is a setting."""
    return ref.source_of(doc.description) or ("setting of the run" if ref.is_setting(doc.key) else "not stated")


def _default_value(doc: ref.KeyDoc, label: str) -> str:
    """The default option's value of ``doc``; for a key with placeholders, each member's value."""
    if label in doc.values:
        return code(doc.values[label])
    members = doc.members.get(label, {})
    if not members:
        return "–"
    slots = [k for k, part in enumerate(doc.key.split(".")) if part.startswith("<")]
    return cell(", ".join(f"{'.'.join(key.split('.')[k] for k in slots)} {flow(v)}" for key, v in members.items()))


def defaults_page() -> str:
    """Every default of the run config with its source (EVIDENCE section, a citation, or illustrative).

    ``docs/defaults.md`` is this text (``python docs/docs_data.py --only defaults``); a test checks
    that it is current and that every rate states a source or says "illustrative".
    """
    confs = ref.conf_files()
    docs = ref.describe(confs)
    defaults = ref.default_options(confs)
    text = ["# Defaults and their sources", "",
            "Every key of the default run config (`journey` with no overrides) with its default and where that "
            "value comes from, read from the comment beside it in `conf/`: a section of the project's evidence "
            "file (`EVIDENCE §N`: published figures with their citations and status), a citation in the comment, "
            "or *illustrative* (a plausible value with no published figure behind it). *Rate* keys (rates, "
            "probabilities, shares, hazards) must state one or the other: a test fails otherwise. "
            "Every other key must too, unless it is a *setting of the run*: a choice of the run rather than a "
            "quantity of the market (its length and seed, its outputs, the plan's budgets and staff, the model's "
            "structure); a test fails otherwise.",
            "", "Generated by `python docs/docs_data.py --only defaults` from the YAML comments (the configuration "
            "reference has the units and allowed values). The stylised facts that check the sourced defaults "
            "together are on the validation page (`make validate`).", ""]
    for table in ref.DEFAULT_TABLES:
        label = "config" if table == "" else f"{table}={defaults.get(table, '')}"
        title = ("Root keys (`conf/config.yaml`)" if table == ""
                 else f"`{table}` (`conf/{table}/{defaults.get(table)}.yaml`)")
        text += [f"## {title}", "", "| Key | Default | Rate | Source | Description |", "|---|---|---|---|---|"]
        for doc in docs.get(table, []):
            if table and label not in doc.values and label not in doc.members:
                continue  # set only by another option of the group
            rate = "rate" if ref.is_rate(doc) else ""
            text.append(f"| `{cell(doc.key)}` | {_default_value(doc, label)} | {rate} | "
                        f"{_source(doc)} | {cell(doc.description)} |")
        text.append("")
    return "\n".join(text).rstrip() + "\n"
