"""The domain and storage layers never import Qt (DESIGN.md: "The domain is pure Python").

Two independent checks: the source of every module (including imports inside functions and
``TYPE_CHECKING`` blocks), and what importing every module really loads, in a fresh
interpreter so that nothing the test session imported can hide a dependency.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
#: the report too: its content and its drawing (ReportLab) need no Qt
PURE_PACKAGES = ("planner/domain", "planner/storage", "planner/report")
#: pure modules outside those packages
PURE_FILES: tuple[str, ...] = ()
QT_MODULES = ("PySide6", "pyqtgraph", "shiboken6")


def _sources() -> list[Path]:
    files = sorted(p for package in PURE_PACKAGES for p in (REPO / package).rglob("*.py"))
    files += [REPO / name for name in PURE_FILES]
    assert files, "no modules found: has the layout changed?"
    return files


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported_names(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, (ast.Name, ast.Attribute))
            and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr)
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.append(node.args[0].value)
    return names


def _is_qt(name: str) -> bool:
    return name.split(".")[0] in QT_MODULES


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(REPO)))
def test_source_does_not_import_qt(path: Path) -> None:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    offending = [name for name in _imported_names(tree) if _is_qt(name)]
    assert not offending, f"{path.relative_to(REPO)} imports {offending}"


def test_the_checker_sees_every_kind_of_import() -> None:
    source = (
        "import PySide6.QtCore\n"
        "from pyqtgraph import PlotWidget\n"
        "def f():\n    import shiboken6\n"
        "importlib.import_module('PySide6.QtGui')\n"
        "import numpy\n"
    )
    found = [n for n in _imported_names(ast.parse(source)) if _is_qt(n)]
    assert found == ["PySide6.QtCore", "pyqtgraph", "shiboken6", "PySide6.QtGui"]


def test_importing_every_module_loads_no_qt() -> None:
    modules = [_module_name(p) for p in _sources()]
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"qt = sorted(m for m in sys.modules if m.split('.')[0] in {QT_MODULES!r})\n"
        "print(json.dumps({'loaded': len(sys.modules), 'qt': qt}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["qt"] == [], f"importing the domain loaded {report['qt']}"
    assert "planner.domain.engine" in modules and "planner.storage.plan_file" in modules
