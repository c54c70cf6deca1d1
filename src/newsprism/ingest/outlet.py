"""Derive an outlet name from a URL: its registered domain (``www.bbc.co.uk`` -> ``bbc.co.uk``)."""

from __future__ import annotations

import logging
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    """The suffix-list extractor, built once; it uses only the snapshot bundled with tldextract.

    ``suffix_list_urls=()`` stops the download of a fresh Public Suffix List and ``cache_dir=None``
    stops disk caching, so nothing touches the network or the user's home directory.
    """
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


_RESERVED_TLDS = frozenset({"example", "test", "invalid", "localhost"})


def outlet_from_url(url: str | None) -> str | None:
    """Registered domain of `url`, lower-cased, or None when there is none (IPs, localhost, junk).

    Example:
        >>> outlet_from_url("https://www.bbc.co.uk/news/world-1")
        'bbc.co.uk'
    """
    if not url:
        return None
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    if not host:
        return None
    labels = host.lower().rstrip(".").split(".")
    if len(labels) >= 2 and labels[-1] in _RESERVED_TLDS:
        # RFC 2606/6761 names (used by test and demo corpora) are not on the suffix list.
        return ".".join(labels[-2:])
    parts = _extractor()(host)
    if not parts.domain or not parts.suffix:
        return None
    return f"{parts.domain}.{parts.suffix}".lower()
