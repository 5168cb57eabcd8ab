"""Measure readings (§2, §6 `okrtui measure`, §7 `readings`): through the CLI, through import
(JSON and the CSV strategy sheet), duplicate measure names at every entry point, round trips.

Every number below is worked by hand from the data (sample_data/acme.json, or a small
document written here); the comment beside it says how.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Optional

import pytest

from conftest import AS_OF, AT, SAMPLE, export_doc, report_doc, snapshot_bytes

ARROW, DOT, DASH = "\u2192", "\u00b7", "\u2014"
ARR = "Annual recurring revenue"  # F1's first measure: baseline 18, target 25, actual 21.4, 12 readings
LATEST_ARR = "2026-11-16T17:00:00Z"  # the time of its latest sample reading (21.4, by cro)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def iso(moment: dt.datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def measure_of(doc: dict, code: str, name: str) -> dict:
    strategic = next(s for s in doc["strategy"] if s["code"] == code)
    return next(m for m in strategic["measures"] if m["name"] == name)


def report_attainment(report: dict, code: str, name: str) -> Optional[float]:
    for perspective in report["perspectives"]:
        for strategic in perspective["objectives"]:
            if strategic["code"] == code:
                return next(m["attainment"] for m in strategic["measures"] if m["name"] == name)
    raise KeyError(code)


def write_json(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def tiny_doc(readings: Optional[list] = None, **measure: Any) -> dict:
    """One strategic objective F1 with one measure Revenue (baseline 10, target 20)."""
    revenue: dict[str, Any] = {"name": "Revenue", "unit": "$M", "baseline": 10, "target": 20, **measure}
    if readings is not None:
        revenue["readings"] = readings
    return {"format": "okrtui/1", "organization": "Tiny",
            "strategy": [{"code": "F1", "title": "Grow revenue", "perspective": "financial",
                          "measures": [revenue]}],
            "cycles": []}


def reading(at: str, value: float, author: str = "cfo", note: str = "") -> dict:
    return {"at": at, "author": author, "value": value, "note": note}


# ---------------------------------------------------------------- okrtui measure


def test_a_latest_reading_sets_the_actual(run, sample_store):
    code, out, err = run("measure", "F1", ARR, "22.5", "--at", AT)
    assert code == 0, err
    # attainment = (actual - 18) / (25 - 18): before (21.4 - 18) / 7 = 0.486, after (22.5 - 18) / 7 = 0.643.
    assert out == f"F1 {ARR} 21.4 {ARROW} 22.5 {DOT} attainment 0.49 {ARROW} 0.64\n"
    measure = measure_of(export_doc(), "F1", ARR)
    assert measure["actual"] == 22.5
    assert len(measure["readings"]) == 13  # the sample's 12 monthly readings and this one
    assert measure["readings"][-1] == {"at": AT, "author": "tester", "value": 22.5, "note": ""}
    assert report_attainment(report_doc("--as-of", AS_OF), "F1", ARR) == 0.643


def test_a_back_dated_reading_only_joins_the_history(run, sample_store):
    before = measure_of(export_doc(), "F1", ARR)
    code, out, err = run("measure", "F1", ARR, "19", "--at", "2026-11-01T00:00:00Z",
                         "--note", "late figure from finance", "--as", "bob")
    assert code == 0, err
    lines = out.splitlines()
    # The actual stays 21.4 (its reading of 2026-11-16 is later): (21.4 - 18) / 7 = 0.49 both sides.
    assert lines[0] == f"F1 {ARR} 21.4 {ARROW} 21.4 {DOT} attainment 0.49 {ARROW} 0.49"
    assert len(lines) == 2 and "back-dated" in lines[1]
    after = measure_of(export_doc(), "F1", ARR)
    assert after["actual"] == 21.4
    # Appended to the history as recorded, not sorted in by time (the history is append-only).
    assert after["readings"][:-1] == before["readings"]
    assert after["readings"][-1] == {"at": "2026-11-01T00:00:00Z", "author": "bob", "value": 19,
                                     "note": "late figure from finance"}


def test_readings_at_the_same_time_the_one_added_last_wins(run, sample_store):
    assert run("measure", "F1", ARR, "23", "--at", AT).code == 0
    # The same moment written in another zone is a tie: the later one sets the actual.
    code, out, err = run("measure", "F1", ARR, "24", "--at", "2026-11-20T11:00:00+01:00")
    assert code == 0, err
    # (23 - 18) / 7 = 0.714, (24 - 18) / 7 = 0.857.
    assert out == f"F1 {ARR} 23 {ARROW} 24 {DOT} attainment 0.71 {ARROW} 0.86\n"
    # One second earlier than the tie is back-dated.
    code, out, err = run("measure", "F1", ARR, "1", "--at", "2026-11-20T09:59:59Z")
    assert code == 0, err
    assert out.splitlines()[0] == f"F1 {ARR} 24 {ARROW} 24 {DOT} attainment 0.86 {ARROW} 0.86"
    measure = measure_of(export_doc(), "F1", ARR)
    assert measure["actual"] == 24
    assert [(r["at"], r["value"]) for r in measure["readings"][-3:]] == [
        (AT, 23), (AT, 24), ("2026-11-20T09:59:59Z", 1)]


def test_the_export_shows_every_reading_in_the_order_recorded(run, sample_store):
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    original = measure_of(sample, "F1", ARR)["readings"]
    steps = [("22", "2026-11-18T09:00:00Z", "ana", "first"),
             ("20", "2026-10-05T09:00:00Z", "bo", "back-dated"),
             ("22.8", "2026-11-19T09:00:00Z", "ana", "")]
    for value, at, author, note in steps:
        assert run("measure", "F1", ARR, value, "--at", at, "--as", author, "--note", note).code == 0
    measure = measure_of(export_doc(), "F1", ARR)
    assert measure["readings"] == original + [
        {"at": "2026-11-18T09:00:00Z", "author": "ana", "value": 22, "note": "first"},
        {"at": "2026-10-05T09:00:00Z", "author": "bo", "value": 20, "note": "back-dated"},
        {"at": "2026-11-19T09:00:00Z", "author": "ana", "value": 22.8, "note": ""},
    ]
    assert measure["actual"] == 22.8  # 2026-11-19 is the latest time of them all


def test_the_author_defaults_to_okrtui_user_and_the_time_to_now(run, sample_store):
    started = now_utc()
    code, out, err = run("measure", "F1", ARR, "22")
    assert code == 0, err
    last = measure_of(export_doc(), "F1", ARR)["readings"][-1]
    assert last["author"] == "tester"  # $OKRTUI_USER, set by conftest
    at = dt.datetime.fromisoformat(last["at"].replace("Z", "+00:00"))
    assert started - dt.timedelta(seconds=1) <= at <= now_utc() + dt.timedelta(seconds=1)


def test_the_note_keeps_tabs_and_new_lines(run, sample_store):
    assert run("measure", "F1", ARR, "22", "--at", AT, "--note", "line one\n\tline two").code == 0
    assert measure_of(export_doc(), "F1", ARR)["readings"][-1]["note"] == "line one\n\tline two"


def test_code_in_any_case_and_name_trimmed_in_any_case(run, sample_store):
    code, out, err = run("measure", "f1", "  annual RECURRING revenue ", " 22.5 ", "--at", AT)
    assert code == 0, err
    # The line names the measure as stored.
    assert out.startswith(f"F1 {ARR} 21.4 {ARROW} 22.5 ")
    assert measure_of(export_doc(), "F1", ARR)["actual"] == 22.5


def test_an_exact_code_is_preferred_to_one_in_another_case(run, store_path, tmp_path):
    doc = {"format": "okrtui/1", "strategy": [
        {"code": "ab", "title": "Lower", "perspective": "financial",
         "measures": [{"name": "Cash", "baseline": 10, "target": 20, "actual": 11}]},
        {"code": "AB", "title": "Upper", "perspective": "financial",
         "measures": [{"name": "Cash", "baseline": 10, "target": 20, "actual": 12}]}], "cycles": []}
    assert run("import", write_json(tmp_path / "codes.json", doc)).code == 0
    code, out, err = run("measure", "ab", "cash", "13", "--at", AT)
    assert code == 0, err
    assert out.startswith(f"ab Cash 11 {ARROW} 13 ")  # (11-10)/10 = 0.10 -> (13-10)/10 = 0.30
    assert "attainment 0.10 \u2192 0.30" in out
    after = export_doc()
    assert measure_of(after, "ab", "Cash")["actual"] == 13
    assert measure_of(after, "AB", "Cash")["actual"] == 12
    # Neither exact nor unique in any case: refused.
    before = snapshot_bytes(store_path)
    code, out, err = run("measure", "aB", "Cash", "14")
    assert code == 2 and "aB matches ab, AB in another case" in err
    assert snapshot_bytes(store_path) == before


@pytest.mark.parametrize(("code_", "name", "value", "line"), [
    # No baseline: 1 when the actual reaches the target (31 >= 30), else 0 (29 < 30).
    ("F3", "Months of runway", "29", f"F3 Months of runway 31 {ARROW} 29 {DOT} attainment 1.00 {ARROW} 0.00"),
    # No reading and no actual before: a dash; no baseline and 85 < 90: 0.
    ("C2", "Security reviews passed first time", "85",
     f"C2 Security reviews passed first time {DASH} {ARROW} 85 {DOT} attainment {DASH} {ARROW} 0.00"),
    # No actual before; (10 - 12) / (8 - 12) = 0.5.
    ("L1", "Regretted attrition (annualised)", "10",
     f"L1 Regretted attrition (annualised) {DASH} {ARROW} 10 {DOT} attainment {DASH} {ARROW} 0.50"),
    # Lower is better, 9 -> 0: (3 - 9) / (0 - 9) = 0.667, (1 - 9) / (0 - 9) = 0.889.
    ("P7", "Critical vulnerabilities open over 30 days", "1",
     f"P7 Critical vulnerabilities open over 30 days 3 {ARROW} 1 {DOT} attainment 0.67 {ARROW} 0.89"),
    # Beyond the target clamps to 1: (30 - 18) / 7 > 1.
    ("F1", ARR, "30", f"F1 {ARR} 21.4 {ARROW} 30 {DOT} attainment 0.49 {ARROW} 1.00"),
    # Below the baseline clamps to 0; a negative number is a value, not an option.
    ("F1", ARR, "-3.5", f"F1 {ARR} 21.4 {ARROW} -3.5 {DOT} attainment 0.49 {ARROW} 0.00"),
])
def test_the_line_for_each_kind_of_measure(run, sample_store, code_, name, value, line):
    code, out, err = run("measure", code_, name, value, "--at", AT)
    assert code == 0, err
    assert out == line + "\n"


def test_a_measure_without_readings_gets_its_first(run, sample_store):
    assert run("measure", "C2", "Security reviews passed first time", "85", "--at", AT, "--as", "coo").code == 0
    measure = measure_of(export_doc(), "C2", "Security reviews passed first time")
    assert measure["actual"] == 85
    assert measure["readings"] == [{"at": AT, "author": "coo", "value": 85, "note": ""}]


def test_an_integer_stays_an_integer_and_a_time_without_zone_is_utc(run, sample_store):
    assert run("measure", "F1", ARR, "22", "--at", "2026-11-20T10:00").code == 0
    last = measure_of(export_doc(), "F1", ARR)["readings"][-1]
    assert last["at"] == AT
    assert last["value"] == 22 and isinstance(last["value"], int)


def test_the_line_shows_a_large_value_as_given(run, sample_store):
    code, out, err = run("measure", "F1", "Net revenue retention", "1234567.5", "--at", AT)
    assert code == 0, err
    assert f"106 {ARROW} 1234567.5 " in out


def test_a_reading_four_minutes_ahead_is_kept_and_the_next_one_made_now_still_wins(run, sample_store):
    ahead = iso(now_utc() + dt.timedelta(minutes=4))
    assert run("measure", "F1", ARR, "23", "--at", ahead).code == 0
    # Made now, but another clock put the latest 4 minutes ahead: it must still become the actual.
    code, out, err = run("measure", "F1", ARR, "24")
    assert code == 0, err
    assert "back-dated" not in out
    assert measure_of(export_doc(), "F1", ARR)["actual"] == 24


def test_a_reading_at_the_time_of_the_latest_imported_one_is_a_tie_and_wins(run, sample_store):
    code, out, err = run("measure", "F1", ARR, "21.9", "--at", LATEST_ARR)
    assert code == 0, err
    assert "back-dated" not in out
    assert measure_of(export_doc(), "F1", ARR)["actual"] == 21.9


def test_a_reading_made_now_wins_over_an_imported_one_a_few_minutes_ahead(run, store_path, tmp_path):
    assert run("import", write_json(tmp_path / "r.json", tiny_doc([reading(future(4), 12)]))).code == 0
    code, out, err = run("measure", "F1", "Revenue", "13")
    assert code == 0, err
    # (12 - 10) / 10 = 0.20 -> (13 - 10) / 10 = 0.30; not taken for a back-dated reading.
    assert out == f"F1 Revenue 12 {ARROW} 13 {DOT} attainment 0.20 {ARROW} 0.30\n"
    assert export_doc()["strategy"][0]["measures"][0]["actual"] == 13


def future(minutes: float) -> str:
    return iso(now_utc() + dt.timedelta(minutes=minutes))


BAD_MEASURE = [
    ("unknown code", ["F9", ARR, "1"], "F9"),
    ("unknown name", ["F1", "ARR", "1"], "ARR"),
    ("name of another objective's measure", ["F1", "Gross margin", "1"], "Gross margin"),
    ("not a number", ["F1", ARR, "12abc"], "12abc"),
    ("empty value", ["F1", ARR, ""], "value"),
    ("NaN", ["F1", ARR, "NaN"], "NaN"),
    ("inf", ["F1", ARR, "inf"], "inf"),
    ("-inf", ["F1", ARR, "-inf"], "inf"),
    ("1e999", ["F1", ARR, "1e999"], "1e999"),
    ("underscore", ["F1", ARR, "1_000"], "1_000"),
    ("beyond 10^15", ["F1", ARR, "2e15"], "value"),
    ("control character in the note", ["F1", ARR, "1", "--note", "bell\x07"], "note"),
    ("bidi in the note", ["F1", ARR, "1", "--note", "a\u202eb"], "note"),
    ("note too long", ["F1", ARR, "1", "--note", "n" * 2001], "note"),
    ("author too long", ["F1", ARR, "1", "--as", "a" * 65], "author"),
    ("control character in the author", ["F1", ARR, "1", "--as", "a\x01b"], "author"),
    ("bad time", ["F1", ARR, "1", "--at", "yesterday"], "yesterday"),
    ("read-only", ["F1", ARR, "1", "--read-only"], "read-only"),
]


@pytest.mark.parametrize(("argv", "said"), [c[1:] for c in BAD_MEASURE], ids=[c[0] for c in BAD_MEASURE])
def test_bad_measure_input_is_exit_2_and_writes_nothing(run, sample_store, argv, said):
    before = snapshot_bytes(sample_store)
    code, out, err = run("measure", *argv)
    assert code == 2, (out, err)
    assert said in err
    assert snapshot_bytes(sample_store) == before


def test_a_reading_ten_minutes_ahead_is_refused(run, sample_store):
    before = snapshot_bytes(sample_store)
    code, out, err = run("measure", "F1", ARR, "1", "--at", future(10))
    assert code == 2, err
    assert "future" in err
    assert snapshot_bytes(sample_store) == before


def test_measure_on_a_missing_store_is_exit_1(run, tmp_path):
    missing = tmp_path / "nowhere" / "okrtui.json"
    code, out, err = run("measure", "F1", ARR, "1", "--store", missing)
    assert code == 1
    assert str(missing) in err
    assert not missing.exists()


def test_measure_on_a_corrupt_store_is_exit_1(run, sample_store):
    sample_store.write_text("{ not json", encoding="utf-8")
    before = snapshot_bytes(sample_store)
    code, out, err = run("measure", "F1", ARR, "1")
    assert code == 1, err
    assert snapshot_bytes(sample_store) == before


def test_measure_via_the_real_entry_point(run_process, sample_store):
    done = run_process("measure", "F1", ARR, "22.5", "--at", AT)
    assert done.code == 0, done
    assert done.out == f"F1 {ARR} 21.4 {ARROW} 22.5 {DOT} attainment 0.49 {ARROW} 0.64\n"


# ---------------------------------------------------------------- readings through import


def test_import_back_dated_readings_the_latest_time_sets_the_actual(run, store_path, tmp_path):
    readings = [reading("2026-11-10T09:00:00Z", 15, note="November"),
                reading("2026-10-01T09:00:00Z", 12, note="October, sent late"),
                reading("2026-09-01T09:00:00Z", 11)]
    code, out, err = run("import", write_json(tmp_path / "r.json", tiny_doc(readings)))
    assert code == 0, err
    assert "3 readings" in out
    measure = export_doc()["strategy"][0]["measures"][0]
    assert measure["actual"] == 15  # November is the latest time, though listed first
    assert measure["readings"] == readings  # in the file's order
    # (15 - 10) / (20 - 10) = 0.5; no cycle, but measures are still shown.
    report = report_doc()
    assert report["cycle"] is None
    assert report_attainment(report, "F1", "Revenue") == 0.5


@pytest.mark.parametrize(("readings", "actual"), [
    ([reading("2026-10-01T09:00:00Z", 12), reading("2026-10-01T09:00:00Z", 13)], 13),
    ([reading("2026-10-01T09:00:00Z", 13), reading("2026-10-01T09:00:00Z", 12)], 12),
    # The same moment in another zone is a tie too.
    ([reading("2026-10-01T09:00:00Z", 12), reading("2026-10-01T11:00:00+02:00", 14),
      reading("2026-09-01T00:00:00Z", 99)], 14),
], ids=["later-wins", "later-wins-reversed", "zone"])
def test_import_ties_go_to_the_reading_later_in_the_list(run, store_path, tmp_path, readings, actual):
    assert run("import", write_json(tmp_path / "r.json", tiny_doc(readings))).code == 0
    assert export_doc()["strategy"][0]["measures"][0]["actual"] == actual


def test_import_keeps_a_given_actual_that_differs_from_the_latest_reading(run, store_path, tmp_path):
    readings = [reading("2026-10-01T09:00:00Z", 12), reading("2026-11-01T09:00:00Z", 13)]
    assert run("import", write_json(tmp_path / "r.json", tiny_doc(readings, actual=17))).code == 0
    measure = export_doc()["strategy"][0]["measures"][0]
    assert measure["actual"] == 17
    assert measure["readings"] == readings
    assert report_attainment(report_doc(), "F1", "Revenue") == 0.7  # (17 - 10) / 10
    # A reading recorded later than all of them then sets the actual as usual.
    code, out, err = run("measure", "F1", "Revenue", "14", "--at", "2026-11-02T09:00:00Z")
    assert code == 0, err
    assert out == f"F1 Revenue 17 {ARROW} 14 {DOT} attainment 0.70 {ARROW} 0.40\n"  # (14 - 10) / 10


def test_import_an_actual_given_as_null_takes_the_latest_reading(run, store_path, tmp_path):
    readings = [reading("2026-11-01T09:00:00Z", 13), reading("2026-10-01T09:00:00Z", 12)]
    assert run("import", write_json(tmp_path / "r.json", tiny_doc(readings, actual=None))).code == 0
    assert export_doc()["strategy"][0]["measures"][0]["actual"] == 13


def test_import_a_measure_with_neither_readings_nor_actual(run, store_path, tmp_path):
    assert run("import", write_json(tmp_path / "r.json", tiny_doc())).code == 0
    measure = export_doc()["strategy"][0]["measures"][0]
    assert measure["actual"] is None and measure["readings"] == []
    assert report_attainment(report_doc(), "F1", "Revenue") is None


def test_import_a_reading_four_minutes_ahead_is_accepted(run, store_path, tmp_path):
    doc = tiny_doc([reading(future(4), 12)])
    assert run("import", write_json(tmp_path / "r.json", doc)).code == 0


def test_import_a_reading_in_the_future_is_refused_with_its_path(run, sample_store, tmp_path):
    doc = tiny_doc([reading("2026-10-01T09:00:00Z", 12), reading(future(60), 13)])
    before = snapshot_bytes(sample_store)
    code, out, err = run("import", write_json(tmp_path / "r.json", doc))
    assert code == 2, (out, err)
    assert "strategy[0].measures[0].readings[1].at" in err
    assert "future" in err
    assert snapshot_bytes(sample_store) == before


def test_import_a_reading_in_the_future_into_a_new_store_creates_nothing(run, store_path, tmp_path):
    doc = tiny_doc([reading(future(60), 13)])
    code, out, err = run("import", write_json(tmp_path / "r.json", doc))
    assert code == 2, (out, err)
    assert "strategy[0].measures[0].readings[0].at" in err
    assert not store_path.exists()


@pytest.mark.parametrize(("bad", "path", "said"), [
    ({"at": "2026-10-01T09:00:00Z", "value": 12}, "readings[0].author", "required"),
    ({"at": "2026-10-01T09:00:00Z", "author": "cfo", "value": "12"}, "readings[0].value", "12"),
    ({"at": "2026-10-01T09:00:00Z", "author": "cfo", "value": 12, "confidence": "on-track"},
     "readings[0].confidence", "unknown field"),
    ({"at": "the first of October", "author": "cfo", "value": 12}, "readings[0].at", "the first of October"),
    ({"at": "2026-10-01T09:00:00Z", "author": "cfo", "value": 12, "note": "bell\u0007"},
     "readings[0].note", "control"),
])
def test_import_a_bad_reading_is_refused_with_its_path(run, sample_store, tmp_path, bad, path, said):
    doc = tiny_doc([bad])
    before = snapshot_bytes(sample_store)
    code, out, err = run("import", write_json(tmp_path / "r.json", doc))
    assert code == 2, (out, err)
    assert f"strategy[0].measures[0].{path}" in err
    assert said in err
    assert snapshot_bytes(sample_store) == before


def test_import_over_a_held_objective_gives_a_measure_exactly_the_files_readings(run, sample_store, tmp_path):
    # F1 again, ARR with two readings of its own; Net revenue retention with none: it keeps its 12.
    held = measure_of(export_doc(), "F1", "Net revenue retention")
    assert len(held["readings"]) == 12
    arr = [reading("2026-11-01T09:00:00Z", 22, "cro"), reading("2026-10-01T09:00:00Z", 21, "cro")]
    doc = {"format": "okrtui/1", "strategy": [
        {"code": "F1", "title": "Grow annual recurring revenue", "perspective": "financial", "measures": [
            {"name": ARR, "unit": "$M", "baseline": 18, "target": 25, "readings": arr},
            {"name": "Net revenue retention", "unit": "%", "baseline": 104, "target": 112}]}],
        "cycles": []}
    code, out, err = run("import", write_json(tmp_path / "f1.json", doc))
    assert code == 0, err
    after = export_doc()
    assert measure_of(after, "F1", ARR)["readings"] == arr
    assert measure_of(after, "F1", ARR)["actual"] == 22
    kept = measure_of(after, "F1", "Net revenue retention")
    assert kept["readings"] == held["readings"]
    assert kept["actual"] == 106  # the value of its latest kept reading (2026-11-16: 106)
    # The next reading joins the kept history.
    assert run("measure", "F1", "Net revenue retention", "107", "--at", AT).code == 0
    assert len(measure_of(export_doc(), "F1", "Net revenue retention")["readings"]) == 13


# ---------------------------------------------------------------- the CSV strategy sheet keeps history

STRATEGY_HEADER = "code,title,perspective,drives,measure,unit,baseline,target,actual"


def test_a_strategy_sheet_keeps_the_history_of_the_measure_it_replaces(run, sample_store, tmp_path):
    held = export_doc()
    arr_history = measure_of(held, "F1", ARR)["readings"]
    nrr_history = measure_of(held, "F1", "Net revenue retention")["readings"]
    sheet = tmp_path / "strategy.csv"
    sheet.write_text(
        f"{STRATEGY_HEADER}\n"
        # Same name in another case and with spaces: the same measure; actual empty.
        "F1,Grow annual recurring revenue,financial,, annual RECURRING revenue ,$M,18,28,\n"
        # Actual given: kept, history kept too.
        "F1,Grow annual recurring revenue,financial,,Net revenue retention,%,104,112,107\n"
        # A new name: no history.
        "F1,Grow annual recurring revenue,financial,,Expansion revenue,$M,1,5,2\n",
        encoding="utf-8")
    code, out, err = run("import", sheet)
    assert code == 0, err
    after = export_doc()
    f1 = next(s for s in after["strategy"] if s["code"] == "F1")
    assert [m["name"] for m in f1["measures"]] == ["annual RECURRING revenue", "Net revenue retention",
                                                   "Expansion revenue"]
    arr, nrr, expansion = f1["measures"]
    assert arr["readings"] == arr_history
    assert arr["actual"] == 21.4  # the empty cell: the latest kept reading's value
    assert arr["target"] == 28
    assert nrr["readings"] == nrr_history and nrr["actual"] == 107
    assert expansion["readings"] == [] and expansion["actual"] == 2
    # A reading goes on top of the kept history; (21.4 - 18) / 10 = 0.34 -> (22 - 18) / 10 = 0.40.
    code, out, err = run("measure", "F1", ARR, "22", "--at", AT)
    assert code == 0, err
    assert out == f"F1 annual RECURRING revenue 21.4 {ARROW} 22 {DOT} attainment 0.34 {ARROW} 0.40\n"
    assert len(measure_of(export_doc(), "F1", "annual RECURRING revenue")["readings"]) == 13


def test_a_strategy_sheet_for_a_new_code_has_no_readings(run, sample_store, tmp_path):
    sheet = tmp_path / "strategy.csv"
    sheet.write_text(f"{STRATEGY_HEADER}\nF9,Brand new,financial,,{ARR},$M,1,2,\n", encoding="utf-8")
    assert run("import", sheet).code == 0
    measure = measure_of(export_doc(), "F9", ARR)
    assert measure["readings"] == [] and measure["actual"] is None
    # F1's own ARR is untouched.
    assert len(measure_of(export_doc(), "F1", ARR)["readings"]) == 12


# ---------------------------------------------------------------- duplicate measure names


@pytest.mark.parametrize("second", ["Revenue", "revenue", "  REVENUE  "])
def test_json_import_refuses_a_measure_name_used_twice(run, sample_store, tmp_path, second):
    doc = tiny_doc()
    doc["strategy"][0]["measures"].append({"name": second, "target": 30})
    before = snapshot_bytes(sample_store)
    code, out, err = run("import", write_json(tmp_path / "dup.json", doc))
    assert code == 2, (out, err)
    assert "strategy[0].measures[1].name" in err
    assert "twice" in err
    assert snapshot_bytes(sample_store) == before


def test_json_import_of_a_duplicate_into_a_new_store_creates_nothing(run, store_path, tmp_path):
    doc = tiny_doc()
    doc["strategy"][0]["measures"].append({"name": "revenue", "target": 30})
    assert run("import", write_json(tmp_path / "dup.json", doc)).code == 2
    assert not store_path.exists()


def test_the_same_measure_name_in_two_objectives_is_fine(run, store_path, tmp_path):
    doc = tiny_doc()
    doc["strategy"].append({"code": "C1", "title": "Customers", "perspective": "customer",
                            "measures": [{"name": "Revenue", "target": 5}]})
    assert run("import", write_json(tmp_path / "two.json", doc)).code == 0
    assert [s["measures"][0]["name"] for s in export_doc()["strategy"]] == ["Revenue", "Revenue"]


def test_the_strategy_sheet_refuses_a_measure_name_used_twice(run, sample_store, tmp_path):
    sheet = tmp_path / "dup.csv"
    sheet.write_text(f"{STRATEGY_HEADER}\n"
                     "T1,Test,financial,,Revenue,$M,10,20,12\n"
                     "T1,Test,financial,,Cost,$M,10,5,8\n"
                     "T1,Test,financial,, revenue ,$M,10,20,13\n", encoding="utf-8")
    before = snapshot_bytes(sample_store)
    code, out, err = run("import", sheet)
    assert code == 2, (out, err)
    assert re.search(r"dup\.csv: line 4, column measure: .*twice", err), err
    assert snapshot_bytes(sample_store) == before


def test_the_strategy_sheet_allows_one_name_in_two_codes(run, sample_store, tmp_path):
    sheet = tmp_path / "two.csv"
    sheet.write_text(f"{STRATEGY_HEADER}\n"
                     "T1,Test,financial,,Revenue,$M,10,20,12\n"
                     "T2,Other,customer,,Revenue,$M,10,20,13\n", encoding="utf-8")
    code, out, err = run("import", sheet)
    assert code == 0, err


@pytest.fixture
def board(sample_store):
    from okrtui.app.board import build_board
    from okrtui.store import Store

    return build_board(Store(sample_store), dt.date.fromisoformat(AS_OF))


def strategic_values(**given: str) -> dict[str, str]:
    return {"code": "F4", "title": "Grow margin", "owner": "", "description": "", "drives": "",
            "measures": "", "initiatives": "", **given}


@pytest.mark.parametrize("second", ["Margin", "margin", "  MARGIN  "])
def test_the_form_refuses_a_measure_name_used_twice(board, second):
    from okrtui.app.forms import strategic_form

    form = strategic_form(board, "financial")
    problems = form.problems(strategic_values(measures=f"Margin | % | 30 | 40 | 33\nCash | $M | | 5 |\n"
                                                       f"{second} | % | 1 | 2 |"))
    assert "line 3" in problems.get("measures", ""), problems
    assert "twice" in problems["measures"]


def test_the_form_editing_an_objective_refuses_a_second_measure_of_a_held_name(board):
    from okrtui.app.forms import strategic_form

    f1 = board.strategic("F1")
    form = strategic_form(board, "financial", f1)
    values = {field.name: field.value for field in form.fields}
    assert form.problems(values) == {}  # as it stands it is fine
    values["measures"] += "\nannual recurring REVENUE | $M | 1 | 2 | 1"
    problems = form.problems(values)
    assert "twice" in problems.get("measures", ""), problems


# ---------------------------------------------------------------- round trips


def add_some_readings(run) -> None:
    for argv in (["F1", ARR, "22", "--at", AT, "--as", "ana", "--note", "tie one"],
                 ["F1", ARR, "22.5", "--at", AT, "--as", "bo", "--note", "tie two"],
                 ["F1", ARR, "19.5", "--at", "2026-10-02T08:00:00Z", "--note", "back-dated\nwith a second line"],
                 ["C2", "Security reviews passed first time", "80", "--at", AT]):
        assert run("measure", *argv).code == 0


def export_text(run, store: Optional[Path] = None) -> str:
    code, out, err = run("export", "--format", "json", *(["--store", store] if store else []))
    assert code == 0, err
    return out


def test_export_import_into_a_fresh_store_export_is_identical(run, sample_store, tmp_path):
    add_some_readings(run)
    first = export_text(run)
    exported = tmp_path / "export.json"
    exported.write_text(first, encoding="utf-8")
    fresh = tmp_path / "fresh" / "okrtui.json"
    code, out, err = run("import", exported, "--store", fresh)
    assert code == 0, err
    assert export_text(run, fresh) == first
    # The readings really are there (not an empty store exporting alike by accident).
    doc = json.loads(first)
    assert measure_of(doc, "F1", ARR)["actual"] == 22.5
    assert len(measure_of(doc, "F1", ARR)["readings"]) == 15


def test_reimporting_the_exported_strategy_into_its_own_store_does_not_double_the_readings(
        run, sample_store, tmp_path):
    add_some_readings(run)
    first = export_text(run)
    # The strategy alone (its cycles' refs are the store's own, so they would be refused as duplicates).
    strategy_only = dict(json.loads(first), cycles=[])
    code, out, err = run("import", write_json(tmp_path / "strategy.json", strategy_only))
    assert code == 0, err
    assert export_text(run) == first


def test_a_given_actual_survives_the_round_trip(run, store_path, tmp_path):
    readings = [reading("2026-10-01T09:00:00Z", 12), reading("2026-10-01T09:00:00Z", 13),
                reading("2026-09-01T09:00:00Z", 11)]
    assert run("import", write_json(tmp_path / "r.json", tiny_doc(readings, actual=17))).code == 0
    first = export_text(run)
    exported = tmp_path / "export.json"
    exported.write_text(first, encoding="utf-8")
    fresh = tmp_path / "fresh" / "okrtui.json"
    assert run("import", exported, "--store", fresh).code == 0
    assert export_text(run, fresh) == first
    assert json.loads(first)["strategy"][0]["measures"][0]["actual"] == 17


def test_the_sample_round_trips_with_its_readings(run, sample_store, tmp_path, sample_doc):
    first = export_text(run)
    doc = json.loads(first)
    # Every measure of the sample carries its readings into the store and out again.
    for strategic, given in zip(doc["strategy"], sample_doc["strategy"]):
        for measure, source in zip(strategic["measures"], given["measures"]):
            assert measure["readings"] == source.get("readings", [])
    exported = tmp_path / "export.json"
    exported.write_text(first, encoding="utf-8")
    fresh = tmp_path / "fresh" / "okrtui.json"
    assert run("import", exported, "--store", fresh).code == 0
    assert export_text(run, fresh) == first


def test_a_back_dated_reading_keeps_an_imported_actual(run, store_path, tmp_path):
    readings = [reading("2026-10-01T09:00:00Z", 12), reading("2026-11-01T09:00:00Z", 13)]
    assert run("import", write_json(tmp_path / "r.json", tiny_doc(readings, actual=17))).code == 0
    code, out, err = run("measure", "F1", "Revenue", "11", "--at", "2026-10-15T09:00:00Z")
    assert code == 0, err
    # Earlier than the reading of 2026-11-01: the given actual 17 stays, (17 - 10) / 10 = 0.70.
    assert out.splitlines()[0] == f"F1 Revenue 17 {ARROW} 17 {DOT} attainment 0.70 {ARROW} 0.70"
    assert export_doc()["strategy"][0]["measures"][0]["actual"] == 17


def test_concurrent_readings_lose_nothing(sample_store):
    import os
    import subprocess
    import sys

    processes = [subprocess.Popen([sys.executable, "-m", "okrtui", "measure", "F1", ARR, str(30 + n),
                                   "--at", f"2026-11-20T10:00:0{n}Z", "--as", f"user{n}"],
                                  env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for n in range(6)]
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    measure = measure_of(export_doc(), "F1", ARR)
    added = measure["readings"][12:]
    assert sorted(r["author"] for r in added) == [f"user{n}" for n in range(6)]
    assert measure["actual"] == 35  # the latest time, 10:00:05, whatever order they landed in


# ---------------------------------------------------------------- the strategic objective's form keeps histories


def _edit_measures(store_path: Path, code: str, lines: list[str]) -> None:
    """Save the strategic objective's form with these measure lines (as the app's `e` does)."""
    from okrtui import operations
    from okrtui.app.forms import strategic_form
    from okrtui.app.board import build_board
    from okrtui.domain import planning
    from okrtui.store import Store

    store = Store(store_path)
    board = build_board(store, dt.date.fromisoformat(AS_OF))
    strategic = board.strategic(code)
    form = strategic_form(board, strategic.perspective, strategic)
    values = {field.name: field.value for field in form.fields}
    values["measures"] = "\n".join(lines)
    assert form.problems(values) == {}
    operations.perform(store, lambda tx: planning.edit_strategic(tx, code, form.doc(values)), author="ana")


def test_a_measure_renamed_and_moved_to_another_line_keeps_its_readings(sample_store):
    before = export_doc()
    kept = measure_of(before, "F1", ARR)["readings"]
    # F1's lines: ARR, then Net revenue retention. ARR renamed and put last: one name went, one came.
    _edit_measures(sample_store, "F1", ["Net revenue retention | % | 104 | 112 | 106",
                                        "ARR | $M | 18 | 25 | 21.4"])
    after = export_doc()
    assert [m["name"] for m in after["strategy"][0]["measures"]] == ["Net revenue retention", "ARR"]
    assert measure_of(after, "F1", "ARR")["readings"] == kept and len(kept) == 12
    assert measure_of(after, "F1", "Net revenue retention")["readings"] == \
        measure_of(before, "F1", "Net revenue retention")["readings"]


def test_two_names_changed_at_once_keep_their_lines_histories(sample_store):
    before = export_doc()
    _edit_measures(sample_store, "F1", ["ARR | $M | 18 | 25 | 21.4", "NRR | % | 104 | 112 | 106"])
    after = export_doc()
    assert measure_of(after, "F1", "ARR")["readings"] == measure_of(before, "F1", ARR)["readings"]
    assert measure_of(after, "F1", "NRR")["readings"] == measure_of(before, "F1", "Net revenue retention")["readings"]


def test_when_two_names_go_each_line_keeps_its_old_measures_history(sample_store):
    # Both old names gone, the lines swapped: which new name is which old one cannot be told;
    # the line's own old measure is taken, as for a rename in place.
    before = export_doc()
    _edit_measures(sample_store, "F1", ["NRR | % | 104 | 112 | 106", "ARR | $M | 18 | 25 | 21.4"])
    after = export_doc()
    assert measure_of(after, "F1", "NRR")["readings"] == measure_of(before, "F1", ARR)["readings"]
