"""Direct quotations found by their quote marks, independent of any language model.

Handles straight "…", curly “…”, German „…“, guillemets «…» / »…« and single quotes
‘…’ / '…' (British style); quotes nested inside other quotes (the outer quotation is the one
returned); a quotation running over several paragraphs (a paragraph that opens a quote without
closing it continues into the next paragraph that starts with a quote mark); a closing mark
whose opening mark is missing; and the stray closing “ of sloppy or machine text. Single marks
double as apostrophes ("don't", "the workers' union"), so a single-quoted span needs a
plausible closing mark or it is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

_PAIRS: dict[str, str] = {
    "“": "”", "„": "“", "«": "»", "»": "«", '"': '"', "‘": "’", "'": "'",
}
_SINGLE = frozenset({"‘", "'"})
_BULLETS = " \t\u00a0•·▪◦‣*-–—"
_BEFORE_SINGLE_OPEN = frozenset(" \t\n\u00a0([{—–-:;“\"«„/")


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """Inside of one quotation: `start`/`end` exclude the marks; `close` is the mark's end."""

    start: int
    end: int
    open_mark: int
    close: int


def _opens(text: str, i: int) -> bool:
    """True when the mark at `i` can open a quotation."""
    ch = text[i]
    if ch not in _PAIRS:
        return False
    if ch == "»":
        return "«" not in text
    if ch in {'"', "“"}:
        prev = text[i - 1] if i else " "
        nxt = text[i + 1 : i + 2]
        if nxt.isspace() and not prev.isspace() and prev not in "([{—–-:":
            return False  # a closing mark whose opening mark is missing ('…," he said')
        return not (ch == '"' and _is_inch(text, i))
    if ch in _SINGLE:
        prev = text[i - 1] if i else " "
        nxt = text[i + 1 : i + 2]
        if ch == "'" and prev not in _BEFORE_SINGLE_OPEN:
            return False  # an apostrophe inside or after a word
        if not nxt or not (nxt.isalnum() or nxt in "“\"…"):
            return False
        return not (nxt.isdigit() and text[i + 1 : i + 4].rstrip("s").isdigit())  # '90s
    return True


def _closes(text: str, i: int, opener: str) -> bool:
    ch = text[i]
    if opener in _SINGLE:
        return ch == _PAIRS[opener] and _single_closes(text, i)
    if ch == _PAIRS[opener]:
        return True
    # A second opening curly mark not followed by a letter closes a sloppy “…“ quote.
    if opener == "“" and ch == "“":
        nxt = text[i + 1 : i + 2]
        return not nxt or not nxt.isalnum()
    return False


def _single_closes(text: str, i: int) -> bool:
    """A single mark closes a quote unless it is an apostrophe ("don't", "the workers' pay")."""
    prev = text[i - 1] if i else " "
    nxt = text[i + 1 : i + 2]
    if prev.isspace() or (nxt and nxt.isalnum()):
        return False
    # "the dockers' union": a plural possessive, not the end of a quotation
    return not (prev in "sS" and nxt == " " and text[i + 2 : i + 3].isalpha())


def _continues(text: str, pos: int, opener: str) -> int | None:
    """Offset of the quote mark opening the next paragraph, if that paragraph starts with one."""
    i = pos
    while i < len(text) and text[i] in "\r\n":
        i += 1
    while i < len(text) and text[i] in _BULLETS:
        i += 1
    if i >= len(text) or text[i] not in _PAIRS:
        return None
    if (opener in _SINGLE) != (text[i] in _SINGLE):
        return None
    return i


def _scan(text: str, open_at: int) -> tuple[int, int] | None:
    """(end, close) of the quotation opened at `open_at`, or None for a stray single mark."""
    opener, j, n = text[open_at], open_at + 1, len(text)
    possessive = None  # "the workers' pay": a closing mark only if the next quote opens first
    while j < n:
        if text[j] == "\n":
            nxt = _continues(text, j, opener)
            if nxt is not None and (not _closes(text, nxt, opener) or text[nxt] == opener):
                j = nxt + 1  # the next paragraph reopens the quotation (straight marks too)
                continue
            if opener in _SINGLE:
                return (possessive, possessive + 1) if possessive is not None else None
            return j, j
        if _closes(text, j, opener):
            return j, j + 1
        if opener in _SINGLE and text[j] == _PAIRS[opener]:
            if possessive is None and text[j - 1] in "sS" and text[j + 1 : j + 2] == " ":
                possessive = j
            elif possessive is not None and text[j] == opener and _opens(text, j):
                return possessive, possessive + 1  # "'so-called workers' who 'work …'"
        elif opener in _SINGLE and possessive is not None and text[j] == opener and _opens(text, j):
            return possessive, possessive + 1
        j += 1
    if opener in _SINGLE:
        return (possessive, possessive + 1) if possessive is not None else None
    return n, n


def find_quote_spans(text: str) -> list[QuoteSpan]:
    """Returns every quotation in `text`, in order, with offsets inside the marks.

    Args:
        text: Article text.

    Returns:
        Spans whose inside may cross paragraph breaks (multi-paragraph quotes); a double-quoted
        quote still open when a paragraph ends and not continued is closed at the paragraph
        end. Quotes nested inside a quotation are part of it, not spans of their own.
    """
    spans: list[QuoteSpan] = []
    i, n = 0, len(text)
    while i < n:
        if not _opens(text, i):
            i += 1
            continue
        found = _scan(text, i)
        if found is None:
            i += 1
            continue
        end, close = found
        spans.append(QuoteSpan(i + 1, end, i, close))
        i = max(close, i + 1)
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
