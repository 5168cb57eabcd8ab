"""The store as one interchange document: for `export`, and for the backups kept beside it.

Backups live in `<main file>.backups/`, each a whole interchange file that
`okrtui import` restores:

    2026-12-02.json                         the daily backup: the store as it was
                                            before the first write of that UTC day
    2026-12-02T101500Z-001-import.json      taken before an import (or a format
                                            migration), named by the second and a number

The newest BACKUPS_KEPT of each kind stay. A backup is only ever added (a hard
link of a finished temporary file), never written over: two writers that take
one at once both keep theirs, or the second finds the first's.
"""

from __future__ import annotations

import datetime as dt
import os
import re

from okrtui.store import files

# The quick check-in imports this for the daily backup's name: it gives str paths, the store
# Path ones, and each gets back its own kind; neither typing nor pathlib is loaded at run time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Optional

    from okrtui.domain.models import Scorecard

BACKUPS_KEPT = 7
DAILY_RE = re.compile(r"\d{4}-\d{2}-\d{2}\.json")
TAKEN_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{6}Z-\d{3}(-[A-Za-z0-9.-]+)?\.json")


def now() -> dt.datetime:
    """The clock that names the daily backups (tests move it to a new day)."""
    return dt.datetime.now(dt.timezone.utc)


def export_scorecard(snapshot) -> Scorecard:
    """The whole store, history and readings included, as one interchange document."""
    from okrtui.domain.models import Scorecard

    cycles = []
    for header in snapshot.cycle_headers():
        cycle = snapshot.cycle(header.id).model_copy(deep=True)
        history = snapshot.history(header.id)
        for objective in cycle.objectives:
            for kr in objective.key_results:
                kr.checkins = history.get(kr.ref, [])
        cycles.append(cycle)
    readings = snapshot.readings()
    strategy = []
    for objective in snapshot.strategy:
        if objective.measures:
            objective = objective.model_copy(deep=True)
            for measure in objective.measures:
                measure.readings = readings.get(measure._id, [])
        strategy.append(objective)
    return Scorecard(organization=snapshot.organization, strategy=strategy, cycles=cycles)


def backup_dir(target: str | Path) -> str | Path:
    return files.sibling(target, os.path.basename(target) + ".backups")


def backups(target: Path) -> list[Path]:
    """Every backup of a store, oldest first (a day's daily backup before that day's others);
    first those that okrtui before format 4 kept beside the main file."""
    beside = sorted(target.parent.glob(target.name + ".backup-*.json"))
    try:
        names = os.listdir(backup_dir(target))
    except OSError:
        names = []
    return beside + [backup_dir(target) / n for n in sorted(n for n in names
                                                           if DAILY_RE.fullmatch(n) or TAKEN_RE.fullmatch(n))]


def _place(store, snapshot, path: Path) -> None:
    """Write the snapshot's export at `path` (FileExistsError when one is there), the
    backups directory made like the store's parts directory."""
    like = os.stat(store.target)
    directory = path.parent
    try:
        directory.mkdir()
        files.match_dir_mode(directory, like)
    except FileExistsError:
        pass
    files.place_new(path, backup_bytes(store, snapshot), like)


def backup_bytes(store, snapshot) -> bytes:
    """The snapshot as an interchange file. Straight from the store's bytes when it is of
    today's format (raw_export: the first write of a day waits for it); else through the
    models. Numbers may be spelt otherwise than `export` does (1e-05 as 0.00001), and the
    JSON is compact: a backup is read, not diffed."""
    from okrtui.store.raw_export import raw_export

    try:
        data = raw_export(store, snapshot)
    except (KeyError, TypeError, ValueError, AttributeError):
        # Bytes that match their checksum yet are not what a writer wrote (edited by hand,
        # checksum and all): the models read them again and say exactly what is wrong.
        data = None
    if data is None:
        import orjson

        data = orjson.dumps(export_scorecard(snapshot).to_doc()) + b"\n"
    return data


def _prune(target: Path, kind: re.Pattern[str]) -> None:
    for old in [p for p in backups(target) if kind.fullmatch(p.name) and p.parent != target.parent][:-BACKUPS_KEPT]:
        try:
            old.unlink(missing_ok=True)
        except OSError:
            pass  # kept a little longer; the next backup tries again


def prune_backups(target: Path) -> None:
    """Keep the newest BACKUPS_KEPT of the backups taken before imports and migrations."""
    _prune(target, TAKEN_RE)


# A temporary file of a backup is taken without the lock, so another writer's may be under
# way: only one older than any backup takes to write is a killed writer's leftover.
STALE_TEMP_SECONDS = 600


def clean_stale_temps(target: str | Path, now: float) -> None:
    """Remove the temporaries that killed writers left in the backups directory (under the lock)."""
    directory = backup_dir(target)
    try:
        names = [n for n in os.listdir(directory) if n.endswith(files.TEMP_SUFFIX)]
    except OSError:
        return
    for name in names:
        try:
            temp = os.path.join(directory, name)
            if now - os.lstat(temp).st_mtime > STALE_TEMP_SECONDS:
                os.unlink(temp)
        except OSError:
            pass


def keep_backup(store, snapshot, now: dt.datetime, reason: str = "", prune: bool = True) -> Path:
    """Before a bulk change, the store as it was: a second one in the same second gets the next number.

    `prune` False: the store prunes after its write commits, once the backups of any
    preparation that lost a race are gone again (else they would push out kept ones)."""
    second = f"{now.astimezone(dt.timezone.utc):%Y-%m-%dT%H%M%S}Z-"
    # After the highest number of that second, never a lower one set free by pruning: the
    # names must sort by age, or the newest would be pruned first.
    taken = [int(re.match(r"\d+", p.name[len(second):]).group()) for p in backups(store.target)
             if p.name.startswith(second)]
    for number in range(max(taken, default=0) + 1, 1000):
        path = backup_dir(store.target) / (f"{second}{number:03d}" + (f"-{reason}" if reason else "") + ".json")
        try:
            _place(store, snapshot, path)
            break
        except FileExistsError:
            continue
    if prune:
        prune_backups(store.target)
    return path


def daily_path(target: str | Path, now: dt.datetime) -> str | Path:
    directory = backup_dir(target)
    return type(directory)(os.path.join(directory, f"{now.astimezone(dt.timezone.utc):%Y-%m-%d}.json"))


def keep_daily(store, snapshot, now: dt.datetime) -> Optional[Path]:
    """The day's backup, when this write is the first of its UTC day: the path written, or
    None when the day has one already (another writer's counts) or there is nothing to keep."""
    if not (snapshot.strategy or snapshot.entries):
        return None
    path = daily_path(store.target, now)
    if path.exists():
        return None
    try:
        _place(store, snapshot, path)
    except FileExistsError:
        return None
    _prune(store.target, DAILY_RE)
    return path
