"""The TinyDB store: snapshots to read, transactions to write (layout in layout.py).

Readers take no lock (a reader may lack write permission): they read the
main file, then the part files it names. A writer removes a superseded part
only after the new main file is in place, so a reader that finds a part
missing simply starts again from the new main file.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import stat
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, TypeVar

import orjson
from filelock import FileLock, Timeout
from pydantic import ValidationError
from tinydb import TinyDB
from tinydb.storages import MemoryStorage

from okrtui.domain.errors import InvalidInput, describe
from okrtui.domain.integrity import cycle_problems, strategy_problems
from okrtui.domain.models import CheckIn, Cycle, KeyResult, StrategicObjective, parse_time, ref_number
from okrtui.domain.text import MAX_REF
from okrtui.store import files, guard
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
# Lock-free preparations of a change before it is prepared under the lock, when other
# commits keep landing in between (each preparation that loses the race costs only time).
PREPARE_ATTEMPTS = 3
R = TypeVar("R")


class StoreError(Exception):
    """The store cannot be used (exit 1). The message names the file and the problem."""


class ReadOnlyStore(StoreError):
    pass


class _PartMissing(Exception):
    """A part file vanished under a reader: another process committed meanwhile."""

    def __init__(self, path: Path):
        super().__init__(str(path))
        self.path = path


def _tables(path: Path, crc: Optional[int] = None) -> tuple[dict[str, list[dict[str, Any]]], tuple[int, int]]:
    """Every table of a TinyDB file, documents in store order, and the file's (size, checksum).

    `crc`: the checksum the file must have (a part, as the main file recorded it).
    """
    try:
        data = files.read_own(path)
    except FileNotFoundError:
        raise _PartMissing(path) from None
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
        if not re.fullmatch(r"[0-9]{1,9}", number):
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
            # The base snapshot was read for this transaction alone,
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


def _all_krs(cycle: Cycle) -> Iterator[KeyResult]:
    for objective in cycle.objectives:
        yield from objective.key_results


class Store:
    """One okrtui store, named by the path of its main file."""

    def __init__(self, path: str | os.PathLike[str], read_only: bool = False):
        self.path = Path(path)
        self.forced_read_only = read_only
        self._backups: dict[tuple[Any, str], Path] = {}  # the backups of the write under way
        # slot -> (log bytes read, their CRC-32, check-ins by key result)
        self._history_cache: dict[int, tuple[int, int, dict[str, list[CheckIn]]]] = {}

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

    def owns(self, path: Path) -> bool:
        """Whether `path` is (or would be) one of this store's own files."""
        real = Path(os.path.realpath(path))
        target = self.target
        return (real == target or real.parent == self.parts_dir or real == self.parts_dir
                or (real.parent == target.parent and real.name.startswith(target.name + ".")))

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
            tables, identity = _tables(path)
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
        return Snapshot(self, meta, strategy, entries, identity)

    def _read_cycle(self, entry: CycleEntry, strategy: list[StrategicObjective]) -> Cycle:
        header = entry.as_cycle()
        if entry.file is None:
            return Cycle.model_validate({"id": header.id, "start": header.start.isoformat(),
                                         "end": header.end.isoformat(), "closed": header.closed})
        path = self.parts_dir / entry.file
        docs = _tables(path, entry.part_crc)[0].get("objectives", [])
        last_times: list[Any] = []
        for objective in docs:
            for kr in objective.get("key_results", []) if isinstance(objective, dict) else []:
                last_times.append(kr.pop("last_at", None) if isinstance(kr, dict) else None)
        try:
            cycle = Cycle.model_validate({"id": entry.id, "start": entry.start.isoformat(),
                                          "end": entry.end.isoformat(), "closed": entry.closed,
                                          "objectives": docs})
        except ValidationError as exc:
            problems = describe(exc)
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            raise StoreError(f"{path}: invalid store: {'; '.join(problems[:3])}{more}") from None
        for kr, last in zip(_all_krs(cycle), last_times):
            kr._last_at = parse_time(last) if last else None
        if (runs([ref_number(o.ref) for o in cycle.objectives]) != entry.objective_refs
                or runs([ref_number(k.ref) for k in _all_krs(cycle)]) != entry.kr_refs):
            raise StoreError(f"{self.target}: invalid store: the refs it records for cycle {entry.id} "
                             f"are not the refs of {path}")
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
        seen_len, seen_crc, seen = self._history_cache.get(entry.slot, (0, 0, {}))
        older = seen_len > entry.log_len
        if older:
            seen_len, seen_crc, seen = 0, 0, {}  # a snapshot older than the cache: read it whole, keep the cache
        if entry.log_len == seen_len:
            return {ref: list(checkins) for ref, checkins in seen.items()}
        try:
            data = files.read_own(path, entry.log_len, seen_len)
        except FileNotFoundError:
            raise StoreError(f"{path}: missing (the store's history of cycle {entry.id})") from None
        except OSError as exc:
            raise StoreError(files.os_problem(exc, "cannot be read")) from None
        if len(data) < entry.log_len - seen_len:
            raise StoreError(f"{path}: shorter than recorded; history of cycle {entry.id} was cut")
        crc = files.checksum(data, seen_crc)
        if entry.log_crc is not None and crc != entry.log_crc:
            raise StoreError(f"{path}: the committed history of cycle {entry.id} changed after it was "
                             "written (checksum mismatch); the store is damaged (see `okrtui doctor`)")
        try:
            records = parse_log(data)
        except ValueError as exc:
            raise StoreError(f"{path}: invalid store: {exc}") from None
        grown = dict(seen)
        for ref, checkin in records:
            grown[ref] = grown[ref] + [checkin] if ref in grown else [checkin]
        if not older:
            self._history_cache[entry.slot] = (entry.log_len, crc, grown)
        return {ref: list(checkins) for ref, checkins in grown.items()}

    def history_is_read(self, entry: CycleEntry) -> bool:
        """Whether the cycle's history is (nearly all) read already, so reading it is cheap."""
        seen_len = self._history_cache.get(entry.slot, (0, 0, {}))[0]
        return entry.log_len == 0 or 0 <= entry.log_len - seen_len < 65536

    # -- writing ---------------------------------------------------------

    def layout_problems(self) -> list[str]:
        return guard.layout_problems(self.target, self.parts_dir, self.lock_path)

    def damage(self, snapshot: Snapshot) -> list[str]:
        """Everything that makes writers refuse this store (doctor reads deeper still)."""
        return self.layout_problems() + guard.file_problems(self.parts_dir, snapshot.entries)

    def damage_seen(self, snapshot: Snapshot) -> list[str]:
        """`damage` for a reader inside `load`: a part superseded by a commit since the
        snapshot was read is a race, not damage, so `load` starts over instead."""
        problems = self.damage(snapshot)
        if problems and self.snapshot().identity != snapshot.identity:
            raise _PartMissing(self.target)
        return problems

    def write(self, change: Callable[[Transaction], R]) -> R:
        """Run `change(tx)` on the store's state and commit what it did; return its result.

        The change is first prepared on a snapshot read without the lock, so the slow
        part (reading and validating a large cycle, a backup) holds nobody up; the lock
        is then held only to check that nothing was committed meanwhile and to write.
        If something was, the change runs again under the lock on the fresh state, so it
        must depend on nothing but the transaction it is given. InvalidInput from the
        change leaves the store untouched; every OSError becomes a StoreError naming the
        file and the cause, and nothing half-written stays behind.
        """
        with _failed_writes_as_store_errors():
            return self._write(change)

    def _write(self, change: Callable[[Transaction], R]) -> R:
        self._refuse_unless_writable()
        self._backups = {}
        try:
            tx, result = self._attempts(change)
        except BaseException:
            for path in self._backups.values():  # a write that did not happen needs no backup
                path.unlink(missing_ok=True)
            raise
        finally:
            backups, self._backups = self._backups, {}
        for (identity, _), path in backups.items():
            if identity != tx.base.identity:  # of a state this write did not commit on
                path.unlink(missing_ok=True)
        return result

    def _back_up(self, snapshot: Snapshot, now: dt.datetime, reason: str) -> Path:
        from okrtui.store.backup import keep_backup

        key = (snapshot.identity, reason)
        if key not in self._backups:
            self._backups[key] = keep_backup(self, snapshot, now, reason)
        return self._backups[key]

    def _attempts(self, change: Callable[[Transaction], R]) -> tuple[Transaction, R]:
        for attempt in range(PREPARE_ATTEMPTS + 1):
            locked_only = attempt == PREPARE_ATTEMPTS  # the last resort: everything under the lock
            prepared = None if locked_only else self._prepare(change)
            with self._locked() as like:
                snapshot = self.snapshot()
                problems = self.damage(snapshot)
                if problems:
                    raise StoreError(problems[0] + "; the store is damaged, nothing was written "
                                     "(see `okrtui doctor`)")
                if prepared is not None and prepared[0].base.identity == snapshot.identity:
                    tx, result = prepared
                elif locked_only or prepared is None:
                    self._back_up_before_migrating(snapshot)
                    tx = Transaction(self, snapshot)
                    result = change(tx)
                else:
                    continue  # another commit landed meanwhile: prepare again, without the lock
                if snapshot.identity is not None and snapshot.meta.version < STORE_VERSION:
                    self._migrate(tx)
                self._commit(tx, like)
                return tx, result
        raise AssertionError("unreachable: the last attempt runs under the lock")

    def _prepare(self, change: Callable[[Transaction], R]) -> Optional[tuple[Transaction, R]]:
        """The change run on a lock-free snapshot; None when that cannot be done there
        (a commit raced the read, or the store is damaged: the locked attempt says so)."""
        try:
            snapshot = self.snapshot()
            self._back_up_before_migrating(snapshot)
            tx = Transaction(self, snapshot)
            try:
                return tx, change(tx)
            except InvalidInput:
                # A damaged store is reported as such, before anything about the input.
                if not self.damage(snapshot):
                    raise
        except (_PartMissing, StoreError):
            pass
        return None

    def _refuse_unless_writable(self) -> None:
        target = self.target
        try:
            kind = os.stat(target).st_mode
        except FileNotFoundError:
            kind = None
        if kind is not None and not stat.S_ISREG(kind):
            raise StoreError(f"{target}: not a regular file, so not a store; nothing was written")
        if kind is None and self._holds_parts():
            raise StoreError(f"{target}: missing, but {self.parts_dir} holds a store's cycles; restore the "
                             "main file (or import a backup into a new store), nothing was written")
        if self.read_only:
            raise ReadOnlyStore(f"{target}: the store is read-only")
        problems = self.layout_problems()
        if problems:
            raise StoreError(problems[0] + "; nothing was written (see `okrtui doctor`)")

    @contextmanager
    def _locked(self) -> Iterator[Optional[os.stat_result]]:
        """Hold the store's lock; yield the main file's stat (None: no store yet).

        A first write that fails leaves nothing behind (no lock file, no directories).
        """
        target = self.target
        new_dirs = [d for d in reversed(target.parents) if not d.exists()]
        try:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                self._make_lock_file(os.stat(target) if target.exists() else None)
                lock = FileLock(str(self.lock_path), timeout=LOCK_TIMEOUT)
                lock.acquire()
            except BaseException:
                if not target.exists():
                    self._undo_creation(new_dirs)
                raise
            try:
                problems = self.layout_problems()  # again, now that nobody else writes
                if problems:
                    raise StoreError(problems[0] + "; nothing was written (see `okrtui doctor`)")
                yield os.stat(target) if target.exists() else None
            finally:
                try:
                    if not target.exists():
                        self._undo_creation(new_dirs)
                finally:
                    lock.release()
        except Timeout:
            raise StoreError(f"{target}: locked by another process for more than {LOCK_TIMEOUT:.0f} s") from None
        except _PartMissing as exc:
            # Under the lock nobody else commits: a missing part is damage, not a race.
            raise StoreError(f"{exc.path}: missing, though the main file names it; "
                             "the store is damaged (see `okrtui doctor`)") from None

    def _holds_parts(self) -> bool:
        try:
            return any(re.fullmatch(r"c\d+(-\d+\.json|\.log)", name) for name in os.listdir(self.parts_dir))
        except OSError:
            return False

    def _make_lock_file(self, like: Optional[os.stat_result]) -> None:
        """Create the lock file, sharing the main file's group, unless it is there already.

        Only a lock file made here gets a mode or group: the store never changes
        those of anything it did not create.
        """
        mode = (like.st_mode & 0o666) if like is not None else 0o666
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_EXCL | files.NOFOLLOW, mode)
        except FileExistsError:
            return
        try:
            files._match_owner(fd, like)
        finally:
            os.close(fd)

    def _undo_creation(self, new_dirs: list[Path]) -> None:
        """A first write that failed leaves no store behind: no parts directory, and no
        directories it made but the one holding the lock file. The lock file stays: another
        process may already wait on it, and a new one would let two writers in at once."""
        for directory in [self.parts_dir, *reversed(new_dirs)]:
            try:
                directory.rmdir()
            except OSError:
                pass

    def _back_up_before_migrating(self, snapshot: Snapshot) -> None:
        """A store of an older format is kept as an interchange backup before its first write
        (taken before the change touches the snapshot's objects)."""
        if (snapshot.entries or snapshot.strategy) and snapshot.meta.version < STORE_VERSION:
            self._back_up(snapshot, dt.datetime.now(dt.timezone.utc),
                          f"format-{snapshot.meta.version}-g{snapshot.generation}")

    def _migrate(self, tx: Transaction) -> None:
        """Format 1 to 2: read every cycle and its history the thorough way (the backup did),
        then record the checksums of the files so read (format 1 had none)."""
        try:
            for held in tx.base.entries:
                tx.base.cycle(held.id)
                tx.base.history(held.id)
                entry = tx.entry(held.id)
                if entry.part_crc is None and held.file:
                    entry.part_crc = files.checksum(files.read_own(self.parts_dir / held.file))
                if entry.log_crc is None and held.log_len:
                    entry.log_crc = files.checksum(files.read_own(self.parts_dir / held.log_name, held.log_len))
        except OSError as exc:
            raise StoreError(files.os_problem(exc, "cannot be read") + "; nothing was written") from None
        tx.meta.version = STORE_VERSION

    def _commit(self, tx: Transaction, like: Optional[os.stat_result]) -> None:
        """Write the new parts and log lines, then the main file (the commit).

        On any failure before the main file is in place, what this commit wrote is
        removed again (new parts deleted, logs cut back to their committed length).
        """
        parts = self.parts_dir
        created_parts = False
        try:
            parts.mkdir()
            created_parts = True
        except FileExistsError:
            pass
        if created_parts and like is not None:
            _match_dir_mode(parts, like)
        files.clean_temp_files(self.target)
        # Leftovers of a writer that crashed before its commit would collide with our names.
        self._remove_orphans(tx.base.entries)
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
                    self._append_log(log, entry.log_len, lines, like, appended)
                    entry.log_crc = files.checksum(lines, entry.log_crc or 0)
                    entry.log_len += len(lines)
                if entry.file:
                    superseded.append(parts / entry.file)
                entry.file = entry.part_name(generation)
                entry.start, entry.end, entry.closed = cycle.start, cycle.end, cycle.closed
                entry.objective_refs = runs([ref_number(o.ref) for o in cycle.objectives])
                entry.kr_refs = runs([ref_number(k.ref) for k in _all_krs(cycle)])
                data = files.dumps({"objectives": table(_cycle_docs(cycle))})
                files.write_new(parts / entry.file, data, like)  # removes its own file on failure
                written.append(parts / entry.file)
                entry.part_crc = files.checksum(data)
            files.fsync_dir(parts)
            tx.meta.generation = generation
            tx.meta.organization = tx.organization
            main = {
                "meta": table([tx.meta.model_dump(mode="json")]),
                "strategy": table([s.to_doc() for s in tx.strategy]),
                "cycles": table([e.model_dump(mode="json") for e in tx.entries]),
            }
            temp = files.new_version(self.target, files.dumps(main), like)
            written.append(temp)
            files.rename_into_place(temp, self.target)
            committed = True  # from here on, what was written is the store
            files.fsync_dir(self.target.parent)
        except BaseException:
            if not committed:
                _take_back(written, appended)
            raise
        for path in superseded:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass  # committed already; the next write removes it as an orphan

    def _append_log(self, path: Path, committed: int, lines: bytes, like: Optional[os.stat_result],
                    appended: list[tuple[Path, int]]) -> None:
        """Append after the committed bytes; `appended` learns how to take it back."""
        with files.naming(path):
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | files.NOFOLLOW, 0o666)
                created = True
            except FileExistsError:
                fd = os.open(path, os.O_RDWR | files.NOFOLLOW)
                created = False
            # A log this write made may go again if it fails; one that was there is cut back.
            appended.append((path, -1 if created else committed))
            try:
                if created:
                    files._match_owner(fd, like)
                # Bytes past the committed length belong to a writer that crashed before its commit.
                os.ftruncate(fd, committed)
                os.lseek(fd, committed, os.SEEK_SET)
                files._write_all(fd, lines)
                os.fsync(fd)
            finally:
                os.close(fd)

    def _remove_orphans(self, entries: list[CycleEntry]) -> None:
        """Part files the main file does not name: left by a writer that crashed before its commit."""
        keep = {e.file for e in entries if e.file}
        for name in os.listdir(self.parts_dir):
            stale_part = re.fullmatch(r"c\d+-\d+\.json", name) and name not in keep
            if stale_part or name.endswith(files.TEMP_SUFFIX):
                (self.parts_dir / name).unlink(missing_ok=True)


@contextmanager
def _failed_writes_as_store_errors() -> Iterator[None]:
    try:
        yield
    except PermissionError as exc:
        raise ReadOnlyStore(files.os_problem(exc) + "; nothing was written") from None
    except OSError as exc:
        if exc.errno == errno.EROFS:
            raise ReadOnlyStore(files.os_problem(exc) + "; nothing was written") from None
        raise StoreError(files.os_problem(exc) + "; nothing was written") from None


def _take_back(written: list[Path], appended: list[tuple[Path, int]]) -> None:
    """Undo an unfinished commit as far as the filesystem lets us (it is not committed either way)."""
    for path in written:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass
    for path, length in appended:
        try:
            if length < 0:  # made by this commit
                path.unlink(missing_ok=True)
            else:
                os.truncate(path, length)
        except OSError:
            pass


def _match_dir_mode(directory: Path, like: os.stat_result) -> None:
    # A parts directory made for a group-writable store is group-writable too.
    mode = like.st_mode & 0o777
    mode |= (mode & 0o444) >> 2  # x wherever r, so the directory can be entered
    try:
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
