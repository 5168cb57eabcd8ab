"""`r`, the monthly review (§12), and `w`, my work: both read the board, refresh with it,
and jump to an item with enter."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from okrtui.app import look
from okrtui.app.board import Board
from okrtui.app.screens.base import BoardScreen
from okrtui.app.widgets.common import KeyFooter, NavList, header_line, set_content
from okrtui.domain import review
from okrtui.domain.models import PERSPECTIVE_NAMES, PERSPECTIVES
from okrtui.store import StoreError

REVIEW_DAYS = 28  # §12: the review looks back four weeks unless told otherwise


def movement(now: Optional[float], was: Optional[float]) -> Content:
    """`▲ +0.12` / `▼ −0.05` / `= 0.00`, or `new` when there was no score on the date."""
    if now is None:
        return Content("")  # the score beside it already says "no score"
    if was is None:
        return Content.styled("new", "$text-muted")
    delta = now - was
    if abs(delta) < 0.005:
        return Content.styled("= 0.00", "$text-muted")
    arrow = "\u25b2" if delta > 0 else "\u25bc"
    return Content.styled(f"{arrow} {delta:+.2f}", "$text-success" if delta > 0 else "$text-error")


class ItemsScreen(BoardScreen):
    """A screen of items to go to: enter opens one in its drill-down, escape goes back."""

    KEPT_UNDER_DRILLDOWN = True  # escape from the drill-down comes back here
    BINDINGS = [Binding("escape", "back", "Back")]

    @property
    def board(self) -> Board:
        return self.app.board

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.app.go_to_item(event.option.id)

    def action_back(self) -> None:
        self.app.pop_screen()


class ReviewScreen(ItemsScreen):
    HELP_LEAD = ("What moved since a date (type it at the top), the wins and what they serve, and who owes a "
                 "check-in. enter on a win or a due key result goes to it.")

    def compose(self) -> ComposeResult:
        yield Static(id="header")
        yield Input(placeholder="YYYY-MM-DD", id="since")
        with VerticalScroll(id="review"):
            yield Static(id="review-movement")
            yield Static(Content.styled("Wins", "bold"), classes="review-heading")
            yield NavList(id="review-wins")
            yield Static(Content.styled("Due: key results that owe a check-in (7 days or more)", "bold"),
                         classes="review-heading")
            yield NavList(id="review-due")
        yield KeyFooter()

    def on_mount(self) -> None:
        since = self.board.as_of - dt.timedelta(days=REVIEW_DAYS)
        self.query_one("#since", Input).value = since.isoformat()
        # The wins take the keys, without scrolling the movement above them out of view.
        self.query_one("#review-wins").focus(scroll_visible=False)
        self.show_board(self.board)

    def since(self) -> Optional[dt.date]:
        text = self.query_one("#since", Input).value.strip()
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return None
        return day if day <= self.board.as_of else None

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "since":
            event.stop()
            self.show_board(self.board)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.since() is not None:  # a bad date keeps the field, so the next one is typed there
            self.query_one("#review-wins").focus(scroll_visible=False)

    def show_board(self, board: Board) -> None:
        set_content(self.query_one("#header", Static), header_line(board))
        since = self.since()
        if since is None:
            set_content(self.query_one("#review-movement", Static), Content.styled(
                f"Type a date on or before {board.as_of} (YYYY-MM-DD): the review shows what moved since.",
                "$text-warning"))
            self.query_one("#review-wins", NavList).fill([])  # no wins of an earlier date left standing
            return
        if board.cycle is None:
            set_content(self.query_one("#review-movement", Static), Content.styled("No cycle yet.", "$text-muted"))
            return
        if not board.history_loaded:
            set_content(self.query_one("#review-movement", Static),
                        Content.styled("Reading the check-in history\u2026", "$text-muted"))
            self._load(board, since)
            return
        self._show(board, since)

    @work(thread=True, exclusive=True, group="review")
    def _load(self, board: Board, since: dt.date) -> None:
        try:
            board.load_history()
        except StoreError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._show, board, since)

    def _show(self, board: Board, since: dt.date) -> None:
        if board is not self.board:
            return
        try:
            was = board.scores_on(since)
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        now = board.scores
        parts: list = [(f"Since {since}", "bold"), "   Overall ", look.score(now.overall), " ",
                       movement(now.overall, was.overall)]
        for key in PERSPECTIVES:
            parts += ["\n\n", (PERSPECTIVE_NAMES[key], "bold"), "  ", look.score(now.perspective.get(key)), " ",
                      movement(now.perspective.get(key), was.perspective.get(key))]
            for strategic in board.in_perspective(key):
                value = now.strategic.get(strategic.code)
                parts += ["\n  ", (f"{strategic.code:<5}", "bold"), look.score(value), " ",
                          movement(value, was.strategic.get(strategic.code)), "  ", look.plain(strategic.title)]
        set_content(self.query_one("#review-movement", Static), Content.assemble(*parts))
        wins = review.wins(board.strategy, now, was)
        titles = _titles(board)
        options = [Option(Content.assemble((f"{w.ref:<7}", "bold"), look.plain(titles.get(w.ref, "")),
                                           ("  serves " + (f"{w.serves} \u00b7 {PERSPECTIVE_NAMES[w.perspective]}"
                                                           if w.serves and w.perspective else "nothing"),
                                            "$text-muted")), id=w.ref) for w in wins]
        self.query_one("#review-wins", NavList).fill(options or [Option(
            Content.styled("No wins since then (nothing crossed 0.70)", "$text-muted"), id="none", disabled=True)])
        due = review.due(board.cycle, board.as_of)
        self.query_one("#review-due", NavList).fill(_due_options(due))



class MyWorkScreen(ItemsScreen):
    HELP_LEAD = ("Your OKR objectives of this cycle (the --as user), each with the strategic objective and "
                 "perspective it serves, its key results and what is due. enter goes to an item.")

    def compose(self) -> ComposeResult:
        yield Static(id="header")
        yield Static(id="mywork-title")
        yield NavList(id="mywork")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#mywork").focus()
        self.show_board(self.board)

    def show_board(self, board: Board) -> None:
        set_content(self.query_one("#header", Static), header_line(board))
        user = self.app.user.strip()
        mine = [o for o in board.objectives() if (o.owner or "").strip() == user]
        due = {d.ref: d for d in review.due(board.cycle, board.as_of)}
        set_content(self.query_one("#mywork-title", Static), Content.assemble(
            ("My work", "bold"), "  ", look.plain(user), (f" \u00b7 {len(mine)} of "
                                                         f"{len(board.objectives())} objectives this cycle",
                                                         "$text-muted")))
        options: list[Option] = []
        for objective in mine:
            serves = board.scores.effective.get(objective.ref)
            strategic = board.strategic(serves) if serves else None
            where = (f"serves {serves} {strategic.title} \u00b7 {PERSPECTIVE_NAMES[strategic.perspective]}"
                     if strategic else "serves no strategic objective (unaligned)")
            options.append(Option(Content.assemble(
                (f"{objective.ref:<6}", "bold"), look.score(board.scores.objective.get(objective.ref)), " ",
                look.plain(objective.title), "\n      ", look.plain(where, "$text-muted")), id=objective.ref))
            # What is due first, then the rest, each with its score.
            krs = sorted(objective.key_results, key=lambda kr: (kr.ref not in due, -due[kr.ref].days_since
                                                                  if kr.ref in due else 0))
            for kr in krs:
                owed = due.get(kr.ref)
                options.append(Option(Content.assemble(
                    "    ", (f"{kr.ref:<7}", "bold"), look.score(board.scores.kr.get(kr.ref)), " ",
                    look.plain(kr.title),
                    (f"  due: last check-in {owed.days_since} days ago", "$text-warning") if owed else ""),
                    id=kr.ref))
        if not options:
            options = [Option(Content.styled(
                f"No objective of this cycle is owned by {user!r} (okrtui --as NAME picks the user).",
                "$text-muted"), id="none", disabled=True)]
        self.query_one("#mywork", NavList).fill(options)



def _titles(board: Board) -> dict[str, str]:
    titles = {s.code: s.title for s in board.strategy}
    for objective in board.objectives():
        titles[objective.ref] = objective.title
        titles.update((kr.ref, kr.title) for kr in objective.key_results)
    return titles


def _due_options(due: list[review.Due]) -> list[Option]:
    if not due:
        return [Option(Content.styled("Nothing is due.", "$text-muted"), id="none-due", disabled=True)]
    return [Option(Content.assemble((f"{d.ref:<7}", "bold"), look.plain(d.title),
                                    (f"  {d.objective} \u00b7 {d.owner or 'no owner'} \u00b7 last check-in "
                                     f"{d.last_checkin} ({d.days_since} days)", "$text-muted")), id=d.ref)
            for d in due]
