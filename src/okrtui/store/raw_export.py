"""The whole store as interchange JSON straight from its committed bytes, one cycle at a time.

A backup is taken before the first write of each day and before an import: going
through the models (every check-in validated, copied and dumped again) costs a
large store seconds and half a gigabyte. Here each file is checked against the
checksum the main file records (so it holds what a writer validated), parsed with
orjson, and its documents are passed on as they are, minus the store's own fields
(`last_at`, measure ids), with the histories the models would show: only the key
results a cycle holds, less what undo took back (tinystore._visible). The result
equals `backup.export_scorecard(...).to_doc()`; a test holds them together.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from typing import Any, Optional

import orjson

from okrtui.domain.models import ref_number
from okrtui.store import files
from okrtui.store.layout import READINGS_LOG, STORE_VERSION
from okrtui.store.snapshot import PartMissing, StoreError, read_tables


def raw_export(store, snapshot) -> Optional[bytes]:
    """The interchange document of `snapshot` as compact JSON bytes; None when only the
    models can make it (a store of an older format, or none yet)."""
    if snapshot.identity is None or snapshot.meta.version != STORE_VERSION:
        return None
    tables, identity = read_tables(store.target)
    if (snapshot.generation, *identity) != snapshot.identity:
        raise PartMissing(store.target)  # committed over meanwhile: the caller reads again
    meta = snapshot.meta
    strategy = [doc for doc in tables.get("strategy", [])]
    readings = _lines(store.parts_dir / READINGS_LOG, meta.readings_len, meta.readings_crc,
                      meta.retracted_readings, "readings")
    for objective in strategy:
        for measure in objective["measures"]:
            number = measure.pop("id")
            measure.pop("last_at", None)
            measure["readings"] = readings.get(number, [])
    head = orjson.dumps({"format": "okrtui/1", "organization": meta.organization, "strategy": strategy})
    chunks = [head[:-1], b',"cycles":[']
    for index, entry in enumerate(snapshot.entries):
        objectives: list[dict[str, Any]] = []
        if entry.file:
            objectives = read_tables(store.parts_dir / entry.file, entry.part_crc)[0].get("objectives", [])
        history = _lines(store.parts_dir / entry.log_name, entry.log_len, entry.log_crc, entry.retracted,
                         f"history of cycle {entry.id}")
        for objective in objectives:
            for kr in objective["key_results"]:
                kr.pop("last_at", None)
                kr["checkins"] = history.get(kr["ref"], []) if entry.holds("KR", ref_number(kr["ref"])) else []
        chunks += [b"," if index else b"", orjson.dumps({
            "id": entry.id, "start": entry.start.isoformat(), "end": entry.end.isoformat(),
            "closed": entry.closed, "objectives": objectives})]
    chunks.append(b"]}\n")
    return b"".join(chunks)


def _lines(path, length: int, recorded: Optional[int], retracted, what: str) -> dict[Any, list[dict]]:
    """An append-only log's committed lines by key, less the retracted ones (the newest
    line of each retraction's key and checksum, as layout.without_retracted takes it)."""
    if not length:
        return {}
    try:
        data = files.read_own(path, length)
    except FileNotFoundError:
        raise StoreError(f"{path}: missing (the store's {what})") from None
    except OSError as exc:
        raise StoreError(files.os_problem(exc, "cannot be read")) from None
    if len(data) < length or (recorded is not None and files.checksum(data) != recorded):
        raise StoreError(f"{path}: the committed {what} changed after it was written (checksum mismatch); "
                         "the store is damaged (see `okrtui doctor`)")
    lines = data.splitlines(keepends=True)
    taken: dict[tuple[Any, int], int] = defaultdict(int)
    for key, crc in retracted:
        taken[(key, crc)] += 1
    records = orjson.loads(b"[" + b",".join(line.rstrip(b"\n") for line in lines) + b"]")
    keep = [True] * len(lines)
    if taken:
        for index in range(len(lines) - 1, -1, -1):
            mark = (records[index][0], zlib.crc32(lines[index]))
            if taken.get(mark):
                taken[mark] -= 1
                keep[index] = False
    found: dict[Any, list[dict]] = defaultdict(list)
    for (key, doc), kept in zip(records, keep):
        if kept:
            found[key].append(doc)
    return found
