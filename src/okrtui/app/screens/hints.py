"""The hints view (§4): what the scorecard suggests looking at; enter jumps to it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from okrtui.app import look
from okrtui.app.board import Board
from okrtui.app.widgets import BoardScreen, NavList, header_line, set_content

KIND_LABEL = {
    "orphan": "orphan", "unaligned": "unaligned", "kr-count": "KR count", "objective-count": "overloaded",
    "stale": "stale", "sandbagging": "sandbagging", "crowded": "crowded",
}


class HintsScreen(BoardScreen):
    BINDINGS = [Binding("escape", "back", "Back")]

    def compose(self) -> ComposeResult:
        yield Static(id="header")
        yield Static(Content.styled("Hints \u00b7 enter jumps to the item", "bold"), id="breadcrumb")
        yield NavList(id="hints")
        yield Footer()

    def on_mount(self) -> None:
        self.show_board(self.app.board)
        self.query_one(NavList).focus()

    def show_board(self, board: Board) -> None:
        set_content(self.query_one("#header", Static), header_line(board))
        width = max((len(h.ref) for h in board.hints), default=0) + 1
        options = [
            Option(Content.assemble((f"{KIND_LABEL.get(h.kind, h.kind):<12}", "$text-warning"),
                                    (h.ref.ljust(width), "bold"), look.plain(h.message)), id=f"{index}")
            for index, h in enumerate(board.hints)
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
