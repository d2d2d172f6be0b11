"""MkDocs hooks: generated pages, the navigation, the table of documentation sources and links.

- ``on_config``: the navigation, with the guides that exist (other docs pages appear as written).
- ``on_files``: add the generated pages (config reference, commands, levers, one page per scenario).
- ``on_page_markdown``: insert the table of ``docs/docs_data.py``'s sources, and make
  repository-style links (``docs/images/x.png``, ``conf/...``) work inside the site.

The build only reads files: figures and tables are made by ``make docs-data``
(``docs/docs_data.py``), never by ``make docs``.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
sys.path.insert(0, str(DOCS))
os.environ.setdefault("SOLARA_CHECK_HOOKS", "off")  # the page module is imported for its --help

import docs_data  # noqa: E402
import generated_pages  # noqa: E402

log = logging.getLogger("mkdocs.hooks.journeysim")

GUIDES = ("what-if.md", "competition.md", "experiments.md", "journey-maps.md", "ab-tests.md", "teaching.md",
          "validation.md", "attribution.md", "truth.md", "mmm-panels.md", "arena.md", "calibration.md",
          "errors.md", "performance.md", "docs-data.md")
"""Guide pages written by topic (docs/<topic>.md), in reading order; each appears once it exists."""

GENERATED_DIRS = ("scenarios/", "reference/")
"""Folders of generated pages (a file written there by hand would be replaced)."""
FIXED = ("index.md", "getting-started.md", "concepts.md", "architecture.md", "kpis.md", "gallery.md", "api.md")
INCLUDED = "data/"
"""Markdown written by ``make docs-data`` and included into pages (``--8<--``), not pages themselves."""


# --------------------------------------------------------------------------- navigation
def guide_pages() -> list[str]:
    """Guides that exist: the known ones in order, then every other page written in ``docs/``."""
    known = [name for name in GUIDES if (DOCS / name).is_file()]
    written = (p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    others = sorted(uri for uri in written
                    if uri not in (*GUIDES, *FIXED) and not uri.startswith((*GENERATED_DIRS, INCLUDED)))
    return known + others


def navigation() -> list[Any]:
    """The site's navigation (generated pages included)."""
    scenarios = [f"scenarios/{conf.option}.md" for conf in generated_pages.scenario_files()]
    nav: list[Any] = [
        {"Home": "index.md"},
        {"Getting started": "getting-started.md"},
        {"Concepts: the model": "concepts.md"},
        {"Architecture": "architecture.md"},
        {"KPIs": "kpis.md"},
        {"Scenarios": ["scenarios/index.md", *scenarios]},
    ]
    guides = guide_pages()
    if guides:
        nav.append({"Guides": guides})
    nav += [
        {"Gallery": "gallery.md"},
        {"Reference": [{"Commands": "reference/cli.md"}, {"Configuration": "reference/config.md"},
                       {"Defaults and their sources": "defaults.md"},
                       {"Output columns": "reference/columns.md"}, {"Levers": "reference/levers.md"},
                       {"Python API": "api.md"}]},
    ]
    return nav


SOURCE_TREE = REPO / "build" / "docs-src"
"""The installed package layout, copied, for mkdocstrings (``paths`` in mkdocs.yml).

The folders ``sim/``, ``agents/``, ... install as ``journeysim.sim``, ... (setuptools ``package-dir``);
static analysis cannot follow that mapping (nor symlinks, which it resolves), so the hook copies
the Python sources into that layout once per build."""


def package_tree(target: Path = SOURCE_TREE) -> Path:
    """Copy the Python sources of ``journeysim`` into its installed layout under ``target``; returns ``target``."""
    import tomllib

    mapping = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    package = target / "journeysim"
    package.mkdir(parents=True, exist_ok=True)
    for source in (REPO / "journeysim").glob("*.py"):
        shutil.copyfile(source, package / source.name)
    python_only = shutil.ignore_patterns("*.pyc", "__pycache__", "*.yaml", "*.csv", "*.json")
    for name, folder in mapping.items():
        parts = name.split(".")
        if len(parts) == 2 and parts[0] == "journeysim":  # overwrite in place: builds may run side by side
            shutil.copytree(REPO / folder, package / parts[1], ignore=python_only, dirs_exist_ok=True)
    return target


def on_startup(command: str, dirty: bool) -> None:  # noqa: ARG001 - MkDocs hook signature
    """Lay out the package sources before any plugin reads them (mkdocstrings resolves its
    ``paths`` when it is configured, which is before this module's ``on_config``)."""
    package_tree()


def on_config(config: Any) -> Any:
    """Set the navigation and refresh the package sources for the API reference."""
    package_tree()
    config["nav"] = navigation()
    return config


# --------------------------------------------------------------------------- generated pages
def generated() -> dict[str, str]:
    """Every generated page by its path in the site (Markdown text)."""
    from journeysim.columns import reference_page

    pages = {"reference/config.md": generated_pages.config_page(),
             "reference/columns.md": reference_page(),
             "reference/cli.md": generated_pages.cli_page(),
             "reference/levers.md": generated_pages.levers_page(),
             "scenarios/index.md": generated_pages.scenario_index()}
    for conf in generated_pages.scenario_files():
        pages[f"scenarios/{conf.option}.md"] = generated_pages.scenario_page(conf)
    return pages


def on_files(files: Any, config: Any) -> Any:
    """Add the generated pages to the site."""
    from mkdocs.structure.files import File

    for uri, text in generated().items():
        existing = files.get_file_from_path(uri)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, uri, content=text))
    return files


# --------------------------------------------------------------------------- links
RST_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj):<code>(?P<tilde>~?)(?P<target>[^<]*)</code>")
"""A reStructuredText role left in rendered docstrings (``:class:`Result```), as HTML."""

LINK = re.compile(r"(?P<bang>!?)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~)", re.MULTILINE)


def _relative(target: str, page_dir: Path) -> str:
    return os.path.relpath(DOCS / target, DOCS / page_dir).replace(os.sep, "/")


def rewrite_links(markdown: str, page_uri: str) -> str:
    """Make README-style links work in the site.

    ``docs/...`` targets become paths relative to the page; links to other repository files
    (``conf/...``, ``sim/kpis.py``, ``README.md#...``) become their text in code; links to
    pages of the site and external links are kept.
    """
    page_dir = Path(page_uri).parent

    def fix(match: re.Match) -> str:
        bang, text, target = match["bang"], match["text"], match["target"]
        if re.match(r"^[a-z]+:|^#|^/", target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        if path.startswith("docs/"):
            new = _relative(path[len("docs/"):], page_dir)
            return f"{bang}[{text}]({new}{'#' + anchor if anchor else ''})"
        if (DOCS / page_dir / path).exists():
            return match.group(0)
        if bang or not (REPO / path).exists():
            return match.group(0)
        if path == "README.md":
            return text
        return text if text.strip("`") == path else f"{text} (`{path}`)"

    parts = FENCE.split(markdown)
    out, inside = [], False
    for part in parts:
        if part in ("```", "~~~"):
            inside = not inside
            out.append(part)
            continue
        out.append(part if inside else LINK.sub(fix, part))
    return "".join(out)


SOURCES_MARKER = "<!-- docs-data: sources -->"
"""Where the page "Where the numbers come from" shows the table of :data:`docs_data.SOURCES`."""


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:  # noqa: ARG001 - hook signature
    """Insert the table of documentation sources; rewrite repository-style links for the site."""
    markdown = markdown.replace(SOURCES_MARKER, docs_data.sources_markdown())
    return rewrite_links(markdown, page.file.src_uri)


def plain_roles(html: str) -> str:
    """Render the reStructuredText roles of docstrings as code: ``:func:`~a.b.c``` becomes ``c``."""
    return RST_ROLE.sub(lambda m: f"<code>{m['target'].rsplit('.', 1)[-1] if m['tilde'] else m['target']}</code>", html)


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """Tidy docstrings rendered by mkdocstrings (reStructuredText roles)."""
    return plain_roles(html)
