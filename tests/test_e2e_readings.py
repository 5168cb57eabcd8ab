"""Issue 14 from a user's seat: the installed okrtui on a store of the previous format.

The kept format-3 store (tests/data/format3, made by the code before readings) is
copied, read, migrated by its first write, fed a reading and a file of check-ins
from the command line, and then read in the app in tmux, where a reading is
recorded with `c`. The store is checked with `export` at each step.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from test_e2e_tmux import Terminal, terminal  # noqa: F401  (the fixture)

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

DATA = Path(__file__).parent / "data"
READ_AT = "2026-11-20T09:00:00Z"
ARR = "Annual recurring revenue"


def _okrtui(okrtui: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    done = subprocess.run([str(okrtui), *args], input=stdin, capture_output=True, text=True, timeout=120)
    return done


def _export(okrtui: Path, store: Path) -> dict:
    done = _okrtui(okrtui, "export", "--store", str(store))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _with_empty_readings(doc: dict) -> dict:
    for strategic in doc["strategy"]:
        for measure in strategic["measures"]:
            measure["readings"] = []
    return doc


def _kr(doc: dict, ref: str) -> dict:
    return next(k for c in doc["cycles"] for o in c["objectives"] for k in o["key_results"] if k["ref"] == ref)


def _arr(doc: dict) -> dict:
    return next(m for m in doc["strategy"][0]["measures"] if m["name"] == ARR)


@pytest.fixture
def old_store(tmp_path) -> Path:
    shutil.copytree(DATA / "format3", tmp_path / "old")
    return tmp_path / "old" / "okrtui.json"


def test_a_format3_store_migrates_takes_readings_and_check_ins_from_a_file_and_shows_them(
        terminal: Terminal, old_store: Path, installed_wheel, tmp_path, monkeypatch):  # noqa: F811
    _, okrtui, _ = installed_wheel
    monkeypatch.chdir(tmp_path)
    old = json.loads((DATA / "format3-export.json").read_text(encoding="utf-8"))

    # Read as it is: the same data, plus the readings the format did not have.
    assert _export(okrtui, old_store) == _with_empty_readings(json.loads(json.dumps(old)))
    doctor = _okrtui(okrtui, "doctor", "--store", str(old_store))
    assert doctor.returncode == 0 and "version 3" in doctor.stdout

    # The first write migrates it, after a backup of the old state.
    done = _okrtui(okrtui, "measure", "F1", ARR.upper(), "22.5", "--at", READ_AT, "--as", "cfo",
                   "--store", str(old_store))
    assert done.returncode == 0, done.stderr
    # baseline 18, target 25: (21.4 - 18) / 7 = 0.486, (22.5 - 18) / 7 = 0.643
    assert done.stdout.strip() == f"F1 {ARR} 21.4 \u2192 22.5 \u00b7 attainment 0.49 \u2192 0.64"
    backups = list((old_store.parent / "okrtui.json.backups").glob("*-format-3-g5.json"))
    assert len(backups) == 1
    assert json.loads(backups[0].read_text(encoding="utf-8")) == _with_empty_readings(json.loads(json.dumps(old)))
    doctor = _okrtui(okrtui, "doctor", "--store", str(old_store))
    assert doctor.returncode == 0 and "version 4" in doctor.stdout and str(backups[0]) in doctor.stdout

    # A metrics job's file of check-ins, from standard input.
    sheet = "\ufeffref,value,confidence,note\r\nKR-28,810,at-risk,from the job\r\nKR-29,22,,\r\n"
    done = _okrtui(okrtui, "checkin", "--file", "-", "--as", "metrics", "--store", str(old_store), stdin=sheet)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"2026-Q4: 2 check-ins \u00b7 Overall \d\.\d\d \u2192 \d\.\d\d\n", done.stdout), done.stdout

    after = _export(okrtui, old_store)
    assert [(r["author"], r["value"], r["at"]) for r in _arr(after)["readings"]] == [("cfo", 22.5, READ_AT)]
    assert _arr(after)["actual"] == 22.5
    for ref, value, confidence in (("KR-28", 810, "at-risk"), ("KR-29", 22, _kr(old, "KR-29")["confidence"])):
        kr = _kr(after, ref)
        assert (kr["current"], kr["confidence"]) == (value, confidence)
        assert kr["checkins"][-1]["author"] == "metrics"
    # Nothing else moved: the old data with those changes is the new export.
    expected = _with_empty_readings(json.loads(json.dumps(old)))
    _arr(expected).update(actual=22.5, readings=_arr(after)["readings"])
    for ref in ("KR-28", "KR-29"):
        _kr(expected, ref).update(_kr(after, ref))
    assert after == expected

    # The app shows them, and records a reading with `c` on the measure.
    terminal.env.update(PYTHONPATH="")
    terminal.start([str(okrtui), "--store", str(old_store), "--as", "ana", "--as-of", "2026-11-20"], size=(100, 32))
    terminal.wait_for("enter opens its OKRs")
    open_measure_in_the_app(terminal)
    screen = terminal.wait_for(ARR)
    assert "22.5" in screen
    terminal.press("c")
    terminal.wait_for("Record a reading")
    terminal.type("23.1")
    terminal.press("Enter")
    terminal.wait_until(lambda s: "22.5 \u2192 23.1" in s, "the reading's toast")
    assert _arr(_export(okrtui, old_store))["readings"][-1]["value"] == 23.1
    assert _arr(_export(okrtui, old_store))["readings"][-1]["author"] == "ana"
    terminal.press("Escape")
    terminal.press("q")
    terminal.wait_until(lambda s: terminal.pane()[0], "the app to quit")


def open_measure_in_the_app(term: Terminal) -> None:
    """From the scorecard to F1's first measure: F1 is the first row; enter opens it."""
    term.press("Enter")
    term.wait_for("KPI")
    term.press("Down")
