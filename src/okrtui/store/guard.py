"""What a writer checks before it touches anything, and `doctor` reports.

The store writes only inside itself: its parts directory, lock file, parts,
logs and backups are its own plain files, never links or anything else. And
every committed byte is as it was written: the main file records a checksum
of each part and of each log's committed bytes, so one changed byte anywhere
is found by every command that writes (without parsing history) — a store that
`doctor` or `export` calls damaged is never written to.
"""

from __future__ import annotations

import json
import mmap
import os
import stat
import time

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


# What writers found sound: a part or log whose inode, size and change times are as they were
# when its checksum was last verified is not read again (git trusts its index the same way).
# Only a file that had settled (unchanged for SETTLED_NS) before it was verified is trusted
# so: a change within the filesystem's clock tick of the verification would leave its times
# as they were. A cache only: lost or unreadable, every file is read again.
VERIFIED = "verified.json"
SETTLED_NS = 2_000_000_000


def _stamp(info: os.stat_result) -> list[int]:
    return [info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def _crc(path: Path, length: Optional[int], known: Optional[list] = None) -> tuple[int, int, Optional[list]]:
    """(size, CRC-32 of the first `length` bytes, or of all, what to remember of it or None) of
    a store file, read without a link; `known` (remembered before) spares reading it again."""
    fd = os.open(path, os.O_RDONLY | files.NOFOLLOW | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(21, f"is {_kind(info.st_mode)}, not a regular file", os.fspath(path))
        size = info.st_size
        count = size if length is None else min(length, size)
        stamp = _stamp(info)
        if known is not None and known[:4] == stamp and known[4] == count:
            return size, known[5], known
        if count == 0:
            crc = 0
        else:
            with mmap.mmap(fd, count, prot=mmap.PROT_READ) as view:
                crc = files.checksum(view)
        settled = info.st_ctime_ns < time.time_ns() - SETTLED_NS and _stamp(os.fstat(fd)) == stamp
        return size, crc, stamp + [count, crc] if settled else None
    finally:
        os.close(fd)


def _remembered(parts_dir: Path) -> dict[str, list]:
    try:
        found = json.loads(files.read_own(os.path.join(parts_dir, VERIFIED)))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {name: value for name, value in found.items()
            if isinstance(value, list) and len(value) == 6 and all(type(v) is int for v in value)}


def _remember(parts_dir: Path, verified: dict[str, list]) -> None:
    """Replace the record (no fsync: a record lost in a crash only costs a reading of every file)."""
    path = os.path.join(parts_dir, VERIFIED)
    temp = os.path.join(parts_dir, f".{VERIFIED}.{os.urandom(4).hex()}{files.TEMP_SUFFIX}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | files.NOFOLLOW, 0o666)
        try:
            os.write(fd, json.dumps(verified, separators=(",", ":")).encode())
        finally:
            os.close(fd)
        os.replace(temp, path)
    except OSError:
        try:
            files.unlink(temp)
        except OSError:
            pass  # a record not kept: the next writer reads every file again


def file_problems(parts_dir: Path, entries: Iterable[CycleEntry], meta: Optional[Meta] = None,
                  remember: bool = False) -> list[str]:
    """Each part and log the main file names that is missing, not a plain file, cut or changed.

    `remember` (a writer, under the lock): the record of files verified before spares reading
    those unchanged since, and is brought up to date."""
    known = _remembered(parts_dir) if remember else {}
    verified: dict[str, list] = {}
    checks = []
    for entry in entries:
        whose = f"cycle {entry.id}"
        if entry.file:
            checks.append((entry.file, None, entry.part_crc, "objectives and key results", whose))
        if entry.log_len:
            checks.append((entry.log_name, entry.log_len, entry.log_crc, "committed history", whose))
    if meta is not None and meta.readings_len:
        checks.append((READINGS_LOG, meta.readings_len, meta.readings_crc, "committed readings", "the measures"))
    problems = []
    for name, length, recorded, what, whose in checks:
        path = os.path.join(parts_dir, name)
        try:
            size, crc, stamp = _crc(path, length, known.get(name))
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
        elif stamp is not None:
            verified[name] = stamp
    if remember and not problems and verified != known:
        _remember(parts_dir, verified)
    return problems
