"""Article-analysis accuracy through the real pipeline, scored against gold (docs/gold-format.md).

Floors sit a little below the figures measured by bench/analysis_quality.py (BENCHMARKS.md,
"Analysis accuracy"), so a regression in quotes, sources, entities or roles fails here.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from newsprism.cli import app, demo_gold
from newsprism.evaluate import evaluate

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_scores(demo_run):
    _, report = demo_run
    return evaluate(json.loads(demo_gold().read_text(encoding="utf-8")), report)


@pytest.fixture(scope="module")
def seed_scores(shared_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds-analysis")
    res = runner.invoke(app, ["run", str(shared_dir / "seeds"), "--db", str(out / "s.db"), "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    gold = json.loads((shared_dir / "gold" / "seeds.json").read_text(encoding="utf-8"))
    return evaluate(gold, json.loads((out / "report.json").read_text(encoding="utf-8")))


def test_demo_quote_attribution(demo_scores):
    qa = demo_scores["quote_attribution"]
    assert qa["f1"] >= 0.95 and qa["precision"] >= 0.95, qa["wrong_speaker"]
    assert qa["detection"]["f1"] >= 0.95, qa["missed"]
    assert qa["by_language"]["en"]["f1"] >= 0.95
    assert qa["by_language"]["other"]["f1"] >= 0.9


def test_demo_anonymous_sources(demo_scores):
    an = demo_scores["anonymous_sources"]
    assert an["precision"] >= 0.95, an["spurious"]
    assert an["recall"] >= 0.92 and an["f1"] >= 0.93, an["missed"]
    assert an["by_language"]["en"]["f1"] >= 0.95 and an["by_language"]["other"]["recall"] >= 0.75


def test_demo_entities(demo_scores):
    ent = demo_scores["entities"]
    assert ent["recall"] >= 0.88, ent["missed_names"]
    assert ent["precision"] >= 0.79, ent["spurious_names"]
    assert ent["alias_merge"]["accuracy"] >= 0.9 and ent["alias_merge"]["aliases"] >= 50, ent["unmerged_aliases"]
    assert ent["label_accuracy"] >= 0.82


def test_demo_roles_genre_language(demo_scores):
    roles = demo_scores["roles"]
    assert roles["by_language"]["en"]["f1"] >= 0.72 and roles["precision"] >= 0.85, roles["wrong"]
    assert demo_scores["genre"]["accuracy"] >= 0.95, demo_scores["genre"]["wrong"]
    assert demo_scores["language"]["accuracy"] >= 0.95, demo_scores["language"]["wrong"]


def test_demo_mt_signal_ranks_the_spun_copy_first(demo_scores):
    mt = demo_scores["mt_signal"]
    assert mt["positives"] == 1 and mt["negatives"] == 42
    assert mt["auc"] >= 0.95, (mt["positive_scores"], mt["top_negatives"])


def test_eval_prints_the_analysis_figures(demo_run):
    out, _ = demo_run
    res = runner.invoke(app, ["eval", "--gold", str(demo_gold()), str(out / "report.json")])
    assert res.exit_code == 0, res.output
    for row in ("quote_attribution", "anonymous_sources", "entity_names", "roles", "mt_signal ROC AUC",
                "genre accuracy", "entity alias merge"):
        assert row in res.output


@pytest.mark.realdata
def test_seeds_quotes_and_anonymous_sources(seed_scores):
    qa, an = seed_scores["quote_attribution"], seed_scores["anonymous_sources"]
    assert qa["f1"] >= 0.9, (qa["wrong_speaker"], qa["missed"])
    assert an["support"] == 15 and an["f1"] >= 0.9, (an["missed"], an["spurious"])


@pytest.mark.realdata
def test_seeds_entities_roles_genre_mt(seed_scores):
    ent = seed_scores["entities"]
    assert ent["recall"] >= 0.85 and ent["precision"] >= 0.88, (ent["missed_names"], ent["spurious_names"])
    assert ent["alias_merge"]["accuracy"] >= 0.5, ent["unmerged_aliases"]
    assert seed_scores["roles"]["f1"] >= 0.85, seed_scores["roles"]["wrong"]
    assert seed_scores["genre"]["accuracy"] == 1.0
    assert seed_scores["mt_signal"]["auc"] == 1.0
