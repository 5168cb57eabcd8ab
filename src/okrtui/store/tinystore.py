"""The TinyDB store: snapshots to read, transactions to write (layout in layout.py).

Readers take no lock (a reader may lack write permission): they read the
main file, then the part files it names. A writer removes a superseded part
only after the new main file is in place, so a reader that finds a part
missing simply starts again from the new main file.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

import orjson
from filelock import FileLock, Timeout
from pydantic import ValidationError
from tinydb import TinyDB
from tinydb.storages import MemoryStorage

from okrtui.domain.errors import describe
from okrtui.domain.integrity import cycle_problems, strategy_problems
from okrtui.domain.models import CheckIn, Cycle, KeyResult, StrategicObjective, parse_time, ref_number
from okrtui.store import files
from okrtui.store.layout import (
    STORE_FORMAT,
    STORE_VERSION,
    CycleEntry,
    Meta,
    kr_part_doc,
    parse_entries,
    log_line,
    parse_log,
    parse_strategy,
    runs,
    table,
)

LOCK_TIMEOUT = 10.0


class StoreError(Exception):
    """The store cannot be used (exit 1). The message names the file and the problem."""


class ReadOnlyStore(StoreError):
    pass


class _PartMissing(Exception):
    """A part file vanished under a reader: another process committed meanwhile."""

    def __init__(self, path: Path):
        super().__init__(str(path))
        self.path = path


def _tables(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every table of a TinyDB file, documents in store order."""
    try:
        raw = files.read_json(path)
    except FileNotFoundError:
        raise _PartMissing(path) from None
    except orjson.JSONDecodeError as exc:
        raise StoreError(f"{path}: not valid JSON ({exc})") from None
    except PermissionError:
        raise StoreError(f"{path}: cannot be read (permission denied)") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot be read ({exc.strerror})") from None
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
    return {name: db.table(name).all() for name in raw}


class Snapshot:
    """The store as one committed main file saw it. Cycles load on first use."""

    def __init__(self, store: "Store", meta: Meta, strategy: list[StrategicObjective],
                 entries: list[CycleEntry]):
        self.store = store
        self.meta = meta
        self.strategy = strategy
        self.entries = entries
        self._cycles: dict[str, Cycle] = {}

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

    def cycles(self) -> list[Cycle]:
        return [self.cycle(e.id) for e in self.entries]

    def find(self, ref: str) -> Optional[CycleEntry]:
        """The cycle that holds an objective or key result ref."""
        prefix, _, number = ref.partition("-")
        if not number.isdigit():
            return None
        return next((e for e in self.entries if e.holds(prefix.upper(), int(number))), None)

    def history(self, cycle_id: str) -> dict[str, list[CheckIn]]:
        entry = self.entry(cycle_id)
        return self.store._read_history(entry) if entry else {}

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


class Transaction:
    """A read-modify-write under the store lock, starting from freshly read state."""

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

    def cycle(self, cycle_id: str, *, edit: bool = True) -> Cycle:
        if cycle_id not in self._loaded:
            # The base snapshot was read under the lock for this transaction alone,
            # so its objects can be edited in place: no copy on the check-in path.
            self._loaded[cycle_id] = self.base.cycle(cycle_id)
        if edit:
            self._dirty.add(cycle_id)
        return self._loaded[cycle_id]

    def entry(self, cycle_id: str) -> Optional[CycleEntry]:
        return next((e for e in self.entries if e.id == cycle_id), None)

    def add_cycle(self, cycle: Cycle) -> None:
        """A new cycle (its objectives may come with check-in histories)."""
        slot = self.meta.next_slot
        self.meta.next_slot += 1
        self.entries.append(CycleEntry(id=cycle.id, start=cycle.start, end=cycle.end,
                                       closed=cycle.closed, slot=slot))
        history = [(kr.ref, c) for kr in _all_krs(cycle) for c in kr.checkins]
        self._loaded[cycle.id] = cycle
        self._dirty.add(cycle.id)
        self._checkins[cycle.id].extend(history)

    def add_checkin(self, cycle_id: str, kr_ref: str, checkin: CheckIn) -> None:
        self._checkins[cycle_id].append((kr_ref, checkin))
        self._dirty.add(cycle_id)

    def next_objective_ref(self) -> str:
        self.meta.next_objective += 1
        return f"O-{self.meta.next_objective - 1}"

    def next_kr_ref(self) -> str:
        self.meta.next_key_result += 1
        return f"KR-{self.meta.next_key_result - 1}"

    def reserve_refs(self, objective_numbers: list[int], kr_numbers: list[int]) -> None:
        """Imported refs are kept; new refs start above every ref ever used."""
        if objective_numbers:
            self.meta.next_objective = max(self.meta.next_objective, max(objective_numbers) + 1)
        if kr_numbers:
            self.meta.next_key_result = max(self.meta.next_key_result, max(kr_numbers) + 1)


def _all_krs(cycle: Cycle) -> Iterator[KeyResult]:
    for objective in cycle.objectives:
        yield from objective.key_results


class Store:
    """One okrtui store, named by the path of its main file."""

    def __init__(self, path: str | os.PathLike[str], read_only: bool = False):
        self.path = Path(path)
        self.forced_read_only = read_only
        self._history_cache: dict[int, tuple[int, dict[str, list[CheckIn]]]] = {}

    # Where things live: beside the symlink's target, so the link stays a link.
    @property
    def target(self) -> Path:
        return Path(os.path.realpath(self.path))

    @property
    def parts_dir(self) -> Path:
        return self.target.with_name(self.target.name + ".d")

    @property
    def lock_path(self) -> Path:
        return self.target.with_name(self.target.name + ".lock")

    def exists(self) -> bool:
        return self.target.exists()

    @property
    def read_only(self) -> bool:
        if self.forced_read_only:
            return True
        target = self.target
        if target.exists():
            return not os.access(target, os.W_OK) or not os.access(target.parent, os.W_OK)
        return False

    # -- reading ---------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The committed main file; cycles are read from it on first use."""
        return self._read_main()

    def load(self, use) -> Any:
        """Run `use(snapshot)` on a consistent snapshot, starting over if a commit raced it."""
        for _ in range(5):
            try:
                return use(self.snapshot())
            except _PartMissing as exc:
                missing = exc.path
        raise StoreError(f"{missing}: missing, though the main file names it; "
                         "the store is damaged (see `okrtui doctor`)")

    def _read_main(self) -> Snapshot:
        path = self.target
        try:
            tables = _tables(path)
        except _PartMissing:
            # The main file is only ever replaced, never removed: no file, no store yet.
            return Snapshot(self, Meta(format=STORE_FORMAT, version=STORE_VERSION), [], [])
        meta_docs = tables.get("meta") or []
        if len(meta_docs) != 1 or meta_docs[0].get("format") != STORE_FORMAT:
            raise StoreError(f"{path}: not an okrtui store (no format marker)")
        try:
            meta = Meta.model_validate(meta_docs[0])
        except ValidationError as exc:
            raise StoreError(f"{path}: invalid store: {'; '.join(describe(exc, ('meta',)))}") from None
        if meta.version > STORE_VERSION:
            raise StoreError(
                f"{path}: written by a newer okrtui (store format {meta.version}; "
                f"this version reads up to {STORE_VERSION}). Upgrade okrtui."
            )
        try:
            strategy = parse_strategy(tables.get("strategy", []))
            entries = parse_entries(tables.get("cycles", []))
        except ValueError as exc:
            raise StoreError(f"{path}: invalid store: {exc}") from None
        problems = strategy_problems(strategy)
        slots = [e.slot for e in entries]
        if len(set(slots)) != len(slots):
            problems.append("cycles: two cycles share a slot (their files would collide)")
        if problems:
            raise StoreError(f"{path}: invalid store: {problems[0]}")
        return Snapshot(self, meta, strategy, entries)

    def _read_cycle(self, entry: CycleEntry, strategy: list[StrategicObjective]) -> Cycle:
        header = entry.as_cycle()
        if entry.file is None:
            return Cycle.model_validate({"id": header.id, "start": header.start.isoformat(),
                                         "end": header.end.isoformat(), "closed": header.closed})
        path = self.parts_dir / entry.file
        docs = _tables(path).get("objectives", [])
        last_times: list[Any] = []
        for objective in docs:
            for kr in objective.get("key_results", []) if isinstance(objective, dict) else []:
                last_times.append(kr.pop("last_at", None) if isinstance(kr, dict) else None)
        try:
            cycle = Cycle.model_validate({"id": entry.id, "start": entry.start.isoformat(),
                                          "end": entry.end.isoformat(), "closed": entry.closed,
                                          "objectives": docs})
        except ValidationError as exc:
            raise StoreError(f"{path}: invalid store: {'; '.join(describe(exc))}") from None
        for kr, last in zip(_all_krs(cycle), last_times):
            kr._last_at = parse_time(last) if last else None
        problems = cycle_problems([cycle], (s.code for s in strategy))
        if problems:
            raise StoreError(f"{path}: invalid store: {problems[0]}")
        return cycle

    def _read_history(self, entry: CycleEntry) -> dict[str, list[CheckIn]]:
        """A cycle's check-ins by key result, as of `entry.log_len`.

        Committed log bytes never change, so what was read once is kept and only the
        new tail is read next time: a long-running app pays for a cycle's history once.
        The lists handed out are copies; callers may not change the cache through them.
        """
        path = self.parts_dir / entry.log_name
        seen_len, seen = self._history_cache.get(entry.slot, (0, {}))
        older = seen_len > entry.log_len
        if older:
            seen_len, seen = 0, {}  # a snapshot older than the cache: read it whole, keep the cache
        if entry.log_len == seen_len:
            return {ref: list(checkins) for ref, checkins in seen.items()}
        try:
            with open(path, "rb") as handle:
                handle.seek(seen_len)
                data = handle.read(entry.log_len - seen_len)
        except FileNotFoundError:
            raise StoreError(f"{path}: missing (the store's history of cycle {entry.id})") from None
        if len(data) < entry.log_len - seen_len:
            raise StoreError(f"{path}: shorter than recorded; history of cycle {entry.id} was cut")
        try:
            records = parse_log(data)
        except ValueError as exc:
            raise StoreError(f"{path}: invalid store: {exc}") from None
        grown = dict(seen)
        for ref, checkin in records:
            grown[ref] = grown[ref] + [checkin] if ref in grown else [checkin]
        if not older:
            self._history_cache[entry.slot] = (entry.log_len, grown)
        return {ref: list(checkins) for ref, checkins in grown.items()}

    def history_is_read(self, entry: CycleEntry) -> bool:
        """Whether the cycle's history is (nearly all) read already, so reading it is cheap."""
        seen_len, _ = self._history_cache.get(entry.slot, (0, {}))
        return entry.log_len == 0 or 0 <= entry.log_len - seen_len < 65536

    # -- writing ---------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        if self.read_only:
            raise ReadOnlyStore(f"{self.target}: the store is read-only")
        target = self.target
        new_dirs = [d for d in reversed(target.parents) if not d.exists()]
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            mode = (target.stat().st_mode & 0o666) if target.exists() else (0o666 & ~_umask())
            with FileLock(str(self.lock_path), timeout=LOCK_TIMEOUT, mode=mode):
                try:
                    like = os.stat(target) if target.exists() else None
                    if like is not None:
                        _share_group(self.lock_path, like)
                    tx = Transaction(self, self.snapshot())
                    yield tx
                    self._commit(tx, like)
                finally:
                    if not target.exists():
                        self._undo_creation(new_dirs)
        except Timeout:
            raise StoreError(f"{target}: locked by another process for more than {LOCK_TIMEOUT:.0f} s") from None
        except _PartMissing as exc:
            # Under the lock nobody else commits: a missing part is damage, not a race.
            raise StoreError(f"{exc.path}: missing, though the main file names it; "
                             "the store is damaged (see `okrtui doctor`)") from None
        except PermissionError as exc:
            raise ReadOnlyStore(f"{target}: cannot write ({exc.strerror}: {exc.filename})") from None

    def _undo_creation(self, new_dirs: list[Path]) -> None:
        """A first write that failed leaves nothing behind: no lock file, no empty directories."""
        self.lock_path.unlink(missing_ok=True)
        for directory in [self.parts_dir, *reversed(new_dirs)]:
            try:
                directory.rmdir()
            except OSError:
                pass

    def _commit(self, tx: Transaction, like: Optional[os.stat_result]) -> None:
        parts = self.parts_dir
        parts.mkdir(exist_ok=True)
        if like is not None:
            _match_dir_mode(parts, like)
        files.clean_temp_files(self.target)
        # Leftovers of a writer that crashed before its commit would collide with our names.
        self._remove_orphans(tx.base.entries)
        for cycle_id in tx._checkins:
            self._check_log(tx.entry(cycle_id))
        generation = tx.meta.generation + 1
        superseded: list[Path] = []
        for cycle_id in tx._dirty:
            entry = tx.entry(cycle_id)
            cycle = tx._loaded.get(cycle_id) or tx.cycle(cycle_id)
            pending = tx._checkins.get(cycle_id, [])
            if pending:
                entry.log_len = self._append_log(parts / entry.log_name, entry.log_len, pending, like)
            if entry.file:
                superseded.append(parts / entry.file)
            entry.file = entry.part_name(generation)
            entry.start, entry.end, entry.closed = cycle.start, cycle.end, cycle.closed
            entry.objective_refs = runs([ref_number(o.ref) for o in cycle.objectives])
            entry.kr_refs = runs([ref_number(k.ref) for k in _all_krs(cycle)])
            files.write_new(parts / entry.file, files.dumps({"objectives": table(_cycle_docs(cycle))}), like)
        files.fsync_dir(parts)
        tx.meta.generation = generation
        tx.meta.organization = tx.organization
        main = {
            "meta": table([tx.meta.model_dump(mode="json")]),
            "strategy": table([s.to_doc() for s in tx.strategy]),
            "cycles": table([e.model_dump(mode="json") for e in tx.entries]),
        }
        files.replace_atomically(self.target, files.dumps(main), like)
        for path in superseded:
            path.unlink(missing_ok=True)

    def _check_log(self, entry: Optional[CycleEntry]) -> None:
        """Refuse to append to a log that lost committed bytes: that would hide the damage."""
        if entry is None or entry.log_len == 0:
            return
        path = self.parts_dir / entry.log_name
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            size = -1
        if size < entry.log_len:
            raise StoreError(f"{path}: {'missing' if size < 0 else 'shorter than recorded'}; the history "
                             f"of cycle {entry.id} was damaged (see `okrtui doctor`)")

    def _append_log(self, path: Path, committed: int, pending: list[tuple[str, CheckIn]],
                    like: Optional[os.stat_result]) -> int:
        lines = b"".join(log_line(ref, checkin) for ref, checkin in pending)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            if like is not None and committed == 0:
                files._match_owner(fd, like)
            # Bytes past the committed length belong to a writer that crashed before its commit.
            os.ftruncate(fd, committed)
            os.lseek(fd, committed, os.SEEK_SET)
            files._write_all(fd, lines)
            os.fsync(fd)
        finally:
            os.close(fd)
        return committed + len(lines)

    def _remove_orphans(self, entries: list[CycleEntry]) -> None:
        """Part files the main file does not name: left by a writer that crashed before its commit."""
        keep = {e.file for e in entries if e.file}
        for name in os.listdir(self.parts_dir):
            stale_part = re.fullmatch(r"c\d+-\d+\.json", name) and name not in keep
            if stale_part or name.endswith(files.TEMP_SUFFIX):
                (self.parts_dir / name).unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _share_group(path: Path, like: os.stat_result) -> None:
    # A lock file made by one member of a team must stay usable by the rest of its group.
    try:
        if os.stat(path).st_gid != like.st_gid:
            os.chown(path, -1, like.st_gid)
    except OSError:
        pass


def _match_dir_mode(directory: Path, like: os.stat_result) -> None:
    # A group-writable store needs a group-writable parts directory too.
    mode = like.st_mode & 0o777
    mode |= (mode & 0o444) >> 2  # x wherever r, so the directory can be entered
    try:
        if (os.stat(directory).st_mode & 0o777) != mode:
            os.chmod(directory, mode)
        os.chown(directory, -1, like.st_gid)
    except OSError:
        pass


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
