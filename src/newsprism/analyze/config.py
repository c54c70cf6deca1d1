"""Settings of the analyze stage, with named defaults."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AnalyzeConfig:
    """Knobs of the analyze stage.

    Attributes:
        batch_size: Documents per `nlp.pipe` batch; larger batches amortise the model call.
        max_chars: Only this many leading characters are parsed, so one huge page cannot stall a
            batch (news bodies are far shorter).
        language_chars: Characters given to the language detector; more adds cost, not accuracy.
        min_quote_words: Shorter quoted strings are scare quotes or titles, not quotations.
        default_language: Used when the text is too short or odd for the detector.
        mt_threshold: Score above which a caller should treat a text as a likely machine
            rewrite (the score itself is always returned).
        n_process: Worker processes for `nlp.pipe`; the parser dominates the cost, so 2 on a
            2-core machine roughly doubles throughput for large batches.
    """

    batch_size: int = 32
    max_chars: int = 100_000
    language_chars: int = 2000
    min_quote_words: int = 3
    default_language: str = "en"
    mt_threshold: float = 0.5
    n_process: int = 1
