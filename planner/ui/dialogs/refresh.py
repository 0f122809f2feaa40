"""Markets ▸ Refresh from venue (Ctrl+R) and the "Refresh marks when opening a plan" setting.

The fetch runs on a pool thread (``BackgroundCall``) behind a window-modal progress dialog with
Cancel; the event loop never waits for the network. Only on success is anything applied: the
fetched data goes onto the document's *current* plan (``apply_market_data`` is pure), so an
edit made while the fetch ran is kept, and the refresh is one undo step on top of it. If
another plan was opened meanwhile, the data is not applied (it was asked for the other one).
A failure leaves the plan untouched and says what failed in one line; a cancel says so in the
status bar.

Before a venue is first contacted the trader is asked once, with ``what_is_sent(plan)``; a
"Yes" is remembered per venue (QSettings ``marketdata/consented_venues``). A "No" sends
nothing and is not remembered: the next explicit refresh asks again, so the command is never
silently disabled. The setting (``marketdata/refresh_on_open``) is off by default; when on, a
plan opened from a file has its marks and funding refreshed, through the same question and
the same progress dialog. Nothing else is stored: no key, no account, no telemetry.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from planner.domain.plan import Plan
from planner.marketdata import (
    REFRESH_ON_OPEN_DEFAULT,
    REFRESH_ON_OPEN_WHAT,
    CancelToken,
    FetchCancelled,
    MarketDataError,
    VenueData,
    apply_market_data,
    fetch_market_data,
    ratio_assets_asked,
    what_is_sent,
)
from planner.marketdata.gap import venue_gap_lines
from planner.ui.document.plan_document import PlanDocument
from planner.ui.widgets.worker import BackgroundCall

REFRESH_ON_OPEN_KEY = "marketdata/refresh_on_open"
CONSENT_KEY = "marketdata/consented_venues"
ALL_WHAT: frozenset[str] = frozenset({"marks", "funding", "tiers", "collateral"})
#: the progress dialog appears only for a fetch that takes longer than this
PROGRESS_DELAY_MS = 400
STATUS_MS = 10000
WHAT_WORDS = {
    "marks": "marks",
    "funding": "funding rates",
    "tiers": "tier tables",
    "collateral": "collateral ratios",
}


class RefreshSummaryDialog(QDialog):
    """What a refresh changed, line by line (non-modal, reused for the next refresh)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("refresh_summary_dialog")
        self.setWindowTitle("Refreshed from the venue")
        self._heading = QLabel()
        self._heading.setWordWrap(True)
        self._text = QPlainTextEdit()
        self._text.setObjectName("refresh_summary_text")
        self._text.setReadOnly(True)
        self._text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self._text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self._heading)
        layout.addWidget(self._text, 1)
        layout.addWidget(buttons)
        self.resize(760, 360)

    def show_summary(self, heading: str, lines: Iterable[str]) -> None:
        self._heading.setText(heading)
        self._text.setPlainText("\n".join(lines))
        self.show()
        self.activateWindow()  # to the front when it was already open

    def heading(self) -> str:
        return self._heading.text()

    def text(self) -> str:
        return self._text.toPlainText()


class RefreshController(QObject):
    """Owns the refresh command, its setting and the question asked once per venue.

    Signals:
        status_message(str, int): a message for the status bar and its timeout in ms.
        running_changed(bool): a fetch started (True) or ended (False).
    """

    status_message = Signal(str, int)
    running_changed = Signal(bool)

    def __init__(self, document: PlanDocument, window: QWidget, settings: QSettings) -> None:
        super().__init__(window)
        self._document = document
        self._window = window
        self._settings = settings
        self._call: BackgroundCall | None = None
        self._token: CancelToken | None = None
        self._progress: QProgressDialog | None = None
        self._asked_plan: Plan | None = None
        self._asked_path: object = None
        self._reopened = False
        self._last_opened: Plan | None = document.plan
        self.summary_dialog: RefreshSummaryDialog | None = None
        document.path_changed.connect(self._on_document_path_changed)

    # --- wiring ----------------------------------------------------------------------------

    def bind(self, refresh: QAction, refresh_on_open: QAction) -> None:
        """Connect Markets ▸ Refresh from venue and the checkable setting."""
        refresh.triggered.connect(self.refresh_all)
        self.running_changed.connect(lambda running: refresh.setEnabled(not running))
        refresh_on_open.setCheckable(True)
        refresh_on_open.setChecked(self.refresh_on_open)
        refresh_on_open.toggled.connect(self.set_refresh_on_open)

    # --- the setting and the question --------------------------------------------------------

    @property
    def refresh_on_open(self) -> bool:
        return bool(self._settings.value(REFRESH_ON_OPEN_KEY, REFRESH_ON_OPEN_DEFAULT, type=bool))

    def set_refresh_on_open(self, on: bool) -> None:
        self._settings.setValue(REFRESH_ON_OPEN_KEY, bool(on))
        self._settings.sync()

    def consented_venues(self) -> set[str]:
        value = self._settings.value(CONSENT_KEY, "", type=str)
        return {venue for venue in str(value).split(",") if venue}

    def _consent(self, plan: Plan) -> bool:
        """Whether the trader agrees to contact the plan's venue: asked once per venue."""
        venue = plan.account.venue
        if venue in self.consented_venues():
            return True
        try:
            text = what_is_sent(plan)
        except MarketDataError as error:
            self._fail(error)
            return False
        answer = QMessageBox.question(
            self._window,
            f"Contact {venue}?",
            f"{text}\n\nAllow Margin Planner to contact {venue} for this and later refreshes? "
            "You are asked once; nothing is sent until you agree.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            self.status_message.emit(f"Not refreshed — nothing was sent to {venue}", STATUS_MS)
            return False
        venues = self.consented_venues() | {venue}
        self._settings.setValue(CONSENT_KEY, ",".join(sorted(venues)))
        self._settings.sync()
        return True

    # --- the refresh -----------------------------------------------------------------------

    @property
    def is_running(self) -> bool:
        return self._call is not None

    @property
    def progress_dialog(self) -> QProgressDialog | None:
        return self._progress

    def refresh_all(self, _checked: bool = False) -> bool:
        return self.refresh(ALL_WHAT)

    def refresh(self, what: Iterable[str] = ALL_WHAT) -> bool:
        """Start fetching ``what`` for the current plan; False when nothing was started."""
        if self._call is not None:
            return False
        plan = self._document.committed_plan
        venue = plan.account.venue
        if not plan.markets:
            self.status_message.emit("Not refreshed — the plan has no markets", STATUS_MS)
            return False
        if not self._consent(plan):
            return False
        chosen = frozenset(what)
        token = CancelToken()
        call = BackgroundCall(lambda: fetch_market_data(plan, chosen, cancel=token), self)
        call.succeeded.connect(self._on_fetch_succeeded)
        call.failed.connect(self._on_fetch_failed)
        self._call, self._token = call, token
        self._asked_plan, self._asked_path, self._reopened = plan, self._document.path, False
        self._progress = self._progress_dialog(plan, chosen)
        self.running_changed.emit(True)
        call.start()
        self.status_message.emit(f"Asking {venue}…", 0)
        return True

    def cancel(self) -> None:
        """Stop the running fetch: nothing it brings back is applied."""
        if self._token is not None and not self._token.cancelled:
            self._token.cancel()
            self.status_message.emit("Cancelling the refresh…", 0)

    def shutdown(self) -> None:
        """The window is closing: cancel a running fetch (its thread ends at its next read)."""
        self.cancel()
        self._close_progress()

    def _progress_dialog(self, plan: Plan, what: frozenset[str]) -> QProgressDialog:
        words = [WHAT_WORDS[item] for item in ("marks", "funding", "tiers") if item in what]
        count = len(plan.markets)
        asked = (
            [f"the {_join(words)} of {count} market{'' if count == 1 else 's'}"] if words else []
        )
        assets = ratio_assets_asked(plan, what)
        if assets:
            asked.append(f"the {WHAT_WORDS['collateral']} of {_join(assets)}")
        venue = plan.account.venue
        label = f"Asking {venue} for {' and '.join(asked)}…" if asked else f"Asking {venue}…"
        progress = QProgressDialog(label, "Cancel", 0, 0, self._window)
        progress.setObjectName("refresh_progress")
        progress.setWindowTitle("Refresh from venue")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setMinimumDuration(PROGRESS_DELAY_MS)
        progress.canceled.connect(self.cancel)
        progress.setValue(0)
        return progress

    def _close_progress(self) -> None:
        progress, self._progress = self._progress, None
        if progress is not None:
            progress.canceled.disconnect(self.cancel)  # closing it would emit canceled
            progress.reset()  # stops the timer that would show it after PROGRESS_DELAY_MS
            progress.hide()
            progress.deleteLater()

    def _finish(self) -> tuple[bool, Plan | None]:
        """End the running fetch; whether it was cancelled, and the plan it was asked for."""
        cancelled = self._token is not None and self._token.cancelled
        plan = self._asked_plan
        self._call, self._token, self._asked_plan = None, None, None
        self._close_progress()
        self.running_changed.emit(False)
        return cancelled, plan

    def _on_fetch_succeeded(self, data: VenueData) -> None:
        cancelled, asked = self._finish()
        if cancelled:
            self._say_cancelled()
            return
        if self._reopened or self._document.path != self._asked_path:
            self._fail(MarketDataError("another plan was opened while fetching; refresh it again"))
            return
        current = self._document.committed_plan
        try:
            new_plan, summary = apply_market_data(current, data)
        except MarketDataError as error:
            self._fail(error)
            return
        self._document.apply(new_plan, f"Refresh from {data.venue}")
        lines = summary.lines()
        if current is not asked:
            lines.append(
                "note: the plan changed while fetching; the data went onto it as it is now"
            )
        lines += venue_gap_lines(self._document.analysis)
        when = data.fetched_at
        heading = (
            f"Fetched from {data.venue} at {when}. Undo (Ctrl+Z) puts the plan back as it was."
            if summary.changed
            else f"Fetched from {data.venue} at {when}: nothing in the plan changed."
        )
        if self.summary_dialog is None:
            self.summary_dialog = RefreshSummaryDialog(self._window)
        self.summary_dialog.show_summary(heading, lines)
        self.status_message.emit(lines[0], STATUS_MS)

    def _on_fetch_failed(self, error: BaseException) -> None:
        cancelled, _asked = self._finish()
        if cancelled or isinstance(error, FetchCancelled):
            self._say_cancelled()
            return
        self._fail(error)

    def _say_cancelled(self) -> None:
        self.status_message.emit("Refresh cancelled — the plan is unchanged", STATUS_MS)

    def _fail(self, error: BaseException) -> None:
        reason = str(error) if isinstance(error, MarketDataError) else _one_line(error)
        self.status_message.emit(f"Not refreshed — {reason}", STATUS_MS)
        QMessageBox.warning(self._window, "Refresh failed", f"{reason}\n\nThe plan is unchanged.")

    # --- refresh on open -------------------------------------------------------------------

    def _on_document_path_changed(self) -> None:
        if self._call is not None:
            self._reopened = self._reopened or self._document.path != self._asked_path
        plan = self._document.plan
        opened = (
            self._document.path is not None
            and self._document.undo_stack.count() == 0
            and plan is not self._last_opened
        )
        if not opened:
            return  # a save-as, or a new plan: nothing was opened
        self._last_opened = plan
        if self.refresh_on_open and plan.markets:
            # after the opening has finished (and the window is up when it opens at start)
            QTimer.singleShot(0, self, self._refresh_opened)

    def _refresh_opened(self) -> None:
        if self._document.plan is self._last_opened:
            self.refresh(REFRESH_ON_OPEN_WHAT)


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text}"[:300]
