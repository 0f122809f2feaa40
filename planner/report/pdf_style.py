"""Fonts, colours and paragraph styles of the PDF (ReportLab).

Fonts are embedded TrueType: DejaVu Sans where the system has it (every glyph the report uses:
− × → ≥ …), else Arial, else Bitstream Vera (shipped with ReportLab), with the few glyphs that
Vera lacks spelled in ASCII.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR, BOLD, NARROW, NARROW_BOLD = "Report", "Report-Bold", "Report-Narrow", "Report-NarrowBold"

_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
    str(Path.home() / ".fonts"),
    "/Library/Fonts",
    "/System/Library/Fonts/Supplemental",
    os.path.join(os.environ.get("WINDIR", r"C:\Windows"), "Fonts"),
)
#: (regular, bold, condensed, condensed bold) file names, best first
_FAMILIES = (
    (
        "DejaVuSans.ttf",
        "DejaVuSans-Bold.ttf",
        "DejaVuSansCondensed.ttf",
        "DejaVuSansCondensed-Bold.ttf",
    ),
    ("Arial.ttf", "Arial Bold.ttf", "Arial Narrow.ttf", "Arial Narrow Bold.ttf"),
    ("arial.ttf", "arialbd.ttf", "arialn.ttf", "arialnb.ttf"),
)

#: ASCII for the glyphs a fallback font may lack
_ASCII = {
    "−": "-",
    "→": "->",
    "≥": ">=",
    "≤": "<=",
    "…": "...",
    "–": "-",
    "—": "-",
    "“": '"',
    "”": '"',
    "’": "'",
    "×": "x",
    "·": "-",
    "±": "+/-",
    "≈": "~",
}

INK = colors.HexColor("#111111")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#777777")
HAIRLINE = colors.HexColor("#C8C8C8")
BAND = colors.HexColor("#F0F0F0")
TOTAL_BAND = colors.HexColor("#E2E6EC")
ACCENT = colors.HexColor("#1F3A5F")
SEVERITY_COLOURS = {
    "red": colors.HexColor("#B3261E"),
    "amber": colors.HexColor("#C77700"),
    "green": colors.HexColor("#2E7D32"),
}
SEVERITY_TINTS = {
    "red": colors.HexColor("#FBE9E7"),
    "amber": colors.HexColor("#FFF4E0"),
    "green": colors.HexColor("#EAF4EA"),
}


def _find(name: str) -> str | None:
    for folder in _FONT_DIRS:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    return None


@cache
def register_fonts() -> dict[str, str]:
    """Register the report's four faces once; returns the glyph translation table that the
    chosen font needs (empty for DejaVu)."""
    for family in _FAMILIES:
        paths = [_find(name) for name in family]
        if paths[0] and paths[1]:
            regular, bold = paths[0], paths[1]
            narrow, narrow_bold = paths[2] or regular, paths[3] or bold
            break
    else:
        import reportlab

        folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
        regular, bold = os.path.join(folder, "Vera.ttf"), os.path.join(folder, "VeraBd.ttf")
        narrow, narrow_bold = regular, bold
    for name, path in (
        (REGULAR, regular),
        (BOLD, bold),
        (NARROW, narrow),
        (NARROW_BOLD, narrow_bold),
    ):
        pdfmetrics.registerFont(TTFont(name, path))
    pdfmetrics.registerFontFamily(
        REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
    )
    face = pdfmetrics.getFont(REGULAR).face
    missing = {c: ascii_ for c, ascii_ in _ASCII.items() if ord(c) not in face.charToGlyph}
    return missing


@cache
def _table() -> dict[int, str]:
    return str.maketrans(register_fonts())


def safe(text: str) -> str:
    """``text`` with the glyphs the font lacks spelled in ASCII."""
    table = _table()
    return text.translate(table) if table else text


def escape(text: str) -> str:
    """``text`` for a ReportLab Paragraph (its mini-markup), glyph-safe."""
    return (safe(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")).replace(
        "\n", "<br/>"
    )


@cache
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle(
        "body",
        fontName=REGULAR,
        fontSize=9,
        leading=11.5,
        textColor=INK,
        alignment=TA_LEFT,
        spaceAfter=4,
    )
    found = {
        "body": base,
        "lead": ParagraphStyle("lead", parent=base, fontSize=10, leading=13),
        "note": ParagraphStyle("note", parent=base, fontSize=8, leading=10, textColor=MUTED),
        "warning": ParagraphStyle("warning", parent=base, fontName=BOLD),
        "quote": ParagraphStyle("quote", parent=base, leftIndent=12, textColor=MUTED),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=BOLD,
            fontSize=17,
            leading=21,
            textColor=ACCENT,
            spaceAfter=2,
        ),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11, leading=14, spaceAfter=2),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=BOLD,
            fontSize=13,
            leading=16,
            textColor=ACCENT,
            spaceBefore=8,
            spaceAfter=5,
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=BOLD, fontSize=10, leading=13, spaceBefore=6, spaceAfter=3
        ),
        "caption": ParagraphStyle(
            "caption",
            parent=base,
            fontName=BOLD,
            fontSize=9,
            leading=11,
            spaceBefore=6,
            spaceAfter=2,
        ),
        "subcaption": ParagraphStyle(
            "subcaption", parent=base, fontSize=7.5, leading=9, textColor=MUTED, spaceAfter=2
        ),
        "footnote": ParagraphStyle(
            "footnote",
            parent=base,
            fontSize=7,
            leading=8.6,
            textColor=MUTED,
            spaceBefore=2,
            spaceAfter=6,
        ),
        "cell": ParagraphStyle(
            "cell", parent=base, fontName=NARROW, fontSize=7.5, leading=9, spaceAfter=0
        ),
        "key": ParagraphStyle(
            "key", parent=base, fontSize=8.5, leading=10.5, textColor=MUTED, spaceAfter=0
        ),
        "value": ParagraphStyle(
            "value", parent=base, fontName=BOLD, fontSize=8.5, leading=10.5, spaceAfter=0
        ),
        "flag": ParagraphStyle("flag", parent=base, fontSize=8.5, leading=10.5, spaceAfter=0),
    }
    return found
