"""Medians, percentiles and the Markdown the benchmark prints (benchmarks/bench.py)."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Optional


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value at or above `share` of them (p95 of 20 is the 19th)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Runs:
    """One figure's repeated runs: seconds, and each run's peak RSS in MB when known."""

    seconds: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)

    def add(self, seconds: float, rss: Optional[float] = None) -> None:
        self.seconds.append(seconds)
        if rss is not None:
            self.rss.append(rss)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak_rss(self) -> Optional[float]:
        return max(self.rss) if self.rss else None


def paired_ratio(a: Runs, b: Runs) -> tuple[float, float, float]:
    """Median, min and max of a/b over runs made in turn (run i of each, side by side)."""
    ratios = [x / y for x, y in zip(a.seconds, b.seconds) if y > 0]
    return statistics.median(ratios), min(ratios), max(ratios)


def secs(value: float) -> str:
    return f"{value:.3f}"


def ms(value: float) -> str:
    return f"{value * 1000:.1f}"


def spread(values: list[float], unit=secs) -> str:
    return f"{unit(min(values))}–{unit(max(values))}"


def mb(value: Optional[float]) -> str:
    return "—" if value is None else f"{value:.0f}"


@dataclass
class Target:
    figure: str
    measured: str
    target: str
    ok: Optional[bool]  # None: nothing to judge (printed only)


def mark(ok: Optional[bool]) -> str:
    return "" if ok is None else ("✓ pass" if ok else "✗ FAIL")


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def targets_table(targets: list[Target]) -> str:
    return table(["figure", "measured", "target", ""],
                 [[t.figure, t.measured, t.target, mark(t.ok)] for t in targets])
