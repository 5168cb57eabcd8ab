"""`okrtui checkin --file FILE|-` (§6, §7 "Check-ins from a file", §9): many check-ins, all or nothing.

A good file is checked through the export (values, authors, confidences, times); a bad one
must exit 2, name the line (the header is line 1) and the column, and leave the store
byte-identical. The summary numbers are worked by hand for a small store written here.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import AT, export_doc, find_kr, snapshot_bytes

ARROW, DOT = "\u2192", "\u00b7"
HEADER = "ref,value,confidence,note,at"


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def future(minutes: float) -> str:
    return (now_utc() + dt.timedelta(minutes=minutes)).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def write_csv(path: Path, text: str, *, bom: bool = False, crlf: bool = False) -> Path:
    if crlf:
        text = text.replace("\n", "\r\n")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def last_checkin(doc: dict, ref: str) -> dict:
    return find_kr(doc, ref)["checkins"][-1]


def recent(at: str, started: dt.datetime) -> bool:
    return started - dt.timedelta(seconds=1) <= moment(at) <= now_utc() + dt.timedelta(seconds=1)


# ---------------------------------------------------------------- a good file on the sample
#
# The sample's 2026-Q4 (open): KR-28 metric 0 -> 1500, current 690, weight 2, on-track, last
# check-in 2026-11-19T09:55; KR-29 metric 18 -> 25, current 21, at-risk; KR-31 metric 0 -> 3,
# current 1, at-risk; KR-35 milestone, not done, blocked. 2026-Q2 and 2026-Q3 are closed.


def test_a_good_file_records_every_row(run, sample_store, tmp_path):
    path = write_csv(tmp_path / "values.csv",
                     f"{HEADER}\n"
                     "KR-28,750,,first batch,2026-11-20T10:00:00Z\n"
                     "KR-29,22,off-track,,\n"
                     "KR-31,,blocked,waiting on legal,\n")
    started = now_utc()
    code, out, err = run("checkin", "--file", path, "--as", "alice")
    assert code == 0, err
    # Overall before = mean(Financial 0.5789, Customer 0.2708, Internal 0.7753) = 0.5417.
    # After: F1 = O-9 = (2 * 750/1500 + (22-18)/7 + 0.4/0.8 + 1/3) / 5 = (1 + 0.5714 + 0.5 + 0.3333) / 5
    # = 0.4810; F3 stays 0.7214, so Financial = 0.6012 and Overall = (0.6012 + 0.2708 + 0.7753) / 3 = 0.5491.
    assert out == f"2026-Q4: 3 check-ins {DOT} Overall 0.54 {ARROW} 0.55\n"
    doc = export_doc()
    kr28, kr29, kr31 = (find_kr(doc, r) for r in ("KR-28", "KR-29", "KR-31"))
    assert (kr28["current"], kr28["confidence"]) == (750, "on-track")  # empty confidence: KR-28's kept
    assert kr28["checkins"][-1] == {"at": AT, "author": "alice", "value": 750, "confidence": "on-track",
                                    "note": "first batch"}
    assert (kr29["current"], kr29["confidence"]) == (22, "off-track")
    assert kr29["checkins"][-1]["author"] == "alice" and kr29["checkins"][-1]["value"] == 22
    assert recent(kr29["checkins"][-1]["at"], started)  # empty at: now
    # An empty value with a confidence keeps the current value.
    assert (kr31["current"], kr31["confidence"]) == (1, "blocked")
    assert kr31["checkins"][-1]["value"] == 1 and kr31["checkins"][-1]["note"] == "waiting on legal"
    # Nothing else moved: one check-in more on each of the three, none elsewhere.
    assert len(kr28["checkins"]) == 7 and len(kr29["checkins"]) == 5 and len(kr31["checkins"]) == 4


def test_the_author_defaults_to_okrtui_user(run, sample_store, tmp_path):
    path = write_csv(tmp_path / "values.csv", "ref,value\nKR-28,700\n")
    assert run("checkin", "--file", path).code == 0
    assert last_checkin(export_doc(), "KR-28")["author"] == "tester"


def test_missing_optional_columns(run, sample_store, tmp_path):
    path = write_csv(tmp_path / "values.csv", "ref,value\nKR-28,700\nKR-29,23\n")
    started = now_utc()
    code, out, err = run("checkin", "--file", path)
    assert code == 0, err
    assert out.startswith("2026-Q4: 2 check-ins ")
    doc = export_doc()
    for ref, value, confidence in (("KR-28", 700, "on-track"), ("KR-29", 23, "at-risk")):
        kr = find_kr(doc, ref)
        assert (kr["current"], kr["confidence"]) == (value, confidence)
        assert kr["checkins"][-1]["note"] == "" and recent(kr["checkins"][-1]["at"], started)


def test_columns_in_another_order(run, sample_store, tmp_path):
    path = write_csv(tmp_path / "values.csv",
                     "at,note,confidence,value,ref\n"
                     "2026-11-20T10:00:00Z,from the warehouse,at-risk,720,KR-28\n")
    code, out, err = run("checkin", "--file", path, "--as", "etl")
    assert code == 0, err
    assert last_checkin(export_doc(), "KR-28") == {"at": AT, "author": "etl", "value": 720,
                                                   "confidence": "at-risk", "note": "from the warehouse"}


def test_a_utf8_bom_is_allowed(run, sample_store, tmp_path):
    path = write_csv(tmp_path / "values.csv", f"{HEADER}\nKR-28,710,,caf\u00e9 notes,{AT}\n", bom=True)
    code, out, err = run("checkin", "--file", path)
    assert code == 0, err
    checkin = last_checkin(export_doc(), "KR-28")
    assert (checkin["value"], checkin["note"], checkin["at"]) == (710, "caf\u00e9 notes", AT)


def test_crlf_line_ends_and_a_quoted_note_over_two_lines(run, sample_store, tmp_path):
    path = write_csv(tmp_path / "values.csv",
                     f"{HEADER}\nKR-28,710,,\"two\nlines\",{AT}\nKR-29,22,,,\n", crlf=True)
    code, out, err = run("checkin", "--file", path)
    assert code == 0, err
    doc = export_doc()
    assert last_checkin(doc, "KR-28")["value"] == 710
    assert last_checkin(doc, "KR-28")["note"] == "two\nlines"  # a note's line break is stored as \n
    assert find_kr(doc, "KR-29")["current"] == 22


def test_bom_and_crlf_together(run, sample_store, tmp_path):
    path = write_csv(tmp_path / "values.csv", "ref,value\nKR-28,705\n", bom=True, crlf=True)
    assert run("checkin", "--file", path).code == 0
    assert find_kr(export_doc(), "KR-28")["current"] == 705


@pytest.mark.parametrize(("text", "current"), [("done", 1), ("DONE", 1), ("1", 1), ("not-done", 0), ("0", 0)])
def test_a_milestones_done(run, sample_store, tmp_path, text, current):
    path = write_csv(tmp_path / "values.csv", f"ref,value\nKR-35,{text}\n")
    code, out, err = run("checkin", "--file", path)
    assert code == 0, err
    kr = find_kr(export_doc(), "KR-35")
    assert kr["current"] == current
    assert kr["confidence"] == "blocked"  # no confidence column: KR-35's kept
    assert last_checkin(export_doc(), "KR-35")["value"] == current


def test_confidence_words_and_numbers(run, sample_store, tmp_path):
    path = write_csv(tmp_path / "values.csv",
                     "ref,value,confidence\nKR-28,700,Off Track\nKR-29,22,4\nKR-31,2,AT-RISK\n")
    assert run("checkin", "--file", path).code == 0
    doc = export_doc()
    assert [find_kr(doc, r)["confidence"] for r in ("KR-28", "KR-29", "KR-31")] == [
        "off-track", "blocked", "at-risk"]


def test_a_ref_in_lower_case_and_cells_with_spaces(run, sample_store, tmp_path):
    path = write_csv(tmp_path / "values.csv", "ref,value\n kr-28 , 700 \n")
    assert run("checkin", "--file", path).code == 0
    assert find_kr(export_doc(), "KR-28")["current"] == 700


def test_the_same_key_result_twice_the_later_row_wins(run, sample_store, tmp_path):
    # Both rows are made now (empty at): a tie, so the one added last (file order) sets the value.
    path = write_csv(tmp_path / "values.csv", "ref,value,note\nKR-28,700,first\nKR-28,710,second\n")
    code, out, err = run("checkin", "--file", path)
    assert code == 0, err
    assert out.startswith("2026-Q4: 2 check-ins ")
    kr = find_kr(export_doc(), "KR-28")
    assert kr["current"] == 710
    assert [c["note"] for c in kr["checkins"][-2:]] == ["first", "second"]


def test_the_same_time_twice_in_the_file_is_a_tie(run, sample_store, tmp_path):
    path = write_csv(tmp_path / "values.csv",
                     f"ref,value,at\nKR-28,700,{AT}\nKR-28,720,2026-11-20T11:00:00+01:00\n")
    assert run("checkin", "--file", path).code == 0
    kr = find_kr(export_doc(), "KR-28")
    assert kr["current"] == 720
    assert [c["at"] for c in kr["checkins"][-2:]] == [AT, AT]


def test_a_back_dated_row_only_joins_the_history(run, sample_store, tmp_path):
    # KR-28's latest check-in is 2026-11-19T09:55; a row dated the 12th is back-dated.
    path = write_csv(tmp_path / "values.csv", "ref,value,at\nKR-28,999,2026-11-12T08:00:00Z\n")
    code, out, err = run("checkin", "--file", path)
    assert code == 0, err
    assert out == f"2026-Q4: 1 check-in {DOT} Overall 0.54 {ARROW} 0.54\n"
    kr = find_kr(export_doc(), "KR-28")
    assert kr["current"] == 690 and kr["confidence"] == "on-track"
    assert kr["checkins"][-1]["value"] == 999 and kr["checkins"][-1]["at"] == "2026-11-12T08:00:00Z"


def test_a_time_without_zone_is_utc(run, sample_store, tmp_path):
    path = write_csv(tmp_path / "values.csv", "ref,value,at\nKR-28,700,2026-11-20T10:00\n")
    assert run("checkin", "--file", path).code == 0
    assert last_checkin(export_doc(), "KR-28")["at"] == AT


def test_a_note_escaped_against_spreadsheets_loses_its_quote(run, sample_store, tmp_path):
    path = write_csv(tmp_path / "values.csv", "ref,value,note\nKR-28,700,'=two deals slipped\n")
    assert run("checkin", "--file", path).code == 0
    assert last_checkin(export_doc(), "KR-28")["note"] == "=two deals slipped"


def test_a_row_four_minutes_ahead_then_one_made_now_the_later_row_wins(run, sample_store, tmp_path):
    path = write_csv(tmp_path / "values.csv", f"ref,value,at\nKR-28,700,{future(4)}\nKR-28,710,\n")
    code, out, err = run("checkin", "--file", path)
    assert code == 0, err
    assert find_kr(export_doc(), "KR-28")["current"] == 710


def test_blank_lines_are_skipped(run, sample_store, tmp_path):
    path = write_csv(tmp_path / "values.csv", "ref,value\n\nKR-28,700\n,\n\nKR-29,22\n\n")
    code, out, err = run("checkin", "--file", path)
    assert code == 0, err
    assert out.startswith("2026-Q4: 2 check-ins ")


def test_standard_input(run_process, sample_store):
    done = run_process("checkin", "--file", "-", "--as", "cron",
                       stdin=f"\ufeff{HEADER}\r\nKR-28,750,,nightly,{AT}\r\n")
    assert done.code == 0, done
    # F1 = (2 * 750/1500 + 3/7 + 0.5 + 1/3) / 5 = 0.4524, Financial = (0.4524 + 0.7214) / 2 = 0.5869,
    # Overall = (0.5869 + 0.2708 + 0.7753) / 3 = 0.5443: 0.54 both sides (0.5417 before).
    assert done.out == f"2026-Q4: 1 check-in {DOT} Overall 0.54 {ARROW} 0.54\n"
    assert last_checkin(export_doc(), "KR-28") == {"at": AT, "author": "cron", "value": 750,
                                                   "confidence": "on-track", "note": "nightly"}


def test_standard_input_with_a_bad_line_names_it_and_writes_nothing(run_process, sample_store):
    before = snapshot_bytes(sample_store)
    done = run_process("checkin", "--file", "-", stdin="ref,value\nKR-28,750\nKR-29,lots\n")
    assert done.code == 2, done
    assert "line 3, column value" in done.err
    assert done.out == ""
    assert snapshot_bytes(sample_store) == before


# ---------------------------------------------------------------- bad files: exit 2, nothing written


def refused(run, store: Path, path: Path, *extra: Any) -> str:
    before = snapshot_bytes(store)
    code, out, err = run("checkin", "--file", path, *extra)
    assert code == 2, (out, err)
    assert out == ""
    assert snapshot_bytes(store) == before
    return err


BAD_ROWS = [
    # (id, the middle row, its column, a word of the message)
    ("not a number", "KR-29,12abc,,,", "value", "12abc"),
    ("NaN", "KR-29,NaN,,,", "value", "NaN"),
    ("1e999", "KR-29,1e999,,,", "value", "1e999"),
    ("beyond 10^15", "KR-29,2e15,,,", "value", ""),
    ("empty everything", "KR-29,,,,", "value", "empty"),
    ("milestone word", "KR-35,maybe,,,", "value", "maybe"),
    ("unknown ref", "KR-999,1,,,", "ref", "KR-999"),
    ("objective ref", "O-9,1,,,", "ref", "O-9"),
    ("empty ref", ",1,,,", "ref", "empty"),
    ("closed cycle", "KR-14,1,,,", "ref", "closed"),
    ("bad confidence", "KR-29,22,purple,,", "confidence", "purple"),
    ("bad time", "KR-29,22,,,yesterday", "at", "yesterday"),
    ("future time", f"KR-29,22,,,{future(60)}", "at", "future"),
    ("before the cycle starts", "KR-29,22,,,2026-09-30T23:00:00Z", "at", "2026-10-01"),
    ("control character in the note", "KR-29,22,,bell\x07,", "note", "control"),
    ("bidi in the note", "KR-29,22,,a\u202eb,", "note", ""),
    ("note too long", "KR-29,22,,{},".format("n" * 2001), "note", ""),
    ("a cell short", "KR-29,22,,", "at", "missing"),
    ("a quote never closed", 'KR-29,"22,,,', "value", "malformed"),
]


@pytest.mark.parametrize(("row", "column", "said"), [c[1:] for c in BAD_ROWS], ids=[c[0] for c in BAD_ROWS])
def test_a_bad_line_in_the_middle_refuses_the_whole_file(run, sample_store, tmp_path, row, column, said):
    path = write_csv(tmp_path / "values.csv", f"{HEADER}\nKR-28,750,,,{AT}\n{row}\nKR-31,2,,,\n")
    err = refused(run, sample_store, path)
    assert f"values.csv: line 3, column {column}: " in err, err
    assert said in err
    assert "line 2" not in err and "line 4" not in err  # the good lines are not blamed


def test_the_line_number_counts_physical_lines(run, sample_store, tmp_path):
    # Line 2-3: a note over two lines; line 4 blank; line 5 is the bad one.
    path = write_csv(tmp_path / "values.csv", f'{HEADER}\nKR-28,750,,"one\ntwo",\n\nKR-29,lots,,,\n')
    err = refused(run, sample_store, path)
    assert "values.csv: line 5, column value: " in err, err


def test_every_line_in_a_closed_cycle_is_refused(run, sample_store, tmp_path):
    # KR-14, KR-20 and KR-27 are 2026-Q3's, which is closed; KR-1 is 2026-Q2's, closed too.
    path = write_csv(tmp_path / "values.csv", "ref,value\nKR-14,1\nKR-20,1\nKR-27,1\nKR-1,1\n")
    err = refused(run, sample_store, path)
    for line, (ref, cycle) in enumerate([("KR-14", "2026-Q3"), ("KR-20", "2026-Q3"), ("KR-27", "2026-Q3"),
                                         ("KR-1", "2026-Q2")], 2):
        message = next(m for m in err.splitlines() if f"line {line}," in m)
        assert "column ref" in message and ref in message and cycle in message and "closed" in message


def test_a_closed_cycle_among_good_lines_refuses_them_all(run, sample_store, tmp_path):
    path = write_csv(tmp_path / "values.csv", "ref,value\nKR-28,700\nKR-29,22\nKR-14,1\n")
    err = refused(run, sample_store, path)
    assert "line 4, column ref" in err


@pytest.mark.parametrize(("text", "said"), [
    ("", "empty"),
    ("\ufeff", "empty"),
    (f"{HEADER}\n", "only the header"),
    ("ref,value\n\n\n", "only the header"),
], ids=["empty", "bom-only", "header-only", "header-and-blank-lines"])
def test_an_empty_file_or_a_header_alone_is_refused(run, sample_store, tmp_path, text, said):
    err = refused(run, sample_store, write_csv(tmp_path / "values.csv", text))
    assert said in err


@pytest.mark.parametrize(("header", "said"), [
    ("ref,value,owner", "owner"),
    ("ref,value,confidence,notes", "notes"),
    ("ref,value,ref", "twice"),
    ("ref,value,Value", "twice"),
    ("ref,note", "value"),
    ("value,confidence", "ref"),
    ("kr,value", "kr"),
], ids=["unknown-owner", "unknown-notes", "duplicate-ref", "duplicate-value-any-case", "no-value", "no-ref",
        "kr-for-ref"])
def test_a_bad_header_is_refused_at_line_1(run, sample_store, tmp_path, header, said):
    err = refused(run, sample_store, write_csv(tmp_path / "values.csv", f"{header}\nKR-28,700,x\n"))
    assert "values.csv: line 1" in err, err
    assert said in err


def test_an_extra_cell_names_its_column_number(run, sample_store, tmp_path):
    err = refused(run, sample_store, write_csv(tmp_path / "values.csv", "ref,value\nKR-28,700\nKR-29,22,x\n"))
    assert "line 3, column 3" in err


def test_a_file_that_is_not_utf8_is_refused(run, sample_store, tmp_path):
    path = tmp_path / "values.csv"
    path.write_bytes("ref,value,note\nKR-28,700,caf\u00e9\n".encode("latin-1"))
    err = refused(run, sample_store, path)
    assert "UTF-8" in err


def test_a_missing_file_is_refused(run, sample_store, tmp_path):
    err = refused(run, sample_store, tmp_path / "nowhere.csv")
    assert "nowhere.csv" in err


def test_a_bad_author_is_refused(run, sample_store, tmp_path):
    path = write_csv(tmp_path / "values.csv", "ref,value\nKR-28,700\n")
    refused(run, sample_store, path, "--as", "a" * 65)


@pytest.mark.parametrize("extra", [
    ["KR-28"], ["KR-28", "700"], ["--confidence", "at-risk"], ["--note", "x"], ["--at", AT],
], ids=["ref", "ref-and-value", "confidence", "note", "at"])
def test_command_line_check_in_options_with_file_are_a_usage_error(run, sample_store, tmp_path, extra):
    path = write_csv(tmp_path / "values.csv", "ref,value\nKR-28,700\n")
    before = snapshot_bytes(sample_store)
    code, out, err = run("checkin", *extra, "--file", path)
    assert code == 2, (out, err)
    assert snapshot_bytes(sample_store) == before


def test_checkin_with_neither_ref_nor_file_is_a_usage_error(run, sample_store):
    before = snapshot_bytes(sample_store)
    code, out, err = run("checkin")
    assert code == 2
    assert snapshot_bytes(sample_store) == before


def test_read_only_is_refused(run, sample_store, tmp_path):
    path = write_csv(tmp_path / "values.csv", "ref,value\nKR-28,700\n")
    err = refused(run, sample_store, path, "--read-only")
    assert "read-only" in err


def test_a_missing_store_is_exit_1(run, tmp_path):
    path = write_csv(tmp_path / "values.csv", "ref,value\nKR-28,700\n")
    missing = tmp_path / "nowhere" / "okrtui.json"
    code, out, err = run("checkin", "--file", path, "--store", missing)
    assert code == 1
    assert not missing.exists()


# ---------------------------------------------------------------- the summary, worked by hand

# Three cycles: 2026-Q3 closed; 2026-Q4 with O-2 (F1: KR-2 metric 0 -> 100 at 40, weight 3; KR-3
# milestone not done) and O-3 (C1: KR-4 metric 10 -> 0 at 5); Y-2026 beside it with O-4 (P1: KR-5
# metric 0 -> 10 at 2); Z-2026 beside them with only O-5, aligned to nothing. L1 has no OKR.
MINI = {
    "format": "okrtui/1", "organization": "Mini",
    "strategy": [
        {"code": "F1", "title": "Grow revenue", "perspective": "financial"},
        {"code": "C1", "title": "Keep customers", "perspective": "customer"},
        {"code": "P1", "title": "Run a sound platform", "perspective": "internal_process"},
        {"code": "L1", "title": "Learn", "perspective": "learning_growth"},
    ],
    "cycles": [
        {"id": "2026-Q3", "start": "2026-07-01", "end": "2026-09-30", "closed": True, "objectives": [
            {"ref": "O-1", "title": "Old", "aligned_to": "F1", "key_results": [
                {"ref": "KR-1", "title": "Old KR", "kind": "metric", "start": 0, "target": 10, "current": 5}]}]},
        {"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31", "objectives": [
            {"ref": "O-2", "title": "Sell more", "owner": "sales", "aligned_to": "F1", "key_results": [
                {"ref": "KR-2", "title": "Bookings", "kind": "metric", "start": 0, "target": 100, "weight": 3,
                 "checkins": [{"at": "2026-10-15T09:00:00Z", "author": "ana", "value": 40,
                               "confidence": "at-risk", "note": ""}]},
                {"ref": "KR-3", "title": "Launch pricing", "kind": "milestone"}]},
            {"ref": "O-3", "title": "Churn less", "aligned_to": "C1", "key_results": [
                {"ref": "KR-4", "title": "Churn", "kind": "metric", "start": 10, "target": 0, "current": 5}]}]},
        {"id": "Y-2026", "start": "2026-01-01", "end": "2026-12-31", "objectives": [
            {"ref": "O-4", "title": "Uptime", "aligned_to": "P1", "key_results": [
                {"ref": "KR-5", "title": "Uptime work", "kind": "metric", "start": 0, "target": 10,
                 "current": 2}]}]},
        {"id": "Z-2026", "start": "2026-10-01", "end": "2026-12-31", "objectives": [
            {"ref": "O-5", "title": "Unaligned work", "key_results": [
                {"ref": "KR-6", "title": "Tidy up", "kind": "metric", "start": 0, "target": 4, "current": 1}]}]},
    ],
}


@pytest.fixture
def mini_store(run, store_path, tmp_path) -> Path:
    source = tmp_path / "mini.json"
    source.write_text(json.dumps(MINI), encoding="utf-8")
    result = run("import", source)
    assert result.code == 0, result
    return store_path


def test_a_file_touching_two_cycles_prints_a_line_for_each(run, mini_store, tmp_path):
    path = write_csv(tmp_path / "values.csv",
                     f"{HEADER}\n"
                     f"KR-2,60,,,{AT}\n"
                     "KR-5,6,on-track,,\n"
                     "KR-3,done,,shipped,\n")
    code, out, err = run("checkin", "--file", path, "--as", "ops")
    assert code == 0, err
    # 2026-Q4 before: O-2 = (3 * 40/100 + 0) / 4 = 0.3 (F1, Financial); O-3 = (5 - 10) / (0 - 10) = 0.5
    # (C1, Customer); no Q4 OKR serves P1 or L1: Overall = (0.3 + 0.5) / 2 = 0.40.
    # After: O-2 = (3 * 0.6 + 1) / 4 = 0.7, Overall = (0.7 + 0.5) / 2 = 0.60.
    # Y-2026: only O-4 (P1, Internal Process): 2/10 = 0.20 -> 6/10 = 0.60.
    assert out == (f"2026-Q4: 2 check-ins {DOT} Overall 0.40 {ARROW} 0.60\n"
                   f"Y-2026: 1 check-in {DOT} Overall 0.20 {ARROW} 0.60\n")
    doc = export_doc()
    assert (find_kr(doc, "KR-2")["current"], find_kr(doc, "KR-2")["confidence"]) == (60, "at-risk")
    assert (find_kr(doc, "KR-3")["current"], find_kr(doc, "KR-3")["confidence"]) == (1, "on-track")
    assert (find_kr(doc, "KR-5")["current"], find_kr(doc, "KR-5")["confidence"]) == (6, "on-track")
    assert {last_checkin(doc, r)["author"] for r in ("KR-2", "KR-3", "KR-5")} == {"ops"}


def test_the_summary_of_a_back_dated_row_does_not_move(run, mini_store, tmp_path):
    # KR-2's latest check-in is 2026-10-15; a row of 2026-10-10 only joins its history: 0.40 stays.
    path = write_csv(tmp_path / "values.csv", "ref,value,at\nKR-2,90,2026-10-10T12:00:00Z\n")
    code, out, err = run("checkin", "--file", path)
    assert code == 0, err
    assert out == f"2026-Q4: 1 check-in {DOT} Overall 0.40 {ARROW} 0.40\n"
    assert find_kr(export_doc(), "KR-2")["current"] == 40


def test_the_summary_when_a_key_result_goes_down(run, mini_store, tmp_path):
    # KR-4 lower is better 10 -> 0: 8 scores (8 - 10) / (0 - 10) = 0.2, so C1 = 0.2 and
    # Overall = (0.3 + 0.2) / 2 = 0.25.
    path = write_csv(tmp_path / "values.csv", "ref,value\nKR-4,8\n")
    code, out, err = run("checkin", "--file", path)
    assert code == 0, err
    assert out == f"2026-Q4: 1 check-in {DOT} Overall 0.40 {ARROW} 0.25\n"


def test_a_closed_cycle_in_the_small_store(run, mini_store, tmp_path):
    path = write_csv(tmp_path / "values.csv", "ref,value\nKR-2,50\nKR-1,6\n")
    err = refused(run, mini_store, path)
    assert "line 3, column ref" in err and "2026-Q3" in err


def test_a_check_in_dated_before_the_cycle_but_after_the_other_cycles_start(run, mini_store, tmp_path):
    # 2026-09-15 is inside Y-2026 but before 2026-Q4 starts: KR-5 takes it, KR-2 does not.
    path = write_csv(tmp_path / "values.csv", "ref,value,at\nKR-5,3,2026-09-15T12:00:00Z\n")
    assert run("checkin", "--file", path).code == 0
    path = write_csv(tmp_path / "values2.csv", "ref,value,at\nKR-2,50,2026-09-15T12:00:00Z\n")
    err = refused(run, mini_store, path)
    assert "line 2, column at" in err


def test_concurrent_files_lose_nothing(sample_store, tmp_path):
    import os
    import subprocess
    import sys

    paths = [write_csv(tmp_path / f"values{n}.csv", f"ref,value,note\nKR-28,{700 + n},file {n}\nKR-29,22,file {n}\n")
             for n in range(5)]
    processes = [subprocess.Popen([sys.executable, "-m", "okrtui", "checkin", "--file", str(path)],
                                  env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for path in paths]
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert out.startswith("2026-Q4: 2 check-ins ")
    doc = export_doc()
    for ref in ("KR-28", "KR-29"):
        notes = [c["note"] for c in find_kr(doc, ref)["checkins"] if c["note"].startswith("file ")]
        assert sorted(notes) == [f"file {n}" for n in range(5)]


def test_a_cycle_without_aligned_okrs_prints_dashes(run, mini_store, tmp_path):
    # Z-2026's only objective serves no strategic objective: no perspective score, Overall none.
    path = write_csv(tmp_path / "values.csv", "ref,value\nKR-6,3\n")
    code, out, err = run("checkin", "--file", path)
    assert code == 0, err
    assert out == f"Z-2026: 1 check-in {DOT} Overall \u2014 {ARROW} \u2014\n"
    assert find_kr(export_doc(), "KR-6")["current"] == 3


def test_a_note_alone_keeps_the_value(run, mini_store, tmp_path):
    path = write_csv(tmp_path / "values.csv", "ref,value,note\nKR-2,,waiting for the quarter's deals\n")
    code, out, err = run("checkin", "--file", path)
    assert code == 0, err
    assert out == f"2026-Q4: 1 check-in {DOT} Overall 0.40 {ARROW} 0.40\n"  # KR-2 stays 40
    kr = find_kr(export_doc(), "KR-2")
    assert (kr["current"], kr["confidence"]) == (40, "at-risk")
    assert kr["checkins"][-1]["value"] == 40 and kr["checkins"][-1]["note"] == "waiting for the quarter's deals"


def test_a_note_of_spaces_alone_is_not_enough(run, mini_store, tmp_path):
    err = refused(run, mini_store, write_csv(tmp_path / "values.csv", "ref,value,note\nKR-2,,   \n"))
    assert "line 2, column value" in err
