"""Timings taken inside the app (headless, Textual's Pilot), each script in a child process.

A child each: the app holding a large store must not swell this process (whose size
every later child's reported peak RSS would include), and each starts cold, as the app does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench_setup import Store

HERE = Path(__file__).resolve().parent


def _json_of(script: str, args: list[str], env: dict[str, str]) -> object:
    done = subprocess.run([sys.executable, str(HERE / script), *args, "--json"], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{script} {' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def checkin_seconds(store: Store, env: dict[str, str], reps: int) -> list[float]:
    """Key press that saves a check-in → the repaint showing every new number (app_checkin.py)."""
    return _json_of("app_checkin.py", [str(store.path), store.kr.ref, "--runs", str(reps)], env)


def drill_seconds(store: Store, env: dict[str, str], code: str | None, moves: int, settle: bool) -> dict:
    args = [str(store.path), "--moves", str(moves), "--size", "120x40"]
    if code:
        args += ["--code", code]
    return _json_of("drill_cursor.py", args + (["--settle"] if settle else []), env)


def map_seconds(store: Store, env: dict[str, str], runs: int, settle: bool) -> list[float]:
    args = ["--store", str(store.path), "--runs", str(runs), "--size", "120x40"]
    return _json_of("map_cursor.py", args + (["--settle"] if settle else []), env)
