"""Content terms and rarity-weighted overlap (the lexical half of story assignment)."""

from collections import Counter

from newsprism.terms import DocumentFrequencies, content_terms


def test_content_terms_drop_stop_words_numbers_and_short_words():
    assert content_terms("The union said 1,200 of its members at Gate 4 walked out.") == {
        "union", "said", "members", "gate", "walked"}
    assert "para" not in content_terms("Una huelga para el puerto", "es")
    assert "huelga" in content_terms("Una huelga para el puerto", "es")


def test_rare_shared_words_weigh_more_than_common_ones():
    df = DocumentFrequencies()
    for _ in range(20):
        df.add({"port", "strike"})
    df.add({"stadium"})
    assert df.idf("stadium") > df.idf("port")
    story = Counter({"port": 3, "strike": 3, "stadium": 1})
    assert df.cosine(frozenset({"stadium", "port"}), story) > df.cosine(frozenset({"port", "quay"}), story)
    assert df.cosine(frozenset(), story) == 0.0 and df.cosine(frozenset({"x"}), Counter()) == 0.0


def test_frequencies_rebuild_from_story_counts():
    df = DocumentFrequencies([Counter({"port": 2}), Counter({"port": 1, "dam": 1})])
    assert df.df["port"] == 3 and df.df["dam"] == 1
    df.remove({"port": 1})
    assert df.df["port"] == 2
