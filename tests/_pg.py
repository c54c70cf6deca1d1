"""A throwaway PostgreSQL cluster on a loopback port, for the tests and the benches.

`pg_cluster()` runs initdb/pg_ctl in a temp dir (as an unprivileged user when we are root,
which initdb refuses), trusts only 127.0.0.1 and the unix socket inside the temp dir, yields a
`PgCluster`, and on exit stops the server (`pg_ctl -m immediate stop`) and deletes the dir.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_USER = "newsprism-pg"  # unprivileged system account that runs the cluster when we run as root


class PgNotInstalled(RuntimeError):
    """No pg_ctl/initdb on this machine."""


def _pg_bindir() -> Path | None:
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


@contextmanager
def pg_cluster(*, shared_buffers: str = "32MB", extra: str = "") -> Iterator[PgCluster]:
    """Start a cluster on a free 127.0.0.1 port in a temp dir; stop and delete it on exit.

    Args:
        shared_buffers: The server's `shared_buffers` setting.
        extra: More `-c name=value` server options.

    Raises:
        PgNotInstalled: no pg_ctl/initdb found.
        RuntimeError: initdb or pg_ctl failed (with the server log's tail).
    """
    bindir = _pg_bindir()
    if bindir is None:
        raise PgNotInstalled("PostgreSQL not installed (no pg_ctl/initdb; Debian: apt-get install postgresql)")
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
                    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                    f"-c shared_buffers={shared_buffers} {extra}").strip()
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
                print(f"warning: could not stop the throwaway PostgreSQL cluster: {exc}")
        shutil.rmtree(root, ignore_errors=True)
