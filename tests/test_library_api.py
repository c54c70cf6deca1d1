"""The library surface the README shows, without the CLI."""

import newsprism as npm
from newsprism.cli import demo_corpus


def test_public_names_resolve():
    for name in npm.__all__:
        assert getattr(npm, name) is not None, name


def test_readme_library_example(models, tmp_path):
    import newsprism.ingest  # noqa: F401  (the subpackage must not shadow the function)

    store = npm.open_store(str(tmp_path / "news.db"))
    summary = npm.ingest_inputs(store, [str(demo_corpus() / "wire_feed.jsonl")])
    assert summary.new == 3
    npm.process(store, models)
    report = npm.build_report(store)
    assert report["schema_version"] == "1" and len(report["articles"]) == 3
    assert report["stories"]


def test_stage_functions_without_a_store():
    docs = [d for d in npm.iter_documents([str(demo_corpus() / "wire_feed.jsonl")])
            if not isinstance(d, npm.IngestError)]
    articles = npm.clean_documents(docs)
    assert [a.source_id for a in articles] == ["wire-0001", "wire-0002", "wire-0003"]
