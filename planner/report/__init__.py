"""The plan's PDF report — no Qt anywhere in it.

- ``planner.report.content.build_report(plan, analysis=…, source=…, author=…)`` — what the
  report says, as a ``planner.report.model.ReportDocument`` (pure Python): page 1's factsheet,
  positions, charts per symbol, cross or isolated, price shocks, appendices.
- ``planner.report.pdf.export_pdf(plan, path, paper="a4", max_pages=…) -> pages`` — File ▸
  Export PDF… and ``margin-planner export`` (atomic write; ``planner.storage.SaveError`` when
  the file cannot be written; ``TooManyPages`` past ``max_pages``).
- ``planner.report.pdf.render_pdf_bytes(document, paper) -> (pdf, pages)`` — the same PDF as
  bytes: the window's print preview renders these pages (pypdfium2).

Nothing is imported here, so that importing the package costs nothing.
"""
