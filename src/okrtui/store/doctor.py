"""`okrtui doctor`: read every file of a store the slow, thorough way and explain what is wrong."""

from __future__ import annotations

import os
from pathlib import Path

from okrtui.store.files import TEMP_SUFFIX
from okrtui.store.tinystore import Store, StoreError


def backups(store: Store) -> list[Path]:
    target = store.target
    return sorted(target.parent.glob(target.name + ".backup-*.json"))


def _survey(store: Store, snapshot) -> list[str]:
    lines = [
        f"format: okrtui-store version {snapshot.meta.version}, generation {snapshot.generation}",
        f"organization: {snapshot.organization or '(none)'}",
        f"strategic objectives: {len(snapshot.strategy)}",
    ]
    for entry in snapshot.entries:
        cycle = snapshot.cycle(entry.id)
        history = snapshot.history(entry.id)
        krs = sum(len(o.key_results) for o in cycle.objectives)
        checkins = sum(len(h) for h in history.values())
        lines.append(
            f"cycle {entry.id}: {len(cycle.objectives)} objectives, {krs} key results, "
            f"{checkins} check-ins{' (closed)' if entry.closed else ''}"
        )
        log = store.parts_dir / entry.log_name
        if log.exists() and log.stat().st_size > entry.log_len:
            lines.append(f"note: {log} has {log.stat().st_size - entry.log_len} bytes of an "
                         "unfinished write; the next write removes them")
    named = {e.file for e in snapshot.entries if e.file}
    if store.parts_dir.is_dir():
        stray = [n for n in os.listdir(store.parts_dir) if n.endswith(".json") and n not in named]
        if stray:
            lines.append(f"note: {len(stray)} part file(s) of an interrupted write; the next write removes them")
    return lines


def examine(store: Store) -> tuple[bool, list[str]]:
    lines = [f"store: {store.path}" + (f" -> {store.target}" if store.path != store.target else "")]
    if not store.exists():
        lines.append("problem: no store here (create one with `okrtui init` or `okrtui import FILE`)")
        return False, lines
    healthy = True
    try:
        lines += store.load(lambda snapshot: _survey(store, snapshot))
    except StoreError as exc:
        healthy = False
        lines.append(f"problem: {exc}")
        lines.append("The store is left untouched. Fix the file by hand or restore a backup.")
    leftovers = [p for d in (store.target.parent, store.parts_dir) if d.exists()
                 for p in d.iterdir() if p.name.endswith(TEMP_SUFFIX)]
    if leftovers:
        lines.append(f"note: {len(leftovers)} temporary file(s) of an interrupted write; the next write removes them")
    found = backups(store)
    if found:
        lines.append(f"last backup: {found[-1]} (restore: okrtui import {found[-1]} --store NEW_PATH)")
    elif not healthy:
        lines.append("last backup: none found beside the store")
    writable = os.access(store.target, os.W_OK) and os.access(store.target.parent, os.W_OK)
    lines.append("access: read-write" if writable else "access: read-only for you")
    if healthy:
        lines.append("ok: the store is healthy")
    return healthy, lines
