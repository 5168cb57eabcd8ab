"""The home screen: header, the four perspectives in a 2×2 grid, the balance bar."""

from __future__ import annotations

from typing import Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.content import Content
from textual.widgets import OptionList, Static

from okrtui.app import look
from okrtui.app.board import Board
from okrtui.app.screens.base import BoardScreen
from okrtui.app.widgets.common import (
    FilterInput,
    KeyFooter,
    NavList,
    header_line,
    set_content,
)
from okrtui.app.widgets.scorecard import BalanceBar, HeaderBar, PerspectivePane, unaligned_options
from okrtui.domain.models import PERSPECTIVES
from okrtui.domain.text import counted


class ScorecardScreen(BoardScreen):
    HELP_LEAD = ("To check in: arrows to a strategic objective, enter for its OKRs, arrows to a key "
                 "result, c. Or g, a ref (KR-12), enter, c. A reading of a measure (KPI): enter, then "
                 "the KPI lines at the top, c.")
    HELP_NOTES = (
        "Each pane: the perspective's score and bar; then per strategic objective its code, title, "
        "score and the number of this cycle's OKR objectives serving it (OKRs).",
        "Balance: the share of aligned OKR objectives in each perspective. The index runs from 0 "
        "(all in one perspective) to 1 (spread evenly over the four).",
    )

    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    BINDINGS = [
        # §5: escape on the scorecard does nothing, but for clearing a filter that was kept.
        Binding("escape", "clear_kept_filter", show=False),
        Binding("slash", "filter", "Filter"),
        Binding("t", "thread", "Thread"),
        Binding("n", "new", "New", tooltip="New strategic objective in this pane's perspective (on the header, "
                "shift+tab from the first pane: a new cycle; on the unaligned list: a new objective)"),
        Binding("e", "edit", "Edit", tooltip="Edit the strategic objective (on the header: the cycle's dates; "
                "on the unaligned list: the objective)"),
        Binding("d", "delete", "Delete", show=False, tooltip="Delete the strategic objective or objective, "
                "after asking (on the header: the cycle)"),
        Binding("a", "align", "Align", show=False, tooltip="Align the unaligned objective to a strategic "
                "objective or a parent"),
        Binding("l", "links", "Links", show=False, tooltip="Links: add or remove what the strategic objective "
                "drives"),
    ]
    AUTO_FOCUS = "#list-financial"

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        with Grid(id="perspectives"):
            for key in PERSPECTIVES:
                yield PerspectivePane(key)
        yield NavList(id="unaligned")
        yield BalanceBar(id="balance")
        yield Static(id="status")
        yield FilterInput(placeholder="filter by code, ref, title or owner; enter keeps it, escape clears",
                          id="filter")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#filter").display = False
        self.show_board(self.app.board)

    @property
    def board(self) -> Board:
        return self.app.board

    def show_board(self, board: Board) -> None:
        set_content(self.query_one("#header", Static), header_line(board))
        matches = self._matches(board)
        for pane in self.query(PerspectivePane):
            pane.show(board, matches)
        self.share_rows()
        self.query_one(BalanceBar).show(board)
        unaligned = self.query_one("#unaligned", NavList)
        options = unaligned_options(board, matches)
        unaligned.display = bool(options)
        unaligned.border_title = f"Unaligned objectives ({len(options)})"
        unaligned.fill(options)
        self.show_status()

    def share_rows(self) -> None:
        # Each row of panes gets room in proportion to what it lists (border, bar, items),
        # so a short perspective does not keep rows a long one needs at 24 lines.
        need = [3 + max(1, pane.lines) for pane in self.query(PerspectivePane)]
        self.query_one("#perspectives", Grid).styles.grid_rows = f"{max(need[:2])}fr {max(need[2:])}fr"

    def on_perspective_pane_refitted(self) -> None:
        self.share_rows()

    def show_status(self) -> None:
        """One line on the highlighted item, whole (the panes may cut its title), and what enter does."""
        board = self.board
        focused = self.focused
        if isinstance(focused, HeaderBar):
            name = board.cycle.id if board.cycle else "no cycle yet"
            set_content(self.query_one("#status", Static), Content.assemble(
                (f"{name} ", "bold"), ("\u00b7 n new cycle \u00b7 e its dates \u00b7 d delete it \u00b7 ctrl+p "
                                      "close, reopen, roll over", "$text-muted")))
            return
        item = focused.highlighted_id if isinstance(focused, NavList) else None
        strategic = board.strategic(item) if item else None
        objective = board.objective(item) if item and strategic is None else None
        if strategic is not None:
            count = board.scores.okr_count.get(strategic.code, 0)
            parts: list = [(f"{strategic.code} ", "bold"), look.plain(strategic.title),
                     f" \u00b7 {counted(count, 'OKR')} this cycle",
                     (" \u00b7 enter opens its OKRs", "$text-muted")]
        elif objective is not None:
            parts = [(f"{objective.ref} ", "bold"), look.plain(objective.title), " \u00b7 unaligned",
                     (" \u00b7 enter opens its key results", "$text-muted")]
        else:
            parts = [("arrows move \u00b7 enter opens \u00b7 g finds anything \u00b7 ? lists the keys", "$text-muted")]
        set_content(self.query_one("#status", Static), Content.assemble(*parts))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show_status()
        self._offer_keys()

    def on_descendant_focus(self) -> None:
        self.show_status()
        self._offer_keys()

    _offered: Optional[tuple] = None

    def _offer_keys(self) -> None:
        # The Footer rebuilds on every refresh of the bindings: only when e/d/a/l come or go.
        offered = tuple(self.check_action(a, ()) for a in ("edit", "delete", "align", "links"))
        if offered != self._offered:
            self._offered = offered
            self.refresh_bindings()

    def _matches(self, board: Board) -> Optional[set[str]]:
        """Codes and refs the filter lets through (None: no filter)."""
        text = self.query_one("#filter", FilterInput).value.strip().casefold()
        if not text:
            return None
        found = {s.code for s in board.strategy
                 if text in s.code.casefold() or text in s.title.casefold() or text in s.owner.casefold()}
        objectives = {o.ref for o in board.objectives()
                      if text in o.ref.casefold() or text in o.title.casefold() or text in o.owner.casefold()
                      or any(text in k.ref.casefold() or text in k.title.casefold() for k in o.key_results)}
        # A strategic objective stays in view when one of its OKRs matches.
        found |= objectives | {board.scores.effective.get(ref) for ref in objectives} - {None}
        return found

    # -- actions ------------------------------------------------------------

    def action_clear_kept_filter(self) -> None:
        field = self.query_one("#filter", FilterInput)
        if field.value:
            field.value = ""  # the change repaints every pane
            field.display = False

    def focused_code(self) -> Optional[str]:
        focused = self.focused
        if isinstance(focused, NavList) and focused.id and focused.id.startswith("list-"):
            code = focused.highlighted_id
            return code if code and self.board.strategic(code) else None
        return None

    def thread_code(self) -> tuple[Optional[str], str]:
        return self.focused_code(), "Move to a strategic objective first"

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        if event.option_list.id == "unaligned":
            self.app.open_drilldown(None, focus=option_id)
        elif self.board.strategic(option_id):
            self.app.open_drilldown(option_id)

    # -- planning (the app does the work; this says on what) --

    def _focused_perspective(self) -> Optional[str]:
        focused = self.focused
        if isinstance(focused, NavList) and focused.id and focused.id.startswith("list-"):
            return focused.id[len("list-"):]
        return None

    def _unaligned_ref(self) -> Optional[str]:
        focused = self.focused
        if isinstance(focused, NavList) and focused.id == "unaligned":
            return focused.highlighted_id
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "delete"):
            return bool(self.focused_code() or self._unaligned_ref()
                        or (isinstance(self.focused, HeaderBar) and self.board.cycle))
        if action == "links":
            return self.focused_code() is not None
        if action == "align":
            return self._unaligned_ref() is not None
        return True

    def action_new(self) -> None:
        if isinstance(self.focused, HeaderBar):
            self.app.new_cycle()
        elif self._unaligned_ref() is not None:
            self.app.new_objective(None)
        else:
            self.app.new_strategic(self._focused_perspective() or "financial")

    def action_edit(self) -> None:
        if isinstance(self.focused, HeaderBar):
            self.app.edit_cycle()
        elif self.focused_code():
            self.app.edit_strategic(self.focused_code())
        elif self._unaligned_ref():
            self.app.edit_objective(self._unaligned_ref())

    def action_delete(self) -> None:
        if isinstance(self.focused, HeaderBar):
            self.app.delete_cycle()
        elif self.focused_code():
            self.app.delete_strategic(self.focused_code())
        elif self._unaligned_ref():
            self.app.delete_objective(self._unaligned_ref())

    def action_align(self) -> None:
        if self._unaligned_ref():
            self.app.align(self._unaligned_ref())

    def action_links(self) -> None:
        if self.focused_code():
            self.app.edit_links(self.focused_code())

    def focus_item(self, key: str) -> None:
        """A just-made strategic objective: highlighted in its pane. The focus stays where the
        user has it (the save answers a moment later; a tab meanwhile must not be undone)."""
        strategic = self.board.strategic(key)
        if strategic is None:
            return
        pane_list = self.query_one(f"#list-{strategic.perspective}", NavList)
        pane_list.select_id(key)
        if self.focused is None:
            pane_list.focus()

    def focus_code(self, code: str) -> None:
        strategic = self.board.strategic(code)
        if strategic is None:
            return
        pane_list = self.query_one(f"#list-{strategic.perspective}", NavList)
        pane_list.select_id(code)
        pane_list.focus()
