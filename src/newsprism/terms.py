"""Content-word overlap between an article and a story, weighted by rarity (TF-IDF cosine).

Embeddings place two events with the same cast and topic close together (two strikes at one
port, two summits of one minister); the rare words an event brings (a place, a figure, a named
object) separate them. This is the lexical half of story assignment.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


@lru_cache(maxsize=64)
def stop_words(language: str | None) -> frozenset[str]:
    """spaCy's stop-word list for the language (no model needed); English when unknown."""
    import spacy

    lang = (language or "en").lower().split("-")[0]
    try:
        return frozenset(spacy.util.get_lang_class(lang).Defaults.stop_words)
    except Exception:  # noqa: BLE001 - spaCy raises ImportError/KeyError-like errors per language
        return frozenset()


def content_terms(text: str, language: str | None = None) -> frozenset[str]:
    """Lower-cased words of three letters or more that are not stop words."""
    stop = stop_words(language)
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in stop)


class DocumentFrequencies:
    """How many articles seen so far contain each term; the IDF of a term follows from it.

    Kept as the sum of the stories' own counts, so a restarted stream rebuilds it from the
    stored stories.
    """

    def __init__(self, counts: Iterable[Mapping[str, int]] = ()) -> None:
        self.df: Counter[str] = Counter()
        for c in counts:
            self.df.update(c)
        self.docs = 0

    def add(self, terms: Iterable[str]) -> None:
        self.df.update(terms)
        self.docs += 1

    def remove(self, counts: Mapping[str, int]) -> None:
        self.df.subtract(counts)

    def idf(self, term: str) -> float:
        n = max(self.docs, 1)
        return math.log((n + 1) / (self.df.get(term, 0) + 1)) + 1.0

    def cosine(self, terms: frozenset[str], story: Mapping[str, int]) -> float:
        """TF-IDF cosine of an article's term set (binary) and a story's term counts."""
        if not terms or not story:
            return 0.0
        # sorted: float sums in a fixed order, so results do not depend on string hashing
        shared = sorted(t for t in terms if t in story)
        num = math.fsum(story[t] * self.idf(t) ** 2 for t in shared)
        if not num:
            return 0.0
        na = math.sqrt(math.fsum(self.idf(t) ** 2 for t in sorted(terms)))
        ns = math.sqrt(math.fsum((c * self.idf(t)) ** 2 for t, c in sorted(story.items())))
        return num / (na * ns)
