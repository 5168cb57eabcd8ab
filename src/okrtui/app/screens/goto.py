"""`g`: go to a key result, objective or strategic objective by ref or code."""

from __future__ import annotations

from typing import Callable, Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from okrtui.app import look


class GotoDialog(ModalScreen[Optional[str]]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, problem: Callable[[str], Optional[str]]):
        super().__init__()
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(id="goto"):
            yield Static(Content.styled("Go to", "bold"))
            yield Input(placeholder="KR-12, O-3 or a code like F1", id="goto-input")
            yield Label("", id="goto-error", classes="field-error")
            yield Static(Content.styled("enter go \u00b7 escape cancel", "$text-muted"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        problem = self.problem(event.value)
        if problem:
            self.query_one("#goto-error", Label).update(look.plain(problem))
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
