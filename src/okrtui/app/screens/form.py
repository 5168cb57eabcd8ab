"""One form screen for every planning form and the check-in dialog (§5).

The first field has focus; tab / shift+tab move in the field order; `enter` in
a one-line field saves (fields not typed keep their defaults); `escape`
cancels. What is wrong is said beside the field as the user types, and a form
with a problem is never dismissed.
"""

from __future__ import annotations

from typing import Any, Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, Static, TextArea

from okrtui.app import look
from okrtui.app.forms import Form, FormField, Values


class ChoicePicker(Widget, can_focus=True):
    """Choices in a row; 1–9 (or left/right) pick one while this has focus."""

    BINDINGS = [
        *[Binding(str(n), f"pick({n - 1})", f"choice {n}", show=False) for n in range(1, 10)],
        Binding("left", "step(-1)", "Previous", show=False),
        Binding("right", "step(1)", "Next", show=False),
    ]

    value: reactive[str] = reactive("")

    class Changed(Message):
        def __init__(self, picker: "ChoicePicker"):
            super().__init__()
            self.picker = picker

    def __init__(self, choices: tuple[str, ...], value: str = "", *, styles: Optional[dict[str, str]] = None,
                 symbols: Optional[dict[str, str]] = None, id: Optional[str] = None):
        super().__init__(id=id)
        self.choices = choices
        self.choice_styles = styles or {}
        self.symbols = symbols or {}
        self.set_reactive(ChoicePicker.value, value or choices[0])

    def render(self) -> Content:
        parts: list = []
        for number, name in enumerate(self.choices, 1):
            symbol = f"{self.symbols[name]} " if name in self.symbols else ""
            style = f"reverse {self.choice_styles.get(name, '')}".strip() if name == self.value else "$text-muted"
            parts += [(f" {number} {symbol}{name} ", style), " "]
        return Content.assemble(*parts)

    def watch_value(self) -> None:
        self.post_message(self.Changed(self))

    def action_pick(self, index: int) -> None:
        if index < len(self.choices):
            self.value = self.choices[index]

    def action_step(self, delta: int) -> None:
        self.value = self.choices[(self.choices.index(self.value) + delta) % len(self.choices)]


class FormScreen(ModalScreen[Any]):
    """A form of `FormField`s; dismissed with `result(values)`, or None on escape."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "save", "Save", priority=False),
        # Outside the text fields `q` quits, as everywhere (§5); in them it is typed.
        Binding("q", "app.quit", "Quit", show=False),
    ]
    FORM_ID = "form"
    # Planning forms have many fields: one line each, so a whole form fits at 80×24.
    COMPACT = True

    def __init__(self, form: Form, problem: str = ""):
        super().__init__()
        self.form = form
        self.problem = problem
        # A field's reason shows once it has been typed in (or a save was tried): an empty
        # title is not wrong while the user is still typing the code above it.
        self._touched: set[str] = set()
        self._tried = False

    # -- what a subclass may add --

    def intro(self) -> Optional[Content]:
        """A line under the title (the check-in dialog's last check-in)."""
        return None

    def heading(self) -> Content:
        return Content.styled(self.form.title, "bold")

    def picker(self, spec: FormField) -> ChoicePicker:
        return ChoicePicker(spec.choices, spec.value, id=spec.name)

    def result(self, values: Values) -> Any:
        return values

    # -- the form --

    def compose(self) -> ComposeResult:
        form_id = self.FORM_ID
        with Vertical(id=form_id, classes="form" + (" -compact" if self.COMPACT else "")):
            yield Static(self.heading(), id=f"{form_id}-title", classes="form-title")
            intro = self.intro()
            if intro is not None:
                yield Static(intro, id="last-checkin" if form_id == "checkin" else f"{form_id}-intro",
                             classes="form-intro")
            for spec in self.form.fields:
                with Horizontal(classes="field" + (" tall" if spec.lines > 1 else "")):
                    yield Label(spec.label, classes="field-label")
                    if spec.choices:
                        yield self.picker(spec)
                    elif spec.lines > 1:
                        area = TextArea(spec.value, id=spec.name, soft_wrap=True, show_line_numbers=False,
                                        classes="field-area", compact=self.COMPACT)
                        area.styles.height = spec.lines + (0 if self.COMPACT else 2)
                        yield area
                    else:
                        yield Input(spec.value, placeholder=spec.placeholder, id=spec.name, compact=self.COMPACT)
                    if spec.hint:
                        yield Label(look.plain(spec.hint), id=f"{spec.name}-unit", classes="field-unit")
                if spec.lines > 1 and spec.placeholder:
                    yield Label(look.plain(spec.placeholder), classes="field-note")
                if not spec.choices:
                    yield Label("", id=f"{spec.name}-error", classes="field-error")
            yield Label("", id="form-error", classes="field-error")
            yield Label(look.plain(f"Not saved: {self.problem} \u2014 enter to try again, escape to drop it"
                                   if self.problem else ""), id="save-error", classes="field-error")
            yield Static(Content.styled(self.form.keys, "$text-muted"), id=f"{form_id}-keys", classes="form-keys")

    def on_mount(self) -> None:
        if self.COMPACT:
            for label in self.query(".field-error"):
                label.display = False
        self.query_one("#save-error").display = bool(self.problem)
        self.query_one("#form-error").display = False
        first = self.form.fields[0].name
        self.query_one(f"#{first}").focus()

    def values(self) -> Values:
        found: Values = {}
        for spec in self.form.fields:
            widget = self.query_one(f"#{spec.name}")
            if isinstance(widget, ChoicePicker):
                found[spec.name] = widget.value
            elif isinstance(widget, TextArea):
                found[spec.name] = widget.text
            else:
                found[spec.name] = widget.value
        return found

    def show_problems(self) -> dict[str, str]:
        problems = self.form.problems(self.values())
        names = {spec.name for spec in self.form.fields if not spec.choices}
        for name in names:
            shown = problems.get(name, "") if (self._tried or name in self._touched) else ""
            label = self.query_one(f"#{name}-error", Label)
            label.update(look.plain(shown))
            if self.COMPACT:
                label.display = bool(shown)  # no empty line under every field
        loose = " \u00b7 ".join(m for n, m in problems.items() if n not in names)
        error = self.query_one("#form-error", Label)
        error.update(look.plain(loose))
        error.display = bool(loose)
        return problems

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._touch(event.input.id)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._touch(event.text_area.id)

    def on_choice_picker_changed(self, event: ChoicePicker.Changed) -> None:
        if self.is_mounted:
            self._touch(event.picker.id)

    def _touch(self, name: Optional[str]) -> None:
        if name is not None:
            self._touched.add(name)
        self.show_problems()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        if isinstance(self.focused, TextArea):
            return  # enter there is a new line (the binding is not priority; this is for the palette)
        self._tried = True
        problems = self.show_problems()
        if problems:
            field = next((spec.name for spec in self.form.fields if spec.name in problems), None)
            if field is not None:
                self.query_one(f"#{field}").focus()
            return
        self.dismiss(self.result(self.values()))

    def action_cancel(self) -> None:
        self.dismiss(None)
