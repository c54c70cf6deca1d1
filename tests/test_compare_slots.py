from newsprism.compare import ordinals, quantities


def test_quantities_tie_numbers_to_nouns():
    q = quantities("Some 1,200 workers joined, and three unions backed the strike in 2024.")
    assert q["worker"][0] == 1200
    assert q["union"][0] == 3
    assert not any(v[0] == 2024 for v in q.values())


def test_quantities_scale_and_offsets():
    text = "The port handled 2.5 million containers."
    v, s, e = quantities(text)["container"]
    assert v == 2_500_000 and text[s:e] == "2.5"


def test_ordinals():
    o = ordinals("It was the third strike this year and the 4th visit.")
    assert o["strike"][0] == 3 and o["visit"][0] == 4
