"""Framing per article of one story: what the headline and lead put first, genre, tone, sourcing.

For each article of a story, `frame_story` reports

- **headline focus**: the entity of the article's analysis named earliest in the title (ties go
  to the longer name; demonyms such as "Israeli" only when no other entity is named), and a
  short **headline event**: the headline's main clause, minus the focus when the clause opens
  with it ("Port Elsin dockers walk out for fourth time" -> "dockers walk out for fourth time");
- **lead focus**: the entity mentioned first in the lead (the first sentences, up to about 60
  words, after a dateline such as "PORT ELSIN, March 2 (MPA) –");
- **lead angle**: the lead's content words that the other leads of the story, in the same
  language, use least (TF-IDF over the story's leads; dates the analysis found are left out),
  so two reports of one event show what each puts up front ("cranes", "silent" vs "talks",
  "collapse");
- **genre** as the analysis classified it, and the **sourcing mix** from its quotes;
- **tone**: the VADER compound score averaged over the article's sentences.

Limits of the tone score. VADER (Hutto & Gilbert 2014) is a lexicon with rules built for short
English social-media posts. It knows no other language, so articles whose analysis language is
not English get no score (`tone` None, label "n/a"); run on Spanish it reacts to look-alike
tokens only (the auxiliary "ha" scores as laughter, "no" as a negative word). On news prose
many sentences contain no word of its lexicon and score exactly 0, so article means sit close to
neutral and the label rests on a handful of charged words, many of them the event's own
vocabulary ("strike", "attack", "emergency", "killed") rather than the writer's stance: a
neutral wire report of a deadly attack scores negative. Quoted speech counts like the writer's
own words. Sarcasm is invisible, and negation is read from the three words before a lexicon
word only ("did not deny" scores positive). The score compares the wording of articles on one
story; it does not measure bias.

Tone cut-offs. VADER's own convention (compound >= 0.05 positive, <= -0.05 negative) is for
one text. Averaged over the sentences of a news article, where many sentences score 0 and
charged ones partly cancel, a mean of 0.05 is one strongly charged sentence (compound 1) in
twenty: a single emotive quote would label the article. The defaults ask for twice that
(|mean| >= 0.1), i.e. on balance one sentence in five at a clear 0.5, which a report dwelling
on harm or success reaches and a dry account of the same event does not. The cut-offs are
`FramingConfig` fields; the numeric `tone` is always reported beside the label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from .analyze.sourcing import sourcing_profile
from .models import Analysis, Article, Entity, Framing
from .terms import DocumentFrequencies, content_terms, stop_words

TONE_LIMITS = (
    "Tone is VADER's compound score (an English social-media lexicon) averaged over sentences: "
    "news prose scores near neutral, event words such as 'strike' or 'killed' count as the "
    "writer's tone, quotes count as the writer's, sarcasm and negation beyond three words are "
    "missed, and non-English articles get no score."
)


class Sentiment(Protocol):
    """Anything with VADER's interface: `polarity_scores(text)` returns a dict with "compound"."""

    def polarity_scores(self, text: str) -> Mapping[str, float]: ...


@dataclass(frozen=True, slots=True)
class FramingConfig:
    lead_words: int = 60  # the lead: whole sentences until this many words are reached
    angle_terms: int = 5  # content terms reported per lead
    event_max_words: int = 8  # longest headline event phrase
    event_min_words: int = 2  # a headline clause shorter than this ("Opinion") is not the event
    tone_negative_below: float = -0.1  # mean sentence compound at or below: "negative"
    tone_positive_above: float = 0.1  # mean sentence compound at or above: "positive"
    tone_languages: tuple[str, ...] = ("en",)  # languages the sentiment lexicon covers
    focus_labels: frozenset[str] = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT", "NORP"})
    # Labels that name a group by origin ("Israeli"): they lead only when nothing else is named.
    modifier_labels: frozenset[str] = frozenset({"NORP"})
    min_mention_chars: int = 2  # shorter surface forms are not matched in titles
    dateline_max_chars: int = 80  # a dateline ("PORT ELSIN, March 2 (MPA) –") ends before this
    # English words that start a second clause in headlines ("... as talks collapse").
    clause_words: tuple[str, ...] = ("as", "after", "amid", "while", "despite", "before",
                                     "following", "when", "but")


@cache
def default_sentiment() -> Sentiment:
    """VADER's analyzer, built once (its lexicon ships inside the vaderSentiment wheel)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer: Sentiment = SentimentIntensityAnalyzer()
    return analyzer


def _lang(language: str | None) -> str:
    return (language or "").lower().split("-")[0]


# "PORT ELSIN, March 2 (MPA) – ", "LINDMARK (Reuters) - ", "(MPA) — "
_DATELINE = re.compile(
    r"\s*(?:[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’. /-]*[A-ZÀ-ÖØ-Þ.](?:\s*,[^\n–—]{1,40}?)?)?"
    r"(?:\s*\([^)\n]{1,30}\))?\s*(?:[–—]|--?)\s+"
)


def _lead_start(article: Article, config: FramingConfig) -> int:
    """Offset where the lead's own words begin: after a repeated title and a dateline."""
    text, pos = article.text, 0
    title = article.title.strip()
    stripped = text.lstrip()
    if title and stripped.startswith(title):
        pos = len(text) - len(stripped) + len(title)
    m = _DATELINE.match(text, pos)
    if m and m.group().strip(" –—-") and m.end() - pos <= config.dateline_max_chars:
        pos = m.end()
    return pos


def _lead(article: Article, analysis: Analysis, config: FramingConfig) -> tuple[int, int]:
    """(start, end) of the lead: whole sentences from the lead start up to `lead_words` words."""
    start = _lead_start(article, config)
    end, words = start, 0
    for s in analysis.sentences:
        if s.end <= start:
            continue
        end = s.end
        words += len(article.text[max(s.start, start):s.end].split())
        if words >= config.lead_words:
            break
    if end == start:  # no sentence spans: the first lead_words words of the text
        tokens = list(re.finditer(r"\S+", article.text[start:]))[:config.lead_words]
        end = start + tokens[-1].end() if tokens else start
    return start, end


def _lead_text(article: Article, analysis: Analysis, start: int, end: int) -> str:
    """The lead with its dates ("on Wednesday", "in March") blanked: a date is not an angle."""
    chars = list(article.text[start:end])
    for claim in analysis.claims:
        for slot in claim.slots:
            if slot.kind == "date" and slot.start < end and slot.end > start:
                for k in range(max(slot.start, start), min(slot.end, end)):
                    chars[k - start] = " "
    return "".join(chars)


def _rank(entity: Entity, pos: int, length: int, config: FramingConfig) -> tuple[bool, int, int]:
    return entity.label in config.modifier_labels, pos, -length


def _surface_forms(entity: Entity, config: FramingConfig) -> list[str]:
    forms = {entity.name, *(m.text for m in entity.mentions)}
    return sorted((f.strip() for f in forms if len(f.strip()) >= config.min_mention_chars),
                  key=len, reverse=True)


def _title_hits(title: str, analysis: Analysis,
                config: FramingConfig) -> list[tuple[tuple[bool, int, int], Entity, re.Match[str]]]:
    """Every entity named in the title, best focus first (case-blind only for all-caps titles)."""
    flags = re.IGNORECASE if title.isupper() else 0
    hits = []
    for e in analysis.entities:
        if e.label not in config.focus_labels:
            continue
        for form in _surface_forms(e, config):
            for m in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", title, flags):
                hits.append((_rank(e, m.start(), len(form), config), e, m))
    return sorted(hits, key=lambda h: h[0])


def _lead_focus(analysis: Analysis, start: int, end: int, config: FramingConfig) -> str | None:
    """The entity with the first mention inside the lead."""
    best: tuple[tuple[bool, int, int], str] | None = None
    for e in analysis.entities:
        if e.label not in config.focus_labels:
            continue
        for m in e.mentions:
            if start <= m.start and m.end <= end:
                rank = _rank(e, m.start, m.end - m.start, config)
                if best is None or rank < best[0]:
                    best = (rank, e.name)
    return best[1] if best else None


_QUOTED = re.compile(r"\s*[\"“”‘’'«»].*[\"“”‘’'«»]\s*")


def _clauses(title: str, language: str, config: FramingConfig) -> list[tuple[int, int]]:
    """(start, end) of the headline's clauses: split at dashes, colons, bars and semicolons
    and, in English, at clause words that do not open the headline. Commas stay: headlines
    use them for "and" ("Valmora, Kestria seal deal")."""
    seps = r"\s[–—-]+\s|:\s|;\s|\s\|\s"
    if language == "en" and config.clause_words:
        seps += r"|(?<=\s)(?:" + "|".join(map(re.escape, config.clause_words)) + r")(?=\s)"
    out, pos = [], 0
    for m in re.finditer(seps, title, re.IGNORECASE):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(title)))
    return [(s, e) for s, e in out if title[s:e].strip()]


_EDGE_PUNCT = ".,;:!?()[]\"“”‘’«»'"


def _headline_event(title: str, focus: re.Match[str] | None, names: Sequence[tuple[int, int]],
                    language: str, config: FramingConfig) -> str | None:
    """The headline's main clause: the first that is not a label ("Opinion", "Scoop") or a
    quotation, without the focus when it opens the clause, lower-cased and cut to a few words
    (never inside a name: `names` are the title's entity spans)."""
    clauses = _clauses(title, language, config)
    if not clauses:
        return None
    main = next((c for c in clauses
                 if len(title[c[0]:c[1]].split()) >= config.event_min_words
                 and not _QUOTED.fullmatch(title[c[0]:c[1]])),
                max(clauses, key=lambda c: len(title[c[0]:c[1]].split())))
    start, end = main
    if focus and start <= focus.start() < end and not title[start:focus.start()].strip():
        possessive = re.match(r"['’]s?", title[focus.end():])
        start = focus.end() + (possessive.end() if possessive else 0)
    words = [(m.start() + start, m.group().lower().strip(_EDGE_PUNCT))
             for m in re.finditer(r"\S+", title[start:end])]
    words = [w for w in words if w[1]]
    stop = stop_words(language or None)
    while words and words[0][1] in stop:
        words.pop(0)
    if len(words) > config.event_max_words:
        cut = words[config.event_max_words][0]  # first word left out
        split = [s for s, e in names if s < cut < e]
        words = [w for w in words[:config.event_max_words] if not split or w[0] < min(split)]
    while words and words[-1][1] in stop:
        words.pop()
    return " ".join(w for _, w in words) or None


def _lead_angles(leads: Mapping[str, str], languages: Mapping[str, str],
                 config: FramingConfig) -> dict[str, tuple[str, ...]]:
    """Per article, the lead terms with the highest IDF over the same-language leads of the
    story, earliest first on ties; terms every lead has are never an angle."""
    terms = {i: content_terms(leads[i], languages[i] or None) for i in leads}
    df: dict[str, DocumentFrequencies] = {}
    for i in leads:
        df.setdefault(languages[i], DocumentFrequencies()).add(terms[i])
    out: dict[str, tuple[str, ...]] = {}
    for i, lead in leads.items():
        freq = df[languages[i]]
        low = lead.lower()
        scored = []
        for t in terms[i]:
            if freq.df[t] >= freq.docs:
                continue
            at = _whole_word_at(low, t)
            scored.append((-freq.idf(t), at if at >= 0 else len(low), t))
        out[i] = tuple(t for *_, t in sorted(scored)[:config.angle_terms])
    return out


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"  # what `\w` matches in a str pattern


def _whole_word_at(text: str, term: str) -> int:
    """First whole-word offset of `term` in `text` (as ``(?<!\\w)term(?!\\w)`` finds it), or -1.

    By hand with `str.find`: a pattern per term meant a regex compile per term of every lead,
    thousands per big story, beyond what the `re` cache holds.
    """
    at = text.find(term)
    while at >= 0:
        end = at + len(term)
        if (at == 0 or not _is_word_char(text[at - 1])) and (end == len(text) or not _is_word_char(text[end])):
            return at
        at = text.find(term, at + 1)
    return -1


def _tone(texts: Sequence[str], sentiment: Sentiment) -> float | None:
    scores = [float(sentiment.polarity_scores(t)["compound"]) for t in texts if t.strip()]
    return sum(scores) / len(scores) if scores else None


def tone_label(tone: float | None, config: FramingConfig = FramingConfig()) -> str:
    """Label a mean compound score by the config's cut-offs; "n/a" without a score."""
    if tone is None:
        return "n/a"
    if tone <= config.tone_negative_below:
        return "negative"
    if tone >= config.tone_positive_above:
        return "positive"
    return "neutral"


def _sourcing(analysis: Analysis) -> dict[str, int]:
    """The integer counts of `sourcing_profile`, with "quotes" named "total"."""
    p = sourcing_profile(analysis)
    keys = ("named", "anonymous", "unattributed", "direct", "indirect", "named_speakers")
    return {"total": int(p["quotes"]), **{k: int(p[k]) for k in keys}}


def frame_story(
    articles: Mapping[str, Article],
    analyses: Mapping[str, Analysis],
    *,
    config: FramingConfig = FramingConfig(),
    sentiment: Sentiment | None = None,
) -> tuple[Framing, ...]:
    """Frame every article of one story, in the order of `articles`.

    Args:
        articles: The story's articles by id.
        analyses: Their analyses by article id (entities, sentences, quotes, genre, language).
        config: Cut-offs and sizes.
        sentiment: An object with VADER's `polarity_scores`; VADER's own analyzer when None.

    Returns:
        One `Framing` per article; `dataclasses.asdict` turns each into plain data.

    Raises:
        ValueError: An article has no analysis.

    Example:
        >>> framings = frame_story(arts, analyses)  # doctest: +SKIP
        >>> print(framing_table(framings))  # doctest: +SKIP
    """
    missing = [i for i in articles if i not in analyses]
    if missing:
        raise ValueError(f"no analysis for article(s) {', '.join(missing)}; analyse them first")
    langs = {i: _lang(analyses[i].language or articles[i].language) for i in articles}
    spans = {i: _lead(articles[i], analyses[i], config) for i in articles}
    leads = {i: _lead_text(articles[i], analyses[i], *spans[i]) for i in articles}
    angles = _lead_angles(leads, langs, config)
    out = []
    for i, art in articles.items():
        an = analyses[i]
        hits = _title_hits(art.title, an, config)
        focus = hits[0] if hits else None
        tone = None
        if langs[i] in config.tone_languages:
            sents = [s.text for s in an.sentences] or [art.text]
            tone = _tone(sents, sentiment or default_sentiment())
            tone = round(tone, 3) if tone is not None else None  # label what is reported
        out.append(Framing(
            article=i,
            headline_focus=focus[1].name if focus else None,
            headline_event=_headline_event(art.title, focus[2] if focus else None,
                                           [h[2].span() for h in hits], langs[i], config),
            lead_focus=_lead_focus(an, *spans[i], config),
            lead_angle=angles[i],
            genre=an.genre,
            tone=tone,
            tone_label=tone_label(tone, config),
            sourcing=_sourcing(an),
        ))
    return tuple(out)


def framing_table(framings: Iterable[Framing], *, names: Mapping[str, str] | None = None) -> str:
    """A compact Markdown table of framings, one row per article.

    Args:
        framings: Output of `frame_story`.
        names: Row label per article id (an outlet name); the id when missing.
    """
    def cell(x: object) -> str:
        return str(x if x not in (None, "", ()) else "–").replace("|", "\\|")

    header = ("article", "genre", "headline focus", "headline event", "lead focus", "lead angle",
              "tone", "quotes named/anon/other", "direct/indirect")
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for f in framings:
        s = f.sourcing
        tone = f"{f.tone:+.2f} {f.tone_label}" if f.tone is not None else f.tone_label
        rows.append("| " + " | ".join(map(cell, (
            (names or {}).get(f.article, f.article), f.genre, f.headline_focus, f.headline_event,
            f.lead_focus, ", ".join(f.lead_angle), tone,
            f"{s['named']}/{s['anonymous']}/{s['unattributed']}",
            f"{s['direct']}/{s['indirect']}"))) + " |")
    return "\n".join(rows)


__all__ = ["TONE_LIMITS", "Framing", "FramingConfig", "Sentiment", "default_sentiment",
           "frame_story", "framing_table", "tone_label"]
