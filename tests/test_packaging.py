"""What a user installs: every package and resource in the wheel, working from the wheel alone;
the icon and the About dialog; the Linux desktop files agreeing with each other and the app."""

from __future__ import annotations

import configparser
import importlib
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from planner.domain.plan import PLAN_FORMAT
from planner.storage.tier_library import shipped_tables
from planner.ui.dialogs.about import DISCLAIMER, AboutDialog, show_about
from planner.ui.icons import APP_ID, ICON_SIZES, app_icon

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
LINUX = REPO / "packaging" / "linux"
MIME_TYPE = "application/x-margin-plan"
ENTRY_POINTS = {
    "console_scripts": {"margin-planner": "planner.cli:main"},
    "gui_scripts": {"margin-planner-gui": "planner.cli:main"},
}


def _package_dir(package: str) -> Path:
    mapped = SETUPTOOLS.get("package-dir", {}).get(package)
    return REPO / mapped if mapped else REPO.joinpath(*package.split("."))


# --- the package list and entry points -------------------------------------------------------


def test_every_package_under_planner_is_listed_in_pyproject() -> None:
    on_disk = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "planner").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    missing = sorted(on_disk - set(SETUPTOOLS["packages"]))
    assert not missing, f"add these to [tool.setuptools] packages in pyproject.toml: {missing}"


def test_every_listed_package_exists() -> None:
    for package in SETUPTOOLS["packages"]:
        assert (_package_dir(package) / "__init__.py").is_file(), package


def test_entry_points_name_callables() -> None:
    declared = {
        "console_scripts": PYPROJECT["project"]["scripts"],
        "gui_scripts": PYPROJECT["project"]["gui-scripts"],
    }
    assert declared == ENTRY_POINTS
    for group in ENTRY_POINTS.values():
        for target in group.values():
            module, _, name = target.partition(":")
            assert callable(getattr(importlib.import_module(module), name)), target


# --- the wheel --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built by pip from a copy of the sources, so that no build/ lands in the work tree."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, source / name)
    for name in ("planner", "resources"):
        shutil.copytree(REPO / name, source / name)  # with any __pycache__, as pip would see it
    out = tmp_path_factory.mktemp("wheel")
    # With build isolation, as `pip install .` does: pyproject's build requirements, not
    # whatever setuptools this environment has (a 3.11 venv's cannot build wheels alone).
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = out.glob("margin_planner-*.whl")
    return wheel


@pytest.mark.slow
def test_wheel_holds_every_package_resource_and_entry_point(wheel_path: Path) -> None:
    with zipfile.ZipFile(wheel_path) as wheel:
        names = set(wheel.namelist())
        (entry_points_txt,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        entry_points = configparser.ConfigParser()
        entry_points.optionxform = str  # type: ignore[assignment,method-assign]
        entry_points.read_string(wheel.read(entry_points_txt).decode())

    for package in SETUPTOOLS["packages"]:
        assert f"{package.replace('.', '/')}/__init__.py" in names, package
    expected = {
        "planner/resources/tiers/tier_tables.json",
        "planner/resources/icons/margin-planner.svg",
    }
    expected |= {f"planner/resources/icons/margin-planner-{size}.png" for size in ICON_SIZES}
    expected |= {
        f"planner/resources/examples/{plan.name}"
        for plan in (REPO / "resources" / "examples").glob("*.tplan")
    }
    expected |= {
        f"planner/resources/catalogue/{venue_file.name}"
        for venue_file in (REPO / "resources" / "catalogue").glob("*.json")
    }
    assert expected <= names, sorted(expected - names)
    assert any(n.endswith("LICENSE") and ".dist-info/" in n for n in names)
    assert not [n for n in names if "__pycache__" in n], "compiled files shipped as data"
    assert {g: dict(entry_points[g]) for g in ENTRY_POINTS} == ENTRY_POINTS


@pytest.mark.slow
def test_the_unpacked_wheel_runs_analyze_on_its_own(wheel_path: Path, tmp_path: Path) -> None:
    """The installed layout alone (not the work tree) finds its commands and tier tables."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel_path) as wheel:
        wheel.extractall(site)
    plan = site / "planner" / "resources" / "examples" / "hybrid.tplan"  # the wheel's own copy
    script = (
        "import sys, planner, planner.storage.tier_library as tiers\n"
        f"assert planner.__file__.startswith({str(site)!r}), planner.__file__\n"
        "assert tiers.shipped_tables()\n"
        "from planner.storage.catalogue import venue_catalogue\n"
        "assert len(venue_catalogue('binance')) > 900\n"
        "from planner.cli import main\n"
        "sys.exit(main(['analyze', sys.argv[1], '--json']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(plan)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert '"positions"' in result.stdout


# --- the icon and the About dialog ------------------------------------------------------------


def test_app_icon_has_every_shipped_size(qtbot: QtBot) -> None:
    icon = app_icon()
    assert not icon.isNull()
    assert {QSize(size, size) for size in ICON_SIZES} <= set(icon.availableSizes())


def test_about_names_version_licence_and_every_tier_table_source(qtbot: QtBot) -> None:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    assert PYPROJECT["project"]["version"] in dialog.title_label.text()
    shown = dialog.sources_view.toPlainText()
    for shipped in shipped_tables():
        assert shipped.symbol in shown
        assert (shipped.table.source or "source not recorded") in shown
        assert (shipped.table.as_of or "date not recorded") in shown
    assert "MIT" in " ".join(
        label.text() for label in dialog.findChildren(type(dialog.title_label))
    )
    assert DISCLAIMER in dialog.disclaimer_label.text()


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_show_about_opens_over_its_parent_without_blocking(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = show_about(parent)
    qtbot.waitExposed(dialog)
    assert dialog.parent() is parent
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    with qtbot.waitSignal(dialog.destroyed):
        dialog.close()


def test_license_file_is_mit() -> None:
    assert (REPO / "LICENSE").read_text("utf-8").startswith("MIT License")
    assert PYPROJECT["project"]["license"] == "MIT"


# --- Linux desktop integration ----------------------------------------------------------------


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(LINUX / f"{APP_ID}.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_opens_plans_with_the_app_icon() -> None:
    entry = _desktop_entry()
    assert entry["Exec"] == "margin-planner %f"
    assert entry["TryExec"] == "margin-planner"
    assert entry["Icon"] == APP_ID
    assert entry["MimeType"] == f"{MIME_TYPE};"
    assert entry["Terminal"] == "false"


def test_mime_type_matches_plan_files_by_name_and_by_content() -> None:
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    root = ElementTree.parse(LINUX / f"{APP_ID}.xml").getroot()
    (mime,) = root.findall("m:mime-type", ns)
    assert mime.get("type") == MIME_TYPE
    assert mime.find("m:sub-class-of", ns).get("type") == "application/json"  # type: ignore[union-attr]
    assert [g.get("pattern") for g in mime.findall("m:glob", ns)] == ["*.tplan"]
    assert [m.get("value") for m in mime.iter(f"{{{ns['m']}}}match")] == [f'"{PLAN_FORMAT}"']


def test_metainfo_names_the_desktop_entry_and_the_current_version() -> None:
    root = ElementTree.parse(LINUX / f"{APP_ID}.metainfo.xml").getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.findtext("provides/mediatype") == MIME_TYPE
    assert root.findtext("project_license") == "MIT"
    latest = root.find("releases/release")
    assert latest is not None and latest.get("version") == PYPROJECT["project"]["version"]


@pytest.mark.parametrize(
    "command",
    [
        ["desktop-file-validate", str(LINUX / f"{APP_ID}.desktop")],
        ["appstreamcli", "validate", "--no-net", str(LINUX / f"{APP_ID}.metainfo.xml")],
    ],
    ids=["desktop-file-validate", "appstreamcli"],
)
def test_desktop_files_pass_the_freedesktop_validators(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed (Debian: desktop-file-utils, appstream)")
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_install_desktop_script_installs_and_uninstalls_for_the_user(tmp_path: Path) -> None:
    program = tmp_path / "bin dir" / "margin-planner"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    data = tmp_path / "data"
    env = {**os.environ, "XDG_DATA_HOME": str(data)}
    script = str(LINUX / "install-desktop.sh")

    subprocess.run([script, "--exec", str(program)], check=True, env=env, capture_output=True)
    desktop = (data / "applications" / f"{APP_ID}.desktop").read_text("utf-8")
    assert f'Exec="{program}" %f' in desktop
    assert f"TryExec={program}\n" in desktop
    assert (data / "mime" / "packages" / f"{APP_ID}.xml").is_file()
    assert (data / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    for size in ICON_SIZES:
        assert (data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()

    subprocess.run([script, "--uninstall"], check=True, env=env, capture_output=True)
    assert not list(data.rglob(f"{APP_ID}*"))
