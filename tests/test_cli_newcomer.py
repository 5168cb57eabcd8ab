"""The command line as a newcomer meets it: help with examples, forgiving confidences,
check-ins that only change the confidence or the note, init --sample on an empty store,
demo --reset."""

from __future__ import annotations

import pytest

import okrtui.cli
from conftest import AT, export_doc, find_kr

COMMANDS = ["demo", "init", "import", "export", "report", "checkin", "doctor"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_help_has_a_description_and_an_example(run, command):
    code, out, err = run(command, "--help")
    assert code == 0
    description = out.split("\n\n")[1]
    assert len(description) > 40, out
    assert "examples:\n  okrtui " + (command if command != "demo" else "demo") in out


@pytest.mark.parametrize("given, stored", [
    ("at-risk", "at-risk"), ("At Risk", "at-risk"), ("AT_RISK", "at-risk"), ("  off track ", "off-track"),
    ("1", "on-track"), ("2", "at-risk"), ("3", "off-track"), ("4", "blocked"),
])
def test_confidence_in_any_case_or_as_a_number(run, sample_store, given, stored):
    code, out, err = run("checkin", "KR-28", "700", "--confidence", given, "--at", AT)
    assert code == 0, err
    assert find_kr(export_doc(), "KR-28")["checkins"][-1]["confidence"] == stored


@pytest.mark.parametrize("given", ["5", "0", "risky", ""])
def test_an_unknown_confidence_is_refused(run, sample_store, given):
    code, out, err = run("checkin", "KR-28", "700", "--confidence", given, "--at", AT)
    assert code == 2 and "is not one of on-track, at-risk, off-track, blocked (or 1-4)" in err


def test_confidence_alone_keeps_the_value(run, sample_store):
    before = find_kr(export_doc(), "KR-28")["current"]
    code, out, err = run("checkin", "KR-28", "--confidence", "blocked", "--at", AT)
    assert code == 0, err
    kr = find_kr(export_doc(), "KR-28")
    assert (kr["current"], kr["confidence"], kr["checkins"][-1]["value"]) == (before, "blocked", before)


def test_a_note_alone_keeps_value_and_confidence(run, sample_store):
    kr = find_kr(export_doc(), "KR-28")
    code, out, err = run("checkin", "KR-28", "--note", "waiting on legal", "--at", AT)
    assert code == 0, err
    after = find_kr(export_doc(), "KR-28")
    assert (after["current"], after["confidence"]) == (kr["current"], kr["confidence"])
    assert after["checkins"][-1]["note"] == "waiting on legal"


def test_nothing_to_record_is_a_usage_error(run, sample_store):
    code, out, err = run("checkin", "KR-28")
    assert code == 2 and "give a VALUE, or --confidence / --note" in err


def test_init_sample_fills_a_store_that_holds_no_data(run, store_path):
    assert run("init").code == 0
    code, out, err = run("init", "--sample")
    assert code == 0 and "filled" in out, err
    assert export_doc()["organization"] == "Northwind Analytics"
    code, out, err = run("init", "--sample")  # now it holds data: never overwritten
    assert code == 2 and "already exists" in err


def test_demo_reset_makes_the_demo_store_afresh(run, tmp_path, monkeypatch):
    monkeypatch.setattr(okrtui.cli, "_open_app", lambda store, args: 0)
    store = tmp_path / "demo" / "demo.json"
    assert run("demo", "--store", store).code == 0
    assert run("checkin", "KR-28", "1", "--store", store).code == 0
    assert find_kr(export_doc(store), "KR-28")["current"] == 1
    (store.parent / "notes.txt").write_text("mine")
    assert run("demo", "--reset", "--store", store).code == 0
    assert find_kr(export_doc(store), "KR-28")["current"] != 1
    assert (store.parent / "notes.txt").read_text() == "mine"  # only the store's own files go
    code, out, err = run("--read-only", "demo", "--reset", "--store", store)
    assert code == 2 and "read-only" in err


def test_demo_reset_leaves_a_file_that_is_not_a_store_alone(run, tmp_path, monkeypatch):
    monkeypatch.setattr(okrtui.cli, "_open_app", lambda store, args: 0)
    store = tmp_path / "demo.json"
    store.write_text("my own notes, not a store")
    code, out, err = run("demo", "--reset", "--store", store)
    assert code == 1
    assert store.read_text() == "my own notes, not a store"


def test_the_markdown_review_carries_each_key_results_latest_note(run, sample_store):
    assert run("checkin", "KR-28", "700", "--note", "two deals\nslipped | to Q1", "--at", AT).code == 0
    code, out, err = run("report", "--format", "md", "--as-of", "2026-11-20")
    assert code == 0, err
    row = next(line for line in out.splitlines() if line.startswith("| KR-28 |"))
    assert row.endswith("| two deals slipped \\| to Q1 |")  # one line, the pipe escaped
    assert "Latest note" in out


def test_the_markdown_review_marks_a_closed_cycle(run, sample_store):
    code, out, err = run("report", "--format", "md", "--cycle", "2026-Q3", "--as-of", "2026-11-20")
    assert code == 0 and "Cycle 2026-Q3 (2026-07-01 to 2026-09-30, closed)" in out
    assert "closed" not in run("report", "--format", "md", "--as-of", "2026-11-20").out.splitlines()[2]
