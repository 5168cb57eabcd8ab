"""Planning in the app: forms, confirmations and pickers that end in a domain Command,
saved in order by the app's writer, kept on this session's undo stack.

Mixed into OkrApp (it uses the app's store, board, writer and notifications).
Screens call these methods from their key bindings; nothing here renders a board.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from typing import Callable, Optional

from textual import work
from textual.content import Content

from okrtui import operations
from okrtui.app import forms, look
from okrtui.app.board import Board, build_board
from okrtui.app.messages import ChangeFailed, ChangeSaved, failure_text
from okrtui.app.screens.confirm import Choice, ConfirmScreen, PickScreen, plain_choice
from okrtui.app.screens.form import FormScreen
from okrtui.domain import planning
from okrtui.domain.changes import Command, Conflict
from okrtui.store import StoreError
from okrtui.domain.models import PERSPECTIVE_NAMES
from okrtui.domain.text import counted

Build = Callable[[object], Command]


class PlanningActions:
    """The planning half of the app: every change a Command, every Command undoable."""

    def init_planning(self) -> None:
        self.undo_stack: list[Command] = []
        self._mine: set[int] = set()  # generations this session committed
        self._journal_seen = self.board.snapshot.generation
        self._in_flight = self._saves_started = self._saves_ended = 0
        # u pressed while saves were under way: for each, how many saves had started by then. It
        # runs once those are answered (the change it means is then on the stack), never later
        # ones, which were made after it was pressed.
        self._undos_waiting: list[int] = []
        self._opened_at: Optional[int] = None  # the generation a form being saved was opened on

    @property
    def saves_in_flight(self) -> int:
        """Saves queued on the writer and not answered yet."""
        return self._in_flight

    @saves_in_flight.setter
    def saves_in_flight(self, count: int) -> None:
        if count > self._in_flight:
            self._saves_started += count - self._in_flight
        else:
            self._saves_ended += self._in_flight - count
        self._in_flight = count

    # -- whether a change can be made here --

    def why_no_change(self, in_cycle: bool = False) -> Optional[str]:
        if self.store.read_only:
            return "The store is read-only: nothing can be changed"
        cycle = self.board.cycle
        if in_cycle and cycle is None:
            return "There is no cycle yet: create one first (n on the header, or the palette's New cycle)"
        if in_cycle and cycle.closed:
            return f"Cycle {cycle.id} is closed: reopen it (palette: Reopen cycle) to change it"
        return None

    def _refused(self, in_cycle: bool = False) -> bool:
        why = self.why_no_change(in_cycle)
        if why:
            self.notify(why, severity="warning", markup=False)
        return why is not None

    # -- saving --

    def perform(self, build: Optional[Build], *, undo_of: Optional[Command] = None,
                then: Optional[Callable[[Command], None]] = None, cycle_id: Optional[str] = None) -> None:
        """Queue a change on the writer (after every save before it); the answer comes back
        as ChangeSaved or ChangeFailed. `cycle_id`: the cycle to show afterwards."""
        # The state the user saw: when the form opened, else now.
        base = self._opened_at if self._opened_at is not None else self.board.snapshot.generation
        if undo_of is not None and cycle_id is None:
            # Undoing a cycle's deletion shows the cycle it brings back.
            cycle_id = next((e.key for e in undo_of.edits if e.kind == "cycle" and e.after is None), None)
        wanted = cycle_id or (self.board.cycle.id if self.board.cycle else None)

        def save() -> tuple[Optional[Command], Optional[Board], str, bool]:
            try:
                if undo_of is not None:
                    command = operations.undo(self.store, undo_of, author=self.user)
                else:
                    command = operations.perform(self.store, build, author=self.user)
            except Exception as exc:  # whatever went wrong, the app goes on and says so
                return None, None, failure_text(exc), isinstance(exc, Conflict)
            self.committed(command)
            try:
                board = build_board(self.store, self.as_of, wanted)
            except Exception:
                board = None
            return command, board, "", False

        label = undo_of.label if undo_of is not None else ""
        self.saves_in_flight += 1
        self._await_change(self._writer.submit(save), base, undo_of, then, label)

    @work(group="save")
    async def _await_change(self, saving: Future, base: int, undo_of: Optional[Command],
                            then: Optional[Callable[[Command], None]], label: str) -> None:
        try:
            command, board, failure, conflict = await asyncio.wrap_future(saving)
        except BaseException:
            self.saves_in_flight -= 1
            raise
        # saves_in_flight goes down when the answer is handled, with the change on the stack.
        if command is None:
            self.post_message(ChangeFailed(label, failure, undo=undo_of, conflict=conflict))
            return
        replaced = self._replaced(board, command, base) if board is not None else ""
        self.post_message(ChangeSaved(command, board, undone=undo_of is not None, then=then, replaced=replaced))

    def committed(self, command: Optional[Command]) -> None:
        """Called by the writer thread right after a commit: the journal entry of that
        generation is this session's own, whenever a reload happens to read it."""
        if command is not None and command.base is not None:
            self._mine.add(command.base + 1)

    def _replaced(self, board: Board, command: Command, base: int) -> str:
        """Whose changes, made since this form opened, this save replaced ('' for none)."""
        mine = set(command.subjects)
        committed = (command.base or 0) + 1
        others = [e for e in board.snapshot.meta.journal
                  if base < e.generation < committed and e.generation not in self._mine
                  and mine & set(e.subjects)]
        return ", ".join(dict.fromkeys(f"{e.author}'s change ({e.label}, {e.at[11:16]} UTC)" for e in others))

    def on_change_saved(self, message: ChangeSaved) -> None:
        command = message.command
        self.saves_in_flight -= 1
        if message.board is not None:
            self._seen = self._store_signature()
            self.show(message.board)
        else:
            self.reload()
        if message.undone:
            self.notify(f"Undone: {command.label}", title="Undone", markup=False)
        else:
            self.undo_stack.append(command)
            text = command.label + (f" \u00b7 it replaced {message.replaced}" if message.replaced else "") \
                + " \u00b7 u undoes it"
            self.notify(text, title="Saved", markup=False, severity="warning" if message.replaced else "information")
        if message.then is not None:
            self.call_after_refresh(message.then, command)
        self.save_answered()

    def on_change_failed(self, message: ChangeFailed) -> None:
        self.saves_in_flight -= 1
        if message.undo is not None:
            if not message.conflict:
                self.undo_stack.append(message.undo)  # not written (a lock, a disk): u may try again
            self.notify(f"Not undone: {message.label}: {message.reason}", severity="error", markup=False,
                        timeout=10)
        else:
            self.notify(f"Not saved: {message.reason}", severity="error", markup=False, timeout=10)
        self.save_answered()

    def save_answered(self) -> None:
        """A save is answered (and its change on the stack): run an undo that waited for it."""
        while self._undos_waiting and self._undos_waiting[0] <= self._saves_ended:
            self._undos_waiting.pop(0)
            self._undo_latest()

    def remember_checkin(self, command: Optional[Command]) -> None:
        """A check-in saved by the fast path joins the undo stack like any other change."""
        if command is not None:
            self.undo_stack.append(command)

    def others_replaced_mine(self, board: Board) -> None:
        """Say when another person's change, now in the store, replaced one of this session's."""
        if self.saves_in_flight:
            return  # a save of ours may be what changed the store: look once it is answered
        journal = board.snapshot.meta.journal
        mine = {s for c in self.undo_stack for s in c.subjects}
        # Not a reading (readings add up, none replaces another), nor this user's own change made
        # elsewhere (the warning is of another person's).
        news = [e for e in journal if e.generation > self._journal_seen and e.generation not in self._mine
                and not e.label.startswith("Reading of ") and e.author != self.user]
        self._journal_seen = max(self._journal_seen, board.snapshot.generation)
        for entry in news:
            touched = mine & set(entry.subjects)
            if touched:
                names = ", ".join(s.split(":", 1)[1] for s in touched)
                self.notify(f"{entry.author} changed {names} after you ({entry.label}, {entry.at[11:16]} UTC): "
                            "their change replaced yours", title="Changed by someone else",
                            severity="warning", markup=False, timeout=15)

    def action_undo(self) -> None:
        if self._refused():
            return
        if self.saves_in_flight:
            # The change to undo may be the one still being saved: it is not on the stack yet.
            self._undos_waiting.append(self._saves_started)
            return
        self._undo_latest()

    def _undo_latest(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo: no change made in this session", severity="information")
            return
        self.perform(None, undo_of=self.undo_stack.pop())

    # -- forms --

    def _ask(self, form: forms.Form, on_values: Callable[[dict], None]) -> None:
        opened = self.board.snapshot.generation

        def answered(values: Optional[dict]) -> None:
            if values is not None:
                self._opened_at = opened
                try:
                    on_values(values)
                finally:
                    self._opened_at = None

        self.push_screen(FormScreen(form), answered)

    def _confirm(self, title: str, question: Content, yes: str, then: Callable[[], None]) -> None:
        self.push_screen(ConfirmScreen(title, question, yes), lambda answer: then() if answer else None)

    # strategic objectives

    def new_strategic(self, perspective: str) -> None:
        if self._refused():
            return
        form = forms.strategic_form(self.board, perspective)
        self._ask(form, lambda values: self.perform(
            lambda tx: planning.new_strategic(tx, form.doc(values)),
            then=lambda command: self.focus_item(command.edits[0].key)))

    def edit_strategic(self, code: str) -> None:
        strategic = self.board.strategic(code)
        if strategic is None or self._refused():
            return
        form = forms.strategic_form(self.board, strategic.perspective, strategic)
        self._ask(form, lambda values: self.perform(
            lambda tx: planning.edit_strategic(tx, code, form.doc(values)),
            then=lambda command: self.focus_item(next(e.key for e in command.edits
                                                      if e.kind == "strategic" and e.after is not None))))

    def delete_strategic(self, code: str) -> None:
        strategic = self.board.strategic(code)
        if strategic is None or self._refused():
            return
        try:
            aligned, drivers = self.store.load(lambda snapshot: planning.users_of(snapshot, code))
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False, timeout=10)
            return
        closed = sorted({c.id for c in self.board.cycles() if c.closed} & {cycle_id for cycle_id, _ in aligned})
        if closed:
            self.notify(f"{code} cannot be deleted: OKRs of closed cycle {', '.join(closed)} serve it "
                        "(reopen it first, or keep the code)", severity="warning", markup=False, timeout=10)
            return
        parts: list = [(f"{code} ", "bold"), look.plain(strategic.title)]
        if aligned:
            refs = ", ".join(ref for _, ref in aligned[:8]) + (" \u2026" if len(aligned) > 8 else "")
            parts += [f"\n\nServed by {counted(len(aligned), 'OKR objective')} ({refs}): deleting it "
                      f"unaligns {'it' if len(aligned) == 1 else 'them'}."]
        if drivers:
            parts += [f"\nDriven by {', '.join(drivers)}: those links go too."]
        yes = ("delete and unalign it" if len(aligned) == 1 else "delete and unalign them") if aligned else "delete"
        self._confirm(f"Delete strategic objective {code}?", Content.assemble(*parts), yes,
                      lambda: self.perform(lambda tx: planning.delete_strategic(tx, code)))

    def edit_links(self, code: str) -> None:
        """Add or remove one cause-effect link of `code` (what it drives)."""
        strategic = self.board.strategic(code)
        if strategic is None or self._refused():
            return
        choices = [plain_choice(s.code, ("\u2713 " if s.code in strategic.drives else "  ") + s.code, s.title,
                                PERSPECTIVE_NAMES[s.perspective])
                   for s in self.board.strategy if s.code != code]

        def picked(target: Optional[str]) -> None:
            if target is not None:
                self.perform(lambda tx: planning.toggle_link(tx, code, target))

        self.push_screen(PickScreen(f"Links of {code}: pick what it drives (\u2713 picked again removes it)",
                                    choices), picked)

    # cycles

    def new_cycle(self) -> None:
        if self._refused():
            return
        form = forms.cycle_form(self.board, self.as_of)

        def save(values: dict) -> None:
            doc = form.doc(values)
            self.perform(lambda tx: planning.new_cycle(tx, doc), cycle_id=doc["id"])

        self._ask(form, save)

    def edit_cycle(self) -> None:
        cycle = self.board.cycle
        if self._refused(in_cycle=True):
            return
        form = forms.cycle_form(self.board, self.as_of, cycle)
        self._ask(form, lambda values: self.perform(lambda tx: planning.edit_cycle(tx, cycle.id, form.doc(values))))

    def set_cycle_closed(self, closed: bool) -> None:
        cycle = self.board.cycle
        if self._refused() or cycle is None:
            return
        self.perform(lambda tx: planning.set_closed(tx, cycle.id, closed))

    def delete_cycle(self) -> None:
        cycle = self.board.cycle
        if self._refused(in_cycle=True):
            return
        objectives = self.board.objectives()
        krs = sum(len(o.key_results) for o in objectives)
        question = Content.assemble((f"{cycle.id} ", "bold"), f"{cycle.start} \u2013 {cycle.end}", "\n\n",
                                    f"Its {counted(len(objectives), 'objective')} and {counted(krs, 'key result')} "
                                    "go with it, check-ins and all (undo, u, brings them back)."
                                    if objectives else "It holds no objectives.")
        self._confirm(f"Delete cycle {cycle.id}?", question, "delete",
                      lambda: self.perform(lambda tx: planning.delete_cycle(tx, cycle.id)))

    def roll_over(self) -> None:
        cycle = self.board.cycle
        if self._refused() or cycle is None:
            return
        targets = [c for c in self.board.cycles() if c.id != cycle.id]
        if not any(not c.closed for c in targets):
            self.notify("There is no open cycle to roll over into: create the next one first (New cycle)",
                        severity="warning")
            return
        later = [c for c in targets if c.start > cycle.start]
        current = (later[0] if later else targets[-1]).id
        choices = [plain_choice(c.id, c.id, f"{c.start} \u2013 {c.end}", refused="closed" if c.closed else "")
                   for c in targets]

        def picked(target: Optional[str]) -> None:
            if target is not None:
                self.perform(lambda tx: planning.roll_over(tx, cycle.id, target), cycle_id=target)

        self.push_screen(PickScreen(f"Roll over the unfinished objectives of {cycle.id} into\u2026", choices,
                                    "objectives below 1 with their unfinished key results; no check-ins",
                                    current=current), picked)

    # OKR objectives

    def new_objective(self, code: Optional[str]) -> None:
        if self._refused(in_cycle=True):
            return
        cycle_id = self.board.cycle.id
        form = forms.objective_form(serves=code or "", cycle_id=cycle_id)

        def created(command: Command) -> None:
            ref = command.edits[0].key
            self.focus_item(ref)
            self.new_key_result(ref)  # §5: a new objective's first key result, at once

        self._ask(form, lambda values: self.perform(
            lambda tx: planning.new_objective(tx, cycle_id, {**form.doc(values), "aligned_to": code}),
            then=created))

    def edit_objective(self, ref: str) -> None:
        objective = self.board.objective(ref)
        if objective is None or self._refused(in_cycle=True):
            return
        form = forms.objective_form(objective)
        self._ask(form, lambda values: self.perform(lambda tx: planning.edit_objective(tx, ref, form.doc(values))))

    def delete_objective(self, ref: str) -> None:
        objective = self.board.objective(ref)
        if objective is None or self._refused(in_cycle=True):
            return
        children = [o.ref for o in self.board.objectives() if o.parent == ref]
        parts: list = [(f"{ref} ", "bold"), look.plain(objective.title),
                       f"\n\nIts {counted(len(objective.key_results), 'key result')} and their check-ins go with it."]
        if children:
            parts += [f"\nIts cascaded child {children[0]} loses its parent." if len(children) == 1 else
                      f"\nIts cascaded children {', '.join(children)} lose their parent."]
        self._confirm(f"Delete objective {ref}?", Content.assemble(*parts), "delete",
                      lambda: self.perform(lambda tx: planning.delete_objective(tx, ref)))

    def align(self, ref: str) -> None:
        board = self.board
        objective = board.objective(ref)
        if objective is None or self._refused(in_cycle=True):
            return
        below = _descendants(board, ref)
        choices = [plain_choice("-", "\u2014", "nothing (unaligned)")]
        choices += [plain_choice(f"S:{s.code}", s.code, s.title, PERSPECTIVE_NAMES[s.perspective])
                    for s in board.strategy]
        choices += [plain_choice(f"P:{o.ref}", o.ref, o.title, "parent objective",
                                 refused="it is below this one: a loop" if o.ref in below else "")
                    for o in board.objectives() if o.ref != ref]
        current = f"S:{objective.aligned_to}" if objective.aligned_to else \
            f"P:{objective.parent}" if objective.parent else "-"

        def picked(choice: Optional[str]) -> None:
            if choice is None:
                return
            aligned_to = choice[2:] if choice.startswith("S:") else None
            parent = choice[2:] if choice.startswith("P:") else None
            self.perform(lambda tx: planning.align(tx, ref, aligned_to, parent),
                         then=lambda command: self.focus_item(ref))

        self.push_screen(PickScreen(f"Align {ref} to a strategic objective or a parent objective", choices,
                                    "a parent's strategic objective is this one's too", current=current), picked)

    def move_objective(self, ref: str) -> None:
        board = self.board
        if board.objective(ref) is None or self._refused(in_cycle=True):
            return
        choices: list[Choice] = [plain_choice(c.id, c.id, f"{c.start} \u2013 {c.end}",
                                              refused="closed" if c.closed else "")
                                 for c in board.cycles() if c.id != board.cycle.id]
        if not choices:
            self.notify("There is no other cycle to move it to", severity="warning")
            return

        def picked(target: Optional[str]) -> None:
            if target is not None:
                self.perform(lambda tx: planning.move(tx, ref, target))

        self.push_screen(PickScreen(f"Move {ref} with its key results and history to\u2026", choices), picked)

    # key results

    def new_key_result(self, objective_ref: str) -> None:
        objective = self.board.objective(objective_ref)
        if objective is None or self._refused(in_cycle=True):
            return
        form = forms.key_result_form(objective)
        self._ask(form, lambda values: self.perform(
            lambda tx: planning.new_key_result(tx, objective_ref, form.doc(values)),
            then=lambda command: self.focus_item(command.edits[0].key)))

    def edit_key_result(self, ref: str) -> None:
        found = self.board.key_result(ref)
        if found is None or self._refused(in_cycle=True):
            return
        form = forms.key_result_form(found[0], found[1])

        def save(values: dict) -> None:
            # The form's current value and confidence only served its check: the store's own,
            # maybe newer (a check-in meanwhile), stay.
            doc = {k: v for k, v in form.doc(values).items() if k not in ("current", "confidence")}
            self.perform(lambda tx: planning.edit_key_result(tx, ref, doc))

        self._ask(form, save)

    def delete_key_result(self, ref: str) -> None:
        found = self.board.key_result(ref)
        if found is None or self._refused(in_cycle=True):
            return
        question = Content.assemble((f"{ref} ", "bold"), look.plain(found[1].title),
                                    "\n\nIts check-ins go with it (undo, u, brings them back).")
        self._confirm(f"Delete key result {ref}?", question, "delete",
                      lambda: self.perform(lambda tx: planning.delete_key_result(tx, ref)))

    def focus_item(self, key: str) -> None:
        """Put the cursor on a just-made item, where the screen in view shows it."""
        focus = getattr(self.screen, "focus_item", None)
        if focus is not None:
            focus(key)


def _descendants(board: Board, ref: str) -> set[str]:
    children: dict[str, list[str]] = {}
    for objective in board.objectives():
        if objective.parent:
            children.setdefault(objective.parent, []).append(objective.ref)
    found: set[str] = set()
    stack = [ref]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found
