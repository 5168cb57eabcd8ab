"""How scores and user text look on screen — the one place text becomes Content.

User text is always added as a plain part, never parsed as markup, so a
title like `Cut cost [/b] 50%` shows exactly as typed. Every score is shown
beside its band's colour *and* symbol, so it reads in monochrome too.
"""

from __future__ import annotations

from typing import Optional

from textual.content import Content
from textual.theme import Theme

from okrtui.domain.scoring import band
from okrtui.domain.text import number_shown, score_text

SCORE_WIDTH = len("\u25b2 0.00")  # a score as `look.score` draws it: symbol, space, two decimals
BAND_SYMBOL = {"green": "\u25cf", "yellow": "\u25b2", "red": "\u2716", None: "\u00b7"}
CONFIDENCE_SYMBOL = {"on-track": "\u2714", "at-risk": "!", "off-track": "\u2716", "blocked": "\u25a0"}

BAND_STYLE = {"green": "$text-success", "yellow": "$text-warning", "red": "$text-error", None: "$text-muted"}
BAR_STYLE = {"green": "$success", "yellow": "$warning", "red": "$error", None: "$panel-lighten-2"}
CONFIDENCE_STYLE = {"on-track": "$text-success", "at-risk": "$text-warning",
                    "off-track": "$text-error", "blocked": "$text-error"}

# With 16 colours Rich sends each colour as the nearest of its standard palette
# (rich.color.Color.downgrade): Textual's $warning #FEA62B comes out bright red like
# $error, and $text-success and $text-error both come out white (dark theme) or grey
# (light). These are that palette's own green, yellow and red (ANSI 2, 3 and 1), which
# it matches exactly, so the terminal shows its own green, yellow and red: the normal
# colours rather than the bright ones, which read on dark and on light backgrounds.
SIXTEEN_COLOURS = {"success": "#00aa00", "warning": "#aa5500", "error": "#aa0000",
                   "text-success": "#00aa00", "text-warning": "#aa5500", "text-error": "#aa0000",
                   # Textual's orange accent downgrades to bright red: focus borders and Footer
                   # keys would then read as the red band. The terminal's cyan is no band's hue.
                   "accent": "#00aaaa", "footer-key-foreground": "#00aaaa", "border": "#00aaaa"}

# Textual makes a light theme's $text-success/-warning/-error/-accent by tinting black
# with 66% of the colour: #337E4A, #A86D1C, #7A273C, #A86D1C in textual-light, 2.3-3.8:1
# on its backgrounds, panels and cursor rows. These keep the hues and reach 4.5:1 (WCAG
# AA) on all of them, a pale cursor row included, which makes them dark; with 256
# colours they still come out green, yellow and red (xterm 22, 58, 88), where Textual's
# red comes out as xterm 89, a magenta.
LIGHT_TEXT = {"text-success": "#1a4a29", "text-warning": "#5c3a00", "text-error": "#880010",
              "text-accent": "#5c3a00"}


def theme_variables(theme: Theme, sixteen_colours: bool = False) -> dict[str, str]:
    """What okrtui puts over Textual's generated variables for `theme` (App.get_css_variables),
    so every band colour is right wherever Content names it. A theme's own settings stay."""
    ours = dict(SIXTEEN_COLOURS) if sixteen_colours else {} if theme.dark else dict(LIGHT_TEXT)
    return {name: value for name, value in ours.items() if name not in theme.variables}


def plain(text: str, style: str = "") -> Content:
    """User text as literal content."""
    return Content.styled(text, style) if style else Content(text)


def number(value: float | int | None) -> str:
    return number_shown(value)  # as the command line shows it


def score(score: Optional[float], words: bool = False) -> Content:
    """`▲ 0.47` in the band's colour; with `words`, `▲ 0.47 yellow`."""
    kind = band(score)
    text = f"{BAND_SYMBOL[kind]} {score_text(score)}"
    if words and kind:
        text += f" {kind}"
    return Content.styled(text, BAND_STYLE[kind])


def bar(score: Optional[float], width: int = 10) -> Content:
    kind = band(score)
    filled = 0 if score is None else round(score * width)
    return Content.assemble(("\u2588" * filled, BAR_STYLE[kind]), ("\u2591" * (width - filled), "$text-muted"))


def confidence(value: str) -> Content:
    return Content.styled(f"{CONFIDENCE_SYMBOL[value]} {value}", CONFIDENCE_STYLE[value])


def checkin_value(value: float | int, kind: str) -> str:
    return ("done" if value == 1 else "not done") if kind == "milestone" else number(value)


def checkin_line(checkin, kind: str) -> Content:
    """`2026-11-15 09:00  ana  690  ✔ on-track`: one check-in, as the history and the dialog show it."""
    return Content.assemble(
        (f"{checkin.at:%Y-%m-%d %H:%M}", "$text-muted"), "  ", plain(checkin.author), "  ",
        (checkin_value(checkin.value, kind), "bold"), "  ", confidence(checkin.confidence))


def reading_line(reading) -> Content:
    """`2026-11-16 17:00  cro  21.4`: one reading of a measure, as its history and the dialog show it."""
    return Content.assemble(
        (f"{reading.at:%Y-%m-%d %H:%M}", "$text-muted"), "  ", plain(reading.author), "  ",
        (number(reading.value), "bold"))


TREND_BLOCKS = "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"


def trend(values: list[float], width: int = 8) -> str:
    """The last `width` values as a few-character sparkline (lowest ▁, highest █)."""
    shown = values[-width:]
    if not shown:
        return ""
    low, high = min(shown), max(shown)
    if high - low < 1e-12:
        return TREND_BLOCKS[3] * len(shown)  # flat: a level line mid-height
    top = len(TREND_BLOCKS) - 1
    return "".join(TREND_BLOCKS[round((v - low) / (high - low) * top)] for v in shown)


def percent(value: Optional[float]) -> str:
    return "\u2014" if value is None else f"{round(value * 100):d}%"
