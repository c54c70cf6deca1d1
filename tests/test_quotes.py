"""Quotes, attributions and sourcing: one made-up fixture per hard case.

Every text here is invented for the test; none is taken from the demo corpus or the seeds.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from newsprism.analyze import analyze_article, load_nlp, sourcing_profile  # noqa: E402
from newsprism.analyze.quotemarks import find_quote_spans  # noqa: E402
from newsprism.analyze.quotes import extract_quotes  # noqa: E402
from newsprism.analyze.sourcing import anonymity_marker, describe_source  # noqa: E402
from newsprism.models import Analysis, Article, Quote  # noqa: E402


@pytest.fixture(scope="session")
def nlp():
    return load_nlp()


def _run(nlp, text: str) -> Analysis:
    result = analyze_article(Article(id="t", origin="test", text=text, raw=text), nlp=nlp)
    for quote in result.quotes:
        assert text[quote.start : quote.end] == quote.text
    return result


def _direct(result: Analysis) -> list[Quote]:
    return [q for q in result.quotes if q.direct]


def _indirect(result: Analysis) -> list[Quote]:
    return [q for q in result.quotes if not q.direct]


def _spans(text: str) -> list[str]:
    return [text[s.start : s.end] for s in find_quote_spans(text)]


# --- quote marks (no model) -------------------------------------------------------------------


def test_single_quotes_and_apostrophes():
    text = ("'The ferry will run again on Monday,' the operator said. It's the crew's call, "
            "and the dockers' union agrees.")
    assert _spans(text) == ["The ferry will run again on Monday,"]


def test_nested_quotes_are_part_of_the_outer_quote():
    assert _spans("“He told me ‘not again’ and hung up,” she said.") == [
        "He told me ‘not again’ and hung up,"]
    assert _spans("‘He said “no” to the offer,’ she said.") == ["He said “no” to the offer,"]


def test_plural_possessive_inside_single_quotes():
    text = "She called it 'the farmers' last chance' on Monday."
    assert _spans(text) == ["the farmers' last chance"]


def test_closing_mark_without_opening_mark_is_not_a_quote():
    text = 'or sell it to someone else," explains the analyst.\nThe hotel will close.'
    assert _spans(text) == []


def test_single_quotes_next_to_plural_possessives():
    text = "He spoke of 'so-called experts' who 'work three hours' a day and 'lazy' staff."
    assert _spans(text) == ["so-called experts", "work three hours", "lazy"]


def test_decades_and_stray_single_marks_are_not_quotes():
    assert _spans("Prices last rose like this in the '70s, and rock 'n' roll was young.") == ["n"]
    assert _spans("I can't 'do this\n\nNext paragraph.") == []


def test_straight_quote_reopened_in_next_paragraph_spans_both():
    text = '"The first part ends here.\n\n"The second part follows," he said.'
    assert _spans(text) == ["The first part ends here.\n\n\"The second part follows,"]


# --- direct quotes with speakers --------------------------------------------------------------


def test_speaker_after_quote_both_orders(nlp):
    text = ("Harbour engineer Dagny Quell inspected the quay on Friday. "
            "\"The wall will hold until the spring,\" said Dagny Quell.\n\n"
            "\"After that we need a new one,\" Quell said.")
    direct = _direct(_run(nlp, text))
    assert [q.text for q in direct] == ["The wall will hold until the spring,",
                                        "After that we need a new one,"]
    assert all(q.speaker == "Dagny Quell" and q.cue == "said" for q in direct)


def test_speaker_before_with_colon(nlp):
    text = "Councillor Ann Weiss said: “If you sell the land now, you will never get it back.”"
    direct = _direct(_run(nlp, text))
    assert len(direct) == 1 and direct[0].speaker == "Ann Weiss"


def test_colon_without_speech_verb(nlp):
    text = ("Councillor Ann Weiss had a blunt warning for the board: "
            "\"If you sell the land now, you will never get it back.\"")
    direct = _direct(_run(nlp, text))
    assert len(direct) == 1 and direct[0].speaker == "Ann Weiss"


def test_nested_quote_with_speaker_after(nlp):
    text = ("“She looked at me and said ‘never again’ before she walked out,” "
            "the neighbour, Piet Hollander, told reporters on Friday.")
    direct = _direct(_run(nlp, text))
    assert len(direct) == 1
    assert "‘never again’" in direct[0].text
    assert direct[0].speaker == "Piet Hollander" and not direct[0].anonymous


def test_pronoun_speaker_resolves_to_previous_person(nlp):
    text = ("Opposition leader Karl Dorn attacked the budget on Tuesday. "
            "\"This budget punishes families who can least afford it,\" he said.")
    direct = _direct(_run(nlp, text))
    assert direct[0].speaker == "Karl Dorn"


def test_pronoun_prefers_the_subject_over_a_nearer_object(nlp):
    text = ("Trade minister Arvid Berglund met union leader Ronja Brun in Bergen on Monday. "
            "\"We agreed on almost everything,\" he said.")
    direct = _direct(_run(nlp, text))
    assert direct[0].speaker == "Arvid Berglund"


def test_source_noun_with_a_name_in_apposition_is_named(nlp):
    text = ("\"Most patients want to stay at home until the end,\" said a spokesperson for the "
            "Coastal Hospice Association, Maria Tveit.")
    direct = _direct(_run(nlp, text))
    assert direct[0].speaker == "Maria Tveit" and not direct[0].anonymous


def test_pronoun_skips_people_named_inside_the_quote(nlp):
    text = ("Mayor Vera Brook spoke after the vote. "
            "“I called Peter Mollin last night and he agreed with the plan,” she said.")
    direct = _direct(_run(nlp, text))
    assert direct[0].speaker == "Vera Brook"


def test_quote_spanning_paragraphs_with_carry_over(nlp):
    text = ("Minister Vera Brook opened the new clinic on Monday. “We promised a clinic in "
            "every district and this is the first of many.\n\n"
            "“The second one opens in May, and the third before the end of the year,” she said."
            "\n\n“Nobody will have to drive an hour to see a doctor again.”")
    direct = _direct(_run(nlp, text))
    assert len(direct) == 2
    assert "\n\n" in direct[0].text and direct[0].speaker == "Vera Brook"
    assert direct[1].text.startswith("Nobody will have to drive")
    assert direct[1].speaker == "Vera Brook"  # carried over from the paragraph before


def test_carry_over_stops_at_another_person(nlp):
    text = ("“We will reopen the line next week,” rail manager Olaf Dunne said.\n\n"
            "Passenger groups led by Sigrun Sandvik were not convinced.\n\n"
            "“We have heard that every week since March.”")
    direct = _direct(_run(nlp, text))
    assert direct[0].speaker == "Olaf Dunne"
    assert direct[1].speaker is None


def test_quote_without_speaker(nlp):
    text = ("Hundreds of people gathered in the square on Sunday. "
            "\"Enough is enough for this town and its people,\" read one banner.")
    direct = _direct(_run(nlp, text))
    assert len(direct) == 1
    assert direct[0].speaker is None and not direct[0].anonymous


def test_embedded_quote_takes_the_sentence_subject(nlp):
    text = ("Foreign Minister Edda Lindqvist-Moe met her counterpart in Oslo. "
            "Lindqvist-Moe called the agreement \"a real turning point\" for the region.")
    direct = _direct(_run(nlp, text))
    assert direct[0].speaker == "Edda Lindqvist-Moe"


def test_partial_quote_in_reported_speech_is_also_an_attribution(nlp):
    text = ("Housing Minister Oskar Lindahl said rents in the city were \"simply too high\" "
            "and that new towers would follow. Critics call it a \"lazy plan\".")
    result = _run(nlp, text)
    direct = _direct(result)
    assert [q.text for q in direct] == ["simply too high"]  # the scare quote is skipped
    assert direct[0].speaker == "Oskar Lindahl"
    assert any(q.speaker == "Oskar Lindahl" and "rents in the city" in q.text
               for q in _indirect(result))


def test_quote_ending_a_sentence_does_not_take_the_next_sentence_cue(nlp):
    text = ("Asked about fishing rights, Minister Edda Lindqvist-Moe said the quota "
            "\"will stay exactly where it is\". A senior diplomat said the talks had gone well.")
    result = _run(nlp, text)
    assert _direct(result)[0].speaker == "Edda Lindqvist-Moe"
    assert any(q.anonymous and q.descriptor == "A senior diplomat" for q in _indirect(result))


# --- anonymous sources ------------------------------------------------------------------------


def test_plural_anonymous_sources_with_traits(nlp):
    text = ("Three senior Norwegian officials said the agreement would be signed next week. "
            "The deal was nearly complete, according to one of the officials.")
    first, second = _indirect(_run(nlp, text))
    assert first.anonymous and first.descriptor == "Three senior Norwegian officials"
    assert (first.affiliation, first.seniority, first.plural, first.count) == (
        "Norwegian", "senior", True, 3)
    assert second.anonymous and second.cue == "according to"
    assert second.descriptor == "one of the officials"
    assert (second.plural, second.count) == (False, 1)


def test_according_to_named_and_sentence_initial(nlp):
    text = ("According to people briefed on the negotiations, the union will accept the offer. "
            "The plant will close in June, according to Mayor Hedda Korhonen.")
    indirect = _indirect(_run(nlp, text))
    anon = [q for q in indirect if q.anonymous]
    assert anon and anon[0].text.startswith("the union will accept")
    assert anon[0].descriptor == "people briefed on the negotiations" and anon[0].plural
    assert any(q.speaker == "Hedda Korhonen" and q.cue == "according to" for q in indirect)


def test_count_and_one_of_them(nlp):
    text = ("Two people familiar with the talks said the offer had been improved overnight. "
            "One of them said the unions would accept it.")
    first, second = _indirect(_run(nlp, text))
    assert first.descriptor == "Two people familiar with the talks"
    assert (first.plural, first.count) == (True, 2)
    assert second.anonymous and second.descriptor.startswith("One of them")
    assert "Two people familiar with the talks" in second.descriptor
    assert (second.plural, second.count) == (False, 1)


def test_one_of_the_officials_direct_quote(nlp):
    text = ("Two senior Danish diplomats said the summit would be postponed. "
            "“We simply do not have a text that everyone can sign,” one of the diplomats said.")
    result = _run(nlp, text)
    quote = _direct(result)[0]
    assert quote.anonymous and quote.speaker is None
    assert quote.descriptor == "one of the diplomats" and quote.count == 1
    assert (quote.affiliation, quote.seniority) == ("Danish", "senior")  # from its antecedent


def test_speaking_on_condition_of_anonymity(nlp):
    text = ("A senior police officer, speaking on condition of anonymity because the inquiry "
            "is ongoing, said the suspect had been known to investigators for years.")
    [quote] = _indirect(_run(nlp, text))
    assert quote.anonymous and quote.descriptor == "A senior police officer"
    assert (quote.affiliation, quote.seniority, quote.plural) == ("police", "senior", False)
    assert quote.text.startswith("the suspect had been known")


def test_who_asked_not_to_be_named_makes_a_commentator_anonymous(nlp):
    text = ("A hospital nurse, who asked not to be named, said staff had been told to stay "
            "at home. Analysts said the closure would last a month.")
    indirect = _indirect(_run(nlp, text))
    assert [q.descriptor for q in indirect if q.anonymous] == ["A hospital nurse"]
    assert not any(q.descriptor == "Analysts" and q.anonymous for q in indirect)


def test_said_privately_singles_out_a_source(nlp):
    text = "\"Nobody expected the vote to be this close,\" one board member said privately."
    quote = _direct(_run(nlp, text))[0]
    assert quote.anonymous and quote.descriptor == "one board member" and quote.count == 1


def test_inverted_say_with_relative_clause(nlp):
    text = ("The ceasefire will hold for at least a week, say Egyptian officials who took part "
            "in the negotiations.")
    [quote] = _indirect(_run(nlp, text))
    assert quote.anonymous and quote.cue == "say"
    assert quote.descriptor == "Egyptian officials who took part in the negotiations"
    assert quote.text == "The ceasefire will hold for at least a week"


def test_definite_sources_inherit_traits(nlp):
    text = ("Senior army sources said the exercise would start on Monday.\n\n"
            "The sources said that two brigades would take part.")
    _, second = _indirect(_run(nlp, text))
    assert second.anonymous and second.descriptor == "The sources"
    assert (second.affiliation, second.seniority) == ("army", "senior")


def test_relayed_statement_inside_an_attribution_is_not_separate(nlp):
    text = ("The rebels told the mediators that they would withdraw by Friday, officials said.")
    indirect = _indirect(_run(nlp, text))
    assert len(indirect) == 1 and indirect[0].descriptor == "officials"


def test_belief_verbs_and_negated_cues(nlp):
    text = ("Local officials fear that the dam will not survive another flood. "
            "The minister has not said whether she will resign. "
            "Economists expect growth to slow.")
    indirect = _indirect(_run(nlp, text))
    assert [q.descriptor for q in indirect] == ["Local officials"]
    assert indirect[0].cue == "fear" and indirect[0].anonymous


def test_first_hand_told_me_and_told_outlet(nlp):
    text = ("The merger will cut about 400 jobs, two executives told me. "
            "The bank had already hired advisers, a person close to the board told the "
            "Evening Lantern. The chairman told reporters the sale was on track.")
    result = _run(nlp, text)
    cues = [q.cue for q in result.quotes]
    assert "told me" in cues and "told the Evening Lantern" in cues
    profile = sourcing_profile(result)
    assert profile["first_hand"] == 2
    assert profile["anonymous"] == 2 and profile["anonymous_plural"] == 1


def test_sourcing_profile_counts(nlp):
    text = ("“We will appeal,” club president Ola Berg said. Two officials said the fine was "
            "fair. “It is the right decision,” one of them said. The league said it would "
            "publish the ruling.")
    profile = sourcing_profile(_run(nlp, text))
    assert profile["named"] >= 1 and profile["named_speakers"] >= 1
    assert profile["anonymous"] == 2
    assert profile["anonymous_plural"] == 1 and profile["anonymous_singular"] == 1
    assert profile["direct"] == 2 and profile["indirect"] >= 1
    assert profile["relayed"] == profile["named"] + profile["anonymous"] - profile["first_hand"]


def test_as_stated_by_and_belief_adjective(nlp):
    text = ("The mayor offered to sell the land in October, as confirmed by the officials.\n\n"
            "Officials in the capital are afraid that the river will flood the farms.")
    indirect = _indirect(_run(nlp, text))
    assert [q.descriptor for q in indirect] == ["the officials", "Officials in the capital"]
    assert all(q.anonymous for q in indirect)
    assert indirect[1].affiliation is None  # "the capital" is a place word, not an institution


def test_according_to_outranks_the_statement_it_relays(nlp):
    text = ("Arvid Berglund explained that he had not yet met the new board, but said the "
            "company would stay in Oslo, according to a senior bank official.")
    indirect = _indirect(_run(nlp, text))
    assert len(indirect) == 1
    assert indirect[0].anonymous and indirect[0].descriptor == "a senior bank official"
    assert indirect[0].affiliation == "bank" and indirect[0].seniority == "senior"


def test_the_minister_refers_back_to_the_named_minister(nlp):
    text = ("Finance Minister Birgit Ekdahl presented the budget on Monday.\n\n"
            "The minister said the deficit would halve by next year.")
    [quote] = _indirect(_run(nlp, text))
    assert quote.speaker == "Birgit Ekdahl" and not quote.anonymous


def test_documents_and_groups_are_not_anonymous_sources(nlp):
    text = ("Unemployment rose to 7 percent in May, according to figures published by the "
            "statistics office. Opposition lawmakers said they would demand an inquiry.")
    assert not any(q.anonymous for q in _run(nlp, text).quotes)


def test_short_quote_with_cue_after_it(nlp):
    text = ("The new logo is \"far too dark\", according to Councillor Emil Strand, who "
            "voted against it.")
    result = _run(nlp, text)
    assert [q.speaker for q in _direct(result)] == ["Emil Strand"]


# --- text without a parse (other languages) ---------------------------------------------------


def test_plain_german_speaker_and_circles():
    text = ("„Wir werden die Schule im Herbst eröffnen“, sagte Bürgermeisterin Gudrun Albrecht "
            "am Montag. Aus Regierungskreisen hieß es, die Finanzierung sei gesichert.")
    quotes = extract_quotes(None, text, ())
    direct = [q for q in quotes if q.direct]
    assert direct[0].speaker == "Gudrun Albrecht"
    anon = [q for q in quotes if q.anonymous]
    assert anon and anon[0].descriptor == "Regierungskreisen" and anon[0].plural


def test_plain_spanish_anonymous_spokesperson_and_sources():
    text = ("\"No vamos a cerrar la fábrica\", aseguró un portavoz de la empresa, que pidió no "
            "ser identificado. Según fuentes sindicales, la plantilla votará el jueves.")
    quotes = extract_quotes(None, text, ())
    direct = [q for q in quotes if q.direct]
    assert direct[0].anonymous and direct[0].descriptor == "un portavoz de la empresa"
    indirect = [q for q in quotes if not q.direct]
    assert indirect[0].descriptor == "fuentes sindicales" and indirect[0].anonymous
    assert indirect[0].text.startswith("la plantilla")


def test_plain_french_compound_past_and_surname():
    text = ("La maire Marie Lefort a visité le chantier. « Nous reconstruirons le pont avant "
            "l'hiver », a déclaré Lefort.")
    direct = [q for q in extract_quotes(None, text, ()) if q.direct]
    assert direct[0].speaker == "Marie Lefort" and direct[0].cue == "déclaré"


def test_plain_spanish_relative_clause_is_not_content():
    text = ("Según un diplomático europeo, que pidió el anonimato, el acuerdo fue recibido con "
            "alivio.")
    [quote] = extract_quotes(None, text, ())
    assert quote.anonymous and quote.descriptor == "un diplomático europeo"
    assert quote.text.startswith("el acuerdo") and not quote.plural


def test_plain_partial_quote_keeps_the_reported_statement():
    text = ("La empresa no ha dado cifras, aunque un portavoz de la dirección aseguró que la "
            "fábrica \"seguirá abierta\" durante todo el verano.")
    quotes = extract_quotes(None, text, ())
    assert [q.direct for q in quotes] == [False, True]
    assert all(q.anonymous and q.descriptor == "un portavoz de la dirección" for q in quotes)


def test_plain_carry_over_only_for_a_quote_opening_its_sentence():
    text = ("„Wir bauen die Brücke neu“, sagte Bürgermeisterin Gudrun Albrecht.\n\n"
            "Der Minister Leopold Quast nannte den Plan ein „teures Abenteuer ohne Ende“.")
    direct = [q for q in extract_quotes(None, text, ()) if q.direct]
    assert direct[0].speaker == "Gudrun Albrecht"
    assert direct[1].speaker != "Gudrun Albrecht"


def test_plain_text_does_not_name_a_common_noun():
    text = "„Die Lage ist ernst“, sagte die Regierung am Abend."
    direct = [q for q in extract_quotes(None, text, ()) if q.direct]
    assert direct[0].speaker is None


# --- descriptors (no model) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("descriptor", "affiliations", "expected"),
    [
        ("two senior French officials", (), ("French", "senior", True, 2)),
        ("one of the officials", (), (None, None, False, 1)),
        ("A senior health ministry official", (), ("health ministry", "senior", False, None)),
        ("A police source", (), ("police", None, False, None)),
        ("two high-ranking army commanders", (), ("army", "high-ranking", True, 2)),
        ("An official at the regional energy ministry", (),
         ("regional energy ministry", None, False, None)),
        ("A spokesperson for the Ministry of Trade", (), ("Ministry of Trade", None, False, None)),
        ("Senior NATO sources familiar with the plan", ("NATO",), ("NATO", "senior", True, None)),
        ("people familiar with the talks", (), (None, None, True, None)),
        ("Several officials", (), (None, None, True, None)),
        ("Local officials", (), (None, None, True, None)),
        ("fuentes del sector", (), (None, None, True, None)),
    ],
)
def test_describe_source(descriptor, affiliations, expected):
    traits = describe_source(descriptor, affiliations=affiliations)
    assert (traits.affiliation, traits.seniority, traits.plural, traits.count) == expected


def test_anonymity_markers():
    assert anonymity_marker("a diplomat, speaking on condition of anonymity, said")
    assert anonymity_marker("who asked not to be named")
    assert anonymity_marker("who were not authorized to discuss the case publicly")
    assert anonymity_marker("que pidió no ser identificada")
    assert anonymity_marker("der namentlich nicht genannt werden wollte")
    assert anonymity_marker("a senior minister said on Monday") is None
