"""The plan's PDF report.

- ``planner.report.content.build_report(plan, analysis=…, source=…)`` — what the report says,
  as a ``planner.report.model.ReportDocument`` (pure Python, no Qt).
- ``planner.report.pdf.export_pdf(plan, path, paper="a4") -> pages`` — File ▸ Export PDF…
  (atomic write; ``planner.storage.SaveError`` when the file cannot be written).
- ``planner.report.pdf.render_report(document, printer) -> pages`` — draws on any
  ``QPagedPaintDevice``: a ``QPrinter`` in a print preview's ``paintRequested``.

Nothing is imported here, so that the content can be used without loading Qt.
"""
