"""Measures (KPIs) and their readings in the app (§2, §5), pressed with the real keys: the
measure nodes of a strategic objective's drill-down and their detail, `c` on a measure
(the reading dialog), undo, a read-only store, and the strategic thread's attainments.

On the sample store as of 2026-11-20. F1 "Grow annual recurring revenue" lists two measures,
then O-9 (with KR-28..KR-31); each measure has 12 monthly readings (2025-12-31 .. 2026-11-16):
  Annual recurring revenue  $M  18 → 25, actual 21.4: (21.4 - 18) / 7 = 0.486  ▲ 0.49 yellow
  Net revenue retention      %  104 → 112, actual 106: (106 - 104) / 8 = 0.25  ✖ 0.25 red
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.widgets import Input, Sparkline

from okrtui import operations
from okrtui.app.app import OkrApp
from okrtui.app.screens.checkin import CheckinDialog, ReadingDialog
from okrtui.app.screens.drilldown import DrillScreen
from okrtui.app.screens.thread import ThreadScreen
from okrtui.app.widgets.history import HistoryList
from okrtui.domain.errors import InvalidInput
from okrtui.store import Store

from conftest import snapshot_bytes
from test_app import AS_OF_DATE, SIZE, cursor, goto, label, make_app, messages, text, tree, until

WAIT = 10.0  # seconds: generous, for a slow machine; every wait ends as soon as its condition holds

ARR = "measure:Annual recurring revenue"
NRR = "measure:Net revenue retention"


def readings(path: Path, code: str, name: str) -> list:
    """What the store holds, read afresh (not the app's own store object)."""
    return Store(path).snapshot().measure_readings(code)[name]


def detail(app) -> str:
    return text(app.screen.query_one("#detail-text"))


def detail_history(app) -> str:
    return text(app.screen.query_one("#detail-history"))


def error_of(app, field: str) -> str:
    return text(app.screen.query_one(f"#{field}-error"))


async def to_nrr(pilot) -> None:
    """From the scorecard (cursor on F1) to F1's second measure, Net revenue retention, its readings read."""
    app = pilot.app
    await pilot.press("enter", "down", "down")
    assert await until(pilot, lambda: cursor(app) == NRR and "Readings (" in detail_history(app), seconds=WAIT)


async def record(pilot, value: str, note: str = "") -> None:
    """c, the value, the note (tab), enter: the dialog closes at once and the save is queued."""
    await pilot.press("c")
    assert await until(pilot, lambda: isinstance(pilot.app.screen, ReadingDialog), seconds=WAIT)
    await pilot.press(*value)
    if note:
        await pilot.press("tab", *note)
    await pilot.press("enter")


# ---------------------------------------------------------------- the drill-down


class TestMeasureNodes:
    async def test_each_measure_is_a_node_before_the_okrs(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            assert [n.data for n in tree(app).root.children] == [ARR, NRR, "O-9"]
            assert label(app, ARR) == "KPI \u25b2 0.49 Annual recurring revenue  21.4 $M"
            assert label(app, NRR) == "KPI \u2716 0.25 Net revenue retention  106 %"
            moves = []
            for _ in range(4):
                await pilot.press("down")
                moves.append(cursor(app))
            assert moves == [ARR, NRR, "O-9", "KR-28"]

    async def test_the_detail_of_a_measure(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_nrr(pilot)
            assert detail(app).splitlines() == [
                "KPI Net revenue retention",
                "of F1 Grow annual recurring revenue",
                "Attainment \u2716 0.25 red",
                "baseline 104 % \u00b7 target 112 % \u00b7 actual 106 %",
                "Last reading 2026-11-16 17:00  cro  106",
            ]
            assert text(app.screen.query_one("#breadcrumb")) == \
                "Scorecard \u203a Financial \u203a F1 \u203a KPI Net revenue retention"
            assert detail_history(app).strip() == "Readings (12, newest first)"
            sparkline = app.screen.query_one(Sparkline)
            assert sparkline.display and list(sparkline.data) == [104, 104, 104, 105, 105, 105, 105, 105, 105,
                                                                  106, 106, 106]
            lines = app.screen.query_one(HistoryList).lines_text()
            assert lines[0] == "2026-11-16 17:00  cro  106"
            assert lines[-2:] == ["2025-12-31 17:00  cro  104", "    year-end close"]
            # The Footer names what c does here.
            assert app.screen.active_bindings["c"].binding.description == "Reading"

    async def test_the_strategic_objective_lists_each_measure_with_its_trend(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter")
            # The trend is the last 8 readings, lowest ▁ to highest █: ARR 19.1 .. 21.4 rose every month,
            # NRR was 105 five times, then 106.
            assert await until(pilot, lambda: "\u2588 Annual" in detail(app), seconds=WAIT), detail(app)
            lines = detail(app).splitlines()
            start = lines.index("Measures (attainment, trend)")
            assert lines[start + 1:start + 5] == [
                "  \u25b2 0.49 \u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588 Annual recurring revenue",
                "                  18 \u2192 25 $M, actual 21.4 $M",
                "  \u2716 0.25 \u2581\u2581\u2581\u2581\u2581\u2588\u2588\u2588 Net revenue retention",
                "                  104 \u2192 112 %, actual 106 %",
            ]
            assert "on a measure, c records a reading" in detail(app)

    async def test_a_measure_without_readings(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("tab", "down", "enter")  # C2, in the Customer pane
            assert await until(pilot, lambda: isinstance(app.screen, DrillScreen) and app.screen.code == "C2",
                               seconds=WAIT)
            key = "measure:Security reviews passed first time"
            assert label(app, key) == "KPI \u00b7 \u2014 Security reviews passed first time  \u2014"
            app.screen.focus_item(key)
            assert await until(pilot, lambda: "No readings yet" in detail_history(app), seconds=WAIT)
            assert "Attainment \u00b7 \u2014" in detail(app)
            assert "No readings yet: c records one" in detail(app)
            assert not app.screen.query_one(HistoryList).display

    async def test_the_filter_keeps_the_measures_that_match(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter", "slash", *"retention")
            assert await until(pilot, lambda: [n.data for n in tree(app).root.children] == [NRR], seconds=WAIT)
            await pilot.press("escape")
            assert await until(pilot, lambda: [n.data for n in tree(app).root.children] == [ARR, NRR, "O-9"],
                               seconds=WAIT)

    async def test_d_on_a_measure_deletes_nothing_and_says_where_measures_go(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_nrr(pilot)
            await pilot.press("d")
            await pilot.pause()
            assert isinstance(app.screen, DrillScreen)
            assert messages(app)[-1].startswith("A measure is removed in its strategic objective's form")
        assert snapshot_bytes(sample_store) == before


# ---------------------------------------------------------------- c on a measure


class TestRecordReading:
    async def test_c_records_a_reading_and_the_screen_shows_it(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_nrr(pilot)
            await pilot.press("c")
            assert await until(pilot, lambda: isinstance(app.screen, ReadingDialog), seconds=WAIT)
            dialog = app.screen
            assert text(dialog.query_one("#reading-title")) == "Record a reading F1 \u00b7 Net revenue retention"
            assert text(dialog.query_one("#reading-intro")) == "Last reading  2026-11-16 17:00  cro  106"
            value = dialog.query_one("#value", Input)
            assert app.focused is value and value.value == "" and value.placeholder == "106"
            await pilot.press(*"110", "tab", *"renewals")
            await pilot.press("enter")
            assert await until(pilot, lambda: len(readings(sample_store, "F1", "Net revenue retention")) == 13,
                               seconds=WAIT)
            latest = readings(sample_store, "F1", "Net revenue retention")[-1]
            assert (latest.value, latest.author, latest.note) == (110, "tester", "renewals")
            # (110 - 104) / 8 = 0.75: green, in the tree, the detail, the history and the root's detail.
            assert await until(pilot, lambda: label(app, NRR) == "KPI \u25cf 0.75 Net revenue retention  110 %",
                               seconds=WAIT)
            assert "F1 Net revenue retention 106 \u2192 110 \u00b7 attainment 0.25 \u2192 0.75 \u00b7 u undoes it" \
                in messages(app)
            assert cursor(app) == NRR
            assert "actual 110 %" in detail(app) and "Attainment \u25cf 0.75 green" in detail(app)
            assert await until(pilot, lambda: detail_history(app).strip() == "Readings (13, newest first)",
                               seconds=WAIT)
            assert app.screen.query_one(HistoryList).lines_text()[:2] == \
                [f"{latest.at:%Y-%m-%d %H:%M}  tester  110", "    renewals"]
            await pilot.press("home")
            assert await until(pilot, lambda: "\u25cf 0.75" in detail(app) and "actual 110 %" in detail(app),
                               seconds=WAIT)

    async def test_a_reading_by_another_process_shows_without_a_restart(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_nrr(pilot)
            operations.record_reading(Store(sample_store), "F1", "Net revenue retention", "108", author="bob",
                                      note="from the metrics job")
            assert await until(pilot, lambda: label(app, NRR) == "KPI \u25b2 0.50 Net revenue retention  108 %",
                               seconds=WAIT)
            assert cursor(app) == NRR
            assert await until(pilot, lambda: detail_history(app).strip() == "Readings (13, newest first)",
                               seconds=WAIT)
            assert app.screen.query_one(HistoryList).lines_text()[1] == "    from the metrics job"

    async def test_another_persons_reading_after_mine_replaces_nothing_and_says_nothing(self, sample_store):
        # Readings add up: bob's later reading of the same measure is no "their change replaced yours".
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_nrr(pilot)
            await record(pilot, "110")
            assert await until(pilot, lambda: label(app, NRR).endswith("110 %") and not app.saves_in_flight,
                               seconds=WAIT)
            operations.record_reading(Store(sample_store), "F1", "Net revenue retention", "108", author="bob")
            assert await until(pilot, lambda: label(app, NRR).endswith("108 %"), seconds=WAIT)
            await pilot.pause()
            assert not any("replaced yours" in m for m in messages(app)), messages(app)

    async def test_an_empty_or_bad_value_is_refused_beside_the_field(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_nrr(pilot)
            await pilot.press("c")
            assert await until(pilot, lambda: isinstance(app.screen, ReadingDialog), seconds=WAIT)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ReadingDialog)
            assert error_of(app, "value") == "a reading needs a number"
            await pilot.press(*"12abc")
            assert await until(pilot, lambda: error_of(app, "value") == "'12abc' is not a number", seconds=WAIT)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ReadingDialog) and app.focused.id == "value"
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, DrillScreen)
        assert snapshot_bytes(sample_store) == before

    async def test_u_takes_the_reading_back(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_nrr(pilot)
            await record(pilot, "110")
            assert await until(pilot, lambda: label(app, NRR).endswith("110 %"), seconds=WAIT)
            await pilot.press("u")
            assert await until(pilot, lambda: len(readings(sample_store, "F1", "Net revenue retention")) == 12,
                               seconds=WAIT)
            assert await until(pilot, lambda: label(app, NRR) == "KPI \u2716 0.25 Net revenue retention  106 %",
                               seconds=WAIT)
            assert "Undone: Reading of F1 Net revenue retention" in messages(app)
            assert Store(sample_store).snapshot().strategy[0].measure("Net revenue retention").actual == 106
            assert await until(pilot, lambda: detail_history(app).strip() == "Readings (12, newest first)",
                               seconds=WAIT)

    async def test_u_pressed_while_a_save_waits_never_takes_back_a_later_reading(self, sample_store):
        """c 110 enter, u, c 111 enter while another process holds the store's lock: the u means 110.
        It runs once 110 is saved; by then 111 is queued before it, so 110 is no longer the newest
        and the undo is refused. 111, made after u was pressed, is never what it takes back."""
        from filelock import FileLock

        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_nrr(pilot)
            lock = FileLock(str(sample_store.parent / "okrtui.json.lock"))
            lock.acquire()
            try:
                await record(pilot, "110")
                assert await until(pilot, lambda: app.saves_in_flight == 1, seconds=WAIT)
                await pilot.press("u")
                await record(pilot, "111")
                assert await until(pilot, lambda: app.saves_in_flight == 2, seconds=WAIT)
            finally:
                lock.release()
            assert await until(pilot, lambda: app.saves_in_flight == 0 and not app._undos_waiting
                               and any("nothing was undone" in m for m in messages(app)), seconds=WAIT)
            values = [r.value for r in readings(sample_store, "F1", "Net revenue retention")]
            assert values[-2:] == [110, 111]

    async def test_undoing_a_deletion_brings_the_measures_back_with_their_readings(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("d")  # F1, on the scorecard
            assert await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", seconds=WAIT)
            await pilot.press("y")
            assert await until(pilot, lambda: app.board.strategic("F1") is None, seconds=WAIT)
            # The readings are first read while F1 is gone: its measures' are not among them.
            await goto(pilot, "F2")
            assert await until(pilot, lambda: app.board.readings_loaded, seconds=WAIT)
            await pilot.press("u")
            assert await until(pilot, lambda: app.board.strategic("F1") is not None, seconds=WAIT)
            await goto(pilot, "F1")
            await pilot.press("down", "down")
            assert await until(pilot, lambda: detail_history(app).strip() == "Readings (12, newest first)",
                               seconds=WAIT), detail_history(app)

    async def test_a_failed_save_keeps_the_dialog_with_the_reason(self, sample_store, monkeypatch):
        def refused(*args, **kwargs):
            raise InvalidInput(["value: refused by the store"])

        monkeypatch.setattr("okrtui.app.readings.record_reading", refused)
        before = snapshot_bytes(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_nrr(pilot)
            await record(pilot, "110", "late")
            assert await until(pilot, lambda: isinstance(app.screen, ReadingDialog), seconds=WAIT)
            assert "Not saved: value: refused by the store" in messages(app)
            assert text(app.screen.query_one("#save-error")).startswith("Not saved: value: refused by the store")
            assert app.screen.query_one("#value", Input).value == "110"
            assert app.screen.query_one("#note", Input).value == "late"
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, DrillScreen) and label(app, NRR).endswith("106 %")
        assert snapshot_bytes(sample_store) == before

    async def test_a_closed_cycle_takes_readings_still(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("left_square_bracket")  # 2026-Q3, closed
            await pilot.pause()
            assert app.board.cycle.closed
            await to_nrr(pilot)
            await record(pilot, "107")
            assert await until(pilot, lambda: readings(sample_store, "F1", "Net revenue retention")[-1].value == 107,
                               seconds=WAIT)

    async def test_c_on_a_key_result_still_checks_in(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter", "down", "down", "down", "down")
            assert cursor(app) == "KR-28"
            assert app.screen.active_bindings["c"].binding.description == "Check in"
            await pilot.press("c")
            assert await until(pilot, lambda: isinstance(app.screen, CheckinDialog), seconds=WAIT)

    async def test_a_read_only_store_refuses_c_on_a_measure_with_a_reason(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = OkrApp(Store(sample_store, read_only=True), as_of=AS_OF_DATE, user="tester")
        async with app.run_test(size=SIZE) as pilot:
            await to_nrr(pilot)
            assert "c" not in app.screen.active_bindings or \
                app.screen.active_bindings["c"].binding.description != "Reading"
            await pilot.press("c")
            await pilot.pause()
            assert isinstance(app.screen, DrillScreen)
            assert messages(app)[-1] == "The store is read-only: readings cannot be saved"
        assert snapshot_bytes(sample_store) == before

    async def test_help_names_what_c_does_on_a_measure(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_nrr(pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            shown = text(app.screen.query_one("#help-text"))
            assert "on a measure (KPI), c records a reading" in shown
            assert "Record a reading of the measure" in shown  # the row of c


# ---------------------------------------------------------------- the strategic thread


class TestThread:
    async def test_each_cycle_shows_its_measures_attainment(self, sample_store):
        # After the as-of date (and before now): the drill-down's actual takes it, the thread's
        # cycle under way does not (it is as of 2026-11-20).
        operations.record_reading(Store(sample_store), "F1", "Net revenue retention", "112", author="bob",
                                  at=dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone.utc))
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("t")
            assert await until(pilot, lambda: isinstance(app.screen, ThreadScreen)
                               and "Annual" in text(app.screen.query_one("#thread")), seconds=WAIT)
            lines = [line.strip() for line in text(app.screen.query_one("#thread")).splitlines()]
            rows = {line.split()[0]: index for index, line in enumerate(lines) if line.startswith("2026-Q")}
            rows.update({line.split()[1]: index for index, line in enumerate(lines) if line.startswith("\u25b8")})
            # On 2026-06-30: ARR 19.7 -> 1.7 / 7 = 0.24; NRR 105 -> 1 / 8 = 0.125.
            assert lines[rows["2026-Q2"] + 1] == \
                "Annual recurring revenue \u2716 0.24   Net revenue retention \u2716 0.12"
            # On 2026-09-30: ARR 20.8 -> 2.8 / 7 = 0.40 (yellow at 0.4); NRR 106 -> 0.25.
            assert lines[rows["2026-Q3"] + 1] == \
                "Annual recurring revenue \u25b2 0.40   Net revenue retention \u2716 0.25"
            # 2026-Q4 holds the as-of date: as of 2026-11-20, before bob's 112.
            assert lines[rows["2026-Q4"] + 1] == \
                "Annual recurring revenue \u25b2 0.49   Net revenue retention \u2716 0.25"
            assert "\u25b2 0.44 yellow" in lines[rows["2026-Q4"]]

    async def test_a_row_fits_80_columns(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("down", "t")  # F2: 2026-Q3 scores 1.00 green and is closed, its longest row
            assert await until(pilot, lambda: isinstance(app.screen, ThreadScreen)
                               and "Gross margin" in text(app.screen.query_one("#thread")), seconds=WAIT)
            lines = text(app.screen.query_one("#thread")).splitlines()
            q3 = next(line for line in lines if "2026-Q3" in line)
            assert q3.rstrip().endswith("\u25cf 1.00 green  1 OKR closed")
            screen = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
            assert "1 OKR closed" in screen
