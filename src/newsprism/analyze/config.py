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
        mt_threshold: Score above which `Signals` reasons call the text a likely machine rewrite.
    """

    batch_size: int = 32
    max_chars: int = 100_000
    language_chars: int = 2000
    min_quote_words: int = 3
    default_language: str = "en"
    mt_threshold: float = 0.5
