"""The PDF: what a reader (and pypdf) finds in it, its paper, its pages and its drawing."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from planner.domain.formatting import format_price
from planner.domain.plan import Plan, TierTable
from planner.domain.plan_analysis import analyze
from planner.domain.venues import VENUES
from planner.report.content import build_report, exact_percent
from planner.report.pdf import export_pdf, render_report, write_pdf
from planner.storage import SaveError, load_plan, parse_plan_bytes
from tests.report.plans import SPEC_EXAMPLE, big_plan, example_paths, spec_plan

pytestmark = pytest.mark.usefixtures("qapp")  # one QApplication for the whole session

PAPER_POINTS = {"a4": (595, 842), "letter": (612, 792)}


def page_texts(path: Path) -> list[str]:
    """Each page's text with runs of white space as one space (Qt places words apart)."""
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(path).pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def spec_pdf(tmp_path_factory: pytest.TempPathFactory, qapp) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("pdf") / "spec.pdf"
    pages = export_pdf(spec_plan(), path, source=str(SPEC_EXAMPLE))
    return path, pages


def test_the_text_agrees_with_the_analysis(spec_pdf: tuple[Path, int]) -> None:
    path, pages = spec_pdf
    plan = spec_plan()
    texts = page_texts(path)
    assert len(texts) == pages >= 4
    text = " ".join(texts)
    assert flat(plan.name) in text
    # assumptions: venue, mode, fees, every tier table's source and date
    venue = VENUES[plan.account.venue]
    assert venue.title in text
    assert flat(venue.summary) in text
    assert f"Taker fee {exact_percent(plan.account.taker_fee_rate)}" in text
    assert f"Maker fee {exact_percent(plan.account.maker_fee_rate)}" in text
    for market in plan.markets:
        if isinstance(market.maintenance, TierTable):
            assert flat(f"Source: {market.maintenance.source}.") in text
            assert f"As of: {market.maintenance.as_of}." in text
    # every position's liquidation price, as the app formats it
    ticks = {m.symbol: m.tick_size for m in plan.markets}
    for result in analyze(plan).positions:
        assert format_price(result.liquidation_price, ticks[result.symbol]) in text
    for number, page_text in enumerate(texts, start=1):
        assert f"Page {number} of {pages}" in page_text


def test_metadata_and_the_embedded_plan(spec_pdf: tuple[Path, int]) -> None:
    reader = PdfReader(spec_pdf[0])
    assert spec_plan().name in (reader.metadata.title or "")
    assert (reader.metadata.creator or "").startswith("Margin Planner")
    (data,) = reader.attachments["spec_example.tplan"]
    assert parse_plan_bytes(data) == spec_plan()


def test_charts_are_vectors_not_pictures(spec_pdf: tuple[Path, int]) -> None:
    for page in PdfReader(spec_pdf[0]).pages:
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        for name in xobjects:
            assert xobjects[name].get_object().get("/Subtype") != "/Image", name
    charts = page_texts(spec_pdf[0])
    assert any(
        "BTCUSDT price ladder" in t and "Account equity as BTCUSDT moves" in t for t in charts
    )


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_paper_size(paper: str, tmp_path: Path) -> None:
    path = tmp_path / f"{paper}.pdf"
    pages = export_pdf(spec_plan(), path, paper)
    reader = PdfReader(path)
    assert len(reader.pages) == pages
    width, height = PAPER_POINTS[paper]
    for page in reader.pages:
        assert abs(float(page.mediabox.width) - width) <= 1
        assert abs(float(page.mediabox.height) - height) <= 1


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.name)
def test_every_example_plan_exports(path: Path, tmp_path: Path) -> None:
    plan = load_plan(path)
    out = tmp_path / "example.pdf"
    pages = export_pdf(plan, out, source=str(path))
    assert pages >= 3
    text = " ".join(page_texts(out))
    assert flat(plan.name) in text
    ticks = {m.symbol: m.tick_size for m in plan.markets}
    for result in analyze(plan).positions:
        assert format_price(result.liquidation_price, ticks[result.symbol]) in text


@pytest.fixture(scope="module")
def big_pdf(tmp_path_factory: pytest.TempPathFactory, qapp) -> tuple[Plan, int, list[str], float]:
    plan = big_plan(200)
    out = tmp_path_factory.mktemp("big") / "big.pdf"
    started = time.perf_counter()
    pages = export_pdf(plan, out)
    elapsed = time.perf_counter() - started
    print(f"\n200-position plan: {pages} pages in {elapsed:.2f} s")
    return plan, pages, page_texts(out), elapsed


def test_two_hundred_positions(big_pdf: tuple[Plan, int, list[str], float]) -> None:
    _, pages, texts, elapsed = big_pdf
    assert pages == len(texts) >= 10
    assert elapsed < 30
    # long tables run over several pages and repeat their caption and header row there
    continued = [t for t in texts if "Size and prices (continued)" in t]
    assert len(continued) >= 2
    for text in continued:
        assert "Liquidation price Bankruptcy price To liq." in text
    assert any("Position by position (continued)" in t for t in texts)
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {pages}" in text


def test_rows_are_never_split(big_pdf: tuple[Plan, int, list[str], float]) -> None:
    """Each row of the positions table lies whole on one page: its id, symbol and liquidation
    price appear together, in order, on one page."""
    plan, _, texts, _ = big_pdf
    ticks = {m.symbol: m.tick_size for m in plan.markets}
    size_pages = [t for t in texts if "Size and prices" in t]
    for pos, result in zip(plan.positions, analyze(plan).positions, strict=True):
        price = format_price(result.liquidation_price, ticks[pos.symbol])
        pattern = re.compile(rf"{pos.id} {pos.symbol} [^|]*?{re.escape(price)}")
        assert sum(bool(pattern.search(t)) for t in size_pages) == 1, pos.id


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(SaveError, match="it is a folder"):
        export_pdf(spec_plan(), folder)
    with pytest.raises(SaveError, match="the folder does not exist"):
        export_pdf(spec_plan(), tmp_path / "missing" / "report.pdf")
    assert list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_existing_file_is_replaced_whole(tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    out.write_bytes(b"old")
    pages = write_pdf(build_report(spec_plan()), out)
    assert len(PdfReader(out).pages) == pages
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


def test_print_preview_draws_on_a_printer(tmp_path: Path) -> None:
    """``render_report`` draws on a ``QPrinter`` the same pages (File ▸ Print Preview…)."""
    printing = pytest.importorskip("PySide6.QtPrintSupport")
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize

    document = build_report(spec_plan())
    reference = tmp_path / "reference.pdf"
    expected = write_pdf(document, reference, "letter")
    printer = printing.QPrinter(printing.QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(printing.QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.Letter),
            QPageLayout.Orientation.Portrait,
            QMarginsF(10, 10, 10, 10),  # a printer's own margins are respected
            QPageLayout.Unit.Millimeter,
        )
    )
    pages = render_report(document, printer)
    assert pages == expected
    texts = page_texts(out)
    assert len(texts) == pages
    assert flat(document.plan_name) in texts[0]
    assert f"Page {pages} of {pages}" in texts[-1]


def test_export_pdf_takes_the_windows_analysis(tmp_path: Path) -> None:
    plan: Plan = spec_plan()
    out = tmp_path / "window.pdf"
    assert export_pdf(plan, out, "a4", analysis=analyze(plan)) >= 4
