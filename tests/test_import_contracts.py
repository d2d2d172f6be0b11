"""Import contracts: the engine imports no face, experiment or scenario; scenarios import no face;
no import cycles in the package.

The graph is read from the source (every ``import``, at module level or inside functions; imports
under ``if TYPE_CHECKING:`` are left out because they never run). Module names follow the
installed namespace of ``pyproject.toml``'s ``package-dir`` mapping (``sim/model.py`` is
``journeysim.sim.model``). import-linter (grimp) cannot be used here: it walks the folder of the
root package only and so never sees ``sim/``, ``agents/``, ``scenarios/`` or ``experiments/``.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

import networkx as nx
import pytest

from tests.conftest import package_modules

REPO = Path(__file__).resolve().parents[1]

ENGINE = ("journeysim.sim", "journeysim.agents")
"""The engine: model, state, phases, stages, lever API, KPIs; agents."""

EXCEPTIONS = {
    ("journeysim.scenarios.plots", "journeysim.plots"):
        "deprecated alias of the what-if figures, kept one release for old imports",
}
"""Known imports that break a contract, each with its owner and reason. Remove an entry when its
import goes; a new breach fails the test until it is fixed (or, deliberately, listed here)."""


def modules() -> dict[str, Path]:
    """Every module of the installed namespace -> its source file (``packages`` placed by ``package-dir``)."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = setuptools["package-dir"]
    found = {}
    for package in setuptools["packages"]:
        base = max((p for p in folders if package == p or package.startswith(f"{p}.")), key=len)
        folder = Path(folders[base], *package[len(base):].split(".")[1:])
        for path in (REPO / folder).glob("*.py"):
            found[package if path.stem == "__init__" else f"{package}.{path.stem}"] = path
    return found


class _Imports(ast.NodeVisitor):
    """Names a module imports at run time (``if TYPE_CHECKING:`` bodies skipped)."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.package = module.split(".") if is_package else module.split(".")[:-1]
        self.names: set[str] = set()

    def visit_If(self, node: ast.If) -> None:  # noqa: N802 - ast.NodeVisitor's naming
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:  # noqa: N802
        self.names.update(alias.name for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:  # noqa: N802
        if node.level:
            base = self.package[: len(self.package) - (node.level - 1)]
            module = ".".join([*base, *([node.module] if node.module else [])])
        else:
            module = node.module or ""
        self.names.update(f"{module}.{alias.name}" for alias in node.names)
        self.names.add(module)


def import_graph() -> nx.DiGraph:
    """Module -> modules of the package it imports (``from pkg import mod`` counts as ``pkg.mod``)."""
    known = modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(known)
    for name, path in known.items():
        visitor = _Imports(name, path.stem == "__init__")
        visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
        imported = {n for n in visitor.names if n in known}
        # ``from pkg import mod`` also names ``pkg``: keep the package only if nothing deeper was meant
        imported = {n for n in imported if not any(other.startswith(f"{n}.") for other in imported)}
        graph.add_edges_from((name, target) for target in imported if target != name)
    return graph


def is_face(module: str) -> bool:
    """A module of ``journeysim/`` itself: the API, commands, page, outputs, figures, formatting."""
    return module == "journeysim" or (module.count(".") == 1 and (REPO / "journeysim" / f"{module[11:]}.py").is_file())


def breaches(graph: nx.DiGraph, importer: Iterable[str], forbidden) -> list[tuple[str, str]]:
    """Imports from modules under ``importer`` prefixes into modules ``forbidden(name)`` accepts."""
    prefixes = tuple(importer)
    return sorted((a, b) for a, b in graph.edges
                  if a.startswith(prefixes) and forbidden(b) and (a, b) not in EXCEPTIONS)


def cycles(graph: nx.DiGraph, ignored: Mapping[tuple[str, str], str] = EXCEPTIONS) -> list[list[str]]:
    """Groups of modules that import each other (strongly connected, more than one module)."""
    kept = graph.copy()
    kept.remove_edges_from(ignored)
    return sorted(sorted(group) for group in nx.strongly_connected_components(kept) if len(group) > 1)


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    return import_graph()


def test_the_graph_sees_every_top_level_folder_and_lazy_imports(graph: nx.DiGraph) -> None:
    assert {"journeysim.sim.model", "journeysim.sim.schema.service", "journeysim.agents.customer",
            "journeysim.scenarios.levers", "journeysim.experiments.aggregate", "journeysim.cli"} <= set(graph.nodes)
    assert graph.has_edge("journeysim.cli", "journeysim.commands")  # module level
    assert graph.has_edge("journeysim.runner", "journeysim.scenarios.levers")  # inside a function
    assert sorted(modules().values()) == package_modules()  # every source file is a node


def test_engine_imports_no_face(graph: nx.DiGraph) -> None:
    assert breaches(graph, ENGINE, is_face) == []


def test_engine_imports_no_experiment_or_scenario(graph: nx.DiGraph) -> None:
    found = breaches(graph, ENGINE, lambda m: m.startswith(("journeysim.experiments", "journeysim.scenarios")))
    assert found == []


def test_scenarios_import_no_face_and_no_experiment(graph: nx.DiGraph) -> None:
    found = breaches(graph, ["journeysim.scenarios"], lambda m: is_face(m) or m.startswith("journeysim.experiments"))
    assert found == []


def test_the_package_has_no_import_cycles(graph: nx.DiGraph) -> None:
    assert cycles(graph) == []


def test_listed_exceptions_still_exist(graph: nx.DiGraph) -> None:
    """An exception whose import is gone must leave the list (so the list cannot grow stale)."""
    assert [edge for edge in EXCEPTIONS if not graph.has_edge(*edge)] == []


def test_the_checks_find_a_planted_breach_and_cycle() -> None:
    planted = nx.DiGraph([("journeysim.sim.model", "journeysim.plots"), ("journeysim.plots", "journeysim.sim.model")])
    assert breaches(planted, ENGINE, is_face) == [("journeysim.sim.model", "journeysim.plots")]
    assert cycles(planted) == [["journeysim.plots", "journeysim.sim.model"]]
