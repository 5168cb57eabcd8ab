"""Yes-or-no before a deletion, and a filterable picker (align, move, roll over, links)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from okrtui.app import look


class ConfirmScreen(ModalScreen[bool]):
    """`question` with what it will do; `y` or enter does it, `n` or escape does not."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("enter", "answer(True)", "Yes", show=False),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "No", show=False),
        Binding("q", "app.quit", "Quit", show=False),
    ]

    def __init__(self, title: str, question: Content, yes: str):
        super().__init__()
        self.title_text = title
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="form"):
            yield Static(Content.styled(self.title_text, "bold"), classes="form-title")
            yield Static(self.question, id="confirm-question")
            yield Static(Content.assemble(("y", "bold $text-accent"), f" or enter: {self.yes} \u00b7 ",
                                          ("n", "bold $text-accent"), " or escape: cancel"),
                         id="confirm-keys", classes="form-keys")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


@dataclass(frozen=True)
class Choice:
    id: str
    prompt: Content
    words: str  # what the filter matches (code, ref, title)
    refused: str = ""  # why it cannot be picked, shown beside it


class PickScreen(ModalScreen[Optional[str]]):
    """A list to pick one item from; typing filters it, enter picks, escape cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "step(1)", "Next", show=False),
        Binding("up", "step(-1)", "Previous", show=False),
        Binding("q", "app.quit", "Quit", show=False),
    ]

    def __init__(self, title: str, choices: list[Choice], note: str = "", current: Optional[str] = None):
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.note = note
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="pick", classes="form"):
            yield Static(Content.styled(self.title_text, "bold"), classes="form-title")
            yield Input(placeholder="type to filter; enter picks; escape cancels", id="pick-filter")
            yield OptionList(id="pick-list")
            yield Static(Content.styled(self.note, "$text-muted"), id="pick-note")

    def on_mount(self) -> None:
        self._show("")
        self.query_one("#pick-filter", Input).focus()
        if self.current is not None:
            options = self.query_one(OptionList)
            for index in range(options.option_count):
                if options.get_option_at_index(index).id == self.current:
                    options.highlighted = index

    SHOWN = 100  # matches listed at once: a company's 500 objectives make a slow list to type into

    def _show(self, text: str) -> None:
        needle = text.strip().casefold()
        options = []
        matches = [c for c in self.choices if not needle or needle in c.words.casefold()]
        for choice in matches[:self.SHOWN]:
            prompt = choice.prompt
            if choice.refused:
                prompt = Content.assemble(prompt, (f"  ({choice.refused})", "$text-muted"))
            options.append(Option(prompt, id=choice.id, disabled=bool(choice.refused)))
        if len(matches) > self.SHOWN:
            options.append(Option(Content.styled(f"\u2026 and {len(matches) - self.SHOWN} more: type to narrow",
                                                 "$text-muted"), disabled=True))
        listing = self.query_one(OptionList)
        listing.set_options(options or [Option(Content.styled("(nothing matches)", "$text-muted"),
                                               disabled=True)])
        first = next((i for i, o in enumerate(options) if not o.disabled), None)
        listing.highlighted = first

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        listing = self.query_one(OptionList)
        if listing.highlighted is not None:
            option = listing.get_option_at_index(listing.highlighted)
            if not option.disabled and option.id is not None:
                self.dismiss(option.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(event.option.id)

    def action_step(self, delta: int) -> None:
        listing = self.query_one(OptionList)
        if delta > 0:
            listing.action_cursor_down()
        else:
            listing.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)


def plain_choice(item_id: str, head: str, title: str, tail: str = "", refused: str = "") -> Choice:
    prompt = Content.assemble((f"{head} ", "bold"), look.plain(title), (f"  {tail}" if tail else "", "$text-muted"))
    return Choice(item_id, prompt, f"{head} {title} {tail}", refused)
