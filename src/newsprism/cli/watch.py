"""`newsprism watch`: poll RSS/Atom feeds, ingest what is new and run the pipeline on it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ConfigError, IngestError
from ..settings import Settings
from . import (
    DEFAULT_DB, DbOpt, DeviceOpt, HorizonOpt, PrecisionOpt, QuietOpt, _errors_to_exit, _open, _progress,
    _settings, app, err,
)


#: Paragraphs as single strings: rich keeps a docstring's line breaks after the first paragraph.
_HELP = (
    "Poll feeds and ingest only new entries, fetching linked pages politely (robots.txt and its "
    "Crawl-delay up to 60 s, timeouts, retries with backoff, per-host limits); Ctrl-C stops cleanly."
    "\n\n"
    "What each feed's last poll learnt (ETag/Last-Modified, entries handled) is kept in the store, "
    "so a restarted watch sends conditional GETs and fetches nothing twice."
    "\n\n"
    "A page that fails is retried on later polls, not on every one: the next poll, then 1 h, 6 h "
    "and 24 h after each further failure. It is given up after 5 failures when the failure may "
    "pass (timeout, connection error, 429, 5xx) and after 3 otherwise (404, 410, no article "
    "text); a give-up is reported once and the page is not asked for again."
)


@app.command("watch", help=_HELP)
def watch_cli(
    feeds_file: Annotated[Path, typer.Argument(help="Text file of feed URLs, one per line (# comments).")],
    every: Annotated[str, typer.Option("--every", help="Time between polls: 30s, 15m, 1h, 1h30m.")] = "15m",
    db: DbOpt = DEFAULT_DB,
    once: Annotated[bool, typer.Option("--once", help="Poll once and exit.")] = False,
    max_polls: Annotated[int | None, typer.Option("--max-polls", min=1, help="Stop after N polls.")] = None,
    no_process: Annotated[bool, typer.Option(
        "--no-process", help="Only ingest; leave analysis to a later `newsprism run`.")] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds per HTTP request.")] = 20.0,
    per_host: Annotated[int, typer.Option("--per-host", min=1, max=16, help="Concurrent requests per host.")] = 2,
    worker_growth: Annotated[float, typer.Option(
        "--worker-growth-mb", min=0,
        help="Restart the worker processes between polls once they have grown this many MB "
             "past their size after the first poll (0: never).")] = Settings.worker_max_growth_mb or 0.0,
    quiet: QuietOpt = False, device: DeviceOpt = "auto", precision: PrecisionOpt = "auto",
    horizon: HorizonOpt = None,
) -> None:
    """Poll feeds into the store until stopped (help text: `_HELP`)."""
    from ..ingest.fetch import FetchConfig, Fetcher
    from ..pipeline import Models, process
    from ..watch import PollSummary, Watcher, parse_interval, read_feed_list

    with _errors_to_exit():
        try:
            interval = parse_interval(every)
        except ConfigError as exc:
            raise typer.BadParameter(str(exc), param_hint="--every") from None
        feeds = read_feed_list(feeds_file)
        if not feeds:
            err.print(f"error: {feeds_file} lists no feed URLs")
            raise typer.Exit(2)
        store = _open(db)
        settings = replace(_settings(device, precision, horizon=horizon, long_lived=True),  # float32 unless asked
                           worker_max_growth_mb=worker_growth or None)

        def on_error(e: IngestError) -> None:
            err.print(f"[red]error[/]: {e}", highlight=False)

        loaded: list[Models] = []  # the models, loaded on the first poll with new articles

        def after_poll(n: int, s: PollSummary) -> None:
            if not quiet:
                waiting = f", {s.waiting} waiting to retry" if s.waiting else ""
                err.print(f"poll {n}: {s.feeds} feeds ({s.not_modified} unchanged), {s.new} new, "
                          f"{s.skipped} seen before, {s.duplicates} duplicates, {len(s.errors)} errors"
                          f"{waiting}", highlight=False)
            if s.new and not no_process:
                if not loaded:
                    if not quiet:
                        err.print("loading models…")
                    loaded.append(Models.from_settings(settings, long_lived=True))
                with _progress(quiet) as prog:
                    r = process(store, loaded[0], settings=settings, progress=prog)
                if not quiet:
                    err.print(f"analyzed {r.analyzed}, clustered {r.clustered}, compared {r.compared} stories",
                              highlight=False)
                if loaded[0].renew_if_grown() and not quiet:  # idle now: the next poll is minutes away
                    err.print("worker processes had outgrown their memory bound: restarted them")

        config = FetchConfig(timeout=timeout, per_host=per_host, max_bytes=settings.max_bytes)
        with Fetcher(config) as fetcher:
            watcher = Watcher(store, feeds, fetcher=fetcher, settings=settings, on_error=on_error)
            watcher.run(every=interval, max_polls=1 if once else max_polls, after_poll=after_poll)
