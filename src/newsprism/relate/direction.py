"""Who was first in a related pair: publication times, then textual evidence of copying."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timezone

from ..models import COPY_KINDS, AlignedSpan, Analysis, Article, Direction
from .config import RelateConfig

_CREDIT = re.compile(
    r"(?im)(first (?:appeared|published) (?:in|on|at|by)\b[^\n]{0,60}"
    r"|originally (?:published|appeared|posted) (?:in|on|at|by)\b[^\n]{0,60}"
    r"|(?:re)?published (?:here )?with (?:the )?permission\b[^\n]{0,60}"
    r"|(?:republished|reprinted|reproduced) from\b[^\n]{0,60}"
    r"|^\s*(?:source|via|courtesy of)\s*:[^\n]{0,60})"
)
_TOLD_ME = re.compile(r"\btold (?:me|us)\b", re.IGNORECASE)
_TOLD_OUTLET = re.compile(r"\btold (?:the )?(?!me\b|us\b)[A-Z][\w'&-]*(?: [A-Z][\w'&-]*)*")


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=timezone.utc)


def _day_only(t: datetime) -> bool:
    return t.hour == 0 and t.minute == 0 and t.second == 0 and t.microsecond == 0


def _credit_line(text: str) -> str | None:
    m = _CREDIT.search(text)
    return m.group(0).strip() if m else None


def _by_dates(a: Article, b: Article) -> tuple[Direction, str] | None:
    if a.published_at is None or b.published_at is None:
        return None
    ta, tb = _aware(a.published_at), _aware(b.published_at)
    if ta == tb:
        return None
    if (_day_only(ta) or _day_only(tb)) and ta.date() == tb.date():
        return None  # a date without a time of day cannot order two articles of that day
    first, when = ("a_first", "A") if ta < tb else ("b_first", "B")
    return first, (f"{when} published first ({min(ta, tb).isoformat()} vs "
                   f"{max(ta, tb).isoformat()})")


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
) -> tuple[Direction, str]:
    """Which of two related articles came first, and why.

    Evidence, strongest first: publication times (when both are known and differ); for copy
    kinds, a credit line on one side only ("This article first appeared in ...", "Source: ...");
    an attribution rewritten as first person in aligned passages ("told <Outlet>" vs "told me":
    the "told me" side is the copy); a clearly higher machine-translation signal (the copy).
    Containment of one text in the other is not used: cuts and additions both happen.

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
    ca, cb = _credit_line(a.text), _credit_line(b.text)
    if ca and not cb:
        return "b_first", f"A carries a credit line ('{ca}')"
    if cb and not ca:
        return "a_first", f"B carries a credit line ('{cb}')"
    attributed = _by_attribution(a, b, alignment)
    if attributed is not None:
        return attributed
    gap = an_a.signals.machine_translation - an_b.signals.machine_translation
    if abs(gap) >= cfg.mt_signal_gap:
        first: Direction = "b_first" if gap > 0 else "a_first"
        copy = "A" if gap > 0 else "B"
        return first, f"{copy} shows stronger machine-translation signals ({abs(gap):.2f} higher)"
    return "unknown", "direction unknown: no dates and no clear textual evidence"
