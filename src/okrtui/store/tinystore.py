"""The TinyDB store: where its files are, how it is read, and the write protocol
(prepare without the lock, commit under it). Snapshots are in snapshot.py, the
commit in commit.py, the layout in layout.py.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, TypeVar

import orjson
from filelock import FileLock, Timeout
from pydantic import ValidationError

from okrtui.domain.changes import set_current
from okrtui.domain.review import Point
from okrtui.domain.errors import InvalidInput, describe
from okrtui.domain.integrity import cycle_problems, strategy_problems
from okrtui.domain.models import CheckIn, Cycle, Reading, StrategicObjective, parse_time, ref_number
from okrtui.store import backup, files, guard
from okrtui.store.backup import backup_dir, daily_path, keep_backup, keep_daily, prune_backups
from okrtui.store.commit import Transaction, all_krs, commit
from okrtui.store.layout import (
    READINGS_LOG,
    STORE_FORMAT,
    STORE_VERSION,
    CycleEntry,
    Meta,
    parse_entries,
    parse_log,
    parse_readings,
    parse_strategy,
    reading_crc,
    runs,
    without_retracted,
)
from okrtui.store.errors import failed_writes_as_store_errors
from okrtui.store.shape import LOCK_TIMEOUT  # noqa: F401  (tests shorten it here)
from okrtui.store.snapshot import PartMissing, ReadOnlyStore, Snapshot, StoreError, read_tables

# Lock-free preparations of a change before it is prepared under the lock, when other
# commits keep landing in between (each preparation that loses the race costs only time).
PREPARE_ATTEMPTS = 3
R = TypeVar("R")



class Store:
    """One okrtui store, named by the path of its main file."""

    def __init__(self, path: str | os.PathLike[str], read_only: bool = False):
        self.path = Path(path)
        self.forced_read_only = read_only
        self._backups: dict[tuple[Any, str], Path] = {}  # the backups of the write under way
        # slot -> (log bytes read, their CRC-32, check-ins by key result)
        self._history_cache: dict[int, tuple[int, int, dict[str, list[CheckIn]]]] = {}
        # The readings log, likewise: (bytes read, their CRC-32, readings by measure id)
        self._readings_cache: tuple[int, int, dict[int, list[Reading]]] = (0, 0, {})

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
        return (real == target or real.parent in (self.parts_dir, backup_dir(target)) or real == self.parts_dir
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
            except PartMissing as exc:
                missing = exc.path
        raise StoreError(f"{missing}: missing, though the main file names it; "
                         "the store is damaged (see `okrtui doctor`)")

    def _read_main(self) -> Snapshot:
        path = self.target
        try:
            tables, identity = read_tables(path)
        except PartMissing:
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
            strategy = parse_strategy(tables.get("strategy", []), meta.next_measure)
            entries = parse_entries(tables.get("cycles", []))
        except ValueError as exc:
            raise StoreError(f"{path}: invalid store: {exc}") from None
        if meta.version < 4:
            # Before format 4 measures had no ids: numbered in store order, the same for every
            # reader, and written so by the first write (the migration).
            meta = meta.model_copy(update={"next_measure": 1})
            for objective in strategy:
                for measure in objective.measures:
                    measure._id = meta.next_measure
                    meta.next_measure += 1
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
        docs = read_tables(path, entry.part_crc)[0].get("objectives", [])
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
        for kr, last in zip(all_krs(cycle), last_times):
            set_current(kr, kr.current, kr.confidence, parse_time(last) if last else None)
        if (runs([ref_number(o.ref) for o in cycle.objectives]) != entry.objective_refs
                or runs([ref_number(k.ref) for k in all_krs(cycle)]) != entry.kr_refs):
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
        seen = self._history_cache.get(entry.slot, (0, 0, {}))
        older = seen[0] > entry.log_len
        if older:
            seen = (0, 0, {})  # a snapshot older than the cache: read it whole, keep the cache
        if entry.log_len == seen[0]:
            return _visible(entry, seen[2])
        crc, grown = self._grown(self.parts_dir / entry.log_name, entry.log_len, entry.log_crc, seen, parse_log,
                                 f"history of cycle {entry.id}")
        if not older:
            self._history_cache[entry.slot] = (entry.log_len, crc, grown)
        return _visible(entry, grown)

    def _grown(self, path: Path, length: int, recorded: Optional[int], seen: tuple[int, int, dict],
               parse, what: str) -> tuple[int, dict]:
        """An append-only log read up to its committed `length`, past the `seen` (bytes, CRC-32,
        entries by key) read before: the CRC-32 of all of it, and the entries grown by the tail."""
        seen_len, seen_crc, known = seen
        try:
            data = files.read_own(path, length, seen_len)
        except FileNotFoundError:
            raise StoreError(f"{path}: missing (the store's {what})") from None
        except OSError as exc:
            raise StoreError(files.os_problem(exc, "cannot be read")) from None
        if len(data) < length - seen_len:
            raise StoreError(f"{path}: shorter than recorded; {what} was cut")
        crc = files.checksum(data, seen_crc)
        if recorded is not None and crc != recorded:
            raise StoreError(f"{path}: the committed {what} changed after it was "
                             "written (checksum mismatch); the store is damaged (see `okrtui doctor`)")
        try:
            records = parse(data)
        except ValueError as exc:
            raise StoreError(f"{path}: invalid store: {exc}") from None
        grown = dict(known)
        for key, item in records:
            grown[key] = grown[key] + [item] if key in grown else [item]
        return crc, grown

    def _read_values(self, entry: CycleEntry) -> dict[str, list[Point]]:
        """A cycle's check-ins as (time, value) only, for scores on a past date (§12).

        The committed bytes are checked against the checksum the main file records, and a
        writer validated every line before it wrote it; so the lines are only parsed (orjson),
        not validated again: a tenth of the cost of `_read_history` on a large cycle. A store
        of format 1 (no checksum) goes the thorough way.
        """
        if entry.log_len == 0:
            return {}
        if entry.log_crc is None or self._history_cache.get(entry.slot, (0,))[0] == entry.log_len:
            return {ref: [Point(c.at, c.value) for c in rows] for ref, rows in self._read_history(entry).items()}
        path = self.parts_dir / entry.log_name
        try:
            data = files.read_own(path, entry.log_len)
        except FileNotFoundError:
            raise StoreError(f"{path}: missing (the store's history of cycle {entry.id})") from None
        except OSError as exc:
            raise StoreError(files.os_problem(exc, "cannot be read")) from None
        if len(data) < entry.log_len or files.checksum(data) != entry.log_crc:
            raise StoreError(f"{path}: the committed history of cycle {entry.id} changed after it was "
                             "written (checksum mismatch); the store is damaged (see `okrtui doctor`)")
        try:
            # One parse of the whole log: its lines joined into one JSON array in place.
            records = orjson.loads(b"[" + data.rstrip(b"\n").replace(b"\n", b",") + b"]")
        except orjson.JSONDecodeError as exc:
            raise StoreError(f"{path}: invalid store: {exc}") from None
        if entry.retracted:
            # Retractions take back the newest line of theirs (as without_retracted does).
            taken: dict[tuple[str, int], int] = {}
            for ref, crc in entry.retracted:
                taken[(ref, crc)] = taken.get((ref, crc), 0) + 1
            lines = data.splitlines(keepends=True)
            for index in range(len(lines) - 1, -1, -1):
                key = (records[index][0], zlib.crc32(lines[index]))
                if key in taken:
                    taken[key] -= 1
                    if not taken[key]:
                        del taken[key]
                    records[index] = ("", records[index][1])
        found: dict[str, list[Point]] = {}
        held: dict[str, Optional[list[Point]]] = {}
        parse = dt.datetime.fromisoformat
        try:
            for ref, doc in records:
                points = held.get(ref, False)
                if points is False:
                    points = held[ref] = found.setdefault(ref, []) if ref and entry.holds("KR", ref_number(ref)) \
                        else None
                value = doc["value"]
                if type(value) not in (int, float) or value != value or abs(value) > 1e15:
                    raise ValueError(f"{value!r} is not a number")
                # The writer stored every time in UTC (format_time): the C parser reads it as is.
                moment = parse(doc["at"])
                if points is not None:
                    points.append(Point(moment, value))
        except (ValueError, TypeError, KeyError) as exc:
            raise StoreError(f"{path}: invalid store: {exc}") from None
        return found

    def _read_readings(self, meta: Meta, strategy: list[StrategicObjective]) -> dict[int, list[Reading]]:
        """Every measure's readings by measure id, as of `meta.readings_len`: of the measures
        the strategy holds now, less what undo took back. Read once, then only the new tail."""
        seen = self._readings_cache
        older = seen[0] > meta.readings_len
        if older:
            seen = (0, 0, {})
        if meta.readings_len != seen[0]:
            crc, grown = self._grown(self.parts_dir / READINGS_LOG, meta.readings_len, meta.readings_crc, seen,
                                     parse_readings, "readings log")
            if not older:
                self._readings_cache = (meta.readings_len, crc, grown)
            seen = (meta.readings_len, crc, grown)
        seen = seen[2]
        held = {m._id for s in strategy for m in s.measures}
        shown = {number: list(readings) for number, readings in seen.items() if number in held}
        if meta.retracted_readings:
            without_retracted(shown, meta.retracted_readings, reading_crc)
        return shown

    def history_is_read(self, entry: CycleEntry) -> bool:
        """Whether the cycle's history is (nearly all) read already, so reading it is cheap."""
        seen_len = self._history_cache.get(entry.slot, (0, 0, {}))[0]
        return entry.log_len == 0 or 0 <= entry.log_len - seen_len < 65536

    # -- writing ---------------------------------------------------------

    def layout_problems(self) -> list[str]:
        return guard.layout_problems(self.target, self.parts_dir, self.lock_path)

    def damage(self, snapshot: Snapshot, remember: bool = False) -> list[str]:
        """Everything that makes writers refuse this store (doctor reads deeper still).
        `remember`: under the write lock, with the record of files already verified."""
        return self.layout_problems() + guard.file_problems(self.parts_dir, snapshot.entries, snapshot.meta,
                                                            remember=remember)

    def damage_seen(self, snapshot: Snapshot) -> list[str]:
        """`damage` for a reader inside `load`: a part superseded by a commit since the
        snapshot was read is a race, not damage, so `load` starts over instead."""
        problems = self.damage(snapshot)
        if problems and self.snapshot().identity != snapshot.identity:
            raise PartMissing(self.target)
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
        with failed_writes_as_store_errors():
            return self._write(change)

    def _write(self, change: Callable[[Transaction], R]) -> R:
        self._refuse_unless_writable()
        self._backups = {}
        self._daily, self._daily_tried = None, False
        try:
            tx, result = self._attempts(change)
        except BaseException:
            for path in self._backups.values():  # a write that did not happen needs no backup
                path.unlink(missing_ok=True)
            daily = self._daily
            if daily is not None and self._unchanged_since(daily[1]):
                daily[0].unlink(missing_ok=True)  # (unless another writer's write of the day relies on it)
            try:
                backup_dir(self.target).rmdir()  # made for this write's backups: gone with them
            except OSError:
                pass  # holds other backups, or was never made
            raise
        finally:
            backups, self._backups = self._backups, {}
        for (identity, _), path in backups.items():
            if identity != tx.base.identity:  # of a state this write did not commit on
                path.unlink(missing_ok=True)
        if backups:
            # Only now: a backup of a preparation that lost a race is gone, and is not counted.
            prune_backups(self.target)
        return result

    def _back_up_daily(self, snapshot: Optional[Snapshot]) -> None:
        """Before the first write of a UTC day, the store as it is (§8), once per write.

        Taken once the change is known to apply (a refused write makes none, so it never has
        one to take back while another writer counts on it): without the lock on a fresh
        snapshot after a successful preparation — a write landing meanwhile is another
        writer's, which found this backup or made its own first — or under the lock on
        `snapshot`, before the change runs on it.
        """
        if self._daily_tried:
            return
        self._daily_tried = True
        moment = backup.now()
        if not self.target.exists() or daily_path(self.target, moment).exists():
            return  # the common case: one stat, no reading

        def keep(state: Snapshot):
            path = keep_daily(self, state, moment)
            return (path, state.identity) if path else None

        try:
            self._daily = keep(snapshot) if snapshot is not None else self.load(keep)
        except StoreError:
            pass  # a damaged store: the write itself refuses it, naming the damage

    def _unchanged_since(self, identity: Any) -> bool:
        try:
            return self.snapshot().identity == identity
        except (StoreError, PartMissing):
            return False

    def _back_up(self, snapshot: Snapshot, now: dt.datetime, reason: str) -> Path:
        key = (snapshot.identity, reason)
        if key not in self._backups:
            self._backups[key] = keep_backup(self, snapshot, now, reason, prune=False)
        return self._backups[key]

    def _attempts(self, change: Callable[[Transaction], R]) -> tuple[Transaction, R]:
        for attempt in range(PREPARE_ATTEMPTS + 1):
            locked_only = attempt == PREPARE_ATTEMPTS  # the last resort: everything under the lock
            prepared = None if locked_only else self._prepare(change)
            if prepared is not None:
                self._back_up_daily(None)
            with self._locked() as like:
                snapshot = self.snapshot()
                problems = self.damage(snapshot, remember=True)
                if problems:
                    raise StoreError(problems[0] + "; the store is damaged, nothing was written "
                                     "(see `okrtui doctor`)")
                if prepared is not None and prepared[0].base.identity == snapshot.identity:
                    tx, result = prepared
                elif locked_only or prepared is None:
                    self._back_up_daily(snapshot)
                    self._back_up_before_migrating(snapshot)
                    tx = Transaction(self, snapshot)
                    result = change(tx)
                else:
                    continue  # another commit landed meanwhile: prepare again, without the lock
                if snapshot.identity is not None and snapshot.meta.version < STORE_VERSION:
                    self._migrate(tx)
                commit(self, tx, like)
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
        except (PartMissing, StoreError):
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

        A first write that fails leaves no store behind: no parts directory, and no
        directories it made but the one holding the lock file (see _undo_creation).
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
        except PartMissing as exc:
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
        then record the checksums of the files so read (format 1 had none). Format 2 to 3
        only adds fields that start empty, and 3 to 4 writes the measure ids given on reading."""
        if tx.base.meta.version < 2:
            try:
                for held in tx.base.entries:
                    tx.base.cycle(held.id)
                    tx.base.history(held.id)
                    entry = tx.entry(held.id)
                    if entry.part_crc is None and held.file:
                        entry.part_crc = files.checksum(files.read_own(self.parts_dir / held.file))
                    if entry.log_crc is None and held.log_len:
                        entry.log_crc = files.checksum(files.read_own(self.parts_dir / held.log_name,
                                                                      held.log_len))
            except OSError as exc:
                raise StoreError(files.os_problem(exc, "cannot be read") + "; nothing was written") from None
        tx.meta.version = STORE_VERSION


def _visible(entry: CycleEntry, history: dict[str, list[CheckIn]]) -> dict[str, list[CheckIn]]:
    """The history a cycle shows: of the key results it holds now (one moved away or
    deleted leaves its lines behind), less what undo took back. Copies, so callers
    cannot change the cache through them."""
    shown = {ref: list(checkins) for ref, checkins in history.items()
             if entry.holds("KR", ref_number(ref))}
    if entry.retracted:
        without_retracted(shown, entry.retracted)
    return shown
