"""Server mode end to end: the demo corpus through `newsprism run --db postgresql+psycopg://...`.

The store suite itself runs on both backends through the `store_url` fixture (tests/test_store.py);
here the whole pipeline writes to PostgreSQL and must report what it reports on SQLite.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from newsprism.cli import app, demo_corpus

runner = CliRunner()


@pytest.mark.slow
def test_demo_corpus_runs_on_postgresql_and_matches_sqlite(pg_url, demo_run, tmp_path):
    _, sqlite_report = demo_run
    res = runner.invoke(app, ["run", str(demo_corpus()), "--db", pg_url, "--out", str(tmp_path), "-q"])
    assert res.exit_code == 0, res.output
    pg_report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert pg_report == sqlite_report  # the same report, to the byte, as the SQLite demo run
    # a second run finds nothing new, and the schema command sees the store at head
    again = runner.invoke(app, ["run", str(demo_corpus()), "--db", pg_url, "--out", str(tmp_path), "-q"])
    assert again.exit_code == 0, again.output
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8")) == pg_report
    stories = runner.invoke(app, ["stories", "--db", pg_url, "--json"])
    assert stories.exit_code == 0 and json.loads(stories.output), stories.output
