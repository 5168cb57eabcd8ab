"""Crash-safe file writes for the store.

A write goes to a temporary file in the same directory, is fsynced and then
renamed over the target, so a reader (or a crash at any instant) sees the old
file or the new one, never a torn one. TinyDB's own JSONStorage writes in
place and tears under kill -9 (10 of 250 files, measured), hence this module.
"""

from __future__ import annotations

import os
import re
import stat
import zlib

# The quick check-in imports this module: it takes paths as str or Path (os.path, never pathlib)
# and leaves typing unloaded, each of them a few per cent of a check-in's whole run.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Optional

TEMP_SUFFIX = ".okrtui-tmp"
# A store's own files are opened without following a link: the store writes only inside itself.
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class naming:
    """OSErrors from inside name `path` (os.write and fsync name no file of their own)."""

    def __init__(self, path: str | Path):
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, traceback) -> bool:
        if isinstance(exc, OSError) and exc.filename is None:
            raise OSError(exc.errno, exc.strerror, os.fspath(self.path)) from None
        return False


def sibling(path: str | Path, name: str) -> str | Path:
    """`name` in `path`'s directory, of `path`'s own type (str or Path)."""
    return type(path)(os.path.join(os.path.dirname(path), name))


def directory_of(path: str | Path) -> str:
    return os.path.dirname(path) or "."  # as Path's parent: a bare name is in the current directory


def unlink(path: str | Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def os_problem(exc: OSError, doing: str = "cannot write") -> str:
    """One sentence for a failed file operation: the file, then the cause."""
    cause = exc.strerror or (os.strerror(exc.errno) if exc.errno else str(exc))
    where = exc.filename if exc.filename is not None else "the store"
    return f"{where}: {doing} ({cause})"


def checksum(data: bytes, previous: int = 0) -> int:
    return zlib.crc32(data, previous)


def read_own(path: Path, end: Optional[int] = None, start: int = 0) -> bytes:
    """A file of the store, never through a link: bytes [start, end), or from start to its end."""
    fd = os.open(path, os.O_RDONLY | NOFOLLOW | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(21, "not a regular file", os.fspath(path))
        os.lseek(fd, start, os.SEEK_SET)
        wanted = (info.st_size if end is None else end) - start
        chunks = []
        while wanted > 0:
            chunk = os.read(fd, min(wanted, 1 << 24))
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


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
    os.fchmod(fd, stat.S_IMODE(like.st_mode) & 0o666)  # never set-id, sticky or executable
    try:
        os.fchown(fd, -1, like.st_gid)
    except OSError:
        pass  # only the owner or root may change the group; the mode still holds


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_new(path: Path, data: bytes, like: os.stat_result | None = None) -> None:
    """Write a file that nobody reads yet (a new part of the store); on failure it is gone."""
    with naming(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o666)
        try:
            _match_owner(fd, like)
            _write_all(fd, data)
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            unlink(path)
            raise
        os.close(fd)


def replace_atomically(path: Path, data: bytes, like: os.stat_result | None = None) -> None:
    """Replace `path` with `data` in one rename, keeping the old file's mode and group."""
    rename_into_place(new_version(path, data, like), path)
    fsync_dir(directory_of(path))


def new_version(path: Path, data: bytes, like: os.stat_result | None = None) -> Path:
    """The next version of `path`, written and fsynced beside it under a temporary name."""
    if like is None:
        try:
            like = os.stat(path)
        except FileNotFoundError:
            like = None
    temp = sibling(path, f"{temp_prefix(path)}{os.urandom(4).hex()}{TEMP_SUFFIX}")
    _write_temp(temp, path, data, like)
    return temp


def rename_into_place(temp: Path, path: Path) -> None:
    """Rename a new version over `path`: the atomic step (callers then fsync the directory)."""
    try:
        os.replace(temp, path)
    except OSError as exc:
        unlink(temp)
        raise OSError(exc.errno, exc.strerror, os.fspath(path)) from None
    except BaseException:
        unlink(temp)
        raise


def place_new(path: Path, data: bytes, like: os.stat_result | None = None) -> None:
    """Put a whole new file at `path` in one step, never replacing one already there."""
    temp = sibling(path, f"{temp_prefix(path)}{os.urandom(4).hex()}{TEMP_SUFFIX}")
    _write_temp(temp, path, data, like)
    try:
        os.link(temp, path)  # fails when `path` exists, unlike a rename
    except FileExistsError:
        raise
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, os.fspath(path)) from None
    finally:
        unlink(temp)
    fsync_dir(directory_of(path))


def _write_temp(temp: Path, path: Path, data: bytes, like: os.stat_result | None) -> None:
    """The temporary file of `path`; a failure names `path`, the file the user knows."""
    try:
        write_new(temp, data, like)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, os.fspath(path)) from None


def temp_prefix(path: Path) -> str:
    return f".{os.path.basename(path)}."


def is_temp_of(name: str, path: Path) -> bool:
    """Whether `name` is one of `path`'s own temporary files (not a backup's, not another store's)."""
    return re.fullmatch(re.escape(temp_prefix(path)) + r"[0-9a-f]{8}" + re.escape(TEMP_SUFFIX), name) is not None


def clean_temp_files(path: Path) -> None:
    """Remove the temporary files of `path` that a crashed writer left (call under its lock).

    Only this file's own temporaries: another store, or an export, may share the directory.
    """
    try:
        names = os.listdir(directory_of(path))
    except OSError:
        return
    for name in names:
        if is_temp_of(name, path):
            try:
                os.unlink(os.path.join(directory_of(path), name))
            except OSError:
                pass


def dumps(data: object) -> bytes:
    import orjson  # here, not above: loading it costs the quick check-in a quarter of its time

    return orjson.dumps(data)


def match_dir_mode(directory: Path, like: os.stat_result) -> None:
    """A directory the store makes (parts, backups) for a group-writable store is group-writable too."""
    mode = like.st_mode & 0o777
    mode |= (mode & 0o444) >> 2  # x wherever r, so the directory can be entered
    try:
        os.chmod(directory, mode)
        os.chown(directory, -1, like.st_gid)
    except OSError:
        pass


# -- what a commit does to the files (commit.py, and the quick check-in) --


def append_log(path: Path, committed: int, lines: bytes, like: Optional[os.stat_result],
                appended: list[tuple[Path, int]]) -> None:
    """Append after the committed bytes; `appended` learns how to take it back."""
    with naming(path):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o666)
            created = True
        except FileExistsError:
            fd = os.open(path, os.O_RDWR | NOFOLLOW)
            created = False
        # A log this write made may go again if it fails; one that was there is cut back.
        appended.append((path, -1 if created else committed))
        try:
            if created:
                _match_owner(fd, like)
            # Bytes past the committed length belong to a writer that crashed before its commit.
            os.ftruncate(fd, committed)
            os.lseek(fd, committed, os.SEEK_SET)
            _write_all(fd, lines)
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_orphans(parts_dir: Path, entries) -> None:
    """Part files the main file does not name: left by a writer that crashed before its commit."""
    keep = {e.file for e in entries if e.file}
    for name in os.listdir(parts_dir):
        stale_part = re.fullmatch(r"c\d+-\d+\.json", name) and name not in keep
        if stale_part or name.endswith(TEMP_SUFFIX):
            unlink(os.path.join(parts_dir, name))


def take_back(written: list[Path], appended: list[tuple[Path, int]]) -> None:
    """Undo an unfinished commit as far as the filesystem lets us (it is not committed either way)."""
    for path in written:
        try:
            unlink(path)
        except OSError:
            pass
    for path, length in appended:
        try:
            if length < 0:  # made by this commit
                unlink(path)
            else:
                os.truncate(path, length)
        except OSError:
            pass
