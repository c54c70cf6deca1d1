"""Clean: cut site boilerplate out of article text, recording every cut as a `RemovedSpan`.

Copies of an article on other sites pick up the copier's furniture (comment forms, share
buttons, newsletter boxes, photo credits, "read more" links); left in, it makes copies look less
alike and originals look like they contain text they never had. The rules here work on whole
lines and are deliberately conservative: a line is removed only when it matches a narrow
boilerplate pattern or repeats across many articles of one outlet, because deleting a real
sentence of the article is worse than keeping a stray button label.

Every removal is reported with offsets into `Article.raw` (the ingested text) and, for
line-based inputs, the source file line, so a reader can check what was cut.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from newsprism.models import Article, RawDocument, RemovedSpan

logger = logging.getLogger(__name__)

__all__ = ["CleanConfig", "article_id", "clean_document", "clean_documents", "find_repeated_lines",
           "line_kind"]


@dataclass(frozen=True, slots=True)
class CleanConfig:
    """Thresholds of the boilerplate rules.

    Attributes:
        repeated_line_min_articles: A line must occur in at least this many articles of one
            outlet in the batch to count as the outlet's boilerplate.
        repeated_line_min_share: ...and in at least this share of that outlet's articles, so a
            sentence two follow-up stories share is not taken for a site footer.
        max_line_chars_for_boilerplate: Longer lines are never removed: boilerplate is short,
            and a long line is almost always article text.
        caption_max_words: Longest line taken as a photo caption (when right above a credit).
        trailer_max_words: Longest tail after "Source:" on a final source-trailer line.
    """

    repeated_line_min_articles: int = 3
    repeated_line_min_share: float = 0.5
    max_line_chars_for_boilerplate: int = 200
    caption_max_words: int = 16  # captions run to a dozen words or more; the credit line below is the evidence
    trailer_max_words: int = 8


DEFAULT_CONFIG = CleanConfig()

_X = re.IGNORECASE | re.VERBOSE
_END = r"[\s.!:*…]*$"
_NETWORKS = (r"(?:facebook|twitter|x|whatsapp|linkedin|telegram|reddit|pinterest|messenger|"
             r"e-?mail|flipboard|threads|bluesky|tumblr|vk|line|viber)")

_COMMENT_FORM = re.compile(r"""^(?:
    please\ enter\ your\ (?:comment|name|e-?mail(?:\ address)?|website)(?:\ here)?
  | leave\ a\ (?:reply|comment)(?:\ to\ .{1,60})?
  | (?:post|add|write)\ (?:a|your)\ comment
  | you\ must\ be\ (?:logged|signed)\ in\ to\ (?:post|leave|add|write)\ a\ comment
  | log\ ?in\ to\ (?:post\ a\ )?comment | cancel\ reply | be\ the\ first\ to\ comment
  | your\ e-?mail\ address\ will\ not\ be\ published.{0,80}
  | required\ fields\ are\ marked.{0,20}
  | save\ my\ name,?\ e-?mail,?\ and\ website\ in\ this\ browser\ for\ the\ next\ time\ i\ comment
  | you\ have\ entered\ an\ incorrect\ e-?mail\ address
  | \d*\s*comments? | no\ comments(?:\ yet)? | show\ comments | view\ comments
)""" + _END, _X)

_SHARE = re.compile(r"""^(?:
    share(?:\ (?:this|the))?(?:\ (?:article|story|post|page|link))?
        (?:\ (?:on|via|with|to)\ """ + _NETWORKS + r""")?
  | click\ to\ (?:share|email|print)(?:\ (?:on|via|this))?.{0,40}
  | (?:tweet|pin|e-?mail|print)\ (?:this|it)(?:\ (?:article|story|page))?
  | copy\ (?:the\ )?link | (?:share|follow\ us)\ on\ """ + _NETWORKS + r"""
)""" + _END, _X)

_SHARE_WORDS = frozenset(
    "share tweet print email e-mail mail copy link facebook twitter x whatsapp linkedin telegram "
    "reddit pinterest messenger flipboard threads bluesky tumblr vk viber".split()
)
#: A row of share buttons names at least one of these; "x", "print" or "link" alone do not.
_NETWORK_WORDS = frozenset(
    "facebook twitter whatsapp linkedin telegram reddit pinterest messenger flipboard bluesky "
    "tumblr viber".split()
)
_BUTTON_ROW = re.compile(r"^[\w\s|/•·,-]+$")

_SUBSCRIBE = re.compile(r"""^(?:
    subscribe\b.{0,120}
  | (?:sign\ up|signup)\b.{0,120}
        \b(?:newsletters?|inbox|mailing\ list|e-?mail\ alerts?|briefing|updates|free|our)\b.{0,80}
  | (?:register|join|get)\b.{0,120}\b(?:newsletters?|mailing\ list|e-?mail\ alerts?)\b.{0,80}
)$""", _X)

_PHOTO_CREDIT = re.compile(r"""^\(?\s*(?:
    (?:photo|image|picture|pic|photograph|foto|illustration)s?
        (?:\ credits?|\ copyright|\ source)?\s*(?::|©)\s*.{1,150}
  | image\ (?:caption|copyright|source)\b.{0,150}
  | credits?\s*:\s*.{1,120}
  | (?:©|\(c\)|copyright\s*(?:©|\(c\)|\d{4})).{0,80}
        \b(?:getty|reuters|ap|afp|epa|shutterstock|istock|images?|photos?)\b.{0,40}
)\)?$""", _X)

#: "Photo by Jane Doe": only short and without sentence punctuation, unlike "Photos by the
#: agency showed the damage."
_PHOTO_BY = re.compile(r"^\(?\s*(?:photo|image|picture|photograph)s?\s+by\s+[^.!?]{1,60}\)?$", re.I)

#: "... REUTERS/Jane Doe", "(AP Photo/John Roe)", "... / Getty Images": credits glued to captions.
_AGENCY_CREDIT = re.compile(
    r"(?:\b(?:REUTERS|AFP|EPA|XINHUA|ANADOLU|AP PHOTO)\s*/\s*\w"
    r"|\((?:AP|AFP|Reuters|EPA|Getty Images)(?: Photo)?\s*/[^)]*\)\s*\.?$"
    r"|(?:/|\||\bvia)\s*(?:Getty Images|Shutterstock|iStock)\s*\)?\.?$)"
)

_READ_MORE = re.compile(r"""^(?:
    read\ more | read\ also | also\ read | read\ next | see\ also | further\ reading
  | related(?:\ (?:articles?|stories|posts|content|coverage|news|links|reading))?
  | more\ (?:on|about)\ this(?:\ (?:story|topic))? | recommended(?:\ (?:for\ you|reading))?
  | you\ (?:may|might)\ also\ (?:like|be\ interested\ in) | continue\ reading
  | read\ the\ (?:full|whole|original)\ (?:story|article)(?:\ here)? | click\ here\ to\ read\ more
)\s*(?:[:»>|\-–—…]+.*|\.\.\.)?$""", _X)

_SOURCE_TRAILER = re.compile(r"""^[.\-–—•*·]*\s*(?:
    (?:sources?|via|original(?:\ article)?)(?:\s*[:\-–—]\s*(?P<tail>.*))?
  | (?:originally\ published\ (?:at|on|in|by)
    | this\ (?:article|story)\ (?:was\ )?(?:originally\ |first\ )?(?:published|appeared)\ (?:on|in|at|by)
    )\s+(?P<where>.*)
)$""", _X)

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]+")
_BLANKS = re.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True)
class _Line:
    start: int  # offset of the first non-space character in the raw text
    end: int  # offset after the last non-space character
    text: str  # stripped line

    @property
    def blank(self) -> bool:
        return not self.text


def article_id(text: str, url: str | None) -> str:
    """Stable article id: the same url and clean text (up to case and spacing) give the same id.

    Ingest is idempotent on this id: reading an article twice yields one record.

    Returns:
        The first 16 hex digits of sha256 over ``url + "\\n" + normalised text``.
    """
    normal = " ".join(text.lower().split())
    return hashlib.sha256(f"{url or ''}\n{normal}".encode()).hexdigest()[:16]


def line_kind(line: str, *, config: CleanConfig = DEFAULT_CONFIG) -> str | None:
    """The boilerplate kind of one line on its own, or None when it may be article text.

    Kinds decided without context: comment_form, share, subscribe, photo_credit, read_more.
    Captions, source trailers and repeated lines need their neighbours or the batch.
    """
    text = " ".join(line.split())
    if not text or len(text) > config.max_line_chars_for_boilerplate:
        return None
    if _COMMENT_FORM.match(text):
        return "comment_form"
    if _SHARE.match(text) or _only_share_words(text):
        return "share"
    if len(text.split()) <= 20 and _SUBSCRIBE.match(text):
        return "subscribe"
    if len(text.split()) <= 40 and (_PHOTO_CREDIT.match(text) or _AGENCY_CREDIT.search(text)
                                     or (len(text.split()) <= 8 and _PHOTO_BY.match(text))):
        return "photo_credit"
    if _READ_MORE.match(text):
        return "read_more"
    return None


def _only_share_words(text: str) -> bool:
    """A row of share-button labels ("Facebook Twitter WhatsApp Email")."""
    if not _BUTTON_ROW.match(text):
        return False
    words = set(re.findall(r"[\w-]+", text.lower()))
    return len(words) >= 2 and words <= _SHARE_WORDS and bool(words & _NETWORK_WORDS)


def line_key(line: str) -> str:
    """Key under which lines count as the same for repetition (case and spacing ignored)."""
    return " ".join(line.split()).casefold()


def find_repeated_lines(docs: Iterable[RawDocument], *,
                        config: CleanConfig = DEFAULT_CONFIG) -> dict[str, frozenset[str]]:
    """Lines each outlet repeats across its articles in the batch (its templates and footers).

    Documents without an outlet are not grouped: without knowing they share a site, a shared
    line is more likely quoted text than a template.

    Returns:
        outlet (lower-cased) -> set of `line_key` values to remove from that outlet's articles.
    """
    per_outlet: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for doc in docs:
        if not doc.outlet:
            continue
        outlet = doc.outlet.lower()
        totals[outlet] += 1
        per_outlet[outlet].update({
            line_key(line) for line in doc.text.split("\n")
            if line.strip() and len(line.strip()) <= config.max_line_chars_for_boilerplate
        })
    repeated: dict[str, frozenset[str]] = {}
    for outlet, counts in per_outlet.items():
        need = max(config.repeated_line_min_articles,
                   config.repeated_line_min_share * totals[outlet])
        lines = frozenset(key for key, n in counts.items() if n >= need)
        if lines:
            logger.debug("outlet %s: %d repeated lines", outlet, len(lines))
            repeated[outlet] = lines
    return repeated


def clean_documents(docs: Sequence[RawDocument], *,
                    config: CleanConfig = DEFAULT_CONFIG) -> list[Article]:
    """Clean a batch, using the batch itself to find each outlet's repeated lines.

    Args:
        docs: Ingested documents; lines repeated across many of one outlet's documents are
            removed as that outlet's boilerplate.
        config: Rule thresholds.

    Returns:
        One `Article` per document, in the same order.
    """
    repeated = find_repeated_lines(docs, config=config)
    empty: frozenset[str] = frozenset()
    return [clean_document(doc, repeated=repeated.get((doc.outlet or "").lower(), empty),
                           config=config) for doc in docs]


def clean_document(doc: RawDocument, *, repeated: frozenset[str] = frozenset(),
                   config: CleanConfig = DEFAULT_CONFIG) -> Article:
    """Clean one document.

    Args:
        doc: The ingested document; `doc.text` becomes `Article.raw`.
        repeated: `line_key`s of lines this document's outlet repeats (see `find_repeated_lines`).
        config: Rule thresholds.

    Returns:
        The `Article` with clean text, the removed spans and a content-based id.
    """
    lines = _split_lines(doc.text)
    kinds = _classify(lines, repeated=repeated, config=config)
    removed = tuple(
        RemovedSpan(start=line.start, end=line.end, kind=kind, text=line.text,
                    line=_file_line(doc, line.start))
        for line, kind in zip(lines, kinds, strict=True) if kind is not None
    )
    text = _join_kept(lines, kinds)
    return Article(
        id=article_id(text, doc.url),
        origin=doc.origin,
        text=text,
        raw=doc.text,
        title=doc.title,
        url=doc.url,
        outlet=doc.outlet,
        byline=doc.byline,
        published_at=doc.published_at,
        language=doc.language,
        removed=removed,
        source_id=doc.source_id,
        date_source=doc.date_source,
    )


def _split_lines(raw: str) -> list[_Line]:
    lines: list[_Line] = []
    offset = 0
    for piece in raw.split("\n"):
        stripped = piece.strip()
        start = offset + (piece.index(stripped) if stripped else 0)
        lines.append(_Line(start=start, end=start + len(stripped), text=stripped))
        offset += len(piece) + 1
    return lines


def _classify(lines: list[_Line], *, repeated: frozenset[str],
              config: CleanConfig) -> list[str | None]:
    """Kind of each line: standalone rules, then captions, repeated lines, the final trailer."""
    kinds: list[str | None] = [line_kind(line.text, config=config) for line in lines]
    for i, line in enumerate(lines):
        if kinds[i] is None and i + 1 < len(lines) and kinds[i + 1] == "photo_credit" \
                and (i == 0 or lines[i - 1].blank) and _is_caption(line.text, config):
            kinds[i] = "caption"
    for i, line in enumerate(lines):
        if kinds[i] is None and not line.blank and line_key(line.text) in repeated \
                and len(line.text) <= config.max_line_chars_for_boilerplate:
            kinds[i] = "repeated"
    last = next((i for i in range(len(lines) - 1, -1, -1)
                 if not lines[i].blank and kinds[i] is None), None)
    if last is not None and _is_source_trailer(lines[last].text, config):
        kinds[last] = "source_trailer"
    return kinds


def _is_caption(text: str, config: CleanConfig) -> bool:
    """A short, title-like line: few words and no sentence-final punctuation."""
    words = text.split()
    return 0 < len(words) <= config.caption_max_words and text[-1] not in ".!?:;,\"”'’"


def _is_source_trailer(text: str, config: CleanConfig) -> bool:
    match = _SOURCE_TRAILER.match(" ".join(text.split()))
    if match is None:
        return False
    tail = match.group("tail") or match.group("where") or ""
    return len(tail.split()) <= config.trailer_max_words


def _file_line(doc: RawDocument, offset: int) -> int | None:
    if doc.body_line <= 0:
        return None
    return doc.body_line + doc.text.count("\n", 0, offset)


def _join_kept(lines: list[_Line], kinds: list[str | None]) -> str:
    """Clean text: kept lines with spacing collapsed, in Unicode NFC; a cut is a paragraph break.

    NFC matters for comparison: copies of one article often differ only in how accents are
    encoded ("u" + combining diaeresis vs "ü").
    """
    out = ["" if kind is not None else _SPACES.sub(" ", line.text)
           for line, kind in zip(lines, kinds, strict=True)]
    return unicodedata.normalize("NFC", _BLANKS.sub("\n\n", "\n".join(out)).strip())
