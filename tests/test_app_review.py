"""`r` (the review) and `w` (my work) in the app (§12), with Pilot on the sample store."""

from __future__ import annotations

from okrtui.app.app import OkrApp
from okrtui.app.screens.drilldown import DrillScreen
from okrtui.app.screens.review import MyWorkScreen, ReviewScreen
from okrtui.app.widgets.common import NavList
from okrtui.store import Store

from conftest import report_doc
from test_app import AS_OF_DATE, SIZE, screen_text, text, until

WAIT = 10


def option_ids(app, list_id: str) -> list[str]:
    listing = app.screen.query_one(f"#{list_id}", NavList)
    return [listing.get_option_at_index(i).id for i in range(listing.option_count)]


class TestReview:
    async def test_r_shows_the_movement_the_wins_and_the_due_list_of_the_report(self, sample_store):
        app = OkrApp(Store(sample_store), as_of=AS_OF_DATE, user="tester")
        report = report_doc("--as-of", "2026-11-20", "--since", "2026-10-23", store=sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("r")
            assert await until(pilot, lambda: isinstance(app.screen, ReviewScreen), seconds=WAIT)
            assert app.screen.query_one("#since").value == "2026-10-23"  # 28 days before the as-of date
            assert await until(pilot, lambda: "Since 2026-10-23" in text(app.screen.query_one("#review-movement")),
                               seconds=WAIT)
            assert await until(pilot, lambda: set(option_ids(app, "review-wins"))
                               == {w["ref"] for w in report["wins"]}, seconds=WAIT)
            assert option_ids(app, "review-due") == [d["ref"] for d in report["due"]]
            movement = text(app.screen.query_one("#review-movement"))
            financial = next(p for p in report["perspectives"] if p["key"] == "financial")
            assert f"Financial  \u25b2 {financial['score']:.2f} \u25b2 {financial['score'] - financial['was']:+.2f}" \
                in movement

    async def test_a_new_date_refreshes_it_and_enter_on_a_win_goes_there(self, sample_store):
        app = OkrApp(Store(sample_store), as_of=AS_OF_DATE, user="tester")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("r")
            assert await until(pilot, lambda: isinstance(app.screen, ReviewScreen), seconds=WAIT)
            app.screen.query_one("#since").value = "2026-11-19"
            assert await until(pilot, lambda: "Since 2026-11-19" in text(app.screen.query_one("#review-movement")),
                               seconds=WAIT)
            report = report_doc("--as-of", "2026-11-20", "--since", "2026-11-19", store=sample_store)
            assert await until(pilot, lambda: set(option_ids(app, "review-wins")) - {"none"}
                               == {w["ref"] for w in report["wins"]}, seconds=WAIT)
            app.screen.query_one("#since").value = "2026-12-25"
            assert await until(pilot, lambda: "on or before 2026-11-20" in text(
                app.screen.query_one("#review-movement")), seconds=WAIT)
            app.screen.query_one("#since").value = "2026-10-23"
            assert await until(pilot, lambda: "KR-37" in option_ids(app, "review-wins"), seconds=WAIT)
            wins = app.screen.query_one("#review-wins", NavList)
            wins.focus()
            wins.select_id("KR-37")
            await pilot.press("enter")
            assert await until(pilot, lambda: isinstance(app.screen, DrillScreen), seconds=WAIT)
            assert app.screen.code == "P1"
            await pilot.press("escape")  # back to the review, not past it
            assert await until(pilot, lambda: isinstance(app.screen, ReviewScreen), seconds=WAIT)

    async def test_a_bad_date_keeps_the_field_and_clears_the_wins(self, sample_store):
        app = OkrApp(Store(sample_store), as_of=AS_OF_DATE, user="tester")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("r")
            assert await until(pilot, lambda: isinstance(app.screen, ReviewScreen), seconds=WAIT)
            assert await until(pilot, lambda: "KR-37" in option_ids(app, "review-wins"), seconds=WAIT)
            field = app.screen.query_one("#since")
            field.focus()
            field.value = "2026-13-40"
            await pilot.press("enter")
            await pilot.pause()
            assert app.focused is field
            assert option_ids(app, "review-wins") == []


class TestMyWork:
    async def test_w_lists_the_users_objectives_with_what_each_serves_and_due_first(self, sample_store):
        app = OkrApp(Store(sample_store), as_of=AS_OF_DATE, user="platform")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("w")
            assert await until(pilot, lambda: isinstance(app.screen, MyWorkScreen), seconds=WAIT)
            ids = option_ids(app, "mywork")
            assert [i for i in ids if i.startswith("O-")] == ["O-11", "O-12", "O-13", "O-15", "O-16", "O-17"]
            # O-16's key results: the due ones first (KR-57, 50 days; KR-53, 7 days), then the rest.
            o16 = ids[ids.index("O-16") + 1:ids.index("O-17")]
            assert o16[:2] == ["KR-57", "KR-53"]
            shown = screen_text(app)
            assert "serves P1 Run a fast, reliable platform \u00b7 Internal Process" in shown
            assert "due: last check-in 50 days ago" in shown

    async def test_a_user_with_no_objectives_is_told_how_to_pick_one(self, sample_store):
        app = OkrApp(Store(sample_store), as_of=AS_OF_DATE, user="nobody")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("w")
            assert await until(pilot, lambda: isinstance(app.screen, MyWorkScreen), seconds=WAIT)
            assert "okrtui --as NAME" in screen_text(app)
