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

    return Models.load()


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

PG_USER = "newsprism-pg"  # unprivileged system account that runs the cluster when pytest runs as root


def _pg_bindir() -> Path | None:
    import shutil

    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    return versions[-1].parent if versions else None


def _pg_account() -> str | None:
    """The account that runs initdb/postgres: None (ourselves) unless we are root, which
    initdb refuses; then a dedicated system user, created if missing, else `nobody`."""
    import pwd
    import subprocess

    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(PG_USER)
        return PG_USER
    except KeyError:
        pass
    made = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USER],
                          capture_output=True, text=True, check=False)
    return PG_USER if made.returncode == 0 else "nobody"


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    """A running throwaway cluster; `database()` makes a fresh, empty database and returns its URL."""

    def __init__(self, port: int, superuser: str) -> None:
        self.port, self.superuser, self._n = port, superuser, 0

    def url(self, dbname: str = "postgres", *, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{self.superuser}@127.0.0.1:{self.port}/{dbname}"

    def database(self, prefix: str = "t") -> str:
        import psycopg

        self._n += 1
        name = f"{prefix}_{os.getpid()}_{self._n}"
        with psycopg.connect(self.url().replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 STRATEGY FILE_COPY')
        return self.url(name)


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL cluster on a free 127.0.0.1 port, in a temp dir, for the whole session.

    Runs initdb/pg_ctl as an unprivileged user (see `_pg_account`; needed when pytest runs as
    root), trusts only 127.0.0.1 and the unix socket inside the temp dir, and on teardown stops
    the server (`pg_ctl -m immediate stop`) and deletes the dir. When PostgreSQL is not
    installed the PostgreSQL tests skip, except under CI=true, where they fail: `.ci/run`
    (make test) installs Debian's postgresql, so a missing server there is a broken setup.
    """
    import shutil
    import subprocess
    import tempfile

    bindir = _pg_bindir()
    if bindir is None:
        msg = "PostgreSQL not installed (no pg_ctl/initdb; Debian: apt-get install postgresql)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(msg + "; CI must run the PostgreSQL store tests", pytrace=False)
        pytest.skip(msg)
    account = _pg_account()
    root = Path(tempfile.mkdtemp(prefix="newsprism-pg-"))
    data, sock, log = root / "data", root / "sock", root / "server.log"
    sock.mkdir()
    if account is not None:
        shutil.chown(root, account)
        shutil.chown(sock, account)

    def run(*cmd: str) -> None:
        full = [str(bindir / cmd[0]), *cmd[1:]]
        if account is not None:
            full = ["runuser", "-u", account, "--", *full]
        res = subprocess.run(full, cwd=root, capture_output=True, text=True, timeout=120, check=False)
        if res.returncode != 0:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd[:2])} failed ({res.returncode}): {res.stderr or res.stdout}\n{tail}")

    superuser = "newsprism"
    started = False
    try:
        run("initdb", "-D", str(data), "-U", superuser, "-E", "UTF8", "--locale=C", "-A", "trust",
            "--no-sync", "--no-instructions")
        (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        for attempt in range(3):  # the free port may be taken between the probe and the start
            port = _free_port()
            opts = (f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c max_connections=300 "
                    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=32MB")
            try:
                run("pg_ctl", "-D", str(data), "-o", opts, "-l", str(log), "-w", "-t", "60", "start")
                break
            except RuntimeError:
                if attempt == 2:
                    raise
        started = True
        yield PgCluster(port, superuser)
    finally:
        if started:
            try:
                run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
            except (RuntimeError, subprocess.SubprocessError) as exc:  # leave no server behind silently
                print(f"warning: could not stop the test PostgreSQL cluster: {exc}")
        shutil.rmtree(root, ignore_errors=True)


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
