"""End to end: the CLI on the bundled demo corpus, scored against its gold with `newsprism eval`."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from newsprism.cli import app, demo_corpus, demo_gold

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture(scope="module")
def scores(demo_run):
    out, _ = demo_run
    res = runner.invoke(app, ["eval", "--gold", str(demo_gold()), str(out / "report.json"), "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_demo_writes_three_reports(demo_run):
    out, report = demo_run
    for name in ("report.json", "report.md", "report.html"):
        assert (out / name).stat().st_size > 1000
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script src" not in html and "<link rel=\"stylesheet\"" not in html  # self-contained
    assert report["schema_version"] == "1"


def test_report_follows_the_published_schema(demo_run):
    schema = json.loads((REPO / "docs" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(demo_run[1], schema)


def test_every_demo_article_is_in_the_report(demo_run, scores):
    n_files = sum(1 for p in demo_corpus().iterdir() if p.suffix in (".txt", ".html"))
    assert len(demo_run[1]["articles"]) >= n_files
    assert scores["missing_articles"] == []


def test_stories_match_gold(scores):
    assert scores["stories"]["f1"] >= 0.95, scores["stories"]


def test_reuse_pairs_and_kinds_match_gold(scores):
    assert scores["reuse_pairs"]["f1"] >= 0.9, scores["reuse_pairs"]
    assert scores["reuse_kinds"]["f1"] >= 0.9, scores["reuse_per_kind"]
    for kind in ("verbatim", "near_verbatim", "spin", "translation"):
        assert scores["reuse_per_kind"][kind]["f1"] == 1.0, (kind, scores["reuse_per_kind"][kind])


def test_direction_of_copies(scores):
    assert scores["direction"]["accuracy"] >= 0.9, scores["direction"]


def test_reporting_lines_match_gold(scores):
    assert scores["lines"]["f1"] >= 0.95, scores["lines"]


def test_boilerplate_matches_gold(scores):
    assert scores["boilerplate"]["precision"] >= 0.95, scores["boilerplate"]
    assert scores["boilerplate"]["recall"] >= 0.95, scores["boilerplate"]


def test_conflicts_between_lines(scores, demo_run):
    # 15 gold conflicts: 8 contradictions (7 found), 2 scope differences, 5 vague-vs-precise
    # figures, 3 of them across languages (BENCHMARKS.md "Compare")
    assert scores["conflicts"]["precision"] >= 0.9, scores["conflicts"]
    assert scores["conflicts"]["recall"] >= 0.6, scores["conflicts"]
    assert scores["conflict_kinds"]["accuracy"] >= 0.75, scores["conflict_kinds"]
    slots = [{c["slot"] for c in s["conflicts"]} for s in demo_run[1]["stories"]]
    assert any({"number", "ordinal"} <= x for x in slots)  # the two reports that disagree on both


def test_facts_corroborated_across_lines_and_unique_to_one(scores):
    assert scores["facts"]["recall"] >= 0.55 and scores["facts"]["precision"] >= 0.45, scores["facts"]
    assert scores["unique_facts"]["recall"] >= 0.3, scores["unique_facts"]


def test_story_view_carries_sources_quotes_and_framing(demo_run):
    stories = demo_run[1]["stories"]
    n_articles = sum(len(s["articles"]) for s in stories)
    assert sum(len(s["framing"]) for s in stories) == n_articles
    assert all(s["sources"] for s in stories)
    # the spun copy rewords quotes of its original: flagged as mutated against the line's original
    assert any(v["mutated"] for s in stories for g in s["quotes"] for v in g["variants"])
    # verbatim copies never mutate a quote
    verbatim = {(r["a"], r["b"]) for r in demo_run[1]["relations"] if r["kind"] == "verbatim"}
    copies = {x for pair in verbatim for x in pair}
    for s in stories:
        for g in s["quotes"]:
            ref = g["variants"][0]["article"]
            for v in g["variants"][1:]:
                if ref in copies and v["article"] in copies and ((ref, v["article"]) in verbatim
                                                                 or (v["article"], ref) in verbatim):
                    assert not v["mutated"], (g, v)


def test_quotes_found(scores):
    assert scores["quotes"]["recall"] >= 0.85, scores["quotes"]


def test_offsets_cite_the_text(demo_run):
    report = demo_run[1]
    arts = {a["id"]: a for a in report["articles"]}
    for a in report["articles"]:
        for q in a["quotes"]:
            assert 0 <= q["start"] < q["end"] <= len(a["text"])
        for e in a["entities"]:
            for m in e["mentions"]:
                assert a["text"][m["start"]:m["end"]] == m["text"]
    for s in report["stories"]:
        for f in s["facts"]:
            assert f["lines"] >= 2
            for c in f["support"]:
                assert c["end"] <= len(arts[c["article"]]["text"])
        for k in s["conflicts"]:
            for v in k["values"]:
                assert v["value"].split()[0] in arts[v["article"]]["text"][v["start"]:v["end"] + 1] or \
                    arts[v["article"]]["text"][v["start"]:v["end"]] in v["value"]


def test_stories_story_compare_report_commands(demo_run):
    out, report = demo_run
    db = str(out / "newsprism.db")
    res = runner.invoke(app, ["stories", "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    listed = json.loads(res.output)
    assert {s["id"] for s in listed} == {s["id"] for s in report["stories"]}
    biggest = max(report["stories"], key=lambda s: len(s["articles"]))
    page = out / "story.html"
    res = runner.invoke(app, ["story", biggest["id"][:6], "--db", db, "--html", str(page)])
    assert res.exit_code == 0 and "L1: original" in res.output, res.output
    for section in ("Corroboration", "Who is quoted", "Framing"):
        assert section in res.output
    html = page.read_text(encoding="utf-8")
    assert biggest["label"].split(":")[0] in html and "Who is quoted" in html
    other = next(s for s in report["stories"] if s["id"] != biggest["id"])
    assert other["label"] not in html  # only the one story and its articles
    assert runner.invoke(app, ["story", "zzz-no-such", "--db", db]).exit_code == 1
    copy = next(r for r in report["relations"] if r["kind"] != "same_story")
    res = runner.invoke(app, ["compare", copy["a"], copy["b"], "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["kind"] == copy["kind"]
    for fmt in ("json", "md", "html"):
        res = runner.invoke(app, ["report", "--format", fmt, "--db", db, "-o", str(out / f"r.{fmt}")])
        assert res.exit_code == 0, res.output
    assert json.loads((out / "r.json").read_text())["stories"]


def test_run_again_adds_nothing(demo_run, tmp_path):
    out, report = demo_run
    db = out / "newsprism.db"
    res = runner.invoke(app, ["run", str(demo_corpus()), "--db", str(db), "--out", str(tmp_path), "-q"])
    assert res.exit_code == 0, res.output
    again = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert len(again["articles"]) == len(report["articles"])
    assert sorted(map(len, (s["articles"] for s in again["stories"]))) == \
        sorted(map(len, (s["articles"] for s in report["stories"])))
    assert len(again["relations"]) == len(report["relations"])
