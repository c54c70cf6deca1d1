"""Shared fixtures: real models loaded once per session, the demo corpus run once per session."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSPRISM_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "seeds").is_dir():
        pytest.skip(f"shared data not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def models():
    from newsprism.pipeline import Models

    with Models.load() as loaded:
        yield loaded


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """`newsprism demo` through the real CLI, once; yields (out_dir, report dict)."""
    from typer.testing import CliRunner

    from newsprism.cli import app

    out = tmp_path_factory.mktemp("demo")
    res = CliRunner().invoke(app, ["demo", "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return out, report


# -- PostgreSQL: one throwaway cluster per session ------------------------------------------------

# tests/_pg.py (tests/ is on sys.path under pytest); PgCluster stays importable from here
from _pg import PgCluster, PgNotInstalled  # noqa: F401
from _pg import pg_cluster as _pg_cluster


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL cluster on a free 127.0.0.1 port, in a temp dir, for the whole session.

    Runs initdb/pg_ctl as an unprivileged user (see `_pg._pg_account`; needed when pytest runs as
    root), trusts only 127.0.0.1 and the unix socket inside the temp dir, and on teardown stops
    the server (`pg_ctl -m immediate stop`) and deletes the dir (tests/_pg.py). When PostgreSQL is
    not installed the PostgreSQL tests skip, except under CI=true, where they fail: `.ci/run`
    (make test) installs Debian's postgresql, so a missing server there is a broken setup.
    """
    try:
        cm = _pg_cluster()
        cluster = cm.__enter__()
    except PgNotInstalled as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{exc}; CI must run the PostgreSQL store tests", pytrace=False)
        pytest.skip(str(exc))
    try:
        yield cluster
    finally:
        cm.__exit__(None, None, None)


@pytest.fixture
def pg_url(pg_cluster) -> str:
    """A fresh, empty PostgreSQL database (postgresql+psycopg://...)."""
    return pg_cluster.database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """A new store on each backend: an SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return request.getfixturevalue("pg_cluster").database()
