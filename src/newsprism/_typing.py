"""Protocols for the injected parts (models, backends), so stages never load models themselves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised vectors, batch-first."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...
