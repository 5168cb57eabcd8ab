"""Writing a store: a transaction's changes, and the commit that makes them the store.

A commit writes new part files and appends to the logs, then replaces the main
file (the commit itself); until that rename, everything it wrote is taken back
on failure, after it nothing is. Layout in layout.py.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Optional

from okrtui.domain.changes import strategic_doc
from okrtui.domain.errors import InvalidInput
from okrtui.domain.models import CheckIn, Cycle, KeyResult, Reading, ref_number
from okrtui.domain.text import MAX_REF
from okrtui.store import files
from okrtui.store.backup import clean_stale_temps
from okrtui.store.layout import (
    JOURNAL_KEPT,
    JOURNAL_SUBJECTS,
    MAX_RETIRED,
    READINGS_LOG,
    CycleEntry,
    JournalEntry,
    kr_part_doc,
    line_crc,
    log_line,
    reading_crc,
    reading_line,
    runs,
    table,
)
from okrtui.store.snapshot import Snapshot

if TYPE_CHECKING:
    from okrtui.domain.changes import Command
    from okrtui.store.tinystore import Store


class Transaction:
    """One change to the store: edits made on a snapshot, which `commit` writes.

    Store.write prepares it on a snapshot read without the lock and commits it
    only if nothing was committed since; otherwise it is made again on fresh state.
    """

    def __init__(self, store: "Store", snapshot: Snapshot):
        self.store = store
        self.base = snapshot
        self.organization = snapshot.organization
        self.strategy = list(snapshot.strategy)
        self.entries = [e.model_copy(deep=True) for e in snapshot.entries]
        self.meta = snapshot.meta.model_copy()
        self._loaded: dict[str, Cycle] = {}
        self._dirty: set[str] = set()
        self._checkins: dict[str, list[tuple[str, CheckIn]]] = defaultdict(list)
        self._histories: dict[str, dict[str, list[CheckIn]]] = {}
        self._readings: list[tuple[int, Reading]] = []
        self._committed_readings: Optional[dict[int, list[Reading]]] = None

    def cycle(self, cycle_id: str, *, edit: bool = True) -> Cycle:
        if cycle_id not in self._loaded:
            # The base snapshot was read for this transaction alone,
            # so its objects can be edited in place: no copy on the check-in path.
            self._loaded[cycle_id] = self.base.cycle(cycle_id)
        if edit:
            self._dirty.add(cycle_id)
        return self._loaded[cycle_id]

    def entry(self, cycle_id: str) -> Optional[CycleEntry]:
        return next((e for e in self.entries if e.id == cycle_id), None)

    def add_cycle(self, cycle: Cycle, index: Optional[int] = None) -> None:
        """A new cycle (its objectives may come with check-in histories), last in store
        order or at `index` (an undone deletion goes back to its place)."""
        slot = self.meta.next_slot
        self.meta.next_slot += 1
        entry = CycleEntry(id=cycle.id, start=cycle.start, end=cycle.end, closed=cycle.closed, slot=slot)
        self.entries.insert(len(self.entries) if index is None else index, entry)
        history = [(kr.ref, c) for kr in all_krs(cycle) for c in kr.checkins]
        self._loaded[cycle.id] = cycle
        self._dirty.add(cycle.id)
        self._checkins[cycle.id].extend(history)

    def add_checkin(self, cycle_id: str, kr_ref: str, checkin: CheckIn) -> None:
        self._checkins[cycle_id].append((kr_ref, checkin))
        self._dirty.add(cycle_id)

    # -- what a domain change needs (okrtui.domain.changes.Workspace) --

    def cycle_ids(self) -> list[str]:
        return [e.id for e in self.entries]

    def remove_cycle(self, cycle_id: str) -> None:
        if self.cycle(cycle_id, edit=False).objectives:
            raise InvalidInput([f"cycle: {cycle_id} still holds objectives"])
        self.entries = [e for e in self.entries if e.id != cycle_id]
        self._loaded.pop(cycle_id, None)
        self._dirty.discard(cycle_id)
        self._checkins.pop(cycle_id, None)

    def retract_checkin(self, cycle_id: str, kr_ref: str, checkin: CheckIn) -> None:
        """Take back a committed check-in: the log keeps its line, the cycle's row names it."""
        self.entry(cycle_id).retracted.append((kr_ref, line_crc(kr_ref, checkin)))
        self._dirty.add(cycle_id)

    def history(self, cycle_id: str, kr_ref: str) -> list[CheckIn]:
        """A key result's committed history (the cycle's read once per transaction)."""
        if cycle_id not in self._histories:
            self._histories[cycle_id] = self.base.history(cycle_id)
        return self._histories[cycle_id].get(kr_ref, [])

    def read_cycle(self, cycle_id: str) -> Cycle:
        return self.cycle(cycle_id, edit=False)

    def add_reading(self, measure_id: int, reading: Reading) -> None:
        self._readings.append((measure_id, reading))

    def retract_reading(self, measure_id: int, reading: Reading) -> None:
        self.meta.retracted_readings = [*self.meta.retracted_readings, (measure_id, reading_crc(measure_id, reading))]

    def readings(self, measure_id: int) -> list[Reading]:
        """A measure's committed readings (the log read once per transaction)."""
        if self._committed_readings is None:
            self._committed_readings = self.base.readings()
        return self._committed_readings.get(measure_id, [])

    def next_measure_id(self) -> int:
        number = self.meta.next_measure
        self.meta.next_measure += 1
        return number

    def locate(self, ref: str) -> Optional[str]:
        entry = self.base.find(ref)
        return entry.id if entry else None

    def record(self, change: "Command", now: dt.datetime) -> None:
        """Journal a change (who, what, which items) and retire the refs it deleted."""
        journal = self.meta.journal + [JournalEntry(
            generation=self.meta.generation + 1, author=change.author,
            at=now.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
            label=change.label, subjects=change.subjects[:JOURNAL_SUBJECTS])]
        self.meta.journal = journal[-JOURNAL_KEPT:]
        for kind, counter in (("objective", "retired_objectives"), ("key_result", "retired_key_results")):
            removed = {ref_number(e.key) for e in change.edits if e.kind == kind and e.after is None}
            added = {ref_number(e.key) for e in change.edits if e.kind == kind and e.before is None}
            retired = _numbers(getattr(self.meta, counter))
            kept = runs(sorted((retired | removed) - added))
            # The store never gives a ref out again anyway (its counters only grow); past the
            # bound the oldest deleted refs are only no longer refused on import.
            while sum(last - first + 1 for first, last in kept) > MAX_RETIRED:
                kept.pop(0)
            setattr(self.meta, counter, kept)

    def retired(self) -> tuple[set[int], set[int]]:
        return _numbers(self.meta.retired_objectives), _numbers(self.meta.retired_key_results)

    def back_up(self, now: dt.datetime, reason: str = "") -> Path:
        """Keep the state this transaction starts from as an interchange backup beside the store.

        The backup stays only if the write commits on exactly that state: a write that
        fails, or runs again on newer state, takes its backup away again.
        """
        return self.store._back_up(self.base, now, reason)

    def next_objective_ref(self) -> str:
        return f"O-{self._next('next_objective')}"

    def next_kr_ref(self) -> str:
        return f"KR-{self._next('next_key_result')}"

    def _next(self, counter: str) -> int:
        number = getattr(self.meta, counter)
        if number > MAX_REF:
            raise InvalidInput([f"ref: no refs are left (refs have at most nine digits and "
                                f"{'O' if counter == 'next_objective' else 'KR'}-{MAX_REF} is taken)"])
        setattr(self.meta, counter, number + 1)
        return number

    def reserve_refs(self, objective_numbers: list[int], kr_numbers: list[int]) -> None:
        """Imported refs are kept; new refs start above every ref ever used."""
        if objective_numbers:
            self.meta.next_objective = max(self.meta.next_objective, max(objective_numbers) + 1)
        if kr_numbers:
            self.meta.next_key_result = max(self.meta.next_key_result, max(kr_numbers) + 1)


def _numbers(ref_runs: list[list[int]]) -> set[int]:
    return {n for first, last in ref_runs for n in range(first, last + 1)}


def all_krs(cycle: Cycle) -> Iterator[KeyResult]:
    for objective in cycle.objectives:
        yield from objective.key_results


def commit(store: "Store", tx: Transaction, like: Optional[os.stat_result]) -> None:
    """Write the new parts and log lines, then the main file (the commit).

    On any failure before the main file is in place, what this commit wrote is
    removed again (new parts deleted, logs cut back to their committed length).
    """
    parts = store.parts_dir
    created_parts = False
    try:
        parts.mkdir()
        created_parts = True
    except FileExistsError:
        pass
    if created_parts and like is not None:
        files.match_dir_mode(parts, like)
    files.clean_temp_files(store.target)
    clean_stale_temps(store.target, time.time())
    # Leftovers of a writer that crashed before its commit would collide with our names.
    files.remove_orphans(store.parts_dir, tx.base.entries)
    generation = tx.meta.generation + 1
    committed = False
    superseded: list[Path] = []
    written: list[Path] = []
    appended: list[tuple[Path, int]] = []
    try:
        for cycle_id in tx._dirty:
            entry = tx.entry(cycle_id)
            cycle = tx._loaded.get(cycle_id) or tx.cycle(cycle_id)
            pending = tx._checkins.get(cycle_id, [])
            if pending:
                log = parts / entry.log_name
                lines = b"".join(log_line(ref, checkin) for ref, checkin in pending)
                files.append_log(log, entry.log_len, lines, like, appended)
                entry.log_crc = files.checksum(lines, entry.log_crc or 0)
                entry.log_len += len(lines)
            if entry.file:
                superseded.append(parts / entry.file)
            entry.file = entry.part_name(generation)
            entry.start, entry.end, entry.closed = cycle.start, cycle.end, cycle.closed
            entry.objective_refs = runs([ref_number(o.ref) for o in cycle.objectives])
            entry.kr_refs = runs([ref_number(k.ref) for k in all_krs(cycle)])
            data = files.dumps({"objectives": table(_cycle_docs(cycle))})
            files.write_new(parts / entry.file, data, like)  # removes its own file on failure
            written.append(parts / entry.file)
            entry.part_crc = files.checksum(data)
        for objective in tx.strategy:
            for measure in objective.measures:
                if measure._id is None:  # a builder that forgot: the store still files it apart
                    measure._id = tx.next_measure_id()
        if tx._readings:
            lines = b"".join(reading_line(number, reading) for number, reading in tx._readings)
            files.append_log(parts / READINGS_LOG, tx.meta.readings_len, lines, like, appended)
            tx.meta.readings_crc = files.checksum(lines, tx.meta.readings_crc or 0)
            tx.meta.readings_len += len(lines)
        files.fsync_dir(parts)
        tx.meta.generation = generation
        tx.meta.organization = tx.organization
        main = {
            "meta": table([tx.meta.model_dump(mode="json")]),
            "strategy": table([strategic_doc(s) for s in tx.strategy]),
            "cycles": table([e.model_dump(mode="json") for e in tx.entries]),
        }
        temp = files.new_version(store.target, files.dumps(main), like)
        written.append(temp)
        files.rename_into_place(temp, store.target)
        committed = True  # from here on, what was written is the store
        files.fsync_dir(store.target.parent)
    except BaseException:
        if not committed:
            files.take_back(written, appended)
        raise
    for path in superseded:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass  # committed already; the next write removes it as an orphan


def _cycle_docs(cycle: Cycle) -> list[dict[str, Any]]:
    docs = []
    for objective in cycle.objectives:
        doc = objective.to_doc()
        doc["key_results"] = [
            kr_part_doc(kr_doc, kr.last_checkin_at)
            for kr_doc, kr in zip(doc["key_results"], objective.key_results)
        ]
        docs.append(doc)
    return docs
