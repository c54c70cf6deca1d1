"""One canonical name per entity across a corpus.

Each article's analysis names entities from that article alone: a story that says only
"Milley" files him as "Milley", a page that writes only "NPA" files an acronym, and an article
in a language without an NER model has no entities. Read together, the corpus knows more:
exactly one "Mark Milley" ends in "Milley", "NPA" is defined as the "National Port Authority"
elsewhere, and "Israeli Defense Forces" is a spelling of "Israel Defense Forces". This module
applies that knowledge at read time (report, comparison), because in a stream the full name can
arrive after the surname-only article was analysed.

A surname that more than one full name in the corpus ends with stays as written: different
people with one surname are never merged on a guess.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from newsprism.analyze.entities import canonical_key, initials, is_acronym, variant_key
from newsprism.models import Analysis, Article, Claim, Entity, Quote, Span

#: Labels whose names are looked for in texts that have no entities of their own.
_SEEDABLE = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT"})
_MAX_NAME_WORDS = 6
_WORD_RUN = re.compile(
    r"(?<![\w’'-])[^\W\d_][\w’'-]*(?:\s(?:[^\W\d_][\w’'-]*|of|the|and|for|de|del|la|von|van|der))*"
)
_DEMONYM_SUFFIXES = ("n", "an", "ian", "i", "ese", "ish")
#: Labels the small model confuses with each other; the corpus majority settles them.
_RELABEL = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"})


@dataclass(frozen=True, slots=True)
class CorpusEntities:
    """Name resolution learned from a set of analyses; build with `from_analyses`."""

    names: dict[tuple[str, str], str]  # (label, key of a local name) -> corpus canonical name
    surfaces: dict[str, tuple[str, str]]  # surface form -> (canonical name, label) for seeding
    labels: dict[str, str]  # key of a name -> the label most articles give it, when clear

    @classmethod
    def from_analyses(cls, analyses: Iterable[Analysis]) -> CorpusEntities:
        """Learns full names, acronym expansions and spelling variants from the corpus."""
        full_people: dict[str, Counter[str]] = defaultdict(Counter)  # surname key -> full names
        variants: dict[tuple[str, tuple[str, ...]], Counter[str]] = defaultdict(Counter)
        acronyms: dict[str, Counter[str]] = defaultdict(Counter)
        locals_: set[tuple[str, str]] = set()
        label_votes: dict[str, Counter[str]] = defaultdict(Counter)
        for an in analyses:
            for e in an.entities:
                locals_.add((e.label, e.name))
                if e.label in _RELABEL:
                    label_votes[canonical_key(e.name)][e.label] += 1
                words = e.name.split()
                if e.label == "PERSON" and len(words) >= 2:
                    full_people[canonical_key(words[-1])][e.name] += 1
                elif e.label != "PERSON":
                    variants[(e.label, variant_key(e.name))][e.name] += 1
                    if len(words) >= 2:
                        for m in e.mentions:
                            if is_acronym(m.text) and initials(e.name) == m.text.replace(".", ""):
                                acronyms[m.text.replace(".", "")][e.name] += 1
        names: dict[tuple[str, str], str] = {}
        for label, name in locals_:
            target = name
            words = name.split()
            if label == "PERSON":
                if len(words) == 1:
                    fulls = full_people.get(canonical_key(name), Counter())
                    if len(fulls) == 1:
                        target = next(iter(fulls))
            else:
                if is_acronym(name) and len(acronyms.get(name.replace(".", ""), ())) == 1:
                    target = next(iter(acronyms[name.replace(".", "")]))
                spellings = variants.get((label, variant_key(target)))
                if spellings:
                    target = max(spellings.items(), key=lambda kv: (kv[1], -len(kv[0]), kv[0]))[0]
            if target != name:
                names[(label, canonical_key(name))] = target
        singles = {canonical_key(n) for _, n in locals_ if " " not in n}
        for key in singles:
            # "Valmora" beside "Valmoran" (or Israel/Israeli): a place and its demonym, whatever
            # the model said about either of them
            for suffix in _DEMONYM_SUFFIXES:
                if key + suffix in singles and len(key) >= 4:
                    place, people = label_votes[key], label_votes[key + suffix]
                    place["GPE"] += 2 * sum(place.values()) + 1
                    people["NORP"] += 2 * sum(people.values()) + 1
        labels: dict[str, str] = {}
        for key, votes in label_votes.items():
            (best, n), *rest = votes.most_common()
            if rest and n >= 2 and n >= 2 * rest[0][1]:
                labels[key] = best
        surfaces: dict[str, tuple[str, str]] = {}
        for label, name in sorted(locals_, key=lambda ln: -label_votes[canonical_key(ln[1])][ln[0]]):
            if label in _SEEDABLE and len(name) >= 4 and not is_acronym(name):
                canon = names.get((label, canonical_key(name)), name)
                surfaces.setdefault(name, (canon, labels.get(canonical_key(name), label)))
        for acronym, longs in acronyms.items():
            if len(longs) == 1:  # "(MPA)" in a dateline, once the corpus has spelt it out
                long = next(iter(longs))
                surfaces.setdefault(acronym, (names.get(("ORG", canonical_key(long)), long), "ORG"))
        for fulls in full_people.values():
            if len(fulls) == 1:  # a surname alone is safe to look for only when one person has it
                full = next(iter(fulls))
                surfaces.setdefault(full.split()[-1], (full, "PERSON"))
        return cls(names=names, surfaces=surfaces, labels=labels)

    def canonical(self, name: str, label: str) -> str:
        """The corpus-wide name of an article-level entity name."""
        return self.names.get((label, canonical_key(name)), name)

    def label(self, name: str, label: str) -> str:
        """The corpus-majority label of a name, when the article's own label is the odd one."""
        if label not in _RELABEL:
            return label
        return self.labels.get(canonical_key(name), label)

    def resolve(self, analysis: Analysis, article: Article | None = None) -> Analysis:
        """The analysis with corpus-wide names, entities that became one merged.

        When its article is given, names the corpus already knows are looked up in the text
        where the article's own analysis found nothing: a Spanish report (no NER model) on
        "Helena Voss" then shares that entity with the English ones, and an English
        "Petrov said" that the model missed is found once the corpus knows "Ivan Petrov".
        """
        entities = analysis.entities
        if article is not None:
            entities = _add_mentions(entities, self._seed(article.text, entities))
        if not entities:
            return analysis
        rename = {e.name: self.canonical(e.name, e.label) for e in entities}
        relabel = {e.name: self.label(e.name, e.label) for e in entities}
        if (entities is analysis.entities and all(k == v for k, v in rename.items())
                and all(relabel[e.name] == e.label for e in entities)):
            return analysis
        new_entities = _merge(replace(e, name=rename[e.name], label=relabel[e.name]) for e in entities)
        return replace(
            analysis,
            entities=new_entities,
            quotes=tuple(_rename_quote(q, rename) for q in analysis.quotes),
            roles=tuple(replace(r, person=rename.get(r.person, r.person)) for r in analysis.roles),
            claims=tuple(_rename_claim(c, rename) for c in analysis.claims),
        )

    def _seed(self, text: str, known: tuple[Entity, ...]) -> tuple[Entity, ...]:
        """Mentions of corpus names the article's own analysis missed.

        Every run of up to `_MAX_NAME_WORDS` words is looked up (longest first) in the surface
        table, so the cost is linear in the text, not in the size of the corpus vocabulary.
        """
        found: dict[tuple[str, str], list[Span]] = defaultdict(list)
        taken = [(m.start, m.end) for e in known for m in e.mentions]
        for run in _WORD_RUN.finditer(text):
            words = list(re.finditer(r"\S+", run.group()))
            i = 0
            while i < len(words):
                for j in range(min(len(words), i + _MAX_NAME_WORDS), i, -1):
                    start, end = run.start() + words[i].start(), run.start() + words[j - 1].end()
                    hit = self.surfaces.get(text[start:end])
                    if hit and not any(s < end and start < e for s, e in taken):
                        found[hit].append(Span(start, end, text[start:end]))
                        taken.append((start, end))
                        i = j - 1
                        break
                i += 1
        ents = [Entity(name=name, label=label, mentions=tuple(sorted(spans, key=lambda s: s.start)))
                for (name, label), spans in found.items()]
        return tuple(sorted(ents, key=lambda e: e.mentions[0].start))


def _add_mentions(entities: tuple[Entity, ...], seeded: tuple[Entity, ...]) -> tuple[Entity, ...]:
    return _merge(entities + seeded) if seeded else entities


def _merge(entities: Iterable[Entity]) -> tuple[Entity, ...]:
    """One entity per (name, label), with all mentions and the first role, in text order."""
    merged: dict[tuple[str, str], Entity] = {}
    for e in entities:
        old = merged.get((e.name, e.label))
        merged[(e.name, e.label)] = e if old is None else replace(
            old, mentions=tuple(sorted(set(old.mentions) | set(e.mentions), key=lambda s: s.start)),
            role=old.role or e.role)
    return tuple(sorted(merged.values(), key=lambda e: e.mentions[0].start))


def _rename_quote(q: Quote, rename: dict[str, str]) -> Quote:
    if q.speaker and rename.get(q.speaker, q.speaker) != q.speaker:
        return replace(q, speaker=rename[q.speaker])
    return q


def _rename_claim(c: Claim, rename: dict[str, str]) -> Claim:
    slots = tuple(
        replace(s, value=rename[s.value])
        if s.kind in {"place", "participant"} and s.value in rename else s
        for s in c.slots
    )
    return c if slots == c.slots else replace(c, slots=slots)


def resolve_corpus(
    analyses: Sequence[Analysis], articles: Sequence[Article] | None = None
) -> list[Analysis]:
    """Gives every entity in `analyses` its corpus-wide canonical name.

    Args:
        analyses: Per-article analyses (from the store or `analyze_articles`).
        articles: The same articles, in the same order, so texts without an NER model can be
            given the names the corpus knows; optional.

    Returns:
        New analyses in input order; unchanged ones are returned as they are.
    """
    corpus = CorpusEntities.from_analyses(analyses)
    arts: Sequence[Article | None] = articles if articles is not None else [None] * len(analyses)
    return [corpus.resolve(an, art) for an, art in zip(analyses, arts)]


def resolve_by_id(
    analyses: Mapping[str, Analysis], articles: Mapping[str, Article]
) -> dict[str, Analysis]:
    """`resolve_corpus` for the store's shape: analyses and articles keyed by article id."""
    ids = list(analyses)
    return dict(zip(ids, resolve_corpus([analyses[i] for i in ids],
                                        [articles[i] for i in ids])))
