"""`okrtui checkin REF VALUE` the quick way: on the store's own documents, without the models.

Importing Pydantic and building the models' classes takes longer than a whole
check-in may (§11: no slower than taskwarrior's `task add`). A store's files hold
only what a writer validated through the models, and each is checked against the
checksum the main file records; so this path reads them as plain documents and
applies to the new check-in the same rule functions the models' fields are made
of (domain/text.py, domain/terms.py), scores through the one scoring engine, and
commits as commit.py does: the same lock, the same files, fsync and rename.

It only ever accepts. Anything it is not sure of — bad input, a refusal, an older
store format, damage, the day's first write (which keeps the daily backup) — makes
it step aside (None) before it writes a byte, and the full path through the models
does the check-in or gives the refusal, word for word as always. A test holds the
bytes both paths write to be the same.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import gc
import json
import os
import stat
import time
from collections import namedtuple
from types import SimpleNamespace  # types is loaded anyway (by re): unlike the three below

TYPE_CHECKING = False  # typing's flag without typing: this path's every import is counted
if TYPE_CHECKING:
    from typing import Any, Optional

from okrtui.domain.scoring import ripple, ripple_line, score_cycle
from okrtui.domain.terms import CONFIDENCES, FUTURE_SLACK, _parse_date, format_time, parse_time, parse_value, present_time
from okrtui.domain.text import KEY_RESULT_REF_RE, _finite, counted, multi_line, one_line, score_text
from okrtui.store import backup, files, guard
from okrtui.store.errors import StoreError, failed_writes_as_store_errors
from okrtui.store.shape import (
    ENTRY_FIELDS,
    JOURNAL_KEPT,
    JOURNAL_SUBJECTS,
    LOCK_TIMEOUT,
    META_FIELDS,
    STORE_FORMAT,
    STORE_VERSION,
    runs,
    table,
)

_author = one_line(1, 64)
_note = multi_line(2000)


# line: the ripple, as `okrtui checkin` prints it (a named tuple: dataclasses loads inspect)
QuickCheckIn = namedtuple("QuickCheckIn", "line became_current")


def quick_checkin(path: str, ref: str, value_text: Optional[str], *, author: str, confidence: Optional[str],
                  note: str, at: Optional[dt.datetime], now: Optional[dt.datetime] = None) -> Optional[QuickCheckIn]:
    """Record the check-in and return its ripple, or None (nothing written) for the full path."""
    now = now or dt.datetime.now(dt.timezone.utc)
    done = _record(path, [(ref, value_text, confidence, note, at)], author, now, ripple_of=True)
    return None if done is None else QuickCheckIn(*done)


def quick_checkin_rows(path: str, rows: list[tuple], *, author: str,
                       now: Optional[dt.datetime] = None) -> Optional[str]:
    """The check-ins of a file, each row (ref, value text or None, confidence or None, note,
    at or None), all in one open cycle: recorded in one commit as `checkin --file` does it.
    Returns the cycle's movement line, or None (nothing written) for the full path."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return _record(path, rows, author, now, ripple_of=False) if rows else None


def _record(path: str, requests: list[tuple], author: str, now: dt.datetime, ripple_of: bool) -> Optional[Any]:
    cleaned = []
    for ref, value_text, confidence, note, at in requests:
        ref = ref.strip().upper()
        if not KEY_RESULT_REF_RE.match(ref) or (at is not None and at > now + FUTURE_SLACK):
            return None
        if confidence is not None and confidence not in CONFIDENCES:
            return None
        try:
            note = _note(note)
        except ValueError:
            return None
        cleaned.append((ref, value_text, confidence, note, at))
    try:
        author = _author(author)
    except ValueError:
        return None
    # Paths as strings throughout: loading pathlib costs more than this whole check-in's writes.
    target = os.path.realpath(path)
    parts, lock_path = target + ".d", target + ".lock"
    try:
        if not stat.S_ISREG(os.stat(target).st_mode) or not stat.S_ISREG(os.lstat(lock_path).st_mode):
            return None
    except OSError:
        return None
    if not (os.access(target, os.W_OK) and os.access(os.path.dirname(target), os.W_OK)):
        return None
    if not os.path.exists(backup.daily_path(target, backup.now())) or guard.layout_problems(target, parts, lock_path):
        return None
    try:
        fd = os.open(lock_path, os.O_RDWR | files.NOFOLLOW)
    except OSError:
        return None
    collecting = gc.isenabled()
    gc.disable()  # tens of thousands of documents, none of them cyclic: collections would only cost
    try:
        _lock(fd, target)
        with failed_writes_as_store_errors():
            return _locked(target, parts, lock_path, cleaned, author, now, ripple_of)
    finally:
        os.close(fd)  # which releases the lock
        if collecting:
            gc.enable()


def _lock(fd: int, target: str) -> None:
    """The store's write lock, as the filelock library takes it (flock on the lock file), so
    the two exclude each other; by hand only because importing filelock costs a fifth of
    a check-in."""
    waited_until = time.monotonic() + LOCK_TIMEOUT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > waited_until:
                raise StoreError(f"{target}: locked by another process for more than {LOCK_TIMEOUT:.0f} s") from None
            time.sleep(0.01)


def _row(doc: dict[str, Any]) -> SimpleNamespace:
    """A cycle's row as guard.file_problems reads it."""
    return SimpleNamespace(**doc, log_name=f"c{doc['slot']}.log")


def _dumps(data: Any) -> bytes:
    """What files.dumps (orjson) writes, for the documents of a store — by the standard library,
    because loading orjson costs a quarter of a quick check-in. A log line must be byte for
    byte what orjson writes (undo names a line by its checksum): _same_as_orjson sees to it."""
    # check_circular off: documents read from JSON hold no cycles, and the check cost 40 %.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), check_circular=False).encode("utf-8")


def _same_as_orjson(value: Any) -> bool:
    # The two write the same shortest digits; only their exponent forms differ (1e-05, 1e-5).
    return type(value) is int or value == 0 or 1e-4 <= abs(value) < 1e15


def _tables(data: bytes) -> Optional[dict[str, list[dict[str, Any]]]]:
    try:
        raw = json.loads(data)
    except ValueError:
        return None
    if not isinstance(raw, dict) or not all(isinstance(t, dict) and all(isinstance(d, dict) for d in t.values())
                                            for t in raw.values()):
        return None
    return {name: list(docs.values()) for name, docs in raw.items()}


def _normal(ref_runs: Any) -> bool:
    """Runs as a writer leaves them (sorted, apart): a commit writes them back unchanged."""
    lowest = 1
    for run in ref_runs:
        if not (isinstance(run, list) and len(run) == 2 and lowest <= run[0] <= run[1]):
            return False
        lowest = run[1] + 2
    return True


def _locked(target: str, parts: str, lock_path: str, requests: list[tuple], author: str, now: dt.datetime,
            ripple_of: bool) -> Optional[Any]:
    try:
        prepared = _prepared(target, parts, lock_path, requests, author, now, ripple_of)
    except (KeyError, IndexError, TypeError, AttributeError, ValueError):
        # Documents whose checksums hold yet whose shape is not a writer's (edited by hand,
        # checksums and all): the models read them and say exactly what is wrong.
        return None
    if prepared is None:
        return None
    (like, rows, entry, generation, lines, part, main), summary = prepared
    _commit(target, parts, like, rows, entry, generation, lines, part, main)
    return summary


def _prepared(target: str, parts: str, lock_path: str, requests: list[tuple], author: str, now: dt.datetime,
              ripple_of: bool) -> Optional[tuple]:
    """Under the lock: every request checked as the models would, then one commit. With
    `ripple_of`, the one request's (ripple line, became current); else the cycle's movement."""
    if guard.layout_problems(target, parts, lock_path):
        return None
    try:
        like = os.stat(target)
        main = _tables(files.read_own(target))
    except OSError:
        return None
    if main is None or len(main.get("meta", [])) != 1:
        return None
    meta, strategy, entries = main["meta"][0], main.get("strategy", []), main.get("cycles", [])
    if (tuple(meta) != META_FIELDS or meta["format"] != STORE_FORMAT or meta["version"] != STORE_VERSION
            or not all(tuple(e) == ENTRY_FIELDS for e in entries)
            or not (_normal(meta["retired_objectives"]) and _normal(meta["retired_key_results"]))
            or not all(type(m.get("id")) is int for s in strategy for m in s.get("measures", []))):
        return None
    rows = [_row(e) for e in entries]
    if guard.file_problems(parts, rows, SimpleNamespace(**meta), remember=True):
        return None
    numbers = [int(ref.split("-")[1]) for ref, *_ in requests]
    entry = next((e for e in entries if any(a <= numbers[0] <= b for a, b in e["kr_refs"])), None)
    if (entry is None or entry["closed"] or not entry["file"] or entry["part_crc"] is None
            or not all(any(a <= n <= b for a, b in entry["kr_refs"]) for n in numbers)):
        return None  # a file over several cycles goes the full way too
    try:
        part_data = files.read_own(os.path.join(parts, entry["file"]))
    except OSError:
        return None
    cycle_tables = _tables(part_data) if files.checksum(part_data) == entry["part_crc"] else None
    if cycle_tables is None or set(cycle_tables) != {"objectives"}:
        return None
    docs = cycle_tables["objectives"]
    if (runs([int(o["ref"][2:]) for o in docs]) != entry["objective_refs"]
            or runs([int(k["ref"][3:]) for o in docs for k in o["key_results"]]) != entry["kr_refs"]):
        return None
    by_ref = {k["ref"]: k for o in docs for k in o["key_results"]}
    try:
        start, end = _parse_date(entry["start"]), _parse_date(entry["end"])
    except ValueError:
        return None
    strategy_view = _strategy_view(strategy)
    as_of = now.date()
    first = None
    lines = []
    # One check-in: the part's bytes are kept but for its key result (see below); a file's many
    # check-ins write the part anew, once.
    part = part_data if ripple_of else None
    for ref, value_text, confidence, note, at in requests:
        kr = by_ref.get(ref)
        if kr is None:
            return None
        try:
            value = kr["current"] if value_text is None else parse_value(value_text, kr["kind"])
            last_at = parse_time(kr["last_at"]) if kr["last_at"] else None
            when = parse_time(present_time(last_at, now) if at is None or at >= now else at)
            if type(value) not in (int, float) or not _same_as_orjson(value) or when.date() < start:
                return None
            _finite(value)
        except ValueError:
            return None
        confidence = confidence or kr["confidence"]
        checkin = {"at": format_time(when), "author": author, "value": value, "confidence": confidence, "note": note}
        became_current = last_at is None or when >= last_at
        if first is None:
            # Scored before the first change: one check-in's ripple (as of its own day), or the
            # cycle's Overall before a file's check-ins (as of today, as `checkin --file` says it).
            as_of = when.date() if ripple_of else as_of
            first = score_cycle(strategy_view, _cycle_view(entry, start, end, docs), as_of)
            if ripple_of:
                changes, _ = ripple(strategy_view, first, ref, value if became_current else kr["current"])
                summary = (ripple_line(changes), became_current)
        if became_current:
            was = _dumps(kr) if part is not None else b""
            kr["current"], kr["confidence"], kr["last_at"] = value, confidence, format_time(when)
            # One key result's document changes: its bytes are replaced in the part as written,
            # instead of writing all 2,000 again (a twentieth of a check-in on L). Its old bytes
            # occur once exactly when a writer wrote it as this would (a ref is unique, and quotes
            # inside strings are escaped); anything else writes the whole part anew.
            part = part.replace(was, _dumps(kr)) if part is not None and part.count(was) == 1 else None
        lines.append(_dumps([ref, checkin]) + b"\n")
    if ripple_of:
        label, subjects = f"Check-in on {requests[0][0]}", [f"key_result:{requests[0][0]}"]
    else:
        label = f"{counted(len(requests), 'check-in')} from a file"
        subjects = list(dict.fromkeys(f"key_result:{ref}" for ref, *_ in requests))[:JOURNAL_SUBJECTS]
        after = score_cycle(strategy_view, _cycle_view(entry, start, end, docs), as_of)
        summary = (f"{entry['id']}: {counted(len(requests), 'check-in')} \u00b7 "
                   f"Overall {score_text(first.overall)} \u2192 {score_text(after.overall)}")

    generation = meta["generation"] + 1
    meta["generation"] = generation
    meta["journal"] = (meta["journal"] + [{
        "generation": generation, "author": author,
        "at": now.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "label": label, "subjects": subjects}])[-JOURNAL_KEPT:]
    # The main file is written by _commit, once the cycle's row holds its new part and log.
    main = {"meta": table([meta]), "strategy": table(strategy), "cycles": table(entries)}
    part = part if part is not None else _dumps({"objectives": table(docs)})
    return (like, rows, entry, generation, b"".join(lines), part, main), summary


def _strategy_view(strategy: list[dict[str, Any]]) -> list[SimpleNamespace]:
    return [SimpleNamespace(code=s["code"], perspective=s["perspective"]) for s in strategy]


def _cycle_view(entry: dict[str, Any], start: dt.date, end: dt.date, docs: list[dict[str, Any]]) -> SimpleNamespace:
    """What scoring reads of a cycle, straight from its documents."""
    objectives = [SimpleNamespace(
        ref=o["ref"], parent=o["parent"], aligned_to=o["aligned_to"],
        key_results=[SimpleNamespace(ref=k["ref"], kind=k["kind"], start=k["start"], target=k["target"],
                                     current=k["current"], weight=k["weight"]) for k in o["key_results"]],
    ) for o in docs]
    return SimpleNamespace(id=entry["id"], start=start, end=end, closed=entry["closed"], objectives=objectives)


def _commit(target: str, parts: str, like: os.stat_result, rows: list[SimpleNamespace], entry: dict[str, Any],
            generation: int, line: bytes, data: bytes, main: dict) -> None:
    """commit.py's steps for one log line and one cycle part: the main file's rename commits."""
    files.clean_temp_files(target)
    backup.clean_stale_temps(target, time.time())
    files.remove_orphans(parts, rows)
    superseded = os.path.join(parts, entry["file"])
    written: list[str] = []
    appended: list[tuple[str, int]] = []
    committed = False
    try:
        files.append_log(os.path.join(parts, f"c{entry['slot']}.log"), entry["log_len"], line, like, appended)
        entry["log_crc"] = files.checksum(line, entry["log_crc"] or 0)
        entry["log_len"] += len(line)
        entry["file"] = f"c{entry['slot']}-{generation}.json"
        written_part = os.path.join(parts, entry["file"])
        files.write_new(written_part, data, like)
        written.append(written_part)
        entry["part_crc"] = files.checksum(data)
        files.fsync_dir(parts)
        temp = files.new_version(target, _dumps(main), like)
        written.append(temp)
        files.rename_into_place(temp, target)
        committed = True
        files.fsync_dir(os.path.dirname(target))
    except BaseException:
        if not committed:
            files.take_back(written, appended)
        raise
    try:
        files.unlink(superseded)
    except OSError:
        pass  # committed already; the next write removes it as an orphan
