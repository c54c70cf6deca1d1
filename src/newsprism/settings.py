"""One settings object holding every stage's named defaults (each stage owns its config record)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .analyze import AnalyzeConfig
from .clean import CleanConfig
from .cluster import ClusterConfig
from .compare import CompareConfig
from .embed import SENTENCE_CACHE
from .relate import RelateConfig


@dataclass(frozen=True)
class Settings:
    clean: CleanConfig = field(default_factory=CleanConfig)
    analyze: AnalyzeConfig = field(default_factory=AnalyzeConfig)
    relate: RelateConfig = field(default_factory=RelateConfig)
    cluster: ClusterConfig = field(default_factory=ClusterConfig)
    compare: CompareConfig = field(default_factory=CompareConfig)
    batch_size: int = 32  # articles per analyze/embed transaction
    ingest_chunk: int = 500  # documents cleaned (and committed) together
    max_bytes: int = 20_000_000  # per input file (per line for JSONL)
    device: str = "cpu"
    precision: str = "auto"  # MiniLM's number format (`embed.pick_precision`): auto, fp32, bf16
    sentence_cache: int = SENTENCE_CACHE  # sentences whose vectors the embed stage remembers (LRU)
    # worker processes of a long-lived owner (watch, server) are replaced between runs once they
    # have grown this much (MB, all together) past their size after the first run; None: never
    worker_max_growth_mb: float | None = 512.0

    def with_horizon(self, days: float | None) -> Settings:
        """Both time horizons set to `days` (None: no limit): how far apart two articles may be
        published and still be related, and an article and a story to be joined (the CLI's
        `--horizon`). One knob, so relations and stories keep to the same span."""
        return replace(self, relate=replace(self.relate, horizon_days=days),
                       cluster=replace(self.cluster, horizon_days=days))
