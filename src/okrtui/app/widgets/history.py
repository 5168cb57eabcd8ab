"""A history in the drill-down's detail pane — a key result's check-ins or a measure's
readings: every entry, newest first, each with its note, however many there are."""

from __future__ import annotations

import math
import textwrap
import time
from functools import lru_cache
from typing import Optional, Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.actions import SkipAction
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.reactive import Reactive
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.renderables._blend_colors import blend_colors
from textual.renderables.sparkline import Sparkline as SparklineBars
from textual.visual import Visual
from textual.widget import Widget
from textual.widgets import Sparkline, Static

from okrtui.app import look
from okrtui.domain.models import CheckIn, Reading


def _sized_by_layout() -> Reactive[Size]:
    """A `virtual_size` for a widget only the layout sizes: no layout of its own when it changes.

    Textual lays a widget out again whenever the layout changed its virtual size. For the history
    and its pane that second layout finds what the first already placed (the first arranged their
    content to get that size; scrollbars that come or go still ask for one), but it costs a frame:
    a check-in's new entry grew both, and the screen settled 16-33 ms later than it had painted.
    """
    return Reactive(Size(0, 0), layout=False)


class HistoryList(Widget):
    """A key result's check-ins (or a measure's readings), newest first, each with its note:
    all of them, however many.

    A key result can gather a thousand check-ins. Wrapping and painting all of them on every
    cursor move would cost more than the rest of the screen together, so check-ins are wrapped
    only as far down as the pane has been scrolled (plus a margin), the rest count at an
    estimated height until then, and only the lines in view are painted.
    """

    virtual_size = _sized_by_layout()
    MARGIN = 120  # lines wrapped past the lowest one painted: a few pages down need no new layout
    NOTE_INDENT = 4
    SLICE_SECONDS = 0.004  # background wrapping yields this often, so keys and paints go first

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._checkins: list[CheckIn] = []
        self._kind = "metric"
        self._width = 0
        self._lines: list[Content] = []  # the wrapped lines of self._checkins[:self._laid]
        self._laid = 0
        self._estimates: list[int] = []
        self._rest = 0  # estimated lines of the check-ins not wrapped yet
        self._height = 0  # the height the layout was last given
        self._viewport_height: Optional[int] = None  # the screen's height at that layout
        self._generation = 0  # bumped when what is wrapped is thrown away: stops background wrapping
        # Each entry's wrapped lines by what it shows, at the width they were wrapped for. A check-in
        # gives a new list (one more entry, then the store's own copies of all of them): without
        # this, the paint that shows it wrapped the hundred entries above again (a quarter of it).
        self._wrap_cache: dict[tuple, list[Content]] = {}
        self._wrap_cache_rooms: tuple[int, int] = (0, 0)
        self._strips: dict[tuple, tuple[Content, Optional[Strip]]] = {}  # see render_line

    @property
    def checkin_count(self) -> int:
        return len(self._checkins)

    @property
    def wrapped_count(self) -> int:
        """How many check-ins have been wrapped into lines so far."""
        return self._laid

    @property
    def settled(self) -> bool:
        """Whether the last layout gave this list the height it now knows it has."""
        return self.size.width == self._width and self.size.height == self._total()

    def show(self, checkins: Sequence[CheckIn | Reading], kind: str) -> None:
        """Show these check-ins (or readings: `kind` "reading"), in this order."""
        same = len(checkins) == len(self._checkins) and (
            all(a is b for a, b in zip(checkins, self._checkins)) or list(checkins) == self._checkins)
        if same and kind == self._kind:
            return  # keep what is wrapped, and so the scroll position
        self._checkins, self._kind = list(checkins), kind
        self._reset(self._width)
        if self._viewport_height is not None and self.size == Size(self._width, self._height):
            # Wrapped as far as the layout would (get_content_height): when that comes to the
            # height it has, as one key result's dozen check-ins to the next's often do, the
            # screen needs a repaint of this list only, not a layout.
            self._extend(self._viewport_height + self.MARGIN)
            if self._total() == self._height:
                self.refresh()
                return
        self.refresh(layout=True)

    def estimated_height(self) -> int:
        """The height the next layout will likely give it (wrapped lines, estimates for the rest)."""
        return self._total()

    def lines_text(self) -> list[str]:
        """Every line of the list as plain text (wraps the whole list)."""
        self._extend(math.inf)
        return [line.plain for line in self._lines]

    def wrap_all(self) -> bool:
        """Wrap every check-in now; whether the height changed from the estimate."""
        self._extend(math.inf)
        return self._total() != self._height

    def wrap_in_background(self) -> None:
        """Wrap the rest a slice at a time between other events, so that `end` finds it done."""
        if self._laid < len(self._checkins):
            self._generation += 1
            self.call_later(self._wrap_slice, self._generation)

    def _wrap_slice(self, generation: int) -> None:
        if generation != self._generation:
            return
        deadline = time.perf_counter() + self.SLICE_SECONDS
        while self._laid < len(self._checkins) and time.perf_counter() < deadline:
            self._extend(len(self._lines) + 1)
        if self._laid < len(self._checkins):
            self.call_later(self._wrap_slice, generation)
        elif self._total() != self._height:
            self.refresh(layout=True)

    def _reset(self, width: int) -> None:
        self._generation += 1
        self._width = width
        self._lines, self._laid = [], 0
        room, note_room = self._rooms()
        self._estimates = [_estimated_lines(checkin, room, note_room) for checkin in self._checkins]
        self._rest = sum(self._estimates)

    def _rooms(self) -> tuple[int, int]:
        room = max(1, self._width)
        return room, (room - self.NOTE_INDENT if room > 2 * self.NOTE_INDENT else room)

    def _total(self) -> int:
        return len(self._lines) + self._rest

    def _extend(self, lines: float) -> None:
        room, note_room = self._rooms()
        indent = " " * (room - note_room)
        cache = self._wrap_cache
        if self._wrap_cache_rooms != (room, note_room) or len(cache) > 4 * len(self._checkins) + 256:
            cache.clear()
            self._wrap_cache_rooms = (room, note_room)
        kind = self._kind
        while len(self._lines) < lines and self._laid < len(self._checkins):
            checkin = self._checkins[self._laid]
            key = (kind, checkin.at, checkin.author, checkin.value, getattr(checkin, "confidence", None), checkin.note)
            wrapped = cache.get(key)
            if wrapped is None:
                wrapped = _wrapped(_entry_line(checkin, kind), room)
                for paragraph in checkin.note.split("\n") if checkin.note else ():
                    wrapped += [look.plain(indent + piece) for piece in _wrapped_note(paragraph, note_room)]
                cache[key] = wrapped
            self._lines += wrapped
            self._rest -= self._estimates[self._laid]
            self._laid += 1

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if width != self._width:
            self._reset(width)
        # What the first paint can show is wrapped now, so that paint needs no second layout.
        self._extend(viewport.height + self.MARGIN)
        self._height = self._total()
        self._viewport_height = viewport.height
        return self._height

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if width != self._width:
            self._reset(width)
        if y >= len(self._lines):
            self._extend(y + 1 + self.MARGIN)
            if self._total() != self._height:
                # The estimate gave way to the real height: lay the pane out again, after this paint.
                self._height = self._total()
                self.call_later(self.refresh, layout=True)
        if y >= len(self._lines):
            return Strip.blank(width, self.visual_style.rich_style)
        line = self._lines[y]
        visual_style = self.visual_style
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(y)) is not None:
            # Each line is its own visual here, so the selection is applied line by line.
            start, end = span
            line = line.stylize(Style.from_styles(self.screen.get_component_styles("screen--selection")),
                                start, len(line.plain) if end == -1 else end)
            strip = self._line_strip(line, width, visual_style)
        else:
            # The same wrapped line (kept by _extend) draws the same: a new check-in moves every
            # line down one row, and drawing them again was most of the list's part of that paint.
            key = (id(line), width, visual_style)
            found = self._strips.get(key)
            if found is None or found[0] is not line:
                if len(self._strips) > 4096:
                    self._strips.clear()
                found = self._strips[key] = (line, self._line_strip(line, width, visual_style))
            strip = found[1]
        return _on_row(strip, y) if strip is not None else Strip.blank(width, visual_style.rich_style)

    def _line_strip(self, line: Content, width: int, visual_style) -> Optional[Strip]:
        strips = Visual.to_strips(self, line, width, 1, visual_style, apply_selection=False)
        return strips[0] if strips else None

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract("\n".join(self.lines_text())), "\n"


def _entry_line(entry: CheckIn | Reading, kind: str) -> Content:
    return look.reading_line(entry) if kind == "reading" else look.checkin_line(entry, kind)


def _on_row(strip: Strip, y: int) -> Strip:
    # A one-line visual marks its text as row 0; the mouse's selection needs the row in the list.
    if not y:
        return strip
    segments = []
    for text, style, control in strip:
        offset = style.meta.get("offset") if style is not None else None
        if offset is not None:
            style = style + RichStyle.from_meta({"offset": (offset[0], y)})
        segments.append(Segment(text, style, control))
    return Strip(segments, strip.cell_length)


def _wrapped(line: Content, width: int) -> list[Content]:
    # Most lines fit: measuring is far cheaper than wrapping.
    return [line] if line.cell_length <= width else line.wrap(width)


def _wrapped_note(paragraph: str, width: int) -> list[str]:
    if paragraph.isascii() and "\t" not in paragraph:
        # One cell a character: the standard library wraps it at a third of Content.wrap's cost,
        # which counts when `end` wraps a thousand notes at once.
        return [paragraph] if len(paragraph) <= width else _note_wrapper(width).wrap(paragraph) or [""]
    return [line.plain for line in _wrapped(Content(paragraph), width)]


@lru_cache(maxsize=8)
def _note_wrapper(width: int) -> textwrap.TextWrapper:
    # Like Content.wrap: breaks at spaces only, folds a word longer than the line.
    return textwrap.TextWrapper(width, break_on_hyphens=False, expand_tabs=False)


def _estimated_lines(checkin: CheckIn, room: int, note_room: int) -> int:
    # Counted in characters, not cells, and without word breaks: an estimate, cheap for a thousand.
    lines = -(-(38 + len(checkin.author)) // room)  # time, value and confidence take about 38 cells
    note = checkin.note
    if note:
        for paragraph in note.split("\n") if "\n" in note else (note,):
            lines += max(1, -(-len(paragraph) // note_room))
    return lines


class DetailPane(VerticalScroll):
    """The detail of the focused item; on a key result or a measure, its whole history below."""

    virtual_size = _sized_by_layout()

    def on_focus(self) -> None:
        # Focus here means scrolling is next: wrap the history ahead of it.
        self.query_one(HistoryList).wrap_in_background()

    # home and end jump: gliding over a thousand check-ins would take a second.
    def action_scroll_home(self) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()
        history = self.query_one(HistoryList)
        if history.display and history.wrap_all():
            history.refresh(layout=True)
        # scroll_end waits for the next layout, so the real end is the one it reaches.
        self.scroll_end(animate=False)



class DetailText(Static):
    """A Static in the detail pane. Its size is the layout's to give (see _sized_by_layout): a move
    between an objective and a key result changes its height, and that asked for a second layout."""

    virtual_size = _sized_by_layout()


class HistorySparkline(Sparkline):
    """Textual's Sparkline, drawn the same, cell for cell, at a fraction of the cost.

    A check-in changes the data, so the paint that shows it draws the sparkline anew: Textual's
    renderable summarises, blends and styles every bucket once per row, a quarter of that paint
    on a wide pane. This does each column once.

    Each cursor move onto another key result draws it anew too, and taking those bars through
    Rich's console (a segment at a time, styled again for the widget, split into lines, cropped)
    cost more than the rest of that repaint's text: the lines are built here as Strips, the same
    segments with the same styles, and kept until the data, size or colours change.
    """

    virtual_size = _sized_by_layout()  # shown or hidden with the history: see DetailText
    _strips: tuple = (None, None)  # (what they were drawn from, the strips)

    def render(self):
        bars = super().render()
        if not isinstance(bars, SparklineBars):
            return bars
        return _ColumnBars(bars.data, width=bars.width, height=bars.height, min_color=bars.min_color.color,
                           max_color=bars.max_color.color, summary_function=bars.summary_function)

    def render_line(self, y: int) -> Strip:
        strips = self._bar_strips()
        if strips is None:
            return super().render_line(y)
        self._dirty_regions.clear()  # as Widget.render_line's own drawing leaves it
        return strips[y] if y < len(strips) else Strip.blank(self.size.width, self.visual_style.rich_style)

    def _bar_strips(self) -> Optional[list[Strip]]:
        """The bars' lines as Textual would draw them, or None where that is not plainly so
        (an empty or one-point history, a style that carries links): Textual draws those."""
        bars = self.render()
        width, height = self.size
        base = self.visual_style.rich_style
        if not isinstance(bars, _ColumnBars) or len(bars.data) < 2 or width <= 0 or height <= 0 \
                or not base or base._meta is not None:
            return None
        # The data itself, not a copy: held here, it keeps its identity for as long as it is compared.
        key = (bars.data, len(bars.data), width, height, bars.min_color, bars.max_color, bars.summary_function, base)
        drawn, strips = self._strips
        if drawn is not None and drawn[0] is key[0] and drawn[1:] == key[1:]:
            return strips
        # As Widget.post_render's _Styled does: each cell's style on top of the widget's.
        styled: dict[Optional[RichStyle], RichStyle] = {}
        strips = []
        for row in bars.rows(width, height):
            segments = []
            for text, style in row:
                combined = styled.get(style)
                if combined is None:
                    combined = styled[style] = base + style
                segments.append(Segment(text, combined))
            strips.append(Strip(segments, width))
        self._strips = (key, strips)
        return strips


class _ColumnBars(SparklineBars):
    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if len(self.data) < 2:
            yield from super().__rich_console__(console, options)
            return
        rows = self.rows(self.width or options.max_width, self.height or 1)
        for index, row in enumerate(rows):
            for text, style in row:
                yield Segment(text, style)
            if index < len(rows) - 1:
                yield Segment.line()

    def rows(self, width: int, height: int) -> list[list[tuple[str, Optional[RichStyle]]]]:
        """Each line's cells, top line first: (character, style); two points of data or more."""
        data = self.data
        bar_line_segments = len(self.BARS)
        bar_segments = bar_line_segments * height - 1
        minimum, maximum = min(data), max(data)
        extent = maximum - minimum or 1
        min_color, max_color = self.min_color.color, self.max_color.color
        buckets = tuple(self._buckets(list(data), num_buckets=width))
        # Walked as Textual's renderable walks them (a float index stepping by len/width).
        columns = []
        bucket_index = 0.0
        step = len(buckets) / width
        for _ in range(width):
            ratio = (self.summary_function(buckets[int(bucket_index)]) - minimum) / extent
            columns.append((ratio, int(ratio * bar_segments)))
            bucket_index += step
        styles: dict[float, RichStyle] = {}
        rows = []
        for row in reversed(range(height)):
            low, high = row * bar_line_segments, (row + 1) * bar_line_segments
            cells: list[tuple[str, Optional[RichStyle]]] = []
            for ratio, bar_index in columns:
                if bar_index < low:
                    cells.append((" ", None))
                    continue
                style = styles.get(ratio)
                if style is None:
                    style = styles[ratio] = RichStyle.from_color(blend_colors(min_color, max_color, ratio))
                cells.append(("\u2588" if bar_index >= high else self.BARS[bar_index % bar_line_segments], style))
            rows.append(cells)
        return rows


def newest_first(checkins: Sequence[CheckIn | Reading]) -> list[CheckIn | Reading]:
    # By time: a back-dated check-in sits where its date puts it, not where it was added.
    # Most histories are already in time order; checking that is cheaper than sorting.
    if all(earlier.at <= later.at for earlier, later in zip(checkins, checkins[1:])):
        return list(reversed(checkins))
    ordered = sorted(enumerate(checkins), key=lambda pair: (pair[1].at, pair[0]), reverse=True)
    return [checkin for _, checkin in ordered]


def history_heading(checkins: Sequence[CheckIn | Reading], name: str = "check-ins") -> Content:
    """`Check-ins (6, newest first)`; `name` the plural of what is listed."""
    if not checkins:
        return Content.styled(f"\nNo {name} yet.", "$text-muted")
    return Content.assemble("\n", (name.capitalize(), "bold"), f" ({len(checkins)}, newest first)")
