"""The shape of the package, checked from its source (ast, nothing imported):

* no import circle between modules of ``planner/`` — every import counts, also those inside
  functions and ``TYPE_CHECKING`` blocks, since a circle there is still two modules that cannot
  be understood (or split) one without the other;
* the layers only look down: domain → storage → report → ui → commands (and the entry points);
* no module over 600 lines, and at most 12 modules loose in ``planner/ui/`` (the rest live in
  rooms that say what they are: document, panels, widgets, dialogs, chart).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "planner"
MAX_LINES = 600
MAX_LOOSE_UI_MODULES = 12
#: lower index = lower layer; a module may import its own layer and those below it
LAYERS = ("domain", "storage", "report", "marketdata", "ui", "commands")


def module_names(root: Path) -> dict[str, Path]:
    """Every module under ``root`` (a package folder) by dotted name."""
    names: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def imports_of(name: str, path: Path, modules: Mapping[str, Path]) -> set[str]:
    """The modules of ``modules`` that the module ``name`` imports anywhere in its source:
    ``from a.b import c`` counts as ``a.b.c`` when that is a module, else as ``a.b``."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names]
            targets = [t if t in modules else base for t in targets]
        else:
            continue
        for target in targets:
            # "import a.b.c" names a.b.c; an attribute path beyond a module names that module
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    modules = module_names(root)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def circles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            if children:
                child = children.pop()
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, sorted(graph.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_circle_inside_planner() -> None:
    assert circles(import_graph(PACKAGE)) == []


def _write(root: Path, files: Mapping[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")


@pytest.mark.parametrize(
    "files",
    [
        # plain, at module level
        {"__init__.py": "", "a.py": "import pkg.b\n", "b.py": "from pkg import a\n"},
        # hidden in a function and under TYPE_CHECKING
        {
            "__init__.py": "",
            "a.py": "def f():\n    from pkg.b import thing\n",
            "b.py": "import typing\nif typing.TYPE_CHECKING:\n    from pkg.c import X\n",
            "c.py": "from pkg.a import f\n",
        },
        # relative imports in a sub-package
        {
            "__init__.py": "",
            "sub/__init__.py": "",
            "sub/x.py": "from .y import Y\n",
            "sub/y.py": "from ..sub import x\n",
        },
    ],
)
def test_the_check_finds_a_circle(tmp_path: Path, files: Mapping[str, str]) -> None:
    _write(tmp_path / "pkg", files)
    assert len(circles(import_graph(tmp_path / "pkg"))) == 1


def test_the_check_passes_a_tree(tmp_path: Path) -> None:
    _write(
        tmp_path / "pkg",
        {"__init__.py": "from pkg.a import A\n", "a.py": "import pkg.b\n", "b.py": "import os\n"},
    )
    assert circles(import_graph(tmp_path / "pkg")) == []


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_layers_only_import_downwards() -> None:
    upward = [
        (module, target)
        for module, targets in import_graph(PACKAGE).items()
        for target in targets
        if (low := _layer(module)) is not None
        and (high := _layer(target)) is not None
        and high > low
    ]
    assert upward == []


def test_no_module_is_over_600_lines() -> None:
    long = {
        str(path.relative_to(REPO)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_planner_ui_keeps_its_rooms() -> None:
    loose = sorted(p.name for p in (PACKAGE / "ui").glob("*.py"))
    assert len(loose) <= MAX_LOOSE_UI_MODULES, loose
    rooms = {p.name for p in (PACKAGE / "ui").iterdir() if (p / "__init__.py").exists()}
    assert {"document", "panels", "widgets", "dialogs", "chart"} <= rooms
