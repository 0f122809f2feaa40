"""Starting the window: ``margin-planner [PLAN] [--screenshot OUT.png]``.

With ``--screenshot`` the window opens on the plan, is rendered at a fixed 1280×800 to a PNG
and the program exits (works offscreen, for docs and CI). Bad arguments print one line on
stderr and exit with code 2.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, QSize, Qt
from PySide6.QtGui import QColor, QFileOpenEvent, QGuiApplication, QImage, QPalette
from PySide6.QtWidgets import QApplication

from planner.domain.errors import PlanError
from planner.domain.plan import Plan
from planner.domain.text_rules import terminal_text
from planner.memory import keep_freed_memory
from planner.storage.paths import path_problem, shown_path

if TYPE_CHECKING:
    from planner.ui.main_window import MainWindow

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
SCREENSHOT_SIZE = QSize(1280, 800)
ORGANIZATION = "MarginPlanner"
APPLICATION = "Margin Planner"


class _BadArguments(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _BadArguments(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="margin-planner", description="Open the Margin Planner window.")
    parser.add_argument("plan", nargs="?", help="a .tplan plan file to open")
    parser.add_argument(
        "--screenshot",
        metavar="OUT.png",
        help="render the window on PLAN to a 1280×800 PNG and exit",
    )
    parser.add_argument(
        "--size",
        metavar="WxH",
        default="1280x800",
        help="the window's size for --screenshot (e.g. 1024x700, 1920x1080)",
    )
    parser.add_argument(
        "--color-scheme",
        choices=("light", "dark"),
        help="force a light or dark palette instead of the system's",
    )
    return parser


def main(args_list: list[str]) -> int:
    try:
        args = build_parser().parse_args(args_list)
    except _BadArguments as error:
        print(f"margin-planner: {error} (see --help)", file=sys.stderr)
        return EXIT_BAD_INPUT
    except SystemExit as done:  # --help
        return int(done.code or 0)

    for given in (args.plan, args.screenshot):
        problem = None if given is None else path_problem(given)
        if problem is not None:
            where = f"{shown_path(given)}: " if given.strip() else ""
            print(terminal_text(f"margin-planner: {where}{problem}"), file=sys.stderr)
            return EXIT_BAD_INPUT
    if args.screenshot is not None:
        out = Path(args.screenshot)
        if out.suffix.lower() != ".png":
            print(f"margin-planner: --screenshot {out}: the file must end in .png", file=sys.stderr)
            return EXIT_BAD_INPUT
        if not out.parent.is_dir():
            print(f"margin-planner: --screenshot {out}: no such folder", file=sys.stderr)
            return EXIT_BAD_INPUT
        plan = None
        if args.plan:
            try:
                plan = _load(args.plan)
            except PlanError as error:
                print(f"margin-planner: {error}", file=sys.stderr)
                return EXIT_BAD_INPUT
        match = re.fullmatch(r"(\d{3,5})x(\d{3,5})", args.size.strip().lower())
        if not match:
            print(
                f"margin-planner: --size = {args.size}: must be WIDTHxHEIGHT, e.g. 1280x800",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
        size = QSize(int(match.group(1)), int(match.group(2)))
        app = _application(args.color_scheme)
        return render_screenshot(plan, Path(args.plan) if args.plan else None, out, app, size)

    app = _application(args.color_scheme)
    return _run_window(app, args.plan)


def _load(path: str) -> Plan:
    from planner.storage import load_plan

    return load_plan(path)


def _application(color_scheme: str | None) -> QApplication:
    # the window sweeps and maps many times a second: keep freed memory instead of faulting
    # fresh pages in each time (planner.memory; a no-op off glibc)
    keep_freed_memory()
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "margin-planner"])
        app.setStyle("Fusion")
        from planner.ui.icons import apply_app_identity

        apply_app_identity(app)
    assert isinstance(app, QApplication)
    if color_scheme is not None:
        scheme = Qt.ColorScheme.Dark if color_scheme == "dark" else Qt.ColorScheme.Light
        QGuiApplication.styleHints().setColorScheme(scheme)
        # not every platform theme follows the hint (offscreen does not): set the palette too
        app.setPalette(dark_palette() if color_scheme == "dark" else app.style().standardPalette())
    return app


def dark_palette() -> QPalette:
    """A dark palette for Fusion; every view colours text through palette roles only."""
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    palette = QPalette()
    for key, color in (
        (role.Window, QColor(45, 45, 48)),
        (role.WindowText, QColor(230, 230, 230)),
        (role.Base, QColor(30, 30, 32)),
        (role.AlternateBase, QColor(40, 40, 44)),
        (role.ToolTipBase, QColor(60, 60, 64)),
        (role.ToolTipText, QColor(235, 235, 235)),
        (role.PlaceholderText, QColor(150, 150, 150)),
        (role.Text, QColor(230, 230, 230)),
        (role.Button, QColor(55, 55, 58)),
        (role.ButtonText, QColor(230, 230, 230)),
        (role.BrightText, QColor(255, 90, 90)),
        (role.Light, QColor(75, 75, 78)),
        (role.Midlight, QColor(62, 62, 66)),
        (role.Mid, QColor(50, 50, 54)),
        (role.Dark, QColor(25, 25, 27)),
        (role.Shadow, QColor(0, 0, 0)),
        (role.Highlight, QColor(42, 130, 218)),
        (role.HighlightedText, QColor(255, 255, 255)),
        (role.Link, QColor(100, 170, 255)),
    ):
        palette.setColor(key, color)
    for key in (role.Text, role.WindowText, role.ButtonText):
        palette.setColor(group.Disabled, key, QColor(130, 130, 130))
    return palette


def autosave_store() -> object | None:
    """The autosave store, or None where it cannot be used (autosave is best effort)."""
    try:
        from planner.storage.autosave import AutosaveStore
    except ImportError:
        return None
    try:
        store = AutosaveStore()
        store.cleanup()
    except OSError:
        return None
    return store


class FileOpenFilter(QObject):
    """Opens the plan of a macOS FileOpen event (a double-click in the Finder, a drop on the
    Dock icon) through the window's FileController, which asks about unsaved changes first."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            path = event.file()
            if path:
                self._window.files.open_path(path)
                return True
        return super().eventFilter(watched, event)


def install_file_open_filter(app: QCoreApplication, window: MainWindow) -> FileOpenFilter:
    handler = FileOpenFilter(window)
    app.installEventFilter(handler)
    return handler


def _run_window(app: QApplication, plan_path: str | None) -> int:
    from planner.ui.main_window import MainWindow

    window = MainWindow(autosave=autosave_store())
    install_file_open_filter(app, window)
    window.show()
    recovered = window.files.check_recovery()
    if plan_path and not recovered:
        window.files.open_path(plan_path, ask=False)
    return app.exec()


def render_screenshot(
    plan: Plan | None,
    path: Path | None,
    out: Path,
    app: QApplication | None = None,
    size: QSize = SCREENSHOT_SIZE,
) -> int:
    """Open the window on ``plan`` at ``size`` (1280×800), render it to ``out``, close it."""
    from planner.ui.document.plan_document import PlanDocument
    from planner.ui.main_window import MainWindow

    app = app or _application(None)
    document = PlanDocument(plan)
    if plan is not None:
        document.reset(plan, path)
    # a throwaway settings file: a screenshot neither reads nor changes the user's layout
    settings = QSettings(str(out.with_suffix(".ini")), QSettings.Format.IniFormat)
    window = MainWindow(document, settings=settings, persistent=False)
    document.setParent(window)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.resize(size)
    window.show()
    window.resize(size)
    for _ in range(3):
        app.processEvents()
    image: QImage = window.grab().toImage()
    if image.size() != size:  # high-DPI: one image pixel per window point
        image = image.scaled(
            size,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    ok = image.save(str(out), "PNG")
    window.files.shutdown()
    window.hide()
    window.deleteLater()
    app.processEvents()
    Path(settings.fileName()).unlink(missing_ok=True)
    if not ok:
        print(f"margin-planner: --screenshot {out}: cannot write the PNG", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
