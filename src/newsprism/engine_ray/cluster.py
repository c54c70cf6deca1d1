"""Story assignment on Ray: time windows clustered apart, then stitched at their boundaries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..cluster import COPY_KINDS, StoryClusterer, StoryState, arrival_order
from ..embed import ArticleVectors
from ..pipeline import active_since
from ..progress import Progress
from ..settings import Settings
from ..store import Store
from .session import RayConfig, _dump, _from_items, _load, _rows


def _cluster_window(group, *, config) -> dict[str, list]:  # type: ignore[no-untyped-def]
    """Run `StoryClusterer` over one window: its seeded stored stories, then its new articles in
    arrival order. Emits every final state (with its member vectors, whether it changed, and the
    opening article of a story opened here, for the stitch) and the merged-away story ids."""
    seeds = [_load(p) for kind, p in zip(group["kind"], group["p"], strict=True) if kind == "s"]
    arts = sorted((int(pos), _load(p)) for kind, pos, p in zip(group["kind"], group["pos"], group["p"], strict=True)
                  if kind == "a")
    states = [StoryState.from_dict(d) for d, _ in seeds]
    vecs = {m: v for _, mv in seeds for m, v in mv.items()}
    clusterer = StoryClusterer(states, config=config, member_vectors=vecs)
    seeded = {s.id: len(s.members) for s in states}
    by_id = {a.id: (a, an, v, rels) for _, (a, an, v, rels) in arts}
    openers: dict[str, tuple] = {}
    gone: list[str] = []
    for art in arrival_order([rec[0] for _, rec in arts]):
        a, an, v, rels = by_id[art.id]
        vecs[a.id] = v
        before = set(clusterer.states)
        sid = clusterer.assign(a, an, v, rels)
        if sid not in before:
            openers[sid] = by_id[art.id]
        gone += [g for g, _, _ in clusterer.take_merges()]
    window = int(group["w"][0])
    out: dict[str, list] = {"w": [], "kind": [], "p": []}
    for sid, st in clusterer.states.items():
        changed = seeded.get(sid) != len(st.members)
        out["w"].append(window)
        out["kind"].append("state")
        out["p"].append(_dump((st.to_dict(), openers.get(sid), {m: vecs[m] for m in st.members if m in vecs},
                               changed)))
    out["w"].append(window)
    out["kind"].append("gone")
    out["p"].append(_dump(gone))
    return out


@dataclass
class _Window:
    states: dict[str, StoryState]
    vectors: dict[str, ArticleVectors]  # member document vectors
    openers: dict[str, tuple]  # new story id -> (article, analysis, vectors, relations)
    changed: set[str]
    gone: list[str]


def _stitch(left: _Window, right: _Window, *, config) -> list[tuple[str, str, object]]:  # type: ignore[no-untyped-def]
    """Stories of `right` that continue a story of `left`: the right story's opening article has a
    copy relation into it, or would join it by the clusterer's own rule (`StoryClusterer.ranked`, `score`
    at least `join_threshold`) had it arrived right after `left`. Returns (right id, left id,
    opening article)."""
    if not left.states:
        return []
    c = StoryClusterer([StoryState.from_dict(s.to_dict()) for s in left.states.values()], config=config,
                       member_vectors=left.vectors)
    out = []
    for sid, (a, an, v, rels) in sorted(right.openers.items()):
        target = None
        for r in sorted(rels, key=lambda r: -r.score):
            other = r.b if r.a == a.id else r.a
            if r.kind in COPY_KINDS and other in c.story_of:
                target = c.story_of[other]
                break
        if target is None:
            scored = c.ranked(a, an, v)
            if scored and scored[0][0] >= config.join_threshold:
                target = scored[0][1]
        if target is not None:
            out.append((sid, target, a))
    return out


def cluster_pending_ray(store: Store, *, settings: Settings, ray_cfg: RayConfig,
                        progress: Progress) -> tuple[int, set[str]]:
    """`pipeline.cluster_pending` blocked by time window (see the module docstring)."""
    ids = store.ids_without_story()
    if not ids:
        return 0, set()
    arts = store.articles(ids)
    span = ray_cfg.window_days * 86400.0
    dated = [a.published_at.timestamp() for a in arts if a.published_at]
    t0 = min(dated, default=0.0)
    win = {a.id: int((a.published_at.timestamp() - t0) // span) for a in arts if a.published_at}
    last = max(win.values(), default=0)
    windows = sorted(set(win.values()) | {last})
    ans, vecs = store.analyses(ids), store.doc_vectors(ids)
    rels: dict[str, list] = {}
    for r in store.relations(ids):
        rels.setdefault(r.a, []).append(r)
        rels.setdefault(r.b, []).append(r)
    items = [{"w": win.get(a.id, last), "kind": "a", "pos": i,
              "p": _dump((a, ans[a.id], vecs[a.id], rels.get(a.id, [])))} for i, a in enumerate(arts)]
    # each story active within the horizon seeds the window nearest its last article
    active = store.story_states(active_since=active_since(store, ids, settings.cluster))
    member_vecs = store.doc_vectors([m for d in active for m in d["members"]])  # one read, not one a story
    for d in active:
        when = d.get("last_seen")
        w = last if not when else int((_ts(when) - t0) // span)
        w = min(windows, key=lambda k: (abs(k - w), -k))
        items.append({"w": w, "kind": "s", "pos": -1,
                      "p": _dump((d, {m: member_vecs[m] for m in d["members"] if m in member_vecs}))})
    ds = _from_items(items).groupby("w").map_groups(_cluster_window, fn_kwargs={"config": settings.cluster},
                                                     batch_format="numpy")
    by_window: dict[int, _Window] = {}
    with progress.task("cluster", len(ids)) as task:
        for row in _rows(ds):
            w = by_window.setdefault(int(row["w"]), _Window({}, {}, {}, set(), []))
            if row["kind"] == "gone":
                w.gone += _load(row["p"])
                continue
            d, opener, member_vecs, changed = _load(row["p"])
            w.states[d["id"]] = StoryState.from_dict(d)
            w.vectors.update(member_vecs)
            if opener is not None:
                w.openers[d["id"]] = opener
            if changed:
                w.changed.add(d["id"])
        task.advance(len(ids))
    return len(ids), _save_windows(store, by_window, settings=settings)


def _ts(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()


def _save_windows(store: Store, by_window: dict[int, _Window], *, settings: Settings) -> set[str]:
    """Stitch adjacent windows (a shuffle keyed by boundary), apply the merges, write once."""
    keys = sorted(by_window)
    edges: list[tuple[str, str, object]] = []
    if len(keys) > 1:
        items = [{"k": i, "p": _dump((by_window[left], by_window[right]))}
                 for i, (left, right) in enumerate(zip(keys, keys[1:]))]
        ds = _from_items(items).map_batches(_stitch_batch, fn_kwargs={"config": settings.cluster}, batch_size=1)
        for row in _rows(ds):
            edges += _load(row["p"])
    states = {sid: st for w in by_window.values() for sid, st in w.states.items()}
    changed = {sid for w in by_window.values() for sid in w.changed}
    gone = {g for w in by_window.values() for g in w.gone}
    if edges:
        c = StoryClusterer(list(states.values()), config=settings.cluster)
        root = {sid: sid for sid in states}
        for right, left, bridge in edges:
            ra, rb = _find(root, left), _find(root, right)
            if ra != rb:
                keep = c._merge(ra, rb, bridge)
                lost = rb if keep == ra else ra
                root[lost] = keep
                gone.add(lost)
                changed.add(keep)
        states = dict(c.states)
    states = {sid: st for sid, st in states.items() if sid in changed and sid not in gone}
    # only the changed stories' members: the whole membership grows with the store
    stored = store.stories_of(m for st in states.values() for m in st.members)
    members = [(m, sid) for sid, st in states.items() for m in st.members if stored.get(m) != sid]
    store.save_stories([st.to_dict() for st in states.values()], members,
                       drop=sorted(gone - set(states)))
    return set(states)


def _find(root: dict[str, str], x: str) -> str:
    while root[x] != x:
        x = root[x]
    return x


def _stitch_batch(batch: dict[str, np.ndarray], *, config) -> dict[str, list]:  # type: ignore[no-untyped-def]
    return {"p": [_dump(_stitch(*_load(p), config=config)) for p in batch["p"]]}


