"""The store against the contract's §8: concurrency, atomicity, permissions, corruption, locks, refs."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import okrtui.store.tinystore
from conftest import (
    AS_OF,
    AT,
    SAMPLE,
    cycle_entry,
    export_doc,
    find_kr,
    parts_dir,
    report_doc,
    report_kr,
    snapshot_bytes,
)

SMALL_IMPORT = {
    "format": "okrtui/1",
    "strategy": [{"code": "ZZ1", "title": "A new strategic objective", "perspective": "learning_growth"}],
}


def small_import_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.json"
    path.write_text(json.dumps(SMALL_IMPORT), encoding="utf-8")
    return path


def history_count(doc: dict) -> int:
    return sum(len(k["checkins"]) for c in doc["cycles"] for o in c["objectives"] for k in o["key_results"])


# ---------------------------------------------------------------- concurrent writers

WRITER = r"""
import contextlib, io, sys
import okrtui.cli
store, ref, label, hour, count = sys.argv[1:6]
print("ready", flush=True)
sys.stdin.readline()  # wait until every writer has started
codes = []
for i in range(int(count)):
    argv = ["checkin", ref, str(100 + i), "--note", f"{label}-{i}", "--as", label,
            "--at", f"2026-11-21T{int(hour):02d}:{i:02d}:00Z", "--store", store]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = okrtui.cli.main(argv)
    if code:
        print(f"FAILED {argv}: {err.getvalue()}", flush=True)
    codes.append(code)
print("codes", sum(1 for c in codes if c == 0), flush=True)
"""


def test_concurrent_writers_lose_nothing(run, sample_store):
    before = export_doc()
    writers = [("p0", "KR-28", 0), ("p1", "KR-28", 1), ("p2", "KR-29", 2), ("p3", "KR-40", 3)]
    count = 25
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(sample_store), ref, label, str(hour), str(count)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for label, ref, hour in writers
    ]
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready"
        for proc in procs:  # start them together
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [proc.communicate(timeout=300) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert out.strip().splitlines()[-1] == f"codes {count}", out + err

    after = export_doc()
    assert history_count(after) == history_count(before) + 4 * count
    for ref, labels in {"KR-28": ["p0", "p1"], "KR-29": ["p2"], "KR-40": ["p3"]}.items():
        old, new = find_kr(before, ref), find_kr(after, ref)
        assert len(new["checkins"]) == len(old["checkins"]) + count * len(labels)
        notes = sorted(c["note"] for c in new["checkins"][len(old["checkins"]):])
        assert notes == sorted(f"{label}-{i}" for label in labels for i in range(count))
        assert new["checkins"][: len(old["checkins"])] == old["checkins"]
        # The latest `at` wins: the last check-in of the writer with the latest hour.
        assert new["current"] == 100 + count - 1
    kr28 = find_kr(after, "KR-28")
    latest = max(kr28["checkins"], key=lambda c: c["at"])
    assert latest["note"] == f"p1-{count - 1}"
    assert run("doctor").code == 0


# ---------------------------------------------------------------- corrupt main file


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _write(content: bytes):
    return lambda path: path.write_bytes(content)


def _newer_version(path: Path) -> None:
    tables = json.loads(path.read_bytes())
    tables["meta"]["1"]["version"] = 99
    path.write_text(json.dumps(tables), encoding="utf-8")


def _strategy_title(text: str):
    def tamper(path: Path) -> None:
        tables = json.loads(path.read_bytes())
        tables["strategy"]["1"]["title"] = text
        path.write_text(json.dumps(tables), encoding="utf-8")

    return tamper


CORRUPTIONS = {
    "truncated": _truncate,
    "empty-object": _write(b"{}"),
    "json-list": _write(b"[1, 2, 3]"),
    "empty-file": _write(b""),
    "garbage": _write(b"\x00\xff\xfe not json at all"),
    "interchange-file": _write(SAMPLE.read_bytes()),
    "newer-version": _newer_version,
    "control-in-strategy-title": _strategy_title("Grow \x1b[31mARR"),
    "bidi-in-strategy-title": _strategy_title("Grow \u202eRRA"),
}


def command_lines(tmp_path: Path) -> dict[str, list]:
    return {
        "report": ["report", "--format", "json", "--as-of", AS_OF],
        "report-text": ["report", "--as-of", AS_OF],
        "checkin": ["checkin", "KR-28", "800", "--at", AT],
        "import": ["import", small_import_file(tmp_path)],
        "export": ["export", "--format", "json"],
        "doctor": ["doctor"],
    }


@pytest.mark.parametrize("command", ["report", "report-text", "checkin", "import", "export", "doctor"])
@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_a_corrupt_main_file_is_refused_and_left_alone(run, sample_store, tmp_path, corruption, command):
    CORRUPTIONS[corruption](sample_store)
    before = snapshot_bytes(sample_store)
    code, out, err = run(*command_lines(tmp_path)[command])
    assert code == 1, (out, err)
    assert str(sample_store) in out + err
    if corruption == "newer-version":
        assert "newer" in (out + err).lower()
    assert snapshot_bytes(sample_store) == before


def test_a_corrupt_store_is_exit_1_from_the_real_process(run_process, sample_store):
    _truncate(sample_store)
    before = snapshot_bytes(sample_store)
    result = run_process("checkin", "KR-28", "800", "--at", AT)
    assert result.code == 1, result
    assert str(sample_store) in result.err
    assert snapshot_bytes(sample_store) == before


# ---------------------------------------------------------------- hand-edited part files and logs


def q4_part(store: Path) -> Path:
    return parts_dir(store) / cycle_entry(store, "2026-Q4")["file"]


def q4_log(store: Path) -> Path:
    return parts_dir(store) / f"c{cycle_entry(store, '2026-Q4')['slot']}.log"


def _edit_part(store: Path, edit) -> Path:
    part = q4_part(store)
    tables = json.loads(part.read_bytes())
    edit(tables["objectives"])
    part.write_text(json.dumps(tables), encoding="utf-8")  # ASCII with \u escapes, as a hand edit might be
    return part


PART_EDITS = {
    "escape-in-objective-title": lambda objs: objs["1"].__setitem__("title", "Grow \x1b[2J ARR"),
    "bidi-in-objective-title": lambda objs: objs["1"].__setitem__("title", "Grow \u202e ARR"),
    "isolate-in-kr-title": lambda objs: objs["1"]["key_results"][0].__setitem__("title", "New \u2066ARR\u2069"),
    "c1-in-owner": lambda objs: objs["1"].__setitem__("owner", "sa\x85les"),
    "nan-current": lambda objs: objs["1"]["key_results"][0].__setitem__("current", "NaN"),
    "unknown-field": lambda objs: objs["1"].__setitem__("colour", "red"),
    "target-equals-start": lambda objs: objs["1"]["key_results"][0].__setitem__("target", 0),
}


@pytest.mark.parametrize("command", ["report", "checkin", "export", "doctor"])
@pytest.mark.parametrize("edit", list(PART_EDITS))
def test_a_hand_edited_part_file_is_refused_and_left_alone(run, sample_store, tmp_path, edit, command):
    part = _edit_part(sample_store, PART_EDITS[edit])
    before = snapshot_bytes(sample_store)
    code, out, err = run(*command_lines(tmp_path)[command])
    assert code == 1, (out, err)
    assert str(part) in out + err
    assert snapshot_bytes(sample_store) == before


@pytest.mark.parametrize("bad", ["\\u001b", "\\u202e", "\\u0085"])
@pytest.mark.parametrize("command", ["export", "doctor"])
def test_a_hand_edited_log_is_refused_and_left_alone(run, sample_store, tmp_path, bad, command):
    log = q4_log(sample_store)
    data = log.read_bytes()
    # The first note of six plain letters or more; replaced by an escape of the same length,
    # so the committed log length still matches.
    found = re.search(rb'"note":"([A-Za-z ]{6})', data)
    assert found, "the sample has notes"
    at = found.start(1)
    log.write_bytes(data[:at] + bad.encode() + data[at + 6:])
    before = snapshot_bytes(sample_store)
    code, out, err = run(*command_lines(tmp_path)[command])
    assert code == 1, (out, err)
    assert str(log) in out + err
    assert snapshot_bytes(sample_store) == before


# ---------------------------------------------------------------- symlinks, permissions, leftovers


def test_a_symlinked_store_is_followed_and_stays_a_link(run, sample_store, tmp_path):
    real_dir = tmp_path / "real"
    shutil.move(str(sample_store.parent), str(real_dir))
    sample_store.parent.mkdir()
    target = real_dir / "okrtui.json"
    sample_store.symlink_to(target)
    before = target.read_bytes()

    code, out, err = run("checkin", "KR-28", "800", "--at", AT)
    assert code == 0, err
    assert sample_store.is_symlink()
    assert os.readlink(sample_store) == str(target)
    assert target.read_bytes() != before
    assert find_kr(export_doc(), "KR-28")["current"] == 800
    # Nothing of the store lands beside the link.
    assert sorted(p.name for p in sample_store.parent.iterdir()) == ["okrtui.json"]
    assert run("doctor").code == 0


def test_a_relative_symlink_is_followed(run, sample_store, tmp_path):
    real_dir = tmp_path / "store" / "real"
    files = list(sample_store.parent.iterdir())
    real_dir.mkdir()
    for path in files:
        shutil.move(str(path), str(real_dir / path.name))
    sample_store.symlink_to(Path("real") / "okrtui.json")
    assert run("checkin", "KR-28", "810", "--at", AT).code == 0
    assert sample_store.is_symlink()
    assert find_kr(export_doc(real_dir / "okrtui.json"), "KR-28")["current"] == 810


def test_a_group_writable_store_stays_group_writable(run, sample_store):
    for path in [sample_store, *parts_dir(sample_store).iterdir()]:
        os.chmod(path, 0o664)
    os.chmod(parts_dir(sample_store), 0o775)
    assert run("checkin", "KR-28", "800", "--at", AT).code == 0
    assert stat.S_IMODE(os.stat(sample_store).st_mode) == 0o664
    for path in parts_dir(sample_store).iterdir():
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o664, path
    assert stat.S_IMODE(os.stat(q4_part(sample_store)).st_mode) == 0o664


def test_only_the_main_file_group_writable_keeps_its_mode(run, sample_store):
    os.chmod(sample_store, 0o664)
    assert run("checkin", "KR-28", "800", "--at", AT).code == 0
    assert stat.S_IMODE(os.stat(sample_store).st_mode) == 0o664


@pytest.mark.parametrize("umask, mode", [(0o077, 0o600), (0o002, 0o664), (0o022, 0o644)])
def test_new_stores_follow_the_umask(run, store_path, umask, mode):
    old = os.umask(umask)
    try:
        assert run("init").code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(store_path).st_mode) == mode


def test_leftover_temp_files_are_removed_by_the_next_write(run, sample_store):
    leftovers = [sample_store.parent / ".okrtui.json.deadbeef.okrtui-tmp",
                 parts_dir(sample_store) / ".c3-9.json.cafe.okrtui-tmp"]
    for path in leftovers:
        path.write_bytes(b'{"half": ')
    code, out, err = run("report", "--format", "json", "--as-of", AS_OF)
    assert code == 0, err
    assert run("doctor").code == 0
    assert run("checkin", "KR-28", "800", "--at", AT).code == 0
    assert not any(path.exists() for path in leftovers)
    assert not [p for p in sample_store.parent.rglob("*okrtui-tmp*")]


def test_bytes_past_the_committed_log_are_ignored_then_removed(run, sample_store):
    before = export_doc()
    log = q4_log(sample_store)
    committed = log.read_bytes()
    assert cycle_entry(sample_store, "2026-Q4")["log_len"] == len(committed)
    torn = b'{"kr":"KR-28","at":"2026-11-21T09:00:00Z","author":"crash","val'
    with open(log, "ab") as handle:
        handle.write(torn)

    assert export_doc() == before
    assert report_kr(report_doc("--as-of", AS_OF), "KR-28")["current"] == 690
    assert run("doctor").code == 0

    assert run("checkin", "KR-28", "800", "--at", AT).code == 0
    data = log.read_bytes()
    assert torn not in data and b"crash" not in data
    assert data.startswith(committed)
    assert len(data) == cycle_entry(sample_store, "2026-Q4")["log_len"]
    assert data.endswith(b"\n") and data.count(b"\n") == committed.count(b"\n") + 1
    after = export_doc()
    assert history_count(after) == history_count(before) + 1
    assert find_kr(after, "KR-28")["checkins"][-1]["value"] == 800


def test_an_orphaned_part_file_is_ignored_then_removed(run, sample_store):
    before = export_doc()
    orphan = parts_dir(sample_store) / "c3-999.json"
    orphan.write_bytes(b'{"objectives": {"1": {"title": "from a writer that crashed"')
    assert export_doc() == before
    assert run("checkin", "KR-28", "800", "--at", AT).code == 0
    assert not orphan.exists()


def test_writes_replace_parts_and_leave_no_garbage(run, sample_store):
    for value in (700, 710, 720):
        assert run("checkin", "KR-28", str(value), "--at", AT).code == 0
    names = sorted(p.name for p in parts_dir(sample_store).iterdir())
    # One part file and one log per cycle, and the measures' readings.
    assert len(names) == 7, names
    assert len([n for n in names if n.endswith(".log")]) == 4 and "readings.log" in names


# ---------------------------------------------------------------- read-only store (as an unprivileged user)


@pytest.fixture
def world_readable_store(sample_store, shared_folder):
    target = shared_folder / "store"
    shutil.copytree(sample_store.parent, target)
    (target / "okrtui.json.lock").unlink(missing_ok=True)
    for path in [target, *target.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return target / "okrtui.json"


def test_a_store_the_user_cannot_write_is_read_only(world_readable_store, other_users):
    store = world_readable_store
    before = snapshot_bytes(store)
    probe = other_users.shell(f"touch {store} 2>/dev/null")
    assert probe.returncode != 0, "the unprivileged user must not be able to write the store"

    report = other_users.run("report", "--format", "json", "--as-of", AS_OF, "--store", store)
    assert report.code == 0, report.err
    assert json.loads(report.out)["overall"] == 0.542

    checkin = other_users.run("checkin", "KR-28", "800", "--at", AT, "--as", "nobody", "--store", store)
    assert checkin.code == 1, checkin
    assert "read-only" in checkin.err.lower()
    assert str(store) in checkin.err

    imported = other_users.run("import", other_users.sample, "--store", store)
    assert imported.code == 1, imported
    assert "read-only" in imported.err.lower()

    forced = other_users.run("--read-only", "checkin", "KR-28", "800", "--at", AT, "--store", store)
    assert forced.code == 2 and "read-only" in forced.err

    doctor = other_users.run("doctor", "--store", store)
    assert doctor.code == 0, doctor
    assert "read-only" in doctor.out.lower()
    for result in (report, checkin, imported, forced, doctor):
        assert "Traceback" not in result.err
    assert snapshot_bytes(store) == before
    assert not (store.parent / "okrtui.json.lock").exists()


def test_a_writable_store_in_a_read_only_directory_is_read_only(world_readable_store, other_users):
    store = world_readable_store
    os.chmod(store, 0o666)
    for path in parts_dir(store).iterdir():
        os.chmod(path, 0o666)
    before = snapshot_bytes(store)
    checkin = other_users.run("checkin", "KR-28", "800", "--at", AT, "--as", "nobody", "--store", store)
    assert checkin.code == 1, checkin
    assert "read-only" in checkin.err.lower()
    assert snapshot_bytes(store) == before


def test_read_only_option_still_reports(run, sample_store):
    before = snapshot_bytes(sample_store)
    code, out, err = run("--read-only", "report", "--format", "json", "--as-of", AS_OF)
    assert code == 0, err
    assert snapshot_bytes(sample_store) == before


# ---------------------------------------------------------------- the lock

HOLDER = r"""
import sys, filelock
lock = filelock.FileLock(sys.argv[1])
lock.acquire()
print("locked", flush=True)
sys.stdin.readline()
lock.release()
"""


@pytest.fixture
def held_lock(sample_store):
    lock_path = str(sample_store) + ".lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, lock_path], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        if holder.poll() is None:
            holder.stdin.write("\n")
            holder.stdin.flush()
            try:
                holder.wait(timeout=30)
            except subprocess.TimeoutExpired:
                holder.kill()


def test_a_held_lock_makes_a_checkin_fail_with_exit_1(run, sample_store, held_lock, monkeypatch):
    monkeypatch.setattr(okrtui.store.tinystore, "LOCK_TIMEOUT", 0.5)
    before = snapshot_bytes(sample_store)
    code, out, err = run("checkin", "KR-28", "800", "--at", AT)
    assert code == 1, (out, err)
    assert str(sample_store) in err and "lock" in err.lower()
    assert snapshot_bytes(sample_store) == before
    # Readers take no lock.
    assert run("report", "--format", "json", "--as-of", AS_OF).code == 0
    assert run("export", "--format", "json").code == 0
    # Once the lock is free, the check-in goes through.
    held_lock.stdin.write("\n")
    held_lock.stdin.flush()
    held_lock.wait(timeout=30)
    assert run("checkin", "KR-28", "800", "--at", AT).code == 0
    assert find_kr(export_doc(), "KR-28")["current"] == 800


@pytest.mark.slow
def test_a_held_lock_times_out_after_10_seconds_in_a_real_process(run_process, sample_store, held_lock):
    before = snapshot_bytes(sample_store)
    result = run_process("checkin", "KR-28", "800", "--at", AT, timeout=60)
    assert result.code == 1, result
    assert "lock" in result.err.lower() and str(sample_store) in result.err
    assert snapshot_bytes(sample_store) == before


# ---------------------------------------------------------------- refs are never reused


def _new_cycle_doc(cycle_id: str, start: str, end: str, objectives: list[dict]) -> dict:
    return {"format": "okrtui/1", "cycles": [{"id": cycle_id, "start": start, "end": end, "objectives": objectives}]}


def _refs(doc: dict, cycle_id: str) -> tuple[list[str], list[str]]:
    cycle = next(c for c in doc["cycles"] if c["id"] == cycle_id)
    return ([o["ref"] for o in cycle["objectives"]],
            [k["ref"] for o in cycle["objectives"] for k in o["key_results"]])


def test_refs_are_assigned_above_every_ref_used(run, sample_store, tmp_path):
    doc = export_doc()
    max_o = max(int(o["ref"][2:]) for c in doc["cycles"] for o in c["objectives"])
    max_kr = max(int(k["ref"][3:]) for c in doc["cycles"] for o in c["objectives"] for k in o["key_results"])
    assert (max_o, max_kr) == (18, 63)
    new = tmp_path / "new.json"
    new.write_text(json.dumps(_new_cycle_doc("2027-Q1", "2027-01-01", "2027-03-31", [
        {"title": "First", "key_results": [{"title": "a", "start": 0, "target": 1},
                                           {"title": "b", "kind": "milestone"}]},
        {"title": "Second", "key_results": [{"title": "c", "start": 0, "target": 5}]},
    ])), encoding="utf-8")
    assert run("import", new).code == 0
    objectives, krs = _refs(export_doc(), "2027-Q1")
    assert objectives == ["O-19", "O-20"]
    assert krs == ["KR-64", "KR-65", "KR-66"]


def test_refs_continue_above_an_imported_high_ref(run, sample_store, tmp_path):
    high = tmp_path / "high.json"
    high.write_text(json.dumps(_new_cycle_doc("2027-Q1", "2027-01-01", "2027-03-31", [
        {"ref": "O-100", "title": "High", "key_results": [{"ref": "KR-500", "title": "a", "start": 0, "target": 1}]},
    ])), encoding="utf-8")
    assert run("import", high).code == 0
    low = tmp_path / "low.json"
    low.write_text(json.dumps(_new_cycle_doc("2027-Q2", "2027-04-01", "2027-06-30", [
        {"title": "Next", "key_results": [{"title": "b", "start": 0, "target": 1}]},
    ])), encoding="utf-8")
    assert run("import", low).code == 0
    assert _refs(export_doc(), "2027-Q2") == (["O-101"], ["KR-501"])


def test_refs_are_unique_across_a_fresh_store_and_reimport(run, store_path, tmp_path):
    new = tmp_path / "new.json"
    new.write_text(json.dumps(_new_cycle_doc("2027-Q1", "2027-01-01", "2027-03-31", [
        {"title": "One", "key_results": [{"title": "a", "start": 0, "target": 1}]},
    ])), encoding="utf-8")
    assert run("import", new).code == 0
    new.write_text(json.dumps(_new_cycle_doc("2027-Q1", "2027-01-01", "2027-03-31", [
        {"title": "Two", "key_results": [{"title": "b", "start": 0, "target": 1}]},
    ])), encoding="utf-8")
    assert run("import", new).code == 0
    assert _refs(export_doc(), "2027-Q1") == (["O-1", "O-2"], ["KR-1", "KR-2"])
