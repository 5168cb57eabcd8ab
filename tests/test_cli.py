"""The command line against the contract's §6 (commands, exit codes, report shape) and §7 (round trip)."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys

import pytest

import okrtui
import okrtui.cli
from conftest import (
    AS_OF,
    AT,
    SAMPLE,
    export_doc,
    find_kr,
    report_doc,
    report_kr,
    snapshot_bytes,
)

PERSPECTIVE_KEYS = ["financial", "customer", "internal_process", "learning_growth"]
PERSPECTIVE_NAMES = ["Financial", "Customer", "Internal Process", "Learning & Growth"]
BANDS = {None, "red", "yellow", "green"}
CONFIDENCES = {"on-track", "at-risk", "off-track", "blocked"}
HINT_KINDS = {"orphan", "unaligned", "kr-count", "objective-count", "stale", "sandbagging", "crowded"}
ARROW, DOT = "\u2192", "\u00b7"


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def three_places(value) -> bool:
    return value is None or (isinstance(value, (int, float)) and round(value, 3) == value)


# ---------------------------------------------------------------- --version


def test_version_in_process(run):
    code, out, err = run("--version")
    assert code == 0
    assert out.strip() == f"okrtui {okrtui.__version__}"


def test_version_of_the_module_entry_point(run_process):
    result = run_process("--version")
    assert result.code == 0, result
    assert result.out.strip() == f"okrtui {okrtui.__version__}"
    assert re.fullmatch(r"okrtui \d+\.\d+\.\d+\S*", result.out.strip())


def test_exit_codes_of_the_real_entry_point(run_process, sample_store, tmp_path):
    assert run_process("report", "--format", "json", "--as-of", AS_OF).code == 0
    missing = run_process("report", "--store", tmp_path / "nowhere" / "okrtui.json")
    assert missing.code == 1, missing
    unknown = run_process("checkin", "KR-999", "1", "--at", AT)
    assert unknown.code == 2, unknown
    assert "KR-999" in unknown.err


# ---------------------------------------------------------------- report --format json


def test_report_json_has_the_normative_shape(run, sample_store):
    code, out, err = run("report", "--format", "json", "--as-of", AS_OF)
    assert code == 0, err
    report = json.loads(out)

    for key in ("format", "organization", "as_of", "cycle", "overall", "perspectives", "unaligned", "balance", "hints"):
        assert key in report, key
    assert report["format"] == "okrtui-report/1"
    assert report["organization"] == "Northwind Analytics"
    assert report["as_of"] == AS_OF
    cycle = report["cycle"]
    for key in ("id", "start", "end", "elapsed"):
        assert key in cycle
    assert (cycle["id"], cycle["start"], cycle["end"]) == ("2026-Q4", "2026-10-01", "2026-12-31")

    assert [p["key"] for p in report["perspectives"]] == PERSPECTIVE_KEYS
    assert [p["name"] for p in report["perspectives"]] == PERSPECTIVE_NAMES
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    for perspective in report["perspectives"]:
        for key in ("key", "name", "score", "band", "objectives"):
            assert key in perspective
        assert perspective["band"] in BANDS
        assert three_places(perspective["score"])
        # Strategic objectives in store order within their perspective.
        expected_codes = [s["code"] for s in sample["strategy"] if s["perspective"] == perspective["key"]]
        assert [s["code"] for s in perspective["objectives"]] == expected_codes
        for strategic in perspective["objectives"]:
            for key in ("code", "title", "score", "band", "measures", "okrs"):
                assert key in strategic
            assert strategic["band"] in BANDS and three_places(strategic["score"])
            for measure in strategic["measures"]:
                assert "name" in measure and "attainment" in measure
                assert three_places(measure["attainment"])
            refs = [o["ref"] for o in strategic["okrs"]]
            assert refs == sorted(refs, key=lambda r: int(r.split("-")[1]))
            for okr in strategic["okrs"]:
                check_okr(okr)

    assert isinstance(report["unaligned"], list)
    assert [o["ref"] for o in report["unaligned"]] == ["O-17"]
    for okr in report["unaligned"]:
        check_okr(okr)

    balance = report["balance"]
    assert set(balance["shares"]) == set(PERSPECTIVE_KEYS)
    assert all(three_places(v) for v in balance["shares"].values())
    assert three_places(balance["index"])
    assert isinstance(balance["warnings"], list) and all(isinstance(w, str) and w for w in balance["warnings"])

    assert report["hints"], "the sample has something to hint at"
    for hint in report["hints"]:
        assert set(hint) >= {"kind", "ref", "message"}
        assert hint["kind"] in HINT_KINDS and hint["ref"] and hint["message"]
    pairs = [(h["kind"], h["ref"]) for h in report["hints"]]
    assert len(pairs) == len(set(pairs)), "no duplicate hints"


def check_okr(okr: dict) -> None:
    for key in ("ref", "title", "owner", "score", "band", "key_results"):
        assert key in okr
    assert okr["band"] in BANDS and three_places(okr["score"])
    for kr in okr["key_results"]:
        for key in ("ref", "title", "kind", "start", "target", "current", "score", "band", "confidence", "pace"):
            assert key in kr
        assert kr["kind"] in ("metric", "milestone")
        assert kr["band"] in BANDS and three_places(kr["score"])
        assert kr["confidence"] in CONFIDENCES
        assert kr["pace"] in (None, "behind", "on-pace")


def test_report_json_numbers_of_the_sample(sample_store):
    report = report_doc("--as-of", AS_OF)
    # Elapsed: 2026-10-01 .. 2026-11-20 is 50 days of a 92-day cycle: 50/92 = 0.5435.
    assert report["cycle"]["elapsed"] == 0.543
    # Overall = mean(Financial 0.5789, Customer 0.2708, Internal Process 0.7753); Learning & Growth has none.
    assert report["overall"] == 0.542
    scores = {p["key"]: p["score"] for p in report["perspectives"]}
    assert scores == {"financial": 0.579, "customer": 0.271, "internal_process": 0.775, "learning_growth": None}

    # KR-28 "New ARR booked" (Q4): start 0, target 1500, current 690 -> 690/1500 = 0.46.
    assert report_kr(report, "KR-28")["score"] == 0.46
    # KR-32 "Monthly logo churn" lower is better: 4.0 -> 2.5, current 4.3 -> (4.3-4)/(2.5-4) < 0 -> clamped 0.
    assert report_kr(report, "KR-32")["score"] == 0
    # F1 = O-9 = (2*0.46 + 3/7 + 0.4/0.8 + 1/3) / 5 = 0.4364; F3 = O-18 = (0.7 + 5/7 + 0.75) / 3 = 0.7214;
    # F2 has no OKR this cycle, so Financial = (0.4364 + 0.7214) / 2 = 0.5789.
    financial = report["perspectives"][0]
    by_code = {s["code"]: s for s in financial["objectives"]}
    assert by_code["F1"]["score"] == 0.436
    assert by_code["F2"]["score"] is None and by_code["F2"]["band"] is None
    assert by_code["F3"]["score"] == 0.721
    # A cascaded child (O-12, parent O-11 aligned to P1) is listed under P1 too.
    internal = {s["code"]: s for s in report["perspectives"][2]["objectives"]}
    assert [o["ref"] for o in internal["P1"]["okrs"]] == ["O-11", "O-12"]
    assert [o["ref"] for o in internal["P4"]["okrs"]] == ["O-14", "O-15"]
    # Shares among the 9 aligned objectives: 2 financial, 2 customer, 5 internal, 0 learning.
    assert report["balance"]["shares"] == {"financial": 0.222, "customer": 0.222,
                                           "internal_process": 0.556, "learning_growth": 0}
    assert report["balance"]["index"] == 0.718
    # A milestone scores 1 when done: KR-50 is done.
    assert report_kr(report, "KR-50")["score"] == 1
    assert report_kr(report, "KR-50")["kind"] == "milestone"
    # Start, target, current and weight are written as stored.
    kr36 = report_kr(report, "KR-36")
    assert (kr36["start"], kr36["target"], kr36["current"]) == (6.0, 2.0, 4.2)


def test_report_of_a_named_closed_cycle(sample_store):
    report = report_doc("--cycle", "2026-Q3", "--as-of", AS_OF)
    assert report["cycle"]["id"] == "2026-Q3"
    assert report["cycle"]["elapsed"] == 1
    krs = [kr for p in report["perspectives"] for s in p["objectives"] for o in s["okrs"] for kr in o["key_results"]]
    assert krs and all(kr["pace"] is None for kr in krs)
    assert {kr["ref"] for kr in krs} == {f"KR-{n}" for n in range(14, 28)}


def test_report_of_an_unknown_cycle_is_refused(run, sample_store):
    before = snapshot_bytes(sample_store)
    code, out, err = run("report", "--format", "json", "--cycle", "2031-Q9")
    assert code == 2
    assert "2031-Q9" in err
    assert snapshot_bytes(sample_store) == before


@pytest.mark.parametrize("fmt", ["text", "md", "csv"])
def test_report_other_formats_work(run, sample_store, fmt):
    code, out, err = run("report", "--format", fmt, "--as-of", AS_OF)
    assert code == 0, err
    assert out.strip()


def test_report_csv_header(run, sample_store):
    code, out, err = run("report", "--format", "csv", "--as-of", AS_OF)
    assert code == 0, err
    lines = out.lstrip("\ufeff").splitlines()
    assert lines[0] == ("perspective,code,objective_ref,objective,owner,kr_ref,key_result,"
                        "start,target,current,score,band,confidence,pace")
    assert len(lines) == 1 + 36  # one row per key result of 2026-Q4


# ---------------------------------------------------------------- checkin


def test_checkin_prints_the_ripple_and_updates_the_report(run, sample_store):
    code, out, err = run("checkin", "KR-28", "900", "--at", AT)
    assert code == 0, err
    # KR-28: 690/1500 = 0.46 -> 900/1500 = 0.60; O-9 and F1: 0.4364 -> (1.2 + 3/7 + 0.5 + 1/3)/5 = 0.4924;
    # Financial (F1 + F3)/2: 0.5789 -> 0.6069; Overall moves by 0.028/3: 0.5417 -> 0.5510.
    assert out.strip() == (
        f"KR-28 0.46 {ARROW} 0.60 {DOT} O-9 0.44 {ARROW} 0.49 {DOT} F1 0.44 {ARROW} 0.49 {DOT} "
        f"Financial 0.58 {ARROW} 0.61 {DOT} Overall 0.54 {ARROW} 0.55"
    )
    report = report_doc("--as-of", AS_OF)
    kr = report_kr(report, "KR-28")
    assert kr["current"] == 900 and kr["score"] == 0.6
    assert report["perspectives"][0]["score"] == 0.607
    assert report["overall"] == 0.551


def test_checkin_ripple_of_an_unaligned_objective_skips_strategy(run, sample_store):
    code, out, err = run("checkin", "KR-58", "16", "--at", AT)
    assert code == 0, err
    # KR-58 lower is better, 22 -> 10: current 15 scores 7/12 = 0.58, 16 scores 6/12 = 0.50.
    line = out.strip()
    assert re.fullmatch(
        rf"KR-58 0\.58 {ARROW} 0\.50 {DOT} O-17 \d\.\d\d {ARROW} \d\.\d\d {DOT} Overall (\d\.\d\d) {ARROW} (\d\.\d\d)",
        line,
    ), line
    overall = re.search(rf"Overall (\S+) {ARROW} (\S+)", line)
    assert overall.group(1) == overall.group(2)  # an unaligned objective counts in no perspective


def test_checkin_with_note_confidence_and_author(run, sample_store):
    code, out, err = run("checkin", "KR-29", "22", "--confidence", "blocked", "--note", "two deals slipped",
                         "--at", AT)
    assert code == 0, err
    kr = find_kr(export_doc(), "KR-29")
    assert kr["current"] == 22 and kr["confidence"] == "blocked"
    last = kr["checkins"][-1]
    assert last == {"at": AT, "author": "tester", "value": 22, "confidence": "blocked", "note": "two deals slipped"}


def test_checkin_keeps_the_current_confidence_when_none_given(run, sample_store):
    assert find_kr(export_doc(), "KR-29")["confidence"] == "at-risk"
    assert run("checkin", "KR-29", "23", "--at", AT).code == 0
    kr = find_kr(export_doc(), "KR-29")
    assert kr["confidence"] == "at-risk" and kr["checkins"][-1]["confidence"] == "at-risk"


def test_backdated_checkin_only_joins_the_history(run, sample_store):
    before = find_kr(export_doc(), "KR-28")
    assert before["current"] == 690
    code, out, err = run("checkin", "KR-28", "100", "--confidence", "blocked", "--at", "2026-10-05T09:00:00Z")
    assert code == 0, err
    after = find_kr(export_doc(), "KR-28")
    assert after["current"] == 690
    assert after["confidence"] == before["confidence"]
    assert len(after["checkins"]) == len(before["checkins"]) + 1
    assert {"at": "2026-10-05T09:00:00Z", "author": "tester", "value": 100, "confidence": "blocked",
            "note": ""} in after["checkins"]
    # The history is append-only: the old check-ins are untouched and in their order.
    assert after["checkins"][: len(before["checkins"])] == before["checkins"]
    kr = report_kr(report_doc("--as-of", AS_OF), "KR-28")
    assert kr["current"] == 690 and kr["score"] == 0.46


def test_checkin_at_the_same_time_as_the_latest_becomes_current(run, sample_store):
    latest = max(c["at"] for c in find_kr(export_doc(), "KR-28")["checkins"])
    assert run("checkin", "KR-28", "777", "--at", latest).code == 0
    assert find_kr(export_doc(), "KR-28")["current"] == 777  # ties: the one added last


def test_checkin_on_a_closed_cycle_is_refused(run, sample_store):
    before = snapshot_bytes(sample_store)
    code, out, err = run("checkin", "KR-1", "100", "--at", "2026-06-20T10:00:00Z")
    assert code == 2
    assert "KR-1" in err and "closed" in err
    assert snapshot_bytes(sample_store) == before


@pytest.mark.parametrize("ref", ["KR-999", "KR-0", "O-9", "F1", "kr-abc"])
def test_checkin_on_an_unknown_ref_is_refused(run, sample_store, ref):
    before = snapshot_bytes(sample_store)
    code, out, err = run("checkin", ref, "1", "--at", AT)
    assert code == 2
    assert ref.upper() in err.upper()
    assert snapshot_bytes(sample_store) == before


def test_checkin_ref_is_case_insensitive(run, sample_store):
    assert run("checkin", "kr-28", "700", "--at", AT).code == 0
    assert find_kr(export_doc(), "KR-28")["current"] == 700


# ---------------------------------------------------------------- a store that does not exist


@pytest.mark.parametrize("args", [
    ("report",),
    ("report", "--format", "json"),
    ("export",),
    ("export", "--format", "csv"),
    ("checkin", "KR-1", "5"),
    ("doctor",),
])
def test_a_missing_store_is_exit_1_and_nothing_is_created(run, store_path, args):
    assert not store_path.parent.exists()
    code, out, err = run(*args)
    assert code == 1
    assert str(store_path) in err + out
    assert not store_path.exists()
    assert not store_path.parent.exists() or not any(store_path.parent.iterdir())


def test_a_missing_store_given_by_option(run, tmp_path):
    missing = tmp_path / "elsewhere" / "team.json"
    code, out, err = run("report", "--store", missing)
    assert code == 1 and str(missing) in err
    assert not missing.parent.exists()


# ---------------------------------------------------------------- export / import


def test_export_import_export_is_byte_identical(run, sample_store, tmp_path):
    code, first, err = run("export", "--format", "json")
    assert code == 0, err
    exported = tmp_path / "exported.json"
    exported.write_text(first, encoding="utf-8")
    fresh = tmp_path / "fresh" / "okrtui.json"
    code, out, err = run("import", exported, "--store", fresh)
    assert code == 0, err
    code, second, err = run("export", "--format", "json", "--store", fresh)
    assert code == 0, err
    assert second == first
    doc = json.loads(first)
    assert doc["format"] == "okrtui/1"
    assert sum(len(k["checkins"]) for c in doc["cycles"] for o in c["objectives"] for k in o["key_results"]) == 251


def test_export_writes_every_field(sample_store):
    doc = export_doc()
    assert list(doc) == ["format", "organization", "strategy", "cycles"]
    assert list(doc["strategy"][0]) == ["code", "title", "perspective", "description", "owner", "drives",
                                        "measures", "initiatives"]
    cycle = doc["cycles"][2]
    assert list(cycle) == ["id", "start", "end", "closed", "objectives"]
    assert list(cycle["objectives"][0]) == ["ref", "title", "owner", "aligned_to", "parent", "key_results"]
    assert list(cycle["objectives"][0]["key_results"][0]) == [
        "ref", "title", "kind", "start", "target", "current", "unit", "weight", "confidence", "checkins"]
    assert list(cycle["objectives"][0]["key_results"][0]["checkins"][0]) == ["at", "author", "value", "confidence",
                                                                            "note"]


def test_export_to_a_file(run, sample_store, tmp_path):
    target = tmp_path / "out.json"
    code, out, err = run("export", "--format", "json", "-o", target)
    assert code == 0, err
    assert json.loads(target.read_text(encoding="utf-8")) == export_doc()


def test_export_csv_of_the_default_cycle(run, sample_store):
    code, out, err = run("export", "--format", "csv")
    assert code == 0, err
    lines = out.lstrip("\ufeff").splitlines()
    assert lines[0] == "cycle,objective,owner,aligned_to,key_result,kind,start,target,current,unit,weight,confidence"
    rows = lines[1:]
    assert len(rows) == 36
    assert all(row.startswith("2026-Q4,") for row in rows)


def test_export_csv_of_a_named_cycle(run, sample_store):
    code, out, err = run("export", "--format", "csv", "--cycle", "2026-Q2")
    assert code == 0, err
    rows = out.lstrip("\ufeff").splitlines()[1:]
    assert len(rows) == 13 and all(row.startswith("2026-Q2,") for row in rows)


def test_export_csv_of_an_unknown_cycle(run, sample_store):
    code, out, err = run("export", "--format", "csv", "--cycle", "nope")
    assert code == 2 and "nope" in err


# ---------------------------------------------------------------- init / demo


def test_init_creates_an_empty_store(run, store_path):
    code, out, err = run("init", "--org", "Tiny Co")
    assert code == 0, err
    assert store_path.exists()
    report = report_doc()
    assert report["cycle"] is None
    assert report["organization"] == "Tiny Co"
    assert report["overall"] is None
    assert [p["key"] for p in report["perspectives"]] == PERSPECTIVE_KEYS
    assert all(p["score"] is None for p in report["perspectives"])
    assert report["balance"]["shares"] == dict.fromkeys(PERSPECTIVE_KEYS, 0)
    assert report["balance"]["index"] is None
    assert report["balance"]["warnings"] == []
    assert all(h["kind"] == "crowded" for h in report["hints"])
    assert report["unaligned"] == []
    doctor = run("doctor")
    assert doctor.code == 0, doctor


def test_a_store_without_cycles_still_shows_measures_and_crowded(run, store_path, sample_doc, tmp_path):
    assert run("init").code == 0
    strategy_only = tmp_path / "strategy.json"
    strategy_only.write_text(json.dumps({"format": "okrtui/1", "strategy": sample_doc["strategy"]}), encoding="utf-8")
    assert run("import", strategy_only).code == 0
    report = report_doc("--as-of", AS_OF)
    assert report["cycle"] is None and report["overall"] is None
    strategic = [s for p in report["perspectives"] for s in p["objectives"]]
    assert len(strategic) == 14
    assert all(s["score"] is None and s["okrs"] == [] for s in strategic)
    f1 = strategic[0]
    # ARR: baseline 18, target 25, actual 21.4 -> 3.4/7 = 0.486.
    assert f1["measures"][0]["attainment"] == 0.486
    assert [(h["kind"], h["ref"]) for h in report["hints"]] == [("crowded", "internal_process")]
    assert report["balance"]["warnings"] == []
    assert report["balance"]["index"] is None


def test_init_twice_is_refused(run, store_path):
    assert run("init").code == 0
    before = snapshot_bytes(store_path)
    code, out, err = run("init")
    assert code == 2
    assert str(store_path) in err
    assert snapshot_bytes(store_path) == before


def test_init_on_an_existing_sample_store_is_refused(run, sample_store):
    before = snapshot_bytes(sample_store)
    assert run("init", "--sample").code == 2
    assert snapshot_bytes(sample_store) == before


def assert_latest_cycle_contains_today(doc: dict) -> None:
    latest = max(doc["cycles"], key=lambda c: c["start"])
    start, end = dt.date.fromisoformat(latest["start"]), dt.date.fromisoformat(latest["end"])
    now = today()
    assert start <= now <= end, (latest["id"], start, end)
    assert latest["id"] == f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    assert len(doc["cycles"]) == 3
    # No check-in from the future.
    stamp = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5)
    for cycle in doc["cycles"]:
        for objective in cycle["objectives"]:
            for kr in objective["key_results"]:
                for checkin in kr["checkins"]:
                    assert dt.datetime.fromisoformat(checkin["at"].replace("Z", "+00:00")) <= stamp


def test_init_sample_shifts_the_latest_cycle_to_today(run, store_path):
    code, out, err = run("init", "--sample")
    assert code == 0, err
    doc = export_doc()
    assert_latest_cycle_contains_today(doc)
    report = report_doc()
    latest = max(doc["cycles"], key=lambda c: c["start"])
    assert report["cycle"]["id"] == latest["id"]
    assert 0 <= report["cycle"]["elapsed"] < 1


def test_demo_with_a_store_option_creates_the_shifted_sample(run, store_path, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(okrtui.cli, "_open_app", lambda store, args: opened.append(store.path) or 0)
    demo = tmp_path / "demo" / "d.json"
    code, out, err = run("demo", "--store", demo)
    assert code == 0, err
    assert opened == [demo]
    assert demo.exists()
    assert not store_path.exists(), "demo never touches the user's own store"
    assert_latest_cycle_contains_today(export_doc(demo))


def test_demo_defaults_to_its_own_store_in_the_data_directory(run, store_path, environment, monkeypatch):
    opened = []
    monkeypatch.setattr(okrtui.cli, "_open_app", lambda store, args: opened.append(store.path) or 0)
    code, out, err = run("demo")
    assert code == 0, err
    demo = environment / "home" / ".local" / "share" / "okrtui" / "demo.json"
    assert opened == [demo]
    assert demo.exists()
    assert not store_path.exists()
    # A second demo reuses the store.
    before = snapshot_bytes(demo)
    assert run("demo").code == 0
    assert snapshot_bytes(demo) == before


# ---------------------------------------------------------------- doctor


def test_doctor_on_a_healthy_store(run, sample_store):
    code, out, err = run("doctor")
    assert code == 0, out + err


def test_doctor_on_a_corrupt_store_names_the_file(run, sample_store):
    data = sample_store.read_bytes()
    sample_store.write_bytes(data[: len(data) // 2])
    before = snapshot_bytes(sample_store)
    code, out, err = run("doctor")
    assert code == 1
    assert str(sample_store) in out + err
    assert snapshot_bytes(sample_store) == before


# ---------------------------------------------------------------- finding the store, the author


def test_store_is_found_by_option_then_env_then_data_dir(run, tmp_path, environment, monkeypatch):
    by_option = tmp_path / "opt" / "s.json"
    by_env = tmp_path / "env" / "s.json"
    by_xdg = environment / "home" / ".local" / "share" / "okrtui" / "okrtui.json"
    assert run("init", "--org", "Option", "--store", by_option).code == 0
    monkeypatch.setenv("OKRTUI_STORE", str(by_env))
    assert run("init", "--org", "Env").code == 0
    monkeypatch.delenv("OKRTUI_STORE")
    assert run("init", "--org", "Data dir").code == 0
    assert by_option.exists() and by_env.exists() and by_xdg.exists()

    assert report_doc()["organization"] == "Data dir"
    monkeypatch.setenv("OKRTUI_STORE", str(by_env))
    assert report_doc()["organization"] == "Env"
    assert report_doc(store=by_option)["organization"] == "Option"
    # --store before the command works too.
    code, out, err = run("--store", by_option, "report", "--format", "json")
    assert code == 0 and json.loads(out)["organization"] == "Option"


def test_author_is_as_option_then_env(run, sample_store, monkeypatch):
    assert run("checkin", "KR-30", "2.7", "--at", "2026-11-20T10:00:00Z").code == 0
    assert run("checkin", "KR-30", "2.8", "--as", "alice", "--at", "2026-11-20T11:00:00Z").code == 0
    assert run("--as", "bob", "checkin", "KR-30", "2.9", "--at", "2026-11-20T12:00:00Z").code == 0
    monkeypatch.delenv("OKRTUI_USER")
    assert run("checkin", "KR-30", "2.95", "--at", "2026-11-20T13:00:00Z").code == 0
    authors = [c["author"] for c in find_kr(export_doc(), "KR-30")["checkins"][-4:]]
    assert authors[:3] == ["tester", "alice", "bob"]
    assert authors[3]  # the login name, whatever it is here


def test_the_login_name_is_found_as_getpass_finds_it(run, sample_store, monkeypatch):
    import getpass

    monkeypatch.delenv("OKRTUI_USER")
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("USERNAME", "carol")
    monkeypatch.setenv("USER", "dave")  # before USERNAME, as in getpass
    assert run("checkin", "KR-30", "2.7", "--at", "2026-11-20T10:00:00Z").code == 0
    monkeypatch.delenv("USER")
    monkeypatch.delenv("USERNAME")
    login = getpass.getuser()  # from the password database now
    assert run("checkin", "KR-30", "2.8", "--at", "2026-11-20T11:00:00Z").code == 0
    authors = [c["author"] for c in find_kr(export_doc(), "KR-30")["checkins"][-2:]]
    assert authors == ["dave", login]


@pytest.mark.parametrize("columns", [50, 150])
def test_help_is_wrapped_to_the_terminal_as_argparse_would(run, monkeypatch, columns):
    import argparse
    import okrtui.cli

    monkeypatch.setenv("COLUMNS", str(columns))
    code, out, _ = run("checkin", "--help")
    assert code == 0
    # argparse's own formatter (which asks shutil for the width) wraps the same text alike.
    parser = okrtui.cli.build_parser("checkin")
    monkeypatch.setattr(okrtui.cli._SizedHelp, "__init__", argparse.HelpFormatter.__init__)
    assert out == parser._subparsers._group_actions[0].choices["checkin"].format_help()
    assert "--confidence" in out


# ---------------------------------------------------------------- no Textual for non-UI commands


def test_non_ui_commands_never_import_textual(sample_store, tmp_path):
    exported = tmp_path / "e.json"
    fresh = tmp_path / "fresh" / "okrtui.json"
    script = f"""
import sys, io, contextlib
import okrtui.cli
calls = [
    ["report", "--format", "json", "--as-of", "{AS_OF}"],
    ["report", "--format", "text", "--as-of", "{AS_OF}"],
    ["report", "--format", "md", "--as-of", "{AS_OF}"],
    ["report", "--format", "csv", "--as-of", "{AS_OF}"],
    ["checkin", "KR-28", "800", "--at", "{AT}"],
    ["export", "--format", "json", "-o", {str(exported)!r}],
    ["export", "--format", "csv"],
    ["import", {str(exported)!r}, "--store", {str(fresh)!r}],
    ["doctor"],
]
codes = []
for argv in calls:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        codes.append(okrtui.cli.main(argv))
print(codes)
print(sorted(m for m in sys.modules if m == "textual" or m.startswith("textual.")))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    codes, modules = done.stdout.strip().splitlines()
    assert codes == "[0, 0, 0, 0, 0, 0, 0, 0, 0]"
    assert modules == "[]"


def test_report_process_imports_no_textual(sample_store):
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "okrtui", "report", "--format", "json",
                           "--as-of", AS_OF], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert "okrtui.cli" in imported
    assert not [m for m in imported if m == "textual" or m.startswith("textual.")]


@pytest.mark.parametrize("fmt", ["text", "md", "csv", "json"])
def test_user_text_with_markup_is_shown_literally(run, sample_store, tmp_path, fmt):
    doc = {"format": "okrtui/1", "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31",
                                             "objectives": [{"title": "Ship [bold]it[/b] [link=x]now", "owner": "[red]ops",
                                                             "aligned_to": "F1",
                                                             "key_results": [{"title": "[i]done[/i]", "start": 0,
                                                                              "target": 1}]}]}]}
    path = tmp_path / "markup.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert run("import", path).code == 0
    code, out, err = run("report", "--format", fmt, "--as-of", AS_OF)
    assert code == 0, err
    if fmt == "md":  # Markdown may escape the brackets so that they render as typed
        out = re.sub(r"\\([\[\]\\_*`|])", r"\1", out)
    assert "Cut infra cost [phase 2]" in out
    assert "[bold]it[/b] [link=x]now" in out
    assert "[i]done[/i]" in out
