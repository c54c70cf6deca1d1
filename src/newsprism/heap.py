"""Keeping a long-lived process's memory flat."""

from __future__ import annotations


def trim_heap() -> bool:
    """Hand freed heap memory back to the OS between polls (glibc's `malloc_trim`).

    A long-lived process that parses, embeds and indexes new text every poll leaves its heap
    fragmented: freed blocks stay mapped, so RSS creeps up poll after poll although the live data
    does not grow (bench/stream_memory.py). No library does this; it is one libc call, a no-op
    (False) where the C library has no `malloc_trim`.
    """
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.malloc_trim(0))
    except (OSError, AttributeError):
        return False


def rss_kb(pid: int | str = "self") -> int:
    """A process's resident memory in kB, from /proc (0 when it is gone or there is no /proc);
    by hand because psutil is not a dependency."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
    except OSError:
        return 0


__all__ = ["rss_kb", "trim_heap"]
