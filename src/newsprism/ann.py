"""Nearest-neighbour search over unit vectors (faiss), shared by the relate and cluster stages.

Exact (IndexFlatIP) while small, where it is both faster and exact; rebuilt once as an HNSW graph
when it grows past `exact_max` rows, so that adding and searching stay near-linear in total.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import faiss
import numpy as np


@dataclass(frozen=True, slots=True)
class AnnConfig:
    """faiss index settings (recall of true neighbours vs speed, measured in BENCHMARKS.md)."""

    exact_max: int = 50_000  # rows up to which the index is exact
    hnsw_m: int = 32  # HNSW graph degree
    hnsw_ef_construction: int = 40
    hnsw_ef_search: int = 48  # 0.99+ of the exact neighbours on a 60k-vector test
    batch: int = 4096  # query rows per faiss call (bounds the result matrices)
    #: Searches of at most this many rows run on one OpenMP thread: splitting one query's scan
    #: across threads cost 3× on a loaded 2-core machine (7.0 vs 2.3 ms p50 on 20k exact rows,
    #: BENCHMARKS.md "Story assignment latency"); HNSW searches a query on one thread anyway.
    single_thread_max: int = 8


def unit_rows(vecs: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
    """Contiguous float32 matrix with L2-normalised rows (zero rows stay zero)."""
    m = np.ascontiguousarray(np.vstack(vecs) if len(vecs) else np.zeros((0, 1)), dtype=np.float32)
    if len(m):
        faiss.normalize_L2(m)
    return m


class VectorIndex:
    """Append-only inner-product index over unit vectors, keyed by the caller's ids.

    Example:
        >>> idx = VectorIndex(3)
        >>> idx.add(["x", "y"], unit_rows([np.array([1, 0, 0]), np.array([0, 1, 0])]))
        >>> idx.search(unit_rows([np.array([1, 0.1, 0])]), k=1, floor=0.5)[0][0][0]
        'x'
    """

    def __init__(self, dim: int, config: AnnConfig | None = None) -> None:
        self.config = config or AnnConfig()
        self.dim = dim
        self.ids: list[Hashable] = []
        self.index: faiss.Index = faiss.IndexFlatIP(dim)
        self.hnsw = False

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, ids: Sequence[Hashable], vecs: np.ndarray) -> None:
        """Append rows (unit vectors, float32, one per id)."""
        if not len(ids):
            return
        cfg = self.config
        self.ids.extend(ids)
        if not self.hnsw and len(self.ids) > cfg.exact_max:
            old = self.index.reconstruct_n(0, self.index.ntotal) if self.index.ntotal else None
            self.index = faiss.IndexHNSWFlat(self.dim, cfg.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            self.index.hnsw.efConstruction = cfg.hnsw_ef_construction
            self.index.hnsw.efSearch = cfg.hnsw_ef_search
            self.hnsw = True
            if old is not None:
                self.index.add(old)
        self.index.add(np.ascontiguousarray(vecs, dtype=np.float32))

    def search(self, vecs: np.ndarray, k: int, floor: float = -1.0
               ) -> list[list[tuple[Hashable, float]]]:
        """Per query row, up to k (id, cosine) pairs, best first, with cosine >= floor."""
        kk = min(k, len(self.ids))
        if kk <= 0:
            return [[] for _ in range(len(vecs))]
        if self.hnsw:
            self.index.hnsw.efSearch = max(self.config.hnsw_ef_search, kk)
        out: list[list[tuple[Hashable, float]]] = []
        with _threads(1 if len(vecs) <= self.config.single_thread_max else None):
            for start in range(0, len(vecs), self.config.batch):
                chunk = np.ascontiguousarray(vecs[start:start + self.config.batch], dtype=np.float32)
                sims, rows = self.index.search(chunk, kk)
                for srow, irow in zip(sims, rows, strict=True):
                    out.append([(self.ids[j], float(s)) for s, j in zip(srow, irow, strict=True)
                                if j >= 0 and s >= floor])
        return out


@contextmanager
def _threads(n: int | None) -> Iterator[None]:
    """faiss's OpenMP thread count set to `n` for the block (unchanged when None)."""
    if n is None:
        yield
        return
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)
