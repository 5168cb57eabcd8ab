"""The strategic thread: one strategic objective's score in every cycle, oldest first."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from okrtui.app import look
from okrtui.app.board import Board
from okrtui.app.screens.base import BoardScreen
from okrtui.app.widgets.common import KeyFooter, header_line, set_content
from okrtui.domain.text import counted
from okrtui.store import StoreError


class ThreadScreen(BoardScreen):
    HELP_MOVEMENT = [("ctrl+p", "command palette: every action by name"), ("ctrl+q", "quit")]
    BINDINGS = [Binding("escape", "back", "Back")]
    HELP_LEAD = "A strategic objective's score in every cycle, oldest first; escape goes back."

    def __init__(self, code: str):
        super().__init__()
        self.code = code

    def compose(self) -> ComposeResult:
        yield Static(id="header")
        yield Static(id="breadcrumb")
        yield Static("Scoring every cycle\u2026", id="thread")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.show_board(self.app.board)

    def show_board(self, board: Board) -> None:
        set_content(self.query_one("#header", Static), header_line(board))
        strategic = board.strategic(self.code)
        title = strategic.title if strategic else "?"
        set_content(self.query_one("#breadcrumb", Static), Content.assemble(
            ("Strategic thread ", "bold"), (f"{self.code} ", "bold"), look.plain(title)))
        self.load(board)

    @work(exclusive=True, thread=True)
    def load(self, board: Board) -> None:
        # Every cycle is read and scored: off the event loop, it may be many.
        try:
            rows = board.strategic_thread(self.code)
        except StoreError as exc:  # another cycle's files are damaged: say so, stay open
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._show_rows, board, rows)

    def _show_rows(self, board: Board, rows) -> None:
        if not rows:
            set_content(self.query_one("#thread", Static), Content.styled("No cycles yet.", "$text-muted"))
            return
        width = max(len(cycle.id) for cycle, _, _ in rows) + 2
        # The bar gives way first, so at 80 columns a row still fits on one line.
        room = self.query_one("#thread", Static).content_region.width or 100
        bar_width = max(5, min(20, room - width - 50))
        parts: list = []
        for cycle, score, count in rows:
            current = board.cycle is not None and cycle.id == board.cycle.id
            marker = "\u25b8" if current else " "
            parts += [
                (f"{marker} {cycle.id:<{width}}", "bold" if current else ""),
                (f"{cycle.start} \u2013 {cycle.end}  ", "$text-muted"),
                look.bar(score, bar_width), " ", look.score(score, words=True),
                (f"  {counted(count, 'OKR')}", "$text-muted"),
                (" closed", "$text-warning") if cycle.closed else "", "\n",
            ]
        set_content(self.query_one("#thread", Static), Content.assemble(*parts))

    def action_back(self) -> None:
        self.app.pop_screen()
