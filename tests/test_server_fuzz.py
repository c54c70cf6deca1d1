"""API fuzzing: schemathesis generates requests from the OpenAPI schema (valid and invalid
parameters, hostile strings) against a copy of the demo store; no response may be a 5xx.

Every GET operation is covered, and POST /api/articles without the token (refused with 401 or
403 before the body is read), then with it (bodies parsed, the pipeline stubbed). Bounded and
derandomized so the run is short and repeatable.
"""

from __future__ import annotations

import sqlite3

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from newsprism.server import create_app
from newsprism.store import open_store

TOKEN = "fuzz-token-0123456789abcdef"


@pytest.fixture(scope="module")
def fuzz_app(demo_run, tmp_path_factory):
    dst = tmp_path_factory.mktemp("fuzz") / "store.db"
    with sqlite3.connect(demo_run[0] / "newsprism.db") as a, sqlite3.connect(dst) as b:
        a.backup(b)

    def no_models():
        raise AssertionError("the fuzzer got past write authentication")

    store = open_store(str(dst))
    yield create_app(store, token=TOKEN, models=no_models)
    store.close()


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


#: Every GET, and the write without a token. (Parametrized by hand: schemathesis's lazy
#: `from_fixture` loader does not work with pytest 9, and the app needs the demo fixture.)
OPERATIONS = [("GET", "/api/health"), ("GET", "/api/articles"), ("GET", "/api/articles/{ref}"),
              ("GET", "/api/stories"), ("GET", "/api/stories/{ref}"), ("GET", "/api/compare"),
              ("GET", "/api/outlets"), ("POST", "/api/articles")]


#: Operations with parameters or a body that can be invalid (the others have no invalid input).
CONSTRAINED = {("GET", "/api/articles"), ("GET", "/api/stories"), ("GET", "/api/compare"),
               ("POST", "/api/articles")}
CASES = [(m, p, GenerationMode.POSITIVE) for m, p in OPERATIONS] + [
    (m, p, GenerationMode.NEGATIVE) for m, p in OPERATIONS if (m, p) in CONSTRAINED]


@pytest.mark.parametrize(("method", "path", "mode"), CASES,
                         ids=[f"{m} {p} {g.value}" for m, p, g in CASES])
def test_no_server_errors(api_schema, method, path, mode):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=50, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        response = case.call()
        case.validate_response(response, checks=[not_a_server_error])
        if method == "POST":
            assert response.status_code in (401, 403), response.text  # refused before the body is read
        ctype = response.headers.get("content-type") or [""]
        assert ctype[0].startswith("application/json"), response.text[:200]

    check()


def test_schema_lists_every_endpoint(fuzz_app):
    paths = fuzz_app.openapi()["paths"]
    for path in ("/api/health", "/api/articles", "/api/articles/{ref}", "/api/stories",
                 "/api/stories/{ref}", "/api/compare", "/api/outlets"):
        assert "get" in paths[path], path
    body = paths["/api/articles"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(body)


class _FakeWriter:
    """Stands in for the pipeline: the fuzzer targets request parsing, not the models."""

    def __init__(self, real):
        self.settings = real.settings

    def write(self, items):
        return {"read": len(items), "new": 0, "duplicates": 0, "articles": [], "errors": [],
                "processed": {}}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda g: g.value)
def test_authenticated_post_bodies_never_5xx(fuzz_app, api_schema, mode):
    """Generated JSON and multipart bodies with a valid token: parsed and validated, or refused
    with a 4xx; never a server error (the pipeline itself is replaced by a stub)."""
    real = fuzz_app.state.writer
    fuzz_app.state.writer = _FakeWriter(real)
    operation = api_schema["/api/articles"]["POST"]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=50, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
        case.validate_response(response, checks=[not_a_server_error])

    try:
        check()
    finally:
        fuzz_app.state.writer = real


def test_real_references_never_5xx(fuzz_app):
    """Article and story references drawn from the store (ids, prefixes, file names), in any
    pair: every pair compares (stored relation or computed on request) or is refused cleanly."""
    from fastapi.testclient import TestClient
    from hypothesis import strategies as st

    store = fuzz_app.state.store
    arts = store.articles()
    refs = [a.id for a in arts] + [a.id[:5] for a in arts] + [a.origin.rsplit("/", 1)[-1] for a in arts]
    stories = [s.id for s, _ in store.comparisons()]
    client = TestClient(fuzz_app)

    @given(a=st.sampled_from(refs), b=st.sampled_from(refs), s=st.sampled_from(stories + [x[:4] for x in stories]))
    @settings(max_examples=30, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(a, b, s):
        for url, params in (("/api/compare", {"a": a, "b": b}), (f"/api/articles/{a}", None),
                            (f"/api/stories/{s}", None)):
            r = client.get(url, params=params)
            assert r.status_code in (200, 404, 409, 422), (url, params, r.text[:300])

    check()
