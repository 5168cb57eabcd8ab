"""A damaged or hostile store is refused with a message and never made worse;
a crash at the worst moment never blocks the next write."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import AS_OF, AT, cycle_entry, export_doc, main_tables, parts_dir, snapshot_bytes
import okrtui.store.files as files


def _main_edit(store: Path, edit) -> None:
    tables = main_tables(store)
    edit(tables)
    store.write_text(json.dumps(tables), encoding="utf-8")


def _q4_row(tables: dict) -> dict:
    return next(row for row in tables["cycles"].values() if row["id"] == "2026-Q4")


def test_a_crash_before_the_commit_does_not_block_the_next_write(run, sample_store):
    # Die exactly between writing the new cycle part and renaming the main file.
    def crash(temp, path):
        raise SystemExit(9)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(files, "rename_into_place", crash)
        # A killed process cleans nothing up: what it wrote stays for the next writer.
        patch.setattr(files, "take_back", lambda written, appended: None)
        assert run("checkin", "KR-28", "800", "--at", AT).code != 0
    entry = cycle_entry(sample_store, "2026-Q4")
    leftover = parts_dir(sample_store) / f"c{entry['slot']}-{main_tables(sample_store)['meta']['1']['generation'] + 1}.json"
    assert leftover.exists(), "the crash left the next generation's part behind"
    assert run("report", "--as-of", AS_OF).code == 0
    code, out, err = run("checkin", "KR-28", "810", "--at", AT)
    assert code == 0, err
    assert "KR-28" in out
    kr28 = next(k for c in export_doc()["cycles"] for o in c["objectives"] for k in o["key_results"]
                if k["ref"] == "KR-28")
    assert kr28["current"] == 810
    assert [c["value"] for c in kr28["checkins"]].count(800) == 0  # the crashed write left no trace


@pytest.mark.parametrize("damage", ["shorter", "missing"])
def test_a_damaged_log_is_refused_not_padded(run, sample_store, damage):
    log = parts_dir(sample_store) / f"c{cycle_entry(sample_store, '2026-Q4')['slot']}.log"
    if damage == "shorter":
        log.write_bytes(log.read_bytes()[:100])
    else:
        log.unlink()
    before = snapshot_bytes(sample_store)
    code, _, err = run("checkin", "KR-28", "800", "--at", AT)
    assert code == 1
    assert str(log) in err and "damaged" in err
    assert snapshot_bytes(sample_store) == before


def test_a_missing_part_is_a_message_not_a_traceback(run, sample_store):
    part = parts_dir(sample_store) / cycle_entry(sample_store, "2026-Q4")["file"]
    part.unlink()
    before = snapshot_bytes(sample_store)
    for args in (["checkin", "KR-28", "800", "--at", AT], ["report", "--as-of", AS_OF], ["doctor"]):
        code, out, err = run(*args)
        assert code == 1, args
        assert str(part) in err + out and "missing" in err + out
        assert "Traceback" not in err
    assert snapshot_bytes(sample_store) == before


@pytest.mark.parametrize("edit, words", [
    (lambda t: _q4_row(t).update(file="../victim.json"), "not a part of cycle slot"),
    (lambda t: _q4_row(t).update(log_len=-5), "negative"),
    (lambda t: _q4_row(t).update(slot=1, file=_q4_row(t)["file"].replace(f"c{_q4_row(t)['slot']}-", "c1-")),
     "share a slot"),
    (lambda t: t["meta"]["1"].update(organization="Evil\u001b]0;x\u0007"), "control character"),
    (lambda t: t["meta"]["1"].update(organization="Evil \u202e"), "bidirectional"),
])
def test_hostile_main_file_fields_are_refused(run, sample_store, tmp_path, edit, words):
    victim = sample_store.parent / "victim.json"
    victim.write_text("{}")
    _main_edit(sample_store, edit)
    before = snapshot_bytes(sample_store)
    for args in (["report", "--as-of", AS_OF], ["checkin", "KR-28", "800", "--at", AT]):
        code, out, err = run(*args)
        assert code == 1, (args, err)
        assert words in err
        assert "\u001b" not in out + err and "\u202e" not in out + err
    assert victim.exists()
    assert snapshot_bytes(sample_store) == before


def test_another_stores_temp_file_is_left_alone(run, sample_store):
    other = sample_store.parent / ".other.json.deadbeef.okrtui-tmp"
    other.write_text("{}")
    assert run("checkin", "KR-28", "800", "--at", AT).code == 0
    assert other.exists()


@pytest.mark.parametrize("args, words", [
    (["checkin", "KR-28", "800", "--note", "bad \udcff byte", "--at", AT], "not valid UTF-8"),
    (["checkin", "KR-28", "800", "--as", "\udcffx", "--at", AT], "not valid UTF-8"),
])
def test_bytes_that_were_not_utf8_are_refused(run, sample_store, args, words):
    before = snapshot_bytes(sample_store)
    code, _, err = run(*args)
    assert code == 2 and words in err
    assert snapshot_bytes(sample_store) == before


def test_a_ref_too_large_for_json_tools_is_refused(run, store_path, tmp_path):
    doc = {"format": "okrtui/1", "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31",
           "objectives": [{"ref": "O-99999999999999999999", "title": "Big"}]}]}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc))
    code, _, err = run("import", str(path))
    assert code == 2 and "cycles[0].objectives[0].ref" in err
    assert not store_path.exists()


def test_an_import_keeps_a_restorable_backup_and_doctor_names_it(run, sample_store, tmp_path):
    before = export_doc()
    doc = {"format": "okrtui/1", "organization": "Renamed Inc"}
    path = tmp_path / "rename.json"
    path.write_text(json.dumps(doc))
    assert run("import", str(path)).code == 0
    backups = sorted((sample_store.parent / (sample_store.name + ".backups")).glob("*-import.json"))
    assert len(backups) == 1
    assert json.loads(backups[0].read_text()) == before
    assert os.stat(backups[0]).st_mode == os.stat(sample_store).st_mode
    code, out, _ = run("doctor")
    assert code == 0 and str(backups[0]) in out
    restored = tmp_path / "restored" / "okrtui.json"
    assert run("import", str(backups[0]), "--store", str(restored)).code == 0
    assert export_doc(restored) == before


def test_arguments_are_echoed_safely_by_usage_errors(run_process, sample_store):
    code, _, err = run_process("report", "\u001b[31mX")
    assert code == 2
    assert "\u001b" not in err and "\\x1b" in err
