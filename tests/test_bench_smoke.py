"""The benchmark (`make bench`) still runs and prints every figure's row (§11).

Runs `benchmarks/bench.py --scale S --runs 1` once, in a child process with this test's
own environment (the autouse fixture's HOME, XDG_* and OKRTUI_*, plus XDG_STATE_HOME;
the benchmark makes its stores in a temporary directory of its own), and checks the
Markdown it prints. Times are never asserted on: only that each row is there with a
number in it. The tmux rows need tmux; without it the benchmark says it skipped them,
and so does this test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NUMBER = re.compile(r"\|\s*\d+(\.\d+)?")

CLI_ROWS = ["`okrtui checkin` | S", "`okrtui report` | S", "`okrtui report --since", "`okrtui due` | S",
            "`okrtui report --format json` | S", "`okrtui checkin --file (1,000)` | S"]
IN_APP_ROWS = ["in the app (headless, timed inside), okrtui, S",
               "drill-down of ", "one move from rest", "moves back to back", "strategy map of S"]
TMUX_ROWS = ["first painted scorecard: S / bare Textual app", "| okrtui, S |", "| bare Textual app (one Static) |",
             "tmux, from outside: okrtui, S", "tmux, from outside: bare modal app"]


def row(out: str, text: str) -> str:
    """The first table row holding `text`; fails when there is none or it has no number."""
    found = next((line for line in out.splitlines() if line.startswith("|") and text in line), None)
    assert found is not None, f"no row with {text!r} in:\n{out}"
    assert NUMBER.search(found), f"the row for {text!r} has no number: {found}"
    return found


def test_the_benchmark_prints_every_s_figure(tmp_path: Path) -> None:
    env = dict(os.environ)
    state = tmp_path / "home" / ".local" / "state"
    state.mkdir(parents=True, exist_ok=True)
    env["XDG_STATE_HOME"] = str(state)
    for name in ("TMUX", "TMUX_PANE"):
        env.pop(name, None)  # run from inside tmux: the benchmark's own server, not the caller's
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--scale", "S", "--runs", "1"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"the benchmark failed:\n{done.stdout}\n{done.stderr}"
    out = done.stdout
    assert re.search(r"\d+ cores · Python \d", out), out
    for text in CLI_ROWS + IN_APP_ROWS:
        row(out, text)
    if shutil.which("tmux") is None:
        assert "tmux not on PATH: skipped" in out, out
        pytest.skip("tmux is not installed: the benchmark skipped its tmux figures, so their rows were not checked")
    for text in TMUX_ROWS:
        row(out, text)
    # The one S target is judged (pass or fail, never a time asserted on here).
    assert re.search(r"first painted scorecard: S / bare Textual app \| [\d.]+× .*\| (✓ pass|✗ FAIL) \|", out), out
