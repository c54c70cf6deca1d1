"""Conflicts by slot and their class (contradiction / different_scope / vagueness), through
compare_story on hand-made two-line stories (sentence vectors chosen so the sentences match)."""

import numpy as np

from newsprism.compare import compare_story
from newsprism.conflicts import count_scope, vague_quantities
from newsprism.embed import ArticleVectors
from newsprism.models import Analysis, Article, Claim, Role, Slot, Span
from newsprism.slots import ordinals


def _article(aid, sentences, slots=(), roles=()):
    """One article, sentence i on axis i (so sentence i of two articles match); `slots` are
    (kind, key, value, text) found in the text; `roles` (person, role) likewise."""
    text = " ".join(sentences)
    spans, pos = [], 0
    for s in sentences:
        spans.append(Span(pos, pos + len(s), s))
        pos += len(s) + 1
    claims = []
    for sp in spans:
        mine = tuple(Slot(k, key, v, t, text.index(t, sp.start), text.index(t, sp.start) + len(t))
                     for k, key, v, t in slots if sp.start <= text.find(t, sp.start) < sp.end)
        claims.append(Claim(sp.text, sp.start, sp.end, mine))
    rl = tuple(Role(p, r, text.index(r), text.index(r) + len(r)) for p, r in roles)
    vecs = np.eye(len(sentences), 8, dtype=np.float32)
    art = Article(id=aid, origin=aid, text=text, raw=text, title=aid)
    an = Analysis(aid, "en", tuple(spans), claims=tuple(claims), roles=rl)
    return art, an, ArticleVectors(aid, vecs.mean(0), vecs, vecs.mean(0), vecs)


def _conflicts(*items):
    arts = {a.id: a for a, _, _ in items}
    comp = compare_story("s", list(arts), articles=arts, analyses={a.id: an for a, an, _ in items},
                         vectors={a.id: v for a, _, v in items}, relations=[])
    return {(c.slot, c.kind): [v.value for v in c.values] for c in comp.conflicts}


def test_same_ordinal_over_other_periods_is_a_scope_difference():
    a = _article("a", ["The envoy came to Lorwick for the second time in just over a year on a short trip."],
                 [("place", "place", "Lorwick", "Lorwick")])
    b = _article("b", ["It was the envoy's second visit to the region this year, officials said today."])
    got = _conflicts(a, b)
    assert got == {("ordinal", "different_scope"): ["second time in just over a year",
                                                     "second visit to the region this year"]}


def test_same_ordinal_and_period_is_no_conflict_and_other_count_is_a_contradiction():
    a = _article("a", ["Workers walked out for the third time this year at the plant on Monday."])
    same = _article("b", ["It was the third strike this year at the plant, the union said."])
    other = _article("c", ["It was the fourth strike this year at the plant, the union said."])
    assert _conflicts(a, same) == {}
    assert _conflicts(a, other) == {("ordinal", "contradiction"): ["third time this year",
                                                                       "fourth strike this year"]}


def test_named_places_beside_an_unnamed_group_is_vagueness():
    places = [("place", "place", n, n) for n in ("Lorwick", "Tarsh", "Oberland", "Dunmore")]
    a = _article("a", ["The minister reached Lorwick after a tour with stops in Tarsh, Oberland and Dunmore."],
                 places)
    b = _article("b", ["The minister reached Lorwick on Friday after visiting several northern capitals."],
                 places[:1])
    assert _conflicts(a, b) == {("place", "vagueness"): ["Tarsh, Oberland and Dunmore",
                                                          "several northern capitals"]}


def test_precise_and_vague_amounts_of_the_same_thing():
    a = _article("a", ["About 450 workers gathered outside the town hall on Monday morning."])
    fits = _article("b", ["Hundreds of workers gathered outside the town hall on Monday morning."])
    far = _article("c", ["Dozens of workers gathered outside the town hall on Monday morning."])
    assert _conflicts(a, fits) == {("number", "vagueness"): ["450 workers", "Hundreds of workers"]}
    assert _conflicts(a, far) == {}  # "dozens" is too far from 450 to be the same count


def test_dates_written_to_the_day_conflict_but_a_coarser_date_does_not():
    a = _article("a", ["The new tariff takes effect on 1 July under the signed agreement."],
                 [("date", "date", "2026-07-01", "1 July")])
    b = _article("b", ["The new tariff takes effect on 15 July under the signed agreement."],
                 [("date", "date", "2026-07-15", "15 July")])
    coarse = _article("c", ["The new tariff takes effect in July under the signed agreement."],
                      [("date", "date", "2026-07", "July")])
    assert _conflicts(a, b) == {("date", "contradiction"): ["1 July", "15 July"]}
    assert _conflicts(a, coarse) == {}


def test_who_met_whom():
    people = {n: ("participant", "person", n, n) for n in ("Ana Berg", "Tom Veil", "Ola Nyman", "Per Holt")}
    a = _article("a", ["Ana Berg met Tom Veil and Ola Nyman at the ministry on Tuesday."],
                 [people["Ana Berg"], people["Tom Veil"], people["Ola Nyman"]])
    fewer = _article("b", ["Ana Berg met Tom Veil at the ministry on Tuesday afternoon."],
                     [people["Ana Berg"], people["Tom Veil"]])
    other = _article("c", ["Ana Berg met Per Holt and Ola Nyman at the ministry on Tuesday."],
                     [people["Ana Berg"], people["Per Holt"], people["Ola Nyman"]])
    assert _conflicts(a, fewer) == {("participant", "different_scope"): ["Ola Nyman", "Ana Berg, Tom Veil"]}
    assert _conflicts(a, other) == {("participant", "contradiction"): ["Tom Veil", "Per Holt"]}


def test_titles_conflict_only_for_the_same_office_of_another_department():
    a = _article("a", ["Defence Minister Ana Berg arrived in the capital on Monday."],
                 roles=[("Ana Berg", "Defence Minister")])
    b = _article("b", ["Foreign Minister Ana Berg arrived in the capital on Monday."],
                 roles=[("Ana Berg", "Foreign Minister")])
    c = _article("c", ["Ana Berg, a former trade envoy, arrived in the capital on Monday."],
                 roles=[("Ana Berg", "former trade envoy")])
    assert _conflicts(a, b) == {("role", "contradiction"): ["Ana Berg: Defence Minister",
                                                            "Ana Berg: Foreign Minister"]}
    assert _conflicts(a, c) == {}


def test_scope_and_vague_parsers():
    s = "He visited the port for the third time in two years."
    q = ordinals(s)[0]
    assert count_scope(s, q).frame == "in two years"
    assert count_scope("It was his third visit to the region this year.",
                       ordinals("It was his third visit to the region this year.")[0]).place == "region"
    (v,) = vague_quantities("Tens of thousands of commuters were stranded.")
    assert v.key == "people" and v.low == 20000
