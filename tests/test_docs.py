"""The documentation: every config key documented, every KPI defined, generated pages complete, a strict build."""

from __future__ import annotations

import importlib.util
import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"


def _load(name: str):
    """Import a module of ``docs/`` (they import each other by plain name)."""
    if str(DOCS) not in sys.path:
        sys.path.insert(0, str(DOCS))
    spec = importlib.util.spec_from_file_location(name, DOCS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ref():
    return _load("config_reference")


@pytest.fixture(scope="module")
def pages():
    os.environ.setdefault("SOLARA_CHECK_HOOKS", "off")
    return _load("generated_pages")


def test_every_key_in_conf_has_a_description(ref) -> None:
    missing = ref.undocumented()
    assert missing == [], "keys without a comment in conf/ (add one on the key's line): " + ", ".join(missing)


def test_a_key_added_without_a_comment_is_reported_and_a_comment_fixes_it(ref, tmp_path) -> None:
    conf = tmp_path / "conf"
    shutil.copytree(ref.conf_dir(), conf, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    root = conf / "config.yaml"
    text = root.read_text()
    root.write_text(text.replace("  survey_noise:", "  loyalty_boost: 0.2\n  survey_noise:", 1))
    network = conf / "network" / "fully_mixed.yaml"
    network.write_text(network.read_text() + "gossip_radius: 3\n")
    assert set(ref.undocumented(ref.conf_files(conf))) >= {"market.loyalty_boost (config)",
                                                           "network.gossip_radius (network)"}

    root.write_text(text.replace("  survey_noise:", "  loyalty_boost: 0.2   # extra repeat orders, share\n"
                                                   "  survey_noise:", 1))
    network.write_text(network.read_text().replace("gossip_radius: 3", "# hops a rumour travels\ngossip_radius: 3"))
    documented = ref.describe(ref.conf_files(conf))
    keys = {doc.key: doc for docs in documented.values() for doc in docs}
    assert keys["market.loyalty_boost"].description == "extra repeat orders, share"
    assert keys["network.gossip_radius"].description == "hops a rumour travels"


def test_comments_are_read_inline_above_and_from_the_file_glossary(ref) -> None:
    text = ("# A file.\n#   cpm: currency per 1,000 exposures\n#        (attended ones)\nsearch:\n"
            "  cpm: 800\n  kind: impressions   # sampled # not a comment end\n  # above the key\n"
            "  budget: 12\n  saturation: {shape: hill, scale: 2}  # response curve\n  url: 'a#b'\n")
    comments = ref.read_comments(text)
    assert comments.glossary == {"cpm": "currency per 1,000 exposures (attended ones)"}
    assert comments.keys[("search", "kind")] == "sampled # not a comment end"
    assert comments.keys[("search", "budget")] == "above the key"
    assert ("search", "saturation") in comments.inline and ("search", "url") not in comments.keys


def test_config_reference_lists_every_key_with_its_default_and_allowed_range(ref, pages) -> None:
    page = pages.config_page()
    for docs in ref.describe().values():
        for doc in docs:
            assert f"| `{doc.key}` |" in page, doc.key
    row = next(line for line in page.splitlines() if line.startswith("| `market.checkout_friction` |"))
    assert "`0.3`" in row and "0.0 to 1.0" in row and "probability" in row
    row = next(line for line in page.splitlines() if line.startswith("| `population.size` |"))
    assert "whole number ≥ 1" in row and "customers" in row
    row = next(line for line in page.splitlines() if line.startswith("| `network.type` |"))
    assert "one of barabasi_albert" in row


def test_kpi_page_defines_every_kpi_and_daily_column(tmp_path) -> None:
    from journeysim import simulate
    from journeysim.sim import kpis
    from journeysim.sim.collectors import DAILY_KPIS

    result = simulate("baseline", overrides={"population.size": 300, "days": 5}, seed=0)
    text = (DOCS / "kpis.md").read_text()
    names = set(result.kpis) | set(DAILY_KPIS) | set(result.daily.columns) | set(result.summary.get("service", {}))
    names |= {name for name in dir(kpis) if callable(getattr(kpis, name)) and not name.startswith("_")
              and getattr(getattr(kpis, name), "__module__", "") == kpis.__name__}
    names |= set(kpis.funnel_conversion(result.model))
    missing = sorted(name for name in names if f"`{name}`" not in text and f"`{name}(" not in text)
    assert missing == [], f"KPIs not defined in docs/kpis.md: {missing}"


def test_every_scenario_file_gets_a_page_with_its_question(pages) -> None:
    index = pages.scenario_index()
    files = sorted((REPO / "conf" / "scenario").glob("*.yaml"))
    assert files
    for path in files:
        question = next(line for line in path.read_text().splitlines() if not line.startswith("# @package"))
        question = question.lstrip("#").strip()
        assert f"[{path.stem}]({path.stem}.md)" in index
        conf = next(c for c in pages.scenario_files() if c.option == path.stem)
        page = pages.scenario_page(conf)
        assert page.startswith(f"# {path.stem}\n") and f"> **{question}**" in page


def test_levers_page_documents_every_registered_lever(pages) -> None:
    from journeysim.scenarios.levers import LEVERS

    page = pages.levers_page()
    for name, cls in LEVERS.items():
        assert f"## `{name}` {{#{name}}}" in page
        section = page.split(f"## `{name}`", 1)[1].split("\n## ", 1)[0]
        assert all(f"`{key}`" in section for key in cls.keys), name


def test_readme_links_are_rewritten_for_the_site() -> None:
    hooks = _load("hooks")
    text = "![s](docs/images/a.png) see [the KPIs](sim/kpis.py) and [Outputs](README.md#outputs) [x](kpis.md)"
    out = hooks.rewrite_links(text, "scenarios/x.md")
    assert out == "![s](../images/a.png) see the KPIs (`sim/kpis.py`) and Outputs [x](kpis.md)"
    assert "```\n[a](sim/kpis.py)\n```" in hooks.rewrite_links("```\n[a](sim/kpis.py)\n```", "index.md")
    assert hooks.readme_section("Outputs").lstrip().startswith("Each run writes")


def test_gallery_scripts_run_and_write_their_figures(tmp_path) -> None:
    scripts = sorted((REPO / "examples").glob("gallery_*.py"))
    assert len(scripts) >= 4
    argv = sys.argv
    try:
        for script in scripts:
            sys.argv = [str(script), "--out", str(tmp_path), "--customers", "300", "--days", "40"]
            if "what_if" in script.name:
                sys.argv += ["--seeds", "2"]
            runpy.run_path(str(script), run_name="__main__")
    finally:
        sys.argv = argv
    written = {p.name for p in tmp_path.glob("*.png")}
    referenced = set(re.findall(r"images/gallery/([\w.]+\.png)", (DOCS / "gallery.md").read_text()))
    assert referenced and referenced <= written
    assert all((tmp_path / name).stat().st_size > 10_000 for name in written)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site built once for this module, strictly (any warning fails the build)."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "JOURNEYSIM_DOCS_GALLERY": "skip", "NO_MKDOCS_2_WARNING": "1", "MPLBACKEND": "Agg"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    return out


def test_docs_build_passes_in_strict_mode(site) -> None:
    assert (site / "reference" / "config" / "index.html").is_file()
    assert (site / "scenarios" / "spring_sale" / "index.html").is_file()
    api = (site / "api" / "index.html").read_text()
    assert "journeysim.api.sweep" in api and "Result.load" in api


EXTERNAL_ASSET = re.compile(
    r"<script[^>]*\ssrc=[\"']?(?P<script>(?:https?:)?//[^\"'\s>]+)"
    r"|<link[^>]*\shref=[\"']?(?P<link>(?:https?:)?//[^\"'\s>]+)"
    r"|<(?:img|iframe|source)[^>]*\ssrc=[\"']?(?P<media>(?:https?:)?//[^\"'\s>]+)"
    r"|@import\s+(?:url\()?[\"']?(?P<import>(?:https?:)?//[^\"')\s;]+)"
    r"|url\(\s*[\"']?(?P<url>(?:https?:)?//[^\"')\s]+)",
    re.IGNORECASE)
"""A script, stylesheet, font, image or frame loaded from another host (links to read are fine)."""


def external_assets(text: str) -> list[str]:
    """Every URL on another host that ``text`` (HTML or CSS) loads when shown."""
    return [next(v for v in m.groupdict().values() if v) for m in EXTERNAL_ASSET.finditer(text)]


def test_external_asset_finder_sees_scripts_stylesheets_and_fonts_not_links() -> None:
    html = ('<script src="https://unpkg.com/mathjax@3/es5/tex-mml-chtml.js"></script>'
            '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">'
            '<link rel="preconnect" href="//fonts.gstatic.com"><a href="https://example.org">read</a>'
            '<script src="../javascripts/mathjax.js"></script>')
    css = "@import url('https://fonts.googleapis.com/x.css'); src: url(https://x.org/f.woff2) format('woff2')"
    assert external_assets(html) == ["https://unpkg.com/mathjax@3/es5/tex-mml-chtml.js",
                                     "https://fonts.googleapis.com/css?family=Roboto", "//fonts.gstatic.com"]
    assert external_assets(css) == ["https://fonts.googleapis.com/x.css", "https://x.org/f.woff2"]


def test_site_works_offline_with_maths_and_fonts_served_from_the_site(site) -> None:
    found = {}
    for page in [*site.rglob("*.html"), *site.rglob("*.css")]:
        for url in external_assets(page.read_text(encoding="utf-8", errors="replace")):
            found.setdefault(url, page.relative_to(site).as_posix())
    assert found == {}, f"pages load assets from other hosts (url: first page): {found}"
    concepts = (site / "concepts" / "index.html").read_text()
    scripts = re.findall(r'<script[^>]*\ssrc="([^"]+)"', concepts)
    mathjax = [s for s in scripts if "mathjax" in s.lower() and "vendor" in s]
    assert mathjax, scripts
    assert all((site / "concepts" / s.split("?")[0]).resolve().is_file() for s in mathjax)
    assert 'class="arithmatex"' in concepts


def test_notebooks_are_stored_without_outputs() -> None:
    import nbformat

    notebooks = sorted((REPO / "examples").glob("*.ipynb"))
    assert {p.stem for p in notebooks} >= {"first_what_if", "sweep_with_confidence", "class_demonstration"}
    for path in notebooks:
        cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        assert cells and all(not c.outputs and c.execution_count is None for c in cells), path.name


def test_docstring_roles_render_as_code() -> None:
    hooks = _load("hooks")
    html = "return its :class:<code>Result</code> or :func:<code>~journeysim.api.sweep</code>"
    assert hooks.plain_roles(html) == "return its <code>Result</code> or <code>sweep</code>"
