"""Drill-down: a strategic objective's OKRs (cascaded children under their parents)
and their key results, below its measures (KPIs), with a detail pane for the focused item
and a breadcrumb."""

from __future__ import annotations

import gc
from typing import Optional

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.events import DescendantBlur
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from okrtui.app import look
from okrtui.app.board import Board
from okrtui.app.screens.base import BoardScreen
from okrtui.app.widgets import measures
from okrtui.app.widgets.common import FilterInput, KeyFooter, header_line, set_content
from okrtui.app.widgets.history import (
    DetailPane,
    DetailText,
    HistoryList,
    HistorySparkline,
    history_heading,
    newest_first,
)
from okrtui.app.widgets.tree import OkrTree
from okrtui.domain.models import PERSPECTIVE_NAMES, KeyResult, Measure, Objective
from okrtui.domain.scoring import pace
from okrtui.domain.text import counted
from okrtui.store import StoreError

UNALIGNED = "Unaligned objectives"


class DrillScreen(BoardScreen):
    """The drill-down of one strategic objective (`code`), or of the unaligned OKRs (None)."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("c", "checkin", "Check in"),
        # On a measure `c` records a reading: the Footer and `?` name that instead.
        Binding("c", "reading", "Reading", tooltip="Record a reading of the measure under the cursor "
                "(value, note)"),
        # Where `c` can do neither (on an objective, a closed cycle, a read-only store)
        # the Footer drops it, and this says why when it is pressed anyway.
        Binding("c", "checkin_refused", show=False),
        Binding("slash", "filter", "Filter"),
        Binding("t", "thread", "Thread"),
        # At 80 columns the Footer has room for the check-in path only; `?` and the palette list these.
        Binding("n", "new", "New", show=False, tooltip="New: on the strategic objective an OKR objective "
                "aligned to it; on an objective or key result a key result"),
        Binding("e", "edit", "Edit", show=False, tooltip="Edit the item under the cursor"),
        Binding("d", "delete", "Delete", show=False, tooltip="Delete the item under the cursor, after asking"),
        Binding("a", "align", "Align", show=False, tooltip="Align the objective to a strategic objective or "
                "a parent objective"),
    ]
    PALETTE = [("Move objective", "Move the objective under the cursor to another cycle", "move")]

    # Below 100 columns the tree sits above the detail pane (see drilldown.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide"), (160, "-widest")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]

    def __init__(self, code: Optional[str], focus: Optional[str] = None):
        super().__init__()
        self.code = code
        self.initial_focus = focus
        self._tree_nodes: dict[str, TreeNode] = {}
        # While `/` text is typed, the item the cursor was on: it comes back once it matches again.
        self._anchor: Optional[str] = None
        self._ref_width = 0
        self._detail_key: Optional[str] = None

    @property
    def board(self) -> Board:
        return self.app.board

    def compose(self) -> ComposeResult:
        yield Static(id="header")
        yield Static(id="breadcrumb")
        with Horizontal(id="drill"):
            yield OkrTree("", id="okr-tree")
            with DetailPane(id="detail"):
                yield DetailText(id="detail-text")
                yield HistorySparkline([], id="sparkline")
                yield DetailText(id="detail-history")
                yield HistoryList(id="history")
        yield FilterInput(placeholder="filter by ref, title or owner; enter keeps it, escape clears", id="filter")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#filter").display = False
        tree = self.query_one(OkrTree)
        tree.show_root = True
        tree.guide_depth = 3
        self.show_board(self.board)
        tree.focus()
        if self.initial_focus:
            # Nodes get their lines at the first layout; place the cursor after it.
            self.call_after_refresh(self.focus_item, self.initial_focus)

    # -- showing ------------------------------------------------------------

    def _title(self) -> Content:
        if self.code is None:
            return Content.styled(UNALIGNED, "bold")
        strategic = self.board.strategic(self.code)
        score = self.board.scores.strategic.get(self.code)
        return Content.assemble((f"{self.code} ", "bold"), look.plain(strategic.title if strategic else "?"),
                                "  ", look.score(score, words=True))

    def _objective_label(self, objective: Objective) -> Content:
        score = self.board.scores.objective.get(objective.ref)
        return Content.assemble(
            (f"{objective.ref} ", "bold"), look.score(score), " ", look.plain(objective.title),
            (f"  {objective.owner}" if objective.owner else "", "$text-muted"),
        )

    def _kr_label(self, kr: KeyResult) -> Content:
        # Ref, score and confidence at fixed widths, the title last: a narrow tree cuts only a title's end.
        score = look.score(self.board.scores.kr.get(kr.ref))
        confidence = look.confidence(kr.confidence)
        return Content.assemble(
            (f"{kr.ref:<{self._ref_width}} ", "bold"), score.pad_right(look.SCORE_WIDTH - score.cell_length), " ",
            confidence.pad_right(CONFIDENCE_WIDTH - confidence.cell_length), " ", look.plain(kr.title),
        )

    def _matches(self) -> Optional[str]:
        text = self.query_one("#filter", FilterInput).value.strip().casefold()
        return text or None

    def show_board(self, board: Board, focus: Optional[str] = None) -> None:
        if self.code is not None and board.strategic(self.code) is None:
            # Its strategic objective was deleted or renamed (here or by someone else): back a level.
            if self.is_current:
                self.app.call_later(self.app.pop_screen)
            return
        set_content(self.query_one("#header", Static), header_line(board))
        tree = self.query_one(OkrTree)
        keep = focus or self._anchor or self._cursor_key()
        needle = self._matches()
        rows = board.thread_of(self.code)
        self._ref_width = max((len(kr.ref) for objective, _ in rows for kr in objective.key_results), default=0)
        wanted = []
        for objective, depth in rows:
            krs = [kr for kr in objective.key_results
                   if needle is None or _hit(needle, kr.ref, kr.title, objective.owner)]
            if needle is None or krs or _hit(needle, objective.ref, objective.title, objective.owner):
                wanted.append((objective, depth, krs if needle else objective.key_results))
        strategic = board.strategic(self.code) if self.code else None
        kpis = [m for m in (strategic.measures if strategic else []) if needle is None or _hit(needle, m.name)]
        shape = [m.name for m in kpis] + [(o.ref, d, tuple(k.ref for k in krs)) for o, d, krs in wanted]
        rebuilt = shape != getattr(self, "_shape", None)
        if not rebuilt:
            # Same items: relabel in place so the cursor and expansion stay as they are.
            tree.label(tree.root, self._title())
            for objective, _, krs in wanted:
                tree.label(self._tree_nodes[objective.ref], self._objective_label(objective))
                for kr in krs:
                    tree.label(self._tree_nodes[kr.ref], self._kr_label(kr))
            for measure in kpis:
                tree.label(self._tree_nodes[measures.node_key(measure)], measures.label(measure))
        else:
            self._shape = shape
            tree.clear()
            tree.label(tree.root, self._title())
            tree.root.data = self.code or ""
            self._tree_nodes = {}
            # The strategic objective's own measures first: they stay in sight above however many OKRs.
            for measure in kpis:
                key = measures.node_key(measure)
                self._tree_nodes[key] = tree.label(tree.root.add_leaf("", data=key), measures.label(measure))
            for objective, depth, krs in wanted:
                parent = self._tree_nodes.get(objective.parent) if depth else None
                node = tree.label((parent or tree.root).add("", data=objective.ref, expand=True),
                                  self._objective_label(objective))
                self._tree_nodes[objective.ref] = node
                for kr in krs:
                    self._tree_nodes[kr.ref] = tree.label(node.add_leaf("", data=kr.ref), self._kr_label(kr))
            tree.root.expand()
        if keep is not None:
            node = self._nearest_node(board, keep)
            # Numbering the new lines can land the cursor on a passing node first: the detail
            # waits for where it ends up (below), rather than showing each on the way.
            self._placing = True
            try:
                if rebuilt:
                    # New nodes get their line numbers lazily; the cursor is placed by line number.
                    _ = tree.last_line
                if tree.cursor_node is not node:
                    tree.move_cursor(node)
            finally:
                self._placing = False
        if needle is None:
            self._anchor = None
        self._show_detail(self._cursor_key())
        self._offer_checkin()  # a closed cycle or a read-only store takes `c` away too

    def _nearest_node(self, board: Board, key: str) -> TreeNode:
        """The node of `key`, or of the nearest objective above it that is shown, or the root."""
        chain = [key]
        found = board.key_result(key) if key.startswith("KR-") else None
        objective = found[0] if found else board.objective(key) if key.startswith("O-") else None
        while objective is not None and len(chain) < 64:  # the bound only guards against a loop
            chain.append(objective.ref)
            objective = board.objective(objective.parent) if objective.parent else None
        for ref in chain:
            if ref in self._tree_nodes:
                return self._tree_nodes[ref]
        return self.query_one(OkrTree).root

    def _cursor_key(self) -> Optional[str]:
        node = self.query_one(OkrTree).cursor_node
        return node.data if node is not None else None

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        # Mostly the tree's watcher has shown this already. A rebuild can highlight a passing
        # node before the cursor lands: show where the cursor is now, not the event's node.
        if self._cursor_key() != self._detail_key:
            self.cursor_moved()

    _placing = False

    def cursor_moved(self) -> None:
        if self._placing:
            return
        self._show_detail(self._cursor_key())
        self._offer_checkin()
        self.call_after_refresh(self._collect_at_rest)

    def _collect_at_rest(self) -> None:
        # A move leaves thousands of objects behind in Textual's caches, and with the app's
        # threshold the young generation's collection (20-50 ms here) landed inside one move in
        # three or four. Once the move is painted and no key waits, collect it then instead.
        young, _, _ = gc.get_count()
        if gc.isenabled() and young >= gc.get_threshold()[0] // 4 and self.app._message_queue.empty():
            gc.collect(0)

    _checkin_offered: Optional[tuple] = None

    def _offer_checkin(self) -> None:
        # `c` is offered on key results and measures. The Footer rebuilds itself on every refresh of
        # the bindings, which costs more than the rest of a cursor move: refresh only when a key comes or goes.
        key = self._cursor_key()
        offered = (self.app.why_no_checkin(key) is None, self._why_no_reading(key) is None,
                   bool(key and key.startswith("O-")), self._item_key() is None, measures.is_measure_key(key))
        if offered != self._checkin_offered:
            self._checkin_offered = offered
            self.refresh_bindings()

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        # enter on a key result or a measure opens its detail (history, sparkline) to scroll; escape returns.
        key = event.node.data
        if isinstance(key, str) and (key.startswith("KR-") or measures.is_measure_key(key)):
            self.query_one("#detail").focus()

    def _show_detail(self, key: Optional[str]) -> None:
        board = self.board
        text, history, values, entries, kind = None, Content(""), [], [], "metric"
        found = board.key_result(key) if key and key.startswith("KR-") else None
        if found:
            objective, kr = found
            text = self._kr_detail(objective, kr)
            if board.history_loaded:
                try:
                    checkins = board.history(kr.ref)
                except StoreError as exc:  # a damaged log: the rest of the screen still stands
                    history = Content.styled(f"\nThe check-in history cannot be read: {exc}", "$text-error")
                else:
                    values = [float(c.value) for c in checkins]
                    history = history_heading(checkins)
                    entries, kind = newest_first(checkins), kr.kind
            else:
                history = Content.styled("\nReading the check-in history\u2026", "$text-muted")
                self._load_history(board)
        elif key and key.startswith("O-") and board.objective(key):
            text = self._objective_detail(board.objective(key))
        elif (measure := self._measure(key)) is not None:
            found = True  # no way-to-check-in line: `c` works here
            readings = board.readings(measure) if board.readings_loaded else None
            text = measures.detail(board.strategic(self.code), measure, readings)
            if readings is None:
                history = Content.styled("\nReading the measure's history\u2026", "$text-muted")
                self._load_readings(board)
            else:
                timed = measures.in_time_order(readings)
                values = [float(r.value) for r in timed]
                history = history_heading(readings, "readings")
                entries, kind = list(reversed(timed)), "reading"
        if text is None:  # the root, or an item gone: built only then, it costs a third of a move
            text = self._strategic_detail()
        if not found:
            text = Content.assemble(self._way_to_checkin(), text)
        # A move between items of one kind mostly keeps the pane's heights: no layout then (see set_content).
        set_content(self.query_one("#detail-text", Static), text, layout=None)
        sparkline = self.query_one(HistorySparkline)
        if sparkline.data != values:
            sparkline.data = values
        sparkline.display = len(values) > 1
        set_content(self.query_one("#detail-history", Static), history, layout=None)
        history_list = self.query_one(HistoryList)
        history_list.show(entries, kind)
        history_list.display = bool(entries)
        self._foresee_scrollbar()
        if self.focused is self.query_one(DetailPane):
            history_list.wrap_in_background()
        if key != self._detail_key:
            self._detail_key = key
            self.query_one(DetailPane).scroll_home(animate=False)
        self._breadcrumb(key)

    def _foresee_scrollbar(self) -> None:
        # Textual shows the pane's scrollbar once a layout finds the content taller than the pane,
        # and then lays it all out again, a column narrower: a move between an objective (short)
        # and a key result (its history) paid for two layouts and painted twice. Shown or hidden
        # ahead here, by the heights the content will take, one layout does; a wrong guess costs
        # what it did before, as Textual's own check after the layout still decides.
        pane = self.query_one(DetailPane)
        if pane.styles.overflow_y != "auto" or not pane.size.height or not pane.is_mounted:
            return
        width = pane.size.width - pane.styles.scrollbar_size_vertical  # as wide as it is with the bar
        if width <= 0:
            return
        total = 0
        for child in pane.children:
            if not child.display:
                continue
            if isinstance(child, HistoryList):
                total += child.estimated_height()
            elif isinstance(child, Static):
                total += child.visual.get_height(child.styles, width)
            elif child.styles.height is not None and child.styles.height.is_cells:
                total += int(child.styles.height.value)
            else:
                return  # a child this cannot measure: Textual's layout decides, as before
            total += child.styles.margin.height
        shown = total > pane.size.height
        if shown != pane.show_vertical_scrollbar:
            pane.show_vertical_scrollbar = shown
            pane.vertical_scrollbar.display = shown

    @work(thread=True, exclusive=True, group="history")
    def _load_history(self, board: Board) -> None:
        try:
            board.load_history()
        except StoreError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._history_ready, board)

    def _history_ready(self, board: Board) -> None:
        if board is self.board:
            self._show_detail(self._cursor_key())

    _readings_asked: Optional[Board] = None

    def _load_readings(self, board: Board) -> None:
        # Asked for on every repaint until read: one read of a board's readings is enough.
        if self._readings_asked is not board:
            self._readings_asked = board
            self._read_readings(board)

    @work(thread=True, exclusive=True, group="readings")
    def _read_readings(self, board: Board) -> None:
        try:
            board.load_readings()
        except StoreError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._history_ready, board)

    def _measure(self, key: Optional[str]) -> Optional[Measure]:
        return measures.measure_of(self.board.strategic(self.code) if self.code else None, key)

    def _why_no_reading(self, key: Optional[str]) -> Optional[str]:
        measure = self._measure(key)
        if measure is None:
            return "Move to a measure (KPI) to record a reading"
        return self.app.why_no_reading(self.code, measure.name)

    def _breadcrumb(self, key: Optional[str]) -> None:
        parts: list = ["Scorecard"]
        strategic = self.board.strategic(self.code) if self.code else None
        if strategic:
            parts += [" \u203a ", PERSPECTIVE_NAMES[strategic.perspective], " \u203a ", (strategic.code, "bold")]
        else:
            parts += [" \u203a ", UNALIGNED]
        if key and key.startswith("KR-") and self.board.key_result(key):
            objective, kr = self.board.key_result(key)
            parts += [" \u203a ", (objective.ref, "bold"), " \u203a ", (kr.ref, "bold"), " ", look.plain(kr.title)]
        elif key and key.startswith("O-") and self.board.objective(key):
            objective = self.board.objective(key)
            parts += [" \u203a ", (objective.ref, "bold"), " ", look.plain(objective.title)]
        elif (measure := self._measure(key)) is not None:
            parts += [" \u203a ", ("KPI ", "bold"), look.plain(measure.name)]
        set_content(self.query_one("#breadcrumb", Static), Content.assemble(*parts), layout=False)  # one line high

    def _way_to_checkin(self) -> Content:
        """Off a key result: how to reach a check-in from here, or why there is none."""
        first_kr = next((ref for ref in self._tree_nodes if ref.startswith("KR-")), None)
        has_measures = any(measures.is_measure_key(key) for key in self._tree_nodes)
        if first_kr is None:
            return Content.styled("down to a measure, then c records a reading\n\n" if has_measures
                                  and self.app.why_no_reading(self.code, None) is None else "", "$text-muted")
        why_not = self.app.why_no_checkin(first_kr)
        way = why_not or "down to a key result, then c checks in"
        if has_measures and not why_not:
            way += "; on a measure, c records a reading"
        return Content.styled(f"{way}\n\n", "$text-muted")

    def _strategic_detail(self) -> Content:
        board = self.board
        if self.code is None:
            return Content.assemble(
                (UNALIGNED, "bold"), "\nThese OKR objectives serve no strategic objective, directly or "
                "through a parent. Align each to show which strategy it executes.")
        strategic = board.strategic(self.code)
        if strategic is None:
            return Content("")
        score = board.scores.strategic.get(strategic.code)
        parts: list = [
            (f"{strategic.code} ", "bold"), look.plain(strategic.title, "bold"), "\n",
            f"{PERSPECTIVE_NAMES[strategic.perspective]}", "  \u00b7  score ", look.score(score, words=True),
            f"  \u00b7  {counted(board.scores.okr_count.get(strategic.code, 0), 'OKR')} this cycle",
        ]
        if strategic.owner:
            parts += ["\nOwner ", look.plain(strategic.owner)]
        if strategic.drives:
            parts += ["\nDrives ", ", ".join(strategic.drives)]
        if strategic.description:
            parts += ["\n\n", look.plain(strategic.description)]
        if strategic.measures:
            loaded = board.readings_loaded
            if not loaded:
                self._load_readings(board)  # the trends follow once read
            parts += ["\n\n", ("Measures", "bold"), (" (attainment, trend)", "$text-muted")]
            for measure in strategic.measures:
                parts += ["\n", measures.summary(measure, board.readings(measure) if loaded else None)]
        if strategic.initiatives:
            parts += ["\n\n", ("Initiatives", "bold")]
            for initiative in strategic.initiatives:
                parts += ["\n  \u2022 ", look.plain(initiative)]
        return Content.assemble(*parts)

    def _objective_detail(self, objective: Objective) -> Content:
        board = self.board
        score = board.scores.objective.get(objective.ref)
        effective = board.scores.effective.get(objective.ref)
        parts: list = [
            (f"{objective.ref} ", "bold"), look.plain(objective.title, "bold"), "\n",
            "Score ", look.score(score, words=True), f"  \u00b7  {len(objective.key_results)} key results",
        ]
        if objective.owner:
            parts += ["\nOwner ", look.plain(objective.owner)]
        parts += ["\nServes ", effective or "nothing (unaligned)"]
        if objective.aligned_to is None and effective:
            parts += [f" (through parent {objective.parent})"]
        if objective.parent:
            parent = board.objective(objective.parent)
            parts += ["\nParent ", objective.parent, " ", look.plain(parent.title if parent else "")]
        for kr in objective.key_results:
            kr_score = board.scores.kr.get(kr.ref)
            parts += ["\n  ", (f"{kr.ref} ", "bold"), look.score(kr_score), " ", look.plain(kr.title),
                      f"  (weight {look.number(kr.weight)})"]
        return Content.assemble(*parts)

    def _kr_detail(self, objective: Objective, kr: KeyResult) -> Content:
        board = self.board
        score = board.scores.kr.get(kr.ref)
        kr_pace = pace(score, board.scores.elapsed) or "\u2014"
        if kr.kind == "milestone":
            progress = "done" if kr.current == 1 else "not done"
        else:
            unit = f" {kr.unit}" if kr.unit else ""
            progress = (f"start {look.number(kr.start)}{unit} \u00b7 target {look.number(kr.target)}{unit} "
                        f"\u00b7 current {look.number(kr.current)}{unit}")
        return Content.assemble(
            (f"{kr.ref} ", "bold"), look.plain(kr.title, "bold"), "\n",
            f"{kr.kind} \u00b7 weight {look.number(kr.weight)} \u00b7 in {objective.ref}\n",
            "Score ", look.score(score, words=True),
            f" \u00b7 pace {kr_pace} \u00b7 confidence ", look.confidence(kr.confidence), "\n",
            look.plain(progress),
        )

    # -- actions ------------------------------------------------------------

    def action_back(self) -> None:
        if self.focused is self.query_one("#detail"):
            self.query_one(OkrTree).focus()
        else:
            self.app.pop_screen()

    HELP_LEAD = ("On a key result, c checks in; on a measure (KPI), c records a reading (enter saves); "
                 "enter on an objective folds it; escape goes back a level.")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        key = self._cursor_key()
        if action == "checkin":
            return self.app.why_no_checkin(key) is None
        if action == "reading":
            return self._why_no_reading(key) is None
        if action in ("align", "move"):
            return bool(key and key.startswith("O-"))
        if action in ("edit", "delete"):
            return bool(self._item_key() or self.code)
        return True

    def _item_key(self) -> Optional[str]:
        """The objective or key result under the cursor; None on the root (the strategic
        objective itself, or the unaligned list)."""
        key = self._cursor_key()
        return key if key and (key.startswith("O-") or key.startswith("KR-")) else None

    # -- planning: `n` makes a child of the node under the cursor (§5) --

    def _objective_of(self, key: Optional[str]) -> Optional[str]:
        if key and key.startswith("KR-"):
            found = self.board.key_result(key)
            return found[0].ref if found else None
        return key if key and key.startswith("O-") else None

    def action_new(self) -> None:
        key = self._item_key()
        objective = self._objective_of(key)
        if objective is None:
            self.app.new_objective(self.code)
        else:
            self.app.new_key_result(objective)

    def action_edit(self) -> None:
        key = self._item_key()
        if key is None:
            if self.code:
                self.app.edit_strategic(self.code)
        elif key.startswith("KR-"):
            self.app.edit_key_result(key)
        else:
            self.app.edit_objective(key)

    def action_delete(self) -> None:
        key = self._item_key()
        if measures.is_measure_key(self._cursor_key()):
            # Not the strategic objective it belongs to: a measure goes in that objective's form.
            self.notify("A measure is removed in its strategic objective's form: e edits it, measures and all",
                        severity="warning")
            return
        if key is None:
            if self.code:
                self.app.delete_strategic(self.code)
        elif key.startswith("KR-"):
            self.app.delete_key_result(key)
        else:
            self.app.delete_objective(key)

    def action_align(self) -> None:
        key = self._cursor_key()
        if key and key.startswith("O-"):
            self.app.align(key)

    def action_move(self) -> None:
        key = self._cursor_key()
        if key and key.startswith("O-"):
            self.app.move_objective(key)

    def action_checkin(self) -> None:
        self.app.open_checkin(self._cursor_key())

    def action_reading(self) -> None:
        measure = self._measure(self._cursor_key())
        if measure is not None:
            self.app.open_reading(self.code, measure.name)

    def action_checkin_refused(self) -> None:
        key = self._cursor_key()
        why_not = self._why_no_reading(key) if measures.is_measure_key(key) else self.app.why_no_checkin(key)
        if why_not:
            self.notify(why_not, severity="warning", markup=False)

    def thread_code(self) -> tuple[Optional[str], str]:
        return self.code, "Unaligned objectives have no strategic thread"

    def action_filter(self) -> None:
        if self.focused is not self.query_one(FilterInput):
            self._anchor = self._cursor_key()
        super().action_filter()

    def after_filter(self) -> None:
        self._anchor = None
        self.query_one(OkrTree).focus()

    def on_descendant_blur(self, event: DescendantBlur) -> None:
        # Leaving the filter with text in it ends the anchor; escape empties the field first,
        # and that last rebuild still puts the cursor back on the anchor.
        if isinstance(event.widget, FilterInput) and event.widget.value.strip():
            self._anchor = None

    def focus_item(self, ref: str) -> None:
        node = self._tree_nodes.get(ref)
        if node is not None:
            tree = self.query_one(OkrTree)
            tree.move_cursor(node)
            tree.scroll_to_node(node)
            self._show_detail(ref)


def _hit(needle: str, *texts: str) -> bool:
    return any(needle in text.casefold() for text in texts)


CONFIDENCE_WIDTH = max(len(f"{symbol} {key}") for key, symbol in look.CONFIDENCE_SYMBOL.items())
