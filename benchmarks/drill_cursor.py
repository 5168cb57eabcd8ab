"""Moving the cursor in the drill-down of one strategic objective (§11: within 33 ms at p95).

    python benchmarks/drill_cursor.py STORE [--code S1] [--moves 200] [--runs 1] [--size 120x40] [--json]

Opens the drill-down of `--code` (default: the strategic objective with the most OKR
objectives this cycle) in the real app, headless with Textual's Pilot, and times each
`down` and then each `up` key, `--moves` of each per run, from the key event to the end
of the first screen update that shows the cursor on its new line with the detail pane
(and, on a key result, its check-in history, laid out at its height) for that item.
Moves follow each other at once, as a held key repeats them (each then waits for what
the one before left to paint); `--settle` lets the screen go idle first, timing each
move from rest.
`benchmarks/bench.py` builds a store where one strategic objective holds 500 OKR
objectives (2,000 key results) with `generate_large.py --align-all S1`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from history_pane import key_to_paint  # noqa: E402

from okrtui.app.app import OkrApp  # noqa: E402
from okrtui.app.screens.drilldown import DrillScreen  # noqa: E402
from okrtui.app.widgets.history import HistoryList  # noqa: E402
from okrtui.app.widgets.tree import OkrTree  # noqa: E402
from okrtui.store import Store  # noqa: E402


async def measure(store: Path, code: str | None, moves: int, runs: int, size: tuple[int, int],
                  settle: bool = False) -> dict:
    app = OkrApp(Store(store), user="bench")
    times: list[float] = []
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        board = app.board
        code = code or max(board.scores.okr_count, key=board.scores.okr_count.get)
        app.open_drilldown(code)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DrillScreen)
        # The first key result read loads the cycle's history in a worker: not what a move costs.
        await app.workers.wait_for_complete()
        await pilot.pause()
        tree = screen.query_one(OkrTree)
        history = screen.query_one(HistoryList)
        lines = tree.last_line + 1
        objectives = sum(1 for _ in board.thread_of(code))
        steps = min(moves, lines - 1)  # a small store's tree has fewer lines than asked for

        def shown(line: int):
            def ready() -> bool:
                node = tree.cursor_node
                if tree.cursor_line != line or node is None or screen._detail_key != node.data:
                    return False
                if not tree.scroll_y <= line < tree.scroll_y + tree.scrollable_content_region.height:
                    return False
                if isinstance(node.data, str) and node.data.startswith("KR-"):
                    return history.settled
                return True
            return ready

        for _ in range(runs):
            tree.move_cursor_to_line(0)
            await pilot.pause()
            for key, step in (("down", 1), ("up", -1)):
                for _ in range(steps):
                    times.append(await key_to_paint(app, key, shown(tree.cursor_line + step), after="paint"))
                    if settle:
                        await pilot.pause()
    return {"code": code, "objectives": objectives, "lines": lines, "seconds": times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("store", type=Path)
    parser.add_argument("--code", help="the strategic objective (default: the one with the most OKRs)")
    parser.add_argument("--moves", type=int, default=200, help="downs, then as many ups, per run")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--size", default="120x40", help="terminal size, COLUMNSxLINES")
    parser.add_argument("--settle", action="store_true", help="time each move from an idle screen")
    parser.add_argument("--json", action="store_true", help="print the result (seconds of each move) as JSON")
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.split("x"))
    found = asyncio.run(measure(args.store, args.code, args.moves, args.runs, (width, height), args.settle))
    if args.json:
        print(json.dumps(found))
        return
    ordered = sorted(found["seconds"])
    p95 = ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]
    print(f"drill-down of {found['code']} ({found['objectives']} OKR objectives, {found['lines']} lines), "
          f"{width}x{height}, {len(ordered)} moves: p50 {statistics.median(ordered) * 1000:.1f} ms · "
          f"p95 {p95 * 1000:.1f} ms · slowest {ordered[-1] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
