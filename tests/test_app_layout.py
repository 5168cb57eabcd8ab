"""The scorecard at the sizes people run it: 80×24 (nothing essential cut) and 120×40 (the room used)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from okrtui.app.screens.help import HelpScreen
from okrtui.app.widgets.common import NavList
from okrtui.app.widgets.scorecard import PerspectivePane

from test_app import PAST_F1_MEASURES, make_app, screen_text, text

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "acme.json"


def sample_titles() -> dict[str, str]:
    return {s["code"]: s["title"] for s in json.loads(SAMPLE.read_text())["strategy"]}


def pane_lists(app):
    return [pane.query_one(NavList) for pane in app.screen.query(PerspectivePane)]


async def test_at_80x24_every_objective_row_is_in_view_with_its_count(sample_store):
    app = make_app(sample_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        for code in sample_titles():
            line = next((line for line in shown.splitlines() if f"\u2502 {code} " in line), None)
            assert line is not None, f"{code} is not on screen:\n{shown}"
        for pane_list in pane_lists(app):
            # No list needs scrolling, so no scrollbar stands over a column.
            assert pane_list.max_scroll_y == 0, pane_list.id
        # Internal Process (seven objectives): each row ends with its OKR count, not cut.
        counts = {"P1": 2, "P2": 0, "P3": 1, "P4": 2, "P5": 0, "P6": 0, "P7": 0}
        prompts = {o.id: str(o.prompt) for o in app.screen.query_one("#list-internal_process", NavList).options}
        for code, count in counts.items():
            assert prompts[code].rstrip().endswith(f" {count}"), prompts[code]
            assert len(prompts[code]) <= app.screen.query_one("#list-internal_process").scrollable_content_region.width


async def test_at_80x24_the_footer_keeps_the_scorecards_keys(sample_store):
    app = make_app(sample_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        for key in ("/ Filter", "t Thread", "q Quit", "? Help", "g Go to", "Cycle", "h Hints"):
            assert key in footer, footer
        # The palette's key gives way at 80 columns (`?` names ctrl+p); from 100 it is back.
        assert "palette" not in footer
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        await pilot.pause()
        assert "palette" in screen_text(app).splitlines()[-1]


async def test_at_80x24_the_drill_down_footer_keeps_its_keys(sample_store):
    app = make_app(sample_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", *PAST_F1_MEASURES, "down", "down")
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        for key in ("esc Back", "c Check in", "/ Filter", "t Thread", "q Quit", "? Help", "g Go to", "Cycle",
                    "h Hints"):
            assert key in footer, footer


async def test_numbers_have_column_labels_and_the_help_explains_them(sample_store):
    app = make_app(sample_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for pane in app.screen.query(PerspectivePane):
            assert text(pane.query_one(".pane-bar")).split()[-2:] == ["score", "OKRs"]
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_text = text(app.screen.query_one("#help-text"))
        assert "OKRs" in help_text and "index runs from 0" in help_text


async def test_the_status_line_shows_the_highlighted_title_whole(sample_store):
    app = make_app(sample_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        status = text(app.screen.query_one("#status"))
        assert status.startswith("F1 Grow annual recurring revenue \u00b7 1 OKR this cycle")
        await pilot.press("down")
        await pilot.pause()
        assert text(app.screen.query_one("#status")).startswith("F2 Improve gross margin \u00b7 0 OKRs this cycle")
        await pilot.press("tab")  # the Customer pane
        await pilot.pause()
        assert text(app.screen.query_one("#status")).startswith("C1 Win and keep mid-market customers")


@pytest.mark.parametrize("size", [(120, 40), (160, 50)])
async def test_wide_and_tall_terminals_show_every_title_whole(sample_store, size):
    app = make_app(sample_store)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        titles = sample_titles()
        for pane_list in pane_lists(app):
            width = pane_list.scrollable_content_region.width
            for option in pane_list.options:
                lines = str(option.prompt).splitlines()
                assert all(len(line) <= width for line in lines), lines
                # A long title goes on to a second line under itself rather than losing its end.
                first = re.match(r"^\S+\s+(.*?)\s+[\u25cf\u25b2\u2716\u00b7] ", lines[0])
                words = " ".join(" ".join([first.group(1), *lines[1:]]).split())
                assert titles[option.id] in words, lines
                assert "\u2026" not in words
            assert pane_list.max_scroll_y == 0
        for code, title in titles.items():
            assert title.split()[0] in screen_text(app)


async def test_at_100_columns_a_title_keeps_its_room_before_the_bar(sample_store):
    app = make_app(sample_store)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        f1 = next(str(o.prompt) for o in app.screen.query_one("#list-financial", NavList).options if o.id == "F1")
        assert "Grow annual recurring revenue" in f1
        assert "\u2588" not in f1 and "\u2591" not in f1  # no room for both: the row's bar gave way


async def test_the_tree_keeps_band_colours_on_the_cursor_row_and_follows_the_theme(sample_store, monkeypatch):
    import textual.constants
    from textual.color import Color

    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "truecolor")
    app = make_app(sample_store)

    def score_colour() -> str:
        for strip in app.screen._compositor.render_strips():
            if "KR-28 \u25b2 0.46" in strip.text:
                segment = next(seg for seg in strip if "0.46" in seg.text)
                return Color.from_rich_color(segment.style.color).hex
        raise AssertionError("KR-28's row is not on screen")

    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.press("enter", *PAST_F1_MEASURES, "down", "down")  # the cursor on KR-28
        await pilot.pause()
        assert score_colour() == Color.parse(app.theme_variables["text-warning"]).hex
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.pause()
        light = Color.parse(app.theme_variables["text-warning"]).hex
        assert score_colour() == light and light == "#5C3A00"


async def test_rows_are_shared_out_again_after_a_resize(sample_store):
    app = make_app(sample_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        grid = app.screen.query_one("#perspectives")
        small = str(grid.styles.grid_rows)
        await pilot.resize_terminal(120, 40)  # tall enough for titles on two lines
        await pilot.pause()
        await pilot.pause()
        lines = [pane.lines for pane in app.screen.query(PerspectivePane)]
        assert lines != [3, 3, 7, 1]
        assert str(grid.styles.grid_rows) != small
        assert f"{3 + max(lines[:2])}" in str(grid.styles.grid_rows)
        for pane_list in pane_lists(app):
            assert pane_list.max_scroll_y == 0


async def test_at_120x40_every_key_result_row_of_the_sample_shows_whole(sample_store):
    from okrtui.app.screens.drilldown import DrillScreen

    app = make_app(sample_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        board = app.board
        for strategic in board.strategy:
            rows = board.thread_of(strategic.code)
            if not rows:
                continue
            app.open_drilldown(strategic.code)
            await pilot.pause()
            await pilot.pause()
            assert isinstance(app.screen, DrillScreen)
            shown = screen_text(app)
            for objective, _ in rows:
                assert objective.title in shown, (strategic.code, objective.title)
                for kr in objective.key_results:
                    assert kr.title in shown, (strategic.code, kr.ref, kr.title)
            app.pop_screen()
            await pilot.pause()
