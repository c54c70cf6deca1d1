"""Who was first in a related pair: publication times, then textual evidence of copying."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timezone
from functools import lru_cache

from ..models import COPY_KINDS, AlignedSpan, Analysis, Article, Direction
from .config import RelateConfig

_CREDIT = re.compile(
    r"(?im)(first (?:appeared|published) (?:in|on|at|by)\b[^\n]{0,60}"
    r"|originally (?:published|appeared|posted) (?:in|on|at|by)\b[^\n]{0,60}"
    r"|(?:re)?published (?:here )?with (?:the )?permission\b[^\n]{0,60}"
    r"|(?:republished|reprinted|reproduced) from\b[^\n]{0,60}"
    r"|^\s*(?:source|via|courtesy of|original(?: article)?)\s*:[^\n]{0,60})"
)
# What a copier's page carries and an original's does not: syndication notes, and pointers to
# the full story elsewhere (an excerpt). Plain "Read more:" link lists are not here: originals
# carry them too.
_SYNDICATION = re.compile(
    r"(?i)(auto-?generated from an? (?:syndicated|agency|wire) feed[^\n]{0,40}"
    r"|has not been edited by [^\n]{0,40}?staff"
    r"|only the (?:headline|image)s? (?:of this (?:report|story) )?may have been reworked[^\n]{0,40}"
    r"|(?:this (?:story|article|report) (?:was|is|has been) )(?:provided|supplied|distributed) by\b[^\n]{0,50}"
    r"|read the (?:full|whole|original|rest of the) (?:story|article|report)\b[^\n]{0,40}"
    r"|continue reading (?:at|on)\b[^\n]{0,40}"
    r"|click here to read the (?:full|whole|original|rest of the) (?:story|article)[^\n]{0,40})"
)
_TOLD_ME = re.compile(r"\btold (?:me|us)\b", re.IGNORECASE)
_TOLD_OUTLET = re.compile(r"\btold (?:the )?(?!me\b|us\b)[A-Z][\w'&-]*(?: [A-Z][\w'&-]*)*")


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=timezone.utc)


def _day_only(t: datetime) -> bool:
    return t.hour == 0 and t.minute == 0 and t.second == 0 and t.microsecond == 0


def _copier_mark(article: Article) -> str | None:
    """A credit line or syndication note in the text or in the boilerplate cleaning removed
    (credit lines are usually trailers, which cleaning cuts from the text)."""
    for text in (article.text, *(r.text for r in article.removed)):
        mark = _mark_in(text)
        if mark:
            return mark
    return None


@lru_cache(maxsize=4096)
def _mark_in(text: str) -> str | None:
    # cached: an article takes part in many pairs, and both patterns scan its whole text
    m = _CREDIT.search(text) or _SYNDICATION.search(text)
    return " ".join(m.group(0).split()) if m else None


def _contained(alignment: Sequence[AlignedSpan], cov_a: float, cov_b: float,
               cfg: RelateConfig) -> str | None:
    """A reason when one text is (nearly) contained in the other. It is not used to decide:
    copies cut (the subset is the copy) and add paragraphs (the superset is), about equally."""
    if not alignment:
        return None
    if cov_a >= cfg.contained_coverage > cov_b:
        return f"A's text is contained in B ({cov_a:.0%} of A aligned, {cov_b:.0%} of B)"
    if cov_b >= cfg.contained_coverage > cov_a:
        return f"B's text is contained in A ({cov_b:.0%} of B aligned, {cov_a:.0%} of A)"
    return None


def _by_dates(a: Article, b: Article) -> tuple[Direction, str] | None:
    if a.published_at is None or b.published_at is None:
        return None
    ta, tb = _aware(a.published_at), _aware(b.published_at)
    if ta == tb:
        return None
    if (_day_only(ta) or _day_only(tb)) and ta.date() == tb.date():
        return None  # a date without a time of day cannot order two articles of that day
    fa, fb = a.date_source == "fetch", b.date_source == "fetch"
    if fa or fb:
        return _by_fetch_time(ta, tb, fa, fb)
    first, when = ("a_first", "A") if ta < tb else ("b_first", "B")
    return first, (f"{when} published first ({min(ta, tb).isoformat()} vs "
                   f"{max(ta, tb).isoformat()})")


def _by_fetch_time(ta: datetime, tb: datetime, fa: bool, fb: bool) -> tuple[Direction, str] | None:
    """Dates of which one or both are fetch times (a crawl's WARC-Date, `Article.date_source`).

    A fetch time bounds publication only from above: the page existed by then, perhaps long
    before. So the fetched side is certainly first only when it was fetched before the other
    side was published; the published side is never certainly first, and two fetch times order
    nothing (crawls reach pages in no particular order).
    """
    if fa and fb:
        return None
    (tf, tp), (f, p) = ((ta, tb), ("A", "B")) if fa else ((tb, ta), ("B", "A"))
    if tf >= tp:
        return None
    return ("a_first" if fa else "b_first"), (
        f"{f} was fetched by {tf.isoformat()} and {p} published {tp.isoformat()}, so {f} came first")


def _dates_unused(a: Article, b: Article) -> str:
    """Why the dates did not decide, for the "direction unknown" reason."""
    dated = [(n, x.date_source == "fetch", _aware(x.published_at))
             for n, x in (("A", a), ("B", b)) if x.published_at is not None]
    if not any(fetched for _, fetched, _ in dated):
        return "no dates"
    said = ", ".join(f"{n} {'fetched by' if fetched else 'published'} {t.isoformat()}"
                     for n, fetched, t in dated)
    return f"no dates that order the two ({said}; a fetch time only bounds publication from above)"


def _by_attribution(
    a: Article, b: Article, alignment: Sequence[AlignedSpan]
) -> tuple[Direction, str] | None:
    """An outlet attribution ("told Axios") rewritten as first person ("told me") marks the copy."""
    for s in alignment:
        ta, tb = a.text[s.a_start:s.a_end], b.text[s.b_start:s.b_end]
        ma, mb = _TOLD_OUTLET.search(ta), _TOLD_OUTLET.search(tb)
        if _TOLD_ME.search(ta) and mb and not _TOLD_ME.search(tb):
            return "b_first", f"attribution rewritten: B has '{mb.group(0)}', A has 'told me'"
        if _TOLD_ME.search(tb) and ma and not _TOLD_ME.search(ta):
            return "a_first", f"attribution rewritten: A has '{ma.group(0)}', B has 'told me'"
    return None


def infer_direction(
    a: Article, b: Article, an_a: Analysis, an_b: Analysis, relation_kind: str,
    alignment: Sequence[AlignedSpan], *, config: RelateConfig | None = None,
    coverage: tuple[float, float] | None = None,
) -> tuple[Direction, str]:
    """Which of two related articles came first, and why.

    Evidence, strongest first: publication times (when both are known and differ; a fetch
    time, `Article.date_source` "fetch", only bounds its side's publication from above, so it
    decides only when it is earlier than the other side's publication time); for copy
    kinds, a credit line or syndication note on one side only ("This article first appeared in
    ...", "Source: ...", "auto-generated from a syndicated feed", "Read the full story at ..."),
    found in the text or in the boilerplate cleaning removed; an attribution rewritten as first
    person in aligned passages ("told <Outlet>" vs "told me": the "told me" side is the copy); a
    clearly higher machine-translation signal (the copy). Containment of one text in the other
    (from `coverage`, the aligned share of each side) is reported but never decides: cuts and
    additions both happen.

    Returns:
        (`"a_first"` | `"b_first"` | `"unknown"`, reason); the reason is "" when there is nothing
        to say.
    """
    cfg = config or RelateConfig()
    dated = _by_dates(a, b)
    if dated is not None:
        return dated
    if relation_kind not in COPY_KINDS:
        return "unknown", ""
    ca, cb = _copier_mark(a), _copier_mark(b)
    if ca and not cb:
        return "b_first", f"A carries a credit line or syndication note ('{ca}')"
    if cb and not ca:
        return "a_first", f"B carries a credit line or syndication note ('{cb}')"
    attributed = _by_attribution(a, b, alignment)
    if attributed is not None:
        return attributed
    gap = an_a.signals.machine_translation - an_b.signals.machine_translation
    if abs(gap) >= cfg.mt_signal_gap:
        first: Direction = "b_first" if gap > 0 else "a_first"
        copy = "A" if gap > 0 else "B"
        return first, f"{copy} shows stronger machine-translation signals ({abs(gap):.2f} higher)"
    contained = _contained(alignment, *coverage, cfg) if coverage else None
    why = f"direction unknown: {_dates_unused(a, b)} and no clear textual evidence"
    return "unknown", f"{why} ({contained}, which a cut or an addition both explain)" if contained else why
