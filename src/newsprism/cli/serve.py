"""`newsprism serve`: the REST API and web pages over one store, served by uvicorn."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated

import typer

from . import DEFAULT_DB, DbOpt, _errors_to_exit, _open, app, err

TOKEN_ENV = "NEWSPRISM_TOKEN"
#: Shortest token accepted: a guessable token is no protection.
MIN_TOKEN_CHARS = 16


def is_loopback(host: str) -> bool:
    """Whether binding `host` keeps the server on this machine (localhost, 127.x, ::1)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere


def read_token(token_file: Path | None, env: dict[str, str] | None = None) -> str | None:
    """The write token from --token-file (first line) or else $NEWSPRISM_TOKEN; None if unset.

    Raises:
        typer.BadParameter: the file cannot be read, is empty, or the token is too short.
    """
    env = os.environ if env is None else env
    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip().splitlines()[0:1]
        except (OSError, UnicodeDecodeError) as exc:
            raise typer.BadParameter(f"cannot read {token_file}: {exc}", param_hint="--token-file") from None
        if not token or not token[0].strip():
            raise typer.BadParameter(f"{token_file} is empty", param_hint="--token-file")
        value, where = token[0].strip(), str(token_file)
    else:
        value, where = (env.get(TOKEN_ENV) or "").strip(), f"${TOKEN_ENV}"
        if not value:
            return None
    if len(value) < MIN_TOKEN_CHARS:
        raise typer.BadParameter(f"the token in {where} is shorter than {MIN_TOKEN_CHARS} characters; "
                                 "use a long random one (e.g. `openssl rand -hex 32`)")
    return value


def write_policy(host: str, token: str | None) -> tuple[bool, str | None]:
    """(writes enabled, warning to print) for a bind address and token.

    Writes need a token wherever the server listens; without one the server is read-only, and
    a server reachable from the network without a token says so loudly.
    """
    if token:
        if is_loopback(host):
            return True, None
        return True, (f"listening on {host} beyond this machine: the token travels in clear text "
                      "unless a TLS proxy sits in front")
    if is_loopback(host):
        return False, f"read-only: no token (set ${TOKEN_ENV} or --token-file to allow writes)"
    return False, (f"listening on {host} beyond this machine without a token: writes are "
                   f"DISABLED (set ${TOKEN_ENV} or --token-file to allow them)")


@app.command("serve")
def serve_cli(
    host: Annotated[str, typer.Option("--host", help="Address to bind; 127.0.0.1 keeps it on this machine.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    db: DbOpt = DEFAULT_DB,
    token_file: Annotated[Path | None, typer.Option(
        "--token-file", help=f"File whose first line is the write token (else ${TOKEN_ENV}).")] = None,
    max_body_mb: Annotated[float, typer.Option("--max-body-mb", min=0.01, help="Largest request body, in MB.")] = 10.0,
) -> None:
    """Serve the REST API (/api, schema at /openapi.json) and the web pages over a store.
    Reads are open; writes (POST /api/articles) need `Authorization: Bearer <token>`."""
    import uvicorn

    from ..server import create_app

    token = read_token(token_file)
    writes, warning = write_policy(host, token)
    with _errors_to_exit():
        store = _open(db)
        application = create_app(store, token=token if writes else None,
                                 max_body=int(max_body_mb * 1024 * 1024))
    if warning:
        err.print(f"[yellow]warning[/]: {warning}", highlight=False)
    err.print(f"serving {db} at http://{host}:{port}/ (API: /api, schema: /openapi.json), "
              f"writes {'enabled' if writes else 'disabled'}", markup=False, highlight=False)
    uvicorn.run(application, host=host, port=port, log_level="info", server_header=False)
