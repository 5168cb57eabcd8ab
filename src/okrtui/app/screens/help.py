"""`?`: every key of the screen below, read from its bindings (never written twice)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

# Keys handled inside lists and by Textual itself, which carry no description of their own.
MOVEMENT = [
    ("up / down, j / k", "move in a list"),
    ("enter", "drill down / open"),
    ("tab / shift+tab", "next / previous pane"),
    ("ctrl+p", "command palette: every action by name"),
    ("ctrl+q", "quit"),
]
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
            self.rows.append((_key_name(key), binding.description))
        # A screen without lists (the strategic thread) names the few that apply to it.
        self.rows += getattr(below, "HELP_MOVEMENT", MOVEMENT)
        self.title_text = f"Keys of this screen ({type(below).__name__.replace('Screen', '').lower()})"
        self.lead = getattr(below, "HELP_LEAD", "")
        self.notes: tuple[str, ...] = getattr(below, "HELP_NOTES", ())

    def compose(self) -> ComposeResult:
        width = max(len(key) for key, _ in self.rows) + 2
        parts: list = [(self.title_text, "bold"), "\n"]
        if self.lead:
            parts += ["\n", self.lead, "\n"]
        for key, description in self.rows:
            parts += ["\n", (key.ljust(width), "bold $text-accent"), description]
        for note in self.notes:
            parts += ["\n\n", note]
        parts += ["\n\n", (LEGEND, "$text-muted"), "\n", ("escape or ? closes", "$text-muted")]
        with VerticalScroll(id="help"):
            yield Static(Content.assemble(*parts), id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)
