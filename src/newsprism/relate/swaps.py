"""Synonym swaps between aligned passages: the trace of a machine spinner.

A human editor cuts, adds and rephrases clauses; a spinner (or a round-trip translation) keeps
every sentence and trades single words for near-synonyms ("officials" -> "functionaries",
"said" -> "stated"). Counting one-for-one word substitutions inside aligned sentence pairs,
relative to the words aligned, separates the two. difflib's matcher gives the word-level
opcodes; nothing here needs a model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from newsprism.models import AlignedSpan

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@dataclass(frozen=True, slots=True)
class SwapStats:
    """Word substitutions found between the aligned passages of two texts."""

    swaps: int  # one-for-one word substitutions
    words: int  # words of the aligned passages (the smaller side of each pair)
    examples: tuple[tuple[str, str], ...]  # (word in a, word in b), first few

    @property
    def density(self) -> float:
        return self.swaps / self.words if self.words else 0.0


def synonym_swaps(text_a: str, text_b: str, alignment: Sequence[AlignedSpan], *,
                  max_lexical: float = 0.97, max_examples: int = 5) -> SwapStats:
    """Counts single-word substitutions inside aligned, not identical, passage pairs.

    Args:
        text_a, text_b: The two clean texts the alignment's offsets index.
        alignment: Aligned passages (from `relate_pair`).
        max_lexical: Pairs at or above this lexical similarity are copies as they stand and
            are counted as words without swaps.
        max_examples: How many swapped pairs to keep as evidence.
    """
    swaps = words = 0
    examples: list[tuple[str, str]] = []
    for span in alignment:
        wa = _WORD.findall(text_a[span.a_start : span.a_end])
        wb = _WORD.findall(text_b[span.b_start : span.b_end])
        words += min(len(wa), len(wb))
        if span.lexical >= max_lexical:
            continue
        la, lb = [w.lower() for w in wa], [w.lower() for w in wb]
        for op, i1, i2, j1, j2 in SequenceMatcher(None, la, lb, autojunk=False).get_opcodes():
            if op != "replace" or i2 - i1 != j2 - j1 or i2 - i1 > 2:
                continue
            for k, (x, y) in enumerate(zip(wa[i1:i2], wb[j1:j2])):
                if i1 + k > 0 and x[:1].isupper() and y[:1].isupper():
                    continue  # a changed name mid-sentence is an edit, not a synonym
                swaps += 1
                if len(examples) < max_examples:
                    examples.append((x, y))
    return SwapStats(swaps, words, tuple(examples))
