"""The app's own messages: what a save worker reports back to the event loop."""

from __future__ import annotations

from typing import Callable, Optional

from textual.message import Message

from okrtui.app.board import Board
from okrtui.domain.changes import Command
from okrtui.domain.errors import InvalidInput
from okrtui.store import StoreError
from okrtui.store.files import os_problem


def failure_text(exc: Exception) -> str:
    """What went wrong with a save or a read, in a sentence for a notification."""
    if isinstance(exc, InvalidInput):
        return "; ".join(exc.problems)
    if isinstance(exc, StoreError):
        return str(exc)
    if isinstance(exc, OSError):
        return os_problem(exc)
    return f"internal error: {exc.__class__.__name__}: {exc}"


class ChangeSaved(Message):
    """A change reached the store; `board` is the store's state after it (None: not readable)."""

    def __init__(self, command: Command, board: Optional[Board], *, undone: bool = False,
                 then: Optional[Callable[[Command], None]] = None, replaced: str = ""):
        super().__init__()
        self.command = command
        self.board = board
        self.undone = undone
        self.then = then
        self.replaced = replaced  # whose change this save replaced, said to the user


class ChangeFailed(Message):
    """A change was refused (bad input, a conflict) or could not be written."""

    def __init__(self, label: str, reason: str, *, undo: Optional[Command] = None, conflict: bool = False):
        super().__init__()
        self.label = label
        self.reason = reason
        self.undo = undo  # the undo that was refused, if it was one
        self.conflict = conflict  # refused because someone changed it since (not worth retrying)
