"""The two real seed articles through the whole CLI, checked against ../shared/gold/seeds.json."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from newsprism.cli import app
from newsprism.models import COPY_KINDS

pytestmark = pytest.mark.realdata
runner = CliRunner()


@pytest.fixture(scope="module")
def seeds_run(shared_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds")
    res = runner.invoke(app, ["run", str(shared_dir / "seeds"), "--db", str(out / "s.db"),
                              "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    gold = json.loads((shared_dir / "gold" / "seeds.json").read_text(encoding="utf-8"))
    by_name = {a["origin"].rsplit("/", 1)[-1]: a for a in report["articles"]}
    return out, report, gold, by_name


def test_one_story_two_independent_lines_no_copy(seeds_run):
    _, report, _, _ = seeds_run
    assert len(report["stories"]) == 1
    assert len(report["stories"][0]["lines"]) == 2
    assert not [r for r in report["relations"] if r["kind"] in COPY_KINDS]


def test_boilerplate_removed_and_nothing_else(seeds_run):
    _, _, gold, by_name = seeds_run
    for name, g in gold["articles"].items():
        lines = sorted(r["line"] for r in by_name[name]["removed"])
        assert lines == sorted(g["boilerplate_lines"]), name


def test_machine_translation_signal(seeds_run):
    _, _, _, by_name = seeds_run
    names = sorted(by_name)
    plain, spun = by_name[names[0]], by_name[names[1]]
    assert spun["signals"]["machine_translation"] >= 0.5
    assert spun["signals"]["machine_translation"] - plain["signals"]["machine_translation"] >= 0.3


def test_people_canonicalised(seeds_run):
    _, _, gold, by_name = seeds_run
    for name in gold["articles"]:
        people = {e["name"] for e in by_name[name]["entities"] if e["label"] == "PERSON"}
        for person in ("Mark Milley", "Aviv Kochavi", "Benny Gantz", "Benjamin Netanyahu"):
            assert person in people, (name, person, people)
        milley = next(e for e in by_name[name]["entities"] if e["name"] == "Mark Milley")
        assert any(m["text"] == "Milley" for m in milley["mentions"])


def test_eval_against_seed_gold(seeds_run, shared_dir):
    out, _, _, _ = seeds_run
    res = runner.invoke(app, ["eval", "--gold", str(shared_dir / "gold" / "seeds.json"),
                              str(out / "report.json"), "--json"])
    assert res.exit_code == 0, res.output
    s = json.loads(res.output)
    assert s["stories"]["f1"] == 1.0
    assert s["reuse_pairs"]["predicted"] == 0
    assert s["lines"]["f1"] == 1.0
    assert s["boilerplate"]["f1"] == 1.0
    assert s["quotes"]["recall"] >= 0.8
    # both gold conflicts found and classed (different scope; vagueness), no false ones
    assert s["conflicts"]["recall"] == 1.0 and s["conflicts"]["precision"] == 1.0, s["conflicts"]
    assert s["conflict_kinds"]["accuracy"] == 1.0, s["conflict_kinds"]
    assert s["facts"]["recall"] >= 0.6 and s["facts"]["precision"] >= 0.6, s["facts"]
    assert s["unique_facts"]["recall"] >= 0.5, s["unique_facts"]
