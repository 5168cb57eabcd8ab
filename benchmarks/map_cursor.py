"""Moving the cursor on the strategy map of 60 strategic objectives (§11: within 33 ms at p95).

    python benchmarks/map_cursor.py [--runs 3] [--size 80x24] [--store PATH] [--json]

Builds a store with `okrtui import` from the L generator's strategy (60 strategic
objectives, 15 per perspective, each driving one in the band above) and one cycle of
500 OKR objectives, opens the map with `m` in the real app (headless, Textual's Pilot)
and times each arrow key from the key event to the end of the screen update that
shows the cursor on its new box; the walk goes right along each row, down through
every band and back up. Prints p50, p95 and the slowest move. `--store` walks the map
of a store made elsewhere (the benchmark's L) instead; `--json` prints each move's seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_large import generate  # noqa: E402
from history_pane import key_to_paint  # noqa: E402

from okrtui.app.app import OkrApp  # noqa: E402
from okrtui.app.screens.strategy_map import MapScreen  # noqa: E402
from okrtui.store import Store  # noqa: E402

AS_OF = dt.date(2026, 11, 20)


async def measure(store: Path, size: tuple[int, int], runs: int, as_of: dt.date | None = AS_OF,
                  settle: bool = False) -> list[float]:
    """`settle`: let the screen go idle after each move, so each is timed from rest (not
    behind the previous move's last paints, as when a held key repeats)."""
    app = OkrApp(Store(store), as_of=as_of, user="bench")
    times: list[float] = []
    async with app.run_test(size=size) as pilot:
        await pilot.press("m")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MapScreen)
        steps = {"right": (0, 1), "left": (0, -1), "down": (1, 0), "up": (-1, 0)}
        for _ in range(runs):
            # Zigzag along every row of every band, then all the way back up.
            walk = ["right", "down", "left", "down"] * 40 + ["up"] * 40
            for key in walk:
                while True:
                    target = screen.target_of(*steps[key])
                    if target is None or target[0] is None:
                        break
                    code = target[0]

                    def moved(code=code) -> bool:
                        box = screen._boxes.get(code)
                        return screen.cursor == code and box is not None and box.has_class("-cursor")

                    times.append(await key_to_paint(app, key, moved, after="paint"))
                    if settle:
                        await pilot.pause()
                    if key in ("up", "down"):
                        break
    return times


def built_and_walked(size: tuple[int, int], runs: int, settle: bool) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="okrtui-map-") as folder:
        source = Path(folder) / "company.json"
        source.write_text(json.dumps(generate(60, 1, 500, 4, 3, AS_OF)), encoding="utf-8")
        store = Path(folder) / "store" / "okrtui.json"
        subprocess.run([sys.executable, "-m", "okrtui", "import", str(source), "--store", str(store)],
                       check=True, capture_output=True)
        return asyncio.run(measure(store, size, runs, settle=settle))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", default="80x24", help="terminal size, COLUMNSxLINES")
    parser.add_argument("--store", type=Path, help="an existing store (default: build one)")
    parser.add_argument("--settle", action="store_true", help="time each move from an idle screen")
    parser.add_argument("--json", action="store_true", help="print the seconds of each move as JSON")
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.split("x"))
    if args.store is not None:
        # A store made elsewhere has its own dates: as of today.
        times = asyncio.run(measure(args.store, (width, height), args.runs, as_of=None, settle=args.settle))
    else:
        times = built_and_walked((width, height), args.runs, args.settle)
    if args.json:
        print(json.dumps(times))
        return
    ordered = sorted(times)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(f"{dt.date.today()} strategy map, 60 strategic objectives, {width}x{height}, {len(times)} moves: "
          f"p50 {statistics.median(times) * 1000:.1f} ms \u00b7 p95 {p95 * 1000:.1f} ms \u00b7 "
          f"slowest {ordered[-1] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
