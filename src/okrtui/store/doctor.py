"""`okrtui doctor`: read every file of a store the slow, thorough way and explain what is wrong.

Its verdict is the writers' verdict: whatever it calls a problem, every command
that writes refuses (store.guard holds the checks both use).
"""

from __future__ import annotations

import os
import re

from okrtui.domain.text import counted
from okrtui.store import guard
from okrtui.store.backup import backup_dir, backups
from okrtui.store.files import TEMP_SUFFIX, is_temp_of
from okrtui.store.layout import STORE_VERSION
from okrtui.store.tinystore import Store, StoreError


def _survey(store: Store, snapshot) -> tuple[list[str], list[str]]:
    """(what the store holds, its problems), reading every cycle and its history."""
    lines = [
        f"format: okrtui-store version {snapshot.meta.version}, generation {snapshot.generation}",
        f"organization: {snapshot.organization or '(none)'}",
        f"strategic objectives: {len(snapshot.strategy)}",
    ]
    problems = guard.file_problems(store.parts_dir, snapshot.entries, snapshot.meta)
    measures = sum(len(s.measures) for s in snapshot.strategy)
    try:
        readings = sum(len(r) for r in snapshot.readings().values())
        lines.append(f"measures: {measures}, with {counted(readings, 'reading')}")
    except StoreError as exc:
        if str(exc).split(": ", 1)[0] not in {problem.split(": ", 1)[0] for problem in problems}:
            problems.append(str(exc))
        lines.append(f"measures: {measures}, readings cannot be read (see below)")
    for entry in snapshot.entries:
        try:
            cycle = snapshot.cycle(entry.id)
            history = snapshot.history(entry.id)
        except StoreError as exc:
            reported = {problem.split(": ", 1)[0] for problem in problems}
            if str(exc).split(": ", 1)[0] not in reported:  # one line per damaged file
                problems.append(str(exc))
            lines.append(f"cycle {entry.id}: cannot be read (see below)")
            continue
        krs = sum(len(o.key_results) for o in cycle.objectives)
        checkins = sum(len(h) for h in history.values())
        lines.append(
            f"cycle {entry.id}: {len(cycle.objectives)} objectives, {krs} key results, "
            f"{checkins} check-ins{' (closed)' if entry.closed else ''}"
        )
        log = store.parts_dir / entry.log_name
        try:
            size = os.lstat(log).st_size
        except OSError:
            size = 0
        if size > entry.log_len:
            lines.append(f"note: {log} has {size - entry.log_len} bytes of an "
                         "unfinished write; the next write removes them")
    if snapshot.entries and snapshot.meta.version < STORE_VERSION:
        lines.append(f"note: store format {snapshot.meta.version}; the next write upgrades it to "
                     f"{STORE_VERSION}, keeping a backup beside it")
    named = {e.file for e in snapshot.entries if e.file}
    try:
        names = os.listdir(store.parts_dir) if not store.parts_dir.is_symlink() else []
    except OSError:
        names = []  # an unreadable parts directory is reported with the cycles it holds
    if names:
        # Exactly what the next write removes (tinystore.Store._remove_orphans).
        stray = [n for n in names if re.fullmatch(r"c\d+-\d+\.json", n) and n not in named]
        if stray:
            lines.append(f"note: {len(stray)} part file(s) of an interrupted write; the next write removes them")
    return lines, problems


def examine(store: Store) -> tuple[bool, list[str]]:
    lines = [f"store: {store.path}" + (f" -> {store.target}" if store.path != store.target else "")]
    if not store.exists():
        if store._holds_parts():
            lines.append(f"problem: no main file, but {store.parts_dir} holds a store's cycles. If the main "
                         f"file was lost, restore it (or import the last backup into a new store); if the "
                         f"very first write was interrupted, remove {store.parts_dir}. Writers refuse it meanwhile.")
            kept = backups(store.target)
            if kept:
                lines.append(f"last backup: {kept[-1]} (restore: okrtui import {kept[-1]} --store NEW_PATH)")
        else:
            lines.append("problem: no store here (create one with `okrtui init` or `okrtui import FILE`)")
        return False, lines
    problems = store.layout_problems()
    try:
        found, more = store.load(lambda snapshot: _survey(store, snapshot))
        lines += found
        problems += more
    except StoreError as exc:
        problems.append(str(exc))
    for problem in problems:
        lines.append(f"problem: {problem}")
    if problems:
        lines.append("Every command that writes refuses this store until it is mended; "
                     "it is left untouched. Fix the file by hand or restore a backup.")
    leftovers = []
    for directory in (store.target.parent, store.parts_dir, backup_dir(store.target)):
        if directory.is_dir() and not directory.is_symlink():
            try:
                names = os.listdir(directory)
            except OSError:
                continue
            # This store's own temporaries, which the next write removes.
            leftovers += [n for n in names if is_temp_of(n, store.target)
                          or (directory != store.target.parent and n.endswith(TEMP_SUFFIX))]
    if leftovers:
        lines.append(f"note: {len(leftovers)} temporary file(s) of an interrupted write; the next write removes them")
    kept = backups(store.target)
    if kept:
        lines.append(f"last backup: {kept[-1]} (restore: okrtui import {kept[-1]} --store NEW_PATH)")
    elif problems:
        lines.append("last backup: none found beside the store")
    writable = (os.access(store.target, os.W_OK) and os.access(store.target.parent, os.W_OK)
                and (not store.lock_path.exists() or os.access(store.lock_path, os.W_OK)))
    lines.append("access: read-write" if writable else "access: read-only for you")
    if not problems:
        lines.append("ok: the store is healthy")
    return not problems, lines
