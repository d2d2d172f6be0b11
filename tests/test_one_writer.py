"""One writer per state: only sim/stages.py changes a stage, only sim/satisfaction.py satisfaction.

The scan reads the syntax tree of every module of the installed package (the folders mapped in
pyproject's ``[tool.setuptools.package-dir]``) and finds writes to an attribute named ``stage``
or ``satisfaction``: assignment (plain, augmented, annotated, tuple targets, subscripts and
slices), ufunc ``.at`` and other in-place numpy functions (``np.add.at``, ``np.put``,
``np.copyto``, ``np.place``, ``np.putmask``), any call with ``out=`` the array, in-place array
methods (``.fill``, ``.put``, ``.sort``, ...), ``setattr(obj, "stage", ...)``, and the same
through a local alias (``s = state.stage; s[rows] = 1``).
"""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT, package_modules

WRITERS = {"stage": "sim/stages.py", "satisfaction": "sim/satisfaction.py"}
"""Each per-customer state and the one module allowed to write it."""

IN_PLACE_FUNCTIONS = {"put", "copyto", "place", "putmask", "put_along_axis", "fill_diagonal"}
"""numpy functions that write into their first argument."""

IN_PLACE_METHODS = {"fill", "put", "sort", "partition", "resize", "setfield", "itemset", "__setitem__",
                    "__iadd__", "__isub__", "__imul__", "__itruediv__"}
"""ndarray methods that write into the array."""


def _written_attribute(node: ast.AST, aliases: dict[str, str]) -> str | None:
    """The watched attribute a write target or written-to argument refers to, if any."""
    while isinstance(node, ast.Subscript | ast.Starred):
        node = node.value
    if isinstance(node, ast.Attribute) and node.attr in WRITERS:
        return node.attr
    if isinstance(node, ast.Name):
        return aliases.get(node.id)
    return None


def _targets(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    else:
        return []
    flat: list[ast.AST] = []
    while targets:
        target = targets.pop()
        if isinstance(target, ast.Tuple | ast.List):
            targets.extend(target.elts)
        else:
            flat.append(target)
    return flat


def _call_writes(call: ast.Call, aliases: dict[str, str]) -> list[str]:
    """Watched arrays a call writes into."""
    written = []
    func = call.func
    first = call.args[0] if call.args else None
    if isinstance(func, ast.Attribute):
        if (func.attr == "at" or func.attr in IN_PLACE_FUNCTIONS) and first is not None:
            written.append(_written_attribute(first, aliases))  # np.add.at(x, ...), np.put(x, ...)
        if func.attr in IN_PLACE_METHODS:  # x.fill(0), state.stage.sort()
            written.append(_written_attribute(func.value, aliases))
    elif isinstance(func, ast.Name):
        if func.id in IN_PLACE_FUNCTIONS and first is not None:  # from numpy import copyto
            written.append(_written_attribute(first, aliases))
        if func.id == "setattr" and len(call.args) >= 2 and isinstance(call.args[1], ast.Constant) \
                and call.args[1].value in WRITERS:
            written.append(call.args[1].value)
    for keyword in call.keywords:
        if keyword.arg == "out":
            outs = keyword.value.elts if isinstance(keyword.value, ast.Tuple) else [keyword.value]
            written.extend(_written_attribute(out, aliases) for out in outs)
    return [name for name in written if name]


def writes(source: str) -> list[tuple[str, int]]:
    """``(attribute, line)`` of every write to a watched attribute in ``source``."""
    tree = ast.parse(source)
    found: list[tuple[str, int]] = []
    scopes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))]
    for scope in scopes:
        aliases: dict[str, str] = {}  # local name -> watched attribute it is bound to (not a copy)
        for node in (n for statement in scope.body for n in ast.walk(statement)):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Attribute) \
                    and node.value.attr in WRITERS:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        aliases[target.id] = node.value.attr
            for target in _targets(node):
                if isinstance(target, ast.Name) and not isinstance(node, ast.AugAssign):
                    continue  # binding a name is not a write into the array
                name = _written_attribute(target, aliases)
                if name:
                    found.append((name, node.lineno))
            if isinstance(node, ast.Call):
                found.extend((name, node.lineno) for name in _call_writes(node, aliases))
    return sorted(set(found), key=lambda item: (item[1], item[0]))


def offenders(attribute: str) -> list[str]:
    """``path:line`` of writes to ``attribute`` outside its writer module."""
    allowed = ROOT / WRITERS[attribute]
    found = []
    for path in package_modules():
        if path == allowed:
            continue
        for name, line in writes(path.read_text()):
            if name == attribute:
                found.append(f"{path.relative_to(ROOT)}:{line}")
    return found


def test_the_scan_reads_the_whole_package() -> None:
    modules = {str(p.relative_to(ROOT)) for p in package_modules()}
    assert {"sim/stages.py", "sim/satisfaction.py", "sim/model.py", "agents/customer.py",
            "scenarios/offers.py", "journeysim/app.py"} <= modules


def test_only_the_stages_module_writes_a_customers_stage() -> None:
    assert offenders("stage") == []


def test_only_the_satisfaction_module_writes_satisfaction() -> None:
    assert offenders("satisfaction") == []


def test_the_writer_modules_do_write_their_state() -> None:
    for attribute, module in WRITERS.items():
        assert attribute in {name for name, _ in writes((ROOT / module).read_text())}, module


@pytest.mark.parametrize("source", [
    "state.stage[rows] = 4",
    "self.model.state.stage[self.row] = int(value)",
    "s.stage[:] = 0",
    "model.state.stage = new",
    "s.satisfaction[rows] += 0.1",
    "s.satisfaction -= 1",
    "a, s.satisfaction[rows] = 1, 2",
    "s.stage[rows]: int = 3",
    "np.add.at(s.satisfaction, rows, delta)",
    "numpy.maximum.at(state.stage, rows, 4)",
    "np.clip(s.satisfaction, -1, 1, out=s.satisfaction)",
    "np.add(a, b, out=(state.stage,))",
    "np.copyto(state.stage, other)",
    "np.put(state.satisfaction, rows, 0.0)",
    "state.satisfaction.fill(0.0)",
    "state.stage.sort()",
    "setattr(state, 'stage', new)",
    "def f(state):\n    stage = state.stage\n    stage[rows] = 4",
    "def f(state):\n    sat = state.satisfaction\n    np.add.at(sat, rows, 1.0)",
])
def test_the_scan_catches_each_kind_of_write(source: str) -> None:
    assert writes(source), source


@pytest.mark.parametrize("source", [
    "stage = state.stage[rows]\nstage[upgrade] = 5",  # a copy (fancy index), not the array
    "x = state.stage.copy()\nx[0] = 1",
    "counts = np.bincount(state.stage)",
    "np.add(state.clock, state.hazard, out=state.clock)",
    "new = np.where(state.satisfaction > 0, 1, 0)",
    "CustomerState(stage=np.zeros(3), satisfaction=np.zeros(3))",
])
def test_the_scan_ignores_reads_and_copies(source: str) -> None:
    assert writes(source) == []
