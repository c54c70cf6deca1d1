"""frame_story on hand-made articles: headline and lead focus, lead angle, tone, sourcing."""

import re
from dataclasses import asdict

import pytest

from newsprism.framing import (
    Framing,
    FramingConfig,
    frame_story,
    framing_table,
    tone_label,
)
from newsprism.models import Analysis, Article, Claim, Entity, Quote, Slot, Span

BODY = [
    "The union is demanding a nine percent pay rise over two years and limits on night shifts.",
    "The port authority has offered four percent and a one-off bonus to every worker.",
    "Shipping lines said dozens of container vessels were waiting at anchor outside the harbour.",
]


def _record(aid, title, sentences, *, entities=(), quotes=(), language="en", genre="news",
            dates=()):
    """An article and its analysis; entity mentions and date slots are found in the text."""
    text = " ".join(sentences)
    spans, pos = [], 0
    for s in sentences:
        spans.append(Span(pos, pos + len(s), s))
        pos += len(s) + 1
    ents = []
    for name, label, forms in entities:
        found = sorted({(m.start(), m.end(), m.group()) for f in forms
                        for m in re.finditer(rf"(?<!\w){re.escape(f)}(?!\w)", text)})
        ents.append(Entity(name, label, tuple(Span(*x) for x in found)))
    claims = []
    for d in dates:
        i = text.index(d)
        claims.append(Claim(d, i, i + len(d), (Slot("date", "date", d, d, i, i + len(d)),)))
    art = Article(id=aid, origin=aid, text=text, raw=text, title=title, language=language)
    an = Analysis(aid, language, tuple(spans), entities=tuple(ents), quotes=tuple(quotes),
                  claims=tuple(claims), genre=genre)
    return art, an


def _frame(*records, **kw):
    return {f.article: f for f in frame_story({a.id: a for a, _ in records},
                                              {a.id: an for a, an in records}, **kw)}


class FixedSentiment:
    """Compound score per sentence from a table; records what it was asked."""

    def __init__(self, scores):
        self.scores, self.seen = scores, []

    def polarity_scores(self, text):
        self.seen.append(text)
        return {"compound": self.scores.get(text, 0.0)}


RENN = ("Tobias Renn", "PERSON", ["Tobias Renn", "Renn"])
VOSS = ("Helena Voss", "PERSON", ["Helena Voss", "Voss"])
PORT = ("Port Elsin", "GPE", ["Port Elsin", "PORT ELSIN"])
CLUB = ("Port Elsin FC", "ORG", ["Port Elsin FC"])
NORP = ("Valmoran", "NORP", ["Valmoran"])


def test_headline_focus_is_the_entity_named_first_in_the_title():
    sents = ["Tobias Renn said the strike would go on.", "Helena Voss urged talks."] + BODY
    rec = _record("a", "Voss rejects demands as Renn vows to fight on", sents,
                  entities=[RENN, VOSS])
    f = _frame(rec, sentiment=FixedSentiment({}))["a"]
    # Renn comes first in the text and the entity list, but Voss leads the headline.
    assert f.headline_focus == "Helena Voss"
    assert f.headline_event == "rejects demands"  # main clause, without the leading entity
    assert f.lead_focus == "Tobias Renn"


def test_headline_focus_ties_go_to_the_longer_name_and_demonyms_come_last():
    sents = ["Port Elsin FC will play at Pier 9 in Port Elsin from 2028."] + BODY
    tie = _record("tie", "Port Elsin FC gets a new stadium", sents, entities=[PORT, CLUB])
    norp = _record("norp", "Valmoran fans cheer as Port Elsin FC wins vote",
                   ["Valmoran supporters cheered."] + sents, entities=[NORP, CLUB, PORT])
    cut = _record("cut", "Council backs 180 million euro stadium for Port Elsin FC on Pier 9",
                  sents, entities=[PORT, CLUB])
    out = _frame(tie, norp, cut, sentiment=FixedSentiment({}))
    assert out["tie"].headline_focus == "Port Elsin FC"
    assert out["tie"].headline_event == "gets a new stadium"
    assert out["norp"].headline_focus == "Port Elsin FC"
    assert out["norp"].headline_event == "valmoran fans cheer"
    assert out["cut"].headline_event == "council backs 180 million euro stadium"  # not "... port"


def test_headline_event_skips_labels_and_none_without_entities():
    rec = _record("op", "Opinion: the dockers are not the villains of this long strike", BODY)
    f = _frame(rec, sentiment=FixedSentiment({}))["op"]
    assert f.headline_focus is None
    assert f.headline_event == "dockers are not the villains of this long"
    assert len(f.headline_event.split()) <= FramingConfig().event_max_words


def test_lead_focus_skips_the_dateline():
    sents = ["PORT ELSIN, March 2 (MPA) – Tobias Renn called the strike after talks failed."] + BODY
    rec = _record("d", "Dockers strike", sents, entities=[PORT, RENN])
    assert _frame(rec, sentiment=FixedSentiment({}))["d"].lead_focus == "Tobias Renn"


def test_lead_angle_tells_two_leads_apart():
    config = FramingConfig(lead_words=10)  # the lead is each article's first sentence
    a = _record("a", "Cranes fall silent",
                [("On Monday container cranes at the port fell silent at dawn as dockworkers "
                  "walked out."), *BODY, "Ferries stood idle later in the week."],
                dates=["On Monday"])
    b = _record("b", "Talks collapse",
                [("On Tuesday overnight pay talks collapsed at the ministry and dockworkers "
                  "walked out."), *BODY],
                dates=["On Tuesday"])
    out = _frame(a, b, config=config, sentiment=FixedSentiment({}))
    angle_a, angle_b = set(out["a"].lead_angle), set(out["b"].lead_angle)
    assert {"cranes", "silent"} <= angle_a and {"talks", "collapsed"} <= angle_b
    assert not angle_a & angle_b
    # words both leads use are no angle; dates are no angle; nothing from past the lead
    assert not (angle_a | angle_b) & {"dockworkers", "walked", "monday", "tuesday", "union",
                                      "ferries"}
    assert len(out["a"].lead_angle) == config.angle_terms


def test_lead_angle_compares_only_leads_of_one_language():
    en = _record("en", "Strike", ["Dockworkers walked out at the port on Monday."] + BODY)
    es = _record("es", "Huelga", ["Los estibadores del puerto cumplen el segundo día de huelga."],
                 language="es")
    out = _frame(en, es, sentiment=FixedSentiment({}))
    assert out["en"].lead_angle == () and out["es"].lead_angle == ()


def test_vader_labels_clearly_negative_and_positive_english():
    neg = _record("neg", "Deadly attack", [
        "Three people were killed and dozens injured in a horrific attack on the market.",
        "Survivors described scenes of terror, panic and grief.",
        "Police said the violence was the worst the city had suffered in years.",
    ])
    pos = _record("pos", "Celebrations", [
        "Residents celebrated a wonderful victory as the new hospital finally opened.",
        "Families said they were grateful, proud and happy to see the project succeed.",
        "The mayor praised the excellent work of the volunteers.",
    ])
    out = _frame(neg, pos)  # the real VADER analyzer, built lazily
    assert out["neg"].tone_label == "negative" and out["neg"].tone < -0.5
    assert out["pos"].tone_label == "positive" and out["pos"].tone > 0.5


def test_tone_is_the_mean_over_sentences_against_named_cut_offs():
    sents = ["First sentence here.", "Second sentence here.", "Third sentence here."]
    rec = _record("t", "T", sents)
    fake = FixedSentiment({sents[0]: -0.6, sents[1]: 0.0, sents[2]: 0.3})
    f = _frame(rec, sentiment=fake)["t"]
    assert f.tone == pytest.approx(-0.1) and fake.seen == sents
    assert f.tone_label == "negative"
    lenient = FramingConfig(tone_negative_below=-0.2)
    assert _frame(rec, sentiment=fake, config=lenient)["t"].tone_label == "neutral"
    assert tone_label(0.12) == "positive" and tone_label(0.05) == "neutral"
    assert tone_label(None) == "n/a"


def test_spanish_article_gets_no_tone():
    es = _record("es", "Terrible huelga en el puerto",
                 ["Una huelga terrible paraliza el puerto.", "No hay acuerdo."], language="es")

    class Refuses:
        def polarity_scores(self, text):
            raise AssertionError("the English lexicon must not score Spanish text")

    f = _frame(es, sentiment=Refuses())["es"]
    assert f.tone is None and f.tone_label == "n/a"


def test_sourcing_counts_match_the_quotes():
    quotes = [
        Quote("We will not back down", 0, 10, speaker="Tobias Renn", cue="said"),
        Quote("The offer is fair", 20, 30, speaker="Helena Voss", direct=False, cue="said"),
        Quote("Renn again", 40, 50, speaker="Tobias Renn", cue="told"),
        Quote("talks may resume", 60, 70, anonymous=True, descriptor="a senior official",
              direct=False),
        Quote("no comment", 80, 90),
    ]
    rec = _record("q", "Q", BODY, quotes=quotes, genre="analysis")
    f = _frame(rec, sentiment=FixedSentiment({}))["q"]
    assert f.sourcing == {"total": 5, "named": 3, "anonymous": 1, "unattributed": 1,
                          "direct": 3, "indirect": 2, "named_speakers": 2}
    assert f.genre == "analysis"


def test_framings_are_plain_data_in_article_order_and_tabulate():
    a = _record("a", "Voss rejects demands", ["Voss spoke.", *BODY], entities=[VOSS])
    b = _record("b", "Renn | vows to fight", ["Renn spoke.", *BODY], entities=[RENN])
    out = frame_story({"b": b[0], "a": a[0]}, {"a": a[1], "b": b[1]},
                      sentiment=FixedSentiment({}))
    assert [f.article for f in out] == ["b", "a"]
    d = asdict(out[0])
    assert set(d) == set(Framing.__slots__) and d["sourcing"]["total"] == 0
    table = framing_table(out, names={"a": "Outlet A"}).splitlines()
    assert len(table) == 4 and "Outlet A" in table[3] and "Helena Voss" in table[3]
    assert table[2].count("|") == table[0].count("|")  # the "|" in b's headline is escaped


def test_missing_analysis_is_an_error():
    a, _ = _record("a", "T", BODY)
    with pytest.raises(ValueError, match="no analysis"):
        frame_story({"a": a}, {}, sentiment=FixedSentiment({}))
