"""How long a small check-in waits beside a maximal cycle (20,000 key results).

    python benchmarks/lock_wait.py [--rounds 5]

Builds, in a temporary directory, a store holding one maximal cycle (5,000
objectives × 4 key results, 12 check-ins each) and four small cycles. Then,
while one process checks in on the maximal cycle again and again and another
imports small sheets (each import keeps a backup of the whole store), four
processes check in on the small cycles at the same time. Prints the small
check-ins' wall times (median and max) and how many failed; a check-in fails
when it waits more than 10 s for the lock.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate_large import generate  # noqa: E402

OKRTUI = [sys.executable, "-m", "okrtui"]
SMALL = ["team-a", "team-b", "team-c", "team-d"]


def run(*args: str, env: dict[str, str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    done = subprocess.run([*OKRTUI, *args], env=env, capture_output=True, text=True)
    return time.perf_counter() - start, done.returncode, done.stderr.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="check-ins per small writer")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="okrtui-lock-") as tmp:
        folder = Path(tmp)
        store = folder / "okrtui.json"
        env = dict(os.environ, OKRTUI_STORE=str(store), OKRTUI_USER="bench")
        big = folder / "max.json"
        today = dt.datetime.now(dt.timezone.utc).date()
        big.write_text(json.dumps(generate(60, 1, 5000, 4, 12, today)), encoding="utf-8")
        seconds, code, err = run("import", str(big), env=env)
        assert code == 0, err
        print(f"import of the maximal cycle: {seconds:.1f} s")
        small = folder / "small.json"
        window = {"start": (today - dt.timedelta(days=10)).isoformat(), "end": (today + dt.timedelta(days=30)).isoformat()}
        small.write_text(json.dumps({"format": "okrtui/1", "cycles": [
            {"id": c, **window, "objectives": [{"title": f"Small {c}", "key_results": [
                {"title": "k", "start": 0, "target": 100}]}]} for c in SMALL]}), encoding="utf-8")
        seconds, code, err = run("import", str(small), env=env)
        assert code == 0, err
        print(f"import of four small cycles (with a backup of the whole store first): {seconds:.1f} s")
        first_small_kr = 20_001  # refs continue above the maximal cycle's

        stop = threading.Event()
        big_times: list[float] = []
        import_times: list[float] = []

        def big_writer() -> None:
            n = 0
            while not stop.is_set():
                n += 1
                seconds, code, err = run("checkin", f"KR-{1 + n % 20_000}", str(n % 100), env=env)
                big_times.append(seconds)

        def importer() -> None:
            n = 0
            while not stop.is_set():
                n += 1
                sheet = folder / f"more-{n}.json"
                sheet.write_text(json.dumps({"format": "okrtui/1", "cycles": [
                    {"id": SMALL[0], **window, "objectives": [{"title": f"More {n}", "key_results": []}]}]}),
                    encoding="utf-8")
                seconds, code, err = run("import", str(sheet), env=env)
                import_times.append(seconds)

        small_times: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()

        def small_writer(index: int) -> None:
            for n in range(args.rounds):
                seconds, code, err = run("checkin", f"KR-{first_small_kr + index}", str(10 + n), env=env)
                with lock:
                    small_times.append(seconds)
                    if code != 0:
                        failures.append(err)

        background = [threading.Thread(target=big_writer), threading.Thread(target=importer)]
        for thread in background:
            thread.start()
        time.sleep(2)  # let the large writes get going first
        writers = [threading.Thread(target=small_writer, args=(i,)) for i in range(4)]
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join()
        stop.set()
        for thread in background:
            thread.join()
        print(f"check-ins on the maximal cycle meanwhile: {len(big_times)}, "
              f"median {statistics.median(big_times):.2f} s, max {max(big_times):.2f} s")
        print(f"imports meanwhile: {len(import_times)}, median {statistics.median(import_times):.2f} s, "
              f"max {max(import_times):.2f} s")
        print(f"4 small writers x {args.rounds} check-ins: median {statistics.median(small_times):.2f} s, "
              f"max {max(small_times):.2f} s, failed {len(failures)}")
        for failure in failures[:3]:
            print(f"  {failure}")


if __name__ == "__main__":
    main()
