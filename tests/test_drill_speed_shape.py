"""What keeps a cursor move in the drill-down cheap, checked by what it leaves on screen
and in the widgets (no timings here): the Footer changes its keys in place, the sparkline's
own drawing matches Textual's cell for cell, and a key result whose history takes the height
of the one before asks for no layout of the screen."""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets._footer import FooterKey

from okrtui.app.widgets.common import KeyFooter
from okrtui.app.widgets.history import HistoryList, HistorySparkline

from test_app import PAST_F1_MEASURES, SIZE, cursor, make_app, screen_text, until


def _footer_keys(app) -> list[tuple[str, str]]:
    footer = app.screen.query_one(KeyFooter)
    return [(key.key, key.description) for key in footer.query(FooterKey) if key.display]


def _composed_keys(app) -> list[tuple[str, str]]:
    """The ungrouped keys Textual's Footer would compose now, in its order (one per action)."""
    firsts: dict[str, tuple[str, str]] = {}
    for _, binding, _, _ in app.screen.active_bindings.values():
        if binding.show and binding.group is None:
            firsts.setdefault(binding.action, (binding.key, binding.description))
    return list(firsts.values())


async def test_the_footer_changes_c_in_place_between_objective_key_result_and_measure(sample_store):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "down")  # F1's drill-down, on its first measure
        await pilot.pause()
        footer = app.screen.query_one(KeyFooter)
        assert ("c", "Reading") in _footer_keys(app)
        stops = [(PAST_F1_MEASURES[1:] + ("down",), "O-9", None), (("down",), "KR-28", "Check in"),
                 (("up",), "O-9", None), (("up",), "F1 measure", "Reading"), (("down", "down"), "KR-28", "Check in")]
        widgets = None
        for keys, where, c_means in stops:
            await pilot.press(*keys)
            await pilot.pause()
            assert where == "F1 measure" or cursor(app) == where
            shown = _footer_keys(app)
            # What is shown is what a recompose would show, in the same order...
            ungrouped = [key for key in shown if key[0] in dict(_composed_keys(app))]
            assert ungrouped == _composed_keys(app)
            assert (dict(shown).get("c")) == c_means
            if c_means:
                assert f"c {c_means}" in screen_text(app).splitlines()[-1]
            else:
                assert " c " not in f" {screen_text(app).splitlines()[-1]} "
            # ...by the same widgets: once `c` has been shown, nothing is mounted again.
            if widgets is not None and c_means:
                assert list(footer.query(FooterKey)) == widgets
            if c_means == "Check in" and widgets is None:
                widgets = list(footer.query(FooterKey))


async def test_the_sparkline_draws_what_textual_draws(sample_store):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", *PAST_F1_MEASURES, "down", "down")  # KR-28
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert await until(pilot, lambda: cursor(app) == "KR-28")
        await pilot.pause()
        sparkline = app.screen.query_one(HistorySparkline)
        assert sparkline.display and len(sparkline.data) > 1
        for data in (list(sparkline.data), [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0] * 9, [2.0, 2.0]):
            sparkline.data = data
            await pilot.pause()
            ours = [list(sparkline.render_line(y)) for y in range(sparkline.size.height)]
            sparkline._strips = (None, None)
            textuals = []
            for y in range(sparkline.size.height):
                sparkline._dirty_regions.add(sparkline.size.region)
                textuals.append(list(Widget.render_line(sparkline, y)))
            assert ours == textuals


async def test_a_history_of_the_same_height_needs_no_layout(sample_store):
    app = make_app(sample_store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", *PAST_F1_MEASURES, "down", "down")  # KR-28
        await app.workers.wait_for_complete()
        history = app.screen.query_one(HistoryList)
        assert await until(pilot, lambda: cursor(app) == "KR-28" and history.settled)
        await pilot.pause()
        entries = list(history._checkins)
        history.show([], history._kind)
        history.show(entries, history._kind)
        assert history._layout_required  # from [] to a dozen: the height changed
        await pilot.pause()
        assert await until(pilot, lambda: history.settled)
        # Other entries that wrap to the same lines (the notes in other letters): a repaint only.
        others = [entry.model_copy(update={"note": entry.note.swapcase()}) for entry in entries]
        assert others != entries
        history.show(others, history._kind)
        assert not history._layout_required
        assert history.settled
        await pilot.pause()
        assert history.lines_text()[1].strip() in screen_text(app)  # the newest note, in its new letters
