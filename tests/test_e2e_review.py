"""The review (r) and my work (w) in a real terminal: the installed okrtui in tmux on the sample."""

from __future__ import annotations

import shutil

import pytest

from conftest import AS_OF
from test_e2e_tmux import Terminal, terminal  # noqa: F401  (the fixture)

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_r_shows_the_months_movement_and_w_a_leads_own_work(terminal: Terminal, sample_store, installed_wheel,  # noqa: F811
                                                            tmp_path, monkeypatch, size):
    _, okrtui, _ = installed_wheel
    terminal.env.update(PYTHONPATH="")
    monkeypatch.chdir(tmp_path)
    terminal.start([str(okrtui), "--store", str(sample_store), "--as", "platform", "--as-of", AS_OF], size=size)
    terminal.wait_for("enter opens its OKRs")
    terminal.press("r")
    screen = terminal.wait_for("Since 2026-10-23")
    assert "Overall" in screen and "2026-10-23" in screen
    terminal.wait_until(lambda s: "\u25b2 +" in s, "a perspective's movement upwards")
    terminal.press("Escape")
    terminal.wait_for("enter opens its OKRs")
    terminal.press("w")
    screen = terminal.wait_for("My work")
    assert "platform" in screen and "O-11" in screen and "serves P1" in screen
    terminal.press("q")
    terminal.wait_until(lambda s: terminal.pane()[0], "the app to quit")
