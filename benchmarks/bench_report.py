"""What benchmarks/bench.py prints: §11's targets judged, then the tables they come from."""

from __future__ import annotations

import datetime as dt
import os
import platform
from dataclasses import dataclass, field
from typing import Optional

from bench_stats import Runs, Target, mb, ms, paired_ratio, percentile, secs, spread, table, targets_table

RSS_LIMIT_MB = 250
TASKS = "16,000 tasks"  # the store column of taskwarrior's row


@dataclass
class Results:
    full: bool  # L and everything; False: --scale S
    runs: int
    reps: int
    load: float
    scale_note: str
    big: str  # the largest store's name: L, or S with --scale S
    cli: dict[tuple[str, str], Runs]
    imports: Optional[Runs]
    has_taskwarrior: bool
    inside: list[float]  # check-in key → repaint, timed in the app
    drill: dict[bool, dict]  # by settle: {"code", "objectives", "lines", "seconds"}
    maps: dict[bool, list[float]]
    paints: Optional[dict[str, Runs]] = None  # None: no tmux
    tmux_mine: Optional[Runs] = None
    tmux_bare: Optional[Runs] = None
    notes: list[str] = field(default_factory=list)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def header(r: Results) -> list[str]:
    today = dt.datetime.now(dt.timezone.utc).date()
    return [f"{today} · {platform.machine()} ({cpu_model()}) · {os.cpu_count()} cores · Python "
            f"{platform.python_version()} · load average {r.load:.1f} at the start · {plural(r.runs, 'run')} of each "
            f"whole process and app start (medians, min–max), run in turn; ratios taken run by run · "
            f"{plural(r.reps, 'check-in')} per key-press figure", r.scale_note]


def ratio_text(value: tuple[float, float, float]) -> str:
    return f"{value[0]:.2f}× ({value[1]:.2f}–{value[2]:.2f})"


def judged(figure: str, value: tuple[float, float, float], limit: float) -> Target:
    return Target(figure, ratio_text(value), f"≤ {limit:g}×", value[0] <= limit)


def proc(r: Results, label: str, store: str) -> Runs:
    """The whole-process runs labelled `label` (or starting with it: `report --since` has its date)."""
    keys = [k for k in r.cli if k[1] == store]
    key = next((k for k in keys if k[0] == label), None) or next(k for k in keys if k[0].startswith(label))
    return r.cli[key]


def targets(r: Results) -> list[Target]:
    found: list[Target] = []
    if r.full:
        found.append(judged("`okrtui checkin` L / S", paired_ratio(proc(r, "checkin", "L"), proc(r, "checkin", "S")),
                            1.5))
        if r.has_taskwarrior:
            found.append(judged("`okrtui checkin` on L / `task add` on 16,000 pending tasks",
                                paired_ratio(proc(r, "checkin", "L"), proc(r, "task add", TASKS)), 1))
        else:
            found.append(Target("`okrtui checkin` on L / `task add`", "taskwarrior not on PATH: skipped", "≤ 1×", None))
        found.append(judged("`checkin --file` of 1,000 / one `checkin`, L",
                            paired_ratio(proc(r, "checkin --file", "L"), proc(r, "checkin", "L")), 5))
        found.append(judged("`report --since` / `report`, L",
                            paired_ratio(proc(r, "report --since", "L"), proc(r, "report", "L")), 1))
        found.append(judged("`due` / `report`, L", paired_ratio(proc(r, "due", "L"), proc(r, "report", "L")), 1))
        runs = proc(r, "report --format json", "L")
        found.append(Target("`report --format json` on L", f"{secs(runs.median)} s ({spread(runs.seconds)})",
                            "≤ 2 s", runs.median <= 2))
    if r.paints is None:
        found.append(Target("first painted scorecard (tmux)", "tmux not on PATH: skipped", "", None))
    else:
        found.append(judged("first painted scorecard: S / bare Textual app",
                            paired_ratio(r.paints["S"], r.paints["bare"]), 1.5))
        if r.full:
            found.append(judged("first painted scorecard: L / S", paired_ratio(r.paints["L"], r.paints["S"]), 2))
    if not r.full:
        return found
    p95 = percentile(r.inside, 0.95)
    found.append(Target("check-in key → repaint, in the app, L, p95", f"{ms(p95)} ms", "≤ 50 ms", p95 <= 0.050))
    if r.tmux_mine is not None:
        mine, theirs = percentile(r.tmux_mine.seconds, 0.95), percentile(r.tmux_bare.seconds, 0.95)
        found.append(Target("check-in enter → new score, tmux, p95: L / bare modal app",
                            f"{mine / theirs:.2f}× ({ms(mine)} / {ms(theirs)} ms)", "≤ 1.5×", mine / theirs <= 1.5))
    else:
        found.append(Target("check-in enter → new score, tmux", "tmux not on PATH: skipped", "≤ 1.5×", None))
    for settle, how in ((True, "one move from rest"), (False, "moves back to back")):
        d95, m95 = percentile(r.drill[settle]["seconds"], 0.95), percentile(r.maps[settle], 0.95)
        found.append(Target(f"cursor move, drill-down of {r.drill[settle]['objectives']} objectives, p95 ({how})",
                            f"{ms(d95)} ms", "≤ 33 ms", d95 <= 0.033))
        found.append(Target(f"cursor move, strategy map of 60, p95 ({how})", f"{ms(m95)} ms", "≤ 33 ms",
                            m95 <= 0.033))
    app = [x for x in (r.paints["L"].peak_rss if r.paints else None,
                       r.tmux_mine.peak_rss if r.tmux_mine else None) if x is not None]
    reports = [v.peak_rss for k, v in r.cli.items() if k[1] == "L" and k[0].split()[0] in ("report", "due")]
    checkins = [v.peak_rss for k, v in r.cli.items() if k[1] == "L" and k[0].startswith("checkin")]
    app_kind = f"the app (its start; then `g`, {plural(r.reps, 'check-in')})"
    for kind, values in ((app_kind, app), ("`report` and `due`", reports), ("`checkin`", checkins)):
        rss = max(values) if values else None
        found.append(Target(f"peak RSS, {kind} on L", "not measured (tmux not on PATH)" if rss is None
                            else f"{rss:.0f} MB", f"≤ {RSS_LIMIT_MB} MB", None if rss is None else rss <= RSS_LIMIT_MB))
    return found


def whole_processes(r: Results) -> str:
    rows = [[f"`{'task add' if store == TASKS else 'okrtui ' + label}`", store, secs(v.median), spread(v.seconds),
             mb(v.peak_rss), str(len(v.seconds))] for (label, store), v in r.cli.items()]
    if r.imports is not None:
        rows.append(["`okrtui import` (exempt from the RSS target)", r.big, secs(r.imports.median),
                     spread(r.imports.seconds), mb(r.imports.peak_rss), str(len(r.imports.seconds))])
    return table(["command", "store", "median s", "min–max s", "peak RSS MB", "runs"], rows)


def first_paints(r: Results) -> str:
    names = {"S": "okrtui, S", "L": "okrtui, L", "bare": "bare Textual app (one Static)"}
    rows = [[names[name], secs(v.median), spread(v.seconds), mb(v.peak_rss), str(len(v.seconds))]
            for name, v in r.paints.items()]
    return table(["app", "median s", "min–max s", "peak RSS MB", "runs"], rows)


def key_presses(r: Results) -> str:
    def row(name: str, values: list[float]) -> list[str]:
        return [name, ms(percentile(values, 0.5)), ms(percentile(values, 0.95)), spread(values, ms), str(len(values))]

    rows = [row(f"in the app (headless, timed inside), okrtui, {r.big}", r.inside)]
    if r.tmux_mine is not None:
        rows += [row(f"tmux, from outside: okrtui, {r.big} (`g` ref, `c`, value, enter)", r.tmux_mine.seconds),
                 row("tmux, from outside: bare modal app (Input in a ModalScreen)", r.tmux_bare.seconds)]
    else:
        rows.append(["tmux, from outside: tmux not on PATH: skipped", "", "", "", ""])
    return table(["how", "p50 ms", "p95 ms", "min–max ms", "n"], rows)


def cursor_moves(r: Results) -> str:
    rows = []
    for settle, how in ((True, "one move from rest"), (False, "moves back to back")):
        drill, walk = r.drill[settle], r.maps[settle]
        rows.append([f"drill-down of {drill['code']} ({drill['objectives']} OKR objectives, {drill['lines']:,} "
                     f"lines), {how}", ms(percentile(drill["seconds"], 0.5)), ms(percentile(drill["seconds"], 0.95)),
                     ms(max(drill["seconds"])), str(len(drill["seconds"]))])
        rows.append([f"strategy map of {r.big}, {how}", ms(percentile(walk, 0.5)), ms(percentile(walk, 0.95)),
                     ms(max(walk)), str(len(walk))])
    return table(["view", "p50 ms", "p95 ms", "slowest ms", "moves"], rows)


def render(r: Results) -> str:
    lines = header(r)
    lines += ["", "**Targets**", "", targets_table(targets(r))]
    lines += ["", "**Whole processes** (peak RSS: the largest of the runs)", "", whole_processes(r)]
    if r.paints is None:
        lines += ["", "**App start → first painted scorecard**: tmux not on PATH: skipped"]
    else:
        lines += ["", "**App start → first painted scorecard** (tmux, 120×40, from asking tmux for the window to "
                  "the capture showing it; peak RSS at that moment)", "", first_paints(r)]
    lines += ["", "**Key press that saves a check-in → repainted screen** (tmux: from `send-keys Enter` to the "
              "capture showing the new score)", "", key_presses(r)]
    lines += ["", "**Cursor moves** (in the app, headless, 120×40, from the key to the end of the repaint showing "
              "it; from rest: the screen idle before each key; back to back: as a held key repeats them)", "",
              cursor_moves(r)]
    lines += [""] + r.notes if r.notes else []
    return "\n".join(lines)
