"""The Qt binding must not corrupt Python's reference counts.

PySide6-Essentials 6.12.0 under CPython 3.11 drops a reference to ``None`` on every call of a
method that returns nothing; a long session (or one PDF report) then aborts the interpreter
with "none_dealloc". pyproject.toml keeps the binding below 6.12; this test fails if a broken
version comes back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject


def test_void_calls_keep_the_reference_count_of_none() -> None:
    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(2000):
        obj.setObjectName("probe")
    assert sys.getrefcount(None) >= before - 10
