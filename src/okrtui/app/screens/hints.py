"""The hints view (§4): what the scorecard suggests looking at; enter jumps to it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from okrtui.app import look
from okrtui.app.board import Board
from okrtui.app.screens.base import BoardScreen
from okrtui.app.widgets.common import KeyFooter, NavList, header_line, set_content
from okrtui.domain.scoring import hint_kind_text, hint_subject


class HintsScreen(BoardScreen):
    BINDINGS = [Binding("escape", "back", "Back")]

    def compose(self) -> ComposeResult:
        yield Static(id="header")
        yield Static(Content.styled("Hints \u00b7 enter jumps to the item", "bold"), id="breadcrumb")
        yield NavList(id="hints")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.show_board(self.app.board)
        self.query_one(NavList).focus()

    def show_board(self, board: Board) -> None:
        set_content(self.query_one("#header", Static), header_line(board))
        kinds = [hint_kind_text(h.kind) for h in board.hints]
        width = max(map(len, kinds), default=0) + 2
        # The words of the text report, with the message on a line of its own: the list
        # does not wrap, and beside the kind and ref a title would be cut to a few letters.
        options = [
            Option(Content.assemble(look.plain(kind.ljust(width), "$text-warning"),
                                    look.plain(hint_subject(h.kind, h.ref), "bold"), "\n  ", look.plain(h.message)),
                   id=f"{index}")
            for index, (kind, h) in enumerate(zip(kinds, board.hints))
        ]
        if not options:
            quiet = ("Nothing to suggest: the scorecard looks healthy." if board.cycle is not None
                     else "No cycle yet: hints come once the store holds a cycle's OKRs.")
            options = [Option(Content.styled(quiet, "$text-muted"), id="none", disabled=True)]
        self.query_one(NavList).fill(options)

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        hint = self.app.board.hints[int(event.option.id)]
        self.app.jump_to_hint(hint)
