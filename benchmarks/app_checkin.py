"""In the app: key press that saves a check-in → repainted screen, p50/p95 (§11).

    python benchmarks/app_checkin.py STORE KR-REF [--runs 30] [--json]

Drives the real app headless with Textual's Pilot; the timing itself is taken
inside the app (from the saving key to the refresh that shows the new numbers),
so no pause of the driver is counted. The values typed take turns at 30% and 70%
of the way from the key result's start to its target, so every check-in moves
its score and the scores it ripples to. `--json` prints the seconds, one per run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics

from okrtui.app.app import OkrApp
from okrtui.store import Store


SIZE = (120, 40)


async def measure(store: str, ref: str, runs: int) -> list[float]:
    app = OkrApp(Store(store), user="bench")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app._goto(ref)
        await pilot.pause()
        kr = app.board.key_result(ref)[1]
        for index in range(runs):
            await pilot.press("c")
            await pilot.pause()
            for key in typed_value(kr.start, kr.target, 0.3 if index % 2 else 0.7):
                await pilot.press(key)
            await pilot.press("enter")
            while len(app.checkin_seconds) <= index:
                await pilot.pause(0.01)
            # A person does not check in again before the last one is written: let it finish.
            await app.workers.wait_for_complete()
            await pilot.pause()
    return app.checkin_seconds


def typed_value(start: float, target: float, share: float) -> str:
    """The value `share` of the way from start to target, as a person would type it."""
    value = start + share * (target - start)
    return f"{value:.0f}" if abs(target - start) >= 10 else f"{value:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("store")
    parser.add_argument("ref")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--json", action="store_true", help="print the seconds of each run as JSON")
    args = parser.parse_args()
    seconds = asyncio.run(measure(args.store, args.ref, args.runs))
    if args.json:
        print(json.dumps(seconds))
        return
    seconds = sorted(seconds)
    p95 = seconds[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))]
    print(f"{dt.date.today()} check-in key press → repaint over {len(seconds)} runs: "
          f"p50 {statistics.median(seconds) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")


if __name__ == "__main__":
    main()
