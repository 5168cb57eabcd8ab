"""Widgets shared by the screens. They render what they are given; none opens the store."""

from __future__ import annotations

from typing import Iterable, Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.content import Content
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from okrtui.app import look
from okrtui.app.board import Board
from okrtui.domain.models import PERSPECTIVE_NAMES, PERSPECTIVES


def set_content(widget: Static, content: Content) -> None:
    """Update a Static only when what it shows changed: re-wrapping text is the costly part of a repaint."""
    key = (content.plain, tuple(content.spans))
    if getattr(widget, "_okrtui_shown", None) != key:
        widget._okrtui_shown = key
        widget.update(content)


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
        from okrtui.app.screens.thread import ThreadScreen

        self.app.push_screen(ThreadScreen(code))


class KeyFooter(Footer):
    """The Footer, compact; under 100 columns it leaves the palette key out (ctrl+p still
    works, and `?` says so), so the screen's own keys keep their room at 80."""

    def __init__(self) -> None:
        super().__init__(compact=True)

    def on_resize(self) -> None:
        wide = self.size.width >= 100
        if self.show_command_palette != wide:
            self.show_command_palette = wide
            self.refresh(recompose=True)  # Textual's Footer draws its keys at compose time


class NavList(OptionList):
    """An option list that also moves with j/k and keeps its cursor when refilled."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def fill(self, options: Iterable[Option]) -> None:
        options = list(options)
        ids = [o.id for o in options]
        current = self.highlighted_id
        if ids == [o.id for o in self.options]:
            # Same items: only the numbers changed, so the cursor and scroll stay put.
            for option in options:
                self.replace_option_prompt(option.id, option.prompt)
            return
        self.set_options(options)
        if ids:
            self.highlighted = ids.index(current) if current in ids else 0

    @property
    def highlighted_id(self) -> Optional[str]:
        if self.highlighted is None or self.highlighted >= self.option_count:
            return None
        return self.get_option_at_index(self.highlighted).id

    def select_id(self, option_id: str) -> bool:
        for index, option in enumerate(self.options):
            if option.id == option_id:
                self.highlighted = index
                return True
        return False


def header_line(board: Board) -> Content:
    cycle = board.cycle
    parts: list = [look.plain(board.organization, "bold")]
    if cycle is None:
        parts.append(" \u00b7 no cycle yet")
    else:
        parts += [
            " \u00b7 ", (cycle.id, "bold"),
            (" closed", "$text-warning") if cycle.closed else "",
            f" \u00b7 {look.percent(board.scores.elapsed)} elapsed",
        ]
    parts += [" \u00b7 Overall ", look.score(board.scores.overall, words=True)]
    if board.store.read_only:  # first, where 80 columns still show it
        parts.insert(1, (" \u00b7 read-only", "$text-warning"))
    return Content.assemble(*parts)


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


class FilterInput(Input):
    """The `/` filter: hidden until asked for; escape clears it."""

    BINDINGS = [Binding("escape", "clear", "Clear filter", show=False)]

    def action_clear(self) -> None:
        self.value = ""
        self.display = False
        self.screen.focus_next()
