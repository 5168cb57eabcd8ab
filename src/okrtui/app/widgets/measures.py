"""How a strategic objective's measures (KPIs) read in the drill-down: the tree line, the
detail pane of one measure, and the lines of the strategic objective's own detail.

Readings may not be read yet (a worker reads them): every function takes `readings=None`
for that and shows what the measure itself knows.
"""

from __future__ import annotations

from typing import Optional, Sequence

from textual.content import Content

from okrtui.app import look
from okrtui.app.widgets.history import newest_first
from okrtui.domain.models import Measure, Reading, StrategicObjective, latest_checkin
from okrtui.domain.scoring import measure_attainment

PREFIX = "measure:"  # a measure's node data: never a ref or a code, which have no colon
TREND_WIDTH = 8


def node_key(measure: Measure) -> str:
    return PREFIX + measure.name


def measure_of(strategic: Optional[StrategicObjective], key: Optional[str]) -> Optional[Measure]:
    """The measure a node key names, if `key` is a measure's and the measure is still there."""
    if strategic is None or not is_measure_key(key):
        return None
    return strategic.measure(key[len(PREFIX):])


def is_measure_key(key: Optional[str]) -> bool:
    return bool(key and key.startswith(PREFIX))


def with_unit(value: Optional[float], unit: str) -> str:
    return f"{look.number(value)} {unit}" if unit and value is not None else look.number(value)


def in_time_order(readings: Sequence[Reading]) -> list[Reading]:
    # A back-dated reading joins the history where its time puts it (ties: the order added).
    return list(reversed(newest_first(readings)))


def label(measure: Measure) -> Content:
    """`KPI ▲ 0.49 Annual recurring revenue  21.4 $M`, like an objective's line: marker, score, name."""
    return Content.assemble(("KPI ", "bold"), look.score(measure_attainment(measure)), " ",
                            look.plain(measure.name), "  ", look.plain(with_unit(measure.actual, measure.unit)))


def summary(measure: Measure, readings: Optional[Sequence[Reading]]) -> Content:
    """Two lines of the strategic objective's detail: attainment, trend and name; the numbers.
    The trend keeps its column while the readings are still being read, so nothing shifts."""
    values = [float(r.value) for r in in_time_order(readings)] if readings else []
    trend = look.trend(values, TREND_WIDTH)
    return Content.assemble(
        "  ", look.score(measure_attainment(measure)), " ", (trend.ljust(TREND_WIDTH), "$text-muted"), " ",
        look.plain(measure.name), "\n",
        " " * (4 + look.SCORE_WIDTH + TREND_WIDTH), look.plain(_numbers(measure), "$text-muted"))


def _numbers(measure: Measure) -> str:
    return (f"{look.number(measure.baseline)} \u2192 {with_unit(measure.target, measure.unit)}, "
            f"actual {with_unit(measure.actual, measure.unit)}")


def detail(strategic: StrategicObjective, measure: Measure, readings: Optional[Sequence[Reading]]) -> Content:
    """The detail pane's text for one measure (the sparkline and the history come below it)."""
    parts: list = [
        ("KPI ", "bold"), look.plain(measure.name, "bold"), "\n",
        "of ", (strategic.code, "bold"), " ", look.plain(strategic.title), "\n",
        "Attainment ", look.score(measure_attainment(measure), words=True), "\n",
        look.plain(f"baseline {with_unit(measure.baseline, measure.unit)} \u00b7 target "
                   f"{with_unit(measure.target, measure.unit)} \u00b7 actual {with_unit(measure.actual, measure.unit)}"),
        "\n",
    ]
    latest = latest_checkin(list(readings)) if readings else None
    if latest is not None:
        parts += [("Last reading ", "$text-muted"), look.reading_line(latest)]
    elif measure.last_reading_at is not None:
        parts += [("Last reading ", "$text-muted"), (f"{measure.last_reading_at:%Y-%m-%d %H:%M}", "$text-muted")]
    else:
        parts += [("No readings yet: c records one", "$text-muted")]
    return Content.assemble(*parts)
