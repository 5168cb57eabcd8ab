"""The domain's vocabulary and its rules for times and values, without Pydantic.

The models are built on these; the quick check-in of the command line
(store/quick.py) applies the very same functions without building the models'
classes, which costs more than the whole check-in.
"""

from __future__ import annotations

import datetime as dt
import re
TYPE_CHECKING = False  # typing's flag without loading typing: the quick check-in counts its imports
if TYPE_CHECKING:
    from typing import Any, Optional

from okrtui.domain.text import parse_number

PERSPECTIVES: tuple[str, ...] = ("financial", "customer", "internal_process", "learning_growth")
PERSPECTIVE_NAMES: dict[str, str] = {
    "financial": "Financial",
    "customer": "Customer",
    "internal_process": "Internal Process",
    "learning_growth": "Learning & Growth",
}
CONFIDENCES: tuple[str, ...] = ("on-track", "at-risk", "off-track", "blocked")



def parse_confidence(text: str) -> str:
    """A confidence as people type it: the key in any case, spaces for dashes, or 1-4."""
    word = re.sub(r"[\s_]+", "-", text.strip().lower())
    if word in {"1", "2", "3", "4"}:
        return CONFIDENCES[int(word) - 1]
    if word in CONFIDENCES:
        return word
    raise ValueError(f"{text!r} is not one of on-track, at-risk, off-track, blocked (or 1-4)")



_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _DATE_RE.match(value.strip()):
        raise ValueError(f"{value!r} is not a date of the form YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid date ({exc})") from None


def parse_time(value: Any) -> dt.datetime:
    """An ISO 8601 time; one without a zone is UTC. Always returned in UTC."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not an ISO 8601 time")
        text = value.strip()
        if len(text) < 10:
            raise ValueError(f"{value!r} is not an ISO 8601 time")
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    try:
        utc = moment.astimezone(dt.timezone.utc)
        utc + dt.timedelta(days=1)  # room for the day arithmetic of scoring, both ways
        utc - dt.timedelta(days=1)
    except OverflowError:
        raise ValueError(f"{value!r} is outside the times okrtui can record (0001-01-02 to 9999-12-30, UTC)") from None
    return utc


def format_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def ref_number(ref: str) -> int:
    return int(ref.split("-", 1)[1])


# A check-in or reading may be stamped up to this far ahead of the clock (another
# machine's clock running fast); past it a time is refused as in the future.
FUTURE_SLACK = dt.timedelta(minutes=5)


def present_time(latest: Optional[dt.datetime], now: dt.datetime) -> dt.datetime:
    """When a check-in or reading made now is recorded: now — or, when another machine's clock
    ran ahead and put the `latest` one up to FUTURE_SLACK in the future, that latest time,
    so the new one still becomes current (ties go to the one added last, §2)
    instead of being taken for a back-dated one."""
    if latest is not None and now < latest <= now + FUTURE_SLACK:
        return latest
    return now


def parse_value(text: str, kind: str) -> int | float:
    """A check-in value for a key result of `kind`."""
    if kind == "milestone":
        word = text.strip().lower()
        if word in ("done", "1"):
            return 1
        if word in ("not-done", "not done", "0"):
            return 0
        try:
            number = parse_number(text)
        except ValueError:
            number = None
        if number in (0, 1):
            return int(number)
        raise ValueError(f"{text!r} is not done or not-done (1 or 0) for a milestone")
    return parse_number(text)


class LocatedError(ValueError):
    """A validation failure that knows where below the model it happened."""

    def __init__(self, loc: tuple[Any, ...], message: str):
        super().__init__(message)
        self.loc = loc
        self.message = message


def _located(loc: tuple[Any, ...], message: str) -> ValueError:
    return LocatedError(loc, message)
