"""File ▸ Export PDF… and File ▸ Print Preview… in the window."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QLocale
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QFileDialog

from planner.ui.dialogs.report_export import PAPER_FILTERS, locale_paper


def _pdf_text(path: Path) -> str:
    """Every page's text with runs of white space (pypdf gives tabs) as one space."""
    text = " ".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    return " ".join(text.split())


class SaveDialog:
    """Stands in for QFileDialog.getSaveFileName: records the call, answers as told."""

    def __init__(self, answer: tuple[str, str]) -> None:
        self.answer = answer
        self.calls: list[tuple] = []

    def __call__(self, *args, **kwargs):
        self.calls.append(args)
        return self.answer


def test_export_pdf_writes_the_report(qtbot, window, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "report"  # the suffix is added
    save = SaveDialog((str(target), PAPER_FILTERS["letter"]))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)
    window.actions.export_pdf.trigger()

    written = tmp_path / "report.pdf"
    assert written.is_file()
    reader = PdfReader(str(written))
    assert window.document.plan.name in _pdf_text(written)
    assert float(reader.pages[0].mediabox.width) == pytest.approx(612, abs=1)  # US Letter
    pages = len(reader.pages)
    assert window.statusBar().currentMessage() == (
        f"Exported {pages} page{'s' if pages != 1 else ''} to report.pdf"
    )
    # the dialog started beside the plan file, named after it, on the locale's paper
    _parent, _caption, start, filters, selected = save.calls[0][:5]
    assert Path(start) == window.document.path.with_suffix(".pdf")
    assert filters.split(";;") == list(PAPER_FILTERS.values())
    assert selected == PAPER_FILTERS[locale_paper()]
    # the paper chosen is remembered for the next export
    assert window.report.paper == "letter"


def test_export_pdf_on_a4_and_cancel(qtbot, window, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "a4.pdf"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", SaveDialog((str(target), PAPER_FILTERS["a4"]))
    )
    window.actions.export_pdf.trigger()
    width = float(PdfReader(str(target)).pages[0].mediabox.width)
    assert width == pytest.approx(595, abs=1)  # A4

    monkeypatch.setattr(QFileDialog, "getSaveFileName", SaveDialog(("", "")))
    window.statusBar().clearMessage()
    assert window.report.export_dialog() is None
    assert window.statusBar().currentMessage() == ""


def test_export_failure_names_the_problem(
    qtbot, window, tmp_path: Path, monkeypatch, dialogs
) -> None:
    target = tmp_path / "no such folder" / "report.pdf"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", SaveDialog((str(target), PAPER_FILTERS["a4"]))
    )
    window.statusBar().clearMessage()
    window.actions.export_pdf.trigger()
    assert dialogs.kinds() == ["critical"]
    _kind, title, text = dialogs.calls[0]
    assert title == "Cannot export the PDF"
    assert str(target) in text
    assert not target.exists()
    assert window.statusBar().currentMessage() == ""


def test_locale_paper() -> None:
    assert locale_paper(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)) == "letter"
    assert locale_paper(QLocale(QLocale.Language.German, QLocale.Country.Germany)) == "a4"


def test_print_preview_paints_pages_on_a_printer(qtbot, window, tmp_path: Path) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    dialog = window.report.make_preview(printer)
    pages: list[int] = []
    dialog.paintRequested.connect(lambda _printer: pages.append(1))
    dialog.paintRequested.emit(printer)
    assert pages == [1]
    assert out.is_file() and out.stat().st_size > 0
    # the preview paints the pages of the report's own PDF (the one Export PDF… writes)
    shown = tmp_path / "shown.pdf"
    shown.write_bytes(window.report.preview_pdf)
    assert window.document.plan.name in _pdf_text(shown)
    assert len(PdfReader(str(out)).pages) == len(PdfReader(str(shown)).pages)
    assert window.report.paint_report(printer) == len(PdfReader(str(shown)).pages)
    dialog.deleteLater()


def test_print_preview_action_opens_the_preview(qtbot, window, monkeypatch, tmp_path) -> None:
    shown: list[QPrintPreviewDialog] = []

    def fake_exec(dialog: QPrintPreviewDialog) -> int:
        shown.append(dialog)
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "preview.pdf"))
        dialog.paintRequested.emit(printer)
        return 0

    monkeypatch.setattr(QPrintPreviewDialog, "exec", fake_exec)
    window.actions.print_preview.trigger()
    assert len(shown) == 1
    assert (tmp_path / "preview.pdf").stat().st_size > 0


def test_file_menu_has_the_report_actions(window) -> None:
    file_menu = window.menuBar().actions()[0].menu()
    actions = file_menu.actions()
    assert window.actions.export_pdf in actions
    assert window.actions.print_preview in actions
    assert window.actions.export_pdf.shortcut().toString() == "Ctrl+E"
