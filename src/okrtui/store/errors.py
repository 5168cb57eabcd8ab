"""What the store raises when it cannot be used (apart from bad input, an InvalidInput)."""

from __future__ import annotations

import errno
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from okrtui.store import files


class StoreError(Exception):
    """The store cannot be used (exit 1). The message names the file and the problem."""


class ReadOnlyStore(StoreError):
    pass


class PartMissing(Exception):
    """A part file vanished under a reader: another process committed meanwhile."""

    def __init__(self, path: Path):
        super().__init__(str(path))
        self.path = path


@contextmanager
def failed_writes_as_store_errors() -> Iterator[None]:
    try:
        yield
    except PermissionError as exc:
        raise ReadOnlyStore(files.os_problem(exc) + "; nothing was written") from None
    except OSError as exc:
        if exc.errno == errno.EROFS:
            raise ReadOnlyStore(files.os_problem(exc) + "; nothing was written") from None
        raise StoreError(files.os_problem(exc) + "; nothing was written") from None
