"""Expand command-line inputs (files, directories, globs, ``-``) into a list of readable items.

Expansion is separate from reading so a caller can count the work up front (progress bars) and so
every bad input turns into one `IngestError` value instead of stopping the batch.
"""

from __future__ import annotations

import glob
import gzip
import logging
import os
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from newsprism.errors import IngestError

logger = logging.getLogger(__name__)

STDIN = "-"

#: File name endings we can read, mapped to the reader that handles them. Longest first, so
#: ``page.html.gz`` is not mistaken for an unknown ``.gz``.
FORMATS: dict[str, str] = {
    ".warc.gz": "warc",
    ".html.gz": "html",
    ".htm.gz": "html",
    ".atom.gz": "feed",
    ".rss.gz": "feed",
    ".xml.gz": "feed",  # only when it starts like a feed once decompressed
    ".jsonl": "jsonl",
    ".warc": "warc",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".txt": "txt",
    ".atom": "feed",
    ".rss": "feed",
    ".xml": "feed",  # only when the file starts like a feed (see format_of)
}

_GLOB_CHARS = frozenset("*?[")

InputItem = Path | str | IngestError  # a file, "-" for stdin, or a problem to report


def format_of(path: Path) -> str | None:
    """Return the reader name for `path` ("txt", "html", "jsonl", "warc"), or None if unsupported."""
    name = path.name.lower()
    for suffix, fmt in FORMATS.items():
        if name.endswith(suffix) and len(name) > len(suffix):
            if suffix in (".xml", ".xml.gz") and not _sniff_feed(path):
                return None  # sitemaps and other XML are not articles
            return fmt
    return None


def _sniff_feed(path: Path) -> bool:
    """Whether an ``.xml`` (or ``.xml.gz``) file starts with an RSS/Atom root element.

    A ``.xml.gz`` that is not valid gzip counts as a feed, so that the reader reports the broken
    file instead of it vanishing as "not a feed".
    """
    from newsprism.ingest.feeds import looks_like_feed

    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as handle:
                return looks_like_feed(handle.read(4096))
        with path.open("rb") as handle:
            return looks_like_feed(handle.read(4096))
    except (EOFError, zlib.error, gzip.BadGzipFile):
        return True
    except OSError:
        return False


def expand_inputs(inputs: Sequence[str]) -> list[InputItem]:
    """Expand inputs into files to read, ``"-"`` for stdin, and errors to report.

    Directories are walked recursively and globs (``*.txt``, ``**/*.html``) are expanded; in both
    cases hidden entries and unsupported extensions are skipped silently, because a directory
    naturally holds other files. A file named explicitly with an unsupported extension is an
    error, because the user asked for it. The same file reached twice is read once.

    Args:
        inputs: Paths, directory names, glob patterns or ``"-"``, in the order given.

    Returns:
        Items in a stable order: `Path` objects, the string ``"-"``, or `IngestError` values.
    """
    items: list[InputItem] = []
    seen: set[str] = set()

    def add(path: Path) -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            items.append(path)

    for given in inputs:
        raw = str(given)  # Path objects are accepted too
        if raw == STDIN:
            items.append(STDIN)
            continue
        if raw[:8].lower().startswith(("http://", "https://")):  # feed or page URL, read by web.py
            items.append(raw)
            continue
        path = Path(raw)
        if path.is_dir():
            for found in _walk(path):
                add(found)
        elif path.exists() or os.path.islink(path):
            if format_of(path) is None:
                items.append(IngestError(raw, f"unsupported file type {_suffix(path)!r} "
                                              f"(expected one of {', '.join(sorted(FORMATS))})"))
            else:
                add(path)
        elif _GLOB_CHARS & set(raw):
            matched = _expand_glob(raw)
            if not matched:
                items.append(IngestError(raw, "no supported files match this pattern"))
            for found in matched:
                add(found)
        else:
            items.append(IngestError(raw, "no such file"))
    return items


def count_inputs(inputs: Sequence[str]) -> int:
    """Number of items `iter_documents` will visit (files, stdin and input errors), for progress."""
    return len(expand_inputs(inputs))


def _suffix(path: Path) -> str:
    return "".join(path.suffixes[-2:]) if path.suffixes else "(none)"


def _is_hidden(part: str) -> bool:
    return part.startswith(".") and part not in (".", "..")


def _walk(root: Path) -> Iterable[Path]:
    """Supported, non-hidden files under `root`, sorted for a reproducible order."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not _is_hidden(d))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if not _is_hidden(name) and format_of(path) is not None:
                found.append(path)
    return found


def _expand_glob(pattern: str) -> list[Path]:
    """Supported files matched by `pattern`; matched directories are walked."""
    found: list[Path] = []
    for match in sorted(glob.glob(pattern, recursive=True)):
        path = Path(match)
        if path.is_dir():
            found.extend(_walk(path))
        elif format_of(path) is not None and not _is_hidden(path.name):
            found.append(path)
    return found
