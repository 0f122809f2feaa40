"""The application icon and the identity the desktop matches windows with.

The icon is loaded from the PNGs shipped in ``planner.resources`` (rendered from
``resources/icons/margin-planner.svg`` by ``packaging/render_icons.py``), read as bytes so it
works from a wheel, an editable install and a PyInstaller bundle alike, and needs no SVG
plugin at run time.
"""

from __future__ import annotations

from importlib.resources import files

from PySide6.QtGui import QGuiApplication, QIcon, QPixmap

#: Reverse-DNS id shared by the .desktop file, the AppStream metainfo and the icon theme name
#: (packaging/linux/). Wayland compositors find a window's icon and name through it.
APP_ID = "io.github.marginplanner.MarginPlanner"
#: The PNG sizes shipped in resources/icons/ (see packaging/render_icons.py).
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)


def app_icon() -> QIcon:
    """Margin Planner's icon at every shipped size; Qt picks the nearest for each use."""
    icons = files("planner.resources").joinpath("icons")
    icon = QIcon()
    for size in ICON_SIZES:
        pixmap = QPixmap()
        data = icons.joinpath(f"margin-planner-{size}.png").read_bytes()
        if not pixmap.loadFromData(data, "PNG"):
            raise RuntimeError(f"planner.resources/icons/margin-planner-{size}.png is not a PNG")
        icon.addPixmap(pixmap)
    return icon


def apply_app_identity(app: QGuiApplication) -> None:
    """Give every window the icon, and tie the app to its .desktop entry (Wayland, docks)."""
    app.setWindowIcon(app_icon())
    app.setDesktopFileName(APP_ID)
