"""Render resources/icons/margin-planner.svg to the PNG sizes the app and the desktop use.

    QT_QPA_PLATFORM=offscreen python3 packaging/render_icons.py

Run it after editing the SVG and commit the PNGs: the app loads the PNGs (no SVG plugin
needed at run time, so the bundle can leave Qt's SVG icon engine out), and the Linux desktop
files install them into the hicolor theme.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SVG = ICONS / "margin-planner.svg"


def render(svg: Path, sizes: tuple[int, ...], out_dir: Path) -> list[Path]:
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])  # QPainter needs one alive
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: {svg} is not a valid SVG for QtSvg")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(0)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        path = out_dir / f"margin-planner-{size}.png"
        if not image.save(str(path), "PNG"):
            raise SystemExit(f"render_icons: could not write {path}")
        written.append(path)
    return written


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from planner.ui.icons import ICON_SIZES  # the sizes the app loads

    for path in render(SVG, ICON_SIZES, ICONS):
        print(path.relative_to(ICONS.parent.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
