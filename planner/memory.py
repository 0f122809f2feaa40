"""The C allocator's trade of memory for speed, for the long-running window and benchmarks.

Sweeps and maps make arrays of a few megabytes many times a second. glibc's ``malloc`` gives
freed memory at the top of its heap back to the system as soon as more than a few megabytes
are free, so the next sweep touches fresh pages again: on this project's 2-core benchmark
machine a 1,001-step sweep of 200 legs spent 3–8 ms of its 12–20 ms in the kernel on ~2,000
page faults. Keeping 64 MiB free at the top of the heap (``M_TOP_PAD``) removes them. It is a
process-wide setting, so only entry points call it; elsewhere (not glibc) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TOP_PAD = -2  # glibc <malloc.h>
TOP_PAD_BYTES = 64 * 1024 * 1024


def keep_freed_memory(top_pad: int = TOP_PAD_BYTES) -> bool:
    """Ask glibc to keep ``top_pad`` bytes free at the top of the heap; True if it did."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_TOP_PAD, int(top_pad)))
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
