"""The strategic thread: one strategic objective's score in every cycle, oldest first, and
under each cycle its measures' attainment on the cycle's end date (as of the as-of date for
a cycle that holds it)."""

from __future__ import annotations

from typing import Optional

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from okrtui.app import look
from okrtui.app.board import Board
from okrtui.app.screens.base import BoardScreen
from okrtui.app.widgets.common import KeyFooter, header_line, set_content
from okrtui.domain.models import Cycle, Measure
from okrtui.domain.text import counted

Attainments = Optional[list[tuple[Measure, Optional[float]]]]
# Measures sit two in from the cycle ids: under their cycle, and two to a line at 80 columns.
MEASURE_INDENT = 6
from okrtui.store import StoreError


class ThreadScreen(BoardScreen):
    HELP_MOVEMENT = [("ctrl+p", "command palette: every action by name"), ("ctrl+q", "quit")]
    BINDINGS = [Binding("escape", "back", "Back")]
    HELP_LEAD = ("A strategic objective's score in every cycle, oldest first, with its measures' attainment "
                 "at each cycle's end (as of today for the cycle under way); escape goes back.")

    def __init__(self, code: str):
        super().__init__()
        self.code = code

    def compose(self) -> ComposeResult:
        yield Static(id="header")
        yield Static(id="breadcrumb")
        # Scrolls: with a line or more of measures under each cycle, many cycles pass a screen.
        with VerticalScroll(id="thread-scroll"):
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
        try:
            board.load_readings()
            kpis = [_attainments(board, self.code, cycle) for cycle, _, _ in rows]
        except StoreError as exc:  # a damaged readings log: the scores still show
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            kpis = [None] * len(rows)
        self.app.call_from_thread(self._show_rows, board, rows, kpis)

    def _show_rows(self, board: Board, rows, kpis: list[Attainments]) -> None:
        if not rows:
            set_content(self.query_one("#thread", Static), Content.styled("No cycles yet.", "$text-muted"))
            return
        width = max(len(cycle.id) for cycle, _, _ in rows) + 2
        # The bar gives way first, so at 80 columns a row still fits on one line.
        room = self.query_one("#thread", Static).content_region.width or 100
        beside = max(look.score(score, words=True).cell_length + len(f"  {counted(count, 'OKR')}")
                     + (len(" closed") if cycle.closed else 0) for cycle, score, count in rows)
        bar_width = max(5, min(20, room - (2 + width + len("2026-01-01 \u2013 2026-03-31  ") + 1 + beside)))
        parts: list = []
        if any(kpis):
            parts += [(f"  Measures: attainment at each cycle's end (on {board.as_of} while under way)",
                       "$text-muted"), "\n\n"]
        for (cycle, score, count), measures in zip(rows, kpis):
            current = board.cycle is not None and cycle.id == board.cycle.id
            marker = "\u25b8" if current else " "
            parts += [
                (f"{marker} {cycle.id:<{width}}", "bold" if current else ""),
                (f"{cycle.start} \u2013 {cycle.end}  ", "$text-muted"),
                look.bar(score, bar_width), " ", look.score(score, words=True),
                (f"  {counted(count, 'OKR')}", "$text-muted"),
                (" closed", "$text-warning") if cycle.closed else "", "\n",
            ]
            for line in _measure_lines(measures or [], MEASURE_INDENT, room):
                parts += [line, "\n"]
        set_content(self.query_one("#thread", Static), Content.assemble(*parts))

    def action_back(self) -> None:
        self.app.pop_screen()


def _attainments(board: Board, code: str, cycle: Cycle) -> Attainments:
    """The measures' attainment at the cycle's end, or on the as-of date while the cycle is
    under way; None for a cycle not begun (nothing to say of it yet)."""
    if cycle.start > board.as_of:
        return None
    return board.measures_on(code, min(cycle.end, board.as_of))


def _measure_lines(measures: list[tuple[Measure, Optional[float]]], indent: int, room: int) -> list[Content]:
    """`Annual recurring revenue ▲ 0.49   Net revenue retention ✖ 0.25`, as many to a line as fit:
    a line breaks between two measures, never inside one, so every line fits the width."""
    gap = Content("   ")
    lines: list[list[Content]] = [[]]
    used = indent
    for measure, attainment in measures:
        score = look.score(attainment)
        # Only a name longer than a whole line is cut.
        name = look.plain(measure.name).truncate(max(1, room - indent - score.cell_length - 1), ellipsis=True)
        item = Content.assemble(name, " ", score)
        if lines[-1] and used + gap.cell_length + item.cell_length > room:
            lines.append([])
            used = indent
        used += (gap.cell_length if lines[-1] else 0) + item.cell_length
        lines[-1].append(item)
    return [Content.assemble(" " * indent, gap.join(line)) for line in lines if line]
