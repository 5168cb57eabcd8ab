"""The bare Textual apps §11 compares okrtui with, read from outside in tmux.

    python benchmarks/bare_apps.py paint    # one Static: its text is the first paint
    python benchmarks/bare_apps.py modal    # c opens an Input in a ModalScreen; enter
                                            # dismisses it and puts the text in one Static

Nothing here is okrtui's: they show what Textual itself costs on this machine.
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Input, Static

PAINTED = "bare app painted"
MODAL_READY = "bare modal: type a value"
SAVED = "bare saved"


class PaintApp(App):
    def compose(self) -> ComposeResult:
        yield Static(PAINTED)


class ValueModal(ModalScreen[str]):
    def compose(self) -> ComposeResult:
        yield Static(MODAL_READY)
        yield Input(id="value")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


class ModalApp(App):
    BINDINGS = [("c", "open", "Open")]

    def compose(self) -> ComposeResult:
        yield Static(f"{SAVED} none", id="shown")

    def action_open(self) -> None:
        self.push_screen(ValueModal(), self._saved)

    def _saved(self, value: str | None) -> None:
        self.query_one("#shown", Static).update(f"{SAVED} {value}")


if __name__ == "__main__":
    {"paint": PaintApp, "modal": ModalApp}[sys.argv[1]]().run()
