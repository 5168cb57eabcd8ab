"""What a writer checks before it touches anything, and `doctor` reports.

The store writes only inside itself: its parts directory, lock file, parts,
logs and backups are its own plain files, never links or anything else. And
every committed byte is as it was written: the main file records a checksum
of each part and of each log's committed bytes, so one changed byte anywhere
is found by every command that writes (without parsing history) — a store that
`doctor` or `export` calls damaged is never written to.
"""

from __future__ import annotations

import mmap
import os
import stat

from okrtui.store import files
from okrtui.store.shape import READINGS_LOG

TYPE_CHECKING = False  # the quick check-in imports this: neither typing nor pathlib at run time
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Iterable, Optional

    from okrtui.store.layout import CycleEntry, Meta


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symlink"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a regular file"


def _not_own(path: Path, want: str, role: str) -> Optional[str]:
    """Why `path` is not the store's own `want` ("a directory" / "a regular file"), if it is not."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return files.os_problem(exc, "cannot be examined")
    found = _kind(info.st_mode)
    if found == want:
        return None
    hint = " (a store writes only inside itself: replace the link by what it points to)" if found == "a symlink" else ""
    return f"{path}: is {found}, not {want} ({role}){hint}"


def layout_problems(target: Path, parts_dir: Path, lock_path: Path) -> list[str]:
    """The store's own paths beside its main file that are not what they should be."""
    problems = [p for p in (
        _not_own(parts_dir, "a directory", "the store's parts directory"),
        _not_own(lock_path, "a regular file", "the store's lock file"),
    ) if p]
    try:
        names = os.listdir(files.directory_of(target))
    except OSError:
        names = []
    for name in sorted(names):
        if name.startswith(os.path.basename(target) + ".backup-"):
            problem = _not_own(os.path.join(files.directory_of(target), name), "a regular file", "a backup of the store")
            if problem:
                problems.append(problem)
    backup_dir = f"{target}.backups"
    problem = _not_own(backup_dir, "a directory", "the store's backups directory")
    if problem:
        return problems + [problem]
    try:
        names = os.listdir(backup_dir)
    except OSError:
        names = []
    for name in sorted(names):
        problem = _not_own(os.path.join(backup_dir, name), "a regular file", "a backup of the store")
        if problem:
            problems.append(problem)
    return problems


def _crc(path: Path, length: Optional[int]) -> tuple[int, int]:
    """(size, CRC-32 of the first `length` bytes, or of all) of a store file, read without a link."""
    fd = os.open(path, os.O_RDONLY | files.NOFOLLOW | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(21, f"is {_kind(info.st_mode)}, not a regular file", os.fspath(path))
        size = info.st_size
        count = size if length is None else min(length, size)
        if count == 0:
            return size, 0
        with mmap.mmap(fd, count, prot=mmap.PROT_READ) as view:
            return size, files.checksum(view)
    finally:
        os.close(fd)


def file_problems(parts_dir: Path, entries: Iterable[CycleEntry], meta: Optional[Meta] = None) -> list[str]:
    """Each part and log the main file names that is missing, not a plain file, cut or changed."""
    checks = []
    for entry in entries:
        whose = f"cycle {entry.id}"
        if entry.file:
            checks.append((os.path.join(parts_dir, entry.file), None, entry.part_crc, "objectives and key results", whose))
        if entry.log_len:
            checks.append((os.path.join(parts_dir, entry.log_name), entry.log_len, entry.log_crc, "committed history", whose))
    if meta is not None and meta.readings_len:
        checks.append((os.path.join(parts_dir, READINGS_LOG), meta.readings_len, meta.readings_crc, "committed readings",
                       "the measures"))
    problems = []
    for path, length, recorded, what, whose in checks:
        try:
            size, crc = _crc(path, length)
        except FileNotFoundError:
            problems.append(f"{path}: missing, though the main file names it ({whose})")
            continue
        except OSError as exc:
            problems.append(f"{path}: {exc.strerror}" if exc.errno == 21 else files.os_problem(exc, "cannot be read"))
            continue
        if length is not None and size < length:
            problems.append(f"{path}: shorter than recorded; the {what.split()[-1]} of {whose} was cut")
        elif recorded is not None and crc != recorded:
            problems.append(f"{path}: the {what} of {whose} changed after they were written "
                            "(checksum mismatch)")
    return problems
