"""`g`'s search, per keystroke, over a company's every cycle (§11's L by default).

    python benchmarks/goto_search.py [--cycles 8] [--objectives 500] [--runs 5]

Builds the company in memory with generate_large.py (no store is written), once with
its generated titles ("Key result 123", where a fuzzy query holds in every item) and
once with the sample company's titles dealt out over the same items (words as people
write them, each title repeated many times). Each query is typed a character at a
time, as the dialog searches it; a keystroke's time is the median of `--runs` searches.
Prints a Markdown table per store: median and slowest keystroke of each query, and
the time to prepare the search (done once, in the dialog's worker).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from itertools import cycle
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate_large import generate  # noqa: E402

from okrtui.app.search import Index, entries  # noqa: E402
from okrtui.interchange.json_io import read_scorecard  # noqa: E402

SAMPLE = HERE.parent / "sample_data" / "acme.json"
BUDGET_MS = 50

QUERIES = {
    "generated": ["KR-15999", "O-12", "key result 1234", "kyrslt1234", "obj 4", "zzzz", "e e e e"],
    "sample titles": ["KR-28", "runbook", "new arr", "nwarr", "new arr bked", "mdn tm frst dsh",
                      "slfsrv", "zzzz", "e e e e"],
}


def with_sample_titles(doc: dict) -> dict:
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    objectives = cycle([o["title"] for c in sample["cycles"] for o in c["objectives"]])
    key_results = cycle([k["title"] for c in sample["cycles"] for o in c["objectives"] for k in o["key_results"]])
    for each in doc["cycles"]:
        for objective in each["objectives"]:
            objective["title"] = next(objectives)
            for kr in objective["key_results"]:
                kr["title"] = next(key_results)
    return doc


def keystrokes(index: Index, query: str, runs: int) -> list[float]:
    """Milliseconds of each keystroke's search while `query` is typed."""
    times = []
    for typed in range(1, len(query) + 1):
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            index.search(query[:typed])
            samples.append((time.perf_counter() - start) * 1000)
        times.append(statistics.median(samples))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=8)
    parser.add_argument("--objectives", type=int, default=500)
    parser.add_argument("--krs", type=int, default=4)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    today = dt.datetime.now(dt.timezone.utc).date()
    print(f"{today} · {platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()}"
          f" · {args.cycles} cycles × {args.objectives} objectives × {args.krs} KRs"
          f" = {args.cycles * args.objectives * args.krs:,} key results"
          f" · load average {os.getloadavg()[0]:.1f} (others' work slows every keystroke)")
    slowest = 0.0
    for name, queries in QUERIES.items():
        doc = generate(60, args.cycles, args.objectives, args.krs, 0, today)
        if name == "sample titles":
            doc = with_sample_titles(doc)
        scorecard = read_scorecard(doc, name)
        found = entries(scorecard.strategy, scorecard.cycles)
        start = time.perf_counter()
        index = Index(found)
        prepared = (time.perf_counter() - start) * 1000
        print(f"\n{name}: {len(found):,} items, search prepared in {prepared:.0f} ms\n")
        print("| query | keystrokes | median ms | slowest ms | first matches |\n|---|---|---|---|---|")
        for query in queries:
            times = keystrokes(index, query, args.runs)
            slowest = max(slowest, max(times))
            shown = ", ".join(m.entry.target for m in index.search(query)[:3]) or "—"
            print(f"| `{query}` | {len(times)} | {statistics.median(times):.1f} | {max(times):.1f} | {shown} |")
    print(f"\nslowest keystroke {slowest:.1f} ms (budget {BUDGET_MS} ms)")


if __name__ == "__main__":
    main()
