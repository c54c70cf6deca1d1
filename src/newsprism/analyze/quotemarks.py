"""Direct quotations found by their quote marks, independent of any language model.

Handles straight "…", curly “…”, German „…“ and guillemets «…» / »…«, a quotation running
over several paragraphs (a paragraph that opens a quote without closing it continues into the next
paragraph that starts with a quote mark), and the stray closing “ of sloppy or machine text.
"""

from __future__ import annotations

from dataclasses import dataclass

_PAIRS: dict[str, str] = {"“": "”", "„": "“", "«": "»", "»": "«", '"': '"'}
_BULLETS = " \t\u00a0•·▪◦‣*-–—"


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """Inside of one quotation: `start`/`end` exclude the marks; `close` is the mark's end."""

    start: int
    end: int
    open_mark: int
    close: int


def _closes(text: str, i: int, opener: str) -> bool:
    ch = text[i]
    if ch == _PAIRS[opener]:
        return True
    # A second opening curly mark not followed by a letter closes a sloppy “…“ quote.
    if opener == "“" and ch == "“":
        nxt = text[i + 1 : i + 2]
        return not nxt or not nxt.isalnum()
    return False


def _continues(text: str, pos: int) -> int | None:
    """Offset of the quote mark opening the next paragraph, if that paragraph starts with one."""
    i = pos
    while i < len(text) and text[i] in "\r\n":
        i += 1
    while i < len(text) and text[i] in _BULLETS:
        i += 1
    return i if i < len(text) and text[i] in _PAIRS else None


def find_quote_spans(text: str) -> list[QuoteSpan]:
    """Returns every quotation in `text`, in order, with offsets inside the marks.

    Args:
        text: Article text.

    Returns:
        Spans whose inside may cross paragraph breaks (multi-paragraph quotes); a quote still
        open when a paragraph ends and not continued is closed at the paragraph end.
    """
    spans: list[QuoteSpan] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch not in _PAIRS or (ch == "»" and "«" not in text) or (ch == '"' and _is_inch(text, i)):
            i += 1
            continue
        opener, open_at, j = ch, i, i + 1
        end = None
        while j < n:
            if text[j] == "\n":
                nxt = _continues(text, j)
                para_end = j
                if nxt is not None and not _closes(text, nxt, opener):
                    j = nxt + 1
                    continue
                end, close = para_end, para_end
                break
            if _closes(text, j, opener):
                end, close = j, j + 1
                break
            j += 1
        if end is None:
            end, close = n, n
        start = open_at + 1
        spans.append(QuoteSpan(start, end, open_at, close))
        i = max(close, open_at + 1)
    return spans


def _is_inch(text: str, i: int) -> bool:
    """A straight double quote right after a digit is an inch mark, not a quotation."""
    return i > 0 and text[i - 1].isdigit()


def inner_bounds(text: str, span: QuoteSpan) -> tuple[int, int]:
    """Trims whitespace inside the marks (the quoted words themselves)."""
    s, e = span.start, span.end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e
