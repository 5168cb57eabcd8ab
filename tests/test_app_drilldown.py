"""The drill-down (§5): the detail pane scrolls a key result's whole history, the `/`
filter keeps the cursor on its item, and key result rows keep their ref, score and
confidence at 80×24 and at 120×40.

What is asserted is what the widgets show: tree labels, and the composed screen as
the terminal would get it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from okrtui.app.widgets.history import DetailPane, HistoryList

from test_app import DrillScreen, cursor, label, make_app, screen_text, tree, until

START = dt.datetime(2026, 10, 2, 9, 0, tzinfo=dt.timezone.utc)


def _moment(at: dt.datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def _history(count: int, long_every: int = 0) -> list[dict]:
    """`count` check-ins, oldest first but for the last one, which is back-dated between #3 and #4.

    Each note names its check-in ("note 07 ..."); with `long_every`, every so many notes run
    over several lines. The newest (by time) is 690 on track, so KR-28 scores as in the sample.
    """
    minutes = int((dt.datetime(2026, 11, 19, 9, 55, tzinfo=dt.timezone.utc) - START).total_seconds() // 60)

    def at(position: float) -> str:  # whole minutes, from START (#1) to the newest (#count-1)
        return _moment(START + dt.timedelta(minutes=int(minutes * position / max(count - 2, 1))))

    rows = []
    for index in range(count - 1):
        note = f"note {index + 1:02d} ok"
        if long_every and index % long_every == 0:
            note += " and then" + " a long run of words that wraps" * 6 + f" end{index + 1:02d}"
        rows.append({"at": at(index), "author": "ana",
                     "value": 690 if index == count - 2 else 10 + index,
                     "confidence": "on-track" if index == count - 2 else "at-risk", "note": note})
    rows.append({"at": at(2.5), "author": "bo", "value": 5, "confidence": "blocked",
                 "note": f"note {count:02d} back-dated"})
    return rows


@pytest.fixture
def kr28_history(store_path: Path, sample_doc: dict, tmp_path: Path, run):
    """The sample with KR-28's history replaced: returns a function taking the number of check-ins."""

    def make(count: int, long_every: int = 0) -> list[dict]:
        rows = _history(count, long_every)
        for cycle in sample_doc["cycles"]:
            for objective in cycle["objectives"]:
                for kr in objective["key_results"]:
                    if kr["ref"] == "KR-28":
                        kr["checkins"] = rows
                        kr["current"], kr["confidence"] = 690, "on-track"
        source = tmp_path / "company.json"
        source.write_text(json.dumps(sample_doc), encoding="utf-8")
        result = run("import", source)
        assert result.code == 0, result
        return rows

    return make


async def to_kr28(pilot) -> None:
    """Scorecard (cursor on F1) → F1's drill-down → past its two measures → O-9 → KR-28, its history read."""
    app = pilot.app
    await pilot.press("enter", "down", "down", "down", "down")
    await app.workers.wait_for_complete()
    await pilot.pause()
    history = app.screen.query_one(HistoryList)
    assert await until(pilot, lambda: cursor(app) == "KR-28" and history.checkin_count > 0)


async def settle(pilot) -> None:
    """Let layouts and repaints that follow a key (the history's real height) land."""
    history = pilot.app.screen.query_one(HistoryList)
    await pilot.pause()
    assert await until(pilot, lambda: history.settled)
    await pilot.pause()


def shown_notes(text: str) -> list[str]:
    """The check-in numbers of the notes on screen, top to bottom."""
    found = []
    for line in text.splitlines():
        at = line.find("note ")
        if at != -1:
            found.append(line[at + 5:at + 7])
    return found


# ---------------------------------------------------------------- the whole history


class TestWholeHistory:
    @pytest.mark.parametrize("size", [(80, 24), (120, 40)])
    async def test_paging_to_the_end_shows_every_check_in_once_newest_first(self, kr28_history, store_path, size):
        kr28_history(40)
        app = make_app(store_path)
        async with app.run_test(size=size) as pilot:
            await to_kr28(pilot)
            await pilot.press("enter")  # the detail pane takes the keys
            pane = app.screen.query_one(DetailPane)
            assert app.focused is pane
            await settle(pilot)
            heading = str(app.screen.query_one("#detail-history").visual)
            assert "Check-ins (40, newest first)" in heading

            seen, screens = [], [screen_text(app)]
            while pane.scroll_y < pane.max_scroll_y:
                before = pane.scroll_y
                await pilot.press("pagedown")
                assert await until(pilot, lambda: pane.scroll_y != before)
                await settle(pilot)
                screens.append(screen_text(app))
            for text in screens:
                for number in shown_notes(text):
                    if number not in seen:
                        seen.append(number)

            # Newest by time first; the back-dated #40 sits between #4 and #3, where its date puts it.
            expected = [f"{n:02d}" for n in range(39, 3, -1)] + ["40", "03", "02", "01"]
            assert seen == expected
            assert "earlier check-ins" not in "".join(screens)
            # The oldest is on the last screen, with its date.
            assert "note 01 ok" in screens[-1] and "2026-10-02 09:00  ana  10" in screens[-1]

            await pilot.press("escape")
            assert isinstance(app.screen, DrillScreen) and cursor(app) == "KR-28"
            assert app.focused is tree(app)

    async def test_end_reaches_the_oldest_and_home_the_top(self, kr28_history, store_path):
        kr28_history(40, long_every=5)
        app = make_app(store_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await to_kr28(pilot)
            await pilot.press("enter", "end")
            await settle(pilot)
            pane = app.screen.query_one(DetailPane)
            assert pane.scroll_y == pane.max_scroll_y > 0
            shown = screen_text(app)
            assert "2026-10-02 09:00  ana  10  ! at-risk" in shown
            # A long note wraps under its check-in, indented, and ends on screen.
            assert "    note 01 ok and then a long run" in shown and "end01" in shown
            await pilot.press("home")
            await settle(pilot)
            assert pane.scroll_y == 0
            assert "KR-28 New ARR booked" in screen_text(app)

    async def test_a_thousand_check_ins_are_wrapped_only_as_far_as_scrolled(self, kr28_history, store_path):
        kr28_history(1000)
        app = make_app(store_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await to_kr28(pilot)
            await settle(pilot)
            history = app.screen.query_one(HistoryList)
            assert history.checkin_count == 1000
            # On screen is the newest; a screenful and a margin are wrapped, not the thousand.
            assert "note 999" in screen_text(app)
            assert history.wrapped_count < 200
            sparkline = app.screen.query_one("#sparkline")
            assert len(sparkline.data) == 1000  # the sparkline keeps the whole series

            await pilot.press("enter", "end")
            await settle(pilot)
            assert history.wrapped_count == 1000
            assert "note 01 ok" in screen_text(app)


# ---------------------------------------------------------------- the filter keeps the cursor


def o9(app):
    """O-9's node in F1's drill-down (below F1's measures, when the filter keeps them)."""
    return next(n for n in tree(app).root.children if n.data == "O-9")


class TestFilterKeepsTheCursor:
    async def test_a_matching_key_result_keeps_the_cursor_through_edits_and_escape(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=(100, 34)) as pilot:
            await to_kr28(pilot)

            def krs() -> list[str]:
                return [c.data for c in o9(app).children]

            await pilot.press("slash")
            shapes = []
            for key in "new":  # "n", "ne", "new": each a different tree, KR-28 in all
                await pilot.press(key)
                await pilot.pause()
                shapes.append(krs())
                assert cursor(app) == "KR-28", key
                assert str(app.screen.query_one("#detail-text").visual).startswith("KR-28 New ARR booked")
            assert shapes[-1] == ["KR-28"] and len({tuple(s) for s in shapes}) > 1

            await pilot.press("x")  # "newx" matches nothing
            await pilot.pause()
            assert list(tree(app).root.children) == []
            await pilot.press("backspace")  # "new" again: the cursor comes back to KR-28
            await pilot.pause()
            assert cursor(app) == "KR-28"

            await pilot.press("escape")  # clears the filter
            await pilot.pause()
            assert not app.screen.query_one("#filter").display
            assert krs() == ["KR-28", "KR-29", "KR-30", "KR-31"]
            assert cursor(app) == "KR-28"
            assert app.focused is tree(app)

    async def test_enter_keeps_the_filter_and_the_cursor(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=(100, 34)) as pilot:
            await to_kr28(pilot)
            await pilot.press("down")  # KR-29 "Win rate on qualified mid-market deals"
            await pilot.pause()
            await pilot.press("slash", *"deal", "enter")
            await pilot.pause()
            assert [c.data for c in o9(app).children] == ["KR-29"]
            assert cursor(app) == "KR-29" and app.focused is tree(app)

    async def test_a_key_result_filtered_out_leaves_the_cursor_on_its_objective_then_comes_back(
            self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=(100, 34)) as pilot:
            await to_kr28(pilot)
            await pilot.press("slash", *"pipe")  # KR-30 "Pipeline coverage…" matches, KR-28 does not
            await pilot.pause()
            assert [c.data for c in o9(app).children] == ["KR-30"]
            assert cursor(app) == "O-9"
            await pilot.press("escape")
            await pilot.pause()
            assert cursor(app) == "KR-28"


# ---------------------------------------------------------------- nothing essential cut


def _row(app, ref: str) -> str:
    """The screen line that shows the tree row of `ref`, cut to the tree's own columns."""
    region = tree(app).scrollable_content_region
    lines = screen_text(app).splitlines()
    for line in lines[region.y:region.y + region.height]:
        row = line[region.x:region.x + region.width]
        if f" {ref} " in row:
            return row
    raise AssertionError(f"{ref} is not on screen")


class TestRowsKeepWhatMatters:
    @pytest.mark.parametrize("size", [(80, 24), (120, 40)])
    async def test_kr28_row_shows_confidence_and_its_whole_title(self, sample_store, size):
        app = make_app(sample_store)
        async with app.run_test(size=size) as pilot:
            await to_kr28(pilot)
            assert label(app, "KR-28") == "KR-28 \u25b2 0.46 \u2714 on-track  New ARR booked"
            row = _row(app, "KR-28")
            assert "KR-28 \u25b2 0.46 \u2714 on-track  New ARR booked" in row
            assert "! at-risk" in _row(app, "KR-29") and "Win rate on qualified" in _row(app, "KR-29")

    @pytest.mark.parametrize("size", [(80, 24), (120, 40)])
    @pytest.mark.parametrize("code, refs", [
        ("C3", ["KR-52", "KR-53", "KR-54", "KR-55", "KR-56", "KR-57"]),  # long titles
        ("P1", ["KR-37", "KR-38", "KR-39", "KR-40", "KR-41", "KR-42", "KR-43"]),  # a cascaded objective
    ])
    async def test_every_row_keeps_ref_score_and_confidence(self, sample_store, size, code, refs):
        app = make_app(sample_store)
        async with app.run_test(size=size) as pilot:
            await pilot.press("g", *code, "enter")
            assert await until(pilot, lambda: isinstance(app.screen, DrillScreen) and app.screen.code == code)
            await pilot.pause()
            board = app.board
            for ref in refs:
                for _ in range(20):  # down to it: the tree scrolls it into view
                    if cursor(app) == ref:
                        break
                    await pilot.press("down")
                await pilot.pause()
                _, kr = board.key_result(ref)
                row = _row(app, ref)
                assert kr.confidence in row, (ref, row)
                # Whatever is cut is the title's end.
                title_start = row.index(kr.confidence) + len(kr.confidence)
                shown_title = row[title_start:].strip()
                assert shown_title and kr.title.startswith(shown_title), (ref, row)

    async def test_below_100_columns_the_tree_sits_above_the_detail(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=(80, 24)) as pilot:
            await to_kr28(pilot)
            assert app.screen.has_class("-narrow")
            okr_tree, detail = tree(app).region, app.screen.query_one(DetailPane).region
            assert okr_tree.width == detail.width == 80
            assert detail.y >= okr_tree.bottom

    @pytest.mark.parametrize("size", [(120, 34), (160, 40)])
    async def test_side_by_side_the_tree_is_the_wider(self, sample_store, size):
        # From 100 columns when short, and from 160 at any height (at 120×40 the two stack).
        app = make_app(sample_store)
        async with app.run_test(size=size) as pilot:
            await to_kr28(pilot)
            assert not app.screen.has_class("-narrow")
            okr_tree, detail = tree(app).region, app.screen.query_one(DetailPane).region
            assert okr_tree.y == detail.y and detail.x >= okr_tree.right
            assert okr_tree.width > detail.width
