"""Whole-process timings of the CLI on the sample store (S) and a generated company (L).

    python benchmarks/bench.py [--runs 9] [--cycles 8] [--objectives 500]

Prints a Markdown table of medians and the peak resident set of each command.
Builds its stores in a temporary directory; nothing of yours is touched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OKRTUI = [sys.executable, "-m", "okrtui"]


def timed(args: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median wall seconds and peak RSS (MB) of a command over `runs` runs."""
    times, peak = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # wait4 gives this child's own peak RSS, not the largest of every child so far.
        _, status, usage = os.wait4(child.pid, 0)
        times.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(args)} failed: {child.stderr.read().decode()}")
        child.returncode = 0
        peak = max(peak, usage.ru_maxrss)
    return statistics.median(times), peak / 1024


def _sample_metrics() -> list[str]:
    """The metric key results of the sample's latest cycle (a milestone takes only done/not-done)."""
    doc = json.loads((HERE.parent / "sample_data" / "acme.json").read_text(encoding="utf-8"))
    latest = max(doc["cycles"], key=lambda c: c["start"])
    return [k["ref"] for o in latest["objectives"] for k in o["key_results"] if k["kind"] == "metric"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--cycles", type=int, default=8)
    parser.add_argument("--objectives", type=int, default=500)
    parser.add_argument("--readings", type=int, default=104, help="L's readings per measure (two measures each)")
    args = parser.parse_args()
    today = dt.datetime.now(dt.timezone.utc).date()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        big = root / "large.json"
        # Generated in a child: a parent holding the whole company would inflate
        # every child's measured peak RSS (Linux counts the pre-exec image).
        subprocess.run([sys.executable, str(HERE / "generate_large.py"), "-o", str(big),
                        "--cycles", str(args.cycles), "--objectives", str(args.objectives),
                        "--today", today.isoformat(), "--readings", str(args.readings)], check=True)
        stores = {"S": (root / "s" / "okrtui.json", None), "L": (root / "l" / "okrtui.json", big)}
        for name, (store, source) in stores.items():
            env = dict(os.environ, OKRTUI_STORE=str(store), OKRTUI_USER="bench")
            if source is None:
                subprocess.run(OKRTUI + ["init", "--sample"], env=env, check=True, capture_output=True)
            else:
                subprocess.run(OKRTUI + ["import", str(source)], env=env, check=True, capture_output=True)
            last_kr = 63 if name == "S" else args.cycles * args.objectives * 4
            kr = f"KR-{last_kr - 2}"
            at = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            # The first write of a day keeps the day's backup (a whole export): not what is timed.
            subprocess.run(OKRTUI + ["checkin", kr, "41", "--at", at], env=env, check=True, capture_output=True)
            # 1,000 check-ins on the metric key results of the latest cycle (S has fewer: they repeat).
            refs = _sample_metrics() if name == "S" else \
                [f"KR-{n}" for n in range(last_kr - args.objectives * 4 + 1, last_kr + 1)]
            lines = [f"{refs[i % len(refs)]},{i % 90},,from the metrics job,{at}" for i in range(1000)]
            sheet = root / f"{name}.csv"
            sheet.write_text("ref,value,confidence,note,at\n" + "\n".join(lines) + "\n", encoding="utf-8")
            for label, command in [
                ("checkin", ["checkin", kr, "42", "--at", at]),
                ("checkin --file (1,000)", ["checkin", "--file", str(sheet)]),
                ("measure", ["measure", "F1" if name == "S" else "S1",
                             "Annual recurring revenue" if name == "S" else "Measure of S1", "21", "--at", at]),
                ("report --format json", ["report", "--format", "json"]),
            ]:
                seconds, rss = timed(OKRTUI + command, env, args.runs)
                rows.append((name, label, seconds, rss))
    print(f"{dt.date.today()} · {platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()}"
          f" · L = {args.cycles} cycles × {args.objectives} objectives × 4 KRs × 12 check-ins,"
          f" 2 measures × {args.readings} readings per strategic objective")
    print("| store | command | median s | peak RSS MB |\n|---|---|---|---|")
    for name, label, seconds, rss in rows:
        print(f"| {name} | `okrtui {label}` | {seconds:.3f} | {rss:.0f} |")
    s = {label: sec for name, label, sec, _ in rows if name == "S"}
    l = {label: sec for name, label, sec, _ in rows if name == "L"}
    print(f"\ncheckin L/S = {l['checkin'] / s['checkin']:.2f} (target ≤ 1.5)")
    print(f"checkin --file of 1,000 / one checkin on L = {l['checkin --file (1,000)'] / l['checkin']:.2f} (target ≤ 5)")


if __name__ == "__main__":
    main()
