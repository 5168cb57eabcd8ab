"""The quick check-in (`okrtui checkin REF VALUE` without the models) writes what the full path
writes, byte for byte, and steps aside — writing nothing — wherever it is not sure."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from filelock import FileLock

from conftest import export_doc, run_in_process, snapshot_bytes
from okrtui.operations import record_checkin, ripple_line
from okrtui.store import Store, StoreError, backup, quick
from okrtui.domain.models import CheckIn
from okrtui.store.layout import CycleEntry, Meta, line_crc
from okrtui.store.shape import ENTRY_FIELDS, META_FIELDS

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def ready(sample_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample store on 2026-11-20, its day's backup kept (so a check-in may go the quick way)."""
    monkeypatch.setattr(backup, "now", lambda: NOW)
    assert run_in_process("checkin", "KR-28", "700", "--at", "2026-11-19T09:00:00Z").code == 0
    assert backup.daily_path(sample_store, NOW).exists()
    return sample_store


def open_refs(store: Path) -> tuple[list[str], list[str]]:
    doc = export_doc(store)
    cycle = next(c for c in doc["cycles"] if c["id"] == "2026-Q4")
    krs = [k for o in cycle["objectives"] for k in o["key_results"]]
    return [k["ref"] for k in krs if k["kind"] == "metric"], [k["ref"] for k in krs if k["kind"] == "milestone"]


def twin(store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "twin" / store.name
    shutil.copytree(store.parent, copy.parent)
    return copy


CASES = [
    ("metric", "812", None, "", None),
    ("metric", "812.25", "at-risk", "two deals slipped", None),
    ("metric", None, "blocked", "", None),                                # confidence only
    ("metric", "790", None, "line one\r\nline two\twith a tab", None),     # Windows line ends become \n
    ("metric", "650", None, "back-dated", dt.datetime(2026, 10, 20, 8, tzinfo=dt.timezone.utc)),
    ("metric", "-3", "off-track", "", NOW - dt.timedelta(hours=2)),
    ("metric", "1e3", None, "  ünïcødé · note  ", None),
    ("milestone", "done", None, "", None),
    ("milestone", "not-done", "off-track", "", None),
]


@pytest.mark.parametrize("kind, value, confidence, note, at", CASES)
def test_both_paths_write_the_same_bytes(ready, tmp_path, kind, value, confidence, note, at):
    metrics, milestones = open_refs(ready)
    ref = (metrics if kind == "metric" else milestones)[-1]
    other = twin(ready, tmp_path)
    done = quick.quick_checkin(ready, ref.lower(), value, author="ann", confidence=confidence,
                               note=note, at=at, now=NOW)
    assert done is not None, "the quick way stepped aside"
    full = record_checkin(Store(other), ref, value, author="ann", confidence=confidence, note=note,
                          at=at, now=NOW)
    assert done.line == ripple_line(full.changes)
    assert done.became_current == full.became_current == (at is None or at.month == 11)
    mine, theirs = snapshot_bytes(ready), snapshot_bytes(other)
    assert mine.keys() == theirs.keys()
    for name in mine:
        assert mine[name] == theirs[name], f"{name} differs"
    # And what it wrote reads back through the models (a check-in of the full way on top).
    assert record_checkin(Store(ready), ref, value or "1", author="bo", now=NOW).ref == ref


def test_a_check_in_reads_back_and_is_undone_like_any_other(ready):
    metrics, _ = open_refs(ready)
    ref = metrics[0]
    before = export_doc(ready)
    assert quick.quick_checkin(ready, ref, "77.5", author="ann", confidence=None, note="q", at=None, now=NOW)
    kr = next(k for c in export_doc(ready)["cycles"] for o in c["objectives"] for k in o["key_results"]
              if k["ref"] == ref)
    assert kr["current"] == 77.5 and kr["checkins"][-1]["note"] == "q" and kr["checkins"][-1]["author"] == "ann"
    # The journal names it as the full way does, so undo in the app finds and takes it back.
    meta = json.loads(ready.read_text(encoding="utf-8"))["meta"]["1"]
    assert meta["journal"][-1]["label"] == f"Check-in on {ref}"
    assert meta["journal"][-1]["subjects"] == [f"key_result:{ref}"]
    # Undo names a check-in by the checksum of its log line as the models write it: the line
    # the quick way appended must be exactly that line.
    entry = Store(ready).snapshot().find(ref)
    log = ready.parent / (ready.name + ".d") / entry.log_name
    last = log.read_bytes()[:entry.log_len].splitlines(keepends=True)[-1]
    checkin = CheckIn.model_validate(kr["checkins"][-1])
    assert zlib.crc32(last) == line_crc(ref, checkin)
    assert before != export_doc(ready)


@pytest.mark.parametrize("ref, value, options", [
    ("KR-99999", "5", {}),                                   # unknown key result
    ("KR-1", "5", {}),                                       # a closed cycle
    ("O-3", "5", {}),                                        # not a key result
    ("metric", "abc", {}),                                   # not a number
    ("metric", "1e99", {}),                                  # beyond ±10^15
    ("metric", "0.00001", {}),                               # orjson writes it otherwise: the models' way
    ("milestone", "5", {}),                                  # a milestone is done or not
    ("metric", "5", {"note": "bell\x07"}),                   # a control character
    ("metric", "5", {"note": "x" * 2001}),                   # too long
    ("metric", "5", {"author": "   "}),                      # nobody
    ("metric", "5", {"confidence": "sure"}),                 # not a confidence
    ("metric", "5", {"at": NOW + dt.timedelta(hours=1)}),    # in the future
    ("metric", "5", {"at": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)}),  # before the cycle
])
def test_it_steps_aside_and_writes_nothing(ready, ref, value, options):
    metrics, milestones = open_refs(ready)
    ref = {"metric": metrics[0], "milestone": milestones[0]}.get(ref, ref)
    before = snapshot_bytes(ready)
    given = {"author": "ann", "confidence": None, "note": "", "at": None} | options
    assert quick.quick_checkin(ready, ref, value, now=NOW, **given) is None
    assert snapshot_bytes(ready) == before


def test_the_first_write_of_a_day_goes_the_full_way(ready, monkeypatch):
    monkeypatch.setattr(backup, "now", lambda: NOW + dt.timedelta(days=1))
    metrics, _ = open_refs(ready)
    assert quick.quick_checkin(ready, metrics[0], "5", author="a", confidence=None, note="", at=None,
                               now=NOW) is None
    code = run_in_process("checkin", metrics[0], "5").code
    assert code == 0 and backup.daily_path(ready, NOW + dt.timedelta(days=1)).exists()


def test_an_older_format_or_damage_goes_the_full_way(ready, tmp_path):
    metrics, _ = open_refs(ready)
    tables = json.loads(ready.read_text(encoding="utf-8"))
    older = dict(tables, meta={"1": dict(tables["meta"]["1"], version=3)})
    ready.write_text(json.dumps(older), encoding="utf-8")
    assert quick.quick_checkin(ready, metrics[0], "5", author="a", confidence=None, note="", at=None,
                               now=NOW) is None
    ready.write_text(json.dumps(tables), encoding="utf-8")
    log = next(p for p in (ready.parent / (ready.name + ".d")).iterdir() if p.suffix == ".log")
    data = bytearray(log.read_bytes())
    data[5] ^= 1
    log.write_bytes(bytes(data))
    before = snapshot_bytes(ready)
    assert quick.quick_checkin(ready, metrics[0], "5", author="a", confidence=None, note="", at=None,
                               now=NOW) is None
    result = run_in_process("checkin", metrics[0], "5")
    assert result.code == 1 and "damaged" in result.err and snapshot_bytes(ready) == before


def test_it_waits_for_the_lock_the_full_way_holds(ready, monkeypatch):
    metrics, _ = open_refs(ready)
    monkeypatch.setattr(quick, "LOCK_TIMEOUT", 0.2)
    before = snapshot_bytes(ready)
    with FileLock(str(ready.with_name(ready.name + ".lock"))):
        with pytest.raises(StoreError, match="locked by another process"):
            quick.quick_checkin(ready, metrics[0], "5", author="a", confidence=None, note="", at=None, now=NOW)
    assert snapshot_bytes(ready) == before


def test_its_rows_are_the_models_rows():
    assert META_FIELDS == tuple(Meta.model_fields)
    assert ENTRY_FIELDS == tuple(CycleEntry.model_fields)


# What a check-in does without: Pydantic and orjson (a quarter of a check-in each, and more), and
# the standard library's modules that cost it most of the rest of its start-up (each a few per cent).
NOT_LOADED = ("pydantic", "orjson", "filelock", "platformdirs", "pathlib", "typing", "dataclasses",
              "contextlib", "shutil", "getpass", "inspect")


def test_the_command_line_check_in_never_imports_pydantic(ready):
    metrics, _ = open_refs(ready)
    script = ("import sys\nfrom okrtui.cli import main\ncode = main(sys.argv[1:])\n"
              f"print([name for name in {NOT_LOADED!r} if name in sys.modules], code)")
    env = dict(os.environ)
    today = dt.datetime.now(dt.timezone.utc)
    # A subprocess reads the real clock: give it its day's backup, as the day's first write would.
    shutil.copy(backup.daily_path(ready, NOW), backup.daily_path(ready, today))
    out = subprocess.run([sys.executable, "-c", script, "checkin", metrics[0], "55", "--at", "2026-11-20T11:00:00Z"],
                         env=env, capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "[] 0", out
    assert out.splitlines()[0].startswith(f"{metrics[0]} ")


def test_one_check_in_rewrites_only_its_key_result_in_the_part(ready, monkeypatch):
    """The part's other bytes are kept, not written anew (the same bytes either way: above)."""
    metrics, _ = open_refs(ready)
    dumped = []
    dumps = quick._dumps
    monkeypatch.setattr(quick, "_dumps", lambda data: dumped.append(data) or dumps(data))
    assert quick.quick_checkin(ready, metrics[0], "77", author="ann", confidence=None, note="", at=None, now=NOW)
    assert not any(isinstance(d, dict) and "objectives" in d for d in dumped)
    assert export_doc(ready)  # and the store reads back


def test_a_hand_edited_part_whose_checksum_was_mended_goes_the_full_way(ready):
    """Bytes that match their checksum yet are not a writer's: the models say what is wrong,
    never an internal error from the quick way."""
    metrics, _ = open_refs(ready)
    tables = json.loads(ready.read_text(encoding="utf-8"))
    row = next(r for r in tables["cycles"].values() if not r["closed"])
    part = ready.parent / (ready.name + ".d") / row["file"]
    doc = json.loads(part.read_bytes())
    kr = next(k for o in doc["objectives"].values() for k in o["key_results"] if k["ref"] == metrics[0])
    del kr["kind"]
    data = json.dumps(doc).encode()
    part.write_bytes(data)
    row["part_crc"] = zlib.crc32(data)
    ready.write_text(json.dumps(tables), encoding="utf-8")
    before = snapshot_bytes(ready)
    assert quick.quick_checkin(ready, metrics[0], "5", author="a", confidence=None, note="", at=None,
                               now=NOW) is None
    assert snapshot_bytes(ready) == before
    # The models read a key result without its kind as a metric, their default: the full way records it.
    result = run_in_process("checkin", metrics[0], "5")
    assert result.code == 0 and result.out.startswith(f"{metrics[0]} "), result
