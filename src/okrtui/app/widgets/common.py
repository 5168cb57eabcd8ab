"""Widgets every screen uses: the Footer, lists, the `/` filter, the header line."""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING, Iterable, Optional

from textual.binding import Binding
from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets._footer import FooterKey, KeyGroup
from textual.widgets.option_list import Option

from okrtui.app import look
from okrtui.app.board import Board

if TYPE_CHECKING:
    from textual.screen import Screen


def set_content(widget: Static, content: Content, layout: Optional[bool] = True) -> None:
    """Update a Static only when what it shows changed: re-wrapping text is the costly part of a repaint.
    `layout=False` for a widget of fixed size: its new text then costs no layout of the screen;
    `layout=None` lays the screen out only if the new text takes another number of lines."""
    key = (content.plain, tuple(content.spans))
    if getattr(widget, "_okrtui_shown", None) != key:
        widget._okrtui_shown = key
        if layout is None:
            layout = not _same_height(widget, content)
        widget.update(content, layout=layout)


def _same_height(widget: Static, content: Content) -> bool:
    """Whether `content` takes the lines the widget was last laid out with (at its width, which
    the container gives: not for an auto width). The count is cached on the content, so a layout
    that follows after all does not wrap it again."""
    width = widget.styles.width
    if not widget.is_mounted or not widget.display or (width is not None and width.is_auto):
        return False
    size = widget.size
    return size.width > 0 and content.get_height(widget.styles, size.width) == size.height


class KeyFooter(Footer):
    """The Footer, compact; under 100 columns it leaves the palette key out (ctrl+p still
    works, and `?` says so), so the screen's own keys keep their room at 80.

    Textual's Footer recomposes (unmounts and mounts every key) on each refresh of the
    bindings. When the keys shown change, as `c` does between an objective and a key result
    in the drill-down, that took 45-110 ms, more than the cursor move that caused it: a key
    that comes, goes or changes its meaning is changed in place instead, in the same frame.
    """

    def __init__(self) -> None:
        super().__init__(compact=True)

    _composed: Optional[tuple] = None  # the plan (see _plan) the keys on screen follow
    # The plan's items in the order of their widgets, with each item's widgets; a key the
    # bindings dropped stays here hidden, to come back in place. None: the children are
    # not known to follow a plan (patching waits for the next recompose).
    _slots: Optional[list[list]] = None
    _recomposing = False

    def on_resize(self) -> None:
        wide = self.size.width >= 100
        if self.show_command_palette != wide:
            self.show_command_palette = wide
            self.refresh(recompose=True)  # Textual's Footer draws its keys at compose time

    def bindings_changed(self, screen: Screen) -> None:
        # Textual recomposes after the next paint, a frame behind the change; a change
        # made in place shows in the same paint as what caused it.
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._recomposing and self._update_in_place():
            return
        self.call_after_refresh(self.recompose)

    async def recompose(self) -> None:
        # Textual recomposes the Footer whenever the screen's bindings are refreshed: on every
        # focus change and every time a dialog closes. Mounting and styling its keys again took
        # about a third of a check-in's repaint, mostly to draw the same keys: only a change redraws.
        if self._update_in_place():
            return
        plan = self._plan()
        self._composed, self._slots = plan, None
        self._recomposing = True
        try:
            await super().recompose()
        finally:
            self._recomposing = False
        if plan is not None and plan == self._plan():
            self._slots = self._slots_of(plan)

    def _plan(self) -> Optional[tuple]:
        """What compose would draw, as (items, the rest): an item for each key (or group of keys)
        in order, and what else compose depends on. None while the screen cannot say yet."""
        try:
            if not self._bindings_ready or not self.is_attached:
                return None
            active = self.screen.active_bindings
        except NoMatches:  # a screen still composing (or going)
            return None
        app = self.app
        by_action: dict[str, tuple] = {}  # compose draws the first key bound to an action
        for _, binding, enabled, tooltip in active.values():
            if binding.show:
                by_action.setdefault(binding.action, (binding, enabled, tooltip))
        items: list[tuple] = []
        for group, firsts in groupby(by_action.values(), lambda first: first[0].group):
            firsts = list(firsts)
            if group is not None and len(firsts) > 1:
                items.append(("group", group.description, group.compact,
                              tuple((b.key, app.get_key_display(b), b.action, enabled, tooltip or b.description)
                                    for b, enabled, tooltip in firsts)))
            else:
                items += [("key", b.key, app.get_key_display(b), b.description, b.action, enabled, tooltip)
                          for b, enabled, tooltip in firsts]
        palette = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _, binding, enabled, _ = active[app.COMMAND_PALETTE_BINDING]
            palette = (binding.key, app.get_key_display(binding), binding.description, enabled, binding.tooltip)
        return tuple(items), (palette, self.compact)

    def _slots_of(self, plan: tuple) -> Optional[list[list]]:
        """Pair the widgets compose just mounted with the plan's items; None if they do not pair."""
        children = [child for child in self.children if not child.has_class("-command-palette")]
        slots = []
        for item in plan[0]:
            if item[0] == "key":
                if not children or not isinstance(children[0], FooterKey):
                    return None
                slots.append([item, [children.pop(0)]])
            else:
                if len(children) < 2 or not isinstance(children[0], KeyGroup):
                    return None
                slots.append([item, [children.pop(0), children.pop(0)]])
        return slots if not children else None

    def _update_in_place(self) -> bool:
        """Bring the keys shown to the bindings' plan without a recompose, when only single
        keys come, go or change; whether it did (or nothing needed doing)."""
        plan = self._plan()
        if plan is not None and plan == self._composed:
            return True
        slots = self._slots
        if plan is None or slots is None or self._composed is None or plan[1] != self._composed[1]:
            return False
        items = plan[0]
        # Walk the slots and the plan's items together: a slot of the same key takes the item,
        # a key slot no later item wants is hidden, a key with no slot gets a new widget here.
        steps: list[tuple] = []
        i = j = 0
        while i < len(items) or j < len(slots):
            item = items[i] if i < len(items) else None
            slot = slots[j] if j < len(slots) else None
            if item is not None and slot is not None and (
                    item == slot[0] or (item[0] == slot[0][0] == "key" and item[1] == slot[0][1])):
                steps.append(("use", slot, item))
                i, j = i + 1, j + 1
            elif slot is not None and slot[0][0] == "key" and all(
                    later[0] != "key" or later[1] != slot[0][1] for later in items[i:]):
                steps.append(("hide", slot, None))
                j += 1
            elif item is not None and item[0] == "key":
                steps.append(("add", slot, item))
                i += 1
            else:
                return False  # a group came, went or changed: compose draws those
        added: list[list] = []
        for step, slot, item in steps:
            if step == "use":
                widget = slot[1][0]
                if item != slot[0] and item[0] == "key":
                    self._relabel(widget, item)
                    slot[0] = item
                widget.display = True
            elif step == "hide":
                slot[1][0].display = False
            else:
                widget = self._key(item)
                before = slot[1][0] if slot is not None else next(
                    (child for child in self.children if child.has_class("-command-palette")), None)
                self.mount(widget, before=before)
                added.append((slot, [item, [widget]]))
        for slot, new in added:
            slots.insert(slots.index(slot) if slot is not None else len(slots), new)
        self._composed = plan
        return True

    def _key(self, item: tuple) -> FooterKey:
        # As compose makes it; the data binding of `compact` is compose's, set by hand here.
        _, key, key_display, description, action, enabled, tooltip = item
        widget = FooterKey(key, key_display, description, action, disabled=not enabled, tooltip=tooltip)
        widget.set_reactive(FooterKey.compact, self.compact)
        widget.set_class(self.compact, "-compact")
        return widget

    def _relabel(self, widget: FooterKey, item: tuple) -> None:
        _, widget.key, widget.key_display, widget.description, widget.action, enabled, tooltip = item
        widget._disabled = not enabled
        widget.set_class(not enabled, "-disabled")
        widget.tooltip = tooltip or None
        widget.refresh(layout=True)  # its width follows its words


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
