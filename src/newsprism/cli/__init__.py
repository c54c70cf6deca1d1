"""The `newsprism` command line: thin wrappers over the library (typer + rich)."""

from __future__ import annotations

import json
import logging
import os
import sys
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Iterator, Optional

import typer
from rich.console import Console
from rich.table import Table

from ..errors import IngestError, NewsprismError

app = typer.Typer(
    name="newsprism", no_args_is_help=True, add_completion=False,
    help="News provenance and cross-source comparison: same story, copies, spins, translations, "
         "independent reporting lines, conflicts and quotes.",
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True, highlight=False)  # one message, one line

DbOpt = Annotated[str, typer.Option("--db", help="Store: SQLite path, ':memory:', postgresql://user@host/db or another SQLAlchemy URL.")]
QuietOpt = Annotated[bool, typer.Option("-q", "--quiet", help="No progress bars or summaries.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print data as JSON.")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Make any input error fatal.")]
DeviceOpt = Annotated[str, typer.Option("--device", help="Embedding device: auto (a CUDA GPU when present, else the CPU), cpu, cuda or cuda:N.")]
PrecisionOpt = Annotated[str, typer.Option("--precision", help="MiniLM number format: auto (bf16 for a run on a CPU with native bfloat16 units; fp32 elsewhere and for watch), fp32 (the same vectors on every machine) or bf16.")]
EngineOpt = Annotated[str, typer.Option("--engine", help="local (in-process) or ray (Ray Data; starts a local Ray unless --ray-address).")]
RayAddressOpt = Annotated[Optional[str], typer.Option("--ray-address", help="Ray cluster to join with --engine ray (e.g. ray://host:10001 or auto).")]
HorizonOpt = Annotated[Optional[str], typer.Option("--horizon", help="Days: articles published further apart are never related, and an article joins no story further from it in time (default: the stages' 90); none for no limit, e.g. for archives with pieces republished years later.")]
DEFAULT_DB = "newsprism.db"


def demo_corpus() -> Path:
    """Path of the bundled demo corpus."""
    return Path(str(files("newsprism") / "demo" / "corpus"))


def demo_gold() -> Path:
    return Path(str(files("newsprism") / "demo" / "gold.json"))


@contextmanager
def _progress(quiet: bool) -> Iterator[object]:
    from ..progress import NullProgress, RichProgress

    if quiet or not sys.stderr.isatty():
        yield NullProgress()
        return
    with RichProgress() as p:
        yield p


@contextmanager
def _errors_to_exit() -> Iterator[None]:
    try:
        yield
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/]: everything committed so far is kept; re-run to continue.")
        raise typer.Exit(130) from None
    except NewsprismError as exc:
        err.print(f"[red]error[/]: {exc}", markup=True, highlight=False)
        raise typer.Exit(2) from None


def _open(db: str):  # type: ignore[no-untyped-def]
    from ..store import open_store

    return open_store(db)


class _Strict(Exception):
    pass


def _ingest(store, paths: list[str], *, quiet: bool, strict: bool):  # type: ignore[no-untyped-def]
    from ..pipeline import ingest
    from ..settings import Settings

    def on_error(e: IngestError) -> None:
        err.print(f"[red]error[/]: {e}", highlight=False)
        if strict:
            raise _Strict(str(e))

    stdin = sys.stdin if "-" in paths else None
    with _progress(quiet) as prog:
        try:
            summary = ingest(store, paths, settings=Settings(), stdin=stdin, progress=prog, on_error=on_error)
        except _Strict:
            err.print("stopping: --strict makes input errors fatal")
            raise typer.Exit(1) from None
    if summary.read == 0 and summary.errors:
        err.print("nothing could be ingested")
        raise typer.Exit(1)
    if summary.read == 0:
        err.print("no input files found")
        raise typer.Exit(1)
    return summary


@app.command("ingest")
def ingest_cli(
    paths: Annotated[list[str], typer.Argument(help="Files, directories, globs, or - for stdin.")],
    db: DbOpt = DEFAULT_DB, quiet: QuietOpt = False, strict: StrictOpt = False, as_json: JsonOpt = False,
) -> None:
    """Read articles (.txt, .html, .jsonl, RSS/Atom feeds, feed or page URLs) into the store; the
    same article twice is stored once."""
    with _errors_to_exit():
        store = _open(db)
        s = _ingest(store, paths, quiet=quiet, strict=strict)
        data = {"read": s.read, "new": s.new, "duplicates": s.duplicates, "errors": len(s.errors),
                "articles_in_store": store.count_articles()}
        if as_json:
            out.print_json(json.dumps(data))
        elif not quiet:
            err.print(f"ingested {s.new} new, {s.duplicates} already stored, {len(s.errors)} errors "
                      f"→ {db} ({data['articles_in_store']} articles)")


def _horizon(value: str) -> float | None:
    """`--horizon`: a positive number of days, or none/off for no limit."""
    if value.strip().lower() in ("none", "off", "no"):
        return None
    try:
        days = float(value)
    except ValueError:
        days = float("nan")
    if not days > 0 or days == float("inf"):
        raise typer.BadParameter(f"'{value}' is not a positive number of days or none", param_hint="--horizon")
    return days


def _settings(device: str, precision: str, *, horizon: str | None = None,  # type: ignore[no-untyped-def]
              long_lived: bool = False):
    """Settings with the device, MiniLM precision and time horizon (None: the stages' own)
    resolved; a bad value stops the run at once."""
    from ..embed import pick_device, pick_precision
    from ..settings import Settings

    days = _horizon(horizon) if horizon is not None else None
    device = pick_device(device)
    settings = Settings(device=device, precision=pick_precision(device, precision, long_lived=long_lived))
    return settings.with_horizon(days) if horizon is not None else settings


def _process(store, *, quiet: bool, device: str, precision: str = "auto",  # type: ignore[no-untyped-def]
             engine: str = "local", ray_address: str | None = None, horizon: str | None = None):
    from ..pipeline import Models, process

    settings = _settings(device, precision, horizon=horizon)
    if engine not in ("local", "ray"):
        err.print(f"error: --engine must be local or ray, not '{engine}'")
        raise typer.Exit(2)
    if engine == "ray":
        from ..engine_ray import process_ray

        with _progress(quiet) as prog:
            if not quiet:
                err.print("starting ray…" if ray_address is None else f"joining ray at {ray_address}…")
            return process_ray(store, settings=settings, progress=prog, address=ray_address, quiet=quiet)
    with _progress(quiet) as prog:
        if not quiet:
            err.print("loading models…")
        models = Models.from_settings(settings)
        return process(store, models, settings=settings, progress=prog)


def _write(store, out_dir: Path, formats=("json", "md", "html")):  # type: ignore[no-untyped-def]
    from ..report import build_report, write_reports

    return write_reports(build_report(store), out_dir, formats)


@app.command("run")
def run_cli(
    paths: Annotated[list[str], typer.Argument(help="Files, directories, globs, or - for stdin.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Directory for report.json/.md/.html.")] = Path("newsprism-out"),
    db: DbOpt = DEFAULT_DB, quiet: QuietOpt = False, strict: StrictOpt = False, device: DeviceOpt = "auto",
    engine: EngineOpt = "local", ray_address: RayAddressOpt = None, precision: PrecisionOpt = "auto",
    horizon: HorizonOpt = None,
) -> None:
    """Ingest, run the whole pipeline on what is new, and write the reports."""
    with _errors_to_exit():
        if horizon is not None:
            _horizon(horizon)  # a bad value stops the run before anything is ingested
        store = _open(db)
        _ingest(store, paths, quiet=quiet, strict=strict)
        s = _process(store, quiet=quiet, device=device, precision=precision, engine=engine,
                     ray_address=ray_address, horizon=horizon)
        written = _write(store, out_dir)
        if not quiet:
            err.print(f"analyzed {s.analyzed}, related {s.related} ({s.relations} relations), "
                      f"clustered {s.clustered}, compared {s.compared} stories")
            for p in written.values():
                err.print(f"wrote {p}")


@app.command("demo")
def demo_cli(
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the reports.")] = Path("newsprism-demo"),
    quiet: QuietOpt = False, device: DeviceOpt = "auto", engine: EngineOpt = "local",
    ray_address: RayAddressOpt = None, precision: PrecisionOpt = "auto",
) -> None:
    """Run the bundled demo corpus into a fresh store and write the reports."""
    with _errors_to_exit():
        out_dir.mkdir(parents=True, exist_ok=True)
        db = out_dir / "newsprism.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        store = _open(str(db))
        _ingest(store, [str(demo_corpus())], quiet=quiet, strict=False)
        _process(store, quiet=quiet, device=device, precision=precision, engine=engine,
                 ray_address=ray_address)
        written = _write(store, out_dir)
        if not quiet:
            for p in written.values():
                err.print(f"wrote {p}")
        out.print(f"HTML report: {written['html'].resolve()}")


@app.command("stories")
def stories_cli(db: DbOpt = DEFAULT_DB, as_json: JsonOpt = False) -> None:
    """List stories with their article and independent-line counts."""
    with _errors_to_exit():
        pairs = _open(db).comparisons()
        rows = [{"id": s.id, "label": s.label, "articles": len(s.articles), "lines": len(c.lines),
                 "first_seen": s.first_seen.isoformat() if s.first_seen else None,
                 "conflicts": len(c.conflicts)} for s, c in pairs]
        if as_json:
            out.print_json(json.dumps(rows))
            return
        t = Table("id", "articles", "lines", "conflicts", "first seen", "label")
        for r in rows:
            t.add_row(r["id"], str(r["articles"]), str(r["lines"]), str(r["conflicts"]),
                      (r["first_seen"] or "")[:10], r["label"])
        out.print(t)


@app.command("story")
def story_cli(story_id: Annotated[str, typer.Argument(help="Story id (or unique prefix).")],
              db: DbOpt = DEFAULT_DB, as_json: JsonOpt = False,
              html: Annotated[Path | None, typer.Option("--html", help="Also write the story as a standalone HTML page.")] = None,
              md: Annotated[Path | None, typer.Option("--md", help="Also write the story as Markdown.")] = None,
              ) -> None:
    """Show one story: lines with their original, corroboration by line, conflicts, unique facts,
    who is quoted (and quotes changed in copies), framing per article."""
    from ..report import build_report
    from ..report.render import render_html, render_markdown

    with _errors_to_exit():
        store = _open(db)
        ids = [st.id for st, _ in store.comparisons()]
        match = [s for s in ids if s == story_id] or [s for s in ids if s.startswith(story_id)]
        if len(match) != 1:
            err.print(f"error: no story '{story_id}'" if not match else f"error: '{story_id}' is ambiguous")
            raise typer.Exit(1)
        rep = build_report(store, story_ids=match)
        for path, render in ((html, render_html), (md, render_markdown)):
            if path:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(render(rep), encoding="utf-8")
                err.print(f"wrote {path}")
        s = rep["stories"][0]
        arts = {a["id"]: a for a in rep["articles"]}
        for a in arts.values():  # name articles without an outlet by their file
            a["outlet"] = a["outlet"] or Path(str(a["origin"])).name
        if as_json:
            out.print_json(json.dumps(s, ensure_ascii=False))
            return
        _print_story(s, arts)


def _print_story(s: dict, arts: dict[str, dict]) -> None:  # type: ignore[type-arg]
    """Terminal view of one story dict from the report (article text escaped: it is untrusted)."""
    from rich.markup import escape as e

    from ..framing import TONE_LIMITS
    from ..report.render import word_diff

    out.print(f"[bold]{e(s['label'])}[/]  ({s['id']}, {len(s['articles'])} articles, {len(s['lines'])} lines)",
              highlight=False)
    line_of = {a: i for i, line in enumerate(s["lines"]) for a in line}
    for i, line in enumerate(s["lines"], 1):
        orig = s["originals"][i - 1]
        head = f"original {arts[orig]['outlet']}" if orig else "original unknown"
        out.print(e(f"  L{i}: {head}: " + ", ".join(f"{arts[x]['outlet'] or '?'}" for x in line)), highlight=False)
    if s["facts"]:
        t = Table("lines", "fact", *[f"L{i + 1}" for i in range(len(s["lines"]))], title="Corroboration",
                  title_justify="left")
        for f in s["facts"]:
            have = {line_of.get(c["article"]) for c in f["support"]}
            t.add_row(str(f["lines"]), _clip(f["text"], 160), *["✓" if i in have else "" for i in range(len(s["lines"]))])
        out.print(t)
    for k in s["conflicts"]:
        vals = e(" vs ".join(f"“{v['value']}” ({arts[v['article']]['outlet']})" for v in k["values"]))
        out.print(f"  [yellow]conflict[/] {k['slot']}, {k['kind'].replace('_', ' ')}: {vals}"
                  + (f"  [dim]{k['reason']}[/]" if k.get("reason") else ""), highlight=False)
    for u in s["unique"]:
        out.print(f"  [cyan]only L{line_of.get(u['article'], -1) + 1} {e(arts[u['article']]['outlet'])}[/]: "
                  f"{e(_clip(u['text'], 200))}", highlight=False)
    if s.get("sources"):
        t = Table("source", "named?", "lines", "statements", title="Who is quoted", title_justify="left")
        for r in s["sources"]:
            t.add_row(r["name"], "anonymous" if r["anonymous"] else "named",
                      ", ".join(f"L{x + 1}" for x in r["lines"]), str(r["quotes"]))
        out.print(t)
    for g in s.get("quotes", []):
        ref = g["variants"][0]
        for v in g["variants"][1:]:
            if v.get("mutated") or v.get("attribution_mutated"):
                _, right = word_diff(ref["text"], v["text"])
                out.print(f"  [magenta]quote changed[/] in {e(arts[v['article']]['outlet'])} "
                          f"(vs {e(arts[ref['article']]['outlet'])}): " + _marked(right), highlight=False)
    if s.get("framing"):
        t = Table("line", "outlet", "genre", "headline leads with", "lead angle", "tone",
                  "named/anon", title="Framing", title_justify="left")
        for f in sorted(s["framing"], key=lambda f: line_of.get(f["article"], 99)):
            tone = f["tone_label"] + (f" ({f['tone']:.2f})" if f["tone"] is not None else "")
            t.add_row(f"L{line_of.get(f['article'], -1) + 1}", arts[f["article"]]["outlet"] or "?", f["genre"],
                      f["headline_focus"] or "–", ", ".join(f["lead_angle"]) or "–", tone,
                      f"{f['sourcing'].get('named', 0)}/{f['sourcing'].get('anonymous', 0)}")
        out.print(t)
        out.print(f"[dim]{TONE_LIMITS}[/]", highlight=False)


def _marked(segments: list[tuple[str, str]]) -> str:
    """Rich markup for word-diff segments: A-only words red and struck, B-only words green."""
    from rich.markup import escape

    style = {"del": "red strike", "ins": "green"}
    return " ".join(f"[{style[op]}]{escape(t)}[/]" if op in style else escape(t) for op, t in segments)


def _clip(text: str, n: int = 240) -> str:
    """Whitespace collapsed; cut at a word near `n` characters when much longer."""
    text = " ".join(text.split())
    if len(text) <= n + 60:
        return text
    head = text[:n].rsplit(" ", 1)[0]
    return f"{head} … (+{len(text) - len(head)} chars)"


def _print_evidence(art_a, art_b, rel, *, side_by_side: bool) -> None:  # type: ignore[no-untyped-def]
    """Aligned passages with word differences, then what each side has without a counterpart."""
    from rich.markup import escape

    from ..report.render import label, marks_words, unaligned_gaps, word_diff

    cross = not marks_words(art_a, art_b, rel)
    rows = []
    for k, s in enumerate(rel.alignment):
        ta, tb = art_a.text[s.a_start:s.a_end], art_b.text[s.b_start:s.b_end]
        left, right = ([("eq", ta)], [("eq", tb)]) if cross else word_diff(ta, tb)
        head = f"{k + 1} · lexical {s.lexical:.2f} · semantic {s.semantic:.2f}"
        rows.append((head + (" · [yellow]shared quotation[/]" if s.quote_only else ""), _marked(left), _marked(right)))
    if side_by_side and rows:
        t = Table(f"A · {escape(label(art_a))}", f"B · {escape(label(art_b))}", show_lines=True, expand=True)
        for head, left, right in rows:
            t.add_row(f"[dim]{head}[/]\n{left}", f"[dim]{head}[/]\n{right}")
        out.print(t)
    else:
        for head, left, right in rows:
            out.print(f"\n  [dim]{head}[/]\n  [bold]A[/] {left}\n  [bold]B[/] {right}", highlight=False)
    for key, art, spans in (("A", art_a, [(s.a_start, s.a_end) for s in rel.alignment]),
                            ("B", art_b, [(s.b_start, s.b_end) for s in rel.alignment])):
        gaps = [art.text[g0:g1] for g0, g1 in unaligned_gaps(art.text, spans) if g1 > g0]
        if gaps:
            n = len(gaps)
            out.print(f"\n[bold]only in {key}[/] ({sum(len(g) for g in gaps)} chars in {n} "
                      f"stretch{'es' if n > 1 else ''} with no counterpart):", highlight=False)
        for g in gaps:
            out.print(f"  [cyan]·[/] {escape(_clip(g))}", highlight=False)


@app.command("compare")
def compare_cli(a: Annotated[str, typer.Argument(help="Article id, id prefix, or file name.")],
                b: Annotated[str, typer.Argument(help="Article id, id prefix, or file name.")],
                db: DbOpt = DEFAULT_DB, as_json: JsonOpt = False,
                html: Annotated[Path | None, typer.Option(
                    "--html", help="Also write a standalone HTML page with both texts side by side.")] = None,
                side_by_side: Annotated[bool | None, typer.Option(
                    "--side-by-side/--stacked",
                    help="Passages in two columns or one above the other (default: two when 120+ columns).",
                )] = None) -> None:
    """Relation between two stored articles: kind, score, direction and the aligned passages as
    evidence, with word differences marked and the text each side has without a counterpart."""
    from rich.markup import escape

    from .. import serialize as ser
    from ..relate import relate_pair
    from ..report.render import direction_words, label, render_pair_html
    from ..settings import Settings

    with _errors_to_exit():
        store = _open(db)
        art_a, art_b = store.resolve_article(a), store.resolve_article(b)
        for ref, art in ((a, art_a), (b, art_b)):
            if art is None:
                err.print(f"error: no article '{ref}' in {db}", markup=False, highlight=False)
                raise typer.Exit(1)
        if art_a.id == art_b.id:
            err.print(f"error: '{a}' and '{b}' are the same article", markup=False, highlight=False)
            raise typer.Exit(1)
        rel = store.relation(art_a.id, art_b.id)
        if rel is None:
            ans, vecs = store.analyses([art_a.id, art_b.id]), store.vectors([art_a.id, art_b.id])
            if len(ans) < 2 or len(vecs) < 2:
                err.print("error: run the pipeline first (newsprism run) so both articles are analysed")
                raise typer.Exit(1)
            rel = relate_pair(art_a, art_b, ans[art_a.id], ans[art_b.id], vecs[art_a.id], vecs[art_b.id],
                              config=Settings().relate)
        if rel.a != art_a.id:
            art_a, art_b = art_b, art_a
        if html:
            html.write_text(render_pair_html(art_a, art_b, rel), encoding="utf-8")
            err.print(f"wrote {html}", markup=False, highlight=False)
        if as_json:
            out.print_json(json.dumps(ser.relation_to_dict(rel), ensure_ascii=False))
            return
        out.print(f"[bold]{rel.kind}[/] score {rel.score:.2f} · {escape(direction_words(rel, art_a, art_b))} · "
                  f"coverage {rel.coverage_a:.0%} / {rel.coverage_b:.0%}", highlight=False)
        for key, art in (("A", art_a), ("B", art_b)):
            when = art.published_at.isoformat(timespec="minutes") if art.published_at else "no date"
            if art.published_at and art.date_source == "fetch":
                when = f"fetched {when}"  # a crawl time, not necessarily when it was published
            out.print(f"[bold]{key}[/]: {escape(art.title)} ({escape(label(art))}, {when})", highlight=False)
        for why in rel.reasons:
            out.print(f"  - {escape(why)}", highlight=False)
        wide = out.width >= 120 if side_by_side is None else side_by_side
        _print_evidence(art_a, art_b, rel, side_by_side=wide)


@app.command("report")
def report_cli(
    fmt: Annotated[str, typer.Option("--format", help="json, md or html.")] = "html",
    output: Annotated[Optional[Path], typer.Option("--out", "-o", help="File to write (default: stdout).")] = None,
    db: DbOpt = DEFAULT_DB,
) -> None:
    """Render the store as a report (JSON, Markdown or self-contained HTML)."""
    from ..report import build_report, render_html, render_markdown

    if fmt not in ("json", "md", "html"):
        err.print(f"error: --format must be json, md or html, not '{fmt}'")
        raise typer.Exit(2)
    with _errors_to_exit():
        rep = build_report(_open(db))
        text = (json.dumps(rep, ensure_ascii=False, indent=1) if fmt == "json"
                else render_markdown(rep) if fmt == "md" else render_html(rep))
        if output:
            output.write_text(text, encoding="utf-8")
            err.print(f"wrote {output}")
        else:
            sys.stdout.write(text)


@app.command("eval")
def eval_cli(
    report: Annotated[Path, typer.Argument(help="report.json written by run/demo/report.")],
    gold: Annotated[Path, typer.Option("--gold", help="Gold file (docs/gold-format.md).")],
    as_json: JsonOpt = False,
) -> None:
    """Precision/recall/F1 of a report against gold, per aspect."""
    from ..evaluate import accuracy_rows, evaluate, summary_rows

    with _errors_to_exit():
        try:
            g = json.loads(gold.read_text(encoding="utf-8"))
            r = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            err.print(f"error: {exc}")
            raise typer.Exit(2) from None
        res = evaluate(g, r)
        if as_json:
            out.print_json(json.dumps(res))
            return
        t = Table("aspect", "precision", "recall", "F1", "gold items")
        for aspect, p, rc, f, n in summary_rows(res):
            t.add_row(aspect, f"{p:.3f}", f"{rc:.3f}", f"{f:.3f}", str(n))
        out.print(t)
        acc = Table("figure", "value", "items")
        for figure, value, n in accuracy_rows(res):
            acc.add_row(figure, "n/a" if value is None else f"{value:.3f}", str(n))
        out.print(acc)
        if res["direction"]["accuracy"] is not None:
            out.print(f"direction accuracy {res['direction']['accuracy']:.3f} over {res['direction']['pairs']} pairs")
        if res["missing_articles"]:
            out.print(f"[yellow]gold articles missing from the report:[/] {', '.join(res['missing_articles'])}")


from .db import db_app  # noqa: E402  (after the shared helpers it uses)

app.add_typer(db_app, name="db")
from . import serve as _serve  # noqa: E402,F401  (registers `newsprism serve`)
from . import watch as _watch  # noqa: E402,F401  (registers `newsprism watch`)


def main() -> None:
    logging.basicConfig(level=os.environ.get("NEWSPRISM_LOG", "WARNING"), format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    app()
