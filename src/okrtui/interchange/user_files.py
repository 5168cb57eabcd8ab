"""A user's file, read as a command reads it: refused with a message, never half-read.

Light on purpose (the standard library and the domain's errors): the quick
`checkin --file` reads its file through here without loading the models.
"""

from __future__ import annotations

import os
import stat

from okrtui.domain.errors import InvalidInput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


def decode_text(data: bytes, name: str) -> str:
    """A user's file as text; anything but UTF-8 is refused with the offending byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InvalidInput([
            f"{name}: not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line} column {column})"
        ]) from None


# The largest import file read: about 50 times the L store's export; a cycle is capped
# far below it anyway (operations.MAX_KEY_RESULTS_PER_CYCLE).
MAX_IMPORT_BYTES = 256 * 1024 * 1024


def read_input_file(path: str | Path) -> bytes:
    """A user's import file: a regular file of at most MAX_IMPORT_BYTES, refused before it is read."""
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InvalidInput([f"{path}: no such file"]) from None
    except PermissionError:
        raise InvalidInput([f"{path}: cannot be read (permission denied)"]) from None
    except OSError as exc:
        raise InvalidInput([f"{path}: cannot be read ({exc.strerror})"]) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InvalidInput([f"{path}: is a directory"])
        if not stat.S_ISREG(info.st_mode):
            raise InvalidInput([f"{path}: not a regular file (import reads a JSON or CSV file)"])
        if info.st_size > MAX_IMPORT_BYTES:
            raise InvalidInput([f"{path}: {info.st_size / 2**20:.0f} MiB is larger than an import file may be "
                                f"({MAX_IMPORT_BYTES // 2**20} MiB)"])
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        raise InvalidInput([f"{path}: cannot be read ({exc.strerror})"]) from None
    finally:
        os.close(fd)
    if len(data) > MAX_IMPORT_BYTES:  # it grew while being read
        raise InvalidInput([f"{path}: larger than an import file may be ({MAX_IMPORT_BYTES // 2**20} MiB)"])
    return data
