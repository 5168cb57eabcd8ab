"""WCAG 2.x AA contrast (at least 4.5:1) of every text cell on every main screen, in the
dark and the light theme, at 100×34 and 80×24.

The colours are read from the screen as the compositor hands it to the terminal: each
widget's strips have passed Textual's line filters by then (ANSIToTruecolor turns ANSI
colours into the theme's truecolor and replaces `dim` by the foreground blended toward
the background, keeping 66% of it: textual.constants.DIM_FACTOR), alpha is already
blended by Content's styles, and a modal's backdrop is tinted by BackgroundScreen. What
is left to the terminal is `reverse`, which swaps the two colours, and so does this test.

Counted: every cell whose character is not a space and not pure graphics (box drawing
U+2500–U+257F, block elements U+2580–U+259F: borders, guides, bars, sparklines).
Band and confidence symbols (● ▲ ✖ · ✔ ! ■) carry meaning and are counted.
The app runs with truecolor (16 colours would draw the bands in the terminal's own palette).
Not counted: the screen under a modal dialog, seen through its tinted backdrop. It is
inactive while the dialog is open, which WCAG 1.4.3 exempts, and it is meant to recede.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest
import textual.constants
from rich.cells import cell_len
from rich.color import Color as RichColor
from rich.style import Style as RichStyle
from textual.errors import NoWidget
from textual.filter import dim_color
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input

from okrtui.app.app import OkrApp

from test_app_snapshots import make_app, settle
AA_NORMAL_TEXT = 4.5
SIZES = [(100, 34), (80, 24)]
THEMES = ["textual-dark", "textual-light"]

# ---------------------------------------------------------------- the formula


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (0–255 channels)."""
    red, green, blue = (_channel(v) for v in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """(L1 + 0.05) / (L2 + 0.05), lighter over darker: 1.0 (none) to 21.0 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def hex_rgb(text: str) -> tuple[int, int, int]:
    text = text.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def rgb_hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def test_contrast_ratio_by_hand():
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)  # order does not matter
    assert contrast_ratio((119, 119, 119), (119, 119, 119)) == pytest.approx(1.0)
    # #777777: 0x77/255 = 0.4667 -> ((0.4667 + 0.055) / 1.055) ** 2.4 = 0.1845 on every channel,
    # so L = 0.1845 and white's L = 1: (1 + 0.05) / (0.1845 + 0.05) = 4.48, just short of AA.
    assert relative_luminance((119, 119, 119)) == pytest.approx(0.1845, abs=1e-4)
    assert contrast_ratio(hex_rgb("#777777"), hex_rgb("#ffffff")) == pytest.approx(4.48, abs=0.005)
    # Low channels take the linear part: 10/255 / 12.92 = 0.003035.
    assert relative_luminance((10, 0, 0)) == pytest.approx(0.2126 * 0.003035, rel=1e-3)


# ---------------------------------------------------------------- reading the screen


GRAPHICS = range(0x2500, 0x25A0)  # box drawing and block elements


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    char: str
    fg: tuple[int, int, int]
    bg: tuple[int, int, int]
    where: str  # the widget under the cell, "border" when outside its content

    @property
    def ratio(self) -> float:
        return contrast_ratio(self.fg, self.bg)


def _triplet(color: Optional[RichColor]) -> Optional[tuple[int, int, int]]:
    if color is None or color.triplet is None:
        return None
    return tuple(color.triplet)


def final_colours(style: RichStyle) -> tuple[Optional[tuple[int, int, int]], Optional[tuple[int, int, int]]]:
    """The colours a truecolor terminal shows for a segment's style."""
    fg, bg = style.color, style.bgcolor
    if style.dim and fg is not None and bg is not None:
        # Textual's filters have already replaced dim; this is the terminal's share if any got through.
        fg = dim_color(bg, fg)
    fg_rgb, bg_rgb = _triplet(fg), _triplet(bg)
    if style.reverse:
        fg_rgb, bg_rgb = bg_rgb, fg_rgb
    return fg_rgb, bg_rgb


def _where(app: OkrApp, x: int, y: int) -> tuple[Optional[Widget], str]:
    try:
        widget, _ = app.screen.get_widget_at(x, y)
    except NoWidget:
        return None, "?"
    name = type(widget).__name__ + (f"#{widget.id}" if widget.id else "")
    if not widget.content_region.contains(x, y):
        name += " border"
    return widget, name


def screen_cells(app: OkrApp) -> tuple[list[Cell], list[Cell]]:
    """The text cells of the screen in view: (counted, seen through a modal's backdrop)."""
    screen = app.screen
    update = screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    counted: list[Cell] = []
    backdrop: list[Cell] = []
    modal = isinstance(screen, ModalScreen)
    for y, line in enumerate(update.strips):
        x = 0
        for strip in line:
            for segment in strip:
                if segment.control:
                    continue
                style = segment.style or RichStyle()
                fg, bg = final_colours(style)
                for char in segment.text:
                    width = cell_len(char)
                    if not char.isspace() and ord(char) not in GRAPHICS:
                        widget, where = _where(app, x, y)
                        if fg is None or bg is None:
                            pytest.fail(f"{where} at ({x}, {y}) {char!r}: no truecolor to measure ({style})")
                        cell = Cell(x, y, char, fg, bg, where)
                        (backdrop if modal and widget is screen else counted).append(cell)
                    x += width
    return counted, backdrop


@dataclass
class Run:
    """Neighbouring low-contrast cells on one line with the same colours: one piece of text."""
    cells: list[Cell]

    @property
    def text(self) -> str:
        out, last = "", None
        for cell in self.cells:
            if last is not None and cell.x > last.x + 1:
                out += " " * (cell.x - last.x - 1)
            out += cell.char
            last = cell
        return out

    def describe(self) -> str:
        first = self.cells[0]
        return (f"  {first.ratio:5.2f}:1  {rgb_hex(first.fg)} on {rgb_hex(first.bg)}  "
                f"row {first.y} col {first.x}  {first.where}  {self.text!r}")


def offending_runs(cells: list[Cell], gap: int = 2) -> list[Run]:
    runs: list[Run] = []
    for cell in sorted((c for c in cells if c.ratio < AA_NORMAL_TEXT), key=lambda c: (c.y, c.x)):
        last = runs[-1].cells[-1] if runs else None
        if (last is not None and last.y == cell.y and cell.x - last.x <= gap
                and (last.fg, last.bg, last.where) == (cell.fg, cell.bg, cell.where)):
            runs[-1].cells.append(cell)
        else:
            runs.append(Run([cell]))
    return runs


# ---------------------------------------------------------------- the screens


SCREENS = {
    # name: (keys pressed on the scorecard, text typed after them)
    "scorecard": ((), ""),
    "drill-down KR-28": (("enter", "down", "down", "down", "down"), ""),  # past F1's two measures, O-9
    "check-in dialog": (("enter", "down", "down", "down", "down", "c"), ""),
    "drill-down F1": (("enter",), ""),  # its measures with their trends
    "drill-down measure": (("enter", "down", "down"), ""),
    "reading dialog": (("enter", "down", "down", "c"), ""),
    "help": (("question_mark",), ""),
    "hints": (("h",), ""),
    "strategic thread": (("t",), ""),
    "go-to dialog": (("g",), ""),
    "go-to dialog, matches": (("g",), "revenue"),
    "first run": ((), ""),
}

LOWEST: dict[tuple[str, str, str], tuple[float, Optional[float]]] = {}


@pytest.fixture(scope="module", autouse=True)
def lowest_ratio_report(request):
    """After the module: the lowest ratio of each screen, size and theme, passed or not."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or not LOWEST:
        return
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    # Fixture teardown output is captured and shown only on failure; the report is for every run.
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line("Lowest text contrast per screen (AA needs 4.50; backdrop: under a modal, not counted)")
        for (screen, size, theme), (lowest, backdrop) in sorted(LOWEST.items()):
            extra = f"   backdrop {backdrop:5.2f}" if backdrop is not None else ""
            reporter.write_line(f"  {screen:<24} {size:<7} {theme:<14} {lowest:5.2f}{extra}")


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(SCREENS))
async def test_text_contrast(name, size, theme, sample_store, tmp_path, monkeypatch):
    keys, typed = SCREENS[name]
    # The theme's own colours, whatever TERM says: with 16 colours (TERM=xterm) look.py draws
    # the bands in the terminal's palette, whose real colours no test can know.
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "truecolor")
    if name == "first run":
        monkeypatch.chdir(tmp_path)
        path = Path("empty") / "okrtui.json"
    else:
        path = sample_store
    app = make_app(path)
    async with app.run_test(size=size) as pilot:
        app.theme = theme
        await settle(pilot)
        if name == "scorecard":
            # The cursor row is what a focused pane adds: the test needs one on screen.
            assert app.focused is not None and app.focused.id == "list-financial", app.focused
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if typed:
            await pilot.press(*typed)
            await settle(pilot)
        for field in app.screen.query(Input):
            # A blinking cursor would make the screen depend on when it is read; held on, it is measured.
            field.cursor_blink = False
        await settle(pilot)
        counted, backdrop = screen_cells(app)

    assert counted, f"{name}: no text on screen"
    lowest = min(c.ratio for c in counted)
    LOWEST[(name, f"{size[0]}x{size[1]}", theme)] = (
        lowest, min((c.ratio for c in backdrop), default=None))
    runs = offending_runs(counted)
    if runs:
        cells = sum(len(r.cells) for r in runs)
        pytest.fail(f"{name} at {size[0]}x{size[1]} in {theme}: {cells} text cells below "
                    f"{AA_NORMAL_TEXT}:1 (lowest {lowest:.2f}:1)\n" + "\n".join(r.describe() for r in runs),
                    pytrace=False)
