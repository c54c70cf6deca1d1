"""Word shingles and MinHash signatures for lexical candidate search."""

from __future__ import annotations

import re
from collections.abc import Sequence

from datasketch import LeanMinHash, MinHash

from ..models import Article
from .config import RelateConfig

_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """Lowercased words with punctuation stripped (Unicode-aware)."""
    return _WORD.findall(text.lower())


def shingles(text: str, *, size: int = 5) -> set[bytes]:
    """Word `size`-shingles of `text` as UTF-8 bytes; a short text yields its whole word string.

    Example:
        >>> sorted(shingles("The cat sat. On the mat!", size=5))
        [b'cat sat on the mat', b'the cat sat on the']
    """
    toks = words(text)
    if not toks:
        return set()
    if len(toks) < size:
        return {" ".join(toks).encode("utf-8")}
    return {" ".join(toks[i:i + size]).encode("utf-8") for i in range(len(toks) - size + 1)}


def minhash_signatures(
    articles: Sequence[Article], *, config: RelateConfig | None = None
) -> dict[str, LeanMinHash]:
    """MinHash signature of each article's clean text over word shingles (datasketch's bulk
    generator: the permutations are drawn once for all articles).

    Args:
        articles: articles to sign; `Article.text` is used (the title is not, so that a changed
            headline does not hide a copied body).
        config: `num_perm`, `shingle_size` and `seed` are read from it.

    Returns:
        article id -> `LeanMinHash` (compact, picklable). Empty texts get an empty signature.
    """
    cfg = config or RelateConfig()
    # a generator, so only one article's shingles are held at a time (MinHash.bulk would list them)
    sets = (shingles(a.text, size=cfg.shingle_size) for a in articles)
    mhs = MinHash.generator(sets, num_perm=cfg.num_perm, seed=cfg.seed)
    return {a.id: LeanMinHash(m) for a, m in zip(articles, mhs, strict=True)}


def minhash_scheme(config: RelateConfig | None = None) -> str:
    """The hashing scheme datasketch uses for new signatures (stored ones must match it)."""
    cfg = config or RelateConfig()
    return str(MinHash(num_perm=1, seed=cfg.seed).scheme)
