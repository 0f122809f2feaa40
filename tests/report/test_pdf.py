"""The PDF: what a reader (and pypdf) finds in it — text, outline, metadata, the attached plan —
its paper, its pages and its pagination."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from benchmarks.report import make_plan
from planner.domain.formatting import format_amount, format_percent, format_price
from planner.domain.plan import Plan, TierTable
from planner.domain.plan_analysis import analyze
from planner.domain.venues import VENUES
from planner.report.content import build_report, exact_percent
from planner.report.model import ReportDocument, Table
from planner.report.pdf import TooManyPages, export_pdf, write_pdf
from planner.storage import SaveError, load_plan, parse_plan_bytes
from tests.report.plans import REPO, SPEC_EXAMPLE, big_plan, example_paths, spec_plan

PAPER_POINTS = {"a4": (595, 842), "letter": (612, 792)}


def page_texts(path: Path) -> list[str]:
    """Each page's text with runs of white space as one space."""
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(path).pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def outline_titles(path: Path) -> list[tuple[int, str]]:
    """(level, title) of every outline entry, in order."""
    found: list[tuple[int, str]] = []

    def walk(items, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((level, item.title))

    walk(PdfReader(path).outline, 0)
    return found


def headings(document: ReportDocument) -> set[str]:
    """Every heading and caption: none of them may end a page."""
    found = set()
    for section in document.sections:
        found.add(f"Appendix: {section.title}" if section.appendix else section.title)
        for block in section.blocks:
            if isinstance(block, Table) and block.caption:
                found.add(block.caption)
            elif type(block).__name__ == "Subheading":
                found.add(block.text)  # type: ignore[union-attr]
    return found


def last_content_lines(path: Path, document: ReportDocument) -> list[str]:
    """The last line of each page above the running header and footer."""
    running = {document.header_left, document.header_right, document.footer_left}
    found = []
    for page in PdfReader(path).pages:
        lines = [line.strip() for line in (page.extract_text() or "").splitlines()]
        lines = [
            line
            for line in lines
            if line and line not in running and not re.fullmatch(r"Page \d+ of \d+", line)
        ]
        found.append(lines[-1] if lines else "")
    return found


@pytest.fixture(scope="module")
def spec_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("pdf") / "spec.pdf"
    pages = export_pdf(spec_plan(), path, source=str(SPEC_EXAMPLE), author="A. Trader")
    return path, pages


def test_the_text_agrees_with_the_analysis(spec_pdf: tuple[Path, int]) -> None:
    path, pages = spec_pdf
    plan = spec_plan()
    texts = page_texts(path)
    assert len(texts) == pages >= 4
    text = " ".join(texts)
    assert flat(plan.name) in text
    venue = VENUES[plan.account.venue]
    assert venue.title in text
    assert flat(venue.summary) in text
    assert f"Taker fee {exact_percent(plan.account.taker_fee_rate)}" in text
    assert f"Maker fee {exact_percent(plan.account.maker_fee_rate)}" in text
    for market in plan.markets:
        if isinstance(market.maintenance, TierTable):
            assert flat(f"source: {market.maintenance.source}.") in text
            assert f"As of: {market.maintenance.as_of}." in text
    ticks = {m.symbol: m.tick_size for m in plan.markets}
    for result in analyze(plan).positions:
        assert format_price(result.liquidation_price, ticks[result.symbol]) in text
    for number, page_text in enumerate(texts, start=1):
        assert f"Page {number} of {pages}" in page_text


def test_page_one_has_the_figures_of_the_analysis(spec_pdf: tuple[Path, int]) -> None:
    plan = spec_plan()
    analysis = analyze(plan)
    figures = analysis.figures
    first = page_texts(spec_pdf[0])[0]
    cur = plan.account.currency
    assert f"Equity {format_amount(analysis.equity, cur, with_unit=True)}" in first
    assert f"Gross notional {format_amount(figures.gross_notional, cur, with_unit=True)}" in first
    loss = format_amount(figures.loss_at_stops, cur, with_unit=True)
    assert f"Loss at stops {loss} ({format_percent(figures.risk_at_stops, 1)} of equity)" in first
    assert f"Worst case {format_amount(figures.worst_case_loss, cur, with_unit=True)}" in first
    assert "Nearest liquidation eth-conviction (ETHUSDT isolated) at 2,710.84" in first
    assert "Warnings" in first and "AMBER" in first
    for variant in ("As planned:", "All cross:", "All isolated:"):
        assert variant in first
    assert "Account equity as every mark moves together" in first


def test_outline_has_every_section_and_every_symbol(spec_pdf: tuple[Path, int]) -> None:
    titles = outline_titles(spec_pdf[0])
    document = build_report(spec_plan())
    assert [t for level, t in titles if level == 0] == [s.title for s in document.sections]
    charts = [t for t in titles]
    start = charts.index((0, "Charts"))
    assert charts[start + 1 : start + 4] == [(1, "BTCUSDT"), (1, "ETHUSDT"), (1, "SOLUSDT")]


def test_metadata_and_the_embedded_plan(spec_pdf: tuple[Path, int]) -> None:
    reader = PdfReader(spec_pdf[0])
    meta = reader.metadata
    assert spec_plan().name in (meta.title or "")
    assert (meta.creator or "").startswith("Margin Planner")
    assert meta.author == "A. Trader"
    assert spec_plan().name in (meta.subject or "")
    assert "BTCUSDT" in (meta.get("/Keywords") or "")
    (data,) = reader.attachments["spec_example.tplan"]
    assert parse_plan_bytes(data) == spec_plan()


def test_author_is_empty_unless_set(tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    export_pdf(spec_plan(), out)
    assert not PdfReader(out).metadata.author


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
def test_every_example_exports_and_no_heading_ends_a_page(path: Path, tmp_path: Path) -> None:
    plan = load_plan(path)
    out = tmp_path / "example.pdf"
    document = build_report(plan, source=str(path))
    pages = write_pdf(document, out)
    assert 3 <= pages <= 9
    text = " ".join(page_texts(out))
    assert flat(plan.name) in text
    ticks = {m.symbol: m.tick_size for m in plan.markets}
    for result in analyze(plan).positions:
        assert format_price(result.liquidation_price, ticks[result.symbol]) in text
    stranded = set(last_content_lines(out, document)) & headings(document)
    assert not stranded
    symbols = {p.symbol for p in plan.positions}
    assert symbols <= {title for level, title in outline_titles(out) if level == 1}


def _big(tmp_path_factory: pytest.TempPathFactory, plan: Plan, name: str):
    out = tmp_path_factory.mktemp(name) / f"{name}.pdf"
    document = build_report(plan)
    started = time.perf_counter()
    pages = write_pdf(document, out)
    elapsed = time.perf_counter() - started
    print(f"\n{name}: {pages} pages in {elapsed:.2f} s")
    return plan, document, out, pages, page_texts(out)


@pytest.fixture(scope="module")
def big_pdf(tmp_path_factory: pytest.TempPathFactory):
    return _big(tmp_path_factory, big_plan(200), "big200")


def test_sixty_positions_page_count(tmp_path_factory: pytest.TempPathFactory) -> None:
    _, document, out, pages, texts = _big(tmp_path_factory, big_plan(60), "big60")
    assert pages == len(texts) <= 12
    assert not set(last_content_lines(out, document)) & headings(document)


def test_two_hundred_positions_fit_in_25_pages(big_pdf) -> None:
    _plan, document, out, pages, texts = big_pdf
    assert pages == len(texts) <= 25
    # the positions table runs over several pages and repeats its header row there
    header = "Liquidation price To liq. Stop To stop Loss at stop Risk % equity"
    table_pages = [t for t in texts if header in t]
    assert len(table_pages) >= 3
    continued = [t for t in table_pages if "subtotals per symbol (continued)" in t]
    assert len(continued) == len(table_pages) - 1
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {pages}" in text
    assert not set(last_content_lines(out, document)) & headings(document)


def test_two_hundred_symbols_fit_in_25_pages(tmp_path_factory: pytest.TempPathFactory) -> None:
    _, document, out, pages, _ = _big(tmp_path_factory, make_plan(200, 200), "sym200")
    assert pages <= 25
    assert not set(last_content_lines(out, document)) & headings(document)


def test_rows_are_never_split(big_pdf) -> None:
    """Each row of the positions table lies whole on one page: its id, symbol and liquidation
    price appear together, in order, on exactly one page."""
    plan, _, _, _, texts = big_pdf
    ticks = {m.symbol: m.tick_size for m in plan.markets}
    for pos, result in zip(plan.positions, analyze(plan).positions, strict=True):
        price = format_price(result.liquidation_price, ticks[pos.symbol])
        pattern = re.compile(rf"\b{pos.id} {pos.symbol} [^|]*?{re.escape(price)}")
        assert sum(bool(pattern.search(t)) for t in texts) == 1, pos.id


def test_too_many_pages_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    out = tmp_path / "big.pdf"
    with pytest.raises(TooManyPages, match="more than the 2 allowed"):
        export_pdf(big_plan(200), out, max_pages=2)
    with pytest.raises(TooManyPages, match="more than the 3 allowed"):
        export_pdf(spec_plan(), out, max_pages=3)
    assert list(tmp_path.iterdir()) == []


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


def test_export_pdf_takes_the_windows_analysis(tmp_path: Path) -> None:
    plan: Plan = spec_plan()
    out = tmp_path / "window.pdf"
    assert export_pdf(plan, out, "a4", analysis=analyze(plan)) >= 4


def test_export_loads_no_qt(tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    code = (
        "import sys\n"
        "from planner.cli import main\n"
        f"code = main(['export', {str(SPEC_EXAMPLE)!r}, '-o', {str(out)!r}])\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'pyqtgraph'))\n"
        "print(code, ','.join(qt))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0"
    assert out.is_file()


def test_the_stranded_heading_check_sees_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without keep-with-next, a caption of the scalper's report ends a page: the check above
    would see it."""
    from planner.report import pdf_blocks

    monkeypatch.setattr(pdf_blocks.KeepWithNext, "wrap", lambda self, w, h: (0, 0))
    path = next(p for p in example_paths() if p.name == "scalper.tplan")
    document = build_report(load_plan(path))
    out = tmp_path / "stranded.pdf"
    write_pdf(document, out)
    assert set(last_content_lines(out, document)) & headings(document)
