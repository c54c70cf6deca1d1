"""Sentence spans: spaCy sentences re-split at line breaks and trimmed of bullets."""

from __future__ import annotations

import re

from spacy.tokens import Doc

from newsprism.models import Span

_EDGE = " \t\r\n\u00a0•·▪◦‣*-–—>|"
_LINE_BREAK = re.compile(r"\n+")


def trimmed_span(text: str, start: int, end: int) -> Span | None:
    """Returns `text[start:end]` without bullets/whitespace at its edges, or None if empty."""
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in " \t\r\n\u00a0•·▪◦‣*|":
        end -= 1
    if start >= end or not any(ch.isalnum() for ch in text[start:end]):
        return None
    return Span(start, end, text[start:end])


def sentence_spans(doc: Doc, text: str) -> tuple[Span, ...]:
    """Splits `text` into sentences, never across a line break.

    The parser happily glues a header line to the next paragraph; news text uses line breaks
    as hard boundaries, so each spaCy sentence is cut again at every newline.

    Args:
        doc: The parsed (or sentencized) document of `text` or of a prefix of it.
        text: The article text the offsets refer to.

    Returns:
        Non-empty spans in text order.
    """
    spans: list[Span] = []
    for sent in doc.sents:
        piece_start = sent.start_char
        for brk in _LINE_BREAK.finditer(text, sent.start_char, sent.end_char):
            span = trimmed_span(text, piece_start, brk.start())
            if span:
                spans.append(span)
            piece_start = brk.end()
        span = trimmed_span(text, piece_start, sent.end_char)
        if span:
            spans.append(span)
    return tuple(spans)
