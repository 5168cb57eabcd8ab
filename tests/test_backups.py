"""Backups and the format migration (§8, issue 14 items 3-5).

- the daily backup: before the first successful write of each UTC day, the store as an
  interchange file in `<main file>.backups/YYYY-MM-DD.json`, newest 7 kept;
- the backups taken before an import or a migration, `...THHMMSSZ-NNN-reason.json`: none
  ever overwrites another, newest 7 kept;
- `okrtui doctor` names the newest and the command that restores it;
- a read-only user, a refused write, an empty store: no backup;
- tests/data/format3 (made by the code of store format 3) is read as it is, migrated to
  format 4 by its first write after a backup, and a kill -9 during that write leaves
  the old store or the new one.

The daily backups are named by `okrtui.store.backup.now`; tests move it to other days.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

import pytest

import okrtui.store.backup as backup
import okrtui.store.tinystore as tinystore
from okrtui.store.backup import DAILY_RE, TAKEN_RE
from okrtui.store.layout import STORE_VERSION

from conftest import (
    AS_OF,
    AT,
    SAMPLE,
    export_doc,
    find_kr,
    main_tables,
    parts_dir,
    run_in_process,
    run_okrtui_process,
    snapshot_bytes,
)
from test_trust import no_traceback

DATA = Path(__file__).parent / "data"
FORMAT3 = DATA / "format3"
FORMAT3_EXPORT = DATA / "format3-export.json"
MEASURE = "Annual recurring revenue"  # F1's first measure in the sample company (actual 21.4)


# ---------------------------------------------------------------- helpers


def backups_dir(store: Path) -> Path:
    target = Path(os.path.realpath(store))
    return target.with_name(target.name + ".backups")


def daily(store: Path) -> list[str]:
    folder = backups_dir(store)
    return sorted(n for n in os.listdir(folder) if DAILY_RE.fullmatch(n)) if folder.is_dir() else []


def taken(store: Path, reason: str = "") -> list[str]:
    """The backups taken before an import or a migration (with `reason` in the name), by name."""
    folder = backups_dir(store)
    if not folder.is_dir():
        return []
    return sorted(n for n in os.listdir(folder) if TAKEN_RE.fullmatch(n) and reason in n)


def exported(store: Path, where: Path) -> dict:
    """`okrtui export -o FILE` of the store, parsed (a backup is compact JSON: the same
    document, not the same bytes)."""
    where.unlink(missing_ok=True)
    code, out, err = run_in_process("export", "-o", where, "--store", store)
    assert code == 0, err
    return json.loads(where.read_text(encoding="utf-8"))


def backup_doc(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def on_day(monkeypatch: pytest.MonkeyPatch, day: str, time_of_day: str = "08:30:00+00:00") -> None:
    """Move the clock that names the daily backups to `day`."""
    moment = dt.datetime.fromisoformat(f"{day}T{time_of_day}")
    monkeypatch.setattr(backup, "now", lambda: moment)


def days(first: str, count: int) -> list[str]:
    start = dt.date.fromisoformat(first)
    return [(start + dt.timedelta(days=n)).isoformat() for n in range(count)]


def write_json(path: Path, doc: dict) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def with_file(command: list, content: Optional[str], folder: Path) -> list:
    """The command with "-" (standard input) replaced by a file holding `content` (the
    in-process runner's standard input has no byte stream)."""
    if content is None:
        return list(command)
    sheet = folder / "checkins.csv"
    sheet.write_text(content, encoding="utf-8")
    return [sheet if part == "-" else part for part in command]


def doctor_backup_line(out: str) -> str:
    lines = [line for line in out.splitlines() if line.startswith("last backup:")]
    assert len(lines) == 1, out
    return lines[0]


def with_empty_readings(doc: dict) -> dict:
    """An export of format 3 (measures had no `readings`) as format 4 exports it."""
    doc = json.loads(json.dumps(doc))
    for objective in doc["strategy"]:
        for measure in objective["measures"]:
            assert "readings" not in measure
            measure["readings"] = []
    return doc


def listing(folder: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every path under `folder` (the lock file too) with its mode and bytes."""
    found = {}
    for path in sorted(folder.rglob("*")):
        info = os.lstat(path)
        found[str(path.relative_to(folder))] = (info.st_mode,
                                                 path.read_bytes() if stat.S_ISREG(info.st_mode) else None)
    return found


# A real okrtui process that has imported everything before it is told to start, so that
# several start their command at the same moment, or a kill lands inside the command itself.
READY_GO = """\
import sys
import okrtui.cli, okrtui.operations, okrtui.store.backup, okrtui.store.tinystore
import okrtui.interchange.json_io, okrtui.interchange.csv_io
print("ready", flush=True)
sys.stdin.readline()
sys.exit(okrtui.cli.main(sys.argv[1:]))
"""


def ready_process(*args) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", READY_GO, *map(str, args)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if line != "ready":
        proc.kill()
        raise AssertionError(f"the okrtui process did not start: {line!r} {proc.communicate()[1]}")
    return proc


def go(proc: subprocess.Popen) -> None:
    proc.stdin.write("go\n")
    proc.stdin.flush()


@pytest.fixture
def format3(tmp_path) -> Path:
    """A copy of the kept format-3 store (tests/data is never written)."""
    folder = tmp_path / "old"
    shutil.copytree(FORMAT3, folder)
    return folder / "okrtui.json"


@pytest.fixture
def old_export() -> dict:
    """The export of the format-3 store made by the format-3 code, as format 4 writes it."""
    return with_empty_readings(json.loads(FORMAT3_EXPORT.read_text(encoding="utf-8")))


# ---------------------------------------------------------------- the daily backup


class TestDailyBackup:
    def test_the_first_write_of_a_day_keeps_the_store_as_it_was_and_the_second_does_not(
            self, run, sample_store, tmp_path, monkeypatch):
        on_day(monkeypatch, "2030-03-01")
        before = exported(sample_store, tmp_path / "before.json")
        assert not backups_dir(sample_store).exists()
        code, out, err = run("checkin", "KR-28", "800", "--at", AT)
        assert code == 0, err
        assert daily(sample_store) == ["2030-03-01.json"]
        assert sorted(os.listdir(backups_dir(sample_store))) == ["2030-03-01.json"]
        kept = backups_dir(sample_store) / "2030-03-01.json"
        assert backup_doc(kept) == before

        on_day(monkeypatch, "2030-03-01", "23:59:59+00:00")  # later the same UTC day
        code, out, err = run("checkin", "KR-28", "900", "--at", AT)
        assert code == 0, err
        assert sorted(os.listdir(backups_dir(sample_store))) == ["2030-03-01.json"]
        assert backup_doc(kept) == before  # the day's backup is never written over

    def test_a_new_day_gets_a_new_backup_of_the_store_as_it_was_then(self, run, sample_store, tmp_path,
                                                                      monkeypatch):
        on_day(monkeypatch, "2030-03-01")
        first = exported(sample_store, tmp_path / "first.json")
        assert run("checkin", "KR-28", "800", "--at", AT).code == 0
        assert run("checkin", "KR-28", "850", "--at", AT).code == 0
        second = exported(sample_store, tmp_path / "second.json")
        on_day(monkeypatch, "2030-03-02", "00:00:01+00:00")
        assert run("checkin", "KR-28", "900", "--at", AT).code == 0
        assert daily(sample_store) == ["2030-03-01.json", "2030-03-02.json"]
        assert backup_doc(backups_dir(sample_store) / "2030-03-01.json") == first
        assert backup_doc(backups_dir(sample_store) / "2030-03-02.json") == second

    def test_the_day_is_the_utc_day(self, run, sample_store, monkeypatch):
        # 23:30 at UTC-5 is already the next day in UTC.
        on_day(monkeypatch, "2030-03-01", "23:30:00-05:00")
        assert run("checkin", "KR-28", "800", "--at", AT).code == 0
        assert daily(sample_store) == ["2030-03-02.json"]

    def test_nine_days_leave_the_newest_seven(self, run, sample_store, tmp_path, monkeypatch):
        base = len(find_kr(export_doc(), "KR-28")["checkins"])
        states = {}
        for number, day in enumerate(days("2030-03-01", 9)):
            on_day(monkeypatch, day)
            states[day] = exported(sample_store, tmp_path / "state.json")
            code, out, err = run("checkin", "KR-28", str(800 + number), "--at", AT, "--note", f"day {number}")
            assert code == 0, err
        kept = daily(sample_store)
        assert kept == [f"{day}.json" for day in days("2030-03-03", 7)]
        for name in kept:
            day = name[:-len(".json")]
            assert backup_doc(backups_dir(sample_store) / name) == states[day]
            doc = states[day]
            # The day's backup holds every write of the days before it, and none of its own.
            assert len(find_kr(doc, "KR-28")["checkins"]) == base + days("2030-03-01", 9).index(day)
        code, out, err = run("doctor")
        assert code == 0, out
        newest = backups_dir(sample_store) / "2030-03-09.json"
        assert doctor_backup_line(out) == f"last backup: {newest} (restore: okrtui import {newest} --store NEW_PATH)"

    def test_pruning_the_daily_backups_leaves_the_import_backups(self, run, sample_store, tmp_path, monkeypatch):
        on_day(monkeypatch, "2030-03-01")
        assert run("import", write_json(tmp_path / "org.json", {"format": "okrtui/1",
                                                                  "organization": "Renamed"})).code == 0
        assert len(taken(sample_store)) == 1
        before_import = taken(sample_store)
        for day in days("2030-03-02", 8):
            on_day(monkeypatch, day)
            assert run("checkin", "KR-28", "800", "--at", AT).code == 0
        assert len(daily(sample_store)) == 7
        assert taken(sample_store) == before_import

    @pytest.mark.parametrize("command, stdin", [
        (["checkin", "KR-999", "5"], None),                        # unknown key result
        (["checkin", "KR-1", "5", "--at", AT], None),              # a closed cycle
        (["checkin", "KR-28", "abc"], None),                       # not a number
        (["measure", "F1", "No such measure", "5"], None),
        (["import", SAMPLE], None),                                # duplicate refs
        (["checkin", "--file", "-"], "ref,value\nKR-28,5\nKR-28,abc\nKR-29,6\n"),  # a bad line in the middle
    ])
    def test_a_refused_write_leaves_no_backup(self, run, sample_store, tmp_path, monkeypatch, command, stdin):
        on_day(monkeypatch, "2030-03-01")
        before = snapshot_bytes(sample_store)
        code, out, err = run(*with_file(command, stdin, tmp_path))
        assert code == 2, (out, err)
        assert snapshot_bytes(sample_store) == before  # no backups directory, no file in it

    def test_a_refused_write_then_a_good_one_keeps_the_state_before_the_good_one(
            self, run, sample_store, tmp_path, monkeypatch):
        on_day(monkeypatch, "2030-03-01")
        assert run("checkin", "KR-999", "5").code == 2
        before = exported(sample_store, tmp_path / "before.json")
        assert run("checkin", "KR-28", "800", "--at", AT).code == 0
        kept = backups_dir(sample_store) / "2030-03-01.json"
        assert backup_doc(kept) == before
        # A refused write on a day that has its backup leaves that backup alone.
        assert run("checkin", "KR-999", "5").code == 2
        assert run("import", SAMPLE).code == 2
        assert daily(sample_store) == ["2030-03-01.json"] and backup_doc(kept) == before

    def test_a_write_that_fails_leaves_no_backup(self, run, sample_store, monkeypatch):
        import errno

        def disk_full(store, tx, like):
            raise OSError(errno.ENOSPC, "No space left on device", str(store.parts_dir / "c3-9.json"))

        on_day(monkeypatch, "2030-03-01")
        monkeypatch.setattr(tinystore, "commit", disk_full)
        before = snapshot_bytes(sample_store)
        code, out, err = run("checkin", "KR-28", "800", "--at", AT)
        assert code == 1 and "No space left on device" in err
        assert snapshot_bytes(sample_store) == before

    def test_an_empty_store_gets_no_backup(self, run, store_path, monkeypatch):
        on_day(monkeypatch, "2030-03-01")
        assert run("init").code == 0
        assert not backups_dir(store_path).exists()
        code, out, err = run("import", SAMPLE)  # the first write into the empty store
        assert code == 0, err
        assert not backups_dir(store_path).exists()
        # Once it holds something, the next day's first write keeps it.
        on_day(monkeypatch, "2030-03-02")
        assert run("checkin", "KR-28", "800", "--at", AT).code == 0
        assert daily(store_path) == ["2030-03-02.json"]

    def test_a_new_store_made_by_import_gets_no_backup(self, run, store_path, monkeypatch):
        on_day(monkeypatch, "2030-03-01")
        assert run("import", SAMPLE).code == 0
        assert not backups_dir(store_path).exists()


# ---------------------------------------------------------------- what a backup is


class TestBackupFiles:
    @pytest.mark.parametrize("mode", [0o644, 0o640, 0o660, 0o600])
    def test_a_backup_is_the_export_and_restores_it(self, run, sample_store, tmp_path,
                                                                  monkeypatch, mode):
        os.chmod(sample_store, mode)
        on_day(monkeypatch, "2030-03-01")
        before = exported(sample_store, tmp_path / "before.json")
        assert run("checkin", "KR-28", "800", "--at", AT).code == 0
        assert run("measure", "F1", MEASURE, "23", "--at", AT).code == 0
        backup = backups_dir(sample_store) / "2030-03-01.json"
        doc = backup_doc(backup)
        assert doc["format"] == "okrtui/1"
        assert doc == before
        assert export_doc() != before  # the store moved on; the backup did not
        # Files have the main file's permissions; the folder can be entered wherever it can be read.
        assert stat.S_IMODE(os.stat(backup).st_mode) == mode
        folder = os.lstat(backups_dir(sample_store))
        assert stat.S_ISDIR(folder.st_mode)
        assert stat.S_IMODE(folder.st_mode) == mode | ((mode & 0o444) >> 2)

        restored = tmp_path / "restored" / "okrtui.json"
        code, out, err = run("import", backup, "--store", restored)
        assert code == 0, err
        assert export_doc(restored) == before
        # Import then export of the backup gives its document again (§7).
        assert exported(restored, tmp_path / "again.json") == doc
        assert run("doctor", "--store", restored).code == 0

    def test_a_backup_takes_the_main_files_group(self, run, sample_store, monkeypatch):
        if os.geteuid() != 0:
            pytest.skip("giving the store another group needs root")
        group = 60110
        os.chown(sample_store, -1, group)
        os.chmod(sample_store, 0o660)
        on_day(monkeypatch, "2030-03-01")
        assert run("checkin", "KR-28", "800", "--at", AT).code == 0
        backup = backups_dir(sample_store) / "2030-03-01.json"
        info = os.stat(backup)
        assert (info.st_gid, stat.S_IMODE(info.st_mode)) == (group, 0o660)
        folder = os.stat(backups_dir(sample_store))
        assert (folder.st_gid, stat.S_IMODE(folder.st_mode)) == (group, 0o770)

    def test_doctor_names_the_newest_backup_and_its_restore_command_works(self, run, sample_store, tmp_path,
                                                                        monkeypatch):
        code, out, err = run("doctor")
        assert code == 0 and "last backup" not in out  # none yet
        states = []
        for day in days("2030-03-01", 3):
            on_day(monkeypatch, day)
            states.append(export_doc())
            assert run("checkin", "KR-28", "800", "--at", AT).code == 0
        code, out, err = run("doctor")
        assert code == 0, out
        newest = backups_dir(sample_store) / "2030-03-03.json"
        line = doctor_backup_line(out)
        assert line == f"last backup: {newest} (restore: okrtui import {newest} --store NEW_PATH)"
        restore = line.split("(restore: ", 1)[1].rstrip(")").split()
        assert restore[:2] == ["okrtui", "import"]
        new = tmp_path / "new" / "okrtui.json"
        code, out, err = run(*[str(new) if a == "NEW_PATH" else a for a in restore[1:]])
        assert code == 0, err
        assert export_doc(new) == states[-1]

    def test_doctor_names_an_import_backup_taken_after_the_days_backup(self, run, sample_store, tmp_path):
        assert run("checkin", "KR-28", "800", "--at", AT).code == 0  # today's backup
        before = export_doc()
        assert run("import", write_json(tmp_path / "org.json", {"format": "okrtui/1",
                                                                  "organization": "Renamed"})).code == 0
        [name] = taken(sample_store)
        newest = backups_dir(sample_store) / name
        assert json.loads(newest.read_text(encoding="utf-8")) == before
        code, out, err = run("doctor")
        assert code == 0
        assert doctor_backup_line(out) == f"last backup: {newest} (restore: okrtui import {newest} --store NEW_PATH)"

    def test_nine_imports_keep_the_newest_seven_import_backups(self, run, sample_store, tmp_path):
        organizations = [export_doc()["organization"]] + [f"Org {n}" for n in range(1, 10)]
        for organization in organizations[1:]:
            path = write_json(tmp_path / "org.json", {"format": "okrtui/1", "organization": organization})
            code, out, err = run("import", path)
            assert code == 0, err
        kept = taken(sample_store)
        assert len(kept) == 7
        held = [json.loads((backups_dir(sample_store) / n).read_text(encoding="utf-8"))["organization"]
                for n in kept]
        # Each holds the store before one import: the last seven imports, oldest first.
        assert held == organizations[2:9]


# ---------------------------------------------------------------- no backup may overwrite another


def _extra_objective(tmp_path: Path, number: int) -> Path:
    return write_json(tmp_path / f"extra{number}.json", {"format": "okrtui/1", "strategy": [
        {"code": f"X{number}", "title": f"Extra objective {number}", "perspective": "financial"}]})


def _extras(doc: dict) -> list[str]:
    return sorted(s["code"] for s in doc["strategy"] if s["code"].startswith("X"))


class TestConcurrentImports:
    def test_three_concurrent_imports_leave_three_backups_and_the_state_before_them(self, sample_store, tmp_path):
        before = export_doc()
        sheets = [_extra_objective(tmp_path, n) for n in (1, 2, 3)]
        procs = [ready_process("import", sheet, "--store", sample_store) for sheet in sheets]
        try:
            for proc in procs:  # start them together
                go(proc)
            outputs = [proc.communicate(timeout=120) for proc in procs]
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
        for proc, (out, err) in zip(procs, outputs):
            assert proc.returncode == 0, err
        after = export_doc()
        assert _extras(after) == ["X1", "X2", "X3"]  # no import lost

        names = taken(sample_store)
        assert len(names) == 3, names  # one per import: none overwritten, none lost
        paths = [backups_dir(sample_store) / n for n in names]
        docs = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
        # The states before each import: before all of them, after one, after two.
        by_age = sorted(zip(paths, docs), key=lambda pair: os.stat(pair[0]).st_mtime_ns)
        assert [len(_extras(doc)) for _, doc in by_age] == [0, 1, 2], [(p.name, _extras(d)) for p, d in by_age]
        assert by_age[0][1] == before  # the state before them, in the oldest
        assert set(_extras(by_age[1][1])) < set(_extras(by_age[2][1]))
        # Their names sort by age too (doctor and pruning go by the names).
        assert [p for p, _ in by_age] == paths, [(p.name, _extras(d)) for p, d in zip(paths, docs)]
        code, out, err = run_in_process("doctor")
        assert code == 0, out
        assert doctor_backup_line(out) == (f"last backup: {paths[-1]} "
                                           f"(restore: okrtui import {paths[-1]} --store NEW_PATH)")
        for doc in docs:
            without = json.loads(json.dumps(after))
            without["strategy"] = [s for s in without["strategy"] if s["code"] not in
                                   {"X1", "X2", "X3"} - set(_extras(doc))]
            assert doc == without
        assert run_in_process("doctor").code == 0

    def test_backups_of_racing_imports_sort_by_age_and_doctor_names_the_newest(self, sample_store, tmp_path,
                                                                              monkeypatch):
        """Deterministically what three concurrent imports do within one second (as the test above
        does in real processes): B prepares on S0 (backup 001), A imports meanwhile (backup 002
        of S0, commits S1), B prepares again on S1 (backup 003), commits S2 and takes its stale
        001 away; C then imports on S2 in the same second. Its backup must not take the freed
        number 001, which would sort it before the older ones."""
        from okrtui.operations import import_scorecard
        from okrtui.store import Store

        moment = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)

        a, b, c = Store(sample_store), Store(sample_store), Store(sample_store)
        real_prepare = Store._prepare
        raced = []

        def prepare(self, change):
            prepared = real_prepare(self, change)
            if self is b and not raced:
                raced.append(True)
                import_scorecard(a, _incoming(tmp_path, 1), moment)  # lands between B's preparation and its lock
            return prepared

        monkeypatch.setattr(Store, "_prepare", prepare)
        import_scorecard(b, _incoming(tmp_path, 2), moment)
        import_scorecard(c, _incoming(tmp_path, 3), moment)
        assert raced
        assert _extras(export_doc()) == ["X1", "X2", "X3"]

        names = taken(sample_store)
        held = [_extras(json.loads((backups_dir(sample_store) / n).read_text(encoding="utf-8"))) for n in names]
        assert len(names) == 3, list(zip(names, held))
        # Oldest first, as `backups()` lists them and doctor and pruning rely on.
        assert [len(codes) for codes in held] == [0, 1, 2], list(zip(names, held))
        code, out, err = run_in_process("doctor")
        assert code == 0, out
        newest = backups_dir(sample_store) / names[held.index(max(held, key=len))]
        assert doctor_backup_line(out) == f"last backup: {newest} (restore: okrtui import {newest} --store NEW_PATH)"


# ---------------------------------------------------------------- read-only users


@pytest.fixture(params=["private folder", "writable folder"])
def read_only_setup(request, sample_store, tmp_path):
    """(store, runner): a store this runner can read but not write. As root, the runner is an
    unprivileged user (root writes anything); else a chmod-ed store run by this user. With
    "writable folder" the store's folder could take a backups directory: it must not."""
    folder_mode = 0o755 if request.param == "private folder" else 0o777
    (sample_store.parent / "okrtui.json.lock").unlink(missing_ok=True)
    if os.geteuid() == 0:
        other_users = request.getfixturevalue("other_users")
        shared = request.getfixturevalue("shared_folder")
        target = shared / "store"
        shutil.copytree(sample_store.parent, target)
        for path in [target, *target.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        os.chmod(target, folder_mode)
        store = target / "okrtui.json"
        probe = other_users.shell(f"test -w {store}")
        assert probe.returncode != 0, "the unprivileged user must not be able to write the store"
        yield store, other_users.run
        return
    store = sample_store
    for path in [store.parent, *store.parent.rglob("*")]:
        os.chmod(path, 0o555 if path.is_dir() else 0o444)
    os.chmod(store.parent, folder_mode if folder_mode != 0o755 else 0o555)
    if os.access(store, os.W_OK):
        pytest.skip("this user can write a read-only file here; no read-only user to test with")
    try:
        yield store, run_okrtui_process
    finally:
        for path in [store.parent, *store.parent.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)


class TestReadOnlyUser:
    def test_a_read_only_user_never_gets_a_backup(self, read_only_setup, tmp_path):
        store, runner = read_only_setup
        before = snapshot_bytes(store)
        names = sorted(os.listdir(store.parent))
        sheet = store.parent.parent / "org.json"
        sheet.write_text(json.dumps({"format": "okrtui/1", "organization": "Renamed"}), encoding="utf-8")
        os.chmod(sheet, 0o644)
        for command in (["checkin", "KR-28", "800", "--at", AT, "--store", store],
                        ["measure", "F1", MEASURE, "23", "--at", AT, "--store", store],
                        ["import", sheet, "--store", store]):
            result = runner(*command)
            assert result.code == 1, (command, result)
            assert "read-only" in result.err.lower()
            no_traceback(result)
        for command in (["report", "--as-of", AS_OF, "--store", store], ["export", "--store", store],
                        ["doctor", "--store", store]):
            result = runner(*command)
            assert result.code == 0, (command, result)
        assert not backups_dir(store).exists()
        assert sorted(os.listdir(store.parent)) == names  # no lock, temp or backup file
        assert snapshot_bytes(store) == before

    def test_a_read_only_user_adds_nothing_to_a_backups_directory(self, read_only_setup):
        store, runner = read_only_setup
        if os.geteuid() != 0:
            pytest.skip("needs a backups directory the read-only user could write to, made as root")
        folder = backups_dir(store)
        folder.mkdir()
        os.chmod(folder, 0o777)  # even where it could write a file
        result = runner("checkin", "KR-28", "800", "--at", AT, "--store", store)
        assert result.code == 1 and "read-only" in result.err.lower(), result
        assert os.listdir(folder) == []

    def test_read_only_option_writes_no_backup(self, run, sample_store, monkeypatch):
        on_day(monkeypatch, "2030-03-01")
        before = snapshot_bytes(sample_store)
        for command in (["--read-only", "checkin", "KR-28", "800", "--at", AT],
                        ["--read-only", "measure", "F1", MEASURE, "23", "--at", AT],
                        ["--read-only", "import", SAMPLE]):
            code, out, err = run(*command)
            assert code == 2 and "read-only" in err, (command, err)
        assert snapshot_bytes(sample_store) == before
        assert not backups_dir(sample_store).exists()


# ---------------------------------------------------------------- the backups stay inside the store


class TestSymlinkedBackups:
    def test_a_symlinked_backups_directory_is_refused_and_its_target_untouched(self, run, sample_store, tmp_path):
        outside = tmp_path / "outside"
        outside.mkdir()
        (outside / "mine.txt").write_text("mine\n")
        backups_dir(sample_store).symlink_to(outside)
        before = snapshot_bytes(sample_store)
        for command in (["checkin", "KR-28", "800", "--at", AT], ["import", SAMPLE],
                        ["measure", "F1", MEASURE, "23", "--at", AT]):
            code, out, err = run(*command)
            assert code == 1, (command, out, err)
            assert "is a symlink" in err and str(backups_dir(sample_store)) in err
            assert "Traceback" not in err
        assert sorted(p.name for p in outside.iterdir()) == ["mine.txt"]
        assert (outside / "mine.txt").read_text() == "mine\n"
        assert snapshot_bytes(sample_store) == before
        code, out, err = run("doctor")
        assert code == 1 and "is a symlink" in out
        # Readers still read the store.
        assert run("report", "--as-of", AS_OF).code == 0

    def test_a_dangling_symlinked_backups_directory_is_refused(self, run, sample_store, tmp_path):
        backups_dir(sample_store).symlink_to(tmp_path / "nowhere")
        code, out, err = run("checkin", "KR-28", "800", "--at", AT)
        assert code == 1 and "is a symlink" in err
        assert not (tmp_path / "nowhere").exists()

    def test_a_symlinked_backup_file_is_refused_and_its_target_untouched(self, run, sample_store, tmp_path,
                                                                         monkeypatch):
        on_day(monkeypatch, "2030-03-01")
        assert run("checkin", "KR-28", "800", "--at", AT).code == 0
        precious = tmp_path / "precious.json"
        precious.write_text("{}")
        (backups_dir(sample_store) / "2030-02-28.json").symlink_to(precious)
        on_day(monkeypatch, "2030-03-02")
        before = snapshot_bytes(sample_store)
        code, out, err = run("checkin", "KR-28", "900", "--at", AT)
        assert code == 1, err
        assert "is a symlink" in err and "a backup of the store" in err
        assert precious.read_text() == "{}"
        assert snapshot_bytes(sample_store) == before
        assert run("doctor").code == 1

    def test_a_symlink_where_todays_backup_goes_is_refused(self, run, sample_store, tmp_path, monkeypatch):
        on_day(monkeypatch, "2030-03-01")
        precious = tmp_path / "precious.json"
        precious.write_text("{}")
        backups_dir(sample_store).mkdir()
        (backups_dir(sample_store) / "2030-03-01.json").symlink_to(precious)
        code, out, err = run("checkin", "KR-28", "800", "--at", AT)
        assert code == 1 and "is a symlink" in err
        assert precious.read_text() == "{}"


# ---------------------------------------------------------------- a newer format


class TestNewerFormat:
    def test_a_store_of_a_newer_format_is_refused_with_a_message_to_upgrade(self, run, sample_store, monkeypatch):
        on_day(monkeypatch, "2030-03-01")
        tables = main_tables(sample_store)
        tables["meta"]["1"]["version"] = 99
        sample_store.write_text(json.dumps(tables), encoding="utf-8")
        before = snapshot_bytes(sample_store)
        for command in (["report", "--as-of", AS_OF], ["export"], ["checkin", "KR-28", "800", "--at", AT],
                        ["measure", "F1", MEASURE, "23", "--at", AT], ["import", SAMPLE],
                        ["due", "--as-of", AS_OF]):
            code, out, err = run(*command)
            assert code == 1, (command, out, err)
            assert "store format 99" in err and "Upgrade okrtui" in err, (command, err)
            assert str(sample_store) in err
            assert "Traceback" not in err
        code, out, err = run("doctor")
        assert code == 1 and "store format 99" in out and "Upgrade okrtui" in out
        assert snapshot_bytes(sample_store) == before
        assert not backups_dir(sample_store).exists()

    def test_a_newer_format_is_refused_by_a_real_process(self, run_process, sample_store):
        tables = main_tables(sample_store)
        tables["meta"]["1"]["version"] = STORE_VERSION + 1
        sample_store.write_text(json.dumps(tables), encoding="utf-8")
        result = run_process("checkin", "KR-28", "800", "--at", AT, "--store", sample_store)
        assert result.code == 1, result
        assert "Upgrade okrtui" in result.err
        no_traceback(result)


# ---------------------------------------------------------------- the format-3 store and its migration


def _without_checkin(doc: dict, ref: str, note: str, old: dict) -> dict:
    """`doc` less the one check-in on `ref` noted `note` (a back-dated one: current unchanged)."""
    doc = json.loads(json.dumps(doc))
    kr = find_kr(doc, ref)
    mine = [c for c in kr["checkins"] if c["note"] == note]
    assert len(mine) == 1, kr["checkins"]
    kr["checkins"].remove(mine[0])
    assert kr["current"] == find_kr(old, ref)["current"]
    return doc


def _without_reading(doc: dict, code: str, name: str, value, actual) -> dict:
    doc = json.loads(json.dumps(doc))
    objective = next(s for s in doc["strategy"] if s["code"] == code)
    measure = next(m for m in objective["measures"] if m["name"] == name)
    assert measure["actual"] == value
    assert [r["value"] for r in measure["readings"]] == [value]
    measure["readings"], measure["actual"] = [], actual
    return doc


FIRST_WRITES = {
    "checkin": (["checkin", "KR-28", "800", "--at", AT, "--note", "first write"], None,
                lambda doc, old: _without_checkin(doc, "KR-28", "first write", old)),
    "measure": (["measure", "F1", MEASURE, "22.5", "--at", AT], None,
                lambda doc, old: _without_reading(doc, "F1", MEASURE, 22.5, 21.4)),
    "import": (["import", "ORG"], None,
               lambda doc, old: {**doc, "organization": old["organization"]}),
    "checkin-file": (["checkin", "--file", "-"], f"ref,value,note,at\nKR-28,800,first write,{AT}\n",
                     lambda doc, old: _without_checkin(doc, "KR-28", "first write", old)),
}


class TestFormatThreeStore:
    """tests/data/format3: the sample company imported by the code of store format 3, with
    check-ins (one undone) and a key result deleted; format3-export.json its export then."""

    READERS = [
        ["report", "--as-of", AS_OF],
        ["report", "--format", "json", "--as-of", AS_OF],
        ["report", "--format", "md", "--as-of", AS_OF],
        ["report", "--format", "csv", "--as-of", AS_OF],
        ["report", "--since", "2026-11-01", "--as-of", AS_OF],
        ["export"],
        ["export", "--format", "csv"],
        ["due", "--as-of", AS_OF],
        ["doctor"],
        ["--read-only", "checkin", "KR-28", "800", "--at", AT],
    ]

    def test_the_kept_store_is_of_format_3(self):
        tables = json.loads((FORMAT3 / "okrtui.json").read_bytes())
        assert tables["meta"]["1"]["version"] == 3
        assert not (FORMAT3 / "okrtui.json.backups").exists()
        assert not (FORMAT3 / "okrtui.json.d" / "readings.log").exists()

    def test_readers_leave_it_byte_identical(self, run, format3, old_export):
        before = listing(format3.parent)
        for command in self.READERS:
            code, out, err = run(*command, "--store", format3)
            assert code == (2 if "--read-only" in command else 0), (command, err)
            assert "Traceback" not in err
        assert listing(format3.parent) == before  # not even a lock file
        assert not backups_dir(format3).exists()

    def test_it_reads_as_its_old_export_plus_empty_readings(self, run, format3, old_export):
        assert export_doc(format3) == old_export
        code, out, err = run("doctor", "--store", format3)
        assert code == 0, out
        assert "version 3" in out
        assert f"store format 3; the next write upgrades it to {STORE_VERSION}" in out
        assert "ok: the store is healthy" in out

    def test_readers_as_a_real_process_leave_it_byte_identical(self, run_process, format3):
        before = listing(format3.parent)
        for command in (["report", "--as-of", AS_OF], ["export"], ["doctor"]):
            result = run_process(*command, "--store", format3)
            assert result.code == 0, (command, result)
        assert listing(format3.parent) == before

    @pytest.mark.parametrize("kind", list(FIRST_WRITES))
    def test_the_first_write_migrates_it_after_a_backup(self, run, format3, old_export, tmp_path, kind):
        command, stdin, undo = FIRST_WRITES[kind]
        old_tables = main_tables(format3)
        if kind == "import":
            command = ["import", write_json(tmp_path / "org.json", {"format": "okrtui/1", "organization": "Renamed"})]
        code, out, err = run(*with_file(command, stdin, tmp_path), "--store", format3)
        assert code == 0, err
        tables = main_tables(format3)
        assert tables["meta"]["1"]["version"] == STORE_VERSION == 4
        # The measures got their ids, in store order.
        ids = [m["id"] for s in tables["strategy"].values() for m in s["measures"]]
        assert ids == list(range(1, len(ids) + 1))
        assert tables["meta"]["1"]["next_measure"] == len(ids) + 1
        assert tables["meta"]["1"]["generation"] == old_tables["meta"]["1"]["generation"] + 1
        # The backup before the migration: the store as it was, as an interchange file.
        [migration] = taken(format3, "-format-3-g5")
        kept = backups_dir(format3) / migration
        assert json.loads(kept.read_text(encoding="utf-8")) == old_export
        assert stat.S_IMODE(os.stat(kept).st_mode) == stat.S_IMODE(os.stat(format3).st_mode)
        others = [n for n in os.listdir(backups_dir(format3)) if not DAILY_RE.fullmatch(n) and n != migration]
        assert others == (taken(format3, "-import") if kind == "import" else []), others
        for name in others + daily(format3):
            assert json.loads((backups_dir(format3) / name).read_text(encoding="utf-8")) == old_export
        # The export afterwards: the old export plus empty readings, plus what the write did.
        migrated = export_doc(format3)
        assert migrated != old_export
        assert undo(migrated, old_export) == old_export
        code, out, err = run("doctor", "--store", format3)
        assert code == 0, out
        assert f"version {STORE_VERSION}" in out and "upgrades it" not in out
        named = Path(doctor_backup_line(out).split()[2])
        assert named.parent == backups_dir(format3)
        assert json.loads(named.read_text(encoding="utf-8")) == old_export
        # The backup restores the old store.
        restored = tmp_path / "restored" / "okrtui.json"
        assert run("import", kept, "--store", restored).code == 0
        assert export_doc(restored) == old_export

    def test_a_measure_reading_after_the_migration(self, run, format3, old_export):
        assert run("checkin", "KR-28", "800", "--at", AT, "--note", "first write", "--store", format3).code == 0
        code, out, err = run("measure", "F1", MEASURE, "22.5", "--at", AT, "--store", format3)
        assert code == 0, err
        assert out.strip() == f"F1 {MEASURE} 21.4 → 22.5 · attainment 0.49 → 0.64"
        code, out, err = run("measure", "f1", MEASURE.upper(), "23", "--at", "2026-11-21T10:00:00Z",
                             "--store", format3)
        assert code == 0, err
        assert out.strip() == f"F1 {MEASURE} 22.5 → 23 · attainment 0.64 → 0.71"
        doc = export_doc(format3)
        measure = next(s for s in doc["strategy"] if s["code"] == "F1")["measures"][0]
        assert measure["actual"] == 23
        assert measure["readings"] == [
            {"at": AT, "author": "tester", "value": 22.5, "note": ""},
            {"at": "2026-11-21T10:00:00Z", "author": "tester", "value": 23, "note": ""}]
        others = [m for s in doc["strategy"] for m in s["measures"] if m is not measure]
        assert all(m["readings"] == [] for m in others)
        assert (parts_dir(format3) / "readings.log").exists()
        # Only one migration backup: the later writes were on format 4.
        assert len(taken(format3, "-format-")) == 1
        assert run("doctor", "--store", format3).code == 0

    def test_an_import_of_readings_as_the_first_write(self, run, format3, old_export, tmp_path):
        sheet = write_json(tmp_path / "readings.json", {"format": "okrtui/1", "strategy": [
            {"code": "X1", "title": "Extra", "perspective": "financial", "measures": [
                {"name": "M", "baseline": 0, "target": 10,
                 "readings": [{"at": AT, "author": "ana", "value": 5, "note": ""}]}]}]})
        code, out, err = run("import", sheet, "--store", format3)
        assert code == 0, err
        assert main_tables(format3)["meta"]["1"]["version"] == STORE_VERSION
        doc = export_doc(format3)
        extra = doc["strategy"].pop()
        assert extra["code"] == "X1" and extra["measures"][0]["actual"] == 5
        assert extra["measures"][0]["readings"] == [{"at": AT, "author": "ana", "value": 5, "note": ""}]
        assert doc == old_export
        ids = [m["id"] for s in main_tables(format3)["strategy"].values() for m in s["measures"]]
        assert sorted(ids) == list(range(1, len(ids) + 1))
        code, out, err = run("measure", "X1", "m", "6", "--store", format3)
        assert code == 0 and out.strip() == "X1 M 5 → 6 · attainment 0.50 → 0.60", (out, err)
        code, out, err = run("measure", "F1", MEASURE, "22.5", "--at", AT, "--store", format3)
        assert code == 0 and out.strip() == f"F1 {MEASURE} 21.4 → 22.5 · attainment 0.49 → 0.64", (out, err)
        assert run("doctor", "--store", format3).code == 0

    def test_refused_writes_neither_migrate_nor_back_up(self, run, format3, tmp_path):
        before = listing(format3.parent)
        for command, stdin in ((["checkin", "KR-28", "not-a-number"], None), (["checkin", "KR-999", "5"], None),
                               (["measure", "F1", "No such measure", "5"], None),
                               (["checkin", "--file", "-"], "ref,value\nKR-28,5\nKR-28,abc\n")):
            code, out, err = run(*with_file(command, stdin, tmp_path), "--store", format3)
            assert code == 2, (command, err)
        after = listing(format3.parent)
        after.pop("okrtui.json.lock", None)  # the only file a refused write may leave: the lock
        assert after == before
        assert main_tables(format3)["meta"]["1"]["version"] == 3

    def test_a_kill_during_the_migration_leaves_the_old_store_or_the_new(self, tmp_path, old_export):
        """A real `okrtui checkin` on a copy of the format-3 store, killed at delays spread over
        the time the command takes, round after round."""
        command = ["checkin", "KR-28", "800", "--at", AT, "--note", "killed"]

        def fresh(name: str) -> Path:
            folder = tmp_path / name
            shutil.copytree(FORMAT3, folder)
            return folder / "okrtui.json"

        # The whole command once, uninterrupted: how long it takes, and the store it makes.
        store = fresh("calibration")
        proc = ready_process(*command, "--store", store)
        started = time.perf_counter()
        go(proc)
        out, err = proc.communicate(timeout=120)
        took = time.perf_counter() - started
        assert proc.returncode == 0, err
        migrated = export_doc(store)
        assert _without_checkin(migrated, "KR-28", "killed", old_export) == old_export

        rounds = 24
        outcomes = []
        for number in range(rounds):
            store = fresh(f"round{number}")
            proc = ready_process(*command, "--store", store)
            go(proc)
            # Denser early on: the write itself is the first few hundredths of the time
            # (the process's exit is the rest).
            time.sleep(took * 1.2 * (number / rounds) ** 2)
            proc.kill()
            proc.communicate(timeout=60)
            version = main_tables(store)["meta"]["1"]["version"]
            outcomes.append((number, proc.returncode, version))
            code, out, err = run_in_process("export", "--store", store)
            assert code == 0, (outcomes[-1], err)
            doc = json.loads(out)
            if version == 3:
                assert doc == old_export, outcomes[-1]
            else:
                assert version == STORE_VERSION, outcomes[-1]
                assert doc == migrated, outcomes[-1]
                # A migrated store has its backup.
                assert len(taken(store, "-format-3-g5")) == 1, outcomes[-1]
            for name in daily(store) + taken(store):  # every backup there is a whole one of the old store
                kept = json.loads((backups_dir(store) / name).read_text(encoding="utf-8"))
                assert kept == old_export, (outcomes[-1], name)
            code, out, err = run_in_process("doctor", "--store", store)
            assert code == 0, (outcomes[-1], out)
            # The next write goes through and, from the old store, migrates it.
            code, out, err = run_in_process(*command, "--store", store)
            assert code == 0, (outcomes[-1], err)
            assert main_tables(store)["meta"]["1"]["version"] == STORE_VERSION
            after = export_doc(store)
            if version == 3:
                assert after == migrated, outcomes[-1]
            assert run_in_process("doctor", "--store", store).code == 0
        assert any(returncode == -9 for _, returncode, _ in outcomes), outcomes  # some kills landed


# ---------------------------------------------------------------- races, damage, links


def _incoming(tmp_path: Path, number: int):
    from okrtui.interchange.json_io import parse_json, read_scorecard

    path = _extra_objective(tmp_path, number)
    return read_scorecard(parse_json(path.read_text(encoding="utf-8"), str(path)), str(path))


class TestRacesAndDamage:
    def test_a_race_does_not_prune_below_seven(self, run, sample_store, tmp_path, monkeypatch):
        from okrtui.operations import import_scorecard
        from okrtui.store import Store

        for number in range(7):
            path = write_json(tmp_path / "org.json", {"format": "okrtui/1", "organization": f"Org {number}"})
            assert run("import", path).code == 0
        assert len(taken(sample_store)) == 7
        moment = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(seconds=5)
        a, b = Store(sample_store), Store(sample_store)
        real_prepare = Store._prepare
        raced = []

        def prepare(self, change):
            prepared = real_prepare(self, change)
            if self is b and not raced:
                raced.append(True)
                import_scorecard(a, _incoming(tmp_path, 1), moment)  # between B's preparation and its lock
            return prepared

        monkeypatch.setattr(Store, "_prepare", prepare)
        import_scorecard(b, _incoming(tmp_path, 2), moment)
        assert raced and _extras(export_doc()) == ["X1", "X2"]
        held = [_extras(json.loads((backups_dir(sample_store) / n).read_text(encoding="utf-8")))
                for n in taken(sample_store)]
        # The newest seven states kept: five of the organisation imports', then S0 and S1.
        assert len(held) == 7, held
        assert held[-2:] == [[], ["X1"]]

    def test_a_refused_write_racing_the_days_first_write_leaves_its_backup(self, sample_store, tmp_path,
                                                                           monkeypatch):
        import threading

        from okrtui.domain.errors import InvalidInput
        from okrtui.operations import import_scorecard
        from okrtui.store import Store

        on_day(monkeypatch, "2030-03-01")
        before = exported(sample_store, tmp_path / "before.json")
        a, b = Store(sample_store), Store(sample_store)
        b_checked, a_done = threading.Event(), threading.Event()
        real_prepare = Store._prepare
        failures = []

        def prepare(self, change):
            if self is b and not b_checked.is_set():
                b_checked.set()  # B found the day's backup (A's) and took none
                a_done.wait(30)
            return real_prepare(self, change)

        monkeypatch.setattr(Store, "_prepare", prepare)

        def b_writes():
            try:
                import_scorecard(b, _incoming(tmp_path, 1))
            except BaseException as exc:  # noqa: BLE001 - reported below
                failures.append(exc)

        def a_refused(tx):
            writer = threading.Thread(target=b_writes)
            writer.start()
            assert b_checked.wait(30)
            a_refused.writer = writer
            raise InvalidInput(["value: refused on purpose"])

        with pytest.raises(InvalidInput):
            a.write(a_refused)
        a_done.set()
        a_refused.writer.join(60)
        assert not failures, failures
        assert _extras(export_doc()) == ["X1"]  # B's write, the day's first that went through
        assert daily(sample_store) == ["2030-03-01.json"]
        assert backup_doc(backups_dir(sample_store) / "2030-03-01.json") == before

    def test_doctor_on_a_damaged_store_points_to_the_last_backup(self, run, sample_store, monkeypatch):
        on_day(monkeypatch, "2030-03-01")
        assert run("checkin", "KR-28", "800", "--at", AT).code == 0
        sample_store.write_text("{ not json", encoding="utf-8")
        code, out, err = run("doctor")
        assert code == 1
        newest = backups_dir(sample_store) / "2030-03-01.json"
        assert doctor_backup_line(out) == f"last backup: {newest} (restore: okrtui import {newest} --store NEW_PATH)"
        before = snapshot_bytes(sample_store)
        on_day(monkeypatch, "2030-03-02")
        assert run("checkin", "KR-28", "900", "--at", AT).code == 1
        assert snapshot_bytes(sample_store) == before  # no backup of a store that cannot be read

    def test_doctor_on_a_store_without_its_main_file_points_to_the_last_backup(self, run, sample_store,
                                                                               monkeypatch):
        on_day(monkeypatch, "2030-03-01")
        assert run("checkin", "KR-28", "800", "--at", AT).code == 0
        sample_store.unlink()
        code, out, err = run("doctor")
        assert code == 1 and "no main file" in out
        newest = backups_dir(sample_store) / "2030-03-01.json"
        assert doctor_backup_line(out) == f"last backup: {newest} (restore: okrtui import {newest} --store NEW_PATH)"

    def test_a_symlinked_store_keeps_its_backups_beside_its_target(self, run, sample_store, tmp_path, monkeypatch):
        link = tmp_path / "link.json"
        link.symlink_to(sample_store)
        on_day(monkeypatch, "2030-03-01")
        assert run("checkin", "KR-28", "800", "--at", AT, "--store", link).code == 0
        assert link.is_symlink()
        assert daily(sample_store) == ["2030-03-01.json"]
        assert not (tmp_path / "link.json.backups").exists()
        code, out, err = run("doctor", "--store", link)
        assert code == 0, out
        assert str(backups_dir(sample_store) / "2030-03-01.json") in doctor_backup_line(out)

    def test_a_kill_while_the_days_backup_is_written_leaves_whole_backups(self, sample_store, tmp_path):
        """Real `okrtui checkin` processes killed during the first write of the day (its backup
        is the slow part on the sample): every backup there is whole, the store reads."""
        command = ["checkin", "KR-28", "800", "--at", AT, "--note", "killed", "--store", sample_store]
        template = tmp_path / "template"
        shutil.copytree(sample_store.parent, template)
        before = export_doc()
        proc = ready_process(*command)
        started = time.perf_counter()
        go(proc)
        proc.communicate(timeout=120)
        took = time.perf_counter() - started
        assert proc.returncode == 0
        rounds = 12
        for number in range(rounds):
            shutil.rmtree(sample_store.parent)
            shutil.copytree(template, sample_store.parent)
            proc = ready_process(*command)
            go(proc)
            time.sleep(took * (number / rounds) ** 2)
            proc.kill()
            proc.communicate(timeout=60)
            for name in daily(sample_store):
                assert json.loads((backups_dir(sample_store) / name).read_text(encoding="utf-8")) == before
            assert run_in_process("export").code == 0
            assert run_in_process("doctor").code == 0
            assert run_in_process(*command).code == 0
            assert daily(sample_store), number
            for name in daily(sample_store):
                assert json.loads((backups_dir(sample_store) / name).read_text(encoding="utf-8")) == before

    def test_a_killed_backups_temporary_file_is_removed_by_the_next_write(self, run, sample_store, monkeypatch):
        # What `kill -9` during a backup's writing leaves (files.place_new: temp, then a hard link).
        on_day(monkeypatch, "2030-03-01")
        assert run("checkin", "KR-28", "800", "--at", AT).code == 0
        leftover = backups_dir(sample_store) / ".2030-03-02.json.deadbeef.okrtui-tmp"
        leftover.write_bytes(b'{"format": "okrtui/1", "organiz')
        # Backups are written without the lock: a temporary file of a few minutes may be another
        # writer's backup under way, and stays; one older than any backup takes is garbage.
        under_way = backups_dir(sample_store) / ".2030-03-02.json.cafebabe.okrtui-tmp"
        under_way.write_bytes(b'{"format": "okrtui/1", "organiz')
        old = time.time() - 11 * 60
        os.utime(leftover, (old, old))
        code, out, err = run("doctor")
        assert code == 0
        assert "temporary file(s) of an interrupted write" in out
        on_day(monkeypatch, "2030-03-02")
        assert run("checkin", "KR-28", "900", "--at", AT).code == 0
        assert not leftover.exists()
        assert under_way.exists()


class TestRawBackup:
    """A backup is written straight from the store's bytes (store/raw_export.py), not through the
    models: it must hold exactly what `export` gives, whatever undo, deletion and moves left behind."""

    def test_it_equals_the_export_after_undo_deletion_a_move_and_readings(self, sample_store):
        from okrtui import operations
        from okrtui.domain import planning
        from okrtui.store import Store
        from okrtui.store.backup import backup_bytes, export_scorecard

        store = Store(sample_store)
        now = dt.datetime.now(dt.timezone.utc)
        at = now - dt.timedelta(hours=2)
        kept = operations.record_checkin(store, "KR-28", "710", author="ana", at=at, now=now)
        undone = operations.record_checkin(store, "KR-28", "720", author="ana", at=at, now=now)
        operations.undo(store, undone.command, author="ana", now=now)
        # The same line twice, one taken back: the retraction takes the newest of the two.
        operations.record_checkin(store, "KR-30", "5", author="ben", at=at, now=now)
        twice = operations.record_checkin(store, "KR-30", "5", author="ben", at=at, now=now)
        operations.undo(store, twice.command, author="ben", now=now)
        last = store.snapshot().cycle("2026-Q4").objectives[-1].key_results[-1].ref
        operations.perform(store, lambda tx: planning.delete_key_result(tx, last), author="ben", now=now)
        reading = operations.record_reading(store, "F1", "Annual recurring revenue", "22", author="cfo", now=now)
        operations.record_reading(store, "F1", "Annual recurring revenue", "23", author="cfo", now=now)
        assert reading.became_current
        # A moved objective leaves its lines behind in the old cycle's log; the new cycle has them.
        operations.perform(store, lambda tx: planning.new_cycle(tx, {"id": "2027-Q1", "start": "2027-01-01",
                                                                     "end": "2027-03-31"}), author="ben", now=now)
        moved = store.snapshot().cycle("2026-Q4").objectives[0].ref
        operations.perform(store, lambda tx: planning.move(tx, moved, "2027-Q1"), author="ben", now=now)
        taken_back = operations.record_reading(store, "F2", "Gross margin", "71", author="cfo", now=now)
        operations.undo(store, taken_back.command, author="cfo", now=now)
        snapshot = store.snapshot()
        model = export_scorecard(snapshot).to_doc()
        assert json.loads(backup_bytes(store, snapshot)) == model
        assert kept.checkin.value in [c["value"] for c in
                                      next(k for c in model["cycles"] for o in c["objectives"]
                                           for k in o["key_results"] if k["ref"] == "KR-28")["checkins"]]
        margin = next(m for m in model["strategy"][1]["measures"] if m["name"] == "Gross margin")
        assert 71 not in [r["value"] for r in margin["readings"]]

    def test_a_store_of_the_previous_format_goes_through_the_models(self, tmp_path):
        from okrtui.store import Store
        from okrtui.store.backup import backup_bytes, export_scorecard
        from okrtui.store.raw_export import raw_export

        shutil.copytree(Path(__file__).parent / "data" / "format3", tmp_path / "old")
        store = Store(tmp_path / "old" / "okrtui.json")
        snapshot = store.snapshot()
        assert raw_export(store, snapshot) is None
        assert json.loads(backup_bytes(store, snapshot)) == export_scorecard(snapshot).to_doc()

    def test_bytes_edited_with_their_checksum_never_end_in_an_internal_error(self, run, sample_store, monkeypatch):
        import zlib

        # A reading whose value is text, the main file's length and checksum of the log made to
        # match: checksums guard against damage, not against an editor; the write of the day (and
        # its backup) must not fail with an internal error, and doctor names the file.
        log = sample_store.parent / "okrtui.json.d" / "readings.log"
        lines = log.read_bytes().splitlines(keepends=True)
        doc = json.loads(lines[0])
        doc[1]["value"] = "lots"
        lines[0] = json.dumps(doc, separators=(",", ":")).encode() + b"\n"
        data = b"".join(lines)
        log.write_bytes(data)
        main = json.loads(sample_store.read_text(encoding="utf-8"))
        main["meta"]["1"].update(readings_len=len(data), readings_crc=zlib.crc32(data))
        sample_store.write_text(json.dumps(main), encoding="utf-8")
        on_day(monkeypatch, "2030-03-01")
        code, out, err = run("checkin", "KR-28", "800", "--at", AT)
        assert "internal error" not in err and code in (0, 1), err
        code, out, err = run("doctor")
        assert code == 1 and "readings.log" in out

    def test_a_measure_without_its_id_is_backed_up_through_the_models(self, run, sample_store, monkeypatch):
        # A main file edited by hand (it has no checksum of its own): the raw writer cannot file a
        # measure without its id; the models can, and the day's write goes through.
        main = json.loads(sample_store.read_text(encoding="utf-8"))
        del main["strategy"]["1"]["measures"][0]["id"]
        sample_store.write_text(json.dumps(main), encoding="utf-8")
        on_day(monkeypatch, "2030-03-01")
        code, out, err = run("checkin", "KR-28", "800", "--at", AT)
        assert code == 0, err
        assert daily(sample_store) == ["2030-03-01.json"]
