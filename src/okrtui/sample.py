"""The sample company, moved in time so that its latest cycle contains today (§6, §10)."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from okrtui.assets import asset_dir
from okrtui.domain.models import format_time, parse_time

SAMPLE_NAME = "acme.json"
_QUARTER_ID = re.compile(r"^(\d{4})-Q([1-4])$")


def sample_path() -> Path:
    return asset_dir("sample_data") / SAMPLE_NAME


def _shift_date(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    # A quarter that ends on the 30th of September ends on the 31st of December.
    is_month_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return dt.date(year, month + 1, last if is_month_end else min(day.day, last))


def _quarter(day: dt.date) -> int:
    return day.year * 4 + (day.month - 1) // 3


def shifted_sample(now: dt.datetime) -> dict[str, Any]:
    """The sample document with every date moved by whole quarters.

    Check-ins that would land after `now` are left out: a demo store must
    hold no check-in from the future.
    """
    doc = json.loads(sample_path().read_text(encoding="utf-8"))
    latest = max(doc["cycles"], key=lambda c: c["start"])
    quarters = _quarter(now.date()) - _quarter(dt.date.fromisoformat(latest["start"]))
    months = 3 * quarters
    for strategic in doc["strategy"]:
        for measure in strategic["measures"]:
            if measure.get("readings"):
                measure["readings"] = _moved(measure["readings"], months, now)
                del measure["actual"]  # the latest reading's, of those kept
    for cycle in doc["cycles"]:
        start = _shift_date(dt.date.fromisoformat(cycle["start"]), months)
        cycle["start"] = start.isoformat()
        cycle["end"] = _shift_date(dt.date.fromisoformat(cycle["end"]), months).isoformat()
        if _QUARTER_ID.match(cycle["id"]):
            cycle["id"] = f"{start.year}-Q{(start.month - 1) // 3 + 1}"
        for objective in cycle["objectives"]:
            for kr in objective["key_results"]:
                kr["checkins"] = _moved(kr["checkins"], months, now)
    return doc


def _moved(entries: list[dict[str, Any]], months: int, now: dt.datetime) -> list[dict[str, Any]]:
    """Check-ins or readings moved by `months`, less those that would land after `now`."""
    kept = []
    for entry in entries:
        moment = parse_time(entry["at"])
        moved = dt.datetime.combine(_shift_date(moment.date(), months), moment.timetz())
        if moved <= now:
            entry["at"] = format_time(moved)
            kept.append(entry)
    return kept
