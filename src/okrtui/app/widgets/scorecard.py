"""The scorecard's widgets: a perspective pane with its columns, the unaligned list, the balance bar."""

from __future__ import annotations

from typing import Optional

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static
from textual.widgets.option_list import Option

from okrtui.app import look
from okrtui.app.board import Board
from okrtui.app.widgets.common import NavList, set_content
from okrtui.domain.models import PERSPECTIVE_NAMES, PERSPECTIVES


class HeaderBar(Static, can_focus=True):
    """The scorecard's header: focused (shift+tab from the first pane), n makes a cycle, e edits its dates."""


class PerspectivePane(Vertical):
    """One perspective: its score and bar, and its strategic objectives as a list."""

    def __init__(self, key: str):
        super().__init__(id=f"pane-{key}", classes="pane")
        self.key = key

    def compose(self) -> ComposeResult:
        yield Static(id=f"bar-{self.key}", classes="pane-bar")
        yield NavList(id=f"list-{self.key}", classes="pane-list")

    class Refitted(Message):
        """The pane's lines changed with its width: the screen shares out the rows again."""

    def on_resize(self) -> None:
        if self.shown is not None:
            lines = self.lines
            self.show(*self.shown)
            if self.lines != lines:
                self.post_message(self.Refitted())

    shown: Optional[tuple[Board, Optional[set[str]]]] = None
    lines = 1  # the list's lines as last shown: the screen gives each row of panes room by them

    def show(self, board: Board, matches: Optional[set[str]] = None) -> None:
        self.shown = (board, matches)
        score = board.scores.perspective.get(self.key)
        self.border_title = Content.assemble(f" {PERSPECTIVE_NAMES[self.key]} ", look.score(score, words=True), " ")
        room = self.query_one(NavList).scrollable_content_region.width or 60
        # With 30 lines or more a long title takes a second line rather than losing its end.
        columns = PaneColumns.fit(room, board, lines=2 if self.app.size.height >= 30 else 1)
        set_content(self.query_one(".pane-bar", Static), columns.header(score))
        options = []
        self.lines = 0
        for strategic in self.objectives(board, matches):
            value = board.scores.strategic.get(strategic.code)
            prompt = columns.row(strategic.code, strategic.title, value, board.scores.okr_count.get(strategic.code, 0))
            self.lines += prompt.plain.count("\n") + 1
            options.append(Option(prompt, id=strategic.code))
        if not options:
            options.append(Option(Content.styled("(no strategic objectives)" if matches is None
                                                 else "(nothing matches)", "$text-muted"),
                                  id=f"none-{self.key}", disabled=True))
        self.query_one(NavList).fill(options)

    def objectives(self, board: Board, matches: Optional[set[str]] = None) -> list:
        return [s for s in board.in_perspective(self.key) if matches is None or s.code in matches]


class PaneColumns:
    """Where a perspective pane's columns go at a given width: code, title, score, bar, OKR count.

    The title keeps its room before the bar does: below MIN_TITLE columns of title the
    per-row bar is left out (the score beside it still carries the band's colour and symbol).
    """

    MIN_TITLE = 24
    SCORE = look.SCORE_WIDTH
    BAR = 5
    COUNT = 5  # ` OKRs`

    def __init__(self, code: int, title: int, bar: bool, lines: int = 1):
        self.code, self.title, self.bar, self.lines = code, title, bar, lines

    @classmethod
    def fit(cls, room: int, board: Board, lines: int = 1) -> "PaneColumns":
        code = max((len(s.code) for s in board.strategy), default=2) + 1
        fixed = code + 1 + cls.SCORE + cls.COUNT
        bar = room - fixed - (cls.BAR + 1) >= cls.MIN_TITLE
        return cls(code, max(8, room - fixed - (cls.BAR + 1 if bar else 0)), bar, lines)

    def row(self, code: str, title: str, value: Optional[float], count: int) -> Content:
        title_lines = self._title_lines(title)
        parts: list = [(code.ljust(self.code), "bold"), title_lines[0], " ",
                       look.score(value).truncate(self.SCORE, pad=True)]
        if self.bar:
            parts += [" ", look.bar(value, self.BAR)]
        parts.append((f"{count:>{self.COUNT}}", "$text-muted"))
        for line in title_lines[1:]:
            parts += ["\n", " " * self.code, line]
        return Content.assemble(*parts)

    def _title_lines(self, title: str) -> list[Content]:
        text = look.plain(title)
        if self.lines > 1 and text.cell_length > self.title:
            wrapped = text.wrap(self.title)
            if len(wrapped) > 1:
                rest = Content(" ").join(wrapped[1:])
                return [wrapped[0].truncate(self.title, pad=True),
                        rest.truncate(self.title, ellipsis=True, pad=True)][:self.lines]
        return [text.truncate(self.title, ellipsis=True, pad=True)]

    def header(self, score: Optional[float]) -> Content:
        """The perspective's bar, then a label over each number column (numbers never stand alone)."""
        left = self.code + self.title
        bar_width = max(4, min(20, left - 6))
        numbers = "score".ljust(self.SCORE + (self.BAR + 1 if self.bar else 0)) + "OKRs".rjust(self.COUNT)
        return Content.assemble(look.bar(score, bar_width), f" {look.percent(score)}".ljust(left - bar_width), " ",
                                (numbers, "$text-muted"))


def unaligned_options(board: Board, matches: Optional[set[str]] = None) -> list[Option]:
    """The cycle's objectives that serve no strategic objective, as list options."""
    options = []
    for objective, _ in board.thread_of(None):
        if matches is not None and objective.ref not in matches:
            continue
        options.append(Option(Content.assemble(
            (f"{objective.ref:<5} ", "bold"), look.score(board.scores.objective.get(objective.ref)), " ",
            look.plain(objective.title),
            (f"  {objective.owner}" if objective.owner else "", "$text-muted"),
        ), id=objective.ref))
    return options


SHORT_NAMES = {"financial": "Fin", "customer": "Cust", "internal_process": "Proc", "learning_growth": "L&G"}


class BalanceBar(Static):
    """The four shares, the balance index and the warnings."""

    board: Optional[Board] = None

    def on_resize(self) -> None:
        if self.board is not None:
            self.show(self.board)

    def show(self, board: Board) -> None:
        self.board = board
        scores = board.scores
        names = PERSPECTIVE_NAMES if self.size.width >= 100 else SHORT_NAMES
        parts: list = [("Balance  ", "bold")]
        for index, key in enumerate(PERSPECTIVES):
            share = scores.shares.get(key, 0.0)
            style = "$text-error" if share == 0 else "$text-warning" if share < 0.1 else ""
            parts += [" \u00b7 " if index else "", (f"{names[key]} {look.percent(share)}", style)]
        index = scores.index
        parts += ["   index ", ("\u2014" if index is None else f"{index:.2f}", "bold")]
        for warning in scores.warnings:
            parts += ["\n", ("\u26a0 ", "$text-warning"), look.plain(warning)]
        set_content(self, Content.assemble(*parts))
