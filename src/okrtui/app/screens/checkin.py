"""The check-in dialog (§5, normative).

Value (opens empty, focused, current value as placeholder), confidence
(1–4 while it has focus), a one-line note; enter saves, escape cancels.
A bad value keeps the dialog open with the reason beside the field.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Optional

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from okrtui.app import look
from okrtui.domain.errors import located_messages
from okrtui.domain.models import CONFIDENCES, CheckIn, KeyResult
from okrtui.operations import parse_value


@dataclass(frozen=True)
class CheckinRequest:
    ref: str
    value_text: Optional[str]  # None keeps the current value
    confidence: str
    note: str
    pressed_at: float = 0.0  # perf_counter() of the key that saved: the start of a timed check-in


class ConfidencePicker(Widget, can_focus=True):
    """Four confidences in a row; 1–4 (or left/right) pick one while this has focus."""

    BINDINGS = [
        *[Binding(str(n), f"pick({n - 1})", name, show=False) for n, name in enumerate(CONFIDENCES, 1)],
        Binding("left", "step(-1)", "Previous", show=False),
        Binding("right", "step(1)", "Next", show=False),
    ]

    value: reactive[str] = reactive("on-track")

    def render(self) -> Content:
        parts: list = []
        for number, name in enumerate(CONFIDENCES, 1):
            chosen = name == self.value
            style = f"reverse {look.CONFIDENCE_STYLE[name]}" if chosen else "$text-muted"
            parts += [(f" {number} {look.CONFIDENCE_SYMBOL[name]} {name} ", style), " "]
        return Content.assemble(*parts)

    def action_pick(self, index: int) -> None:
        self.value = CONFIDENCES[index]

    def action_step(self, delta: int) -> None:
        self.value = CONFIDENCES[(CONFIDENCES.index(self.value) + delta) % len(CONFIDENCES)]


class CheckinDialog(ModalScreen[Optional[CheckinRequest]]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "save", "Save", priority=False),
        # Outside the text fields `q` quits, as everywhere (§5); in them it is typed.
        Binding("q", "app.quit", "Quit", show=False),
    ]

    def __init__(self, kr: KeyResult, retry: Optional[CheckinRequest] = None, problem: str = "",
                 last: Optional[CheckIn] = None):
        """`retry`: a check-in that could not be saved, shown again as typed, with `problem`;
        `last`: the key result's latest check-in, when its history is at hand."""
        super().__init__()
        self.kr = kr
        self.last = last
        self.retry = retry
        self.problem = problem

    def compose(self) -> ComposeResult:
        kr = self.kr
        with Vertical(id="checkin"):
            yield Static(Content.assemble(("Check in ", "bold"), (kr.ref, "bold"), " \u00b7 ", look.plain(kr.title)),
                         id="checkin-title")
            yield Static(self._last_line(), id="last-checkin")
            with Horizontal(classes="field"):
                yield Label("Value", classes="field-label")
                placeholder = ("done" if kr.current == 1 else "not done") if kr.kind == "milestone" \
                    else look.number(kr.current)
                yield Input(placeholder=placeholder, id="value")
                yield Label(look.plain(_value_hint(kr)), id="value-unit", classes="field-unit")
            yield Label("", id="value-error", classes="field-error")
            with Horizontal(classes="field"):
                yield Label("Confidence", classes="field-label")
                yield ConfidencePicker(id="confidence")
            with Horizontal(classes="field"):
                yield Label("Note", classes="field-label")
                yield Input(placeholder="optional", id="note")
            yield Label("", id="note-error", classes="field-error")
            yield Label(look.plain(f"Not saved: {self.problem} \u2014 enter to try again, escape to drop it"
                                   if self.problem else ""), id="save-error", classes="field-error")
            yield Static(Content.styled(
                "enter save (an empty value keeps the current one) \u00b7 escape cancel \u00b7 tab next field "
                "\u00b7 1\u20134 confidence (on its field)",
                "$text-muted"), id="checkin-keys")

    def _last_line(self) -> Content:
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

    def on_mount(self) -> None:
        retry = self.retry
        self.query_one(ConfidencePicker).value = retry.confidence if retry else self.kr.confidence
        self.query_one("#save-error").display = bool(self.problem)
        if retry is not None:
            self.query_one("#value", Input).value = retry.value_text or ""
            self.query_one("#note", Input).value = retry.note
        self.query_one("#value", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_input_changed(self, event: Input.Changed) -> None:
        # Say what is wrong as the user types, not only on enter.
        if event.input.id == "value":
            self._value_problem(show=True)

    def _value_problem(self, show: bool) -> Optional[str]:
        text = self.query_one("#value", Input).value
        problem = None
        if text.strip():
            try:
                parse_value(text, self.kr.kind)
            except ValueError as exc:
                problem = str(exc)
        if show:
            self.query_one("#value-error", Label).update(look.plain(problem or ""))
        return problem

    def action_save(self) -> None:
        if self._value_problem(show=True):
            self.query_one("#value", Input).focus()
            return
        text = self.query_one("#value", Input).value
        value = parse_value(text, self.kr.kind) if text.strip() else self.kr.current
        confidence = self.query_one(ConfidencePicker).value
        note = self.query_one("#note", Input).value
        try:
            # The same model the store saves through, so the dialog refuses what the store would.
            CheckIn.model_validate({"at": dt.datetime.now(dt.timezone.utc), "author": "check",
                                    "value": value, "confidence": confidence, "note": note})
        except ValidationError as exc:
            problems = located_messages(exc)
            note_problem = next((m for loc, m in problems if loc and loc[0] == "note"), None)
            value_problem = next((m for loc, m in problems if loc and loc[0] == "value"), None)
            self.query_one("#note-error", Label).update(look.plain(note_problem or ""))
            self.query_one("#value-error", Label).update(look.plain(value_problem or ""))
            return
        self.dismiss(CheckinRequest(self.kr.ref, text if text.strip() else None, confidence, note,
                                    pressed_at=time.perf_counter()))

    def action_cancel(self) -> None:
        self.dismiss(None)


def _value_hint(kr: KeyResult) -> str:
    if kr.kind == "milestone":
        return "done / not-done"
    unit = f" {kr.unit}" if kr.unit else ""
    return f"{unit}  (start {look.number(kr.start)}, target {look.number(kr.target)})"
