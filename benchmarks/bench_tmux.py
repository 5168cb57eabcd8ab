"""Timings read from outside, in tmux: what a person at a terminal sees.

- App start → first painted scorecard (S, L) beside a bare Textual app painting one
  widget: from asking tmux for the new window to the capture that shows it all.
- The `enter` that saves a check-in → the new score on screen, in okrtui (the key
  result reached with `g`, the dialog opened with `c`) beside a bare app doing the same
  (an Input in a ModalScreen; enter dismisses it and updates one Static), in turn.

Between repetitions the driver waits for the app to be idle (its CPU time stops
growing) and, in okrtui, for the check-in to reach the store: so a repetition is not
timed behind the last one's write. No fixed sleeps: every wait is for a condition.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import time
from pathlib import Path
from typing import Optional

from bare_apps import MODAL_READY, PAINTED, SAVED
from bench_setup import Store, okrtui_argv
from bench_stats import Runs
from tmux_term import Tmux, peak_rss_mb

HERE = Path(__file__).resolve().parent
SIZE = (120, 40)
SCORECARD = ("Overall", "Learning & Growth", "Balance")  # header, last pane, the line below the panes
TICK = os.sysconf("SC_CLK_TCK")
GOTO_KEYS = "enter go \u00b7 up/down"  # the go-to dialog's own line (the Footer's "g Go to" is always there)


def painted_scorecard(screen: str) -> bool:
    return all(part in screen for part in SCORECARD)


def cpu_seconds(pid: int) -> Optional[float]:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime, every thread


def wait_idle(pid: int, quiet: float = 0.1, timeout: float = 20) -> None:
    """Until the process has used no CPU for `quiet` seconds (or `timeout`)."""
    deadline = time.perf_counter() + timeout
    last, since = cpu_seconds(pid), time.perf_counter()
    while time.perf_counter() < deadline:
        time.sleep(0.02)
        now = cpu_seconds(pid)
        if now != last:
            last, since = now, time.perf_counter()
        elif time.perf_counter() - since >= quiet:
            return


def signature(path: Path) -> Optional[tuple[int, int, int]]:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def wait_for(condition, what: str, timeout: float = 60) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"no {what} within {timeout} s")
        time.sleep(0.005)


def type_text(term: Tmux, window: str, pid: int, text: str, shown, what: str) -> None:
    """Type `text` into the dialog just opened, once it is idle (so focused), until `shown(screen)`.

    Keys typed the moment a dialog opens can be lost (seen with the bare modal app too):
    then the field is cleared and the text typed again."""
    for _ in range(5):
        wait_idle(pid)
        term.text(window, text)
        try:
            term.wait(window, shown, what, timeout=3)
            return
        except TimeoutError:
            term.keys(window, "C-u")  # the Input's delete-to-start
    term.wait(window, shown, what)


def okrtui_window(store: Store) -> tuple[list[str], dict[str, str]]:
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    return okrtui_argv() + ["--as-of", today], {"OKRTUI_STORE": str(store.path)}


def bare_window(kind: str) -> tuple[list[str], dict[str, str]]:
    return [sys.executable, str(HERE / "bare_apps.py"), kind], {}


def quit_app(term: Tmux, name: str, keys: str) -> None:
    term.keys(name, keys)
    term.wait_dead(name)
    term.kill(name)


def first_paint(term: Tmux, stores: list[Store], runs: int) -> dict[str, Runs]:
    """Each round starts every app once, in turn; each is quit (and gone) before the next."""
    apps: list[tuple[str, tuple[list[str], dict[str, str]], object, str]] = [
        (store.name, okrtui_window(store), painted_scorecard, "q") for store in stores]
    apps.append(("bare", bare_window("paint"), lambda screen: PAINTED in screen, "C-q"))
    results = {name: Runs() for name, *_ in apps}
    for index in range(runs):
        print(f"  first paint: round {index + 1} of {runs}", file=sys.stderr)
        for name, (argv, env), ready, quit_keys in apps:
            window = f"paint-{name}-{index}"
            started = term.start(window, argv, env)
            seen, _ = term.wait(window, ready, f"painted screen of {name}")
            pid, _, _ = term.pane(window)
            results[name].add(seen - started, peak_rss_mb(pid))
            quit_app(term, window, quit_keys)
    return results


def row_score(screen: str, ref: str) -> Optional[str]:
    """The score on the key result's row of the drill-down tree ("KR-12 ● 0.46 …")."""
    found = re.search(rf"{re.escape(ref)}\s+\S+\s+(\d\.\d\d)\b", screen)
    return found.group(1) if found else None


def typed(store: Store, share: float) -> str:
    kr = store.kr
    value = kr.start + share * (kr.target - kr.start)
    return f"{value:.0f}" if abs(kr.target - kr.start) >= 10 else f"{value:.2f}"


def value_line_has(screen: str, label: str, value: str) -> bool:
    return any(label in line and value in line for line in screen.splitlines())


class OkrtuiCheckins:
    """The app on a store, in the drill-down of `store.kr` (reached with g REF enter)."""

    def __init__(self, term: Tmux, store: Store) -> None:
        self.term, self.store, self.window = term, store, "checkin-okrtui"
        argv, env = okrtui_window(store)
        term.start(self.window, argv, env)
        term.wait(self.window, painted_scorecard, "painted scorecard")
        ref = store.kr.ref
        self.pid = term.pane(self.window)[0]
        term.text(self.window, "g")
        term.wait(self.window, lambda s: GOTO_KEYS in s, "go-to dialog")
        # The ref twice: in the field and in the first match.
        type_text(term, self.window, self.pid, ref, lambda s: s.count(ref) >= 2, f"{ref} typed and matched")
        term.keys(self.window, "Enter")
        term.wait(self.window, lambda s: f"\u203a {ref}" in s and row_score(s, ref) is not None,
                  f"{ref} in the breadcrumb and the tree")
        wait_idle(self.pid)  # the cycle's history is read in a worker when a key result is first shown
        self.share = 0.3

    def once(self) -> float:
        term, window, ref = self.term, self.window, self.store.kr.ref
        _, screen = term.wait(window, lambda s: row_score(s, ref) is not None, f"{ref}'s row")
        old = row_score(screen, ref)
        # The other turn when this one would show the score already there (nothing would change).
        self.share = 0.7 if self.share == 0.3 else 0.3
        if old is not None and abs(float(old) - self.share) < 0.02:
            self.share = 0.7 if self.share == 0.3 else 0.3
        value = typed(self.store, self.share)
        term.text(window, "c")
        term.wait(window, lambda s: f"Check in {ref}" in s, "check-in dialog")
        type_text(term, window, self.pid, value, lambda s: value_line_has(s, "Value", value),
                  f"{value} in the value field")
        before = signature(self.store.path)
        started = term.keys(window, "Enter")
        seen, _ = term.wait(window, lambda s: f"Check in {ref}" not in s and "enter save" not in s
                            and row_score(s, ref) not in (None, old), f"{ref}'s new score")
        # The write lands after the repaint, on the app's writer thread: let it, before the next.
        wait_for(lambda: signature(self.store.path) != before, "check-in in the store")
        wait_idle(self.pid)
        return seen - started

    def close(self) -> Optional[float]:
        rss = peak_rss_mb(self.pid)
        quit_app(self.term, self.window, "q")
        return rss


class BareCheckins:
    def __init__(self, term: Tmux) -> None:
        self.term, self.window = term, "checkin-bare"
        argv, env = bare_window("modal")
        term.start(self.window, argv, env)
        term.wait(self.window, lambda s: f"{SAVED} none" in s, "bare modal app")
        self.pid = term.pane(self.window)[0]
        self.turn = 0

    def once(self) -> float:
        term, window = self.term, self.window
        self.turn += 1
        value = "70" if self.turn % 2 else "30"  # never the text already shown
        term.text(window, "c")
        term.wait(window, lambda s: MODAL_READY in s, "bare modal")
        type_text(term, window, self.pid, value,
                  lambda s: any(value in line and SAVED not in line for line in s.splitlines()), f"{value} in the input")
        started = term.keys(window, "Enter")
        seen, _ = term.wait(window, lambda s: MODAL_READY not in s and f"{SAVED} {value}" in s, "bare update")
        wait_idle(self.pid)
        return seen - started

    def close(self) -> None:
        quit_app(self.term, self.window, "C-q")


def checkins(term: Tmux, store: Store, reps: int) -> tuple[Runs, Runs]:
    """okrtui's and the bare app's, in turn; the okrtui Runs carry the app's peak RSS."""
    okr, bare = OkrtuiCheckins(term, store), BareCheckins(term)
    mine, theirs = Runs(), Runs()
    try:
        for index in range(reps):
            if index % 5 == 0:
                print(f"  check-in from outside: {index + 1} of {reps}", file=sys.stderr)
            mine.add(okr.once())
            theirs.add(bare.once())
    finally:
        rss = okr.close()
        bare.close()
    if rss is not None:
        mine.rss.append(rss)
    return mine, theirs


def measure(env: dict[str, str], paint_stores: list[Store], checkin_store: Store, runs: int,
            reps: int) -> tuple[dict[str, Runs], Runs, Runs]:
    with Tmux(env, SIZE) as term:
        paints = first_paint(term, paint_stores, runs)
        mine, theirs = checkins(term, checkin_store, reps)
    return paints, mine, theirs
