"""The check-in dialog (§5, normative) and its twin for a measure's reading, on the
shared form screen.

Check-in: value (opens empty, focused, current value as placeholder), confidence
(1–4 while it has focus), a one-line note. Reading: value (a number is required),
note. enter saves, escape cancels; a bad value keeps the dialog open with the
reason beside the field. Both show the last entry above the fields.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Optional

from textual.content import Content

from okrtui.app import look
from okrtui.app.forms import FieldProblem, Form, FormField, Values
from okrtui.app.screens.form import ChoicePicker, FormScreen
from okrtui.domain.models import CONFIDENCES, CheckIn, KeyResult, Measure, Reading
from okrtui.domain.text import parse_number
from okrtui.operations import parse_value


@dataclass(frozen=True)
class CheckinRequest:
    ref: str
    value_text: Optional[str]  # None keeps the current value
    confidence: str
    note: str
    pressed_at: float = 0.0  # perf_counter() of the key that saved: the start of a timed check-in


@dataclass(frozen=True)
class ReadingRequest:
    code: str
    name: str
    value_text: str
    note: str


class ValueDialog(FormScreen):
    """What the check-in and the reading dialogs share: the last entry above a value field."""

    COMPACT = False  # two or three fields: room for the framed ones
    LAST = "Last check-in"
    NONE_YET = "No check-ins yet"
    last: Optional[CheckIn | Reading] = None
    last_at: Optional[dt.datetime] = None  # the latest entry's time, known when the entry itself is not

    def last_line(self, last) -> Content:
        raise NotImplementedError

    def intro(self) -> Content:
        last = self.last
        if last is not None:
            parts: list = [(f"{self.LAST}  ", "$text-muted"), self.last_line(last)]
            if last.note:
                parts += ["\n", ("  \u201c", "$text-muted"), look.plain(_first_words(last.note)),
                          ("\u201d", "$text-muted")]
            return Content.assemble(*parts)
        if self.last_at is not None:
            return Content.styled(f"{self.LAST}  {self.last_at:%Y-%m-%d %H:%M}", "$text-muted")
        return Content.styled(self.NONE_YET, "$text-muted")


class CheckinDialog(ValueDialog):
    FORM_ID = "checkin"

    def __init__(self, kr: KeyResult, retry: Optional[CheckinRequest] = None, problem: str = "",
                 last: Optional[CheckIn] = None):
        """`retry`: a check-in that could not be saved, shown again as typed, with `problem`;
        `last`: the key result's latest check-in, when its history is at hand."""
        self.kr = kr
        self.last = last
        self.last_at = kr.last_checkin_at
        self.retry = retry
        placeholder = ("done" if kr.current == 1 else "not done") if kr.kind == "milestone" \
            else look.number(kr.current)
        fields = [
            FormField("value", "Value", (retry.value_text or "") if retry else "", placeholder,
                      hint=_value_hint(kr)),
            FormField("confidence", "Confidence", retry.confidence if retry else kr.confidence,
                      choices=CONFIDENCES),
            FormField("note", "Note", retry.note if retry else "", "optional"),
        ]
        form = Form(f"Check in {kr.ref}", fields, self._doc, model=CheckIn,
                    keys="enter save (an empty value keeps the current one) \u00b7 escape cancel \u00b7 "
                         "tab next field \u00b7 1\u20134 confidence (on its field)")
        super().__init__(form, problem)

    def heading(self) -> Content:
        kr = self.kr
        return Content.assemble(("Check in ", "bold"), (kr.ref, "bold"), " \u00b7 ", look.plain(kr.title))

    def last_line(self, last: CheckIn) -> Content:
        return look.checkin_line(last, self.kr.kind)

    def picker(self, spec: FormField) -> ChoicePicker:
        return ChoicePicker(spec.choices, spec.value, styles=look.CONFIDENCE_STYLE,
                            symbols=look.CONFIDENCE_SYMBOL, id=spec.name)

    def _doc(self, values: Values) -> dict:
        # The same model the store saves through, so the dialog refuses what the store would.
        text = values.get("value", "")
        try:
            value = parse_value(text, self.kr.kind) if text.strip() else self.kr.current
        except ValueError as exc:
            raise FieldProblem("value", str(exc)) from None
        return {"at": dt.datetime.now(dt.timezone.utc), "author": "check", "value": value,
                "confidence": values.get("confidence") or self.kr.confidence, "note": values.get("note", "")}

    def result(self, values: Values) -> CheckinRequest:
        text = values["value"]
        return CheckinRequest(self.kr.ref, text if text.strip() else None, values["confidence"], values["note"],
                              pressed_at=time.perf_counter())


def _value_hint(kr: KeyResult) -> str:
    if kr.kind == "milestone":
        return "done / not-done"
    unit = f" {kr.unit}" if kr.unit else ""
    return f"{unit}  (start {look.number(kr.start)}, target {look.number(kr.target)})"


class ReadingDialog(ValueDialog):
    """`c` on a measure: a reading of it (value, note), the last reading shown above."""

    FORM_ID = "reading"
    LAST = "Last reading"
    NONE_YET = "No readings yet"

    def __init__(self, code: str, measure: Measure, retry: Optional[ReadingRequest] = None, problem: str = "",
                 last: Optional[Reading] = None):
        """`retry`: a reading that could not be saved, shown again as typed, with `problem`;
        `last`: the measure's latest reading, when its readings are at hand."""
        self.code = code
        self.measure = measure
        self.last = last
        self.last_at = measure.last_reading_at
        unit = f" {measure.unit}" if measure.unit else ""
        fields = [
            FormField("value", "Value", retry.value_text if retry else "",
                      look.number(measure.actual) if measure.actual is not None else "a number",
                      hint=f"{unit}  ({look.number(measure.baseline)} \u2192 target {look.number(measure.target)})"),
            FormField("note", "Note", retry.note if retry else "", "optional"),
        ]
        form = Form(f"Reading of {code} {measure.name}", fields, self._doc, model=Reading,
                    keys="enter save \u00b7 escape cancel \u00b7 tab next field")
        super().__init__(form, problem)

    def heading(self) -> Content:
        return Content.assemble(("Record a reading ", "bold"), (self.code, "bold"), " \u00b7 ",
                                look.plain(self.measure.name))

    def last_line(self, last: Reading) -> Content:
        return look.reading_line(last)

    def _doc(self, values: Values) -> dict:
        # The model the store saves through, so the dialog refuses what the store would.
        text = values.get("value", "")
        if not text.strip():
            raise FieldProblem("value", "a reading needs a number")
        try:
            value = parse_number(text)
        except ValueError as exc:
            raise FieldProblem("value", str(exc)) from None
        return {"at": dt.datetime.now(dt.timezone.utc), "author": "check", "value": value,
                "note": values.get("note", "")}

    def result(self, values: Values) -> ReadingRequest:
        return ReadingRequest(self.code, self.measure.name, values["value"], values["note"])


def _first_words(note: str, most: int = 120) -> str:
    """A note's first line, cut to a line's length: a long note must not push the dialog's fields away."""
    line = note.splitlines()[0] if note.strip() else ""
    return line if len(line) <= most else line[:most - 1] + "\u2026"
