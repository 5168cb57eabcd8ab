"""The store as one interchange document: for `export`, and for the backups kept beside it."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from okrtui.domain.models import Scorecard
from okrtui.store import files

BACKUPS_KEPT = 3


def export_scorecard(snapshot) -> Scorecard:
    """The whole store, history included, as one interchange document."""
    cycles = []
    for header in snapshot.cycle_headers():
        cycle = snapshot.cycle(header.id).model_copy(deep=True)
        history = snapshot.history(header.id)
        for objective in cycle.objectives:
            for kr in objective.key_results:
                kr.checkins = history.get(kr.ref, [])
        cycles.append(cycle)
    return Scorecard(organization=snapshot.organization, strategy=snapshot.strategy, cycles=cycles)


def backups(target: Path) -> list[Path]:
    """The backups beside a store's main file, oldest first."""
    return sorted(target.parent.glob(target.name + ".backup-*.json"))


def keep_backup(store, snapshot, now: dt.datetime, reason: str = "") -> Path:
    """Before a bulk change, the store as it was, as an interchange file beside it.

    Restorable with `okrtui import`; only the newest few are kept; a backup never
    replaces another (a second one in the same second gets the next number).
    """
    target = store.target
    data = export_scorecard(snapshot).to_json().encode("utf-8")
    like = os.stat(target)
    for number in range(1, 1000):
        # Named so that the names sort by age: time, then a number within the same second.
        path = target.with_name(f"{target.name}.backup-{now:%Y%m%dT%H%M%S}Z-{number:03d}"
                                + (f"-{reason}" if reason else "") + ".json")
        try:
            files.place_new(path, data, like)
            break
        except FileExistsError:
            continue
    for old in backups(target)[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)
    return path
