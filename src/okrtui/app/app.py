"""The okrtui terminal app: owns the store and the Board; screens render the Board.

Saves and reloads run off the event loop. Saves go through a one-thread
executor so they reach the store in the order they were made; reloads keep
only the newest (exclusive workers).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from pydantic import ValidationError
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import ModalScreen, Screen

from okrtui.app import look, settings
from okrtui.app.board import Board, build_board
from okrtui.app.commands import palette_commands
from okrtui.app.messages import failure_text
from okrtui.app.planning import PlanningActions
from okrtui.app.readings import ReadingActions
from okrtui.app.screens.checkin import CheckinDialog, CheckinRequest
from okrtui.app.screens.base import BoardScreen
from okrtui.app.screens.drilldown import DrillScreen
from okrtui.app.screens.scorecard import ScorecardScreen
from okrtui.assets import asset_dir
from okrtui.domain.errors import describe
from okrtui.domain.changes import Command
from okrtui.domain.models import CheckIn, KeyResult, latest_checkin
from okrtui.domain.text import score_text
from okrtui.operations import parse_value, present_time, record_checkin, ripple_line
from okrtui.store import Store, StoreError

WATCH_SECONDS = 1.0
CYCLE_KEYS = Binding.Group("Cycle", compact=True)
PAINT_FIRST_SECONDS = 0.2
HOLD_PAINT_SECONDS = 0.05
COLLECTOR_PAUSE_SECONDS = 1.0


def _stylesheets() -> list[Path]:
    return sorted(asset_dir("styles").glob("*.tcss"))


class OkrApp(PlanningActions, ReadingActions, App):
    TITLE = "okrtui"
    CSS_PATH = _stylesheets()
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
        Binding("g", "goto", "Go to"),
        # One Footer item for both: at 80 columns the Footer has no room for two.
        Binding("left_square_bracket", "cycle(-1)", "Previous cycle", group=CYCLE_KEYS),
        Binding("right_square_bracket", "cycle(1)", "Next cycle", group=CYCLE_KEYS),
        Binding("h", "hints", "Hints"),
        Binding("u", "undo", "Undo", show=False, tooltip="Undo the last change made in this session"),
        Binding("r", "review", "Review", show=False,
                tooltip="Review: what moved since a date, the wins and what they serve, who owes a check-in"),
        Binding("w", "my_work", "My work", show=False,
                tooltip="My work: your objectives of this cycle (--as), what each serves, what is due"),
        Binding("m", "strategy_map", "Strategy map", show=False,
                tooltip="Strategy map: the strategic objectives by perspective and their links"),
    ]

    def __init__(self, store: Store, *, as_of: Optional[dt.date] = None, user: str = "okrtui",
                 cycle_id: Optional[str] = None):
        super().__init__()
        self.store = store
        self.fixed_as_of = as_of
        self.user = user
        self.board: Board = build_board(store, self.as_of, cycle_id)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="okrtui-save")
        self._seen = self._store_signature()
        self.checkin_seconds: list[float] = []
        self.init_planning()

    def get_css_variables(self) -> dict[str, str]:
        # Band colours that read on a light theme's rows and stay apart with 16 colours (look.py).
        console = getattr(self, "console", None)
        sixteen = console is not None and console.color_system in ("standard", "windows")
        variables = {**super().get_css_variables(), **look.theme_variables(self.current_theme, sixteen)}
        self.theme_variables = variables
        return variables

    @property
    def as_of(self) -> dt.date:
        return self.fixed_as_of or dt.datetime.now(dt.timezone.utc).date()

    def on_mount(self) -> None:
        # Rendering makes many short-lived objects; with the default thresholds the
        # collector's full passes over a large board land inside repaints (p95 of a
        # check-in on L: 280 ms with them, about 110 ms with these).
        gc.set_threshold(20_000, 50, 50)
        # What start-up made (the board, Textual's widgets and styles) lives as long as the app:
        # out of the collector's sight, a rare full pass no longer stalls a scroll for half a second.
        gc.freeze()
        saved_theme = settings.load().get("theme")
        if isinstance(saved_theme, str) and saved_theme in self.available_themes:
            self.theme = saved_theme
        self.theme_changed_signal.subscribe(self, lambda theme: settings.remember("theme", theme.name))
        if self.board.is_empty:
            from okrtui.app.screens.first_run import FirstRunScreen

            self.push_screen(FirstRunScreen())
        else:
            self.push_screen(ScorecardScreen())
        self.set_interval(WATCH_SECONDS, self._check_store)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A screen names the app's keys that do nothing on it: the Footer and `?` leave them out.
        if action in getattr(self.screen, "APP_KEYS_UNUSED", ()):
            return False
        cycle = self.board.cycle
        if action in ("edit_cycle", "roll_over", "delete_cycle"):
            return cycle is not None
        if action == "close_cycle":
            return cycle is not None and cycle.closed != parameters[0]
        return True

    # -- the board ------------------------------------------------------------

    def show(self, board: Board) -> None:
        """Put a new board on every screen that shows one, keeping each cursor where it is."""
        was_empty = self.board.is_empty
        board.keep_readings_of(self.board)
        self.board = board
        self.others_replaced_mine(board)
        if was_empty and not board.is_empty and not isinstance(self.screen, BoardScreen):
            self.switch_screen(ScorecardScreen())  # the first-run screen gives way
            return
        # Only the screen in view repaints now; the others catch up when they come back.
        for screen in self.screen_stack:
            if hasattr(screen, "show_board"):
                if screen is self.screen:
                    screen.show_board(board)
                else:
                    screen.stale = True

    def _store_signature(self) -> Optional[tuple[int, int, int]]:
        try:
            info = os.stat(self.store.target)
        except OSError:
            return None
        return (info.st_ino, info.st_mtime_ns, info.st_size)

    def _check_store(self) -> None:
        signature = self._store_signature()
        if signature != self._seen:
            self._seen = signature
            self.reload()

    @work(exclusive=True, group="reload", thread=True)
    def reload(self, cycle_id: Optional[str] = None) -> None:
        wanted = cycle_id or (self.board.cycle.id if self.board.cycle else None)
        try:
            board = build_board(self.store, self.as_of, wanted)
        except Exception as exc:  # a store another process broke must not end the app
            self.call_from_thread(self.notify, failure_text(exc), severity="error", markup=False)
            return
        if self.board.readings_loaded:
            # Read here, not after: a screen showing readings keeps them through another's reading.
            try:
                board.load_readings()
            except StoreError:
                pass  # the screen that shows them reads them again, and says what is wrong
        self.call_from_thread(self.show, board)

    # -- check-ins --------------------------------------------------------------

    def why_no_checkin(self, kr_ref: Optional[str]) -> Optional[str]:
        """Why a check-in on `kr_ref` cannot be made here, or None when it can."""
        if not kr_ref or not kr_ref.startswith("KR-") or self.board.key_result(kr_ref) is None:
            return "Move to a key result to check in"
        if self.store.read_only:
            return "The store is read-only: check-ins cannot be saved"
        if self.board.cycle and self.board.cycle.closed:
            return f"Cycle {self.board.cycle.id} is closed: it takes no more check-ins"
        return None

    def open_checkin(self, kr_ref: str) -> None:
        why_not = self.why_no_checkin(kr_ref)
        if why_not:
            self.notify(why_not, severity="warning", markup=False)
            return
        self._push_checkin(CheckinDialog(self.board.key_result(kr_ref)[1], last=self._last_checkin(kr_ref)))

    def _push_checkin(self, dialog: CheckinDialog) -> None:
        """Open a check-in dialog that is taken down only once the screen under it has repainted.

        Textual's pop of a dialog waits, in the app's own queue, for the dialog's removal (its
        widgets unmounted one by one): the notification showing the ripple waited behind it, and
        the paint of the check-in waited for the notification (10-18 ms on the critical path).
        Installed, the dialog is only popped; it is removed after that paint.
        """
        self.install_screen(dialog, f"okrtui-checkin-{id(dialog)}")
        answering = False

        def take_down() -> None:
            if not self.is_screen_installed(dialog) or dialog in self.screen_stack:
                return
            self.uninstall_screen(dialog)
            if not answering:
                dialog.remove()
            # Still answering: Textual's pop, queued behind this answer, removes it now.

        def answered(request: Optional[CheckinRequest]) -> None:
            nonlocal answering
            answering = True
            try:
                if request is None:
                    take_down()
                else:
                    self._save_checkin(request, after_paint=take_down)
            finally:
                answering = False

        self.push_screen(dialog, answered)

    def _last_checkin(self, kr_ref: str) -> Optional[CheckIn]:
        """The latest check-in when the cycle's history is already read (never a slow read here)."""
        if not self.board.history_loaded:
            return None
        try:
            return latest_checkin(self.board.history(kr_ref))
        except StoreError:
            return None

    def _save_checkin(self, request: Optional[CheckinRequest],
                      after_paint: Optional[Callable[[], None]] = None) -> None:
        """Show the ripple at once from the board in memory, and queue the write.

        The write (lock, re-read, commit) is queued here, synchronously, on a one-thread
        executor: saves keep their order, and one made just before quitting still lands
        (the executor is shut down with wait). The store's answer then replaces the
        optimistic board; a failed write puts the store's state back with the reason.
        """
        found = self.board.key_result(request.ref) if request is not None else None
        now = dt.datetime.now(dt.timezone.utc)
        checkin = self._checkin_of(request, found[1], now) if found is not None else None
        if not isinstance(checkin, CheckIn):  # nothing to paint: the dialog goes at once
            if after_paint is not None:
                after_paint()
            if checkin is not None:
                self._not_saved(request, checkin)
            return
        unchanged = (checkin.value, checkin.confidence) == (found[1].current, found[1].confidence)
        changes, board = self.board.with_checkin(request.ref, checkin)
        painted = threading.Event()

        def on_paint() -> None:
            # Key press to repainted screen, for the benchmark (§11).
            self.checkin_seconds.append(time.perf_counter() - request.pressed_at)
            painted.set()
            if after_paint is not None:
                after_paint()

        with self._paint_laid_out(on_paint):
            # The toast first: its mounting takes the longest of what the paint waits for.
            if unchanged:  # a check-in that moves nothing still says the value holds as of today
                self.notify(f"{request.ref} {score_text(changes[0].new)} confirmed as of {now:%Y-%m-%d}"
                            + (" (note saved)" if request.note else ""), title="Confirmed", markup=False)
            else:
                self.notify(ripple_line(changes), title="Checked in", markup=False)
            self.show(board)
        cycle_id = board.cycle.id if board.cycle else None

        def save() -> list[tuple[Optional[str], Optional[Board], Optional[Command]]]:
            # In a list the reader empties: a finished future is kept in a reference cycle, and a
            # board it held (a whole cycle of models) then waited for a full collection to be freed,
            # 0.4-0.7 s at once on L, in the middle of a later repaint.
            return [answer()]

        def answer() -> tuple[Optional[str], Optional[Board], Optional[Command]]:
            # Let the new numbers paint first: a writer holding the GIL slows the repaint
            # the user is waiting for. Never wait long for it.
            painted.wait(PAINT_FIRST_SECONDS)
            command = None
            try:
                command = record_checkin(self.store, request.ref, request.value_text, author=self.user,
                                         confidence=request.confidence, note=request.note, now=now).command
                self.committed(command)
                failure = None
            except Exception as exc:  # whatever went wrong, the app goes on and says so
                failure = failure_text(exc)
            try:
                return failure, build_board(self.store, self.as_of, cycle_id), command
            except Exception as exc:
                return failure or failure_text(exc), None, command

        self.saves_in_flight += 1
        self._show_when_saved(request, self._writer.submit(save))

    def _checkin_of(self, request: CheckinRequest, kr: KeyResult, now: dt.datetime) -> CheckIn | str:
        """The check-in the request makes, or why it cannot be made."""
        try:
            value = parse_value(request.value_text, kr.kind) if request.value_text else kr.current
            return CheckIn.model_validate({"at": present_time(kr.last_checkin_at, now), "author": self.user,
                                           "value": value, "confidence": request.confidence, "note": request.note})
        except ValueError as exc:
            return str(exc)
        except ValidationError as exc:
            return "; ".join(describe(exc))

    @contextmanager
    def _paint_laid_out(self, after_paint: Callable[[], None]) -> Iterator[None]:
        """Changes made in the block reach the screen in one paint that has their layout, then
        `after_paint` runs (after the screen has settled).

        Left alone, the screen coming back from a dialog paints at once, before the widgets that
        grew (the history, the detail) have asked for their layout and before the notification's
        toast is mounted: each of those then waits for a later frame (16-33 ms apart with Textual's
        frame pacing) and paints the screen again; the last came 60 ms after the key. So repaints
        are held until the screen is idle with every widget in it mounted, or HOLD_PAINT_SECONDS
        at most.

        The collector waits too, until after that paint. Drawing leaves cyclic garbage behind
        (Textual's strips keep themselves in their own caches): a collection that fell inside
        the repaint cost it 15-150 ms, the most of any one thing in its slowest tenth.
        """
        screen = self.screen
        released = False
        collector = _CollectorPause()

        def painted() -> None:
            try:
                after_paint()
            finally:
                collector.close()

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._end_batch()
                self.call_after_refresh(painted)

        def when_settled() -> None:
            if released:
                return
            if screen.is_attached and any(not widget.is_mounted for widget in screen.walk_children(with_self=False)):
                # Asked again after a real pause: a chain of idle callbacks would keep the event
                # loop from the very mounting it waits for.
                self.set_timer(0.002, when_settled)
            else:
                # One more idle: a widget asks for its layout as its mounting ends.
                screen.call_after_refresh(release)

        self._begin_batch()
        try:
            yield
        finally:
            # Through the app's queue first: a notification made in the block is mounted from there.
            self.call_later(screen.call_after_refresh, when_settled)
            self.set_timer(HOLD_PAINT_SECONDS, release)
            self.set_timer(COLLECTOR_PAUSE_SECONDS, collector.close)  # never left off

    @work(group="save")
    async def _show_when_saved(self, request: CheckinRequest, saving: Future) -> None:
        try:
            failure, truth, command = (await asyncio.wrap_future(saving)).pop()
        finally:
            self.saves_in_flight -= 1
        self.remember_checkin(command)  # on the stack in the same step as the count goes down
        self.call_later(self.save_answered)
        if truth is not None:
            # The store's own state: the saved check-in, or the numbers before a failed one.
            self._seen = self._store_signature()
            self.show(truth)
        else:
            self.reload()
        if failure is not None:
            self._not_saved(request, failure)

    def _not_saved(self, request: CheckinRequest, reason: str) -> None:
        """Say so, and put the unsaved check-in back in its dialog for a retry (enter) or to drop (escape)."""
        self.clear_notifications()  # the optimistic "Checked in" no longer holds
        self.notify(f"Not saved: {reason}", severity="error", markup=False, timeout=15)
        found = self.board.key_result(request.ref)
        if found is None or isinstance(self.screen, ModalScreen) or self.store.read_only:
            return
        self._push_checkin(CheckinDialog(found[1], retry=request, problem=reason, last=self._last_checkin(request.ref)))

    # -- navigation -------------------------------------------------------------

    def open_drilldown(self, code: Optional[str], focus: Optional[str] = None) -> None:
        # From the map, the review or my work, escape comes back to it.
        while isinstance(self.screen, DrillScreen) or (len(self.screen_stack) > 2
                                                       and not getattr(self.screen, "KEPT_UNDER_DRILLDOWN", False)):
            self.pop_screen()
        self.push_screen(DrillScreen(code, focus))

    def action_cycle(self, step: int) -> None:
        cycles = self.board.cycles()
        if not cycles:
            self.notify("There are no cycles yet", severity="warning")
            return
        ids = [c.id for c in cycles]
        current = ids.index(self.board.cycle.id) if self.board.cycle else 0
        target = current + step
        if not 0 <= target < len(ids):
            self.notify("No earlier cycle" if step < 0 else "No later cycle", severity="information")
            return
        board = self._board_of(ids[target])
        if board is not None:
            self.show(board)

    def _board_of(self, cycle_id: Optional[str]) -> Optional[Board]:
        """Another cycle's board, or None (said in a notification) when the store cannot give it."""
        try:
            return build_board(self.store, self.as_of, cycle_id)
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False, timeout=10)
            return None

    def action_goto(self) -> None:
        from okrtui.app import search
        from okrtui.app.screens.goto import GotoDialog

        board = self.board
        at_hand = search.entries(board.strategy, [board.cycle] if board.cycle else [])
        # Every cycle as the store holds it now: the board's snapshot may be older than a part
        # another process has replaced since.
        self.push_screen(GotoDialog(self._goto_problem, at_hand, lambda: self.store.load(
            lambda snapshot: search.entries(snapshot.strategy, snapshot.cycles())),
            home=board.cycle.id if board.cycle else None), self._goto)

    def _goto_problem(self, target: str) -> Optional[str]:
        """Why `target` cannot be gone to, or None when it can."""
        target = target.strip()
        if not target:
            return "type a ref (KR-12, O-3) or a strategic objective's code (F1)"
        if self.board.strategic(target) or self.board.locate(target.upper()):
            return None
        return f"no key result, objective or strategic objective {target!r}"

    def _goto(self, target: Optional[str]) -> None:
        if not target:
            return
        target = target.strip()
        if self.board.strategic(target):
            self.open_drilldown(target)
            return
        ref = target.upper()
        cycle_id = self.board.locate(ref)
        if self.board.cycle is None or cycle_id != self.board.cycle.id:
            board = self._board_of(cycle_id)
            if board is None:
                return
            self.show(board)
        board = self.board
        if ref.startswith("KR-"):
            found = board.key_result(ref)
            objective_ref = found[0].ref if found else None
        else:
            objective_ref = ref if board.objective(ref) else None
        if objective_ref is None:
            self.notify(f"{ref} is no longer in the store", severity="warning", markup=False)
            return
        self.open_drilldown(board.scores.effective.get(objective_ref), focus=ref)

    def jump_to_hint(self, hint) -> None:
        """Show the item a hint is about: its drill-down, or its place on the scorecard."""
        board = self.board
        if hint.kind in ("unaligned", "kr-count"):
            self.open_drilldown(board.scores.effective.get(hint.ref), focus=hint.ref)
        elif hint.kind == "stale":
            self._goto(hint.ref)
        elif hint.kind in ("objective-count", "sandbagging"):
            owned = [o for o in board.objectives() if o.owner.strip() == hint.ref]
            if owned:
                self.open_drilldown(board.scores.effective.get(owned[0].ref), focus=owned[0].ref)
            else:
                self.notify(f"{hint.ref} has no objective in this cycle", markup=False)
        else:  # orphan (a code) or crowded (a perspective): the scorecard shows them
            while len(self.screen_stack) > 2:
                self.pop_screen()
            scorecard = self.screen
            if isinstance(scorecard, ScorecardScreen):
                if hint.kind == "orphan":
                    scorecard.focus_code(hint.ref)
                else:
                    scorecard.query_one(f"#list-{hint.ref}").focus()

    def action_review(self) -> None:
        from okrtui.app.screens.review import ReviewScreen

        if not isinstance(self.screen, ReviewScreen):
            self.push_screen(ReviewScreen())

    def action_my_work(self) -> None:
        from okrtui.app.screens.review import MyWorkScreen

        if not isinstance(self.screen, MyWorkScreen):
            self.push_screen(MyWorkScreen())

    def go_to_item(self, target: str) -> None:
        """Show a strategic objective, objective or key result in its drill-down (as `g` does)."""
        self._goto(target)

    def leave_first_run(self) -> None:
        """The first-run screen, back in view once the store holds data, becomes the scorecard."""
        if not self.board.is_empty:
            self.switch_screen(ScorecardScreen())

    def action_strategy_map(self) -> None:
        from okrtui.app.screens.strategy_map import MapScreen

        if isinstance(self.screen, MapScreen):
            return
        code = getattr(self.screen, "focused_code", lambda: None)() or getattr(self.screen, "code", None)
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.push_screen(MapScreen(code))

    def open_thread(self, code: str) -> None:
        from okrtui.app.screens.thread import ThreadScreen

        self.push_screen(ThreadScreen(code))

    def action_help(self) -> None:
        from okrtui.app.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_hints(self) -> None:
        from okrtui.app.screens.hints import HintsScreen

        if not isinstance(self.screen, HintsScreen):
            self.push_screen(HintsScreen())

    PALETTE = [
        ("Reload", "Read the store again", "reload"),
        ("New cycle", "A new cycle: the calendar quarter after the latest one, to start with", "new_cycle"),
        ("Edit cycle", "New dates for the cycle on screen", "edit_cycle"),
        ("Close cycle", "The cycle on screen takes no more check-ins or edits until reopened", "close_cycle(True)"),
        ("Reopen cycle", "The closed cycle on screen takes check-ins and edits again", "close_cycle(False)"),
        ("Roll over", "Copy the unfinished objectives of this cycle into another one", "roll_over"),
        ("Delete cycle", "Delete the cycle on screen with its objectives (after asking)", "delete_cycle"),
    ]

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Textual's screenshot saves to a folder it does not name: left out rather than puzzling.
        yield from (command for command in super().get_system_commands(screen)
                    if command.title not in ("Screenshot", "Quit"))
        yield from palette_commands(self, screen)

    def action_reload(self) -> None:
        self.reload()

    def action_new_cycle(self) -> None:
        self.new_cycle()

    def action_edit_cycle(self) -> None:
        self.edit_cycle()

    def action_close_cycle(self, closed: bool) -> None:
        self.set_cycle_closed(closed)

    def action_delete_cycle(self) -> None:
        self.delete_cycle()

    def action_roll_over(self) -> None:
        self.roll_over()

    def on_unmount(self) -> None:
        self._writer.shutdown(wait=True)


class _CollectorPause:
    """The cyclic collector held off until `close()`; pauses may overlap, and the collector
    comes back (if it was on) with the last of them."""

    _open = 0
    _was_enabled = True

    def __init__(self) -> None:
        self._closed = False
        if _CollectorPause._open == 0:
            _CollectorPause._was_enabled = gc.isenabled()
            gc.disable()
        _CollectorPause._open += 1

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            _CollectorPause._open -= 1
            if _CollectorPause._open == 0 and _CollectorPause._was_enabled:
                gc.enable()


def run_app(store: Store, *, as_of: Optional[dt.date], user: str) -> int:
    app = OkrApp(store, as_of=as_of, user=user)
    app.run()
    return app.return_code or 0
