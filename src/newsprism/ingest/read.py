"""Read input bytes with a size limit and turn OS failures into one-line `IngestError`s."""

from __future__ import annotations

import gzip
import logging
import zlib
from pathlib import Path

from newsprism.errors import IngestError

logger = logging.getLogger(__name__)


def megabytes(n: int) -> str:
    """Human size in decimal megabytes, as users see it in file managers ("52.4 MB")."""
    return f"{n / 1_000_000:.1f} MB"


def too_large(size: int, limit: int) -> str:
    """The problem text for an input over the limit."""
    return f"file too large ({megabytes(size)} > {megabytes(limit)} limit)"


def os_problem(exc: OSError) -> str:
    """Short, user-facing description of why a path could not be read."""
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    return f"cannot read ({exc.strerror or exc.__class__.__name__})"


def read_bytes(path: Path, *, max_bytes: int) -> bytes:
    """Read a whole file, refusing files over `max_bytes` before reading them.

    ``.gz`` files are decompressed; the limit then applies to the decompressed size too, so a
    small archive cannot expand into gigabytes in memory.

    Raises:
        IngestError: The file is missing, unreadable, too large or a broken gzip stream.
    """
    origin = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(origin, too_large(size, max_bytes))
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise IngestError(origin, os_problem(exc)) from exc
    if len(data) > max_bytes:  # grew while we read it
        raise IngestError(origin, too_large(len(data), max_bytes))
    if path.name.lower().endswith(".gz"):
        data = _gunzip(data, origin=origin, max_bytes=max_bytes)
    return data


def _gunzip(data: bytes, *, origin: str, max_bytes: int) -> bytes:
    try:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = decompressor.decompress(data, max_bytes + 1)
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise IngestError(origin, f"invalid gzip data ({exc})") from exc
    if len(out) > max_bytes:
        raise IngestError(origin, f"file too large (more than {megabytes(max_bytes)} "
                                  "once decompressed)")
    if not decompressor.eof:  # zlib returns what it could of a cut-off stream without a word
        raise IngestError(origin, "invalid gzip data (truncated)")
    return out
