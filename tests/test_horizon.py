"""The time horizon of the relate and cluster stages: what a run loads, and what it changes.

Articles, analyses and vectors are written by the tests (sentence vectors are hashes of the
sentence text, so identical texts get identical vectors): relate and cluster need no models.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from typer.testing import CliRunner

from newsprism.cli import app
from newsprism.embed import ArticleVectors
from newsprism.models import COPY_KINDS, Analysis, Article, Span
from newsprism.pipeline import cluster_pending, relate_pending
from newsprism.progress import NullProgress
from newsprism.settings import Settings
from newsprism.store import Store, open_store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

_WORDS = ("harbour council budget river bridge festival museum railway school hospital election "
          "harvest storm market port library stadium orchestra ferry airport court mine forest "
          "tunnel canal garden factory theatre observatory").split()


def _text(seed: int) -> str:
    """Five distinct sentences, one topic per seed (fictional)."""
    rng = np.random.default_rng(seed)
    return " ".join(" ".join(rng.choice(_WORDS, 12)).capitalize() + f" in Valmora {seed}-{i}."
                    for i in range(5))


def _vec(text: str, dim: int) -> np.ndarray:
    rng = np.random.default_rng(int(hashlib.sha1(text.encode()).hexdigest()[:8], 16))
    v = rng.standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def _add(store: Store, aid: str, text: str, published: datetime | None) -> None:
    """Store one article with its analysis (sentences) and hash vectors."""
    spans = tuple(Span(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[^.]+\.", text))
    spans = tuple(Span(s.start + len(s.text) - len(s.text.lstrip()), s.end, s.text.strip()) for s in spans)
    store.add_articles([Article(id=aid, origin=f"test:{aid}", text=text, raw=text, title=f"Title {aid}",
                                language="en", published_at=published, outlet=f"{aid}.example")])
    store.save_analyses([Analysis(article_id=aid, language="en", sentences=spans)])
    sent = np.stack([_vec(s.text, 384) for s in spans])
    ml = np.stack([_vec(s.text, 512) for s in spans])
    store.save_vectors([ArticleVectors(aid, _unit(sent.mean(0)), sent, _unit(ml.mean(0)), ml)])


def _run(store: Store, settings: Settings) -> None:
    relate_pending(store, settings=settings, progress=NullProgress())
    cluster_pending(store, settings=settings, progress=NullProgress())


def _settings(days: float | None) -> Settings:
    return Settings().with_horizon(days)


def test_with_horizon_sets_both_stages():
    s = Settings().with_horizon(12.5)
    assert (s.relate.horizon_days, s.cluster.horizon_days) == (12.5, 12.5)
    none = s.with_horizon(None)
    assert (none.relate.horizon_days, none.cluster.horizon_days) == (None, None)
    assert replace(none, relate=s.relate, cluster=s.cluster) == s  # nothing else changed


@pytest.mark.parametrize("together", [False, True], ids=["two-runs", "one-run"])
@pytest.mark.parametrize("days", [30.0, None])
def test_horizon_keeps_a_late_copy_apart(tmp_path, days, together):
    """A verbatim copy published a year after its original: related and in the same story only
    without a horizon, whether the two arrive in one run or in two."""
    store = open_store(str(tmp_path / "h.db"))
    text = _text(1)
    _add(store, "orig", text, T0)
    if not together:
        _run(store, _settings(days))
    _add(store, "late", text, T0 + timedelta(days=365))
    _run(store, _settings(days))
    rels = store.relations(["late"])
    stories = store.stories_of(["orig", "late"])
    if days is None:
        assert [r.kind in COPY_KINDS for r in rels] == [True]
        assert stories["late"] == stories["orig"]
    else:
        assert rels == []
        assert stories["late"] != stories["orig"]
        assert len(store.story_states()) == 2  # the old story was left as it was


def _outcome(store: Store) -> tuple[set, set]:
    ids = [a.id for a in store.articles()]
    rels = {(r.a, r.b, r.kind) for r in store.relations(ids)}
    by_story: dict[str, set[str]] = {}
    for aid, sid in store.stories_of(ids).items():
        by_story.setdefault(sid, set()).add(aid)
    return rels, {frozenset(m) for m in by_story.values()}


def test_one_run_relates_and_clusters_as_run_by_run(tmp_path):
    """A corpus spanning months gives the same relations and stories in one run as day by day:
    the horizon limits pairs and joins, not only what a run loads."""
    corpus = [("a0", 1, 0), ("a1", 1, 2), ("a2", 1, 45), ("b0", 2, 50), ("b1", 2, 51),
              ("a3", 1, 120), ("c0", 3, 121), ("u", 2, None)]
    settings = _settings(30.0)
    one, daily = open_store(str(tmp_path / "one.db")), open_store(str(tmp_path / "daily.db"))
    for aid, topic, day in corpus:
        _add(one, aid, _text(topic), None if day is None else T0 + timedelta(days=day))
    _run(one, settings)
    for aid, topic, day in corpus:
        _add(daily, aid, _text(topic), None if day is None else T0 + timedelta(days=day))
        _run(daily, settings)
    rels, stories = _outcome(one)
    assert (rels, stories) == _outcome(daily)
    related = {frozenset((a, b)) for a, b, _ in rels}
    assert frozenset(("a0", "a1")) in related and frozenset(("b0", "b1")) in related
    assert not any(p & {"a2", "a3"} and p & {"a0", "a1"} for p in related)  # 45+ days apart
    assert frozenset(("u", "b0")) in related  # undated: never ruled out by time
    assert {"a0", "a1"} in stories and {"a2"} in stories and {"a3"} in stories


def test_store_reads_only_the_window(store_url):
    store = open_store(store_url)
    for i, day in enumerate([0, 10, 20, 40]):
        _add(store, f"d{day}", _text(10 + i), T0 + timedelta(days=day))
    _add(store, "undated", _text(20), None)
    # another UTC offset, stored as written: 2026-03-13T01:00+02:00 is 2026-03-12T23:00 UTC
    _add(store, "zoned", _text(21), datetime(2026, 3, 13, 1, 0, tzinfo=timezone(timedelta(hours=2))))
    lo, hi = T0 + timedelta(days=5), T0 + timedelta(days=10, hours=14)
    assert store.ids_published_between(lo, hi, include_undated=True) == ["d10", "undated", "zoned"]
    assert store.ids_published_between(lo, hi - timedelta(hours=1), include_undated=False) == ["d10"]
    assert set(store.languages(["d10", "nope"])) == {"d10"}
    assert set(store.ids_with_vectors(["d0", "d40"])) == {"d0", "d40"}

    _run(store, _settings(None))  # distinct topics: one story per article
    states = store.story_states()
    assert len(states) == 6
    active = {m for d in store.story_states(active_since=T0 + timedelta(days=15)) for m in d["members"]}
    assert active == {"d20", "d40", "undated"}  # the undated story can still be joined
    assert store.story_states(active_since=None) == states


def _loads(store: Store, monkeypatch) -> dict[str, int]:
    """Record how many rows each index read returns (the memory a run holds)."""
    seen: dict[str, int] = {}
    for name in ("signatures", "doc_vectors", "languages", "story_states"):
        orig = getattr(store, name)

        def wrapped(*args, _orig=orig, _name=name, **kwargs):
            out = _orig(*args, **kwargs)
            seen[_name] = seen.get(_name, 0) + len(out)
            return out
        monkeypatch.setattr(store, name, wrapped)
    return seen


@pytest.mark.parametrize("n_old", [20, 60])
def test_run_loads_do_not_grow_with_old_articles(tmp_path, monkeypatch, n_old):
    """A run's index reads count only the articles and stories within the horizon."""
    store = open_store(str(tmp_path / f"m{n_old}.db"))
    settings = _settings(30.0)
    for i in range(n_old):  # a year ago, one story each
        _add(store, f"old{i}", _text(100 + i), T0 - timedelta(days=365) + timedelta(hours=i))
    _run(store, settings)
    assert len(store.story_states()) == n_old
    _add(store, "recent", _text(7), T0 - timedelta(days=3))
    _run(store, settings)
    text = _text(8)
    _add(store, "new", text, T0)
    _add(store, "copy", text, T0 + timedelta(hours=2))
    seen = _loads(store, monkeypatch)
    _run(store, settings)
    # relate: recent + the two new ones (signed in this run, so only recent's signature is read);
    # cluster: recent's story and its member's vectors, then the new articles' vectors
    assert seen == {"signatures": 1, "languages": 3, "doc_vectors": 3 + 1 + 2, "story_states": 1}
    assert store.stories_of(["copy"])["copy"] == store.stories_of(["new"])["new"]
    assert len(store.story_states()) == n_old + 2


_REPUBLISHED = (
    "The Valmora harbour authority opened a new ferry terminal in Port Elsin on Monday. "
    "The terminal cost 40 million crowns and took three years to build. "
    "Mayor Ines Tarrow said the building would shorten crossings to the islands by an hour. "
    "Ferry operators expect passenger numbers to double within five years. "
    "Critics said the money should have gone to the city's ageing tram network."
)


def _cli_run(tmp_path, name: str, *extra: str) -> dict:
    res = CliRunner().invoke(app, ["run", str(tmp_path / "in.jsonl"), "--db", str(tmp_path / f"{name}.db"),
                                   "--out", str(tmp_path / name), "-q", *extra])
    assert res.exit_code == 0, res.output
    return json.loads((tmp_path / name / "report.json").read_text(encoding="utf-8"))


def test_cli_horizon_option(tmp_path):
    """`run --horizon none` relates a piece republished a year later to its original; the
    default horizon keeps them apart; a bad value stops before anything is stored."""
    rows = [{"id": "orig", "url": "https://a.example/terminal", "title": "Ferry terminal opens",
             "text": _REPUBLISHED, "published": "2025-03-02T09:00:00Z"},
            {"id": "again", "url": "https://b.example/terminal", "title": "Ferry terminal opens",
             "text": _REPUBLISHED, "published": "2026-03-02T09:00:00Z"}]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    default = _cli_run(tmp_path, "default")
    assert default["relations"] == []
    assert len(default["stories"]) == 2
    unlimited = _cli_run(tmp_path, "unlimited", "--horizon", "none")
    assert [r["kind"] for r in unlimited["relations"]] == ["verbatim"]
    assert len(unlimited["stories"]) == 1
    for bad in ("abc", "0", "-3", "inf"):
        res = CliRunner().invoke(app, ["run", str(tmp_path / "in.jsonl"), "--db", str(tmp_path / "bad.db"),
                                       "--horizon", bad, "-q"])
        assert res.exit_code == 2 and "--horizon" in res.output, (bad, res.output)
    assert not (tmp_path / "bad.db").exists()
    (tmp_path / "feeds.txt").write_text("http://127.0.0.1:9/feed.xml\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["watch", str(tmp_path / "feeds.txt"), "--db", str(tmp_path / "w.db"),
                                   "--once", "--horizon", "soon", "-q"])
    assert res.exit_code == 2 and "--horizon" in res.output, res.output
