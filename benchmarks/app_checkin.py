"""In the app: key press that saves a check-in → repainted screen, p50/p95 (§11).

    python benchmarks/app_checkin.py STORE KR-REF [--runs 30]

Drives the real app headless with Textual's Pilot; the timing itself is taken
inside the app (from the saving key to the refresh that shows the new numbers),
so no pause of the driver is counted.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
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
        for index in range(runs):
            await pilot.press("c")
            await pilot.pause()
            for key in str(100 + index):
                await pilot.press(key)
            await pilot.press("enter")
            while len(app.checkin_seconds) <= index:
                await pilot.pause(0.01)
            # A person does not check in again before the last one is written: let it finish.
            await app.workers.wait_for_complete()
            await pilot.pause()
    return app.checkin_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("store")
    parser.add_argument("ref")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    seconds = sorted(asyncio.run(measure(args.store, args.ref, args.runs)))
    p95 = seconds[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))]
    print(f"{dt.date.today()} check-in key press → repaint over {len(seconds)} runs: "
          f"p50 {statistics.median(seconds) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")


if __name__ == "__main__":
    main()
