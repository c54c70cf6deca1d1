"""Story assignment through the real pipeline on articles written for the hard cases: the same
cast on a different occasion a month later, and the same event reported in another language."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsprism.pipeline import ingest, process
from newsprism.store import open_store

FIXTURES = Path(__file__).parent / "data" / "stories"


@pytest.fixture(scope="module")
def stories(models, tmp_path_factory):
    store = open_store(str(tmp_path_factory.mktemp("stories") / "s.db"))
    ingest(store, [str(FIXTURES)])
    process(store, models)
    by_name = {Path(a.origin).name: a.id for a in store.articles()}
    story_of = {aid: sid for sid, ms in store.story_members().items() for aid in ms}
    return {name: story_of[aid] for name, aid in by_name.items()}, store


def test_independent_reports_of_one_visit_share_a_story(stories):
    s, _ = stories
    assert s["01_trip_wire.txt"] == s["02_trip_daily.txt"]


def test_report_in_another_language_joins_through_the_multilingual_encoder(stories):
    s, _ = stories
    assert s["03_trip_es.txt"] == s["01_trip_wire.txt"]


def test_same_cast_a_month_later_is_another_story(stories):
    s, _ = stories
    assert s["04_gas_deal.txt"] != s["01_trip_wire.txt"]
    assert len(set(s.values())) == 2
