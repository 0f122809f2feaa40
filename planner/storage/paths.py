"""File names the operating system would refuse, found before any file is touched.

``path_problem(path)`` returns one short reason (or ``None``): an empty path, a NUL character,
a file name longer than the file system allows, a path longer than the system allows. Readers
turn it into a ``PlanError``, writers into a ``SaveError``; either way one line, never a raw
``OSError`` or ``ValueError``.
"""

from __future__ import annotations

import os
from pathlib import PurePath

#: The longest file name (one path component, in bytes) POSIX systems and NTFS accept.
MAX_NAME_BYTES = 255
#: The longest path (in bytes) Linux accepts (``PATH_MAX``).
MAX_PATH_BYTES = 4096
#: Paths are shown in messages up to this many characters.
_SHOWN_CHARS = 1024


def path_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot name a file on this system, or ``None`` when it can."""
    text = os.fspath(path)
    if isinstance(text, bytes):  # pragma: no cover - the program passes text paths
        text = os.fsdecode(text)
    if not text.strip():
        return "path is empty"
    if "\x00" in text:
        return "the path contains a NUL character"
    try:
        encoded = os.fsencode(text)
    except UnicodeError:
        return "the path cannot be encoded for this system"
    if len(encoded) >= MAX_PATH_BYTES:
        return f"the path is too long ({len(encoded):,} bytes; at most {MAX_PATH_BYTES - 1:,})"
    for part in PurePath(text).parts:
        size = len(os.fsencode(part))
        if size > MAX_NAME_BYTES:
            return f"the file name is too long ({size} bytes; at most {MAX_NAME_BYTES})"
    return None


def shown_path(path: str | os.PathLike[str]) -> str:
    """``path`` for a one-line message: NUL and line breaks made visible, long ones shortened."""
    text = os.fspath(path)
    if isinstance(text, bytes):  # pragma: no cover
        text = os.fsdecode(text)
    text = text.replace("\x00", "\\0").replace("\n", "\\n").replace("\r", "\\r")
    if len(text) > _SHOWN_CHARS:
        text = text[: _SHOWN_CHARS // 2 - 2] + "…" + text[-(_SHOWN_CHARS // 2 - 1) :]
    return text


def refuse_unnameable(*paths: str | os.PathLike[str] | None) -> None:
    """Raise ``PlanError`` ("path: problem", or "path is empty") for the first path the system
    cannot hold; ``None`` (an option not given) is skipped. Commands call it before any work."""
    from planner.domain.errors import PlanError

    for path in paths:
        if path is None:
            continue
        problem = path_problem(path)
        if problem is not None:
            if problem == "path is empty":
                raise PlanError(problem)
            raise PlanError(f"{shown_path(path)}: {problem}")
