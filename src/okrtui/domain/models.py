"""The domain model: one set of Pydantic models that every entry point validates through.

The field order of each model is the order of the interchange format
(§7), so `to_doc()` writes exactly that format.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, ClassVar, Literal, Optional

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    field_serializer,
    field_validator,
    model_validator,
)
from typing_extensions import Annotated

from okrtui.domain.fields import (
    Author,
    Code,
    CycleId,
    Description,
    Name,
    Note,
    Number,
    ShortText,
    Title,
)
from okrtui.domain.terms import (  # noqa: F401  (the models' vocabulary, named here too)
    CONFIDENCES,
    PERSPECTIVE_NAMES,
    PERSPECTIVES,
    LocatedError,
    _located,
    _parse_date,
    format_time,
    parse_confidence,
    parse_time,
    ref_number,
)
from okrtui.domain.text import KEY_RESULT_REF_RE, OBJECTIVE_REF_RE

Perspective = Literal["financial", "customer", "internal_process", "learning_growth"]
Confidence = Literal["on-track", "at-risk", "off-track", "blocked"]
Kind = Literal["metric", "milestone"]

Day = Annotated[dt.date, BeforeValidator(_parse_date)]
Moment = Annotated[dt.datetime, BeforeValidator(parse_time)]


def _ref(pattern: re.Pattern[str], example: str):
    def check(value: Any) -> Any:
        if value is None:
            return value
        if not isinstance(value, str) or not pattern.match(value.strip()):
            raise ValueError(f"{value!r} is not a ref like {example}")
        return value.strip()

    return check


ObjectiveRef = Annotated[str, BeforeValidator(_ref(OBJECTIVE_REF_RE, "O-3"))]
KeyResultRef = Annotated[str, BeforeValidator(_ref(KEY_RESULT_REF_RE, "KR-12"))]


class _Model(BaseModel):
    """Unknown fields are refused; optional fields given as null take their default."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)

    null_is_default: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _null_is_default(cls, data: Any) -> Any:
        if isinstance(data, dict) and cls.null_is_default:
            nulls = [k for k in cls.null_is_default if k in data and data[k] is None]
            if nulls:
                data = {k: v for k, v in data.items() if k not in nulls}
        return data

    def to_doc(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class _Recorded(_Model):
    """What a check-in and a reading share: when, by whom, the value (and a note after)."""

    at: Moment
    author: Author
    value: Number

    null_is_default: ClassVar[frozenset[str]] = frozenset({"note"})

    @field_serializer("at")
    def _at(self, moment: dt.datetime) -> str:
        return format_time(moment)


class Reading(_Recorded):
    """One reading of a measure (KPI): like a check-in, without a confidence."""

    note: Note = ""


class Measure(_Model):
    name: Name
    unit: ShortText = ""
    baseline: Optional[Number] = None
    target: Number
    actual: Optional[Number] = None
    readings: list[Reading] = Field(default_factory=list)

    null_is_default: ClassVar[frozenset[str]] = frozenset({"unit", "actual", "readings"})
    # Kept by the store, which holds the readings apart: the number its readings are
    # filed under (never given out twice), and the latest reading's time.
    _id: Optional[int] = PrivateAttr(default=None)
    _last_at: Optional[dt.datetime] = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _actual_from_readings(self) -> "Measure":
        latest = latest_checkin(self.readings)
        if latest is not None:
            if "actual" not in self.model_fields_set:
                self.actual = latest.value
            self._last_at = latest.at
        return self

    @property
    def last_reading_at(self) -> Optional[dt.datetime]:
        return self._last_at

    @property
    def key(self) -> str:
        """Its name as names are compared: trimmed, any case (§2)."""
        return self.name.strip().casefold()


class StrategicObjective(_Model):
    code: Code
    title: Title
    perspective: Perspective
    description: Description = ""
    owner: ShortText = ""
    drives: list[Code] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)
    initiatives: list[Title] = Field(default_factory=list)

    null_is_default: ClassVar[frozenset[str]] = frozenset({"description", "owner", "drives", "measures", "initiatives"})

    @model_validator(mode="after")
    def _no_self_link(self) -> "StrategicObjective":
        for index, code in enumerate(self.drives):
            if code == self.code:
                raise _located(("drives", index), f"{code} cannot drive itself (self-link)")
        seen: set[str] = set()
        for index, measure in enumerate(self.measures):
            if measure.key in seen:
                raise _located(("measures", index, "name"),
                               f"measure name {measure.name!r} is used twice in {self.code}")
            seen.add(measure.key)
        return self

    def measure(self, name: str) -> Optional[Measure]:
        key = name.strip().casefold()
        return next((m for m in self.measures if m.key == key), None)


class CheckIn(_Recorded):
    confidence: Confidence
    note: Note = ""


def latest_checkin(checkins: list[CheckIn]) -> Optional[CheckIn]:
    """The check-in with the latest time; of equal times the one added last."""
    latest = None
    for checkin in checkins:
        if latest is None or checkin.at >= latest.at:
            latest = checkin
    return latest


class KeyResult(_Model):
    ref: Optional[KeyResultRef] = None
    title: Title
    kind: Kind = "metric"
    start: Number = 0
    target: Number = 1
    current: Number = 0
    unit: ShortText = ""
    weight: Number = 1
    confidence: Confidence = "on-track"
    checkins: list[CheckIn] = Field(default_factory=list)

    null_is_default: ClassVar[frozenset[str]] = frozenset(
        {"ref", "kind", "start", "target", "current", "unit", "weight", "confidence", "checkins"}
    )
    # The latest check-in time, kept by the store when the history is not loaded.
    _last_at: Optional[dt.datetime] = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _require_metric_range(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("kind", "metric") in ("metric", None):
            for name in ("start", "target"):
                if data.get(name) is None:
                    raise _located((name,), "is required for a metric key result")
        return data

    @field_validator("weight")
    @classmethod
    def _positive_weight(cls, weight: float) -> float:
        if weight <= 0:
            raise ValueError(f"weight must be greater than 0, not {weight}")
        return weight

    @model_validator(mode="after")
    def _consistent(self) -> "KeyResult":
        given = self.model_fields_set
        if self.kind == "milestone":
            if self.start != 0 or self.target != 1:
                raise _located(
                    ("start" if self.start != 0 else "target",),
                    "a milestone runs from start 0 to target 1",
                )
            for index, checkin in enumerate(self.checkins):
                if checkin.value not in (0, 1):
                    raise _located(
                        ("checkins", index, "value"),
                        f"{checkin.value} is not done (1) or not done (0)",
                    )
        elif self.target == self.start:
            raise _located(("target",), f"target {self.target} equals start; nothing to measure")
        latest = latest_checkin(self.checkins)
        if "current" not in given:
            self.current = latest.value if latest else self.start
        if "confidence" not in given and latest:
            self.confidence = latest.confidence
        if self.kind == "milestone" and self.current not in (0, 1):
            raise _located(("current",), f"{self.current} is not done (1) or not done (0)")
        if latest is not None:
            # Only a loaded history may set it: pydantic re-runs this validator when a
            # key result loaded without history is nested into a cycle.
            self._last_at = latest.at
        return self

    @property
    def last_checkin_at(self) -> Optional[dt.datetime]:
        return self._last_at


class Objective(_Model):
    ref: Optional[ObjectiveRef] = None
    title: Title
    owner: ShortText = ""
    aligned_to: Optional[Code] = None
    parent: Optional[str] = None
    key_results: list[KeyResult] = Field(default_factory=list)

    null_is_default: ClassVar[frozenset[str]] = frozenset({"ref", "owner", "key_results"})

    @field_validator("parent", mode="before")
    @classmethod
    def _parent_text(cls, value: Any) -> Any:
        # A parent is a ref or, on import, the title of an objective of the cycle.
        if value is not None and not isinstance(value, str):
            raise ValueError("must be a ref or an objective title")
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
        return value


class Cycle(_Model):
    id: CycleId
    start: Day
    end: Day
    closed: StrictBool = False
    objectives: list[Objective] = Field(default_factory=list)

    null_is_default: ClassVar[frozenset[str]] = frozenset({"closed", "objectives"})

    @model_validator(mode="after")
    def _dates(self) -> "Cycle":
        if self.end < self.start:
            raise _located(("end",), f"end {self.end} is before start {self.start}")
        return self


class Scorecard(_Model):
    """The whole store, and the interchange document (§7)."""

    format: Literal["okrtui/1"] = "okrtui/1"
    organization: Optional[Title] = None
    strategy: list[StrategicObjective] = Field(default_factory=list)
    cycles: list[Cycle] = Field(default_factory=list)

    null_is_default: ClassVar[frozenset[str]] = frozenset({"strategy", "cycles"})

    def to_json(self) -> str:
        """Every field, in the format's order, so an export re-imports and re-exports identically."""
        return json.dumps(self.to_doc(), indent=2, ensure_ascii=False) + "\n"
