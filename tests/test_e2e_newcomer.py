"""A newcomer's first check-in, in a real terminal, from a non-editable install.

The test plays a user who knows nothing but what the screen says: each key it
presses is one the screen has just offered (the scorecard's status line, the
drill-down's detail pane, the Footer, the dialog's own line of keys). It counts
the keystrokes, at 80×24 and 120×40, in the dark and the light theme, with 256
and with 16 colours.
"""

from __future__ import annotations

import json
import time

import shutil

import pytest

from conftest import AS_OF, export_doc, find_kr
from test_e2e_tmux import Terminal, line_with, terminal  # noqa: F401  (the fixture)

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

MOST_KEYSTROKES = 12  # the bar for a first check-in, note aside

RUNS = [
    ((80, 24), "textual-dark", "xterm"),
    ((80, 24), "textual-light", "xterm-256color"),
    ((120, 40), "textual-light", "xterm"),
    ((120, 40), "textual-dark", "xterm-256color"),
]


@pytest.mark.parametrize(("size", "theme", "term"), RUNS, ids=[f"{s[0]}x{s[1]}-{t}-{e}" for s, t, e in RUNS])
def test_a_newcomer_reaches_a_saved_check_in_by_what_the_screen_says(
        terminal: Terminal, sample_store, installed_wheel, tmp_path, monkeypatch, size, theme, term):  # noqa: F811 (the fixture)
    _, okrtui, _ = installed_wheel
    config = tmp_path / "config"
    (config / "okrtui").mkdir(parents=True)
    (config / "okrtui" / "settings.json").write_text(json.dumps({"theme": theme}))
    terminal.env.update(XDG_CONFIG_HOME=str(config), TERM=term, PYTHONPATH="")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # not the checkout: the installed wheel must carry what it needs
    terminal.start([str(okrtui), "--store", str(sample_store), "--as", "newcomer", "--as-of", AS_OF], size=size)
    keys = 0

    def press(*names: str) -> None:
        nonlocal keys
        keys += len(names)
        terminal.press(*names)

    def type_(text: str) -> None:
        nonlocal keys
        keys += len(text)
        terminal.type(text)

    # The scorecard opens on Financial's first strategic objective and says what enter does.
    screen = terminal.wait_for("enter opens its OKRs")
    assert "F1 Grow annual recurring revenue" in screen.splitlines()[-2]
    press("Enter")
    # The drill-down says how to reach a check-in from here.
    terminal.wait_for("c checks in")
    # Down until the Footer offers `c Check in` (it does only on a key result).
    for _ in range(6):
        screen = terminal.screen()
        if "c Check in" in screen.splitlines()[-1]:
            break
        where = screen.splitlines()[1]  # the breadcrumb
        press("Down")
        terminal.wait_until(lambda s: s.splitlines()[1] != where, "the cursor to move")
    terminal.wait_until(lambda s: "c Check in" in s.splitlines()[-1], "the Footer offering c Check in")
    breadcrumb = terminal.screen().splitlines()[1]
    ref = next(word for word in breadcrumb.split() if word.startswith("KR-"))
    press("c")
    dialog = terminal.wait_for(f"Check in {ref}")
    assert "enter save" in dialog
    before = find_kr(export_doc(sample_store), ref)
    value = str(int(before["current"]) + 10)
    type_(value)
    terminal.wait_until(lambda s: value in line_with(s, "Value"), f"{value} in the value field")
    press("Enter")
    terminal.wait_until(lambda s: f"Check in {ref}" not in s and "\u2192" in s, "the dialog closed and the ripple shown")
    # The ripple shows from memory at once; the write lands a moment later.
    deadline = time.monotonic() + 15
    while len(find_kr(export_doc(sample_store), ref)["checkins"]) == len(before["checkins"]) \
            and time.monotonic() < deadline:
        time.sleep(0.1)

    after = find_kr(export_doc(sample_store), ref)
    latest = max(after["checkins"], key=lambda c: c["at"])
    assert len(after["checkins"]) == len(before["checkins"]) + 1
    assert (latest["value"], latest["author"]) == (int(value), "newcomer")
    assert keys <= MOST_KEYSTROKES, f"{keys} keystrokes"
    print(f"{size[0]}x{size[1]} {theme} {term}: the first check-in took {keys} keystrokes")
