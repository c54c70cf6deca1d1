from newsprism.slots import ordinals, quantities, tallies


def _by_key(text, **kw):
    return {q.key: q for q in quantities(text, **kw)}


def test_people_counts_share_one_key():
    a = _by_key("About 1,200 members of the union joined the stoppage.")
    b = _by_key("Some 1,500 dockworkers began a two-day strike.")
    assert a["people"].value == 1200 and b["people"].value == 1500


def test_years_and_clock_times_are_not_quantities():
    assert not quantities("It began at 6.30 in 2024.")


def test_money_with_scale_and_offsets():
    text = "The plant will cost 2.1 billion euros."
    q = _by_key(text)["money:EUR"]
    assert q.value == 2.1e9 and text[q.start:q.end].startswith("2.1 billion")


def test_continental_thousands_separator():
    assert _by_key("unas 3.000 hectáreas", language="es")["area:ha"].value == 3000
    assert _by_key("some 2,400 hectares")["area:ha"].value == 2400


def test_ordinals_of_events_only():
    o = ordinals("It was the third strike this year, the fourth time, a third of trade, the second half.")
    assert [q.value for q in o] == [3, 4]


def test_vote_tallies_compare_as_pairs():
    a, = tallies("Councillors voted 23 to 14 in favour.")
    b, = tallies("The plan passed by 24 votes to 13.")
    assert a.key == b.key == "tally" and a.value != b.value
    assert not tallies("Output grew from 2019 to 2024.")
