"""What an empty store opens to: how to start."""

from __future__ import annotations

import shlex

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from okrtui.app import look
from okrtui.app.widgets.common import KeyFooter


class FirstRunScreen(Screen):
    # With nothing in the store there is nothing to go to, no cycle to change, nothing to hint.
    APP_KEYS_UNUSED = ("goto", "cycle", "hints")
    BINDINGS = [Binding("n", "new", "New strategic objective")]

    def on_screen_resume(self) -> None:
        self.app.leave_first_run()

    def action_new(self) -> None:
        self.app.new_strategic("financial")

    def compose(self) -> ComposeResult:
        store = self.app.store
        here = f" --store {shlex.quote(str(store.path))}"
        with Center():
            with Vertical(id="first-run"):
                yield Static(Content.styled("Welcome to okrtui", "bold"))
                where = "This store is empty: " if store.exists() else "No store here yet: "
                yield Static(Content.assemble(
                    where, look.plain(str(store.path)), "\n\n",
                    "okrtui joins your strategy (a Balanced Scorecard of strategic objectives in four "
                    "perspectives) with the quarter's OKRs. To start, leave with q and then:\n\n",
                    ("  okrtui import FILE", "bold"), look.plain(here), "\n",
                    "      load strategy and OKRs (interchange JSON or CSV) into this store\n",
                    ("  okrtui init --sample", "bold"), look.plain(here), "\n",
                    "      start this store from the sample company\n",
                    ("  okrtui demo", "bold"), "\n      explore the sample company in a store of its own\n\n",
                    "Or build it here: ", ("n", "bold"), " adds a strategic objective (Financial first), ",
                    ("m", "bold"), " opens the strategy map to add one to any perspective, and ",
                    ("ctrl+p", "bold"), " New cycle opens a quarter. ",
                    "This screen turns into your scorecard as soon as the store holds data.",
                ), id="first-run-text")
        yield KeyFooter()
