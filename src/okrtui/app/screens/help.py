"""`?`: every key of the screen below, read from its bindings (never written twice)."""

from __future__ import annotations

import textwrap

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from okrtui.app.commands import offered

# Keys handled inside lists and by Textual itself, which carry no description of their own.
MOVEMENT = [
    ("up / down, j / k", "move in a list"),
    ("enter", "drill down / open"),
    ("tab / shift+tab", "next / previous pane"),
    ("ctrl+p", "command palette: every action by name"),
    ("ctrl+q", "quit"),
]
HELP_TEXT_WIDTH = 62  # the help box's text column (#help in dialogs.tcss: 70 wide, less border, padding, scrollbar)
LEGEND = "Bands: \u25cf green (\u2265 0.70)   \u25b2 yellow (\u2265 0.40)   \u2716 red   \u00b7 no score"


def _key_name(key: str) -> str:
    names = {"question_mark": "?", "left_square_bracket": "[", "right_square_bracket": "]", "slash": "/"}
    return names.get(key, key)


class HelpScreen(ModalScreen[None]):
    # A modal screen hides the app's keys; `q` must still quit from here (§5: anywhere).
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", "Close", show=False),
        Binding("q", "app.quit", "Quit", show=False),
    ]

    def __init__(self, below: Screen):
        super().__init__()
        self.rows: list[tuple[str, str]] = []
        seen: set[str] = set()
        covered = {"tab", "shift+tab", "enter", "up", "down", "j", "k", "ctrl+c", "ctrl+q", "ctrl+p", "super+c"}
        # The screen's and the app's own keys; list movement is summarised by MOVEMENT.
        for key, active in below.active_bindings.items():
            binding = active.binding
            if not binding.description or key in seen or key in covered or not active.enabled:
                continue  # only the keys that work here, now
            if not isinstance(active.node, (App, Screen)):
                continue
            seen.add(key)
            self.rows.append((_key_name(key), binding.tooltip or binding.description))
        # A screen without lists (the strategic thread) names the few that apply to it.
        self.rows += getattr(below, "HELP_MOVEMENT", MOVEMENT)
        self.title_text = f"Keys of this screen ({type(below).__name__.replace('Screen', '').lower()})"
        # Actions without a key of their own, by the name the palette gives them.
        self.palette = [title for node in (below, below.app) for title, _, action in getattr(node, "PALETTE", ())
                        if offered(node, action)]
        self.lead = getattr(below, "HELP_LEAD", "")
        self.notes: tuple[str, ...] = getattr(below, "HELP_NOTES", ())

    def compose(self) -> ComposeResult:
        width = max(len(key) for key, _ in self.rows) + 2
        parts: list = [(self.title_text, "bold"), "\n"]
        if self.lead:
            parts += ["\n", self.lead, "\n"]
        for key, description in self.rows:
            # A long description hangs under its own column, not under the keys.
            lines = textwrap.wrap(description, max(20, HELP_TEXT_WIDTH - width)) or [""]
            parts += ["\n", (key.ljust(width), "bold $text-accent"), ("\n" + " " * width).join(lines)]
        if self.palette:
            parts += ["\n\n", ("In the palette (ctrl+p) by name: ", "bold"), " \u00b7 ".join(self.palette)]
        for note in self.notes:
            parts += ["\n\n", note]
        parts += ["\n\n", (LEGEND, "$text-muted"), "\n", ("escape or ? closes", "$text-muted")]
        with VerticalScroll(id="help"):
            yield Static(Content.assemble(*parts), id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)
