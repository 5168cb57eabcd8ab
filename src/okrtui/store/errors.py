"""What the store raises when it cannot be used (apart from bad input, an InvalidInput)."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """The store cannot be used (exit 1). The message names the file and the problem."""


class ReadOnlyStore(StoreError):
    pass


class PartMissing(Exception):
    """A part file vanished under a reader: another process committed meanwhile."""

    def __init__(self, path: Path):
        super().__init__(str(path))
        self.path = path
