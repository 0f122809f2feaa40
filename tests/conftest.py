"""Test-wide setup: Qt offscreen, and every per-user location redirected to a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "resources" / "examples"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep autosaves, settings and caches of every test out of the real home folder."""
    home = tmp_path_factory.mktemp("home")
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))


@pytest.fixture(autouse=True)
def _widgets_deleted_at_teardown(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """Widgets given to ``qtbot.addWidget`` live until the test's teardown, then are deleted
    there, at once.

    pytest-qt keeps only a weak reference. A view that a test created and stopped naming is
    then kept alive by nothing but reference cycles (slots bound to itself), so Python's
    garbage collector may delete it — Python owns a widget without a parent — at any
    allocation, also while Qt is inside one of its methods: a plot's scene asking a Python
    item for its bounding rectangle allocates, the collector runs, the widget and its scene
    are deleted under the running method, and the process crashes (seen in CI after the
    two-asset map test, reproduced with ``gc.set_threshold(5, 1, 1)``; valgrind showed
    ``QGraphicsScene::itemsBoundingRect`` reading an item freed by ``gc_collect_main``).
    Deleting the widgets here, with no Qt frame on the stack, is safe."""
    if "qtbot" not in request.fixturenames:
        yield
        return
    import shiboken6
    from pytestqt.qtbot import QtBot

    kept: list = []
    add_widget = QtBot.addWidget

    def add_and_keep(self, widget, *, before_close_func=None):
        kept.append(widget)
        add_widget(self, widget, before_close_func=before_close_func)

    monkeypatch.setattr(QtBot, "addWidget", add_and_keep)
    yield
    for widget in reversed(kept):
        if shiboken6.isValid(widget):
            widget.close()
            shiboken6.delete(widget)
    kept.clear()
