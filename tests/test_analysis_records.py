"""Tests of the analysis records added for reporters: claim slots, dated claims, roles with
offsets, corpus-wide entity names, spinner traces and pronoun checks. Fixtures are made up."""

from __future__ import annotations

import os
from datetime import date, datetime, timezone

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from newsprism import serialize as ser  # noqa: E402
from newsprism.analyze import analyze_article, analyze_articles, load_nlp, resolve_corpus  # noqa: E402
from newsprism.analyze.claims import date_slots, number_slots, resolve_date  # noqa: E402
from newsprism.analyze.signals import IDIOMATIC_LABELS, combine, swap_evidence  # noqa: E402
from newsprism.models import AlignedSpan, Article, Signals  # noqa: E402
from newsprism.relate.swaps import synonym_swaps  # noqa: E402


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def _art(aid: str, text: str, **kw) -> Article:
    return Article(id=aid, origin=aid, text=text, raw=text, **kw)


def _slot(slots, kind):
    return [(s.key, s.value, s.text) for s in slots if s.kind == kind]


def test_number_slots_are_keyed_by_what_they_count():
    text = "About 1,200 workers joined; it was his third visit in a year, with three levels of talks."
    slots = number_slots(text, 100)
    assert _slot(slots, "quantity") == [("people", "1200", "1,200 workers")]
    assert _slot(slots, "count") == [("count:level", "3", "three levels")]
    assert _slot(slots, "ordinal") == [("ordinal:visit", "3", "third visit")]
    for s in slots:  # offsets index the article, not the sentence
        assert text[s.start - 100 : s.end - 100] == s.text


def test_money_tally_and_ordinal_time():
    slots = number_slots("The council voted 23 to 14 for the €4 million plan, for the fourth time.")
    assert ("tally", "23-14", "23 to 14") in _slot(slots, "tally")
    assert [(k, v) for k, v, _ in _slot(slots, "quantity")] == [("money:EUR", "4000000")]
    assert ("ordinal:time", "4", "fourth time") in _slot(slots, "ordinal")


def test_first_as_adverb_is_not_an_ordinal():
    assert _slot(number_slots("The story was first reported by a local paper."), "ordinal") == []


def test_german_thousands_separator():
    slots = number_slots("Rund 1.200 Beschäftigte streikten.", language="de")
    assert [s.value for s in slots if s.kind in {"quantity", "count"}] == ["1200"]


@pytest.mark.parametrize("expression,expected", [
    ("last Thursday", "2020-12-17"),  # publication day is Tuesday 2020-12-22
    ("on Thursday", "2020-12-17"),
    ("next Monday", "2020-12-28"),
    ("yesterday", "2020-12-21"),
    ("December 17", "2020-12-17"),
    ("17 December 2019", "2019-12-17"),
    ("last month", "2020-11"),
    ("this year", "2020"),
    ("last week", "2020-W51"),
    ("in 2014", "2014"),
])
def test_relative_and_absolute_dates_resolve(expression, expected):
    assert resolve_date(expression, date(2020, 12, 22)) == expected


def test_dates_without_publication_date_stay_comparable():
    assert resolve_date("last Thursday", None) == "last thursday"
    assert resolve_date("December 17", None) == "XXXX-12-17"


def test_verb_may_and_number_before_noun_are_not_dates():
    slots = date_slots("Talks may resume in May 2021, when 2000 workers return.", 0,
                       datetime(2021, 1, 5, tzinfo=timezone.utc))
    assert [s.value for s in slots] == ["2021-05"]


def test_claims_carry_slots_places_participants(nlp):
    text = ("Foreign Minister Anna Keller met Interior Minister Paul Roth in Vienna last Thursday. "
            "It was her third visit this year.\n\nThe weather was pleasant.")
    an = analyze_article(_art("c", text, published_at=datetime(2021, 3, 2, tzinfo=timezone.utc)),
                         nlp=nlp)
    first = an.claims[0]
    assert {"Anna Keller", "Paul Roth"} <= set(first.participants)
    assert "Vienna" in first.places and "2021-02-25" in first.dates
    assert any(s.key == "ordinal:visit" and s.value == "3" for c in an.claims for s in c.slots)
    assert not any("pleasant" in c.text for c in an.claims)
    for c in an.claims:
        for s in c.slots:
            assert text[s.start : s.end] == s.text


def test_roles_have_offsets_and_all_are_kept(nlp):
    text = ("Defence Minister Lena Ost spoke on Monday. Ost, the chair of the Northern Council, "
            "later met reporters.")
    an = analyze_article(_art("r", text), nlp=nlp)
    roles = [(r.person, r.role) for r in an.roles]
    assert ("Lena Ost", "Defence Minister") in roles
    assert ("Lena Ost", "chair of the Northern Council") in roles
    for r in an.roles:
        assert text[r.start : r.end] == r.role


def test_records_round_trip_through_serialisation(nlp):
    text = ("Defence Minister Lena Ost said 300 soldiers left on Monday, two senior officials "
            "told reporters.")
    an = analyze_article(_art("s", text, published_at=datetime(2021, 3, 2, tzinfo=timezone.utc)),
                         nlp=nlp)
    assert ser.analysis_from_dict(ser.analysis_to_dict(an)) == an


def test_corpus_gives_surnames_and_acronyms_one_name(nlp):
    full = _art("a", "Transport Minister Ivan Petrov met the Harbour Workers Union (HWU) in Portville. "
                     "Petrov said talks would go on.")
    short = _art("b", "Petrov told the HWU that a deal was near. The HWU welcomed it.")
    analyses = analyze_articles([full, short], nlp=nlp)
    assert not any(e.name == "Ivan Petrov" for e in analyses[1].entities)  # alone it cannot know
    resolved = resolve_corpus(analyses, [full, short])
    names = {(e.name, e.label) for e in resolved[1].entities}
    assert ("Ivan Petrov", "PERSON") in names
    assert ("Harbour Workers Union", "ORG") in names
    assert resolved[0] == analyses[0]  # nothing to learn for the article that says it all


def test_corpus_keeps_two_people_with_one_surname_apart(nlp):
    arts = [
        _art("a", "Senator Maria Holt spoke on Monday. Holt said the bill would pass."),
        _art("b", "Governor Peter Holt spoke on Tuesday. Holt said he would sign."),
        _art("c", "Holt said the vote would be close."),
    ]
    resolved = resolve_corpus(analyze_articles(arts, nlp=nlp), arts)
    assert {"Maria Holt", "Peter Holt"} <= {e.name for r in resolved for e in r.entities}
    assert not {"Maria Holt", "Peter Holt"} & {e.name for e in resolved[2].entities}


def test_corpus_finds_known_names_in_texts_without_a_model(nlp):
    english = _art("en", "Health Minister Clara Dunn visited Riverton General Hospital on Monday. "
                         "Dunn said the hospital would reopen.")
    spanish = _art("es", "La ministra de Sanidad, Clara Dunn, visitó el lunes el hospital. "
                         "Dunn aseguró que el hospital reabrirá pronto.", language="es")
    analyses = analyze_articles([english, spanish], nlp=nlp)
    assert analyses[1].language == "es" and not analyses[1].entities
    resolved = resolve_corpus(analyses, [english, spanish])
    dunn = [e for e in resolved[1].entities if e.name == "Clara Dunn"]
    assert dunn and dunn[0].label == "PERSON" and len(dunn[0].mentions) == 2


def test_synonym_swaps_separate_a_spinner_from_an_editor():
    original = "Officials said the dam would be filled in July. Farmers fear the river will dry."
    spun = "Functionaries stated the barrage would be filled in July. Growers fear the stream will dry."
    edited = "Officials said the dam would be filled in July, a month early. Farmers fear the river will dry."
    def spans(a, b):
        sa, sb = a.split(". "), b.split(". ")
        out, ia, ib = [], 0, 0
        for x, y in zip(sa, sb):
            out.append(AlignedSpan(ia, ia + len(x), ib, ib + len(y), 0.8, 0.9))
            ia += len(x) + 2
            ib += len(y) + 2
        return out
    swapped = synonym_swaps(original, spun, spans(original, spun))
    assert swapped.density > 0.2 and ("said", "stated") in swapped.examples
    assert synonym_swaps(original, edited, spans(original, edited)).density == 0.0


def test_swap_evidence_adds_to_the_signal():
    base = Signals(0.2, ("calqued section header",))
    combined = combine(base, [swap_evidence(0.22, "The Ledger")])
    assert combined.machine_translation > 0.5 and "The Ledger" in combined.reasons[-1]
    assert combine(base, []) == base


def test_house_style_labels_are_idiomatic_and_parsed_cleanly():
    assert "why it matters" in IDIOMATIC_LABELS and "" not in IDIOMATIC_LABELS
    assert all(label == label.strip() for label in IDIOMATIC_LABELS)


def test_pronoun_check_needs_a_clear_referent(nlp):
    ambiguous = ("Foreign Minister Anna Keller met Foreign Minister Paul Roth. She then had lunch "
                 "with the mayor. Roth said he was pleased. A senior official, who asked not to be "
                 "named because he was not authorised to speak, said Keller was tired.")
    sig = analyze_article(_art("p", ambiguous), nlp=nlp).signals
    assert not any("pronoun" in r for r in sig.reasons)
    wrong = ("General Tom Baird arrived on Monday. Baird is a bridge to the ministry as she "
             "expects to stay. It was his third visit.")
    sig = analyze_article(_art("w", wrong), nlp=nlp).signals
    assert any("pronoun gender inconsistency for Tom Baird" in r for r in sig.reasons)


def test_lower_case_offices_count_and_honorifics_do_not(nlp):
    text = ("Opposition councillor Rasmus Tell voted against. Dr Mina Ose said the ward was safe. "
            "TWU general secretary Ola Brun told reporters the strike would go on.")
    roles = {(r.person, r.role) for r in analyze_article(_art("h", text), nlp=nlp).roles}
    assert ("Rasmus Tell", "Opposition councillor") in roles
    assert ("Ola Brun", "TWU general secretary") in roles
    assert not any(person == "Mina Ose" for person, _ in roles)


def test_corpus_spells_out_an_acronym_the_model_missed(nlp):
    spelt = _art("a", "The Northwind News Service (NNS) reported the vote. NNS said turnout was high.")
    bare = _art("b", "OSLOBY (NNS) - Turnout was high in the vote on Sunday, officials said.")
    resolved = resolve_corpus(analyze_articles([spelt, bare], nlp=nlp), [spelt, bare])
    assert "Northwind News Service" in {e.name for e in resolved[1].entities}
