"""The app as a newcomer meets it: the check-in dialog shows the last check-in; a save that
changes nothing says it confirmed the value."""

from __future__ import annotations

from test_app import CheckinDialog, make_app, messages, saved, text, to_kr28


class TestLastCheckinInTheDialog:
    async def test_the_dialog_shows_the_latest_check_in_with_its_note(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=(100, 34)) as pilot:
            await to_kr28(pilot)
            await pilot.press("c")
            await pilot.pause()
            assert isinstance(app.screen, CheckinDialog)
            shown = text(app.screen.query_one("#last-checkin"))
            assert shown.splitlines()[0] == "Last check-in  2026-11-19 09:55  marco  690  \u2714 on-track"
            assert "690k booked; two six-figure deals in legal review." in shown

    async def test_after_a_check_in_the_dialog_shows_that_one(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=(100, 34)) as pilot:
            await to_kr28(pilot)
            await pilot.press("c", "7", "0", "0", "tab", "2", "tab", *"slipped", "enter")
            await saved(app, pilot)
            await pilot.press("c")
            await pilot.pause()
            shown = text(app.screen.query_one("#last-checkin"))
            assert "  tester  700  ! at-risk" in shown.splitlines()[0]
            assert "slipped" in shown


class TestConfirmed:
    async def test_a_save_that_changes_nothing_says_confirmed(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=(100, 34)) as pilot:
            await to_kr28(pilot)
            await pilot.press("c", "enter")  # empty value, same confidence
            await saved(app, pilot)
            confirmed = [n for n in app._notifications if n.title == "Confirmed"]
            assert confirmed and confirmed[-1].message.startswith("KR-28 0.46 confirmed as of ")
            assert not [n for n in app._notifications if n.title == "Checked in"]
            assert messages(app)


class TestScorecardFilter:
    async def test_slash_finds_a_strategic_objective_by_a_key_results_words(self, sample_store):
        from test_app import rows

        app = make_app(sample_store)
        async with app.run_test(size=(100, 34)) as pilot:
            await pilot.press("slash", *"new arr booked", "enter")  # KR-28's title, in O-9 under F1
            await pilot.pause()
            assert [r.split()[0] for r in rows(app, "financial")] == ["F1"]

    async def test_escape_clears_a_kept_filter_and_otherwise_does_nothing(self, sample_store):
        from test_app import ScorecardScreen, rows

        app = make_app(sample_store)
        async with app.run_test(size=(100, 34)) as pilot:
            everything = rows(app, "financial")
            await pilot.press("slash", *"F2", "enter")
            await pilot.pause()
            assert [r.split()[0] for r in rows(app, "financial")] == ["F2"]
            await pilot.press("escape")
            await pilot.pause()
            assert rows(app, "financial") == everything
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ScorecardScreen) and app.is_running


class TestTheme:
    async def test_the_chosen_theme_is_remembered(self, sample_store):
        from okrtui.app import settings

        app = make_app(sample_store)
        async with app.run_test(size=(100, 34)) as pilot:
            assert app.theme != "textual-light"
            app.theme = "textual-light"
            await pilot.pause()
        assert settings.load()["theme"] == "textual-light"
        again = make_app(sample_store)
        async with again.run_test(size=(100, 34)) as pilot:
            await pilot.pause()
            assert again.theme == "textual-light"

    async def test_an_unknown_or_unreadable_saved_theme_is_ignored(self, sample_store):
        from okrtui.app import settings

        settings.settings_path().parent.mkdir(parents=True, exist_ok=True)
        settings.settings_path().write_text("{not json")
        app = make_app(sample_store)
        async with app.run_test(size=(100, 34)) as pilot:
            await pilot.pause()
            assert app.is_running
        settings.settings_path().write_text('{"theme": "no-such-theme"}')
        app = make_app(sample_store)
        async with app.run_test(size=(100, 34)) as pilot:
            await pilot.pause()
            assert app.theme != "no-such-theme"


class TestPalette:
    async def test_palette_entries_show_keys_as_typed_and_no_screenshot(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=(100, 34)) as pilot:
            await pilot.press("enter")  # the drill-down: its Back (escape) is a palette entry
            await pilot.pause()
            commands = list(app.get_system_commands(app.screen))
            titles = {c.title for c in commands}
            helps = {c.title: c.help for c in commands}
            assert "Screenshot" not in titles
            assert helps["Back"] == "Key esc"
            assert not any("left_square_bracket" in (c.help or "") for c in commands)


class TestGoToByWords:
    def test_ranking_puts_exact_refs_first_then_prefixes_then_words(self):
        from okrtui.app.search import Entry

        from test_search import rank

        candidates = [Entry("KR-120", "key result", "Other"), Entry("KR-12", "key result", "Ship the runbook"),
                      Entry("O-3", "objective", "Runbook for every service"), Entry("F1", "strategic objective",
                                                                                   "Grow revenue")]
        assert [e.target for e in rank("KR-12", candidates)] == ["KR-12", "KR-120"]
        assert [e.target for e in rank("runbook", candidates)] == ["O-3", "KR-12"]  # earlier in the text first
        assert [e.target for e in rank("every runbook", candidates)] == ["O-3"]  # every word, any order
        assert rank("nope", candidates) == [] and rank("   ", candidates) == []

    async def test_words_of_a_title_go_to_the_key_result(self, sample_store):
        from test_app import DrillScreen, cursor, until

        app = make_app(sample_store)
        async with app.run_test(size=(100, 34)) as pilot:
            await pilot.press("g", *"runbook")
            await pilot.pause()
            shown = [str(o.prompt) for o in app.screen.query_one("#goto-matches").options]
            assert shown[0].startswith("KR-39  Publish an on-call runbook")
            await pilot.press("enter")
            assert await until(pilot, lambda: isinstance(app.screen, DrillScreen) and cursor(app) == "KR-39")

    async def test_a_key_result_of_another_cycle_is_found_and_shown_in_its_cycle(self, sample_store):
        from test_app import DrillScreen, cursor, until

        app = make_app(sample_store)
        async with app.run_test(size=(100, 34)) as pilot:
            await pilot.press("g", *"meddicc")
            assert await until(pilot, lambda: bool(getattr(app.screen, "matches", None)))
            assert app.screen.matches[0].target == "KR-3" and app.screen.matches[0].cycle == "2026-Q2"
            await pilot.press("enter")
            assert await until(pilot, lambda: isinstance(app.screen, DrillScreen) and cursor(app) == "KR-3")
            assert app.board.cycle.id == "2026-Q2"

    async def test_down_picks_the_next_match(self, sample_store):
        from test_app import DrillScreen, cursor, until

        app = make_app(sample_store)
        async with app.run_test(size=(100, 34)) as pilot:
            await pilot.press("g", *"pipeline")
            assert await until(pilot, lambda: len(getattr(app.screen, "matches", [])) >= 2)
            second = app.screen.matches[1].target
            await pilot.press("down", "enter")
            assert await until(pilot, lambda: isinstance(app.screen, DrillScreen) and cursor(app) == second)


class TestHintsWithoutACycle:
    async def test_h_with_no_cycle_says_so(self, store_path, run):
        import json

        from test_app import HintsScreen

        doc = {"format": "okrtui/1", "strategy": [{"code": "F1", "title": "Grow", "perspective": "financial"}]}
        sheet = store_path.parent.parent / "strategy.json"
        sheet.write_text(json.dumps(doc), encoding="utf-8")
        assert run("import", sheet).code == 0
        app = make_app(store_path)
        async with app.run_test(size=(100, 34)) as pilot:
            await pilot.press("h")
            await pilot.pause()
            assert isinstance(app.screen, HintsScreen)
            shown = [str(o.prompt) for o in app.screen.query("NavList").first().options]
            assert shown == ["No cycle yet: hints come once the store holds a cycle's OKRs."]


class TestAnOldSnapshotsVanishedPart:
    """Another process rewrites a cycle the app has not read yet: its part file goes."""

    @staticmethod
    def _yearly(run, tmp_path, title):
        import json

        sheet = tmp_path / f"{title}.json"
        sheet.write_text(json.dumps({"format": "okrtui/1", "cycles": [{
            "id": "2026", "start": "2026-01-01", "end": "2026-12-31",
            "objectives": [{"title": title, "key_results": [{"title": f"{title} kr", "start": 0, "target": 1}]}]}]}),
            encoding="utf-8")
        assert run("import", sheet).code == 0

    async def test_g_still_searches_and_the_app_goes_on(self, sample_store, run, tmp_path):
        from test_app import until

        self._yearly(run, tmp_path, "Yearly one")
        app = make_app(sample_store)
        async with app.run_test(size=(100, 34)) as pilot:
            await pilot.pause()
            self._yearly(run, tmp_path, "Yearly two")  # the yearly cycle's part is replaced
            await pilot.press("g", *"runbook")
            assert await until(pilot, lambda: bool(getattr(app.screen, "matches", None)))
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.is_running and app.screen.matches[0].target == "KR-39"

    async def test_the_thread_still_opens_and_the_app_goes_on(self, sample_store, run, tmp_path):
        self._yearly(run, tmp_path, "Yearly one")
        app = make_app(sample_store)
        async with app.run_test(size=(100, 34)) as pilot:
            await pilot.pause()
            self._yearly(run, tmp_path, "Yearly two")
            await pilot.press("t")  # F1's thread reads every cycle
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.is_running
