"""Reporting lines: groups of articles that derive from one another (copy relations)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import timezone

from ..models import COPY_KINDS, Article, Relation


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)  # the root is the earliest member


def reporting_lines(
    article_ids: Sequence[str], relations: Iterable[Relation]
) -> list[tuple[str, ...]]:
    """Connected components of the copy relations (`COPY_KINDS`) over the given articles.

    Articles without a copy relation are lines of their own. Relations that mention an id not in
    `article_ids` are ignored. Members keep the order of `article_ids`, and lines are ordered by
    their first member.

    Example:
        >>> reporting_lines(["a", "b", "c"], [Relation("a", "c", "verbatim", 1.0)])
        [('a', 'c'), ('b',)]
    """
    index = {aid: i for i, aid in enumerate(dict.fromkeys(article_ids))}
    ids = list(index)
    uf = _UnionFind(len(ids))
    for rel in relations:
        if rel.kind in COPY_KINDS and rel.a in index and rel.b in index:
            uf.union(index[rel.a], index[rel.b])
    groups: dict[int, list[str]] = {}
    for i, aid in enumerate(ids):
        groups.setdefault(uf.find(i), []).append(aid)
    return [tuple(groups[root]) for root in sorted(groups)]


def likely_original(
    line: Sequence[str], relations: Iterable[Relation], articles_by_id: Mapping[str, Article],
) -> str | None:
    """The member of a line most likely to be the original, or None when nothing shows it.

    The member that is "first" in the most directed copy relations inside the line wins; ties
    (and lines without directed relations) go to the uniquely earliest publication time, unless
    a later member's date is only a fetch time (it may have been published earlier).
    """
    members = set(line)
    firsts: Counter[str] = Counter()
    for rel in relations:
        if rel.kind not in COPY_KINDS or rel.a not in members or rel.b not in members:
            continue
        if rel.direction == "a_first":
            firsts[rel.a] += 1
        elif rel.direction == "b_first":
            firsts[rel.b] += 1
    candidates = list(line)
    if firsts:
        top = max(firsts.values())
        candidates = [m for m in line if firsts[m] == top]
        if len(candidates) == 1:
            return candidates[0]
    dated = [(articles_by_id[m].published_at, m) for m in candidates
             if m in articles_by_id and articles_by_id[m].published_at is not None]
    if dated:
        norm = sorted(((t if t.tzinfo else t.replace(tzinfo=timezone.utc)), m) for t, m in dated)
        later_fetched = any(articles_by_id[m].date_source == "fetch" for _, m in norm[1:])
        if (len(norm) == 1 or norm[0][0] < norm[1][0]) and not later_fetched:
            return norm[0][1]
    return None
