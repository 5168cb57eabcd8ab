"""Trust on a shared server: each failure an adversarial run found, reproduced and now refused.

1. a full disk in the app, 2. a full disk in the CLI, 3. --read-only for every command,
4. symlinks and permissions outside the store, 5. one verdict on damage,
6. input limits as messages, 7. clock skew, 8. one huge cycle.
Permissions are tested as other users (CI runs as root); the full disk on a small
tmpfs (skipped where the machine cannot mount one).
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from okrtui.store.layout import STORE_VERSION

from conftest import (
    AS_OF,
    AT,
    SAMPLE,
    cycle_entry,
    export_doc,
    fill,
    find_kr,
    main_tables,
    parts_dir,
    small_tmpfs,
    snapshot_bytes,
)

OKR_HEADER = "cycle,objective,owner,aligned_to,key_result,kind,start,target,current,unit,weight,confidence\n"


def no_traceback(result) -> None:
    assert "Traceback" not in result.err, result.err


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# ---------------------------------------------------------------- a small disk


@pytest.fixture
def small_disk(tmp_path):
    with small_tmpfs(tmp_path / "disk") as mount:
        yield mount


@pytest.fixture
def store_on_small_disk(small_disk, sample_store) -> Path:
    target = small_disk / "store"
    shutil.copytree(sample_store.parent, target)
    return target / "okrtui.json"


class TestFullDisk:
    @pytest.mark.parametrize("leave", [0, 4096, 8192, 12288])
    def test_checkin_says_no_space_and_changes_nothing(self, store_on_small_disk, run_process, leave):
        store = store_on_small_disk
        fill(store.parent.parent, leave)
        before = snapshot_bytes(store)
        result = run_process("checkin", "KR-28", "1400", "--at", AT, "--store", store)
        no_traceback(result)
        if result.code == 0:  # it fitted: then it is really there
            assert find_kr(export_doc(store), "KR-28")["current"] == 1400
            return
        assert result.code == 1, result
        assert "No space left on device" in result.err
        assert str(store.parent) in result.err  # the sentence names the file
        assert len(result.err.strip().splitlines()) == 1
        assert snapshot_bytes(store) == before

    def test_checkin_on_a_full_disk_fails_then_succeeds_once_there_is_room(self, store_on_small_disk, run):
        store = store_on_small_disk
        filler = fill(store.parent.parent, 0)
        code, out, err = run("checkin", "KR-28", "1400", "--at", AT, "--store", store)
        assert code == 1 and "No space left on device" in err
        filler.unlink()
        code, out, err = run("checkin", "KR-28", "1400", "--at", AT, "--store", store)
        assert code == 0, err
        assert find_kr(export_doc(store), "KR-28")["current"] == 1400

    @pytest.mark.parametrize("leave", [0, 8192, 16384, 28672])
    def test_import_says_no_space_and_leaves_no_backup(self, store_on_small_disk, run_process, tmp_path, leave):
        store = store_on_small_disk
        sheet = tmp_path / "more.csv"
        sheet.write_text(OKR_HEADER + "2026-Q4,Another objective,ops,F1,Ship it,,0,10,,,,\n", encoding="utf-8")
        fill(store.parent.parent, leave)
        before = snapshot_bytes(store)
        result = run_process("import", sheet, "--store", store)
        no_traceback(result)
        assert result.code == 1, result
        assert "No space left on device" in result.err
        assert snapshot_bytes(store) == before  # no backup, no part, no temp file

    @pytest.mark.parametrize("sample", [False, True])
    @pytest.mark.parametrize("leave", [0, 4096, 16384])
    def test_a_failed_init_leaves_no_store(self, small_disk, run_process, sample, leave):
        fill(small_disk, leave)
        store = small_disk / "team" / "okrtui.json"
        result = run_process("init", *(["--sample"] if sample else []), "--store", store)
        no_traceback(result)
        if result.code == 0:
            assert run_process("doctor", "--store", store).code == 0
            return
        assert result.code == 1, result
        assert "No space left on device" in result.err
        # No store: only the (empty) lock file stays, since another writer may wait on it.
        assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "team"]
        assert [p.name for p in (small_disk / "team").iterdir()] == ["okrtui.json.lock"]
        assert (small_disk / "team" / "okrtui.json.lock").stat().st_size == 0
        doctor = run_process("doctor", "--store", store)
        assert doctor.code == 1 and "no store here" in doctor.out

    async def test_the_app_says_not_saved_keeps_the_value_and_goes_on(self, store_on_small_disk):
        from okrtui.app.app import OkrApp
        from okrtui.app.screens.checkin import CheckinDialog
        from okrtui.store import Store
        from textual.widgets import Input

        store = store_on_small_disk
        app = OkrApp(Store(store), as_of=dt.date(2026, 11, 20), user="tester")
        async with app.run_test(size=(100, 34)) as pilot:
            await pilot.pause()
            filler = fill(store.parent.parent, 0)
            before = snapshot_bytes(store)
            await pilot.press("g", *"KR-28", "enter")
            for _ in range(100):
                await pilot.pause(0.05)
                if type(app.screen).__name__ == "DrillScreen":
                    break
            await pilot.press("c", *"1400", "enter")

            def retry_open() -> bool:
                return isinstance(app.screen, CheckinDialog) and app.screen.retry is not None

            for _ in range(400):  # wait for the failed write, never for a fixed time
                if retry_open():
                    break
                await pilot.pause(0.05)
            assert retry_open(), "the dialog did not come back with the unsaved check-in"
            assert app.screen.query_one("#value", Input).value == "1400"
            problem = str(app.screen.query_one("#save-error").render())
            assert "Not saved" in problem and "No space left on device" in problem
            assert any("Not saved" in n.message and "No space left" in n.message for n in app._notifications)
            assert snapshot_bytes(store) == before
            assert app.is_running

            # Room again: enter in the reopened dialog saves it.
            filler.unlink()
            await pilot.press("enter")
            for _ in range(400):
                if find_kr(export_doc(store), "KR-28")["current"] == 1400:
                    break
                await pilot.pause(0.05)
            assert find_kr(export_doc(store), "KR-28")["current"] == 1400


# ---------------------------------------------------------------- --read-only


class TestReadOnlyOption:
    @pytest.mark.parametrize("command", [
        ["--read-only", "checkin", "KR-28", "800", "--at", AT],
        ["checkin", "KR-28", "800", "--at", AT, "--read-only"],
        ["--read-only", "import", str(SAMPLE)],
        ["import", str(SAMPLE), "--read-only"],
    ])
    def test_a_write_command_is_refused_and_writes_nothing_not_even_a_lock(self, run, sample_store, command):
        (sample_store.parent / "okrtui.json.lock").unlink()
        before = snapshot_bytes(sample_store)
        code, out, err = run(*command)
        assert code == 2, (out, err)
        assert "read-only" in err
        assert snapshot_bytes(sample_store) == before
        assert not (sample_store.parent / "okrtui.json.lock").exists()
        assert not (sample_store.parent / "okrtui.json.backups").exists()

    def test_init_under_read_only_creates_nothing(self, run, store_path):
        code, out, err = run("--read-only", "init")
        assert code == 2 and "read-only" in err
        assert not store_path.parent.exists() or not any(store_path.parent.iterdir())

    def test_demo_under_read_only_does_not_create_the_demo_store(self, run, tmp_path):
        store = tmp_path / "demo" / "demo.json"
        code, out, err = run("--read-only", "demo", "--store", store)
        assert code == 2 and "read-only" in err
        assert not store.parent.exists()

    def test_readers_still_work_under_read_only(self, run, sample_store):
        assert run("--read-only", "report", "--as-of", AS_OF).code == 0
        assert run("--read-only", "export").code == 0
        assert run("--read-only", "doctor").code == 0


# ---------------------------------------------------------------- the store writes only inside itself


class TestOnlyInsideItself:
    def test_a_symlinked_parts_directory_is_refused_and_its_target_untouched(self, run, sample_store, tmp_path):
        outside = tmp_path / "outside"
        shutil.move(str(parts_dir(sample_store)), str(outside))
        os.chmod(outside, 0o700)
        parts_dir(sample_store).symlink_to(outside)
        before = snapshot_bytes(sample_store)
        inside = {p.name: p.read_bytes() for p in outside.iterdir()}
        code, out, err = run("checkin", "KR-28", "800", "--at", AT)
        assert code == 1, (out, err)
        assert "is a symlink" in err and str(parts_dir(sample_store)) in err
        assert stat.S_IMODE(os.stat(outside).st_mode) == 0o700
        assert {p.name: p.read_bytes() for p in outside.iterdir()} == inside
        assert snapshot_bytes(sample_store) == before
        code, out, err = run("doctor")
        assert code == 1 and "is a symlink" in out

    def test_a_symlinked_lock_file_is_refused_with_a_message(self, run, sample_store, tmp_path):
        lock = sample_store.parent / "okrtui.json.lock"
        elsewhere = tmp_path / "elsewhere"
        elsewhere.write_text("mine\n")
        lock.unlink()
        lock.symlink_to(elsewhere)
        code, out, err = run("checkin", "KR-28", "800", "--at", AT)
        assert code == 1, err
        assert "okrtui.json.lock: is a symlink" in err
        assert elsewhere.read_text() == "mine\n"
        assert run("doctor").code == 1

    def test_a_symlinked_part_is_refused_by_readers_and_writers(self, run, sample_store, tmp_path):
        entry = cycle_entry(sample_store, "2026-Q4")
        part = parts_dir(sample_store) / entry["file"]
        copy = tmp_path / "part-copy.json"
        shutil.copy(part, copy)
        part.unlink()
        part.symlink_to(copy)
        for command in (["checkin", "KR-28", "800", "--at", AT], ["report", "--as-of", AS_OF], ["doctor"]):
            code, out, err = run(*command)
            assert code == 1, command
            assert str(part) in out + err

    def test_a_symlinked_backup_is_refused(self, run, sample_store, tmp_path):
        target = tmp_path / "precious.json"
        target.write_text("{}")
        (sample_store.parent / "okrtui.json.backup-20260101T000000Z.json").symlink_to(target)
        code, out, err = run("import", SAMPLE)
        assert code == 1 and "a backup of the store" in err
        assert target.read_text() == "{}"

    def test_a_parts_directory_that_is_a_file_is_explained_by_doctor(self, run, sample_store):
        shutil.rmtree(parts_dir(sample_store))
        parts_dir(sample_store).write_text("not a directory")
        code, out, err = run("doctor")
        assert code == 1, (out, err)
        assert "is a regular file, not a directory" in out
        assert "Traceback" not in err
        assert run("checkin", "KR-28", "800", "--at", AT).code == 1

    def test_a_narrower_parts_directory_is_never_widened(self, run, sample_store):
        os.chmod(sample_store, 0o664)
        os.chmod(parts_dir(sample_store), 0o700)
        assert run("checkin", "KR-28", "800", "--at", AT).code == 0
        assert stat.S_IMODE(os.stat(parts_dir(sample_store)).st_mode) == 0o700

    def test_between_two_users_of_one_group_no_write_reaches_a_private_folder(self, other_users, shared_folder):
        alice, bob, team = 60101, 60102, 60110
        private = shared_folder / "alice-private"
        private.mkdir()
        (private / "diary.txt").write_text("dear diary\n")
        os.chown(private, alice, alice)
        os.chown(private / "diary.txt", alice, alice)
        os.chmod(private, 0o700)
        team_dir = shared_folder / "team"
        team_dir.mkdir()
        os.chown(team_dir, alice, team)
        os.chmod(team_dir, 0o2775)
        store = team_dir / "team.json"
        made = other_users.run("import", other_users.sample, "--store", store, uid=alice, gid=team, groups=(team,))
        assert made.code == 0, made.err
        # Bob, of the same group, points the parts directory at Alice's private folder.
        swapped = other_users.shell(f"mv {store}.d {team_dir}/old.d && ln -s {private} {store}.d",
                                    uid=bob, gid=team, groups=(team,))
        assert swapped.returncode == 0, swapped.stderr
        result = other_users.run("import", other_users.sample, "--store", store, uid=alice, gid=team, groups=(team,))
        assert result.code == 1, result
        assert "is a symlink" in result.err
        no_traceback(result)
        info = os.stat(private)
        assert (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == (0o700, alice, alice)
        assert sorted(p.name for p in private.iterdir()) == ["diary.txt"]
        checkin = other_users.run("checkin", "KR-28", "800", "--at", AT, "--store", store,
                                  uid=alice, gid=team, groups=(team,))
        assert checkin.code == 1 and "is a symlink" in checkin.err
        assert stat.S_IMODE(os.stat(private).st_mode) == 0o700


# ---------------------------------------------------------------- one verdict on damage


def _flip_digit(path: Path, offset_fraction: float = 0.5) -> None:
    """Change one digit somewhere in the middle: the file stays valid JSON, but is not what was written."""
    data = bytearray(path.read_bytes())
    start = int(len(data) * offset_fraction)
    index = next(i for i in range(start, len(data)) if chr(data[i]).isdigit())
    data[index] = ord("7") if data[index] != ord("7") else ord("3")
    path.write_bytes(bytes(data))


def _break_json(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 2] = b"}{"
    path.write_bytes(bytes(data))


class TestOneVerdict:
    @pytest.mark.parametrize("damage", [_flip_digit, _break_json])
    def test_a_log_damaged_inside_its_committed_bytes_is_refused_by_every_writer(
            self, run, sample_store, tmp_path, damage):
        log = parts_dir(sample_store) / f"c{cycle_entry(sample_store, '2026-Q4')['slot']}.log"
        damage(log)
        before = snapshot_bytes(sample_store)
        sheet = tmp_path / "more.csv"
        sheet.write_text(OKR_HEADER + "2026-Q4,Another,ops,F1,Ship,,0,10,,,,\n", encoding="utf-8")
        for command in (["checkin", "KR-28", "800", "--at", AT], ["import", sheet], ["import", SAMPLE]):
            code, out, err = run(*command)
            assert code == 1, (command, out, err)
            assert str(log) in err and "damaged" in err
        assert snapshot_bytes(sample_store) == before
        code, out, err = run("export")
        assert code == 1 and str(log) in err
        code, out, err = run("doctor")
        assert code == 1 and str(log) in out
        # A reader reads what is sound, and says what is not.
        code, out, err = run("report", "--as-of", AS_OF)
        assert code == 0 and "Northwind" in out
        assert "warning" in err and str(log) in err

    def test_a_part_changed_by_one_digit_is_refused_by_everyone(self, run, sample_store):
        part = parts_dir(sample_store) / cycle_entry(sample_store, "2026-Q4")["file"]
        _flip_digit(part, 0.7)
        before = snapshot_bytes(sample_store)
        for command in (["checkin", "KR-28", "800", "--at", AT], ["report", "--as-of", AS_OF], ["export"]):
            code, out, err = run(*command)
            assert code == 1, command
            assert str(part) in err and "checksum" in err
        assert run("doctor").code == 1
        assert snapshot_bytes(sample_store) == before

    def test_damage_in_another_cycle_also_stops_writers(self, run, sample_store):
        old_log = parts_dir(sample_store) / f"c{cycle_entry(sample_store, '2026-Q2')['slot']}.log"
        _flip_digit(old_log)
        code, out, err = run("checkin", "KR-28", "800", "--at", AT)  # KR-28 is in 2026-Q4
        assert code == 1 and str(old_log) in err


class TestFormatOneStore:
    """tests/data/format1 was made by the code before checksums: okrtui 0.x, store format 1."""

    @pytest.fixture
    def format1(self, tmp_path) -> Path:
        folder = tmp_path / "old"
        shutil.copytree(Path(__file__).parent / "data" / "format1", folder)
        return folder / "okrtui.json"

    def test_it_is_read_as_it_is(self, run, format1):
        before = snapshot_bytes(format1)
        assert run("report", "--as-of", AS_OF, "--store", format1).code == 0
        code, out, err = run("doctor", "--store", format1)
        assert code == 0 and "version 1" in out and f"upgrades it to {STORE_VERSION}" in out
        assert snapshot_bytes(format1) == before

    def test_the_first_write_migrates_it_after_a_backup(self, run, format1):
        exported = export_doc(format1)
        code, out, err = run("checkin", "KR-28", "800", "--at", AT, "--store", format1)
        assert code == 0, err
        assert main_tables(format1)["meta"]["1"]["version"] == STORE_VERSION
        assert all(row["part_crc"] is not None for row in main_tables(format1)["cycles"].values())
        backup = list((format1.parent / "okrtui.json.backups").glob("*-format-1-g2.json"))
        assert len(backup) == 1
        assert json.loads(backup[0].read_text(encoding="utf-8")) == exported
        migrated = export_doc(format1)
        assert find_kr(migrated, "KR-28")["current"] == 800
        find_kr(migrated, "KR-28")["checkins"].pop()
        find_kr(migrated, "KR-28")["current"] = find_kr(exported, "KR-28")["current"]
        assert migrated == exported
        assert run("doctor", "--store", format1).code == 0

    def test_refused_writes_leave_no_migration_backup(self, run, format1):
        before = snapshot_bytes(format1)
        for _ in range(4):
            assert run("checkin", "KR-28", "not-a-number", "--store", format1).code == 2
        assert snapshot_bytes(format1) == before

    def test_a_damaged_format1_log_is_not_migrated(self, run, format1):
        log = format1.parent / "okrtui.json.d" / "c3.log"
        _break_json(log)
        before = snapshot_bytes(format1)
        code, out, err = run("checkin", "KR-28", "800", "--at", AT, "--store", format1)
        assert code == 1 and str(log) in err
        assert snapshot_bytes(format1) == before


# ---------------------------------------------------------------- input limits


class TestInputLimits:
    def test_a_five_thousand_digit_integer_in_an_import_file(self, run, sample_store, tmp_path, sample_doc):
        sample_doc["cycles"][0]["objectives"][0]["key_results"][0]["target"] = "TARGET"
        path = tmp_path / "big.json"
        path.write_text(json.dumps(sample_doc).replace('"TARGET"', "9" * 5000), encoding="utf-8")
        before = snapshot_bytes(sample_store)
        code, out, err = run("import", path)
        assert code == 2, err
        assert "target: a number of 5000 digits is beyond \u00b110^15 at cycles[0].objectives[0]" in err
        assert len(err) < 500
        assert snapshot_bytes(sample_store) == before

    @pytest.mark.parametrize("value", ["9" * 5000, "1e308", "1000000000000001", "-1e16"])
    def test_numbers_beyond_the_range_in_a_checkin(self, run, sample_store, value):
        code, out, err = run("checkin", "KR-28", value, "--at", AT)
        assert code == 2 and "beyond \u00b110^15" in err
        assert len(err) < 300

    def test_the_edge_of_the_range_is_accepted(self, run, sample_store):
        assert run("checkin", "KR-28", "1000000000000000", "--at", AT).code == 0
        assert run("checkin", "KR-28", "-1e15", "--at", AT).code == 0

    @pytest.mark.parametrize("at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
    def test_times_outside_the_representable_range(self, run, sample_store, at, tmp_path, sample_doc):
        code, out, err = run("checkin", "KR-28", "800", "--at", at)
        assert code == 2 and "outside the times okrtui can record" in err
        kr = sample_doc["cycles"][0]["objectives"][0]["key_results"][0]
        kr["checkins"] = [{"at": at, "author": "a", "value": 1, "confidence": "on-track", "note": ""}]
        path = tmp_path / "times.json"
        path.write_text(json.dumps(sample_doc), encoding="utf-8")
        code, out, err = run("import", path, "--store", tmp_path / "new.json")
        assert code == 2 and "outside the times okrtui can record" in err and "checkins[0].at" in err

    def test_import_of_a_device_is_refused_before_reading(self, run_process, sample_store):
        result = run_process("import", "/dev/zero", timeout=30)
        assert result.code == 2, result
        assert "/dev/zero: not a regular file" in result.err

    def test_import_of_a_named_pipe_does_not_wait(self, run_process, sample_store, tmp_path):
        fifo = tmp_path / "pipe.json"
        os.mkfifo(fifo)
        result = run_process("import", fifo, timeout=30)
        assert result.code == 2 and "not a regular file" in result.err

    def test_import_of_a_file_over_the_limit_is_refused_before_reading(self, run, sample_store, tmp_path):
        from okrtui.interchange.json_io import MAX_IMPORT_BYTES

        huge = tmp_path / "huge.json"
        with open(huge, "wb") as handle:
            handle.truncate(MAX_IMPORT_BYTES + 1)  # sparse: nothing is really written
        code, out, err = run("import", huge)
        assert code == 2 and "larger than an import file may be (256 MiB)" in err

    def test_a_bug_is_one_line_not_a_traceback(self, run_process, sample_store, monkeypatch):
        # A real process with a store whose main file is made unparseable by Python itself
        # would be found; a bug cannot be staged from outside, so force one in-process.
        import okrtui.cli as cli

        def broken(args):
            raise RuntimeError("boom")

        monkeypatch.setitem(cli.COMMANDS, "doctor", broken)
        from conftest import run_in_process

        result = run_in_process("doctor")
        assert result.code == 1
        assert result.err.startswith("okrtui: internal error: RuntimeError: boom")
        assert "Traceback" not in result.err


# ---------------------------------------------------------------- clock skew


class TestClockSkew:
    def test_a_checkin_right_after_a_skewed_one_becomes_current(self, run, sample_store):
        ahead = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=4)).isoformat()
        assert run("checkin", "KR-28", "700", "--at", ahead).code == 0
        code, out, err = run("checkin", "KR-28", "710")
        assert code == 0, err
        assert "back-dated" not in err
        kr = find_kr(export_doc(), "KR-28")
        assert kr["current"] == 710
        times = [utc(c["at"]) for c in kr["checkins"][-2:]]
        assert times[0] <= times[1] <= dt.datetime.now(dt.timezone.utc)

    def test_another_machines_clock_ahead_does_not_shadow_a_present_checkin(self, run, sample_store, tmp_path):
        # A check-in imported from a machine 4 minutes ahead stays as it was recorded...
        ahead = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=4)).replace(microsecond=0)
        doc = export_doc()
        kr = find_kr(doc, "KR-28")
        sheet = {"format": "okrtui/1", "cycles": [{
            "id": "2026-Q4", "start": doc["cycles"][2]["start"], "end": doc["cycles"][2]["end"],
            "objectives": [{"title": "From a fast clock", "key_results": [{
                "title": "Skewed", "start": 0, "target": 10,
                "checkins": [{"at": ahead.isoformat(), "author": "fast", "value": 4,
                              "confidence": "on-track", "note": ""}]}]}]}]}
        path = tmp_path / "fast.json"
        path.write_text(json.dumps(sheet), encoding="utf-8")
        assert run("import", path).code == 0, kr
        new_ref = max((k for c in export_doc()["cycles"] for o in c["objectives"] for k in o["key_results"]),
                      key=lambda k: int(k["ref"].split("-")[1]))["ref"]
        # ...and a check-in made now, on this machine, still becomes current.
        code, out, err = run("checkin", new_ref, "6")
        assert code == 0 and "back-dated" not in err
        skewed = find_kr(export_doc(), new_ref)
        assert skewed["current"] == 6
        assert utc(skewed["checkins"][-1]["at"]) == ahead  # recorded at the latest time: ties go to the last

    def test_an_explicit_past_time_is_still_back_dated(self, run, sample_store):
        code, out, err = run("checkin", "KR-28", "1", "--at", "2026-10-02T00:00:00Z")
        assert code == 0 and "back-dated" in err

    def test_a_checkin_before_its_cycle_starts_is_refused(self, run, sample_store):
        code, out, err = run("checkin", "KR-28", "1", "--at", "2026-09-30T23:00:00Z")
        assert code == 2 and "before cycle 2026-Q4 starts" in err


# ---------------------------------------------------------------- one huge cycle


class TestCycleSize:
    def test_a_sheet_over_the_cycle_limit_is_refused_before_it_is_validated(self, run, sample_store, tmp_path):
        from okrtui.domain.integrity import MAX_KEY_RESULTS_PER_CYCLE

        sheet = tmp_path / "huge.csv"
        rows = "".join(f"2031-Q1,Objective {n // 4},team,,KR {n},,0,10,,,,\n"
                       for n in range(MAX_KEY_RESULTS_PER_CYCLE + 1))
        sheet.write_text(OKR_HEADER + rows, encoding="utf-8")
        before = snapshot_bytes(sample_store)
        code, out, err = run("import", sheet)
        assert code == 2, err
        assert "cycle 2031-Q1 would hold 20,001 key results; a cycle holds at most 20,000" in err
        assert snapshot_bytes(sample_store) == before

    def test_an_import_that_would_grow_a_cycle_past_the_limit_is_refused(self, run, sample_store, tmp_path,
                                                                         monkeypatch):
        import okrtui.operations as operations

        doc = export_doc()
        q4 = doc["cycles"][2]
        held = sum(len(o["key_results"]) for o in q4["objectives"])
        monkeypatch.setattr(operations, "MAX_KEY_RESULTS_PER_CYCLE", held + 3)
        sheet = tmp_path / "more.json"
        sheet.write_text(json.dumps({"format": "okrtui/1", "cycles": [{
            "id": "2026-Q4", "start": q4["start"], "end": q4["end"],
            "objectives": [{"title": "More", "key_results": [{"title": f"k{n}", "start": 0, "target": 10} for n in range(4)]}]}]}),
            encoding="utf-8")
        code, out, err = run("import", sheet)
        assert code == 2, err
        assert f"cycle 2026-Q4 would hold {held + 4} key results" in err


class TestOtherFilesystemFailures:
    def test_a_read_only_filesystem_is_a_sentence(self, store_on_small_disk, run):
        store = store_on_small_disk
        disk = store.parent.parent
        done = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot remount the tmpfs read-only: {done.stderr.strip()}")
        before = snapshot_bytes(store)
        code, out, err = run("checkin", "KR-28", "800", "--at", AT, "--store", store)
        assert code == 1, err
        assert "read-only" in err.lower() and "Traceback" not in err
        assert snapshot_bytes(store) == before
        assert run("report", "--as-of", AS_OF, "--store", store).code == 0

    def test_export_to_a_full_disk_is_exit_1_and_leaves_no_file(self, small_disk, sample_store, run):
        fill(small_disk, 0)
        target = small_disk / "export.json"
        code, out, err = run("export", "-o", target)
        assert code == 1 and "No space left on device" in err and str(target) in err
        assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]

    def test_a_part_that_vanished_is_named(self, run, sample_store):
        part = parts_dir(sample_store) / cycle_entry(sample_store, "2026-Q4")["file"]
        part.unlink()
        code, out, err = run("checkin", "KR-28", "800", "--at", AT)
        assert code == 1 and str(part) in err and "missing" in err


class TestFromTheSecondRead:
    """Holes a review of the store change found, each pinned down."""

    def test_importing_a_new_cycle_into_a_format1_store_migrates_it(self, run, tmp_path):
        folder = tmp_path / "old"
        shutil.copytree(Path(__file__).parent / "data" / "format1", folder)
        store = folder / "okrtui.json"
        sheet = tmp_path / "new-cycle.json"
        sheet.write_text(json.dumps({"format": "okrtui/1", "cycles": [{
            "id": "2031-Q1", "start": "2031-01-01", "end": "2031-03-31",
            "objectives": [{"title": "Later", "key_results": [{"title": "k", "start": 0, "target": 1}]}]}]}),
            encoding="utf-8")
        code, out, err = run("import", sheet, "--store", store)
        assert code == 0, err
        assert main_tables(store)["meta"]["1"]["version"] == STORE_VERSION
        assert run("doctor", "--store", store).code == 0

    def test_an_interrupt_after_the_commit_takes_nothing_back(self, run, sample_store, monkeypatch):
        import okrtui.store.files as files

        real = files.fsync_dir
        calls = []

        def interrupted(directory):
            real(directory)
            if directory == sample_store.parent and calls:
                raise KeyboardInterrupt
            calls.append(directory)

        monkeypatch.setattr(files, "fsync_dir", interrupted)
        code, out, err = run("checkin", "KR-28", "800", "--at", AT)
        assert (code, err) == (130, "okrtui: interrupted\n")
        monkeypatch.setattr(files, "fsync_dir", real)
        assert run("doctor").code == 0
        assert find_kr(export_doc(), "KR-28")["current"] == 800

    def test_a_leftover_log_of_a_crashed_first_write_is_reused(self, run, sample_store, tmp_path):
        slot = main_tables(sample_store)["meta"]["1"]["next_slot"]
        leftover = parts_dir(sample_store) / f"c{slot}.log"
        leftover.write_bytes(b'["KR-1", {"half a line')
        os.chown(leftover, 1234, 1234)
        os.chmod(leftover, 0o600)
        sheet = tmp_path / "new-cycle.json"
        sheet.write_text(json.dumps({"format": "okrtui/1", "cycles": [{
            "id": "2031-Q1", "start": "2031-01-01", "end": "2031-03-31",
            "objectives": [{"title": "Later", "key_results": [{"title": "k", "start": 0, "target": 1, "checkins": [
                {"at": "2026-11-20T10:00:00Z", "author": "a", "value": 1, "confidence": "on-track",
                 "note": ""}]}]}]}]}), encoding="utf-8")
        code, out, err = run("import", sheet)
        assert code == 0, err
        info = os.stat(leftover)
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (1234, 0o600)  # reused, never chmod-ed
        later = next(c for c in export_doc()["cycles"] if c["id"] == "2031-Q1")
        assert [c["value"] for c in later["objectives"][0]["key_results"][0]["checkins"]] == [1]
        assert run("doctor").code == 0

    def test_backups_taken_in_one_second_sort_by_age(self, run, sample_store, tmp_path):
        from okrtui.store import Store
        from okrtui.store.backup import backups, keep_backup

        store = Store(sample_store)
        moment = dt.datetime(2026, 11, 20, 10, 0, 0, tzinfo=dt.timezone.utc)
        made = [store.load(lambda snapshot: keep_backup(store, snapshot, moment)) for _ in range(9)]
        kept = backups(store.target)
        assert kept == made[-7:]  # the newest seven, oldest first


class TestFromTheAdversarialRun:
    """What a hostile run against the finished change still found, each pinned down."""

    @pytest.mark.parametrize("name", ["okrtui.json", "okrtui.json.lock", "okrtui.json.d/c3.log",
                                      "okrtui.json.d/c3-1.json", "okrtui.json.backup-x.json"])
    def test_export_never_writes_over_the_store(self, run, sample_store, name):
        before = snapshot_bytes(sample_store)
        code, out, err = run("export", "-o", sample_store.parent / name)
        assert code == 2 and "is part of the store" in err
        assert snapshot_bytes(sample_store) == before

    def test_export_to_a_named_pipe_or_nowhere_is_refused(self, run, sample_store, tmp_path):
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)
        code, out, err = run("export", "-o", fifo)
        assert code == 2 and "not a regular file" in err
        assert stat.S_ISFIFO(os.stat(fifo).st_mode)
        code, out, err = run("export", "-o", "")
        assert code == 2 and "a file name is required" in err

    def test_refs_never_pass_nine_digits(self, run, sample_store, tmp_path):
        q4 = export_doc()["cycles"][2]
        sheet = tmp_path / "refs.json"
        sheet.write_text(json.dumps({"format": "okrtui/1", "cycles": [{
            "id": "2026-Q4", "start": q4["start"], "end": q4["end"], "objectives": [{
                "title": "Last refs", "key_results": [
                    {"ref": "KR-999999999", "title": "the last one", "start": 0, "target": 1},
                    {"title": "one too many", "start": 0, "target": 1}]}]}]}), encoding="utf-8")
        before = snapshot_bytes(sample_store)
        code, out, err = run("import", sheet)
        assert code == 2 and "no refs are left" in err
        assert snapshot_bytes(sample_store) == before
        assert run("doctor").code == 0

    @pytest.mark.parametrize("ref", ["KR-\u00b2", "KR-\u2460", "KR-\u0661\u0662"])
    def test_refs_with_digits_that_are_not_ascii_are_unknown(self, run, sample_store, ref):
        code, out, err = run("checkin", ref, "5", "--at", AT)
        assert code == 2 and "unknown key result" in err

    def test_a_value_in_other_digits_is_not_a_number(self, run, sample_store):
        code, out, err = run("checkin", "KR-28", "\u0661\u0662", "--at", AT)
        assert code == 2 and "is not a number" in err

    def test_a_missing_main_file_beside_its_cycles_is_refused_not_rebuilt(self, run, sample_store, tmp_path):
        sample_store.unlink()
        before = snapshot_bytes(sample_store)
        sheet = tmp_path / "tz.csv"
        sheet.write_text(OKR_HEADER + "2026-Q4,New,ops,,k,,0,10,,,,\n", encoding="utf-8")
        for command in (["import", sheet], ["init"]):
            code, out, err = run(*command)
            assert code in (1, 2), (command, err)
            assert snapshot_bytes(sample_store) == before
        code, out, err = run("import", sheet)
        assert code == 1 and "holds a store's cycles" in err
        code, out, err = run("doctor")
        assert code == 1 and "no main file, but" in out

    def test_an_import_that_fails_after_its_backup_leaves_no_backup(self, run, sample_store, tmp_path, monkeypatch):
        import okrtui.store.tinystore as tinystore

        def disk_full(store, tx, like):
            raise OSError(errno.ENOSPC, "No space left on device", str(store.parts_dir / "c3-9.json"))

        monkeypatch.setattr(tinystore, "commit", disk_full)
        before = snapshot_bytes(sample_store)
        sheet = tmp_path / "more.csv"
        sheet.write_text(OKR_HEADER + "2026-Q4,Another,ops,F1,Ship,,0,10,,,,\n", encoding="utf-8")
        code, out, err = run("import", sheet)  # valid: it fails only at the commit
        assert code == 1 and "No space left on device" in err
        assert snapshot_bytes(sample_store) == before  # the backup it took is gone again

    def test_a_main_file_that_is_not_a_file_gets_no_lock_beside_it(self, run, tmp_path):
        fifo = tmp_path / "fz" / "s.json"
        fifo.parent.mkdir()
        os.mkfifo(fifo)
        code, out, err = run("checkin", "KR-1", "1", "--store", fifo)
        assert code == 1, err
        assert sorted(p.name for p in fifo.parent.iterdir()) == ["s.json"]

    def test_an_edited_ref_index_is_refused_at_once(self, run, sample_store):
        tables = main_tables(sample_store)
        next(iter(tables["cycles"].values()))["kr_refs"] = [[1, 10**12]]
        sample_store.write_text(json.dumps(tables), encoding="utf-8")
        for command in (["doctor"], ["import", SAMPLE], ["report", "--as-of", AS_OF]):
            code, out, err = run(*command)
            assert code == 1 and "invalid store" in out + err, command

    def test_a_ref_index_that_disagrees_with_the_part_is_refused(self, run, sample_store):
        tables = main_tables(sample_store)
        row = next(r for r in tables["cycles"].values() if r["id"] == "2026-Q4")
        row["kr_refs"] = [[28, 62]]
        sample_store.write_text(json.dumps(tables), encoding="utf-8")
        code, out, err = run("report", "--as-of", AS_OF)
        assert code == 1 and "are not the refs of" in err

    def test_thousands_of_problems_are_summed_up(self, run, sample_store, tmp_path):
        rows = "".join(f"2026-Q4,Objective {n},,,KR {n},,0,0,,,,\n" for n in range(500))  # target = start
        sheet = tmp_path / "bad.csv"
        sheet.write_text(OKR_HEADER + rows, encoding="utf-8")
        code, out, err = run("import", sheet)
        assert code == 2
        lines = err.strip().splitlines()
        assert len(lines) == 21 and lines[-1].startswith("okrtui: ... and ")

    @pytest.mark.parametrize("given, said", [("", "the path is empty"), ("/tmp/okrtui-x/", "names a directory")])
    def test_a_store_path_that_names_no_file_is_refused(self, run, given, said):
        code, out, err = run("report", "--store", given)
        assert code == 2 and said in err

    async def test_the_app_shows_a_damaged_history_in_place_of_it(self, sample_store):
        from okrtui.app.app import OkrApp
        from okrtui.store import Store

        log = parts_dir(sample_store) / f"c{cycle_entry(sample_store, '2026-Q4')['slot']}.log"
        _flip_digit(log)
        app = OkrApp(Store(sample_store), as_of=dt.date(2026, 11, 20), user="tester")
        async with app.run_test(size=(100, 34)) as pilot:
            await pilot.pause()
            await pilot.press("g", *"KR-28", "enter")
            for _ in range(200):
                await pilot.pause(0.05)
                shown = str(app.screen.query("#detail-history").first().render()) if app.screen.query(
                    "#detail-history") else ""
                if "cannot be read" in shown:
                    break
            assert "cannot be read" in shown and "checksum mismatch" in shown
            await pilot.press("t")
            await pilot.pause()
            await app.workers.wait_for_complete()
            assert app.is_running
