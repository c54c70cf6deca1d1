from newsprism.evaluate import Score, bcubed, evaluate
from newsprism.evaluate_analysis import (
    locate, read_source_units, roc_auc, role_match, same_person, score_anonymous_sources, score_entities,
    score_label, score_mt_signal, score_quote_attribution, score_roles, word_overlap,
)


def test_bcubed_perfect_and_split():
    gold = {"a": "1", "b": "1", "c": "2"}
    assert bcubed({"a": "x", "b": "x", "c": "y"}, gold).f1 == 1.0
    split = bcubed({"a": "x", "b": "y", "c": "z"}, gold)
    assert split.precision == 1.0 and split.recall < 1.0
    merged = bcubed({"a": "x", "b": "x", "c": "x"}, gold)
    assert merged.recall == 1.0 and merged.precision < 1.0


def test_bcubed_counts_missing_items_as_misses():
    assert bcubed({"a": "x"}, {"a": "1", "b": "1"}).recall < 1.0


def test_score_of_empty_sets():
    assert Score.of(0, 0, 0).f1 == 1.0
    assert Score.of(0, 3, 0).precision == 0.0


def _report():
    return {
        "articles": [
            {"id": "A", "origin": "/x/one.txt", "removed": [{"line": 5}, {"line": 9}],
             "quotes": [{"text": "We will not back down,", "speaker": "Ana Ruiz", "anonymous": False}]},
            {"id": "B", "origin": "/x/two.txt", "removed": [], "quotes": []},
            {"id": "C", "origin": "/x/feed.jsonl:3", "source_id": "w-1", "removed": [], "quotes": []},
        ],
        "relations": [{"a": "A", "b": "B", "kind": "verbatim", "direction": "a_first", "score": 1.0}],
        "stories": [{"id": "s1", "articles": ["A", "B"], "lines": [["A", "B"]]},
                    {"id": "s2", "articles": ["C"], "lines": [["C"]]}],
    }


def test_evaluate_all_aspects():
    gold = {
        "articles": {
            "one.txt": {"story": "S", "boilerplate_lines": [5],
                        "direct_quotes": [{"text": "we will not back down", "speaker": "Ruiz"}]},
            "two.txt": {"story": "S", "boilerplate_lines": []},
            "w-1": {"story": "T"},
        },
        "relations": [{"a": "one.txt", "b": "two.txt", "kind": "verbatim", "direction": "a_first"}],
    }
    res = evaluate(gold, _report())
    assert res["stories"]["f1"] == 1.0
    assert res["reuse_kinds"]["f1"] == 1.0
    assert res["direction"]["accuracy"] == 1.0
    assert res["lines"]["f1"] == 1.0
    assert res["quotes"]["recall"] == 1.0 and res["quotes"]["speaker_accuracy"] == 1.0
    assert res["boilerplate"]["precision"] == 0.5 and res["boilerplate"]["recall"] == 1.0
    assert res["missing_articles"] == []


def test_evaluate_seeds_style_pair_gold():
    gold = {"articles": {"one.txt": {}, "two.txt": {}},
            "pair": {"same_story": True, "reuse_between_them": "none: independent"}}
    res = evaluate(gold, _report())
    assert res["stories"]["f1"] == 1.0
    # the report claims a copy that the gold says is not there
    assert res["reuse_pairs"]["precision"] == 0.0
    assert res["lines"]["precision"] == 0.0


def test_conflicts_must_cite_the_disagreeing_values():
    from newsprism.evaluate import evaluate

    report = {
        "articles": [{"id": "A", "origin": "a.txt"}, {"id": "B", "origin": "b.txt"}],
        "relations": [],
        "stories": [{"id": "s", "articles": ["A", "B"], "lines": [["A"], ["B"]], "conflicts": [
            {"slot": "number", "values": [{"value": "1,200 workers", "article": "A"},
                                          {"value": "1,500 workers", "article": "B"}]},
            {"slot": "number", "values": [{"value": "9 percent", "article": "A"},
                                          {"value": "6 percent", "article": "B"}]}]}],
    }
    gold = {"articles": {"a.txt": {"story": "S"}, "b.txt": {"story": "S"}},
            "stories": {"S": {"articles": ["a.txt", "b.txt"], "conflicts": [
                {"slot": "number", "values": {"a.txt": "about 1.200", "b.txt": "some 1,500"}}]}}}
    res = evaluate(gold, report)["conflicts"]
    assert res["recall"] == 1.0 and res["precision"] == 0.5


# --- article analysis aspects (newsprism.evaluate_analysis) ---


def test_roc_auc_perfect_reversed_ties_and_one_class():
    assert roc_auc([0.9, 0.8], [0.1, 0.2, 0.3]) == 1.0
    assert roc_auc([0.1, 0.2], [0.8, 0.9]) == 0.0
    assert roc_auc([0.5, 0.5], [0.5, 0.5]) == 0.5
    assert roc_auc([0.9, 0.2], [0.5]) == 0.5
    assert roc_auc([0.9], []) is None and roc_auc([], [0.1]) is None


def test_matching_helpers():
    assert same_person("Mark Milley", "Milley") and same_person("Renn", "Tobias Renn")
    assert not same_person("Elena Marsh", "Anton Vesely") and not same_person(None, "Renn")
    assert word_overlap("The sources", "Senior IDF sources familiar with the visit") == 1.0
    assert role_match("Transport Minister of Valmora", "Transport Minister")
    assert role_match("spokesman of the National Cyber Security Centre", "NCSC spokesman")  # acronym
    assert not role_match("Prime Minister", "Defense Minister")
    assert not role_match("director of Halden General Hospital", "Dr")


def _quote(text, speaker=None, anonymous=False, direct=True, **kw):
    return {"text": text, "speaker": speaker, "anonymous": anonymous, "direct": direct, **kw}


def test_wrong_speaker_lowers_attribution_not_detection():
    gold = {"a.txt": {"direct_quotes": [
        {"text": "We did not want this strike", "speaker": "Tobias Renn"},
        {"text": "fair and affordable", "speaker": "Helena Voss"},
        {"text_starts": "We wanted to propose", "speaker_description": "an Israeli official", "anonymous": True}]}}
    right = {"a.txt": {"quotes": [
        _quote("We did not want this strike, but", "Renn"), _quote("fair and affordable", "Helena Voss"),
        _quote("We wanted to propose to the new administration", anonymous=True, descriptor="an official"),
        _quote("an indirect statement", "Voss", direct=False)]}}
    s = score_quote_attribution(gold, right)
    assert (s["precision"], s["recall"]) == (1.0, 1.0)
    wrong = {"a.txt": {"quotes": [
        _quote("We did not want this strike, but", "Helena Voss"), _quote("fair and affordable", "Voss"),
        _quote("We wanted to propose to the new administration", "Biden"), _quote("an extra quote", "Renn")]}}
    s = score_quote_attribution(gold, wrong)
    assert s["detection"]["recall"] == 1.0 and s["detection"]["precision"] == 0.75
    assert s["precision"] == 0.25 and s["recall"] == round(1 / 3, 4)
    assert [w["gold"] for w in s["wrong_speaker"]] == ["Tobias Renn", "an Israeli official"]


def test_one_quotation_may_cover_gold_quotes_split_into_sentences():
    gold = {"a.txt": {"direct_quotes": [
        {"text": "Norrvik is betting on LFP cells.", "speaker": "Erik Brandvold"},
        {"text": "But European cell makers are under pressure", "speaker": "Erik Brandvold"}]}}
    both = _quote("Norrvik is betting on LFP cells. But European cell makers are under pressure,", "Brandvold")
    s = score_quote_attribution(gold, {"a.txt": {"quotes": [both]}})
    assert (s["precision"], s["recall"], s["predicted"]) == (1.0, 1.0, 1)
    s = score_quote_attribution(gold, {"a.txt": {"quotes": [both | {"speaker": "Ingrid Solberg"}]}})
    assert s["detection"]["f1"] == 1.0 and s["f1"] == 0.0 and len(s["wrong_speaker"]) == 2


def test_quote_attribution_split_by_language():
    gold = {"es.txt": {"language": "es", "direct_quotes": [{"text": "justa y asumible", "speaker": "Helena Voss"}]},
            "en.txt": {"language": "en", "direct_quotes": [{"text": "fair and affordable", "speaker": "Voss"}]}}
    rep = {"es.txt": {"quotes": [_quote("justa y asumible")]}, "en.txt": {"quotes": [_quote("fair and affordable", "Voss")]}}
    s = score_quote_attribution(gold, rep)
    assert s["by_language"]["en"]["f1"] == 1.0 and s["by_language"]["other"]["f1"] == 0.0
    assert s["detection"]["f1"] == 1.0


SOURCE = [
    "Headline",
    "",
    "Senior IDF sources said that Iran was the main topic. The sources stressed that the proxies matter.",
    "",
    'Milley said the IDF "is still the army of the Maccabees."',
    "",
    "Officers who were present said he showed deep commitment.",
]


def _reader(lines):
    return lambda origin: [((n, None), t) for n, t in enumerate(lines, 1)] if origin == "/x/a.txt" else None


def test_anonymous_sources_matched_by_source_line():
    text = "\n\n".join(x for x in SOURCE[2:] if x)
    gold = {"a.txt": {"attributed_statements": [
        {"line": 3, "speaker_description": "Senior IDF sources", "anonymous": True},
        {"line": 7, "speaker_description": "Officers who were present", "anonymous": True}]}}
    q1 = _quote("Iran was the main topic", anonymous=True, direct=False, descriptor="Senior IDF sources",
                start=text.index("Iran was"))
    q2 = _quote("the proxies matter", anonymous=True, direct=False, descriptor="The sources",
                start=text.index("the proxies"))  # same source, same line: a duplicate, not an error
    q3 = _quote("is still the army of the Maccabees.", anonymous=True, descriptor="Officers")  # wrong line
    rep = {"a.txt": {"origin": "/x/a.txt", "text": text, "quotes": [q1, q2, q3]}}
    s = score_anonymous_sources(gold, rep, read_source=_reader(SOURCE))
    assert s["duplicates"] == 1
    assert (s["precision"], s["recall"]) == (0.5, 0.5)
    assert s["missed"][0]["line"] == 7 and s["spurious"][0]["lines"] == ["5"]


def test_anonymous_sources_fall_back_to_descriptors_without_source():
    gold = {"a.txt": {"attributed_statements": [
        {"line": 3, "speaker_description": "Senior IDF sources familiar with the visit", "anonymous": True},
        {"line": 9, "speaker_description": "a named spokesman", "anonymous": False}],
        "direct_quotes": [{"line": 5, "text": "x", "speaker_description": "an Israeli official", "anonymous": True}]}}
    rep = {"a.txt": {"origin": "/missing.txt", "quotes": [
        _quote("Iran was the topic", anonymous=True, direct=False, descriptor="IDF sources"),
        _quote("We wanted", anonymous=True, descriptor="Israeli officials"),
        _quote("something", anonymous=True, direct=False, descriptor="analysts")]}}
    s = score_anonymous_sources(gold, rep, read_source=lambda origin: None)
    assert s["support"] == 2 and s["predicted"] == 3
    assert s["recall"] == 1.0 and s["precision"] == round(2 / 3, 4)
    assert s["recall_by_unit"]["direct"]["recall"] == 1.0


def test_read_source_units_and_locate(tmp_path):
    page = tmp_path / "p.html"
    page.write_text('<p>Intro</p>\n<p>A senior official said &quot;no deal&quot; was likely.</p>\n', encoding="utf-8")
    units = read_source_units(str(page))
    assert units[1] == ((2, None), ' A senior official said "no deal" was likely. ')
    assert locate(_quote("no deal"), "", units) == {(2, None)}
    feed = tmp_path / "f.jsonl"
    feed.write_text('{"id": "w-1", "text": "One.\\n\\nTwo, officials said."}\n'
                    '{"id": "w-2", "text": "Alpha.\\n\\nBeta, sources said."}\n', encoding="utf-8")
    units = read_source_units(f"{feed}:2")
    assert [loc for loc, _ in units] == [(2, 1), (2, 2)]
    assert locate(_quote("Beta"), "", units) == {(2, 2)}
    assert read_source_units(str(tmp_path / "nope.txt")) is None


ENT_TEXT = ("National Port Authority chief Helena Voss spoke. The NPA said talks failed. "
            "Voss left. Transport Minister Ivo Lang said the NPA must return.")


def _span(name, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = ENT_TEXT.index(name, start + 1)
    return {"start": start, "end": start + len(name), "text": name}


def test_alias_split_into_two_entities_lowers_merge_accuracy():
    gold = {"a.txt": {"entities": {"PERSON": ["Helena Voss", "Ivo Lang"], "ORG": ["National Port Authority"]},
                      "aliases": {"Helena Voss": ["Voss"], "National Port Authority": ["NPA"],
                                  "Ivo Lang": ["Transport Minister Ivo Lang"]}}}
    merged = [
        {"name": "Helena Voss", "label": "PERSON", "mentions": [_span("Helena Voss"), _span("Voss", 1)]},
        {"name": "Ivo Lang", "label": "PERSON", "mentions": [_span("Ivo Lang")]},
        {"name": "National Port Authority", "label": "ORG",
         "mentions": [_span("National Port Authority"), _span("NPA"), _span("NPA", 1)]},
    ]
    s = score_entities(gold, {"a.txt": {"text": ENT_TEXT, "entities": merged}})
    # "Transport Minister Ivo Lang" holds the full name: a titled form, not counted
    assert s["recall"] == 1.0 and s["precision"] == 1.0 and s["alias_merge"] == {"accuracy": 1.0, "aliases": 2}
    split = [merged[0], merged[1],
             {"name": "National Port Authority", "label": "GPE", "mentions": [_span("National Port Authority")]},
             {"name": "NPA", "label": "ORG", "mentions": [_span("NPA"), _span("NPA", 1)]},
             {"name": "Halden", "label": "GPE", "mentions": []}]
    s = score_entities(gold, {"a.txt": {"text": ENT_TEXT, "entities": split}})
    assert s["alias_merge"]["accuracy"] == 0.5 and s["unmerged_aliases"] == ["a.txt: NPA -> National Port Authority"]
    assert s["label_accuracy"] == round(2 / 3, 4)
    assert s["precision"] == 0.8  # "NPA" is a gold alias; "Halden" is not in the gold
    assert s["non_english"]["support"] == 0


def test_entity_name_recall_is_case_and_accent_insensitive_and_split_by_language():
    gold = {"en.txt": {"entities": {"PERSON": ["Ramón Ibarra", "Joe Biden"]}, "aliases": {"Joe Biden": ["Biden"]}},
            "es.txt": {"language": "es", "entities": {"ORG": ["Autoridad Portuaria"]}}}
    rep = {"en.txt": {"entities": [{"name": "ramon ibarra", "label": "PERSON", "mentions": []},
                                   {"name": "Biden", "label": "PERSON", "mentions": []}]},
           "es.txt": {"entities": []}}
    s = score_entities(gold, rep)
    assert s["recall"] == 0.5 and s["recall_name_or_alias"] == 1.0
    assert s["non_english"]["recall"] == 0.0 and s["non_english"]["support"] == 1


def test_roles_from_roles_list_or_entity_role():
    gold = {"a.txt": {"roles": {"Tobias Renn": "general secretary of the Union of Port and Dock Workers",
                                "Helena Voss": "chief executive of the National Port Authority",
                                "Ivo Lang": "Transport Minister of Valmora"}}}
    rep = {"a.txt": {"roles": [{"person": "Tobias Renn", "role": "UPDW general secretary"},
                               {"person": "Ivo Lang", "role": "Prime Minister"}],
                     "entities": [{"name": "Helena Voss", "label": "PERSON", "role": "NPA chief executive"}]}}
    s = score_roles(gold, rep)
    assert (s["precision"], s["recall"]) == (round(2 / 3, 4), round(2 / 3, 4))
    assert s["wrong"] == [{"article": "a.txt", "person": "Ivo Lang", "gold": "Transport Minister of Valmora",
                           "predicted": ["Prime Minister"]}]


def test_genre_base_and_language_accuracy():
    gold = {"a": {"genre": "news (insider-sourced scoop)", "language": "en"},
            "b": {"genre": "press_release", "language": "de"}, "c": {"genre": "opinion"}}
    rep = {"a": {"genre": "news", "language": "en"}, "b": {"genre": "news", "language": "de"}}
    g = score_label(gold, rep, "genre")
    assert g["accuracy"] == round(1 / 3, 4) and g["articles"] == 3
    assert score_label(gold, rep, "language") == {"accuracy": 1.0, "articles": 2, "wrong": []}


def test_mt_signal_auc_and_flag():
    gold = {"spun": {"provenance": {"kind": "machine rewrite (spun)"}},
            "orig": {"provenance": {"kind": "original"}}, "copy": {"provenance": {"kind": "verbatim republication"}}}
    rep = {k: {"signals": {"machine_translation": v}} for k, v in (("spun", 0.9), ("orig", 0.0), ("copy", 0.2))}
    s = score_mt_signal(gold, rep)
    assert s["auc"] == 1.0 and (s["positives"], s["negatives"]) == (1, 2) and s["at_0.5"]["f1"] == 1.0
    rep["orig"]["signals"]["machine_translation"] = 0.95
    s = score_mt_signal(gold, rep)
    assert s["auc"] == 0.5 and s["at_0.5"]["precision"] == 0.5


def test_evaluate_adds_analysis_aspects_and_rows():
    from newsprism.evaluate import accuracy_rows, summary_rows

    gold = {"articles": {"one.txt": {"story": "S", "genre": "news", "direct_quotes": [
        {"text": "we will not back down", "speaker": "Ruiz"}]}, "two.txt": {"story": "S"}, "w-1": {"story": "T"}}}
    res = evaluate(gold, _report(), read_source=lambda origin: None)
    assert res["quote_attribution"]["f1"] == 1.0
    for aspect in ("anonymous_sources", "entities", "roles", "genre", "language", "mt_signal"):
        assert aspect in res
    rows = {r[0]: r for r in summary_rows(res)}
    assert rows["quote_attribution"][3] == 1.0 and "stories" in rows
    acc = {r[0]: r for r in accuracy_rows(res)}
    assert acc["genre accuracy"][1] == 0.0  # the report gives no genre
    assert "language accuracy" not in acc  # no gold items: left out
