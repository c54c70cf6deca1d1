"""Compare-stage scoring (newsprism.evaluate_compare) on small hand-written gold and reports."""

from __future__ import annotations

import json

import pytest

from newsprism.errors import GoldFormatError
from newsprism.evaluate import evaluate, summary_rows
from newsprism.evaluate_compare import (
    KINDS,
    assign,
    coverage,
    evaluate_compare,
    gold_view,
    terms,
    value_cites,
)

TEXT_A = ("Dockers began a 48-hour strike at Port Elsin on Monday. About 1,200 members joined. "
          "Talks at the ministry in Lindmark ended after 2 a.m. The ferries to Skarra ran normally.")
TEXT_B = ("Some 1,500 dockworkers walked out at Port Elsin on Monday for 48 hours. "
          "Pickets gathered at Gate 4 on Quay Road. Transport Minister Ivo Lang declined to intervene.")
TEXT_C = "Transport Minister Ivo Lang declined to intervene, a copy said."
TEXT_ES = "Unos 1.200 estibadores de Port Elsin secundan el paro de 48 horas convocado por el UPDW."


def _span(text: str, sentence: str) -> tuple[int, int]:
    start = text.index(sentence)
    return start, start + len(sentence)


def _cite(art: str, text: str, sentence: str) -> dict:
    s, e = _span(text, sentence)
    return {"article": art, "start": s, "end": e}


def _report(facts=(), unique=(), conflicts=(), es: bool = False) -> dict:
    arts = [{"id": "A", "origin": "in/a.txt", "text": TEXT_A, "language": "en"},
            {"id": "B", "origin": "in/b.txt", "text": TEXT_B, "language": "en"},
            {"id": "C", "origin": "in/c.txt", "text": TEXT_C, "language": "en"}]
    if es:
        arts.append({"id": "E", "origin": "in/e.txt", "text": TEXT_ES, "language": "es"})
    return {"articles": arts, "relations": [],
            "stories": [{"id": "s1", "articles": [a["id"] for a in arts], "lines": [["A"], ["B", "C"]],
                         "facts": list(facts), "unique": list(unique), "conflicts": list(conflicts)}]}


def _gold(**story) -> dict:
    arts = {"a.txt": {"story": "S"}, "b.txt": {"story": "S"}, "c.txt": {"story": "S"}, "e.txt": {"story": "S"}}
    return {"articles": arts, "stories": {"S": {"articles": list(arts), "lines": [["a.txt"], ["b.txt", "c.txt"],
                                                                                   ["e.txt"]], **story}}}


def _fact(*cites: dict, text: str = "unrelated headline text") -> dict:
    return {"text": text, "lines": len(cites), "support": list(cites)}


ID2KEY = {"A": "a.txt", "B": "b.txt", "C": "c.txt", "E": "e.txt"}


def test_terms_stem_and_normalise_numbers():
    assert terms("Ships were diverted; 1,200 dockers") == terms("ship divert 1.200 dockers")
    assert {"3", "2.1", "48"} <= terms("the third plant, 2,1 billion, 48-hour strike")
    assert "visit" in terms("visited") and "price" not in terms("prices") and terms("prices") == terms("price")


def test_coverage_needs_two_shared_terms_unless_the_gold_has_one():
    assert coverage("three villages were evacuated", terms("near the village of Lesno")) == 0.0
    assert coverage("three villages were evacuated", terms("3 villages evacuated")) == 1.0
    assert coverage("evacuations", terms("the evacuations went on")) == 1.0


def test_assign_is_one_to_one_and_maximal():
    # greedy alone would give gold 0 to predicted 0 and leave gold 1 without a pair
    pairs = assign([(0.9, 0, 0), (0.6, 0, 1), (0.8, 1, 0)], threshold=0.5)
    assert pairs == [(0, 1), (1, 0)]
    assert assign([(0.9, 0, 0), (0.9, 1, 0)]) == [(0, 0)]  # one predicted item, one gold item
    assert assign([(0.4, 0, 0)]) == []


def test_facts_are_read_from_their_cited_sentences():
    gold = _gold(shared_facts=["dockworkers began a 48-hour strike at Port Elsin on Monday",
                               "Transport Minister Ivo Lang declined to intervene"])
    good = _fact(_cite("A", TEXT_A, "Dockers began a 48-hour strike at Port Elsin on Monday."),
                 _cite("B", TEXT_B, "Some 1,500 dockworkers walked out at Port Elsin on Monday for 48 hours."))
    other = _fact(_cite("A", TEXT_A, "The ferries to Skarra ran normally."),
                  _cite("B", TEXT_B, "Pickets gathered at Gate 4 on Quay Road."),
                  text="Dockworkers began a 48-hour strike at Port Elsin on Monday")  # text is not read
    s = evaluate_compare(gold, _report(facts=[good, other]), ID2KEY)["facts"]
    assert (s["precision"], s["recall"], s["support"], s["predicted"]) == (0.5, 0.5, 2, 2)
    assert s["per_story"]["S"] == {"gold": 2, "predicted": 2, "matched": 1}


def test_one_predicted_fact_matches_one_gold_fact():
    gold = _gold(shared_facts=["a 48-hour strike at Port Elsin began on Monday",
                               "a strike at Port Elsin lasting 48 hours"])
    f = _fact(_cite("A", TEXT_A, "Dockers began a 48-hour strike at Port Elsin on Monday."),
              _cite("B", TEXT_B, "Some 1,500 dockworkers walked out at Port Elsin on Monday for 48 hours."))
    s = evaluate_compare(gold, _report(facts=[f]), ID2KEY)["facts"]
    assert (s["precision"], s["recall"]) == (1.0, 0.5)


def test_fact_in_another_language_is_judged_on_numbers_and_names():
    fact = "about 1,200 UPDW members joined the 48-hour walkout called at Port Elsin by the dockers' union"
    gold = _gold(shared_facts=[fact])
    es_only = _fact(_cite("E", TEXT_ES, TEXT_ES))
    assert evaluate_compare(gold, _report(facts=[es_only], es=True), ID2KEY)["facts"]["recall"] == 1.0
    # the same gold against an English sentence is judged on all its words
    en = _fact(_cite("B", TEXT_B, "Pickets gathered at Gate 4 on Quay Road."))
    assert evaluate_compare(gold, _report(facts=[en]), ID2KEY)["facts"]["recall"] == 0.0


def test_unique_facts_may_be_found_on_another_article_of_the_same_line():
    gold = _gold(unique={"c.txt": ["pickets at Gate 4 on Quay Road"],
                         "a.txt": ["ferries to the Skarra islands ran normally"]})
    on_b = {"article": "B", "text": "x", **dict(zip(("start", "end"), _span(TEXT_B, "Pickets gathered at Gate 4 on Quay Road.")))}
    # a's unique fact predicted on b (another line) does not count for a
    wrong_line = {"article": "B", "text": "The ferries to Skarra ran normally.", "start": 0, "end": 0}
    s = evaluate_compare(gold, _report(unique=[on_b, wrong_line]), ID2KEY)["unique_facts"]
    assert (s["precision"], s["recall"], s["support"], s["predicted"]) == (0.5, 0.5, 2, 2)


def test_unique_facts_of_stories_without_gold_unique_are_not_judged():
    gold = _gold(shared_facts=[])
    u = {"article": "A", "text": "The ferries to Skarra ran normally.", "start": 0, "end": 0}
    s = evaluate_compare(gold, _report(unique=[u]), ID2KEY)["unique_facts"]
    assert (s["support"], s["predicted"]) == (0, 0)


def _conflict(kind: str | None, *values: tuple[str, str], slot: str = "number") -> dict:
    c = {"slot": slot, "values": [{"value": v, "article": a, "start": 0, "end": 1} for a, v in values]}
    if kind:
        c["kind"] = kind
    return c


def test_conflict_kinds_accuracy_and_breakdowns():
    gold = _gold(conflicts=[
        {"slot": "number", "kind": "contradiction", "values": {"a.txt": "about 1,200", "b.txt": "some 1,500"}},
        {"slot": "number", "kind": "vagueness", "values": {"a.txt": "at least 40 vessels", "b.txt": "dozens of ships"}},
        {"slot": "date", "kind": "different_scope", "values": {"a.txt": "Monday", "b.txt": "Tuesday"}}])
    rep = _report(conflicts=[
        _conflict("contradiction", ("A", "1,200 members"), ("B", "1,500 dockworkers")),
        _conflict("contradiction", ("A", "40 cargo vessels"), ("B", "dozens of ships")),
        _conflict("vagueness", ("A", "9 percent"), ("B", "6 percent"))])
    res = evaluate_compare(gold, rep, ID2KEY)
    assert res["conflicts"]["recall"] == round(2 / 3, 4) and res["conflicts"]["precision"] == round(2 / 3, 4)
    k = res["conflict_kinds"]
    assert k["found"] == 2 and k["accuracy"] == 0.5
    assert k["recall"] == round(1 / 3, 4) and k["precision"] == round(1 / 3, 4)
    assert k["confusion"]["vagueness"] == {"contradiction": 1}
    assert k["per_slot"]["number"] == {"gold": 2, "found": 2, "kind_correct": 1, "accuracy": 0.5}
    assert k["per_slot"]["date"]["found"] == 0 and k["per_slot"]["date"]["accuracy"] is None
    assert k["per_kind"]["contradiction"]["accuracy"] == 1.0


def test_word_values_fall_back_to_word_overlap_and_numbers_stay_numeric():
    assert value_cites("several Arab capitals", "visiting several Arab capitals")
    assert value_cites("Qatar, Afghanistan and the UAE", "Qatar, Afghanistan and the United Arab Emirates")
    assert not value_cites("the Taliban", "several Arab capitals")
    assert not value_cites("9 percent", "about 1,200")  # both numeric: the numbers must agree
    assert not value_cites("3,000 hectares", "some 2,400 hectares")
    assert value_cites("third visit", "third visit to the region this year")


def test_pair_gold_maps_prefixes_and_infers_kinds():
    gold = {"articles": {"000_x.txt": {}, "003_y.txt": {}},
            "pair": {"same_story": True, "reuse_between_them": "none: independent",
                     "shared_facts": ["Milley met Netanyahu, Gantz and Kochavi in Israel"],
                     "conflicting_details": [
                         {"fact": "how often", "000": "third visit to Israel in just over a year (line 3, 11)",
                          "003": "third visit to the region this year (line 9)"},
                         {"fact": "other stops", "000": "Qatar, Afghanistan and the United Arab Emirates (line 9)",
                          "003": "several Arab capitals (line 9)"}],
                     "unique_to_000": ["met Taliban leaders in Qatar"],
                     "unique_to_003": ["Israel urged Biden not to rush back to the nuclear deal"]}}
    view = gold_view(gold)
    assert view.unique == {"000_x.txt": ["met Taliban leaders in Qatar"],
                           "003_y.txt": ["Israel urged Biden not to rush back to the nuclear deal"]}
    assert [c.kind for c in view.conflicts] == ["different_scope", "vagueness"]
    assert view.conflicts[0].values["000_x.txt"] == "third visit to Israel in just over a year"
    t0 = "Milley met Netanyahu and Gantz. In Qatar, he met Taliban leaders. He toured Qatar, Afghanistan and the UAE."
    t3 = "Milley met Kochavi and Netanyahu in Israel. He came after several Arab capitals."
    report = {"articles": [{"id": "p", "origin": "seeds/000_x.txt", "text": t0, "language": "en"},
                           {"id": "q", "origin": "seeds/003_y.txt", "text": t3, "language": "en"}],
              "relations": [], "stories": [{"id": "s", "articles": ["p", "q"], "lines": [["p"], ["q"]],
                                            "facts": [_fact(_cite("p", t0, "Milley met Netanyahu and Gantz."),
                                                            _cite("q", t3, "Milley met Kochavi and Netanyahu in Israel."))],
                                            "unique": [{"article": "p", "text": "In Qatar, he met Taliban leaders.",
                                                        "start": 0, "end": 0}],
                                            "conflicts": [_conflict("vagueness", ("p", "Qatar, Afghanistan and the UAE"),
                                                                    ("q", "several Arab capitals"))]}]}
    res = evaluate(gold, report)
    assert res["facts"]["recall"] == 1.0 and res["facts"]["precision"] == 1.0
    assert (res["unique_facts"]["precision"], res["unique_facts"]["recall"]) == (1.0, 0.5)
    assert res["conflicts"]["recall"] == 0.5 and res["conflicts"]["precision"] == 1.0
    assert res["conflict_kinds"]["accuracy"] == 1.0
    rows = {r[0] for r in summary_rows(res)}
    assert {"facts", "unique_facts", "conflicts", "conflict_kinds"} <= rows


def test_ambiguous_pair_prefix_is_an_error():
    gold = {"articles": {"000_a.txt": {}, "000_b.txt": {}},
            "pair": {"same_story": True, "unique_to_000": ["x"]}}
    with pytest.raises(GoldFormatError):
        gold_view(gold)


def test_demo_gold_has_facts_and_classed_conflicts_for_every_multi_line_story():
    from newsprism.cli import demo_gold

    gold = json.loads(demo_gold().read_text(encoding="utf-8"))
    for sid, s in gold["stories"].items():
        if len(s.get("lines") or []) < 2:
            continue
        assert s["shared_facts"] and s["conflicts"] and s["unique"], sid
        for c in s["conflicts"]:
            assert c["kind"] in KINDS, (sid, c)
            assert len(set(c["values"].values())) >= 2 and set(c["lines"]) == set(c["values"]), (sid, c)
            assert set(c["values"]) <= set(s["articles"]), (sid, c)


def test_seed_gold_reads_as_facts_unique_and_classed_conflicts(shared_dir):
    gold = json.loads((shared_dir / "gold" / "seeds.json").read_text(encoding="utf-8"))
    view = gold_view(gold)
    assert [len(v) for v in view.facts.values()] == [5]
    assert sorted(len(v) for v in view.unique.values()) == [4, 6]
    assert [c.kind for c in view.conflicts] == ["different_scope", "vagueness"]
