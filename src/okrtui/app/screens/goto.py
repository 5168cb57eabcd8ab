"""`g`: go to a key result, objective or strategic objective by ref, code, words of its title
or an abbreviation of them (ranked by okrtui.app.search), matched letters marked as the
command palette marks them."""

from __future__ import annotations

from typing import Callable, Iterable, Optional

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from okrtui.app import look
from okrtui.app.search import Entry, Index, Match
from okrtui.store import StoreError

# What the command palette highlights matched letters with (its default
# `command-palette--highlight`), so the two read alike.
MATCHED = "bold underline"


def highlighted(text: str, offsets: Iterable[int], start: int, style: str = "") -> Content:
    """`text` as literal content with its characters at `offsets` (counted from `start`)
    marked, spaces left out, as Textual's Matcher.highlight marks them. That method reads
    its text as markup, so a title holding `[b]` would lose it: hence this one."""
    runs: list[list[int]] = []
    for offset in sorted(set(offsets)):
        at = offset - start
        if not 0 <= at < len(text) or text[at].isspace():
            continue
        if runs and runs[-1][1] == at:
            runs[-1][1] = at + 1
        else:
            runs.append([at, at + 1])
    content = look.plain(text, style)
    for begin, end in runs:
        content = content.stylize(MATCHED, begin, end)
    return content


def prompt(match: Match) -> Content:
    entry = match.entry
    return Content.assemble(
        highlighted(entry.target, match.offsets, 0, "bold"), "  ",
        highlighted(entry.title, match.offsets, len(entry.target) + 1),
        ("  \u00b7 " + (entry.cycle or entry.kind), "$text-muted"))


class GotoDialog(ModalScreen[Optional[str]]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "step(1)", "Next match", show=False),
        Binding("up", "step(-1)", "Previous match", show=False),
    ]

    def __init__(self, problem: Callable[[str], Optional[str]], entries: list[Entry] = (),
                 all_entries: Optional[Callable[[], list[Entry]]] = None, home: Optional[str] = None):
        """`entries`: what can be searched at once; `all_entries` reads every cycle (in a worker);
        `home`: the cycle on screen, whose matches come first in their tier."""
        super().__init__()
        self.problem = problem
        self.home = home
        self.index = Index(entries, home)
        self.all_entries = all_entries
        self.matches: list[Entry] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="goto"):
            yield Static(Content.styled("Go to", "bold"))
            yield Input(placeholder="KR-12, O-3, a code like F1, or words of a title", id="goto-input")
            yield Label("", id="goto-error", classes="field-error")
            yield OptionList(id="goto-matches")
            yield Static(Content.styled("enter go \u00b7 up/down pick a match \u00b7 escape cancel", "$text-muted"))

    def on_mount(self) -> None:
        self.query_one("#goto-matches").display = False
        if self.all_entries is not None:
            self._read_every_cycle()

    @work(thread=True, exclusive=True)
    def _read_every_cycle(self) -> None:
        try:
            found = Index(self.all_entries(), self.home)  # prepared here, off the keystrokes' thread
        except StoreError:
            return  # a damaged other cycle: search what is at hand
        self.app.call_from_thread(self._more_entries, found)

    def _more_entries(self, found: Index) -> None:
        self.index = found
        self._show_matches(self.query_one("#goto-input", Input).value)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show_matches(event.value)

    def _show_matches(self, text: str) -> None:
        found = self.index.search(text)
        self.matches = [match.entry for match in found]
        matches = self.query_one("#goto-matches", OptionList)
        matches.clear_options()
        matches.add_options([Option(prompt(match)) for match in found])
        matches.display = bool(self.matches)
        if self.matches:
            matches.highlighted = 0

    def action_step(self, delta: int) -> None:
        matches = self.query_one("#goto-matches", OptionList)
        if self.matches:
            matches.highlighted = ((matches.highlighted or 0) + delta) % len(self.matches)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.problem(event.value):  # an exact ref or code
            self.dismiss(event.value.strip())
            return
        if self.matches:
            chosen = self.query_one("#goto-matches", OptionList).highlighted or 0
            self.dismiss(self.matches[chosen].target)
            return
        self.query_one("#goto-error", Label).update(look.plain(self.problem(event.value) or ""))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.matches[event.option_index].target)

    def action_cancel(self) -> None:
        self.dismiss(None)
