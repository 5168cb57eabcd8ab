"""The strategy map (§5): four bands, Financial on top, each strategic objective a box
coloured by its band; the cause-effect links of the box under the cursor are listed
below the map and marked on the boxes they join."""

from __future__ import annotations

from typing import Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from okrtui.app import look
from okrtui.app.board import Board
from okrtui.app.screens.base import BoardScreen
from okrtui.app.widgets.common import KeyFooter, header_line, set_content
from okrtui.domain.models import PERSPECTIVE_NAMES, PERSPECTIVES
from okrtui.domain.scoring import band

MARKS = {"-driven": "\u25b2 driven", "-driver": "\u25bc drives it"}
BOX_WIDTH = 24  # with its border and the gutter beside it
TITLE_LINES = 2


class MapBox(Static):
    """One strategic objective: code and score on the first line, its title under them."""

    def __init__(self, code: str):
        # No DOM id: a rebuilt band mounts new boxes before the old ones are gone, and the
        # screen keeps its boxes by code anyway.
        super().__init__(classes="map-box")
        self.code = code

    def show(self, board: Board) -> None:
        strategic = board.strategic(self.code)
        value = board.scores.strategic.get(self.code)
        width = max(8, self.content_region.width or BOX_WIDTH - 4)
        title = look.plain(strategic.title).wrap(width)
        lines = [line.truncate(width) for line in title[:TITLE_LINES]]
        if len(title) > TITLE_LINES:
            lines[-1] = lines[-1].truncate(width - 1, ellipsis=True) if lines[-1].cell_length >= width else \
                Content.assemble(lines[-1], "\u2026")
        set_content(self, Content.assemble((self.code, "bold"), " ", look.score(value), "\n",
                                           Content("\n").join(lines)), layout=False)  # a box keeps its size
        for name in ("green", "yellow", "red", "none"):
            self.set_class((band(value) or "none") == name, f"-{name}")

    def on_resize(self) -> None:
        if self.is_mounted:
            self.show(self.app.board)


class MapScroll(VerticalScroll, can_focus=False):
    """The bands, scrolled to the box under the cursor (the arrows move the cursor, not the view)."""


class MapScreen(BoardScreen):
    KEPT_UNDER_DRILLDOWN = True  # from the map, escape comes back to the map
    HELP_LEAD = ("Arrows move between the boxes (up and down cross the bands); enter opens the OKRs of the "
                 "box; l adds or removes what it drives.")
    HELP_MOVEMENT = [
        ("arrows, j / k", "move between boxes (j / k: down / up)"),
        ("enter", "drill down"),
        ("ctrl+p", "command palette: every action by name"),
        ("ctrl+q", "quit"),
    ]
    HELP_NOTES = ("Each box: code, score (band colour and symbol) and title. Below the map: what the box "
                  "under the cursor drives and what drives it; those boxes are marked \u25b2 (it drives them) "
                  "and \u25bc (they drive it).",)
    APP_KEYS_UNUSED = ("hints",)

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("enter", "open", "Open", show=False),
        Binding("left", "step(0, -1)", "Left", show=False),
        Binding("right", "step(0, 1)", "Right", show=False),
        Binding("up", "step(-1, 0)", "Up", show=False),
        Binding("down", "step(1, 0)", "Down", show=False),
        Binding("k", "step(-1, 0)", "Up", show=False),
        Binding("j", "step(1, 0)", "Down", show=False),
        Binding("n", "new", "New", tooltip="New strategic objective in the band of the cursor"),
        Binding("e", "edit", "Edit", tooltip="Edit the strategic objective"),
        Binding("d", "delete", "Delete", show=False, tooltip="Delete the strategic objective, after asking"),
        Binding("l", "links", "Links", tooltip="Links: add or remove what the strategic objective drives"),
        Binding("t", "thread", "Thread"),
    ]

    def __init__(self, code: Optional[str] = None):
        super().__init__()
        self.cursor: Optional[str] = code
        self.band_key = "financial"
        self._shape: Optional[list[tuple[str, tuple[str, ...]]]] = None
        self._marked: dict[str, str] = {}
        self._boxes: dict[str, MapBox] = {}

    @property
    def board(self) -> Board:
        return self.app.board

    def compose(self) -> ComposeResult:
        yield Static(id="header")
        with MapScroll(id="map"):
            for key in PERSPECTIVES:
                with Vertical(id=f"band-{key}", classes="map-band"):
                    yield Grid(id=f"boxes-{key}", classes="map-boxes")
        yield Static(id="map-links")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._links = self.query_one("#map-links", Static)
        self.show_board(self.board)
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.call_after_refresh(self._remark_band))

    def _remark_band(self) -> None:
        marked, self._band_marked = self._band_marked, None
        if marked is not None:
            self.query_one(f"#band-{marked}").styles.border = None
            self._mark_band(marked)

    # -- showing --

    def _codes(self, board: Board, key: str) -> list[str]:
        return [s.code for s in board.in_perspective(key)]

    def show_board(self, board: Board) -> None:
        set_content(self.query_one("#header", Static), header_line(board))
        shape = [(key, tuple(self._codes(board, key))) for key in PERSPECTIVES]
        before = dict(self._shape or [])
        if shape != self._shape:
            self._shape = shape
            self._boxes = {}
            for key, codes in shape:
                grid = self.query_one(f"#boxes-{key}", Grid)
                grid.remove_children()
                boxes = [MapBox(code) for code in codes]
                self._boxes.update((box.code, box) for box in boxes)
                grid.mount_all(boxes or
                               [Static(Content.styled("(none yet: n adds one)", "$text-muted"), classes="map-empty")])
            self._marked = {}
            self.call_after_refresh(self._fit)
        for key, codes in shape:
            band_widget = self.query_one(f"#band-{key}", Vertical)
            score = board.scores.perspective.get(key)
            band_widget.border_title = Content.assemble(f" {PERSPECTIVE_NAMES[key]} ", look.score(score, words=True),
                                                        " ")
        for box in self._boxes.values():
            box.show(board)
        if self.cursor is not None and board.strategic(self.cursor) is None:
            # Deleted (here or by someone else): the box that took its place in the band, else the one before.
            old = before.get(self.band_key, ())
            place = old.index(self.cursor) if self.cursor in old else 0
            codes = self._codes(board, self.band_key)
            self.cursor = codes[min(place, len(codes) - 1)] if codes else None
        if self.cursor is None and self._codes(board, self.band_key):
            self.cursor = self._codes(board, self.band_key)[0]
        if self.cursor is not None:
            self.band_key = board.strategic(self.cursor).perspective
        self._show_cursor()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        # As many boxes a row as the width takes; a band grows by rows, never overlapping.
        width = self.query_one("#map").scrollable_content_region.width or 80
        self.columns = max(1, (width - 2) // BOX_WIDTH)
        for key in PERSPECTIVES:
            grid = self.query_one(f"#boxes-{key}", Grid)
            grid.styles.grid_size_columns = self.columns
            count = len(self._codes(self.board, key))
            rows = -(-count // self.columns)
            grid.styles.height = rows * (TITLE_LINES + 3) if count else 1

    columns = 3
    _offered_none: Optional[bool] = None

    def _show_cursor(self) -> None:
        board = self.board
        marked: dict[str, str] = {}
        code = self.cursor
        if code is not None:
            strategic = board.strategic(code)
            marked[code] = "-cursor"
            for target in strategic.drives:
                marked.setdefault(target, "-driven")
            for other in board.strategy:
                if code in other.drives:
                    marked.setdefault(other.code, "-driver")
        # Only the boxes whose mark changes are restyled: a class change restyles the box.
        for box_code in set(self._marked) | set(marked):
            was, now = self._marked.get(box_code, ""), marked.get(box_code, "")
            box = self._boxes.get(box_code)
            if box is None or was == now:
                continue
            if was:
                box.remove_class(was, update=False)
            if now:
                box.add_class(now, update=False)
            box.update_node_styles()  # once, not once per class
            box.border_title = MARKS.get(now, "")
        self._marked = marked
        if (code is None) != self._offered_none:
            self._offered_none = code is None
            self.refresh_bindings()  # e, d, l and enter need a box under the cursor
        self._mark_band(self._focused_band())
        self._show_links()
        if code in self._boxes:
            self.query_one("#map").scroll_to_widget(self._boxes[code], animate=False)

    _band_marked: Optional[str] = None

    def _mark_band(self, key: str) -> None:
        # The band of the cursor gets the accent border. Set inline: a class on the band would
        # restyle every box inside it on each move across bands.
        if key == self._band_marked:
            return
        if self._band_marked is not None:
            self.query_one(f"#band-{self._band_marked}").styles.border = None
        accent = self.app.theme_variables.get("accent", "ansi_cyan")
        self.query_one(f"#band-{key}").styles.border = ("round", accent)
        self._band_marked = key

    def _show_links(self) -> None:
        board = self.board
        code = self.cursor
        if code is None:
            name = PERSPECTIVE_NAMES[self.band_key]
            set_content(self._links, Content.styled(
                f"{name} has no strategic objectives yet: n adds one here; up and down go to the other bands.",
                "$text-muted"), layout=False)
            self.query_one("#map").scroll_to_widget(self.query_one(f"#band-{self.band_key}"), animate=False)
            return
        strategic = board.strategic(code)
        drivers = [s for s in board.strategy if code in s.drives]

        def names(codes: list[str]) -> Content:
            if not codes:
                return Content.styled("nothing", "$text-muted")
            parts: list = []
            for index, other in enumerate(codes):
                found = board.strategic(other)
                parts += [", " if index else "", (other, "bold"), " ", look.plain(found.title if found else "?")]
            return Content.assemble(*parts)

        set_content(self._links, Content.assemble(
            (f"{code} ", "bold"), look.plain(strategic.title), "  ", look.score(board.scores.strategic.get(code)),
            "\n", ("\u25b2 drives      ", "$text-muted"), names(strategic.drives),
            "\n", ("\u25bc driven by   ", "$text-muted"), names([s.code for s in drivers]),
        ), layout=False)  # a fixed height (views.tcss): no layout of the map on a cursor move

    # -- moving --

    def action_step(self, rows: int, columns: int) -> None:
        target = self.target_of(rows, columns)
        if target is None:
            return
        code, band_key = target
        if code is None:
            self.cursor, self.band_key = None, band_key
            self._show_cursor()
        else:
            self._move(code)

    def target_of(self, rows: int, columns: int) -> Optional[tuple[Optional[str], str]]:
        """Where an arrow goes from here: (code, band), code None for an empty band; None: nowhere."""
        board = self.board
        layout = [self._codes(board, key) for key in PERSPECTIVES]
        band_index = PERSPECTIVES.index(self._focused_band())
        codes = layout[band_index]
        width = self.columns
        index = codes.index(self.cursor) if self.cursor in codes else None
        here = PERSPECTIVES[band_index]
        if columns:
            target = (index or 0) + columns
            if index is not None and 0 <= target < len(codes) and target // width == index // width:
                return codes[target], here
            return None
        column = index % width if index is not None else 0
        if index is not None:
            target = index + rows * width
            if 0 <= target < len(codes):
                return codes[target], here
            if rows > 0 and index // width < (len(codes) - 1) // width:  # a short last row: its last box
                return codes[-1], here
        # Across to the next band, keeping the column where it can; an empty band is a stop
        # too, so `n` can add the first objective of a perspective from here.
        other = band_index + (1 if rows > 0 else -1)
        if not 0 <= other < len(layout):
            return None
        others = layout[other]
        if not others:
            return None, PERSPECTIVES[other]
        target_row = 0 if rows > 0 else (len(others) - 1) // width
        return others[min(target_row * width + column, len(others) - 1)], PERSPECTIVES[other]

    def _move(self, code: str) -> None:
        self.cursor = code
        self._show_cursor()

    def focus_item(self, key: str) -> None:
        if self.board.strategic(key):
            self._move(key)

    # -- actions --

    def _focused_band(self) -> str:
        strategic = self.board.strategic(self.cursor) if self.cursor else None
        return strategic.perspective if strategic else self.band_key

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "delete", "links", "open", "thread"):
            return self.cursor is not None
        return True

    def action_open(self) -> None:
        if self.cursor:
            self.app.open_drilldown(self.cursor)

    def action_new(self) -> None:
        self.app.new_strategic(self._focused_band())

    def action_edit(self) -> None:
        if self.cursor:
            self.app.edit_strategic(self.cursor)

    def action_delete(self) -> None:
        if self.cursor:
            self.app.delete_strategic(self.cursor)

    def action_links(self) -> None:
        if self.cursor:
            self.app.edit_links(self.cursor)

    def thread_code(self) -> tuple[Optional[str], str]:
        return self.cursor, "There are no strategic objectives yet"

    def action_back(self) -> None:
        self.app.pop_screen()
