"""Pilot tests of the terminal app (§5): the real keys, the sample store,
a frozen as-of date (2026-11-20, cycle 2026-Q4, 54% elapsed).

Numbers on screen are read from what the widgets render (Static.visual, option
prompts, tree labels, border titles) or from the composed screen itself.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Callable, Optional

import pytest
from textual.command import CommandList, CommandPalette
from textual.content import Content
from textual.widgets import Input, Tree

import okrtui.cli
from okrtui.app.app import WATCH_SECONDS, OkrApp
from okrtui.app.screens.checkin import CheckinDialog
from okrtui.app.screens.form import ChoicePicker
from okrtui.app.widgets.history import HistoryList
from okrtui.app.screens.drilldown import DrillScreen
from okrtui.app.screens.first_run import FirstRunScreen
from okrtui.app.screens.goto import GotoDialog
from okrtui.app.screens.help import HelpScreen
from okrtui.app.screens.hints import HintsScreen
from okrtui.app.screens.scorecard import ScorecardScreen
from okrtui.app.screens.thread import ThreadScreen
from okrtui.app.widgets.common import NavList
from okrtui.app.widgets.scorecard import PerspectivePane
from okrtui.store import Store

from conftest import export_doc, find_kr, snapshot_bytes

AS_OF_DATE = dt.date(2026, 11, 20)
SIZE = (100, 34)

# The sample's numbers before any check-in (2026-Q4, as of 2026-11-20).
BEFORE = {"KR-28": "0.46", "O-9": "0.44", "F1": "0.44", "Financial": "0.58", "Overall": "0.54"}

# After checking in 900 on KR-28, worked by hand from sample_data/acme.json:
#   KR-28 = (900 - 0) / (1500 - 0) = 0.60                        (was 690/1500 = 0.46)
#   O-9 = weighted mean of KR-28..KR-31, weights 2, 1, 1, 1:
#     KR-29 = (21 - 18) / (25 - 18) = 3/7 = 0.4286
#     KR-30 = (2.6 - 2.2) / (3.0 - 2.2) = 0.50
#     KR-31 = (1 - 0) / (3 - 0) = 0.3333
#     before (2 * 0.46 + 0.4286 + 0.50 + 0.3333) / 5 = 2.1819 / 5 = 0.4364 -> 0.44
#     after  (2 * 0.60 + 0.4286 + 0.50 + 0.3333) / 5 = 2.4619 / 5 = 0.4924 -> 0.49
#   F1 = mean of its OKRs' scores = O-9 alone                     0.44 -> 0.49
#   Financial = mean of F1..F3, F2 has no OKR (null, skipped):
#     F3 = O-18 = (0.70 + 5/7 + 0.75) / 3 = 0.7214
#     before (0.4364 + 0.7214) / 2 = 0.5789 -> 0.58
#     after  (0.4924 + 0.7214) / 2 = 0.6069 -> 0.61
#   Overall = mean of the non-null perspectives (Learning & Growth has no OKR):
#     Customer 0.2708, Internal Process 0.7753
#     before (0.5789 + 0.2708 + 0.7753) / 3 = 1.6250 / 3 = 0.5417 -> 0.54
#     after  (0.6069 + 0.2708 + 0.7753) / 3 = 1.6530 / 3 = 0.5510 -> 0.55
RIPPLE_900 = ("KR-28 0.46 \u2192 0.60 \u00b7 O-9 0.44 \u2192 0.49 \u00b7 F1 0.44 \u2192 0.49 "
              "\u00b7 Financial 0.58 \u2192 0.61 \u00b7 Overall 0.54 \u2192 0.55")

# KR-48 is a milestone (not done) in O-14 (P4), weights KR-46 1, KR-47 1, KR-48 0.5:
#   KR-46 = (86 - 70) / 25 = 0.64, KR-47 = (60 - 20) / 80 = 0.50
#   O-14 before (0.64 + 0.50 + 0.5 * 0) / 2.5 = 0.456 -> 0.46; after (0.64 + 0.50 + 0.5 * 1) / 2.5 = 0.656 -> 0.66
#   P4 = mean(O-14, O-15 = (10/11.5 + 1 + 0.75) / 3 = 0.8732): before 0.6646 -> 0.66, after 0.7646 -> 0.76
#   Internal Process = mean(P1 0.7471, P3 0.9143, P4): before 0.7753 -> 0.78, after 0.8086 -> 0.81
#   Overall: before 0.5417 -> 0.54, after (0.5789 + 0.2708 + 0.8086) / 3 = 0.5528 -> 0.55
RIPPLE_KR48_DONE = ("KR-48 0.00 \u2192 1.00 \u00b7 O-14 0.46 \u2192 0.66 \u00b7 P4 0.66 \u2192 0.76 "
                    "\u00b7 Internal Process 0.78 \u2192 0.81 \u00b7 Overall 0.54 \u2192 0.55")


# ---------------------------------------------------------------- helpers


def make_app(path: Path) -> OkrApp:
    return OkrApp(Store(path), as_of=AS_OF_DATE, user="tester")


def text(widget) -> str:
    """What a Static shows, as plain text."""
    return str(widget.visual)


def title_of(widget) -> str:
    """A border title as plain text (Textual keeps it as content markup)."""
    title = widget.border_title
    return Content.from_markup(title).plain if isinstance(title, str) else str(title)


def screen_text(app: OkrApp) -> str:
    """The composed screen, line by line, as the terminal would show it."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def header(app: OkrApp) -> str:
    return text(app.screen.query_one("#header"))


def messages(app: OkrApp) -> list[str]:
    return [n.message for n in app._notifications]


def pane(app: OkrApp, key: str) -> PerspectivePane:
    return app.screen.query_one(f"#pane-{key}", PerspectivePane)


def rows(app: OkrApp, key: str) -> list[str]:
    return [str(o.prompt) for o in pane(app, key).query_one(NavList).options]


def row(app: OkrApp, key: str, code: str) -> str:
    return next(r for r in rows(app, key) if r.startswith(code))


def tree(app: OkrApp) -> Tree:
    return app.screen.query_one("#okr-tree", Tree)


def cursor(app: OkrApp) -> Optional[str]:
    node = tree(app).cursor_node
    return node.data if node is not None else None


def label(app: OkrApp, ref: str) -> str:
    """The tree label of an objective or key result (the root: its code)."""
    found = []

    def walk(node):
        if node.data == ref:
            found.append(node)
        for child in node.children:
            walk(child)

    walk(tree(app).root)
    assert found, f"{ref} is not in the tree"
    return found[0].label.plain.strip()


def focused_id(app: OkrApp) -> Optional[str]:
    return app.focused.id if app.focused is not None else None


async def until(pilot, condition: Callable[[], bool], seconds: float = 3.0, step: float = 0.05) -> bool:
    """Wait for a condition (not a fixed time): pause in small steps until it holds."""
    for _ in range(int(seconds / step)):
        if condition():
            return True
        await pilot.pause(step)
    return condition()


async def saved(app: OkrApp, pilot) -> None:
    """Wait for the check-in worker (and anything it starts) to finish."""
    for _ in range(10):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            return


# F1's drill-down lists its two measures (KPIs) first, then O-9 and its key results.
PAST_F1_MEASURES = ("down", "down")


async def to_kr28(pilot) -> None:
    """From the scorecard (cursor on F1) to KR-28 in F1's drill-down: enter, down past the
    measures, down (O-9), down (KR-28)."""
    await pilot.press("enter", *PAST_F1_MEASURES, "down", "down")
    await pilot.pause()
    # The detail pane reads the cycle's history in a worker; let it land.
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def goto(pilot, target: str) -> None:
    """`g target enter`, then wait for the cursor: it is placed after the drill-down's first layout."""
    app = pilot.app
    await pilot.press("g", *target, "enter")
    await until(pilot, lambda: isinstance(app.screen, DrillScreen) and cursor(app) == target, seconds=2)


# ---------------------------------------------------------------- the scorecard


class TestScorecard:
    async def test_header(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, ScorecardScreen)
            assert header(app) == "Northwind Analytics \u00b7 2026-Q4 \u00b7 54% elapsed \u00b7 Overall \u25b2 0.54 yellow"

    async def test_four_panes_with_their_scores(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            titles = [title_of(p).strip() for p in app.screen.query(PerspectivePane)]
            assert titles == [
                "Financial \u25b2 0.58 yellow",
                "Customer \u2716 0.27 red",
                "Internal Process \u25cf 0.78 green",
                "Learning & Growth \u00b7 \u2014",
            ]
            # The perspective's bar and percentage, then a label over each number column.
            bar_line = text(app.screen.query_one("#bar-financial"))
            assert " 58% " in bar_line and bar_line.split()[-2:] == ["score", "OKRs"]
            shown = screen_text(app)
            for title in titles:
                assert title in shown

    async def test_financial_lists_its_strategic_objectives(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            financial = rows(app, "financial")
            assert [r[:2] for r in financial] == ["F1", "F2", "F3"]
            f1, f2, f3 = financial
            assert "Grow annual recurring" in f1 and "\u25b2 0.44" in f1 and f1.endswith(" 1")
            assert "Improve gross margin" in f2 and "\u00b7 \u2014" in f2 and f2.endswith(" 0")
            assert "Keep cash runway" in f3 and "\u25cf 0.72" in f3 and f3.endswith(" 1")
            assert [r[:2] for r in rows(app, "internal_process")] == ["P1", "P2", "P3", "P4", "P5", "P6", "P7"]
            assert row(app, "internal_process", "P1").endswith(" 2")
            assert [r[:2] for r in rows(app, "learning_growth")] == ["L1"]

    async def test_balance_bar_shares_index_and_warnings(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            balance = text(app.screen.query_one("#balance")).splitlines()
            assert balance[0].split() == ["Balance", "Fin", "22%", "\u00b7", "Cust", "22%", "\u00b7", "Proc", "56%",
                                          "\u00b7", "L&G", "0%", "index", "0.72"]
            assert "\u26a0 No aligned OKR serves the Learning & Growth perspective" in balance
            assert "\u26a0 1 OKR objective is not aligned to any strategic objective" in balance
            shown = screen_text(app)
            assert "Fin 22% \u00b7 Cust 22% \u00b7 Proc 56% \u00b7 L&G 0%   index 0.72" in shown
            assert "Unaligned objectives (1)" in shown
            assert "O-17" in shown

    async def test_starts_focused_on_f1(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert focused_id(app) == "list-financial"
            assert app.focused.highlighted_id == "F1"

    async def test_escape_does_nothing(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            scorecard = app.screen
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is scorecard
            assert app.is_running
            assert focused_id(app) == "list-financial" and app.focused.highlighted_id == "F1"

    @pytest.mark.parametrize("opener, screen", [("enter", DrillScreen), ("question_mark", HelpScreen)])
    async def test_q_quits_from_every_screen(self, sample_store, opener, screen):
        # §5: `q` anywhere (outside a text field) quits.
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press(opener)
            await pilot.pause()
            assert isinstance(app.screen, screen)
            await pilot.press("q")
            await pilot.pause()
            assert not app.is_running, f"q on {screen.__name__} did not quit"

    @pytest.mark.parametrize("key", ["q", "ctrl+q"])
    async def test_quit(self, sample_store, key):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press(key)
            await pilot.pause()
            assert not app.is_running
        assert app.return_code == 0


# ---------------------------------------------------------------- the key map


class TestHelp:
    async def test_help_lists_the_scorecard_keys(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            lines = text(app.screen.query_one("#help-text")).splitlines()
            assert lines[0] == "Keys of this screen (scorecard)"
            keys = {line.split()[0] for line in lines[1:] if line.strip()}
            for key in ["q", "?", "g", "[", "]", "/", "t", "h", "enter", "ctrl+p", "ctrl+q"]:
                assert key in keys, key
            assert any(line.startswith("h ") and "Hints" in line for line in lines)
            assert any(line.startswith("[ ") and "Previous cycle" in line for line in lines)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ScorecardScreen)

    async def test_help_on_the_drill_down_lists_check_in_and_back(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_kr28(pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            lines = text(app.screen.query_one("#help-text")).splitlines()
            assert lines[0] == "Keys of this screen (drill)"
            assert lines[2].startswith("On a key result, c checks in")
            assert any(line.startswith("c ") and "Check in" in line for line in lines)
            assert any(line.startswith("escape ") and "Back" in line for line in lines)
            await pilot.press("question_mark")  # ? closes it too
            await pilot.pause()
            assert isinstance(app.screen, DrillScreen)

    async def test_c_is_offered_only_where_it_checks_in(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter")  # the drill-down of F1, cursor on F1 itself
            await pilot.pause()
            assert "Check in" not in screen_text(app).splitlines()[-1]
            await pilot.press("question_mark")
            await pilot.pause()
            assert not any(line.startswith("c ") for line in text(app.screen.query_one("#help-text")).splitlines())
            await pilot.press("escape", *PAST_F1_MEASURES, "down", "down")  # O-9, then KR-28
            await pilot.pause()
            assert cursor(app) == "KR-28"
            assert "c Check in" in screen_text(app).splitlines()[-1]

    async def test_the_scorecards_help_opens_with_the_way_to_a_check_in(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("question_mark")
            await pilot.pause()
            lines = text(app.screen.query_one("#help-text")).splitlines()
            assert lines[2] == ("To check in: arrows to a strategic objective, enter for its OKRs, arrows to a "
                                "key result, c. Or g, a ref (KR-12), enter, c. A reading of a measure (KPI): "
                                "enter, then the KPI lines at the top, c.")


class TestGoto:
    async def test_key_result_opens_its_drill_down_on_it(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("g")
            await pilot.pause()
            assert isinstance(app.screen, GotoDialog)
            assert focused_id(app) == "goto-input"
            await pilot.press(*"KR-28", "enter")
            assert await until(pilot, lambda: isinstance(app.screen, DrillScreen) and cursor(app) == "KR-28")
            assert app.screen.code == "F1"
            assert text(app.screen.query_one("#detail-text")).startswith("KR-28 New ARR booked")
            assert text(app.screen.query_one("#breadcrumb")) == \
                "Scorecard \u203a Financial \u203a F1 \u203a O-9 \u203a KR-28 New ARR booked"

    async def test_strategic_code_opens_its_drill_down(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await goto(pilot, "F3")
            assert isinstance(app.screen, DrillScreen) and app.screen.code == "F3"
            assert cursor(app) == "F3"
            assert label(app, "F3").startswith("F3 Keep cash runway healthy")
            # Its measures (KPIs), then its OKRs.
            assert [n.data for n in tree(app).root.children] == \
                ["measure:Days sales outstanding", "measure:Months of runway", "O-18"]

    async def test_unknown_ref_keeps_the_dialog_open_with_a_reason(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("g", *"nope", "enter")
            await pilot.pause()
            assert isinstance(app.screen, GotoDialog)
            assert text(app.screen.query_one("#goto-error")) == \
                "no key result, objective or strategic objective 'nope'"
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ScorecardScreen)
            assert focused_id(app) == "list-financial"

    async def test_map_keys_are_typed_into_the_field(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("g", "q", "h", "g", "[")
            await pilot.pause()
            assert isinstance(app.screen, GotoDialog) and app.is_running
            assert app.screen.query_one("#goto-input", Input).value == "qhg["


class TestDrillDown:
    async def test_enter_drills_down_and_escape_returns_to_the_same_objective(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("down")  # F1 -> F2
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, DrillScreen) and app.screen.code == "F2"
            assert text(app.screen.query_one("#breadcrumb")) == "Scorecard \u203a Financial \u203a F2"
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ScorecardScreen)
            assert focused_id(app) == "list-financial"
            assert app.focused.highlighted_id == "F2"

    async def test_enter_on_f1_shows_its_tree(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            assert cursor(app) == "F1"
            root = tree(app).root
            assert [n.data for n in root.children] == \
                ["measure:Annual recurring revenue", "measure:Net revenue retention", "O-9"]
            assert [n.data for n in root.children[2].children] == ["KR-28", "KR-29", "KR-30", "KR-31"]
            assert label(app, "F1") == "F1 Grow annual recurring revenue  \u25b2 0.44 yellow"
            assert label(app, "O-9") == "O-9 \u25b2 0.44 Grow new mid-market ARR  sales"
            assert label(app, "KR-28") == "KR-28 \u25b2 0.46 \u2714 on-track  New ARR booked"

    async def test_detail_of_a_key_result(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_kr28(pilot)
            assert cursor(app) == "KR-28"
            detail = text(app.screen.query_one("#detail-text"))
            assert "Score \u25b2 0.46 yellow \u00b7 pace on-pace \u00b7 confidence \u2714 on-track" in detail
            assert "start 0 $k \u00b7 target 1500 $k \u00b7 current 690 $k" in detail
            assert "Check-ins (6, newest first)" in text(app.screen.query_one("#detail-history"))
            history = " ".join(line.strip() for line in app.screen.query_one(HistoryList).lines_text())
            assert "2026-11-19 09:55  marco  690  \u2714 on-track" in history
            assert "690k booked; two six-figure deals in legal review." in history


class TestOpenKeyResult:
    async def test_enter_opens_a_key_results_detail_and_escape_returns_to_the_tree(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_kr28(pilot)
            await pilot.press("enter")
            assert app.focused is app.screen.query_one("#detail")
            await pilot.press("escape")
            assert isinstance(app.screen, DrillScreen)
            assert isinstance(app.focused, Tree) and cursor(app) == "KR-28"
            await pilot.press("escape")
            assert isinstance(app.screen, ScorecardScreen)


class TestFocusAndMovement:
    async def test_tab_and_shift_tab_move_between_panes(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            seen = [focused_id(app)]
            for _ in range(6):
                await pilot.press("tab")
                seen.append(focused_id(app))
            # The header is in the cycle too: there `n` makes a cycle (§5).
            assert seen == ["list-financial", "list-customer", "list-internal_process", "list-learning_growth",
                            "unaligned", "header", "list-financial"]
            back = []
            for _ in range(4):
                await pilot.press("shift+tab")
                back.append(focused_id(app))
            assert back == ["header", "unaligned", "list-learning_growth", "list-internal_process"]
            assert app.screen.query_one("#pane-internal_process").has_focus_within

    async def test_arrows_and_j_k_move_in_a_pane_list(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("tab", "tab")  # Internal Process
            assert app.focused.highlighted_id == "P1"
            moves = []
            for key in ["j", "down", "j", "k", "up"]:
                await pilot.press(key)
                moves.append(app.focused.highlighted_id)
            assert moves == ["P2", "P3", "P4", "P3", "P2"]

    async def test_arrows_and_j_k_move_in_the_tree(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter", *PAST_F1_MEASURES)
            await pilot.pause()
            moves = []
            for key in ["down", "down", "j", "j", "k", "up"]:
                await pilot.press(key)
                moves.append(cursor(app))
            assert moves == ["O-9", "KR-28", "KR-29", "KR-30", "KR-29", "KR-28"]
            assert text(app.screen.query_one("#detail-text")).startswith("KR-28 New ARR booked")


class TestCycles:
    async def test_brackets_step_through_cycles(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("left_square_bracket")
            await pilot.pause()
            assert header(app) == "Northwind Analytics \u00b7 2026-Q3 closed \u00b7 100% elapsed \u00b7 Overall \u25cf 0.72 green"
            # The panes are rescored: in 2026-Q3 only F2 has an OKR (O-5, both key results done).
            assert title_of(pane(app, "financial")).strip() == "Financial \u25cf 1.00 green"
            assert "\u25cf 1.00" in row(app, "financial", "F2")
            assert "\u00b7 \u2014" in row(app, "financial", "F1")
            assert focused_id(app) == "list-financial" and app.focused.highlighted_id == "F1"
            await pilot.press("left_square_bracket")
            await pilot.pause()
            assert "2026-Q2 closed" in header(app)
            await pilot.press("left_square_bracket")  # the first cycle: says so and stays
            await pilot.pause()
            assert "2026-Q2 closed" in header(app)
            assert messages(app)[-1] == "No earlier cycle"
            await pilot.press("right_square_bracket", "right_square_bracket")
            await pilot.pause()
            assert header(app) == "Northwind Analytics \u00b7 2026-Q4 \u00b7 54% elapsed \u00b7 Overall \u25b2 0.54 yellow"
            await pilot.press("right_square_bracket")  # the last cycle
            await pilot.pause()
            assert "2026-Q4" in header(app)
            assert messages(app)[-1] == "No later cycle"
            assert isinstance(app.screen, ScorecardScreen)


class TestFilter:
    async def test_slash_filters_and_escape_clears(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("slash")
            await pilot.pause()
            assert focused_id(app) == "filter"
            await pilot.press(*"cash")  # its "h" is typed, it does not open the hints
            await pilot.pause()
            assert isinstance(app.screen, ScorecardScreen)
            assert app.screen.query_one("#filter", Input).value == "cash"
            assert [r[:2] for r in rows(app, "financial")] == ["F3"]
            for key in ["customer", "internal_process", "learning_growth"]:
                assert rows(app, key) == ["(nothing matches)"]
            assert not app.screen.query_one("#unaligned").display
            await pilot.press("escape")
            await pilot.pause()
            assert not app.screen.query_one("#filter").display
            assert [r[:2] for r in rows(app, "financial")] == ["F1", "F2", "F3"]
            assert len(rows(app, "internal_process")) == 7
            assert app.screen.query_one("#unaligned").display
            assert isinstance(app.screen, ScorecardScreen) and app.is_running

    async def test_filter_by_owner_keeps_unaligned_objectives(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("slash", *"platform")  # O-17's owner
            await pilot.pause()
            unaligned = app.screen.query_one("#unaligned", NavList)
            assert unaligned.display
            assert [o.id for o in unaligned.options] == ["O-17"]


    async def test_drill_down_filter(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter", "slash", *"reference")  # its "c" and "e" are typed
            await pilot.pause()
            assert isinstance(app.screen, DrillScreen)
            assert [(n.data, [c.data for c in n.children]) for n in tree(app).root.children] == [("O-9", ["KR-31"])]
            await pilot.press("escape")
            await pilot.pause()
            assert not app.screen.query_one("#filter").display
            assert [c.data for c in tree(app).root.children[-1].children] == ["KR-28", "KR-29", "KR-30", "KR-31"]
            assert isinstance(app.screen, DrillScreen)


class TestHints:
    async def test_hints_list(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("h")
            await pilot.pause()
            assert isinstance(app.screen, HintsScreen)
            hints = [" ".join(str(o.prompt).split()) for o in app.screen.query_one("#hints", NavList).options]
            assert ('orphan (strategy without OKRs) L1 Strategic objective L1 "Grow skills and keep our best people" '
                    'has no OKR in cycle 2026-Q4') in hints
            assert ('unaligned (OKR without strategy) O-17 O-17 "Pay down build & CI tech debt" '
                    'is not aligned to any strategic objective') in hints
            assert 'stale (no recent check-in) KR-48 KR-48 "Publish the data catalogue" has had no check-in for 23 days' in hints
            assert any(h.startswith("crowded (strategic objectives per perspective) Internal Process The Internal")
                       for h in hints)
            assert any(h.startswith("sandbagging (targets too easy) finance finance") for h in hints)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ScorecardScreen)

    async def test_enter_on_the_unaligned_hint_opens_o17(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("h")
            await pilot.pause()
            index = next(i for i, h in enumerate(app.board.hints) if h.kind == "unaligned")
            await pilot.press(*["down"] * index)
            await pilot.press("enter")
            assert await until(pilot, lambda: isinstance(app.screen, DrillScreen) and cursor(app) == "O-17")
            assert app.screen.code is None
            assert label(app, "O-17").startswith("O-17 \u2716 0.28 Pay down build & CI tech debt")
            assert text(app.screen.query_one("#breadcrumb")).startswith("Scorecard \u203a Unaligned objectives \u203a O-17")

    async def test_enter_on_a_stale_hint_opens_the_key_result(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("h")
            await pilot.pause()
            index = next(i for i, h in enumerate(app.board.hints) if h.ref == "KR-48")
            last = len(app.board.hints) - 1
            await pilot.press("end", *["up"] * (last - index), "enter")  # fewer keys from the end
            assert await until(pilot, lambda: isinstance(app.screen, DrillScreen) and cursor(app) == "KR-48")
            assert app.screen.code == "P4"


def cycle_rows(app: OkrApp) -> list[str]:
    """The strategic thread's row of each cycle (not the lines of measures under them)."""
    lines = text(app.screen.query_one("#thread")).splitlines()
    return [line for line in lines if " \u2013 " in line]  # a cycle's row has its dates, start – end


class TestThread:
    async def test_t_on_f1_lists_every_cycle_oldest_first(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("t")
            await pilot.pause()
            assert isinstance(app.screen, ThreadScreen)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert text(app.screen.query_one("#breadcrumb")) == "Strategic thread F1 Grow annual recurring revenue"
            lines = cycle_rows(app)
            assert [line.split()[0 if not line.startswith("\u25b8") else 1] for line in lines] == \
                ["2026-Q2", "2026-Q3", "2026-Q4"]
            assert "\u00b7 \u2014" in lines[0] and "0 OKRs" in lines[0]  # F1 had no OKR in Q2 and Q3
            assert "\u00b7 \u2014" in lines[1]
            assert lines[2].startswith("\u25b8 2026-Q4") and "\u25b2 0.44 yellow" in lines[2] and "1 OKR" in lines[2]
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ScorecardScreen)

    async def test_thread_of_f3_scores_each_cycle(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("j", "j", "t")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            lines = cycle_rows(app)
            assert "2026-Q2" in lines[0] and "\u25cf 1.00 green" in lines[0]
            assert "2026-Q3" in lines[1] and "\u00b7 \u2014" in lines[1]
            assert "2026-Q4" in lines[2] and "\u25cf 0.72 green" in lines[2]


class TestCommandPalette:
    async def test_ctrl_p_hints(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("ctrl+p")
            await pilot.pause()
            assert isinstance(app.screen, CommandPalette)
            await pilot.press(*"Hints")
            assert await until(pilot, lambda: app.screen.query_one(CommandList).option_count > 0)
            await pilot.press("enter")
            assert await until(pilot, lambda: isinstance(app.screen, HintsScreen))


    async def test_every_action_is_there_by_name(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            names = {command.title for command in app.get_system_commands(app.screen)}
            for name in ["Go to", "Help", "Hints", "Previous cycle", "Next cycle", "Filter", "Thread", "Quit"]:
                assert name in names, name
            await pilot.press("enter")
            await pilot.pause()
            names = {command.title for command in app.get_system_commands(app.screen)}
            assert {"Back", "Filter", "Thread", "Go to", "New", "Edit", "Delete"} <= names
            assert "Check in" not in names and "Align" not in names  # not on the strategic objective's row
            await pilot.press("down")  # Annual recurring revenue, a measure
            await pilot.pause()
            names = {command.title for command in app.get_system_commands(app.screen)}
            assert "Reading" in names and "Check in" not in names and "Align" not in names
            await pilot.press("down", "down")  # O-9
            await pilot.pause()
            names = {command.title for command in app.get_system_commands(app.screen)}
            assert {"Align", "Move objective"} <= names and "Reading" not in names
            await pilot.press("down")  # KR-28
            await pilot.pause()
            names = {command.title for command in app.get_system_commands(app.screen)}
            assert "Check in" in names and "Align" not in names


# ---------------------------------------------------------------- the check-in dialog


class TestCheckinDialog:
    async def test_opens_empty_focused_with_the_current_value_as_placeholder(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_kr28(pilot)
            await pilot.press("c")
            await pilot.pause()
            assert isinstance(app.screen, CheckinDialog)
            value = app.screen.query_one("#value", Input)
            assert app.focused is value
            assert value.value == ""
            assert value.placeholder == "690"
            assert app.screen.query_one(ChoicePicker).value == "on-track"
            assert app.screen.query_one("#note", Input).value == ""
            assert text(app.screen.query_one("#checkin-title")) == "Check in KR-28 \u00b7 New ARR booked"

    async def test_confidence_starts_at_the_key_results_confidence(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter", *PAST_F1_MEASURES, "down", "down", "down")  # F1 > O-9 > KR-28 > KR-29
            assert cursor(app) == "KR-29"
            await pilot.press("c")
            await pilot.pause()
            assert app.screen.query_one(ChoicePicker).value == "at-risk"
            assert app.screen.query_one("#value", Input).placeholder == "21"

    async def test_900_enter_saves_and_ripples_everywhere(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_kr28(pilot)
            assert label(app, "KR-28").startswith(f"KR-28 \u25b2 {BEFORE['KR-28']}")
            assert label(app, "O-9").startswith(f"O-9 \u25b2 {BEFORE['O-9']}")
            assert label(app, "F1").endswith(f"\u25b2 {BEFORE['F1']} yellow")
            assert header(app).endswith(f"Overall \u25b2 {BEFORE['Overall']} yellow")
            await pilot.press("c", "9", "0", "0", "enter")
            await saved(app, pilot)
            assert isinstance(app.screen, DrillScreen)

            kr = find_kr(export_doc(sample_store), "KR-28")
            assert kr["current"] == 900 and kr["confidence"] == "on-track"
            last = kr["checkins"][-1]
            assert (last["value"], last["author"], last["confidence"], last["note"]) == (900, "tester", "on-track", "")
            assert len(kr["checkins"]) == 7

            # The notification is the ripple, with the numbers worked out by hand above.
            note = [n for n in app._notifications if n.title == "Checked in"]
            assert [n.message for n in note] == [RIPPLE_900]

            # Every number on screen that depends on KR-28 changed, and the cursor stayed.
            assert cursor(app) == "KR-28"
            assert label(app, "KR-28") == "KR-28 \u25b2 0.60 \u2714 on-track  New ARR booked"
            assert label(app, "O-9") == "O-9 \u25b2 0.49 Grow new mid-market ARR  sales"
            assert label(app, "F1") == "F1 Grow annual recurring revenue  \u25b2 0.49 yellow"
            assert label(app, "KR-29").startswith("KR-29 \u25b2 0.43")  # unchanged
            assert header(app).endswith("Overall \u25b2 0.55 yellow")
            detail = text(app.screen.query_one("#detail-text"))
            assert "Score \u25b2 0.60 yellow" in detail and "current 900 $k" in detail
            assert "Check-ins (7, newest first)" in text(app.screen.query_one("#detail-history"))
            assert "  tester  900  \u2714 on-track" in app.screen.query_one(HistoryList).lines_text()[0]

            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ScorecardScreen)
            # Financial was BEFORE["Financial"] (0.58) when the app opened.
            assert title_of(pane(app, "financial")).strip() == "Financial \u25b2 0.61 yellow"
            assert " 61% " in text(app.screen.query_one("#bar-financial"))
            f1 = row(app, "financial", "F1")
            assert "\u25b2 0.49" in f1 and f1.endswith(" 1")
            assert "\u25cf 0.72" in row(app, "financial", "F3")
            assert header(app).endswith("Overall \u25b2 0.55 yellow")
            assert focused_id(app) == "list-financial" and app.focused.highlighted_id == "F1"

    async def test_tab_2_records_at_risk(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_kr28(pilot)
            await pilot.press("c", "9", "0", "0", "tab")
            assert isinstance(app.focused, ChoicePicker)
            await pilot.press("2")
            assert app.focused.value == "at-risk"
            await pilot.press("enter")
            await saved(app, pilot)
            kr = find_kr(export_doc(sample_store), "KR-28")
            assert (kr["checkins"][-1]["value"], kr["checkins"][-1]["confidence"]) == (900, "at-risk")
            assert kr["confidence"] == "at-risk"
            assert label(app, "KR-28") == "KR-28 \u25b2 0.60 ! at-risk   New ARR booked"

    async def test_g_kr_enter_c_value_enter_keeps_the_current_confidence(self, sample_store):
        # §5's example, on KR-29 (at risk): `g KR-29 enter c 22 enter` records 22 at risk.
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await goto(pilot, "KR-29")  # g K R - 2 9 enter
            await pilot.press("c", "2", "2", "enter")
            await saved(app, pilot)
            last = find_kr(export_doc(sample_store), "KR-29")["checkins"][-1]
            assert (last["value"], last["confidence"], last["author"]) == (22, "at-risk", "tester")
            # KR-29 = (22 - 18) / (25 - 18) = 0.57
            assert messages(app)[-1].startswith("KR-29 0.43 \u2192 0.57 \u00b7 O-9 0.44 \u2192 ")

    async def test_empty_value_keeps_the_current_value_with_new_confidence_and_note(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_kr28(pilot)
            await pilot.press("c", "tab", "3", "tab")
            assert focused_id(app) == "note"
            await pilot.press(*"slipped", "enter")
            await saved(app, pilot)
            assert isinstance(app.screen, DrillScreen)
            kr = find_kr(export_doc(sample_store), "KR-28")
            last = kr["checkins"][-1]
            assert (last["value"], last["confidence"], last["note"], last["author"]) == \
                (690, "off-track", "slipped", "tester")
            assert kr["current"] == 690 and kr["confidence"] == "off-track"
            assert label(app, "KR-28") == "KR-28 \u25b2 0.46 \u2716 off-track New ARR booked"
            history = app.screen.query_one(HistoryList).lines_text()
            assert "  tester  690  \u2716 off-track" in history[0] and history[1].strip() == "slipped"

    async def test_bad_value_shows_a_reason_and_saves_nothing(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_kr28(pilot)
            await pilot.press("c", *"12abc")
            await pilot.pause()
            reason = text(app.screen.query_one("#value-error"))
            assert "12abc" in reason  # said as you type, beside the field
            await pilot.press("enter")
            await saved(app, pilot)
            assert isinstance(app.screen, CheckinDialog)
            assert text(app.screen.query_one("#value-error")) == reason
            assert focused_id(app) == "value" and app.focused.value == "12abc"
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, DrillScreen)
        assert snapshot_bytes(sample_store) == before

    async def test_escape_cancels_without_saving(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_kr28(pilot)
            await pilot.press("c", "9", "0", "0", "tab", "2", "escape")
            await saved(app, pilot)
            assert isinstance(app.screen, DrillScreen)
            assert label(app, "KR-28") == "KR-28 \u25b2 0.46 \u2714 on-track  New ARR booked"
            assert not [n for n in app._notifications if n.title == "Checked in"]
        assert snapshot_bytes(sample_store) == before

    async def test_milestone_done(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await goto(pilot, "KR-50")
            assert isinstance(app.screen, DrillScreen) and app.screen.code == "P4"
            assert cursor(app) == "KR-50"
            await pilot.press("c")
            await pilot.pause()
            assert app.screen.query_one("#value", Input).placeholder == "done"  # KR-50 is done
            await pilot.press(*"done", "enter")
            await saved(app, pilot)
            last = find_kr(export_doc(sample_store), "KR-50")["checkins"][-1]
            assert (last["value"], last["author"]) == (1, "tester")

    async def test_milestone_not_done_to_done_ripples(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await goto(pilot, "KR-48")
            await pilot.press("c")
            await pilot.pause()
            assert app.screen.query_one("#value", Input).placeholder == "not done"
            await pilot.press(*"done", "enter")
            await saved(app, pilot)
            kr = find_kr(export_doc(sample_store), "KR-48")
            assert kr["current"] == 1 and kr["checkins"][-1]["value"] == 1
            assert messages(app)[-1] == RIPPLE_KR48_DONE
            assert label(app, "KR-48").startswith("KR-48 \u25cf 1.00 ")

    async def test_q_is_typed_into_the_value_field(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_kr28(pilot)
            await pilot.press("c", "q", "h", "question_mark", "[", "/", "c")
            await pilot.pause()
            assert app.is_running
            assert isinstance(app.screen, CheckinDialog)
            assert app.screen.query_one("#value", Input).value == "qh?[/c"
            await pilot.press("tab", "tab", "q")  # the note field takes them too
            assert focused_id(app) == "note"
            assert app.screen.query_one("#note", Input).value == "q"
            assert app.is_running and isinstance(app.screen, CheckinDialog)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, DrillScreen) and app.is_running
        assert snapshot_bytes(sample_store) == before

    async def test_closed_cycle_takes_no_check_in(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("left_square_bracket")
            await pilot.pause()
            await pilot.press("j", "enter")  # F2, which has O-5 in 2026-Q3
            await pilot.pause()
            await pilot.press("down", "down", "down", "down")  # past F2's two measures, O-5, KR-14
            assert cursor(app) == "KR-14"
            await pilot.press("c")
            await pilot.pause()
            assert isinstance(app.screen, DrillScreen)
            assert messages(app)[-1] == "Cycle 2026-Q3 is closed: it takes no more check-ins"
        assert snapshot_bytes(sample_store) == before

    async def test_c_on_an_objective_opens_nothing(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter", *PAST_F1_MEASURES, "down", "c")  # O-9
            await pilot.pause()
            assert isinstance(app.screen, DrillScreen)
            assert messages(app)[-1] == "Move to a key result to check in"


# ---------------------------------------------------------------- another writer


class TestReadOnly:
    async def test_a_read_only_store_says_so_and_takes_no_check_in(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = OkrApp(Store(sample_store, read_only=True), as_of=AS_OF_DATE, user="tester")
        async with app.run_test(size=SIZE) as pilot:
            assert "read-only" in text(app.screen.query_one("#header"))
            await to_kr28(pilot)
            await pilot.press("c")
            await pilot.pause()
            assert not isinstance(app.screen, CheckinDialog)
            assert any("read-only" in message for message in messages(app))
        assert snapshot_bytes(sample_store) == before


class TestSaveSurvivesQuitting:
    async def test_a_check_in_saved_just_before_quitting_reaches_the_store(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_kr28(pilot)
            await pilot.press("c", "7", "7", "7", "enter", "q")
        # The write was queued when enter was pressed; quitting waits for it.
        kr = find_kr(export_doc(sample_store), "KR-28")
        assert kr["current"] == 777
        assert kr["checkins"][-1]["value"] == 777


class TestLiveRefresh:
    async def test_another_writers_check_in_shows_without_restart(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter", *PAST_F1_MEASURES, "down", "down", "down")  # F1 > O-9 > KR-28 > KR-29
            assert cursor(app) == "KR-29"
            code = okrtui.cli.main(["checkin", "KR-28", "1200", "--at", "2026-11-20T12:00:00Z",
                                    "--store", str(sample_store)])
            assert code == 0
            # KR-28 = 1200/1500 = 0.80; O-9 = (2 * 0.80 + 0.4286 + 0.50 + 0.3333) / 5 = 0.5724 -> 0.57;
            # F1 = 0.57; Financial = (0.5724 + 0.7214) / 2 = 0.6469 -> 0.65;
            # Overall = (0.6469 + 0.2708 + 0.7753) / 3 = 0.5643 -> 0.56
            assert await until(pilot, lambda: "\u25cf 0.80" in label(app, "KR-28"),
                               seconds=WATCH_SECONDS + 2, step=0.5)
            assert label(app, "O-9").startswith("O-9 \u25b2 0.57")
            assert label(app, "F1") == "F1 Grow annual recurring revenue  \u25b2 0.57 yellow"
            assert header(app).endswith("Overall \u25b2 0.56 yellow")
            assert cursor(app) == "KR-29"
            assert text(app.screen.query_one("#detail-text")).startswith("KR-29 ")
            await pilot.press("escape")
            await pilot.pause()
            assert title_of(pane(app, "financial")).strip() == "Financial \u25b2 0.65 yellow"
            assert "\u25b2 0.57" in row(app, "financial", "F1")


# ---------------------------------------------------------------- first run


class TestFirstRun:
    async def test_missing_store_shows_how_to_start(self, store_path):
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, FirstRunScreen)
            content = text(app.screen.query_one("#first-run-text"))
            assert "okrtui import" in content and "okrtui demo" in content
            assert str(store_path) in content
            # ... and the terminal shows it (not only the widget holding it).
            shown = screen_text(app)
            assert "Welcome to okrtui" in shown
            assert "okrtui import FILE" in shown
            assert "okrtui demo" in shown

    async def test_q_quits_and_nothing_is_created(self, store_path, environment):
        assert not store_path.exists()
        before = sorted(p.relative_to(environment) for p in environment.rglob("*"))
        app = make_app(store_path)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, FirstRunScreen)
            await pilot.press("q")
            await pilot.pause()
            assert not app.is_running
        assert app.return_code == 0
        assert not store_path.parent.exists()
        assert sorted(p.relative_to(environment) for p in environment.rglob("*")) == before


# ---------------------------------------------------------------- user text is literal


MARKUP_TITLE = "Cut cost [/b] 50% [bold]x"
MARKUP_NOTE = "see [link=http://x]y and [red]z[/red]"


@pytest.fixture
def markup_store(tmp_path, store_path, run) -> Path:
    doc = {
        "format": "okrtui/1",
        "organization": "Acme [b]Ltd",
        "strategy": [{"code": "F1", "title": MARKUP_TITLE, "perspective": "financial", "owner": "[i]cfo"}],
        "cycles": [{
            "id": "2026-Q4", "start": "2026-10-01", "end": "2026-12-31",
            "objectives": [{
                "title": "Spend [dim]less", "owner": "ops", "aligned_to": "F1",
                "key_results": [{
                    "title": "Cloud [on red]bill", "start": 100, "target": 50, "current": 80, "unit": "$k",
                    "checkins": [{"at": "2026-11-10T10:00:00Z", "author": "ana", "value": 80,
                                  "confidence": "on-track", "note": MARKUP_NOTE}],
                }],
            }],
        }],
    }
    path = tmp_path / "markup.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = run("import", path)
    assert result.code == 0, result
    return store_path


class TestUserTextIsLiteral:
    async def test_titles_and_notes_show_as_typed(self, markup_store):
        app = make_app(markup_store)
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause()
            assert header(app).startswith("Acme [b]Ltd \u00b7 2026-Q4")
            f1 = row(app, "financial", "F1")
            assert MARKUP_TITLE in f1
            assert MARKUP_TITLE in screen_text(app)

            await pilot.press("enter")
            await pilot.pause()
            assert label(app, "F1").startswith(f"F1 {MARKUP_TITLE}  ")
            detail = text(app.screen.query_one("#detail-text"))
            assert f"\nF1 {MARKUP_TITLE}\n" in detail and "Owner [i]cfo" in detail
            objective = tree(app).root.children[0].data
            kr = tree(app).root.children[0].children[0].data
            assert "Spend [dim]less" in label(app, objective)
            assert "Cloud [on red]bill" in label(app, kr)

            await pilot.press("down", "down")
            await pilot.pause()
            await app.workers.wait_for_complete()  # the history is read in a worker
            await pilot.pause()
            assert cursor(app) == kr
            assert text(app.screen.query_one("#detail-text")).startswith(f"{kr} Cloud [on red]bill")
            history = " ".join(line.strip() for line in app.screen.query_one(HistoryList).lines_text())
            assert MARKUP_NOTE in history
            assert text(app.screen.query_one("#breadcrumb")).endswith(f"{kr} Cloud [on red]bill")
            shown = screen_text(app)
            assert "Cloud [on red]bill" in shown and "[link=http://x]y" in shown

            # A check-in on it: the dialog title and the ripple stay literal too.
            await pilot.press("c")
            await pilot.pause()
            assert text(app.screen.query_one("#checkin-title")) == f"Check in {kr} \u00b7 Cloud [on red]bill"
            await pilot.press("7", "0", "tab", "tab", *"[b]ok", "enter")
            await saved(app, pilot)
            assert "[b]ok" in " ".join(app.screen.query_one(HistoryList).lines_text())
            assert app.is_running and isinstance(app.screen, DrillScreen)


# ---------------------------------------------------------------- a small terminal


class TestNarrowTerminal:
    async def test_80_by_24_shows_the_four_panes_and_the_balance_bar(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            shown = screen_text(app)
            lines = shown.splitlines()
            assert len(lines) == 24
            for title in ["Financial \u25b2 0.58 yellow", "Customer \u2716 0.27 red",
                          "Internal Process \u25cf 0.78 green", "Learning & Growth \u00b7 \u2014"]:
                assert title in shown, title
            assert "Balance  Fin 22% \u00b7 Cust 22% \u00b7 Proc 56% \u00b7 L&G 0%   index 0.72" in shown
            assert "\u26a0 No aligned OKR serves the Learning & Growth perspective" in shown
            assert "Overall \u25b2 0.54 yellow" in lines[0]
            for key in ["financial", "customer", "internal_process", "learning_growth"]:
                region = pane(app, key).region
                assert region.height >= 4 and region.bottom <= 24, key
