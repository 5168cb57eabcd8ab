"""A planning session in a real terminal, from an empty store, with keystrokes only.

The installed `okrtui` in tmux: four strategic objectives (one per perspective, the
Customer one driving the Financial one), a cycle, two OKR objectives with three key
results each, aligned to them; a check-in, its undo, the check-in again. Then
`okrtui report --format json` and `export` must hold exactly that, with the right
scores. The keystrokes are counted (each typed character is one).
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from conftest import AS_OF
from test_e2e_tmux import Terminal, terminal  # noqa: F401  (the fixture)

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def test_from_an_empty_store_to_an_aligned_scored_quarter(terminal: Terminal, installed_wheel, tmp_path,  # noqa: F811
                                                         monkeypatch):
    _, okrtui, _ = installed_wheel
    store = tmp_path / "plan" / "okrtui.json"
    terminal.env.update(PYTHONPATH="")
    monkeypatch.chdir(tmp_path)
    terminal.start([str(okrtui), "--store", str(store), "--as", "lead", "--as-of", AS_OF], size=(100, 34))
    keys = typed = 0

    def press(*names: str) -> None:
        nonlocal keys
        keys += len(names)
        terminal.press(*names)

    def type_(text: str) -> None:
        nonlocal typed
        typed += len(text)
        terminal.type(text)

    def saved(what: str) -> None:
        terminal.wait_for(what)

    terminal.wait_for("n adds a strategic objective")
    # The four strategic objectives: n in each perspective's pane (tab moves to the next).
    press("n")
    terminal.wait_for("New strategic objective")
    type_("F1")
    press("Tab")
    type_("Grow revenue")
    press("Enter")
    saved("F1 Grow revenue")
    for code, title, drives in (("C1", "Delight customers", "F1"), ("P1", "Ship fast", ""),
                                ("L1", "Grow skills", "")):
        press("Tab", "n")
        terminal.wait_for("New strategic objective")
        type_(code)
        press("Tab")
        type_(title)
        if drives:
            press("Tab", "Tab", "Tab")  # owner, description, then drives
            type_(drives)
        press("Enter")
        saved(f"{code} {title}")
    # The cycle: on the header (tab on from the last pane), n; its fields come prefilled.
    press("Tab", "n")
    terminal.wait_for("New cycle")
    press("Enter")
    terminal.wait_for("2026-Q4")
    # Two OKR objectives, each with three key results, made from their strategic objectives'
    # drill-downs: saving an objective opens its first key result's form at once.
    okrs = (
        ("Grow ARR", "sales", [("New logos", "0", "10"), ("Expansion", "0", "5"), ("Churn", "5", "2")]),
        ("Happy customers", "cs", [("NPS", "30", "50"), ("Tickets solved", "0", "100"), ("Faster onboarding", "10", "5")]),
    )
    for index, (title, owner, krs) in enumerate(okrs):
        press("Tab")  # from the header to Financial, or on to Customer
        press("Enter")
        terminal.wait_for("Scorecard \u203a")
        press("n")
        terminal.wait_for("New objective in 2026-Q4")
        type_(title)
        press("Tab")
        type_(owner)
        press("Enter")
        for number, (kr_title, start, target) in enumerate(krs):
            if number:
                press("n")  # on the key result just made: a sibling
            terminal.wait_for("New key result of")
            type_(kr_title)
            press("Tab")
            type_(start)
            press("Tab")
            type_(target)
            press("Enter")
            saved(kr_title)
        press("Escape")
        terminal.wait_for("Balance")
        if index == 0:
            pass  # back on the scorecard, the cursor in Financial; tab moves to Customer next
    # A check-in on KR-4 (NPS), its undo, and the check-in again.
    press("g")
    terminal.wait_for("Go to")
    type_("KR-4")
    press("Enter")
    terminal.wait_for("KR-4 NPS")
    press("c")
    terminal.wait_for("Check in KR-4")
    type_("40")
    press("Enter")
    terminal.wait_for("Checked in")
    press("u")
    terminal.wait_for("Undone: Check-in on KR-4")
    press("c")
    terminal.wait_for("Check in KR-4")
    type_("40")
    press("Enter")
    terminal.wait_for("Checked in")
    press("q")
    terminal.wait_until(lambda s: terminal.pane()[0], "the app to quit")

    report = json.loads(subprocess.run([str(okrtui), "report", "--format", "json", "--store", str(store),
                                        "--as-of", AS_OF], capture_output=True, text=True, check=True).stdout)
    exported = json.loads(subprocess.run([str(okrtui), "export", "--store", str(store)],
                                         capture_output=True, text=True, check=True).stdout)
    assert [(s["code"], s["perspective"], s["drives"]) for s in exported["strategy"]] == [
        ("F1", "financial", []), ("C1", "customer", ["F1"]), ("P1", "internal_process", []),
        ("L1", "learning_growth", [])]
    (cycle,) = exported["cycles"]
    assert (cycle["id"], cycle["start"], cycle["end"], cycle["closed"]) == ("2026-Q4", "2026-10-01", "2026-12-31",
                                                                             False)
    objectives = [(o["ref"], o["title"], o["owner"], o["aligned_to"], o["parent"],
                   [(k["ref"], k["title"], k["start"], k["target"], k["current"]) for k in o["key_results"]])
                  for o in cycle["objectives"]]
    assert objectives == [
        ("O-1", "Grow ARR", "sales", "F1", None,
         [("KR-1", "New logos", 0, 10, 0), ("KR-2", "Expansion", 0, 5, 0), ("KR-3", "Churn", 5, 2, 5)]),
        ("O-2", "Happy customers", "cs", "C1", None,
         [("KR-4", "NPS", 30, 50, 40), ("KR-5", "Tickets solved", 0, 100, 0),
          ("KR-6", "Faster onboarding", 10, 5, 10)]),
    ]
    nps = cycle["objectives"][1]["key_results"][0]
    assert [(c["value"], c["author"]) for c in nps["checkins"]] == [(40, "lead")]  # the undone one is gone
    # Scores: KR-4 (40 − 30) / (50 − 30) = 0.5; O-2 = (0.5 + 0 + 0) / 3; C1 = O-2; O-1 = 0.
    by_code = {s["code"]: s for p in report["perspectives"] for s in p["objectives"]}
    assert by_code["C1"]["score"] == round(0.5 / 3, 3) and by_code["F1"]["score"] == 0
    assert by_code["P1"]["score"] is None and by_code["L1"]["score"] is None
    assert report["balance"]["shares"] == {"financial": 0.5, "customer": 0.5, "internal_process": 0,
                                           "learning_growth": 0}
    print(f"planning walk-through: {keys + typed} keystrokes ({typed} of them typed text, {keys} other keys)")
    # Beyond the text itself: 63 keys for 13 items made, two check-ins and an undo (a longer path fails).
    assert keys <= 63
