"""Bands told apart by colour on every terminal: with 16 colours (TERM=xterm) and with 256.

Textual draws in truecolor and Rich turns each colour into the nearest one the terminal
has when it writes it out (rich.color.Color.downgrade), so the test downgrades the colours
the compositor hands over the same way. With 16 colours that used to draw a yellow band's
bar in bright red, like a red one ($warning #FEA62B is nearest to (255, 85, 85)), and green
and red score text both in white.

The app learns its colour system from its Console: TEXTUAL_COLOR_SYSTEM (read once, when
textual is imported, into textual.constants.COLOR_SYSTEM), or with "auto" from TERM and
COLORTERM when the app is made. The tests take the second way, as a terminal would.
"""

from __future__ import annotations

import colorsys
import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest
import textual.constants
from rich._palettes import EIGHT_BIT_PALETTE, STANDARD_PALETTE
from rich.cells import cell_len
from rich.color import Color as RichColor
from rich.color import ColorSystem
from rich.color_triplet import ColorTriplet
from rich.style import Style as RichStyle

from okrtui.app import look
from okrtui.app.app import OkrApp
from okrtui.app.widgets.scorecard import PerspectivePane
from okrtui.domain.scoring import band as band_of
from okrtui.store import Store

AS_OF_DATE = dt.date(2026, 11, 20)
SYMBOL_BAND = {look.BAND_SYMBOL[band]: band for band in ("green", "yellow", "red")}
BAR = "\u2588"
ANSI_NAMES = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]
# The colour wheel's six names: a colour is "red" only when red is nearer than magenta.
HUES = {"red": 0, "yellow": 55, "green": 120, "cyan": 180, "blue": 240, "magenta": 300}
TERMINALS = {  # TERM: what Rich makes of it, with COLORTERM unset
    "xterm": (ColorSystem.STANDARD, "standard"),
    "xterm-256color": (ColorSystem.EIGHT_BIT, "256"),
}


def hue_name(triplet: tuple[int, int, int]) -> str:
    hue, lightness, saturation = colorsys.rgb_to_hls(*(v / 255 for v in triplet))
    if saturation < 0.15 or not 0.1 < lightness < 0.95:  # Rich's own line for grey (Color.downgrade)
        return "grey"
    degrees = hue * 360
    return min(HUES, key=lambda name: min(abs(degrees - HUES[name]), 360 - abs(degrees - HUES[name])))


def sent(color: RichColor, system: ColorSystem) -> tuple[int, tuple[int, int, int]]:
    """The colour number the terminal is sent, and Rich's idea of that colour."""
    number = color.downgrade(system).number
    palette = STANDARD_PALETTE if system == ColorSystem.STANDARD else EIGHT_BIT_PALETTE
    return number, tuple(ColorTriplet(*palette[number]))


def band_colours(app: OkrApp) -> dict[tuple[str, str], set[RichColor]]:
    """(band, "symbol" or "bar") -> the foreground colours it is drawn in.

    A bar in a list row belongs to the band symbol before it (`▲ 0.44 ██░░░`); a pane's
    own bar, on the row under its title, to the perspective's score."""
    found: dict[tuple[str, str], set[RichColor]] = defaultdict(set)
    pane_band = {pane.query_one(".pane-bar"): band_of(app.board.scores.perspective.get(pane.key))
                 for pane in app.screen.query(PerspectivePane)}
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    for y, line in enumerate(update.strips):
        x, row_band = 0, {}
        for strip in line:
            for segment in strip:
                if segment.control:
                    continue
                style = segment.style or RichStyle()
                for char in segment.text:
                    if char in SYMBOL_BAND or char == BAR:
                        widget, _ = app.screen.get_widget_at(x, y)
                        if char in SYMBOL_BAND:
                            row_band[widget] = SYMBOL_BAND[char]
                            found[row_band[widget], "symbol"].add(style.color)
                        elif (owner := row_band.get(widget) or pane_band.get(widget)) is not None:
                            found[owner, "bar"].add(style.color)
                    x += cell_len(char)
    return found


async def scorecard_colours(path: Path, theme: str) -> tuple[str, dict]:
    app = OkrApp(Store(path), as_of=AS_OF_DATE, user="tester")
    async with app.run_test(size=(100, 34)) as pilot:
        app.theme = theme
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        return app.console.color_system, band_colours(app)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
@pytest.mark.parametrize("term", list(TERMINALS))
async def test_bands_are_three_colours_of_their_own_hue(term, theme, sample_store, monkeypatch):
    system, system_name = TERMINALS[term]
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "auto")
    monkeypatch.setenv("TERM", term)
    monkeypatch.delenv("COLORTERM", raising=False)
    detected, found = await scorecard_colours(sample_store, theme)
    assert detected == system_name

    for part in ("symbol", "bar"):
        numbers = {}
        for band in ("green", "yellow", "red"):
            colours = found.get((band, part))
            assert colours, f"no {band} {part} on the scorecard"
            sent_as = {sent(color, system) for color in colours}
            assert len(sent_as) == 1, f"{band} {part}s are sent as several colours: {sent_as}"
            (number, triplet), = sent_as
            if system == ColorSystem.STANDARD:
                assert ANSI_NAMES[number % 8] == band, (
                    f"{band} {part} is sent as ANSI {number} ({ANSI_NAMES[number % 8]})")
            assert hue_name(triplet) == band, (
                f"{band} {part} {sorted(c.triplet.hex for c in colours)} is sent as colour {number} "
                f"{ColorTriplet(*triplet).hex}, which looks {hue_name(triplet)}")
            numbers[band] = number
        assert len(set(numbers.values())) == 3, f"{part}s: {numbers}"


async def test_truecolor_keeps_the_theme_colours(sample_store, monkeypatch):
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "truecolor")
    detected, found = await scorecard_colours(sample_store, "textual-dark")
    assert detected == "truecolor"
    # textual-dark's $text-success, $text-warning, $text-error and $success, $warning, $error.
    assert {band: {c.triplet.hex for c in found[band, "symbol"]} for band in SYMBOL_BAND.values()} == {
        "green": {"#8ad4a1"}, "yellow": {"#ffc473"}, "red": {"#d17e92"}}
    assert {band: {c.triplet.hex for c in found[band, "bar"]} for band in SYMBOL_BAND.values()} == {
        "green": {"#4ebf71"}, "yellow": {"#fea62b"}, "red": {"#b93c5b"}}


def test_styles_outside_an_app_are_the_theme_variables():
    # Content made before any app runs (or in a test of look alone) keeps the theme's variables.
    assert dict(look.BAND_STYLE) == {"green": "$text-success", "yellow": "$text-warning",
                                     "red": "$text-error", None: "$text-muted"}
    assert look.CONFIDENCE_STYLE["blocked"] == "$text-error"
