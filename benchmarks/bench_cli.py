"""Whole-process timings of the CLI (and of taskwarrior's `task add` beside it).

The commands are run in turn, one of each per round (A, B, C, A, B, C…), so that the
machine's noise (others' work on two shared cores) falls on all of them alike; the
ratios are then taken round by round.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Optional

from bench_setup import Store, Taskwarrior, checkin_sheet, okrtui_argv, timed_process
from bench_stats import Runs

Key = tuple[str, str]  # (command label, store or program)


def commands(root: Path, env: dict[str, str], stores: list[Store], tw: Optional[Taskwarrior],
             full: bool) -> list[tuple[Key, list[str], dict[str, str]]]:
    """What each round runs. `full`: only the check-in on the smaller stores (for L/S);
    everything else on the last (largest) store."""
    at = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    since = (dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=30)).isoformat()
    okrtui = okrtui_argv()
    big = stores[-1]
    found: list[tuple[Key, list[str], dict[str, str]]] = []
    for store in stores:
        found.append((("checkin", store.name), okrtui + ["checkin", store.kr.ref, "42", "--at", at], store.env(env)))
    if tw is not None and full:
        found.append((("task add", "16,000 tasks"), tw.argv + ["add", "Call the supplier", "project:team7"], tw.env))
    sheet = checkin_sheet(root, big)
    for label, args in (("report", ["report"]), (f"report --since {since}", ["report", "--since", since]),
                        ("due", ["due"]), ("report --format json", ["report", "--format", "json"]),
                        ("checkin --file (1,000)", ["checkin", "--file", str(sheet)])):
        found.append(((label, big.name), okrtui + args, big.env(env)))
    return found


def measure(root: Path, env: dict[str, str], stores: list[Store], tw: Optional[Taskwarrior], runs: int,
            full: bool) -> dict[Key, Runs]:
    todo = commands(root, env, stores, tw, full)
    results: dict[Key, Runs] = {key: Runs() for key, _, _ in todo}
    for index in range(runs):
        print(f"  whole processes: round {index + 1} of {runs}", file=sys.stderr)
        for key, argv, child_env in todo:
            results[key].add(*timed_process(argv, child_env))
    return results

