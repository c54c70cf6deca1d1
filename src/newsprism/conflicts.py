"""Conflicting details between two reporting lines, found slot by slot and classed.

Two sentences that report the same thing can disagree in three ways a fact-checker treats
differently (the `Conflict.kind`):

- ``contradiction``: the same quantity, date, list of participants or title, different values;
- ``different_scope``: the values count or name different things ("third visit to Israel in
  just over a year" vs "third visit to the region this year": other place, other period), so
  both can be true;
- ``vagueness``: one side is precise and the other vague but compatible ("Qatar, Afghanistan
  and the UAE" vs "several Arab capitals"; "1,200 workers" vs "hundreds of workers").

The scope and vagueness cues are generic English patterns (time frames, places after a count,
vague quantifiers and place nouns), not tied to any article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .analyze._lexicon import DEPARTMENT_WORDS
from .models import Analysis, Conflict, ConflictValue, Span
from .slots import Quantity, _key

# -- scope of a count ------------------------------------------------------------------------
_FRAME_RE = re.compile(
    r"\b(?:(?:in|within|over|during)\s+(?:the\s+)?(?:past\s+|last\s+|first\s+)?"
    r"(?:just\s+|little\s+|nearly\s+|almost\s+|about\s+|more\s+than\s+|less\s+than\s+|over\s+|under\s+)*"
    r"(?:a|an|one|two|three|four|five|six|ten|\d+)?\s*(?:years?|months?|weeks?|decades?|days?)"
    r"|(?:this|last|next)\s+(?:year|month|week|season|decade|spring|summer|autumn|fall|winter)"
    r"|since\s+(?:\d{4}|last\s+\w+|January|February|March|April|May|June|July|August|September"
    r"|October|November|December))\b",
    re.IGNORECASE,
)
_HEDGES = re.compile(r"\b(?:just|little|nearly|almost|about|more than|less than|over|under|the|past)\s+",
                     re.IGNORECASE)
_PLACE_AFTER_RE = re.compile(
    r"^\W*(?:\w+\s+){0,2}?(?:to|in|at|of)\s+(?P<place>(?:the\s+)?[A-Z][\w-]+(?:\s+[A-Z][\w-]+)*"
    r"|the\s+(?!past\b|last\b|first\b)[a-z]+)")
# how far after an ordinal its scope may be stated (characters)
_SCOPE_WINDOW = 60


@dataclass(frozen=True, slots=True)
class Scope:
    """What a count covers: the period and the place, each as written (normalised), if stated."""

    frame: str | None
    place: str | None

    def differs(self, other: Scope) -> bool:
        return bool((self.frame and other.frame and self.frame != other.frame)
                    or (self.place and other.place and self.place != other.place))


def _norm_frame(text: str) -> str:
    t = _HEDGES.sub("", text.lower())
    return re.sub(r"\b(?:a|an)\b", "one", re.sub(r"\s+", " ", t)).strip()


def count_scope(sentence: str, q: Quantity, places_before: Sequence[str] = ()) -> Scope:
    """The period and place a count in `sentence` covers: the time frame stated right after it
    ("in just over a year", "this year") and the place after its noun ("to the region") or,
    failing that, the last place named before it ("visit Israel for the third time")."""
    after = sentence[q.end:q.end + _SCOPE_WINDOW]
    frame = _FRAME_RE.search(after)
    place = None
    m = _PLACE_AFTER_RE.match(after)
    if m and not _FRAME_RE.match(m.group("place")):
        place = m.group("place")
    elif places_before:
        place = places_before[-1]
    return Scope(_norm_frame(frame.group(0)) if frame else None,
                 re.sub(r"^the\s+", "", place.lower()) if place else None)


# -- vague quantities and places ---------------------------------------------------------------
#: vague quantifier -> range of values it is compatible with
_VAGUE_AMOUNTS: dict[str, tuple[float, float]] = {
    "a couple of": (2, 3), "a few": (2, 6), "a handful of": (2, 8), "several": (3, 12),
    "dozens of": (24, 199), "scores of": (40, 199), "hundreds of": (200, 1999),
    "several hundred": (200, 999), "thousands of": (2000, 19999), "several thousand": (2000, 9999),
    "tens of thousands of": (20000, 199999), "hundreds of thousands of": (200000, 1999999),
    "millions of": (2e6, 2e7),
    # the same in Spanish and German, for reports in those languages
    "decenas de": (24, 199), "cientos de": (200, 1999), "miles de": (2000, 19999),
    "varios": (3, 12), "varias": (3, 12), "unos pocos": (2, 6), "unas pocas": (2, 6),
    "dutzende": (24, 199), "hunderte": (200, 1999), "tausende": (2000, 19999), "mehrere": (3, 12),
}
_VAGUE_SLACK = 2.0  # a figure this far outside a vague range is a contradiction, beyond it another count
#: vague shares of a whole, compared with percentages
_VAGUE_SHARES: dict[str, tuple[float, float]] = {
    "most of": (50, 100), "the majority of": (50, 100), "a majority of": (50, 100),
    "almost all": (85, 100), "nearly all": (85, 100), "about half": (40, 60), "roughly half": (40, 60),
    "la mayoría de": (50, 100), "la mayor parte de": (50, 100), "una parte mayoritaria de": (50, 100),
    "casi todo": (85, 100), "die mehrheit": (50, 100), "den großteil": (50, 100),
    "der großteil": (50, 100), "den größten teil": (50, 100), "fast alle": (85, 100),
}
_VAGUE_SHARE_RE = re.compile(
    r"\b(?:" + "|".join(sorted((re.escape(k) for k in _VAGUE_SHARES), key=len, reverse=True)) + r")\b",
    re.IGNORECASE)
_VAGUE_RE = re.compile(
    r"(?<!\w)(?P<q>" + "|".join(sorted((re.escape(k) for k in _VAGUE_AMOUNTS), key=len, reverse=True))
    + r")\s+(?P<w1>[a-z][\w-]{2,})(?:\s+(?P<w2>[a-z][\w-]{2,}))?", re.IGNORECASE)
_PLACE_NOUNS = ("capitals|countries|cities|states|nations|towns|villages|regions|provinces|ports"
                "|islands|districts|municipalities|locations|sites|destinations|stops")
_VAGUE_PLACE_RE = re.compile(
    r"\b(?:several|various|a number of|some|many|other|a few|multiple|numerous|neighbouring"
    r"|neighboring|nearby|unnamed|unspecified)\s+(?:[A-Za-z-]+\s+)?(?:" + _PLACE_NOUNS + r")\b",
    re.IGNORECASE)
_MEETING_RE = re.compile(r"\b(?:met|meets|meet|meeting|talks with|held talks|spoke with|hosted|received"
                         r"|sat down with|conferred with)\b", re.IGNORECASE)
_MONTHS = ("jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
           "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
_ABSOLUTE_DAY = re.compile(rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b|(?:{_MONTHS})\.?\s+\d{{1,2}}\b"
                           r"|\d{4}-\d{2}-\d{2})", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(?:\d{4}|X{4})(?:-\d{2}(?:-\d{2})?)?$")


@dataclass(frozen=True, slots=True)
class Vague:
    key: str
    low: float
    high: float
    start: int
    end: int
    text: str


def vague_quantities(text: str) -> list[Vague]:
    """Vague amounts with the key their noun is compared under ("hundreds of workers" → people)."""
    out = []
    for m in _VAGUE_RE.finditer(text):
        key, end = _key(None, None, m.group("w1")), m.end("w1")
        if key and key.startswith("count:") and m.group("w2"):  # "several northern ports"
            second = _key(None, None, m.group("w2"))
            if second and not second.startswith("count:"):
                key, end = second, m.end("w2")
        if key:
            low, high = _VAGUE_AMOUNTS[m.group("q").lower()]
            out.append(Vague(key, low, high, m.start(), end, text[m.start():end]))
    for m in _VAGUE_SHARE_RE.finditer(text):
        low, high = _VAGUE_SHARES[m.group(0).lower()]
        tail = re.match(r"\s+(?:the\s+|la\s+|del?\s+)?[\w'’-]+(?:\s+[\w'’-]+)?", text[m.end():])
        end = m.end() + (tail.end() if tail else 0)
        out.append(Vague("percent", low, high, m.start(), end, text[m.start():end]))
    return out


def _value(text: str, article: str, base: int, start: int, end: int) -> ConflictValue:
    return ConflictValue(text, article, base + start, base + end)


# -- numbers -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class NumberRules:
    """How close two sentences must be for their numbers to count as the same detail."""

    similarity: float  # head counts, event counts, areas, tallies
    similarity_measure: float  # money, durations
    similarity_strict: float  # percentages and other counted nouns
    max_ratio: float  # values further apart than this are not the same count

    def needed(self, key: str) -> float:
        if key in ("people", "count:event", "ordinal:event", "tally") or key.startswith("area"):
            return self.similarity
        if key.split(":")[0] in ("money", "duration"):
            return self.similarity_measure
        return self.similarity_strict


def number_conflicts(sa: Span, sb: Span, qa: Sequence[Quantity], qb: Sequence[Quantity],
                     stated_a: dict[str, set[float]], stated_b: dict[str, set[float]],
                     a_id: str, b_id: str, sim: float, rules: NumberRules,
                     places_a: Sequence[tuple[int, str]] = (),
                     places_b: Sequence[tuple[int, str]] = ()) -> list[Conflict]:
    """Same kind of number, different values (and neither article ever states the other's), or
    the same ordinal over a different period or place. `places_*` are (offset in sentence, name)
    of the places each sentence names, for the scope of counts."""
    out = []
    for x in qa:
        for y in qb:
            if x.key != y.key or sim < rules.needed(x.key):
                continue
            ordinal = x.key.startswith("ordinal")
            sx = count_scope(sa.text, x, [p for o, p in places_a if o < x.start]) if ordinal else None
            sy = count_scope(sb.text, y, [p for o, p in places_b if o < y.start]) if ordinal else None
            scoped = sx is not None and sy is not None and sx.differs(sy)
            if x.value == y.value:
                # the same ordinal over two stated periods ("third ... in just over a year" /
                # "third ... this year"); "first" is a description, not a count
                if not (ordinal and x.value >= 2 and sx.frame and sy.frame and sx.frame != sy.frame):
                    continue
                reason = "same count, but of a different period or place"
            else:
                if x.value in stated_b.get(x.key, ()) or y.value in stated_a.get(y.key, ()):
                    continue
                lo, hi = sorted((x.value, y.value))
                if x.key != "tally" and (lo <= 0 or hi / lo > rules.max_ratio):
                    continue  # two counts this far apart are counts of different things
                reason = ("different counts over a different period or place" if scoped
                          else "different values for the same detail")
            out.append(Conflict(
                "ordinal" if ordinal else "number",
                (_value(_scoped_text(sa.text, x, sx), a_id, sa.start, x.start, x.end),
                 _value(_scoped_text(sb.text, y, sy), b_id, sb.start, y.start, y.end)),
                kind="different_scope" if scoped else "contradiction", reason=reason))
    return out


def _scoped_text(sentence: str, q: Quantity, scope: Scope | None) -> str:
    """The number as written, with its stated period when there is one ("third time in just
    over a year"), so both sides of a scope difference show what they count."""
    if scope is None or scope.frame is None:
        return q.text
    m = _FRAME_RE.search(sentence[q.end:q.end + _SCOPE_WINDOW])
    return sentence[q.start:q.end + m.end()] if m else q.text


def _counted(key: str) -> bool:
    return key == "people" or key.startswith("count:")


def vague_number_conflicts(sa: Span, sb: Span, qa: Sequence[Quantity], vb: Sequence[Vague],
                           a_id: str, b_id: str, same_fact: bool,
                           cross_language: bool = False) -> list[Conflict]:
    """A precise number on one side, a vague amount of the same thing on the other. Across
    languages counted nouns cannot be compared by spelling ("vessels" / "buques"), so within one
    fact any two counts of things may pair."""
    out = []
    if not same_fact:
        return out  # vague amounts are common; only within one fact are they the same count
    for x in qa:
        for v in vb:
            if x.key != v.key and not (cross_language and _counted(x.key) and _counted(v.key)):
                continue
            inside = v.low <= x.value <= v.high
            if not inside and not (v.low / _VAGUE_SLACK <= x.value <= v.high * _VAGUE_SLACK):
                continue  # too far from the vague range to be the same count
            out.append(Conflict(
                "number", (_value(x.text, a_id, sa.start, x.start, x.end),
                           _value(v.text, b_id, sb.start, v.start, v.end)),
                kind="vagueness" if inside else "contradiction",
                reason="a precise figure beside a vague one" if inside
                else "a vague amount that does not fit the precise figure"))
    return out


# -- places, dates, participants, titles --------------------------------------------------------
def _slots_in(an: Analysis, s: Span, kind: str) -> list[tuple[int, int, str, str]]:
    """(start, end, value, key) of the claim slots of one kind inside a sentence (article offsets)."""
    return [(sl.start, sl.end, sl.value, sl.key) for c in an.claims if c.start < s.end and s.start < c.end
            for sl in c.slots if sl.kind == kind and s.start <= sl.start and sl.end <= s.end]


def places_in(an: Analysis, s: Span) -> list[tuple[int, str]]:
    """(offset in the sentence, canonical name) of the places a sentence names."""
    return sorted({(st - s.start, v) for st, _, v, _ in _slots_in(an, s, "place")})


def place_conflicts(sa: Span, sb: Span, an_a: Analysis, an_b: Analysis,
                    a_id: str, b_id: str) -> list[Conflict]:
    """A list of named places on one side, "several capitals" on the other: vagueness."""
    out = []
    for (s1, an1, id1), (s2, an2, id2) in (((sa, an_a, a_id), (sb, an_b, b_id)),
                                           ((sb, an_b, b_id), (sa, an_a, a_id))):
        vague = _VAGUE_PLACE_RE.search(s2.text)
        if not vague:
            continue
        named_other = {v for _, _, v, _ in _slots_in(an2, s2, "place")}
        listed = [(st, en, v) for st, en, v, _ in _slots_in(an1, s1, "place") if v not in named_other]
        if len({v for _, _, v in listed}) < 2:
            continue
        start, end = min(st for st, _, _ in listed), max(en for _, en, _ in listed)
        out.append(Conflict("place", (
            ConflictValue(_text_at(s1, start, end), id1, start, end),
            _value(vague.group(0), id2, s2.start, vague.start(), vague.end())),
            kind="vagueness", reason="named places on one side, an unnamed group on the other"))
    return out


def _text_at(s: Span, start: int, end: int) -> str:
    return s.text[start - s.start:end - s.start]


def _date_prefix(a: str, b: str) -> bool:
    """One date is a coarser form of the other ("2026-03" and "2026-03-02")."""
    short, long_ = sorted((a, b), key=len)
    return all(x == y or x == "X" or y == "X" for x, y in zip(short, long_, strict=False))


def date_conflicts(sa: Span, sb: Span, an_a: Analysis, an_b: Analysis,
                   a_id: str, b_id: str) -> list[Conflict]:
    """Resolved dates of one event that differ (a coarser but compatible date is vagueness)."""
    da = [d for d in _slots_in(an_a, sa, "date") if _ISO_DATE.match(d[2])]
    db = [d for d in _slots_in(an_b, sb, "date") if _ISO_DATE.match(d[2])]
    if len(da) != 1 or len(db) != 1 or da[0][2] == db[0][2]:
        return []  # several dates in one sentence: which two belong together is not known
    (s1, e1, v1, _), (s2, e2, v2, _) = da[0], db[0]
    t1, t2 = _text_at(sa, s1, e1), _text_at(sb, s2, e2)
    # Only dates written out to the day on both sides: a weekday is resolved from the
    # publication date (which syndication often rewrites), and "July" beside "July 1" is a
    # coarser wording, not a disagreement worth a reader's time.
    if not (_ABSOLUTE_DAY.search(t1) and _ABSOLUTE_DAY.search(t2)) or _date_prefix(v1, v2):
        return []
    return [Conflict("date", (ConflictValue(t1, a_id, s1, e1), ConflictValue(t2, b_id, s2, e2)),
                     kind="contradiction", reason="different dates for the same event")]


def participant_conflicts(sa: Span, sb: Span, an_a: Analysis, an_b: Analysis,
                          a_id: str, b_id: str) -> list[Conflict]:
    """Who met whom: the people named in two reports of one meeting differ."""
    if not (_MEETING_RE.search(sa.text) and _MEETING_RE.search(sb.text)):
        return []
    pa = {v: (st, en) for st, en, v, key in _slots_in(an_a, sa, "participant") if key == "person"}
    pb = {v: (st, en) for st, en, v, key in _slots_in(an_b, sb, "participant") if key == "person"}
    only_a, only_b = sorted(pa.keys() - pb.keys()), sorted(pb.keys() - pa.keys())
    if not pa or not pb or not (only_a or only_b) or not (pa.keys() & pb.keys()):
        return []  # no one in common: not recognisably the same meeting
    if only_a and only_b:
        kind, reason = "contradiction", "different people named at the same meeting"
    else:
        kind, reason = "different_scope", "one report names more participants"

    def side(p: dict[str, tuple[int, int]], names: list[str], s: Span, aid: str) -> ConflictValue:
        if not names:
            return ConflictValue(", ".join(sorted(p)), aid, s.start, s.end)
        st, en = p[names[0]]
        return ConflictValue(", ".join(names), aid, st, en)

    return [Conflict("participant", (side(pa, only_a, sa, a_id), side(pb, only_b, sb, b_id)),
                     kind=kind, reason=reason)]


_ROLE_STOP = frozenset({"the", "for", "and", "a", "an", "s", "acting"})
_PAST_ROLE = re.compile(r"\b(?:former|ex|then|previous|previously|one-time|retired|late)\b", re.IGNORECASE)


def _role_parts(role: str) -> tuple[str, frozenset[str]] | None:
    """(head, modifiers) of a title: "Defense Minister" → (minister, {defense}); "Chief of Staff
    of the IDF" → (chief, {staff, idf}). None for past titles, which never conflict."""
    if _PAST_ROLE.search(role):
        return None
    words = [w for w in re.findall(r"[a-z]+", role.lower()) if w not in _ROLE_STOP]
    if not words:
        return None
    head = words[words.index("of") - 1] if "of" in words[1:] else words[-1]
    return head, frozenset(w for w in words if w not in (head, "of"))


def role_conflicts(reps: Sequence[str], analyses: dict[str, Analysis] | Sequence[Analysis],
                   ) -> list[Conflict]:
    """The same person given the same office of different departments by two lines ("Defense
    Minister" vs "Foreign Minister"). Other differences are usually two titles one person holds
    ("Chief of Staff" / "General") or one title written two ways ("IDF Chief of Staff" / "Chief
    of Staff of the Israeli Defense Forces"), so they are not reported."""
    roles = {r: {} for r in reps}
    ans = analyses if isinstance(analyses, dict) else {a.article_id: a for a in analyses}
    for r in reps:
        for role in ans[r].roles:
            roles[r].setdefault(role.person, []).append(role)
    out = []
    for i, a in enumerate(reps):
        for b in reps[i + 1:]:
            for person in sorted(roles[a].keys() & roles[b].keys()):
                pairs = [(x, y) for x in roles[a][person] for y in roles[b][person]]
                parts = [(x, y, _role_parts(x.role), _role_parts(y.role)) for x, y in pairs]
                # the office named by its department on both sides, different departments
                clash = [(x, y) for x, y, px, py in parts if px and py and px[0] == py[0]
                         and px[1] & DEPARTMENT_WORDS and py[1] & DEPARTMENT_WORDS
                         and not (px[1] & py[1] & DEPARTMENT_WORDS)]
                # a person may hold several titles; only the same office with other words,
                # and no title of one line matching one of the other's, is a disagreement
                agree = any(px and py and px[0] == py[0] and (px[1] & py[1] or not (px[1] and py[1]))
                            for _, _, px, py in parts)
                if clash and not agree:
                    x, y = clash[0]
                    out.append(Conflict("role", (
                        ConflictValue(f"{person}: {x.role}", a, x.start, x.end),
                        ConflictValue(f"{person}: {y.role}", b, y.start, y.end)),
                        kind="contradiction", reason="different titles for the same person"))
    return out
