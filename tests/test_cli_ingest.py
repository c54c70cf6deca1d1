"""`newsprism ingest` on mixed good and bad inputs: one line per problem, the batch goes on."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from newsprism.cli import app
from newsprism.store import open_store

runner = CliRunner()
GOOD = "url: https://www.a.example/x\n\nStrike ends at the port\n\nDockworkers went back to work on Friday after a deal.\n"


def _files(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (tmp_path / "feed.jsonl").write_text(
        '{"id": "1", "text": "A council vote approved the new stadium on Thursday evening."}\n'
        "{not json\n", encoding="utf-8")
    return tmp_path


def test_bad_inputs_are_reported_and_the_rest_ingested(tmp_path):
    (tmp_path / "in").mkdir()
    d = _files(tmp_path / "in")
    db = str(tmp_path / "s.db")
    res = runner.invoke(app, ["ingest", str(d), str(tmp_path / "missing.txt"), "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["new"] == 2 and summary["errors"] == 4
    errors = [line for line in res.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 4
    for name in ("empty.txt", "binary.txt", "feed.jsonl:2", "missing.txt"):
        assert sum(name in e for e in errors) == 1, (name, errors)
    # idempotent: the same inputs again add nothing
    res = runner.invoke(app, ["ingest", str(d), "--db", db, "--json"])
    assert json.loads(res.stdout)["new"] == 0
    assert open_store(db).count_articles() == 2


def test_nothing_ingestible_exits_non_zero(tmp_path):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    res = runner.invoke(app, ["ingest", str(tmp_path / "empty.txt"), "--db", str(tmp_path / "s.db")])
    assert res.exit_code == 1
    assert "empty.txt" in res.stderr


def test_strict_makes_any_error_fatal(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    _files(d)
    res = runner.invoke(app, ["ingest", str(d), "--db", str(tmp_path / "s.db"), "--strict"])
    assert res.exit_code == 1
    assert "--strict" in res.stderr


def test_stdin(tmp_path):
    db = str(tmp_path / "s.db")
    res = runner.invoke(app, ["ingest", "-", "--db", db, "-q"], input=GOOD)
    assert res.exit_code == 0, res.output
    assert open_store(db).count_articles() == 1
