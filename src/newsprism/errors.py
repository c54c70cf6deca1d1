"""One exception family so callers can catch everything newsprism raises with one clause."""


class NewsprismError(Exception):
    """Base class of every error newsprism raises on purpose."""


class IngestError(NewsprismError):
    """An input could not be read or parsed; the message names the input and the problem."""

    def __init__(self, origin: str, problem: str) -> None:
        super().__init__(f"{origin}: {problem}")
        self.origin = origin
        self.problem = problem


class ExtractionError(IngestError):
    """HTML was readable but held no article text."""


class StoreError(NewsprismError):
    """The store could not be opened, migrated or written."""


class WorkerError(NewsprismError):
    """The worker process died (killed, out of memory); the batch it held was not stored."""


class ConfigError(NewsprismError):
    """A setting or command-line option is invalid."""


class GoldFormatError(NewsprismError):
    """A gold file for `newsprism eval` does not follow docs/gold-format.md."""
