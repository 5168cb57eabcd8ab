"""Every performance figure of the README's "Performance" targets, each beside its target, in one command.

    make bench    # or: python benchmarks/bench.py [--runs 9] [--reps 20] [--scale L|S]

Builds, in a temporary directory, the sample store (S), the generated company (L:
60 strategic objectives, 8 cycles × 500 objectives × 4 key results, 12 check-ins each,
2 measures × 104 readings per strategic objective), a one-cycle store where one
strategic objective holds all 500 objectives (for its drill-down) and, when `task` is
installed, a taskwarrior database of 16,000 pending tasks. Then it times:

- whole processes (`okrtui checkin`, `report`, `report --since`, `due`, `report
  --format json`, `checkin --file` of 1,000; taskwarrior's `task add`), run in turn,
  `--runs` rounds, with each process's peak RSS; `okrtui import` of L (up to 3 runs);
- in tmux (read from outside): app start → first painted scorecard (S, L, a bare
  Textual app), `--runs` rounds; enter that saves a check-in → new score on screen in
  okrtui on L and in a bare modal app, `--reps` each, in turn;
- inside the app: key press that saves a check-in → repaint (`--reps`), and cursor
  moves in the drill-down and on the strategy map.

Prints Markdown (medians with min–max; p50/p95 for per-key timings) to paste into
the README; progress goes to stderr. `--scale S` times only the S figures (and the
S versions of the rest, fewer of each): the smoke test's run. Nothing of yours is
touched: every store, setting and cache lives in the temporary directory.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_cli  # noqa: E402
import bench_inproc  # noqa: E402
import bench_setup  # noqa: E402
import tmux_term  # noqa: E402
from bench_report import Results, render  # noqa: E402


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9, help="rounds of whole processes and app starts")
    parser.add_argument("--reps", type=int, help="check-ins timed per figure (default 20; 3 with --scale S)")
    parser.add_argument("--scale", choices=("L", "S"), default="L", help="S: only the S figures, quickly")
    parser.add_argument("--moves", type=int, help="cursor moves down (then as many up) in the drill-down "
                        "(default 200; 10 with --scale S)")
    parser.add_argument("--cycles", type=int, default=8)
    parser.add_argument("--objectives", type=int, default=500)
    parser.add_argument("--readings", type=int, default=104, help="L's readings per measure (two measures each)")
    args = parser.parse_args()
    full = args.scale == "L"
    reps = args.reps or (20 if full else 3)
    moves = args.moves or (200 if full else 10)
    began = time.perf_counter()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="okrtui-bench-") as folder:
        root = Path(folder)
        env = bench_setup.base_env(root)
        say("building S")
        stores = [bench_setup.sample_store(root, env)]
        imports = None
        drill_store, drill_code = stores[0], None  # on S: its strategic objective with the most OKRs
        if full:
            say("building L (generate, then import)")
            big, imports = bench_setup.generated(root, env, "L", imports=min(3, args.runs), cycles=args.cycles,
                                                 objectives=args.objectives, readings=args.readings)
            stores.append(big)
            say("building the store where one strategic objective holds every objective")
            drill_store, _ = bench_setup.generated(root, env, "D", imports=1, cycles=1, objectives=args.objectives,
                                                   readings=args.readings, align_all="S1")
            drill_code = "S1"
        for store in stores:
            bench_setup.first_write_of_the_day(store, env)
        tw = bench_setup.taskwarrior(root, env) if full else None
        biggest = stores[-1]
        if full and tw is None:
            say("taskwarrior not on PATH: skipped")

        say("whole processes")
        results = Results(full=full, runs=args.runs, reps=reps, load=load, big=biggest.name,
                          scale_note=scale_note(args, full),
                          cli=bench_cli.measure(root, env, stores, tw, args.runs, full), imports=imports,
                          has_taskwarrior=tw is not None, inside=[], drill={}, maps={})
        if tmux_term.available():
            from bench_tmux import measure as from_outside

            say("in tmux")
            results.paints, results.tmux_mine, results.tmux_bare = from_outside(env, stores, biggest, args.runs, reps)
        else:
            say("tmux not on PATH: skipped")
        say("inside the app: check-ins")
        results.inside = bench_inproc.checkin_seconds(biggest, env, reps)
        say("inside the app: cursor moves")
        for settle in (True, False):
            results.drill[settle] = bench_inproc.drill_seconds(drill_store, env, drill_code, moves, settle)
            results.maps[settle] = bench_inproc.map_seconds(biggest, env, 2 if full else 1, settle)
    took = time.perf_counter() - began
    results.notes.append(f"The benchmark took {took / 60:.1f} min.")
    print(render(results))


def scale_note(args, full: bool) -> str:
    if not full:
        return "--scale S: the S figures only, and the S versions of the others, fewer of each (the smoke test's run)"
    return (f"L = 60 strategic objectives, {args.cycles} cycles × {args.objectives} OKR objectives × 4 key results, "
            f"12 check-ins each, 2 measures × {args.readings} readings per strategic objective; the drill-down's "
            f"store: one cycle of {args.objectives} objectives, all serving S1")


if __name__ == "__main__":
    main()
