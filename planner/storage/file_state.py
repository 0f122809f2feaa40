"""What a plan file on disk was when the window read or wrote it: size, modification time and
a hash of its bytes. Before a save the window compares it with the file as it is now, so a
change made by another window or program is never silently overwritten."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

#: Files larger than this are compared by size and time only (plans are far smaller).
_HASH_LIMIT = 64 * 1024 * 1024


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int
    sha256: str

    def same_content(self, other: FileState | None) -> bool:
        """Whether ``other`` holds the same bytes (a mere touch is no change)."""
        return other is not None and other.size == self.size and other.sha256 == self.sha256


def file_state(path: str | Path) -> FileState | None:
    """The state of the regular file at ``path``, or ``None`` when there is none (or it cannot
    be read)."""
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            digest = hashlib.sha256()
            if info.st_size <= _HASH_LIMIT:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
    except (OSError, ValueError):
        return None
    return FileState(info.st_size, info.st_mtime_ns, digest.hexdigest())
