"""What an empty store opens to: how to start."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from okrtui.app import look


class FirstRunScreen(Screen):
    def compose(self) -> ComposeResult:
        store = self.app.store
        with Center():
            with Vertical(id="first-run"):
                yield Static(Content.styled("Welcome to okrtui", "bold"))
                where = "This store is empty: " if store.exists() else "No store here yet: "
                yield Static(Content.assemble(
                    where, look.plain(str(store.path)), "\n\n",
                    "okrtui joins your strategy (a Balanced Scorecard of strategic objectives in four\n"
                    "perspectives) with the quarter's OKRs. To start, leave with q and then:\n\n",
                    ("  okrtui import FILE", "bold"), "     load strategy and OKRs (interchange JSON or CSV)\n",
                    ("  okrtui demo", "bold"), "            explore a sample company in its own store\n",
                    ("  okrtui init --sample", "bold"), "   start this store from the sample company\n\n",
                    "Adding strategic objectives from the keyboard (n) comes with the planning screens.\n",
                    "This screen turns into your scorecard as soon as the store holds data.",
                ), id="first-run-text")
        yield Footer()
