"""Readings of measures (KPIs) in the app: `c` on a measure, saved in order by the app's
writer, kept on this session's undo stack like a check-in.

Mixed into OkrApp (it uses the app's store, board, writer, undo stack and notifications).
Unlike a check-in there is no optimistic board: a reading ripples into no score of the
cycle, so the store's answer is shown as it comes.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from typing import Optional

from textual import work
from textual.screen import ModalScreen

from okrtui.app.board import Board, build_board
from okrtui.app.messages import failure_text
from okrtui.app.screens.checkin import ReadingDialog, ReadingRequest
from okrtui.domain.models import Reading, latest_checkin
from okrtui.operations import ReadingResult, record_reading
from okrtui.store import StoreError


class ReadingActions:
    def why_no_reading(self, code: Optional[str], name: Optional[str]) -> Optional[str]:
        """Why a reading of measure `name` of `code` (None: of any of its measures) cannot be
        made here, or None when it can. Readings belong to no cycle: a closed one does not stop them."""
        strategic = self.board.strategic(code) if code else None
        if strategic is None or not strategic.measures or (name is not None and strategic.measure(name) is None):
            return "Move to a measure (KPI) to record a reading"
        if self.store.read_only:
            return "The store is read-only: readings cannot be saved"
        return None

    def open_reading(self, code: str, name: str) -> None:
        why_not = self.why_no_reading(code, name)
        if why_not:
            self.notify(why_not, severity="warning", markup=False)
            return
        measure = self.board.strategic(code).measure(name)
        self.push_screen(ReadingDialog(code, measure, last=self._last_reading(code, name)), self._save_reading)

    def _last_reading(self, code: str, name: str) -> Optional[Reading]:
        """The latest reading when the readings are already read (never a slow read here)."""
        strategic = self.board.strategic(code)
        measure = strategic.measure(name) if strategic else None
        if measure is None or not self.board.readings_loaded:
            return None
        try:
            return latest_checkin(self.board.readings(measure))
        except StoreError:
            return None

    def _save_reading(self, request: Optional[ReadingRequest]) -> None:
        """Queue the reading on the writer (after every save before it); its answer comes back
        to `_show_reading_saved`."""
        if request is None:
            return
        cycle_id = self.board.cycle.id if self.board.cycle else None

        def save() -> tuple[Optional[ReadingResult], str, Optional[Board]]:
            try:
                result = record_reading(self.store, request.code, request.name, request.value_text,
                                        author=self.user, note=request.note)
                self.committed(result.command)
                failure = ""
            except Exception as exc:  # whatever went wrong, the app goes on and says so
                result, failure = None, failure_text(exc)
            try:
                board = build_board(self.store, self.as_of, cycle_id)
            except Exception:
                return result, failure, None  # the reload then says what is wrong
            try:
                board.load_readings()  # here in the writer's thread, not on the event loop
            except StoreError:
                pass  # the drill-down reads them again, and says what is wrong
            return result, failure, board

        self.saves_in_flight += 1
        self._show_reading_saved(request, self._writer.submit(save))

    @work(group="save")
    async def _show_reading_saved(self, request: ReadingRequest, saving: Future) -> None:
        try:
            result, failure, board = await asyncio.wrap_future(saving)
        finally:
            self.saves_in_flight -= 1
        if result is not None:
            self.remember_checkin(result.command)  # on the stack in the same step as the count goes down
        self.call_later(self.save_answered)
        if board is not None:
            self._seen = self._store_signature()
            self.show(board)
        else:
            self.reload()
        if result is not None:
            self.notify(f"{result.line()} \u00b7 u undoes it", title="Reading recorded", markup=False)
        else:
            self._reading_not_saved(request, failure)

    def _reading_not_saved(self, request: ReadingRequest, reason: str) -> None:
        """Say so, and put the reading back in its dialog for a retry (enter) or to drop (escape)."""
        self.notify(f"Not saved: {reason}", severity="error", markup=False, timeout=15)
        strategic = self.board.strategic(request.code)
        measure = strategic.measure(request.name) if strategic else None
        if measure is None or isinstance(self.screen, ModalScreen) or self.store.read_only:
            return
        self.push_screen(ReadingDialog(request.code, measure, retry=request, problem=reason,
                                       last=self._last_reading(request.code, request.name)), self._save_reading)
