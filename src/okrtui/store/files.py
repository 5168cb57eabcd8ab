"""Crash-safe file writes for the store.

A write goes to a temporary file in the same directory, is fsynced and then
renamed over the target, so a reader (or a crash at any instant) sees the old
file or the new one, never a torn one. TinyDB's own JSONStorage writes in
place and tears under kill -9 (see TINYDB-FACTS.md), hence this module.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

import orjson
from tinydb import Storage

TEMP_SUFFIX = ".okrtui-tmp"


def fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _match_owner(fd: int, like: os.stat_result | None) -> None:
    if like is None:
        return
    os.fchmod(fd, stat.S_IMODE(like.st_mode))
    try:
        os.fchown(fd, -1, like.st_gid)
    except OSError:
        pass  # only the owner or root may change the group; the mode still holds


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_new(path: Path, data: bytes, like: os.stat_result | None = None) -> None:
    """Write a file that nobody reads yet (a new part of the store)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        _match_owner(fd, like)
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_atomically(path: Path, data: bytes, like: os.stat_result | None = None) -> None:
    """Replace `path` with `data` in one rename, keeping the old file's mode and group."""
    if like is None:
        try:
            like = os.stat(path)
        except FileNotFoundError:
            like = None
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        _match_owner(fd, like)
        _write_all(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        temp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(temp, path)
    fsync_dir(path.parent)


def clean_temp_files(directory: Path) -> None:
    """Remove temporary files a crashed writer left behind (call under the store lock)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if name.endswith(TEMP_SUFFIX):
            try:
                os.unlink(directory / name)
            except OSError:
                pass


def dumps(data: object) -> bytes:
    return orjson.dumps(data)


class AtomicJSONStorage(Storage):
    """A TinyDB storage that reopens its file by path on every read.

    Another process replaces the file with a rename, so a kept file handle
    would go on reading the old one forever. The parsed content is cached
    and reused while the file's identity (inode, size, mtime) is unchanged.
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._seen: tuple[int, int, int] | None = None
        self._data: dict | None = None

    def read(self) -> dict | None:
        try:
            with open(self.path, "rb") as handle:
                info = os.fstat(handle.fileno())
                key = (info.st_ino, info.st_size, info.st_mtime_ns)
                if key != self._seen:
                    raw = handle.read()
                    self._data = orjson.loads(raw) if raw.strip() else None
                    self._seen = key
        except FileNotFoundError:
            return None
        return self._data

    def write(self, data: dict) -> None:
        replace_atomically(self.path, dumps(data))
        self._seen = None

    def close(self) -> None:
        pass
