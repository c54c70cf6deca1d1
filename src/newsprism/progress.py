"""Progress reporting injected into the runner, so the library never prints."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Task(Protocol):
    def advance(self, n: int = 1) -> None: ...


class Progress(Protocol):
    def task(self, description: str, total: int | None) -> contextmanager: ...  # type: ignore[valid-type]


class _NullTask:
    def advance(self, n: int = 1) -> None:
        return None


class NullProgress:
    """Reports nothing (library default, `-q`, pipes)."""

    @contextmanager
    def task(self, description: str, total: int | None) -> Iterator[Task]:
        yield _NullTask()


class RichProgress:
    """Rich progress bars on stderr, one per pipeline stage."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn, MofNCompleteColumn, Progress as _P, TextColumn, TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._p = _P(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
                     TimeElapsedColumn(), TimeRemainingColumn(), console=Console(stderr=True),
                     transient=False)

    def __enter__(self) -> RichProgress:
        self._p.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._p.stop()

    @contextmanager
    def task(self, description: str, total: int | None) -> Iterator[Task]:
        tid = self._p.add_task(description, total=total)

        class _T:
            def advance(_self, n: int = 1) -> None:  # noqa: N805
                self._p.advance(tid, n)

        try:
            yield _T()
        finally:
            if total is not None:
                self._p.update(tid, completed=total)
