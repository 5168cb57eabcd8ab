"""The base of every screen that shows the board (kept apart so screens never import each other)."""

from __future__ import annotations

from typing import Optional

from textual.screen import Screen
from textual.widgets import Input

from okrtui.app.board import Board
from okrtui.app.widgets.common import FilterInput


class BoardScreen(Screen):
    """A screen that shows the board; one left behind catches up when it is back in view."""

    stale = False

    def show_board(self, board: Board) -> None:
        raise NotImplementedError

    def on_screen_resume(self) -> None:
        if self.stale:
            self.stale = False
            self.show_board(self.app.board)

    # The `/` filter, for screens that have one: it narrows live and stays until cleared.
    def action_filter(self) -> None:
        field = self.query_one(FilterInput)
        field.display = True
        field.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if isinstance(event.input, FilterInput):
            self.show_board(self.app.board)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if isinstance(event.input, FilterInput):
            event.input.display = bool(event.value)
            self.after_filter()

    def after_filter(self) -> None:
        self.focus_next()

    # `t`: the strategic thread of the strategic objective this screen is on.
    def thread_code(self) -> tuple[Optional[str], str]:
        """The code to show the thread of, or None and why not."""
        return None, "Move to a strategic objective first"

    def action_thread(self) -> None:
        code, why_not = self.thread_code()
        if code is None:
            self.notify(why_not, severity="warning")
            return
        self.app.open_thread(code)
