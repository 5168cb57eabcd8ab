"""How scores and user text look on screen — the one place text becomes Content.

User text is always added as a plain part, never parsed as markup, so a
title like `Cut cost [/b] 50%` shows exactly as typed. Every score is shown
beside its band's colour *and* symbol, so it reads in monochrome too.
"""

from __future__ import annotations

from typing import Optional

from textual.content import Content

from okrtui.domain.scoring import band
from okrtui.domain.text import score_text

BAND_SYMBOL = {"green": "\u25cf", "yellow": "\u25b2", "red": "\u2716", None: "\u00b7"}
BAND_STYLE = {"green": "$text-success", "yellow": "$text-warning", "red": "$text-error", None: "$text-muted"}
BAR_STYLE = {"green": "$success", "yellow": "$warning", "red": "$error", None: "$panel-lighten-2"}
CONFIDENCE_SYMBOL = {"on-track": "\u2714", "at-risk": "!", "off-track": "\u2716", "blocked": "\u25a0"}
CONFIDENCE_STYLE = {"on-track": "$text-success", "at-risk": "$text-warning",
                    "off-track": "$text-error", "blocked": "$text-error"}


def plain(text: str, style: str = "") -> Content:
    """User text as literal content."""
    return Content.styled(text, style) if style else Content(text)


def number(value: float | int | None) -> str:
    if value is None:
        return "\u2014"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


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


def percent(value: Optional[float]) -> str:
    return "\u2014" if value is None else f"{round(value * 100):d}%"
