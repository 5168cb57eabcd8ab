"""Widgets every screen uses: the Footer, lists, the `/` filter, the header line."""

from __future__ import annotations

from typing import Iterable, Optional

from textual.binding import Binding
from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from okrtui.app import look
from okrtui.app.board import Board


def set_content(widget: Static, content: Content, layout: bool = True) -> None:
    """Update a Static only when what it shows changed: re-wrapping text is the costly part of a repaint.
    `layout=False` for a widget of fixed size: its new text then costs no layout of the screen."""
    key = (content.plain, tuple(content.spans))
    if getattr(widget, "_okrtui_shown", None) != key:
        widget._okrtui_shown = key
        widget.update(content, layout=layout)


class KeyFooter(Footer):
    """The Footer, compact; under 100 columns it leaves the palette key out (ctrl+p still
    works, and `?` says so), so the screen's own keys keep their room at 80."""

    def __init__(self) -> None:
        super().__init__(compact=True)

    _composed: Optional[tuple] = None

    def on_resize(self) -> None:
        wide = self.size.width >= 100
        if self.show_command_palette != wide:
            self.show_command_palette = wide
            self.refresh(recompose=True)  # Textual's Footer draws its keys at compose time

    async def recompose(self) -> None:
        # Textual recomposes the Footer whenever the screen's bindings are refreshed: on every
        # focus change and every time a dialog closes. Mounting and styling its keys again took
        # about a third of a check-in's repaint, mostly to draw the same keys: only a change redraws.
        try:
            shown = self._keys_shown()
        except NoMatches:  # a screen still composing (or going) cannot say yet: recompose as Textual does
            shown = None
        if shown is None or shown != self._composed:
            self._composed = shown
            await super().recompose()

    def _keys_shown(self) -> Optional[tuple]:
        """What compose would draw, for telling whether a recompose changes anything."""
        if not self._bindings_ready or not self.is_attached:
            return None
        app = self.app
        keys = tuple((binding.key, app.get_key_display(binding), binding.description, binding.action,
                      binding.group, enabled, tooltip)
                     for _, binding, enabled, tooltip in self.screen.active_bindings.values()
                     if binding.show or binding.key == app.COMMAND_PALETTE_BINDING)
        return keys, self.show_command_palette, self.compact, self.combine_groups, app.ENABLE_COMMAND_PALETTE


class NavList(OptionList):
    """An option list that also moves with j/k and keeps its cursor when refilled."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def fill(self, options: Iterable[Option]) -> None:
        options = list(options)
        ids = [o.id for o in options]
        current = self.highlighted_id
        if ids == [o.id for o in self.options]:
            # Same items: only the numbers changed, so the cursor and scroll stay put.
            for option in options:
                self.replace_option_prompt(option.id, option.prompt)
            return
        self.set_options(options)
        if ids:
            self.highlighted = ids.index(current) if current in ids else 0

    @property
    def highlighted_id(self) -> Optional[str]:
        if self.highlighted is None or self.highlighted >= self.option_count:
            return None
        return self.get_option_at_index(self.highlighted).id

    def select_id(self, option_id: str) -> bool:
        for index, option in enumerate(self.options):
            if option.id == option_id:
                self.highlighted = index
                return True
        return False


def header_line(board: Board) -> Content:
    cycle = board.cycle
    parts: list = [look.plain(board.organization, "bold")]
    if cycle is None:
        parts.append(" \u00b7 no cycle yet")
    else:
        parts += [
            " \u00b7 ", (cycle.id, "bold"),
            (" closed", "$text-warning") if cycle.closed else "",
            f" \u00b7 {look.percent(board.scores.elapsed)} elapsed",
        ]
    parts += [" \u00b7 Overall ", look.score(board.scores.overall, words=True)]
    if board.store.read_only:  # first, where 80 columns still show it
        parts.insert(1, (" \u00b7 read-only", "$text-warning"))
    return Content.assemble(*parts)


class FilterInput(Input):
    """The `/` filter: hidden until asked for; escape clears it."""

    BINDINGS = [Binding("escape", "clear", "Clear filter", show=False)]

    def action_clear(self) -> None:
        self.value = ""
        self.display = False
        self.screen.focus_next()
