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
    temp = path.with_name(f"{temp_prefix(path)}{secrets.token_hex(4)}{TEMP_SUFFIX}")
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


def temp_prefix(path: Path) -> str:
    return f".{path.name}."


def clean_temp_files(path: Path) -> None:
    """Remove the temporary files of `path` that a crashed writer left (call under its lock).

    Only this file's own temporaries: another store, or an export, may share the directory.
    """
    directory, prefix = path.parent, temp_prefix(path)
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if name.startswith(prefix) and name.endswith(TEMP_SUFFIX):
            try:
                os.unlink(directory / name)
            except OSError:
                pass


def dumps(data: object) -> bytes:
    return orjson.dumps(data)


def read_json(path: Path) -> object:
    """A store file, parsed; FileNotFoundError when it is not there."""
    with open(path, "rb") as handle:
        raw = handle.read()
    return orjson.loads(raw) if raw.strip() else None
