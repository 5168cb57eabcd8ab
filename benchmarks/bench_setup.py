"""The benchmark's stores and environment, all in one temporary directory.

S is the sample (`okrtui init --sample`); L comes from generate_large.py through
`okrtui import`; D is one cycle of L's size where one strategic objective holds all
500 OKR objectives (its drill-down); the taskwarrior database holds 16,000 pending tasks.
Anything big is made by a child process: the parent stays small, because a child's
peak RSS as the kernel reports it includes what its parent held when it was started.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from bench_stats import Runs

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "sample_data" / "acme.json"
TASKS = 16_000


def okrtui_argv() -> list[str]:
    """The installed console script, as a person runs it; else the module."""
    script = Path(sys.executable).parent / "okrtui"
    return [str(script)] if script.exists() else [sys.executable, "-m", "okrtui"]


def base_env(root: Path) -> dict[str, str]:
    """Everything a child may write (settings, caches, taskwarrior's files) stays under `root`."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("TMUX", "TMUX_PANE", "NO_COLOR", "TEXTUAL", "COLUMNS", "LINES", "TASKRC", "TASKDATA")
           and not k.startswith("OKRTUI_") and not k.startswith("XDG_")}
    home = root / "home"
    for name, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_STATE_HOME", ".local/state"),
                      ("XDG_DATA_HOME", ".local/share"), ("XDG_CACHE_HOME", ".cache")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / sub)
    env.update(HOME=str(home), OKRTUI_USER="bench", TERM="xterm-256color")
    return env


@dataclass
class KeyResult:
    ref: str
    start: float
    target: float


@dataclass
class Store:
    name: str
    path: Path
    kr: KeyResult  # a metric key result of the open cycle, for check-ins
    refs: list[str]  # the open cycle's metric key results, for `checkin --file`

    def env(self, base: dict[str, str]) -> dict[str, str]:
        return dict(base, OKRTUI_STORE=str(self.path))


def run(argv: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{what} failed ({' '.join(argv)}):\n{done.stderr}")


def timed_process(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one whole process."""
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a chatty child cannot block on it
        start = time.perf_counter()
        child = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors)
        # wait4 gives this child's own peak RSS, not the largest of every child so far.
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(argv)} failed ({child.returncode}):\n"
                             f"{errors.read().decode('utf-8', 'replace')}")
    return seconds, usage.ru_maxrss / 1024


def sample_store(root: Path, env: dict[str, str]) -> Store:
    doc = json.loads(SAMPLE.read_text(encoding="utf-8"))
    latest = max(doc["cycles"], key=lambda c: c["start"])
    metrics = [(o, k) for o in latest["objectives"] for k in o["key_results"] if k["kind"] == "metric"]
    # An aligned one, so its check-in ripples up to a strategic objective and the overall score.
    _, kr = next((o, k) for o, k in metrics if o["aligned_to"])
    store = Store("S", root / "s" / "okrtui.json", KeyResult(kr["ref"], kr["start"], kr["target"]),
                  [k["ref"] for _, k in metrics])
    run(okrtui_argv() + ["init", "--sample"], store.env(env), "okrtui init --sample")
    return store


def generated(root: Path, env: dict[str, str], name: str, imports: int, **options) -> tuple[Store, Runs]:
    """A generated company imported into a store; `imports` timed imports of it (the first
    makes the store; the others go to scratch stores, removed at once)."""
    source = root / f"{name.lower()}.json"
    argv = [sys.executable, str(HERE / "generate_large.py"), "-o", str(source),
            "--today", dt.datetime.now(dt.timezone.utc).date().isoformat()]
    for key, value in options.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    run(argv, env, f"generating {name}")
    cycles, objectives = options.get("cycles", 8), options.get("objectives", 500)
    krs = cycles * objectives * 4
    # The open cycle is the last: its key results are the last objectives × 4 refs.
    refs = [f"KR-{n}" for n in range(krs - objectives * 4 + 1, krs + 1)]
    store = Store(name, root / name.lower() / "okrtui.json", KeyResult(f"KR-{krs - 2}", 0, 100), refs)
    timings = Runs()
    for index in range(max(1, imports)):
        target = store.path if index == 0 else root / f"scratch-import-{index}" / "okrtui.json"
        timings.add(*timed_process(okrtui_argv() + ["import", str(source)], dict(env, OKRTUI_STORE=str(target))))
        if index:
            shutil.rmtree(target.parent, ignore_errors=True)
    source.unlink()
    return store, timings


def first_write_of_the_day(store: Store, env: dict[str, str]) -> None:
    """The day's first write keeps the day's backup of the whole store (once a day): made
    here, so no timed run pays for it."""
    at = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    run(okrtui_argv() + ["checkin", store.kr.ref, "41", "--at", at], store.env(env), "the first check-in")


def checkin_sheet(root: Path, store: Store, count: int = 1000) -> Path:
    at = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [f"{store.refs[i % len(store.refs)]},{i % 90},,from the metrics job,{at}" for i in range(count)]
    sheet = root / f"{store.name}-checkins.csv"
    sheet.write_text("ref,value,confidence,note,at\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return sheet


@dataclass
class Taskwarrior:
    argv: list[str]  # up to the command: `task rc.data.location=… add …` follows
    env: dict[str, str]


def taskwarrior(root: Path, env: dict[str, str]) -> Optional[Taskwarrior]:
    """A taskwarrior database of 16,000 pending tasks, or None when `task` is not installed."""
    task = shutil.which("task")
    if task is None:
        return None
    folder = root / "taskwarrior"
    folder.mkdir()
    rc = folder / "taskrc"
    rc.write_text("", encoding="utf-8")  # its own empty rc: the user's ~/.taskrc is never read or made
    lines = folder / "tasks.json"
    with lines.open("w", encoding="utf-8") as out:
        for index in range(TASKS):
            out.write(json.dumps({"uuid": str(uuid.UUID(int=index + 1)), "status": "pending",
                                  "description": f"Follow up on item {index}", "project": f"team{index % 40}",
                                  "entry": "20261101T090000Z"}) + "\n")
    tw = Taskwarrior([task, f"rc.data.location={folder / 'data'}", "rc.confirmation=off", "rc.verbose=nothing"],
                     dict(env, TASKRC=str(rc)))
    run(tw.argv + ["import", str(lines)], tw.env, "taskwarrior's import")
    lines.unlink()
    return tw
