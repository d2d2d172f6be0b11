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

import numpy as np
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
    assert "`0.5`" in row and "0.0 to 1.0" in row and "probability" in row
    row = next(line for line in page.splitlines() if line.startswith("| `population.size` |"))
    assert "whole number ≥ 1" in row and "customers" in row
    row = next(line for line in page.splitlines() if line.startswith("| `network.type` |"))
    assert "one of barabasi_albert" in row


def test_every_default_rate_states_a_source_or_says_illustrative(ref) -> None:
    assert ref.unsourced_rates() == [], "rate keys whose YAML comment names no source (EVIDENCE §N) nor 'illustrative'"
    docs = {doc.key: doc for table in ref.DEFAULT_TABLES for doc in ref.describe().get(table, [])}
    for key in ("market.checkout_friction", "population.personas.<persona>.repurchase_rate",
                "population.personas.<persona>.churn_propensity"):
        assert ref.is_rate(docs[key]) and ref.source_of(docs[key].description).startswith("EVIDENCE"), key


def test_every_default_but_the_run_s_own_settings_states_a_source_or_says_illustrative(ref) -> None:
    """Not only rates: a price, a transit time or a talk weight of the default market also says where it
    comes from; only choices of the run (seed, days, outputs, the plan's budgets and staff, structure) need not."""
    assert ref.unsourced_defaults() == [], "keys whose YAML comment names no source (EVIDENCE §N) nor 'illustrative'"
    assert ref.is_setting("seed") and ref.is_setting("channels.<channel>.daily_budget")
    assert not ref.is_setting("market.price") and not ref.is_setting("service.handle_time_hours")
    page = (DOCS / "defaults.md").read_text(encoding="utf-8")
    assert "| not stated |" not in page


def test_source_of_reads_evidence_sections_citations_and_illustrative(ref) -> None:
    assert ref.source_of("share (Baymard 69.82%, EVIDENCE §4, C)") == "EVIDENCE §4"
    assert ref.source_of("ratio (EVIDENCE §1 and §3, C)") == "EVIDENCE §1, §3"
    assert ref.source_of("per day (illustrative)") == "illustrative"
    assert ref.source_of("no recovery paradox (de Matos, Henrique & Rossi 2007)") == "published (cited in the comment)"
    assert ref.source_of("conversations per day") == ""


def test_defaults_page_is_current_and_lists_every_key_of_the_default_run(ref, pages) -> None:
    committed = (DOCS / "defaults.md").read_text(encoding="utf-8")
    assert committed == pages.defaults_page(), "docs/defaults.md is stale: python docs/docs_data.py --only defaults"
    described, options = ref.describe(), ref.default_options(ref.conf_files())
    for table in ref.DEFAULT_TABLES:
        label = "config" if table == "" else f"{table}={options[table]}"
        for doc in described[table]:
            if label in doc.values or label in doc.members:
                assert f"| `{doc.key}` |" in committed, doc.key


def test_kpi_page_defines_every_kpi(tmp_path) -> None:
    from journeysim import simulate
    from journeysim.sim import kpis

    result = simulate("baseline", overrides={"population.size": 300, "days": 5}, seed=0)
    text = (DOCS / "kpis.md").read_text()
    names = set(result.kpis) | set(result.summary.get("service", {}))  # daily columns: tests/test_outputs.py
    names |= {name for name in dir(kpis) if callable(getattr(kpis, name)) and not name.startswith("_")
              and getattr(getattr(kpis, name), "__module__", "") == kpis.__name__}
    names |= set(kpis.funnel_conversion(result.model))
    missing = sorted(name for name in names if f"`{name}`" not in text and f"`{name}(" not in text)
    assert missing == [], f"KPIs not defined in docs/kpis.md: {missing}"


def test_every_scenario_file_gets_a_page_with_its_question(pages) -> None:
    index = pages.scenario_index()
    files = sorted((REPO / "conf" / "scenario").glob("*.yaml"))
    assert files
    confs = {c.option: c for c in pages.scenario_files()}
    for path in files:
        question = next(line for line in path.read_text().splitlines() if not line.startswith("# @package"))
        question = question.lstrip("#").strip()
        assert f"[{path.stem}]({path.stem}.md)" in index
        page = pages.scenario_page(confs[path.stem])
        assert page.startswith(f"# {path.stem}\n") and f"> **{question}**" in page


def test_levers_page_documents_every_registered_lever(pages) -> None:
    from journeysim.scenarios.levers import LEVERS

    page = pages.levers_page()
    for name, cls in LEVERS.items():
        assert f"## `{name}` {{#{name}}}" in page
        section = page.split(f"## `{name}`", 1)[1].split("\n## ", 1)[0]
        assert all(f"`{key}`" in section for key in cls.keys), name


def test_repository_links_are_rewritten_for_the_site() -> None:
    hooks = _load("hooks")
    text = "![s](docs/images/a.png) see [the KPIs](sim/kpis.py) and [Outputs](README.md#outputs) [x](kpis.md)"
    out = hooks.rewrite_links(text, "scenarios/x.md")
    assert out == "![s](../images/a.png) see the KPIs (`sim/kpis.py`) and Outputs [x](kpis.md)"
    assert "```\n[a](sim/kpis.py)\n```" in hooks.rewrite_links("```\n[a](sim/kpis.py)\n```", "index.md")


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


def file_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (bytecode caches left out), by path."""
    import hashlib

    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site built once for this module, strictly (any warning fails the build).

    The build must leave ``docs/`` and ``examples/`` as they were (``site.changed`` lists what it changed).
    """
    out = tmp_path_factory.mktemp("site")
    before = {name: file_hashes(REPO / name) for name in ("docs", "examples")}
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "MPLBACKEND": "Agg"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    after = {name: file_hashes(REPO / name) for name in ("docs", "examples")}
    changed = sorted(f"{name}/{path}" for name in before for path in set(before[name]) | set(after[name])
                     if before[name].get(path) != after[name].get(path))
    (out / ".changed").write_text("\n".join(changed))
    return out


def test_docs_build_passes_in_strict_mode(site) -> None:
    assert (site / "reference" / "config" / "index.html").is_file()
    assert (site / "scenarios" / "spring_sale" / "index.html").is_file()
    api = (site / "api" / "index.html").read_text()
    assert "journeysim.api.sweep" in api and "Result.load" in api
    assert (site / "architecture" / "index.html").is_file()


def test_docs_build_rewrites_no_file_of_docs_or_examples(site) -> None:
    assert (site / ".changed").read_text() == ""


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


def test_architecture_lever_example_registers_and_changes_only_its_channel_at_weekends() -> None:
    from journeysim.api import compose_config
    from journeysim.runner import make_service
    from journeysim.scenarios.base import LEVERS, make_lever
    from journeysim.scenarios.spec import parse_config
    from journeysim.sim.model import JourneyModel

    text = (DOCS / "architecture.md").read_text()
    code = re.search(r"A lever, in full:\s*```python\n(.*?)```", text, re.DOTALL).group(1)
    try:
        exec(compile(code, "docs/architecture.md", "exec"), {"__name__": "weekends"})  # noqa: S102
        spec = parse_config(compose_config("baseline", {"population.size": 300, "days": 8}, 0))
        lever = make_lever({"type": "weekend_boost", "channel": "social", "factor": 2.0}, "scenario.levers.0", spec)
        model = JourneyModel(spec, levers=[lever], service=make_service(spec))
        social = spec.channel_names.index("social")
        weekday = model.controls.budgets.copy()
        planned = []
        for _ in range(7):
            model.step()
            planned.append(model.controls.budgets)
    finally:
        LEVERS.pop("weekend_boost", None)
    assert weekday[social] > 0
    for day, budgets in enumerate(planned):
        expected = weekday.copy()
        expected[social] *= 2.0 if day in (5, 6) else 1.0
        np.testing.assert_allclose(budgets, expected, err_msg=f"day {day}")


# --------------------------------------------------------------------------- README: short, said once
README_MAX_LINES = 200


def repeated_runs(text: str, pages: dict[str, str], run: int = 3) -> list[tuple[str, str]]:
    """Runs of ``run`` consecutive non-blank lines of ``text`` (stripped) found in one of ``pages``.

    Returns (the run's first line, the page it appears in) for each repeated run.
    """
    def lines(s: str) -> list[str]:
        return [line.strip() for line in s.splitlines() if line.strip()]

    seen = {}
    for name, page in pages.items():
        page_lines = lines(page)
        for i in range(len(page_lines) - run + 1):
            seen.setdefault(tuple(page_lines[i:i + run]), name)
    own = lines(text)
    return [(own[i], seen[tuple(own[i:i + run])]) for i in range(len(own) - run + 1) if tuple(own[i:i + run]) in seen]


def test_readme_is_at_most_200_lines() -> None:
    length = len((REPO / "README.md").read_text(encoding="utf-8").splitlines())
    assert length <= README_MAX_LINES, f"README.md has {length} lines; move the detail into docs/"


def test_no_paragraph_of_the_readme_is_repeated_in_docs() -> None:
    pages = {p.relative_to(REPO).as_posix(): p.read_text(encoding="utf-8") for p in DOCS.rglob("*.md")}
    repeated = repeated_runs((REPO / "README.md").read_text(encoding="utf-8"), pages)
    assert repeated == [], f"README lines repeated in docs/ (say it once, in docs/): {repeated[:5]}"


def test_repeated_runs_finds_three_copied_lines_but_not_two() -> None:
    page = {"docs/x.md": "intro\n\nalpha\n  beta\n\ngamma\nend\n"}
    assert repeated_runs("alpha\nbeta\ngamma\n", page) == [("alpha", "docs/x.md")]
    assert repeated_runs("alpha\nbeta\ndelta\n", page) == []


# --------------------------------------------------------------------------- figures and numbers from scripts
SHOWN = re.compile(r"\]\((?:\.\./)*(?P<file>(?:images|validation)/[\w/.-]+\.(?:png|csv|svg))\)"
                   r"|`(?:docs/)?(?P<table>validation/[\w.-]+\.csv)`"
                   r"|--8<-- \"docs/(?P<included>[\w/.-]+)\"")
"""A figure, table or included Markdown file that a page shows or points to."""


@pytest.fixture(scope="module")
def docs_data():
    return _load("docs_data")


def shown_files() -> dict[str, str]:
    """Each file under docs/ that a page shows, with the first page showing it."""
    shown = {}
    for page in sorted(DOCS.rglob("*.md")):
        for match in SHOWN.finditer(page.read_text(encoding="utf-8")):
            shown.setdefault(next(v for v in match.groupdict().values() if v), page.relative_to(DOCS).as_posix())
    return shown


def test_every_figure_and_table_the_docs_show_is_made_by_a_named_script(docs_data) -> None:
    made = {name for source in docs_data.SOURCES for name in source.outputs}
    shown = shown_files()
    assert {"images/baseline_stages.png", "data/baseline_kpis.md", "validation/checks.csv"} <= set(shown)
    unsourced = {name: page for name, page in shown.items() if name not in made}
    assert unsourced == {}, f"files shown in docs with no source in docs/docs_data.py: {unsourced}"
    missing = sorted(name for name in made if not (DOCS / name).is_file())
    assert missing == [], f"docs/docs_data.py names files that do not exist: {missing}"
    long_runs = [s for s in docs_data.SOURCES if s.make is None]
    assert all(s.measured and s.command for s in long_runs)


def test_every_committed_figure_is_shown_by_a_page() -> None:
    shown = set(shown_files())
    figures = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.png")}
    assert sorted(figures - shown) == [], "figures in docs/ that no page shows (delete them or show them)"


def test_committed_baseline_kpi_table_matches_a_fresh_run(docs_data) -> None:
    committed = (DOCS / "data" / "baseline_kpis.md").read_text(encoding="utf-8")
    fresh = docs_data.baseline_kpi_table()
    assert fresh == committed, ("docs/data/baseline_kpis.md is stale: run `make docs-data` and commit the "
                                f"figures and tables it writes.\nfresh:\n{fresh}")


def test_readme_links_point_at_files_that_exist() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    targets = [m["target"] for m in re.finditer(r"\]\((?P<target>[^)#\s]+)", text) if "://" not in m["target"]]
    assert "docs/architecture.md" in targets
    missing = [target for target in targets if not (REPO / target).exists()]
    assert missing == [], f"README.md links to missing files: {missing}"


EXAMPLE_PATHS = {"scenarios/weekends.py"}
"""Files the docs show how to write (the lever example of docs/architecture.md), not files that exist."""
SOURCE_PATH = re.compile(r"(?<![\w/.-])(?:sim|agents|scenarios|experiments|journeysim|conf|benchmarks|examples|tests)"
                         r"/[\w/-]+\.(?:py|yaml|ipynb)")


def test_every_source_file_the_docs_name_exists() -> None:
    pages = [REPO / "README.md", *sorted(DOCS.rglob("*.md"))]
    named = {(m.group(0), page.relative_to(REPO).as_posix()) for page in pages
             for m in SOURCE_PATH.finditer(page.read_text(encoding="utf-8"))}
    assert ("sim/stages.py", "docs/architecture.md") in named
    missing = sorted((path, page) for path, page in named if path not in EXAMPLE_PATHS and not (REPO / path).exists())
    assert missing == [], f"docs name files that do not exist (moved? update the docs): {missing}"


def test_a_channel_added_in_config_alone_is_bought_and_reaches_customers() -> None:
    """docs/architecture.md: adding a channel takes YAML only, no Python."""
    from journeysim import simulate

    podcast = ("+channels.podcast={kind: impressions, cpm: 200, daily_budget: 30, effect: {aware: 0.3}, "
               "saturation: {shape: exponential, scale: 2.0}, carryover: 0.7, target_stages: null}")
    result = simulate("baseline", overrides=["population.size=500", "days=20", podcast], seed=0)
    rows = result.channels[result.channels.channel == "podcast"]
    assert rows.spend.sum() == pytest.approx(30 * 20 * 500 / 10_000)  # budgets are per 10,000 customers
    assert rows.impressions.sum() > 0 and rows.reach.sum() > 0


def test_the_phases_the_docs_list_are_the_daily_step_in_order() -> None:
    import ast
    import inspect

    from journeysim.sim.model import JourneyModel

    step = ast.parse(inspect.getsource(JourneyModel.step).strip())
    calls = [node.func.attr for node in ast.walk(step) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
             and node.func.value.id == "self" and hasattr(JourneyModel, node.func.attr)]
    phases = [name for name in calls if name.startswith(("pull_", "run_", "hold_", "advance_", "record_"))]
    assert len(phases) >= 8
    diagram = re.findall(r"│ \d+ (\w+)", (DOCS / "architecture.md").read_text())
    assert diagram == phases, "docs/architecture.md's daily-step diagram"
    concepts = (DOCS / "concepts.md").read_text().split("```text", 1)[1].split("```", 1)[0]
    assert re.findall(r"\w+", concepts) == phases, "docs/concepts.md's list of phases"
    from benchmarks.phases import STEP_PHASES

    assert list(STEP_PHASES) == phases, "benchmarks/phases.py --wall times every phase of the step"


DOTTED = re.compile(r"\bjourneysim(?:\.[A-Za-z_]\w*)+")


def resolves(name: str) -> bool:
    """Whether a dotted name is a module of journeysim or an attribute of one."""
    import importlib

    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            if not hasattr(target, attr):
                return False
            target = getattr(target, attr)
        return True
    return False


def test_every_journeysim_name_the_docs_use_imports() -> None:
    pages = [REPO / "README.md", *sorted(DOCS.rglob("*.md"))]
    names = {(m.group(0), page.relative_to(REPO).as_posix()) for page in pages
             for m in DOTTED.finditer(page.read_text(encoding="utf-8"))}
    assert ("journeysim.sim.kpis", "docs/api.md") in names
    stale = sorted((name, page) for name, page in names if not resolves(name))
    assert stale == [], f"names in docs that no longer import (moved? update the docs): {stale}"


def test_what_if_budget_plan_example_prints_the_total_it_states() -> None:
    from journeysim import compose_config
    from journeysim.scenarios.levers import planned_budgets
    from journeysim.scenarios.spec import parse_config

    stated = re.search(r"plan\.sum\(\)\s+# ([\d.]+), as the baseline", (DOCS / "what-if.md").read_text())
    assert stated is not None
    total = float(stated.group(1))
    assert planned_budgets(parse_config(compose_config("black_friday_burst"))).sum() == pytest.approx(total)
    assert planned_budgets(parse_config(compose_config("baseline"))).sum() == pytest.approx(total)
