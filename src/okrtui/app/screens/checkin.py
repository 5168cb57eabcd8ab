"""The check-in dialog (§5, normative), on the shared form screen.

Value (opens empty, focused, current value as placeholder), confidence
(1–4 while it has focus), a one-line note; enter saves, escape cancels.
A bad value keeps the dialog open with the reason beside the field.
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
from okrtui.domain.models import CONFIDENCES, CheckIn, KeyResult
from okrtui.operations import parse_value


@dataclass(frozen=True)
class CheckinRequest:
    ref: str
    value_text: Optional[str]  # None keeps the current value
    confidence: str
    note: str
    pressed_at: float = 0.0  # perf_counter() of the key that saved: the start of a timed check-in


class CheckinDialog(FormScreen):
    FORM_ID = "checkin"
    COMPACT = False  # three fields: room for the framed ones

    def __init__(self, kr: KeyResult, retry: Optional[CheckinRequest] = None, problem: str = "",
                 last: Optional[CheckIn] = None):
        """`retry`: a check-in that could not be saved, shown again as typed, with `problem`;
        `last`: the key result's latest check-in, when its history is at hand."""
        self.kr = kr
        self.last = last
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

    def intro(self) -> Content:
        last, kr = self.last, self.kr
        if last is not None:
            parts: list = [("Last check-in  ", "$text-muted"), look.checkin_line(last, kr.kind)]
            if last.note:
                parts += ["\n", ("  \u201c", "$text-muted"), look.plain(last.note.splitlines()[0]),
                          ("\u201d", "$text-muted")]
            return Content.assemble(*parts)
        if kr.last_checkin_at is not None:
            return Content.styled(f"Last check-in  {kr.last_checkin_at:%Y-%m-%d %H:%M}", "$text-muted")
        return Content.styled("No check-ins yet", "$text-muted")

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
