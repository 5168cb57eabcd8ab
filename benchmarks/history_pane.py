"""The drill-down's history pane on a key result with 1,000 check-ins (§5, §11).

    python benchmarks/history_pane.py [--checkins 1000] [--runs 15] [--size 120x40]

Builds a store with `okrtui import`: one strategic objective, one OKR objective, and
four key results: KR-2 with `--checkins` check-ins (notes from a few words to a few
lines, so many wrap), the others with 12, as the sample's have. Then drives the real app
headless with Textual's Pilot and times, from the key event to the end of the screen
update (layout and paint) that shows the result; no pause of the driver is counted:

- show: `down` from the key result above onto this one, until its history is painted;
- oldest, at once: `end` the moment `enter` has given the detail pane the keys, until
  the oldest check-in is painted: the whole history is wrapped on the spot;
- oldest: `end` a moment after `enter`, as a person presses it: the pane wraps the
  history in the background once it has focus;
- pagedown: each `pagedown` from the top of the pane down to the oldest check-in.

Each run starts cold: the cursor leaves the key result and comes back. Prints medians
and the slowest run, for KR-2 and, beside it, for KR-4 (12 check-ins; also reached
from a key result, so the Footer does not change either).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from textual import events

from okrtui.app.app import OkrApp
from okrtui.app.widgets.history import DetailPane, HistoryList
from okrtui.app.screens.drilldown import DrillScreen
from okrtui.store import Store

AS_OF = dt.date(2026, 11, 20)
WORDS = ("pipeline", "deal", "review", "slipped", "customer", "legal", "signed", "renewal",
         "forecast", "churn", "team", "quarter", "booked", "risk", "blocked", "on", "the", "to", "and")


def company(checkins: int, seed: int = 11) -> dict:
    rng = random.Random(seed)
    start = dt.datetime(2026, 10, 1, 9, tzinfo=dt.timezone.utc)
    span = (dt.datetime(2026, 11, 19, 18, tzinfo=dt.timezone.utc) - start) / max(checkins, 1)

    def history(count: int) -> list[dict]:
        value, rows = 0, []
        for index in range(count):
            value = min(1500, value + rng.randint(0, 3))
            words = rng.choice((3, 8, 15, 30, 60))  # one line to a few lines at 40 columns
            rows.append({"at": (start + span * index).isoformat().replace("+00:00", "Z"),
                         "author": rng.choice(("ana", "marco", "dara", "li")), "value": value,
                         "confidence": rng.choice(("on-track", "on-track", "at-risk", "off-track")),
                         "note": f"#{index + 1} " + " ".join(rng.choice(WORDS) for _ in range(words))})
        return rows

    def key_result(ref: str, title: str, count: int) -> dict:
        rows = history(count)
        return {"ref": ref, "title": title, "kind": "metric", "start": 0, "target": 1500,
                "current": rows[-1]["value"] if rows else 0, "unit": "$k", "weight": 1,
                "confidence": rows[-1]["confidence"] if rows else "on-track", "checkins": rows}

    return {
        "format": "okrtui/1", "organization": "History Corp",
        "strategy": [{"code": "F1", "title": "Grow revenue", "perspective": "financial", "description": "",
                      "owner": "cfo", "drives": [], "measures": [], "initiatives": []}],
        "cycles": [{"id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31", "closed": False,
                    "objectives": [{"ref": "O-1", "title": "Book new ARR", "owner": "sales", "aligned_to": "F1",
                                    "parent": None, "key_results": [
                                        key_result("KR-1", "Deals signed", 12),
                                        key_result("KR-2", "New ARR booked", checkins),
                                        key_result("KR-3", "Pipeline coverage", 12),
                                        key_result("KR-4", "Win rate", 12)]}]}],
    }


async def key_to_paint(app: OkrApp, key: str, ready, after: str = "layout") -> float:
    """Seconds from `key` reaching the app to the end of the first screen update after which
    `ready()` holds: the moment the result is on screen. `after`: "layout" ends at the
    layout's paint (a move that changes sizes); "paint" at the compositor's refresh, for a
    screen that repaints without laying itself out again (the strategy map's cursor)."""
    screen = app.screen
    done: list[float] = []

    def check(*_args) -> None:
        if not done and ready():
            done.append(time.perf_counter())

    if after == "layout":
        screen.screen_layout_refresh_signal.subscribe(app, check, immediate=True)  # after the layout's paint
    else:
        paint = screen._compositor_refresh  # Textual's own paint step: timed from outside, never changed

        def painted() -> None:
            paint()
            check()

        screen._compositor_refresh = painted
    try:
        started = time.perf_counter()
        app.post_message(events.Key(key, None))  # as the terminal driver delivers it
        while not done:
            if time.perf_counter() - started > 10:
                raise TimeoutError(f"{key}: what it should show did not come within 10 s")
            await asyncio.sleep(0)
        return done[0] - started
    finally:
        if after == "layout":
            screen.screen_layout_refresh_signal.unsubscribe(app)
        else:
            del screen._compositor_refresh


async def measure(store: Path, size: tuple[int, int], runs: int, checkins: int) -> dict[str, dict[str, list[float]]]:
    app = OkrApp(Store(store), as_of=AS_OF, user="bench")
    found: dict[str, dict[str, list[float]]] = {}
    async with app.run_test(size=size) as pilot:
        await pilot.press("enter")  # F1's drill-down, the cursor on F1
        await pilot.pause()
        await app.workers.wait_for_complete()  # the cycle's history, read once in a worker
        await pilot.press("down", "down")  # O-1, then KR-1
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DrillScreen)
        tree = screen.query_one("#okr-tree")
        history = screen.query_one(HistoryList)
        pane = screen.query_one(DetailPane)
        for ref, count in (("KR-2", checkins), ("KR-4", 12)):
            # Each run starts on the key result above: KR-1 for KR-2, KR-3 for KR-4.
            if ref == "KR-4":
                await pilot.press("down", "down")
                await pilot.pause()
            times: dict[str, list[float]] = {"show": [], "end at once": [], "end": [], "page": []}
            for _ in range(runs):
                def on_ref() -> bool:
                    return (tree.cursor_node is not None and tree.cursor_node.data == ref
                            and history.checkin_count == count and history.settled)

                def at_end() -> bool:
                    return (history.wrapped_count == count and history.settled
                            and pane.scroll_y == pane.max_scroll_y)

                times["show"].append(await key_to_paint(app, "down", on_ref))
                # end as soon as enter has moved the focus: next to nothing is wrapped ahead yet.
                app.post_message(events.Key("enter", "\r"))
                while app.focused is not pane:
                    await asyncio.sleep(0)
                times["end at once"].append(await key_to_paint(app, "end", at_end))
                await pilot.pause()
                assert app.focused is pane
                oldest = history.lines_text()[-1].strip()
                assert oldest in screen_text(app), f"the oldest check-in ({oldest!r}) is not on screen"

                # Off the key result and back, then a moment in the pane before end, as a person takes.
                await pilot.press("escape", "up", "down", "enter")
                await pilot.pause()
                times["end"].append(await key_to_paint(app, "end", at_end))

                await pilot.press("escape", "up", "down", "enter")
                await pilot.pause()
                while pane.scroll_y < pane.max_scroll_y:
                    before = pane.scroll_y
                    times["page"].append(await key_to_paint(
                        app, "pagedown", lambda: pane.scroll_y != before and history.settled))
                await pilot.press("escape", "up")
                await pilot.pause()
            found[f"{ref} ({count} check-ins)"] = times
    return found


def screen_text(app: OkrApp) -> str:
    """What the screen shows now, from Textual's own screenshot."""
    svg = app.export_screenshot()
    return svg.replace("&#160;", " ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkins", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--size", default="120x40", help="terminal size, COLUMNSxLINES")
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.split("x"))
    with tempfile.TemporaryDirectory(prefix="okrtui-history-") as folder:
        source = Path(folder) / "company.json"
        source.write_text(json.dumps(company(args.checkins)), encoding="utf-8")
        store = Path(folder) / "store" / "okrtui.json"
        subprocess.run([sys.executable, "-m", "okrtui", "import", str(source), "--store", str(store)],
                       check=True, capture_output=True)
        results = asyncio.run(measure(store, (width, height), args.runs, args.checkins))
    print(f"{dt.date.today()} history pane at {width}x{height}, {args.runs} runs; "
          "milliseconds from the key to the screen update showing it, median / slowest:")
    print("| key result | show: down | oldest: enter end at once | oldest: end | pagedown |")
    print("|---|---|---|---|---|")
    for name, times in results.items():
        cells = [f"{statistics.median(times[k]) * 1000:.1f} / {max(times[k]) * 1000:.1f}" for k in
                 ("show", "end at once", "end", "page")]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
