"""Reading a store: a snapshot of one committed main file, cycles read on first use.

Readers take no lock (a reader may lack write permission): they read the
main file, then the part files it names. A writer removes a superseded part
only after the new main file is in place, so a reader that finds a part
missing simply starts again from the new main file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import orjson
from tinydb import TinyDB
from tinydb.storages import MemoryStorage

from okrtui.domain.models import CheckIn, Cycle, StrategicObjective
from okrtui.store import files
from okrtui.store.errors import PartMissing, ReadOnlyStore, StoreError  # noqa: F401  (named here too)
from okrtui.store.layout import CycleEntry, Meta

if TYPE_CHECKING:
    from okrtui.store.tinystore import Store


def read_tables(path: Path, crc: Optional[int] = None) -> tuple[dict[str, list[dict[str, Any]]], tuple[int, int]]:
    """Every table of a TinyDB file, documents in store order, and the file's (size, checksum).

    `crc`: the checksum the file must have (a part, as the main file recorded it).
    """
    try:
        data = files.read_own(path)
    except FileNotFoundError:
        raise PartMissing(path) from None
    except PermissionError:
        raise StoreError(f"{path}: cannot be read (permission denied)") from None
    except OSError as exc:
        raise StoreError(files.os_problem(exc, "cannot be read")) from None
    actual = files.checksum(data)
    if crc is not None and actual != crc:
        raise StoreError(f"{path}: changed after it was written (checksum mismatch); "
                         "the store is damaged (see `okrtui doctor`)")
    try:
        raw = orjson.loads(data) if data.strip() else None
    except orjson.JSONDecodeError as exc:
        raise StoreError(f"{path}: not valid JSON ({exc})") from None
    if raw is None:
        raise StoreError(f"{path}: the file is empty")
    if isinstance(raw, dict) and raw.get("format") == "okrtui/1":
        raise StoreError(f"{path}: this is an okrtui interchange file, not a store; "
                         f"load it with `okrtui import {path}`")
    if not isinstance(raw, dict) or not all(
        isinstance(docs, dict) and all(k.isdigit() and isinstance(d, dict) for k, d in docs.items())
        for docs in raw.values()
    ):
        raise StoreError(f"{path}: not an okrtui store (not a TinyDB file)")
    db = TinyDB(storage=MemoryStorage)
    db.storage.write(raw)
    return {name: db.table(name).all() for name in raw}, (len(data), actual)


class Snapshot:
    """The store as one committed main file saw it. Cycles load on first use."""

    def __init__(self, store: "Store", meta: Meta, strategy: list[StrategicObjective],
                 entries: list[CycleEntry], identity: Optional[tuple[int, int]] = None):
        self.store = store
        self.meta = meta
        self.strategy = strategy
        self.entries = entries
        # The main file's (size, checksum), None when there is none; with the generation, which
        # every commit raises, equal identities mean the same committed state.
        self.identity = (meta.generation, *identity) if identity is not None else None
        self._cycles: dict[str, Cycle] = {}
        self._found: dict[str, Optional[CycleEntry]] = {}  # a check-in file asks for each ref twice

    @property
    def organization(self) -> Optional[str]:
        return self.meta.organization

    @property
    def generation(self) -> int:
        return self.meta.generation

    def entry(self, cycle_id: str) -> Optional[CycleEntry]:
        return next((e for e in self.entries if e.id == cycle_id), None)

    def cycle_headers(self) -> list[Cycle]:
        """Every cycle's id and dates in store order, objectives not loaded."""
        return [e.as_cycle() for e in self.entries]

    def cycle(self, cycle_id: str) -> Cycle:
        if cycle_id not in self._cycles:
            entry = self.entry(cycle_id)
            if entry is None:
                raise KeyError(cycle_id)
            self._cycles[cycle_id] = self.store._read_cycle(entry, self.strategy)
        return self._cycles[cycle_id]

    def read_cycle(self, cycle_id: str) -> Cycle:
        return self.cycle(cycle_id)

    def cycle_ids(self) -> list[str]:
        return [e.id for e in self.entries]

    def locate(self, ref: str) -> Optional[str]:
        entry = self.find(ref)
        return entry.id if entry else None

    def cycles(self) -> list[Cycle]:
        return [self.cycle(e.id) for e in self.entries]

    def find(self, ref: str) -> Optional[CycleEntry]:
        """The cycle that holds an objective or key result ref."""
        if ref in self._found:
            return self._found[ref]
        prefix, _, number = ref.partition("-")
        found = None
        if re.fullmatch(r"[0-9]{1,9}", number):
            found = next((e for e in self.entries if e.holds(prefix.upper(), int(number))), None)
        if len(self._found) < 100_000:
            self._found[ref] = found
        return found

    def history(self, cycle_id: str) -> dict[str, list[CheckIn]]:
        entry = self.entry(cycle_id)
        return self.store._read_history(entry) if entry else {}

    def values(self, cycle_id: str) -> dict:
        """The cycle's check-ins as (time, value) by key result: enough for scores on a date."""
        entry = self.entry(cycle_id)
        return self.store._read_values(entry) if entry else {}

    def readings(self) -> dict[int, list]:
        """Every measure's readings by measure id, in the order they were added."""
        return self.store._read_readings(self.meta, self.strategy)

    def measure_readings(self, code: str) -> dict[str, list]:
        """The readings of one strategic objective's measures, by measure name."""
        found = next((s for s in self.strategy if s.code == code), None)
        if found is None or not found.measures:
            return {}
        readings = self.readings()
        return {m.name: readings.get(m._id, []) for m in found.measures}

    def history_is_read(self, cycle_id: str) -> bool:
        entry = self.entry(cycle_id)
        return entry is None or self.store.history_is_read(entry)

    def used_refs(self) -> tuple[set[int], set[int]]:
        objectives: set[int] = set()
        key_results: set[int] = set()
        for entry in self.entries:
            for first, last in entry.objective_refs:
                objectives.update(range(first, last + 1))
            for first, last in entry.kr_refs:
                key_results.update(range(first, last + 1))
        return objectives, key_results
