from newsprism.evaluate import Score, bcubed, evaluate


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
