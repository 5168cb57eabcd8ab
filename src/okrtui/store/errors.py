"""What the store raises when it cannot be used (apart from bad input, an InvalidInput)."""

from __future__ import annotations

import errno

from okrtui.store import files

TYPE_CHECKING = False  # the quick check-in imports this: neither typing nor pathlib at run time
if TYPE_CHECKING:
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


class failed_writes_as_store_errors:
    """A failed write inside, as the StoreError that says so (a ReadOnlyStore when not allowed).

    A class rather than a contextlib generator: loading contextlib costs the quick check-in."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, traceback) -> bool:
        if isinstance(exc, OSError):
            problem = files.os_problem(exc) + "; nothing was written"
            if isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
                raise ReadOnlyStore(problem) from None
            raise StoreError(problem) from None
        return False
