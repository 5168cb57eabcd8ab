"""Planning in the app (§5), pressed with the real keys: forms, confirmations, pickers,
the palette's cycle actions and undo.

Each test asserts on what the widgets show and on what reached the store (the main
file's tables, `okrtui export` and `okrtui report`), on the sample store as of
2026-11-20: cycles 2026-Q2 and 2026-Q3 closed, 2026-Q4 open with O-9..O-18 and
KR-28..KR-63; the next refs are O-19 and KR-64.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from textual.command import CommandList, CommandPalette
from textual.widgets import OptionList, TextArea

from okrtui import operations
from okrtui.app.app import OkrApp
from okrtui.app.screens.checkin import CheckinDialog
from okrtui.app.screens.confirm import ConfirmScreen, PickScreen
from okrtui.app.screens.drilldown import DrillScreen
from okrtui.app.screens.form import ChoicePicker, FormScreen
from okrtui.app.screens.scorecard import ScorecardScreen
from okrtui.app.widgets.common import NavList
from okrtui.domain import planning
from okrtui.store import Store

from conftest import AS_OF, export_doc, find_kr, main_tables, report_doc, snapshot_bytes
from test_app import (
    AS_OF_DATE,
    PAST_F1_MEASURES,
    SIZE,
    cursor,
    focused_id,
    goto,
    header,
    make_app,
    messages,
    row,
    rows,
    saved,
    screen_text,
    text,
    to_kr28,
    until,
)

WAIT = 10.0  # seconds: generous, for a slow machine; every wait ends as soon as its condition holds


# ---------------------------------------------------------------- reading the store


def strategy(path: Path) -> dict[str, dict]:
    """The store's strategic objectives by code (its main file)."""
    return {doc["code"]: doc for doc in main_tables(path)["strategy"].values()}


def cycle_headers(path: Path) -> dict[str, dict]:
    """The store's cycles by id (its main file)."""
    return {doc["id"]: doc for doc in main_tables(path)["cycles"].values()}


def exported_cycle(doc: dict, cycle_id: str) -> dict:
    return next(c for c in doc["cycles"] if c["id"] == cycle_id)


def exported_objective(doc: dict, ref: str) -> tuple[str, dict]:
    """(cycle id, objective) of an exported objective."""
    for cycle in doc["cycles"]:
        for objective in cycle["objectives"]:
            if objective["ref"] == ref:
                return cycle["id"], objective
    raise KeyError(ref)


def has_kr(doc: dict, ref: str) -> bool:
    try:
        find_kr(doc, ref)
    except KeyError:
        return False
    return True


def has_objective(doc: dict, ref: str) -> bool:
    try:
        exported_objective(doc, ref)
    except KeyError:
        return False
    return True


# ---------------------------------------------------------------- on screen


def value_of(app, field: str) -> str:
    widget = app.screen.query_one(f"#{field}")
    if isinstance(widget, TextArea):
        return widget.text
    return widget.value


def error_of(app, field: str) -> str:
    """The reason shown beside a form field ('' for none)."""
    return text(app.screen.query_one(f"#{field}-error"))


def form_title(app) -> str:
    return text(app.screen.query_one("#form-title"))


def is_form(app, title: Optional[str] = None) -> bool:
    if not isinstance(app.screen, FormScreen) or isinstance(app.screen, CheckinDialog):
        return False
    return title is None or form_title(app) == title


def notes(app) -> list[str]:
    return messages(app)


def said(app, start: str) -> bool:
    return any(m.startswith(start) for m in notes(app))


def pick_options(app) -> list:
    listing = app.screen.query_one("#pick-list", OptionList)
    return [listing.get_option_at_index(i) for i in range(listing.option_count)]


def highlighted_pick(app) -> Optional[str]:
    listing = app.screen.query_one("#pick-list", OptionList)
    if listing.highlighted is None:
        return None
    return listing.get_option_at_index(listing.highlighted).id


def unaligned_ids(app) -> list[str]:
    return [o.id for o in app.screen.query_one("#unaligned", NavList).options]


def balance_line(app) -> str:
    return text(app.screen.query_one("#balance")).splitlines()[0]


def tree_refs(app) -> set[str]:
    found: set[str] = set()

    def walk(node):
        if isinstance(node.data, str):
            found.add(node.data)
        for child in node.children:
            walk(child)

    walk(app.screen.query_one("#okr-tree").root)
    return found


# ---------------------------------------------------------------- keys


async def type_text(pilot, value: str) -> None:
    await pilot.press(*value)


async def clear_field(pilot) -> None:
    """Empty the focused one-line field (end, then delete everything left of the cursor)."""
    await pilot.press("end", "ctrl+u")


async def wait_screen(pilot, kind, seconds: float = WAIT) -> bool:
    return await until(pilot, lambda: isinstance(pilot.app.screen, kind), seconds=seconds)


async def wait_scorecard(pilot) -> bool:
    return await until(pilot, lambda: type(pilot.app.screen) is ScorecardScreen, seconds=WAIT)


async def wait_said(pilot, start: str) -> bool:
    return await until(pilot, lambda: said(pilot.app, start), seconds=WAIT)


async def palette(pilot, name: str) -> None:
    """ctrl+p, the command's name, and enter once the palette offers it first."""
    app = pilot.app
    await pilot.press("ctrl+p")
    assert await wait_screen(pilot, CommandPalette)
    await type_text(pilot, name)

    def offered() -> bool:
        listing = app.screen.query_one(CommandList)
        if listing.option_count == 0 or listing.highlighted is None:
            return False
        prompt = listing.get_option_at_index(listing.highlighted).prompt
        plain = getattr(prompt, "plain", None) or str(prompt)
        return plain.startswith(name)

    assert await until(pilot, offered, seconds=WAIT), f"the palette does not offer {name!r} first"
    await pilot.press("enter")
    await until(pilot, lambda: not isinstance(app.screen, CommandPalette), seconds=WAIT)


async def new_cycle_2027(pilot) -> None:
    """shift+tab to the header (from the first pane), n, enter: 2027-Q1 is made and shown;
    then tab back to the Financial pane."""
    app = pilot.app
    await pilot.press("shift+tab")
    assert focused_id(app) == "header"
    await pilot.press("n")
    assert await until(pilot, lambda: is_form(app, "New cycle"), seconds=WAIT)
    await pilot.press("enter")
    assert await until(pilot, lambda: app.board.cycle is not None and app.board.cycle.id == "2027-Q1"
                       and not isinstance(app.screen, FormScreen), seconds=WAIT)
    await saved(app, pilot)
    await pilot.press("tab")
    assert focused_id(app) == "list-financial"


async def to_unaligned(pilot) -> None:
    """tab 4 times from Financial: the unaligned list, on O-17."""
    await pilot.press("tab", "tab", "tab", "tab")
    assert focused_id(pilot.app) == "unaligned"
    assert pilot.app.focused.highlighted_id == "O-17"


# ---------------------------------------------------------------- strategic objectives


class TestNewStrategicObjective:
    async def test_n_opens_the_form_and_enter_saves_it_with_defaults(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert focused_id(app) == "list-financial"
            await pilot.press("n")
            assert await until(pilot, lambda: is_form(app), seconds=WAIT)
            assert form_title(app) == "New strategic objective \u00b7 Financial"
            assert focused_id(app) == "code"
            await type_text(pilot, "F4")
            await pilot.press("tab")
            assert focused_id(app) == "title"
            await type_text(pilot, "Grow services revenue")
            await pilot.press("enter")
            assert await until(pilot, lambda: "F4" in strategy(sample_store), seconds=WAIT)
            await saved(app, pilot)
            assert await until(pilot, lambda: type(app.screen) is ScorecardScreen
                               and focused_id(app) == "list-financial"
                               and app.focused.highlighted_id == "F4", seconds=WAIT)
            # In the store: what was typed, and the defaults for what was not.
            doc = strategy(sample_store)["F4"]
            assert doc["title"] == "Grow services revenue"
            assert doc["perspective"] == "financial"
            assert doc["owner"] == "" and doc["description"] == ""
            assert doc["drives"] == [] and doc["measures"] == [] and doc["initiatives"] == []
            # On screen: the Financial pane lists it last.
            assert [r[:2] for r in rows(app, "financial")] == ["F1", "F2", "F3", "F4"]
            assert "Grow services revenue" in row(app, "financial", "F4")
            assert said(app, "New strategic objective F4")


class TestStrategicValidation:
    async def test_a_taken_code_is_said_beside_the_code_field_as_it_is_typed(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("n")
            assert await until(pilot, lambda: is_form(app), seconds=WAIT)
            await type_text(pilot, "F1")
            # Said at once, beside the field being typed in (the title is not typed yet).
            assert await until(pilot, lambda: error_of(app, "code") == "F1 is taken", seconds=WAIT), \
                f"#code-error says {error_of(app, 'code')!r}"
            await pilot.press("escape")
            assert await wait_scorecard(pilot)
        assert snapshot_bytes(sample_store) == before

    async def test_a_taken_code_keeps_the_form_open(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("n")
            assert await until(pilot, lambda: is_form(app), seconds=WAIT)
            await type_text(pilot, "F1")
            await pilot.press("tab")
            await type_text(pilot, "Another revenue objective")
            assert await until(pilot, lambda: error_of(app, "code") == "F1 is taken", seconds=WAIT)
            await pilot.press("enter")
            await saved(app, pilot)
            assert is_form(app), "enter dismissed a form with a taken code"
            assert error_of(app, "code") == "F1 is taken"
            assert focused_id(app) == "code"  # the cursor goes to the field that is wrong
            await pilot.press("escape")
            assert await wait_scorecard(pilot)
            assert [r[:2] for r in rows(app, "financial")] == ["F1", "F2", "F3"]
        assert snapshot_bytes(sample_store) == before

    async def test_a_code_like_a_ref_is_refused(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("n")
            assert await until(pilot, lambda: is_form(app), seconds=WAIT)
            await type_text(pilot, "O-3")
            await pilot.press("tab")
            await type_text(pilot, "Looks like a ref")
            assert await until(pilot, lambda: "looks like a ref" in error_of(app, "code"), seconds=WAIT), \
                f"#code-error says {error_of(app, 'code')!r}"
            await pilot.press("enter")
            await saved(app, pilot)
            assert is_form(app)
            await pilot.press("escape")
            assert await wait_scorecard(pilot)
        assert snapshot_bytes(sample_store) == before

    async def test_an_unknown_code_in_drives_is_said_beside_drives(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("n")
            assert await until(pilot, lambda: is_form(app), seconds=WAIT)
            await type_text(pilot, "F4")
            await pilot.press("tab")
            await type_text(pilot, "Grow services revenue")
            await pilot.press("tab", "tab", "tab")  # owner, description, drives
            assert focused_id(app) == "drives"
            await type_text(pilot, "F1 Z9")
            assert await until(pilot, lambda: "unknown code" in error_of(app, "drives"), seconds=WAIT), \
                f"#drives-error says {error_of(app, 'drives')!r}"
            assert error_of(app, "drives") == "unknown code Z9"
            await pilot.press("enter")
            await saved(app, pilot)
            assert is_form(app)
            assert focused_id(app) == "drives"
            await pilot.press("escape")
            assert await wait_scorecard(pilot)
        assert snapshot_bytes(sample_store) == before

    async def test_an_empty_title_is_refused(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("n")
            assert await until(pilot, lambda: is_form(app), seconds=WAIT)
            await type_text(pilot, "F4")
            await saved(app, pilot)
            # Not said while the user is still on the code: the title is not typed yet.
            assert error_of(app, "title") == "" and error_of(app, "code") == ""
            await pilot.press("enter")
            await saved(app, pilot)
            assert is_form(app)
            assert focused_id(app) == "title"
            assert error_of(app, "title") != ""
            await pilot.press("escape")
            assert await wait_scorecard(pilot)
        assert snapshot_bytes(sample_store) == before

    async def test_a_measure_without_target_is_refused(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("n")
            assert await until(pilot, lambda: is_form(app), seconds=WAIT)
            await type_text(pilot, "F4")
            await pilot.press("tab")
            await type_text(pilot, "Grow services revenue")
            await pilot.press("tab", "tab", "tab", "tab")  # owner, description, drives, measures
            assert focused_id(app) == "measures"
            await type_text(pilot, "Services revenue | $M | 1")
            assert await until(pilot, lambda: error_of(app, "measures").startswith("line 1: a target is required"),
                               seconds=WAIT), f"#measures-error says {error_of(app, 'measures')!r}"
            # enter in a text area is a new line; tab to a one-line field and enter there.
            await pilot.press("shift+tab")
            assert focused_id(app) == "drives"
            await pilot.press("enter")
            await saved(app, pilot)
            assert is_form(app)
            assert focused_id(app) == "measures"
            await pilot.press("escape")
            assert await wait_scorecard(pilot)
        assert snapshot_bytes(sample_store) == before


class TestEditStrategicObjective:
    async def test_e_edits_the_title(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("e")
            assert await until(pilot, lambda: is_form(app, "Edit F1"), seconds=WAIT)
            assert value_of(app, "code") == "F1"
            assert value_of(app, "title") == "Grow annual recurring revenue"
            assert focused_id(app) == "code"
            await pilot.press("tab")
            await clear_field(pilot)
            await type_text(pilot, "Grow ARR to 25M")
            await pilot.press("enter")
            assert await until(pilot, lambda: strategy(sample_store)["F1"]["title"] == "Grow ARR to 25M",
                               seconds=WAIT)
            await saved(app, pilot)
            doc = strategy(sample_store)["F1"]
            assert doc["owner"] == "cro" and doc["perspective"] == "financial"  # what was not typed stays
            assert await until(pilot, lambda: "Grow ARR to 25M" in row(app, "financial", "F1"), seconds=WAIT)

    async def test_a_new_code_carries_links_and_alignments(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("e")
            assert await until(pilot, lambda: is_form(app, "Edit F1"), seconds=WAIT)
            await clear_field(pilot)
            await type_text(pilot, "F9")
            await pilot.press("enter")
            assert await until(pilot, lambda: "F9" in strategy(sample_store), seconds=WAIT)
            await saved(app, pilot)
            codes = strategy(sample_store)
            assert "F1" not in codes
            assert codes["F9"]["title"] == "Grow annual recurring revenue"
            for driver in ("C1", "C2", "C3"):
                assert "F9" in codes[driver]["drives"] and "F1" not in codes[driver]["drives"], driver
            _, o9 = exported_objective(export_doc(sample_store), "O-9")
            assert o9["aligned_to"] == "F9"
            assert await until(pilot, lambda: [r[:2] for r in rows(app, "financial")] == ["F9", "F2", "F3"],
                               seconds=WAIT)
            assert row(app, "financial", "F9").endswith(" 1")  # O-9 still serves it
            assert said(app, "Rename F1 to F9")


class TestDeleteStrategicObjective:
    async def test_d_asks_naming_what_it_unaligns_and_n_or_escape_cancel(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            for cancel in ("n", "escape"):
                await pilot.press("d")
                assert await wait_screen(pilot, ConfirmScreen)
                question = text(app.screen.query_one("#confirm-question"))
                assert "O-9" in question and "unalign" in question
                await pilot.press(cancel)
                assert await wait_scorecard(pilot)
                await saved(app, pilot)
                assert [r[:2] for r in rows(app, "financial")] == ["F1", "F2", "F3"]
        assert snapshot_bytes(sample_store) == before

    async def test_y_deletes_and_unaligns(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("d")
            assert await wait_screen(pilot, ConfirmScreen)
            await pilot.press("y")
            assert await until(pilot, lambda: "F1" not in strategy(sample_store), seconds=WAIT)
            await saved(app, pilot)
            _, o9 = exported_objective(export_doc(sample_store), "O-9")
            assert o9["aligned_to"] is None
            for driver in ("C1", "C2", "C3"):
                assert "F1" not in strategy(sample_store)[driver]["drives"]
            assert await until(pilot, lambda: [r[:2] for r in rows(app, "financial")] == ["F2", "F3"],
                               seconds=WAIT)
            assert unaligned_ids(app) == ["O-9", "O-17"]
            assert said(app, "Delete F1 (unaligned O-9)")

    async def test_a_code_served_in_a_closed_cycle_is_not_deleted(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("j", "j")
            assert app.focused.highlighted_id == "F3"
            await pilot.press("d")

            # Refused at once, before any question: a closed cycle's OKRs serve it.
            assert await wait_said(pilot, "F3 cannot be deleted: OKRs of closed cycle 2026-Q2 serve it"), notes(app)
            assert not isinstance(app.screen, ConfirmScreen)
            await saved(app, pilot)
            assert type(app.screen) is ScorecardScreen
            assert [r[:2] for r in rows(app, "financial")] == ["F1", "F2", "F3"]
        assert snapshot_bytes(sample_store) == before


# ---------------------------------------------------------------- cycles


class TestNewCycle:
    async def test_n_on_the_header_makes_the_next_quarter(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("shift+tab")
            assert focused_id(app) == "header"
            await pilot.press("n")
            assert await until(pilot, lambda: is_form(app, "New cycle"), seconds=WAIT)
            assert (value_of(app, "id"), value_of(app, "start"), value_of(app, "end")) == \
                ("2027-Q1", "2027-01-01", "2027-03-31")
            await pilot.press("enter")
            assert await until(pilot, lambda: "2027-Q1" in cycle_headers(sample_store), seconds=WAIT)
            await saved(app, pilot)
            entry = cycle_headers(sample_store)["2027-Q1"]
            assert (entry["start"], entry["end"], entry["closed"]) == ("2027-01-01", "2027-03-31", False)
            assert await until(pilot, lambda: "2027-Q1" in header(app), seconds=WAIT)
            assert type(app.screen) is ScorecardScreen
            assert "2027-Q1" in screen_text(app)
            assert said(app, "New cycle 2027-Q1")

    async def test_e_on_the_header_edits_the_dates_and_refuses_an_end_before_the_start(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("shift+tab", "e")
            assert await until(pilot, lambda: is_form(app, "Edit cycle 2026-Q4"), seconds=WAIT)
            assert [f.name for f in app.screen.form.fields] == ["start", "end"]  # the id stays
            await pilot.press("tab", "end", "ctrl+u")
            await type_text(pilot, "2026-09-01")
            assert await until(pilot, lambda: "before start" in error_of(app, "end"), seconds=WAIT)
            await pilot.press("enter")
            await saved(app, pilot)
            assert is_form(app)
            await pilot.press("ctrl+u")
            await type_text(pilot, "2027-01-15")
            await pilot.press("enter")
            assert await until(pilot, lambda: cycle_headers(sample_store)["2026-Q4"]["end"] == "2027-01-15",
                               seconds=WAIT)
            assert await wait_said(pilot, "Edit cycle 2026-Q4"), notes(app)

    async def test_d_on_the_header_deletes_the_cycle_after_asking_and_u_brings_it_back(self, sample_store):
        before = export_doc(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("shift+tab")
            assert focused_id(app) == "header"
            await pilot.press("d")
            assert await wait_screen(pilot, ConfirmScreen)
            question = text(app.screen.query_one("#confirm-question"))
            assert "10 objectives and 36 key results" in question
            await pilot.press("y")
            assert await until(pilot, lambda: "2026-Q4" not in cycle_headers(sample_store), seconds=WAIT)
            assert await wait_said(pilot, "Delete cycle 2026-Q4"), notes(app)
            assert await until(pilot, lambda: "2026-Q3" in header(app), seconds=WAIT)  # the default cycle now
            await pilot.press("u")
            assert await wait_said(pilot, "Undone: Delete cycle 2026-Q4"), notes(app)
            assert await until(pilot, lambda: export_doc(sample_store) == before, seconds=WAIT)
            assert await until(pilot, lambda: "2026-Q4" in header(app), seconds=WAIT)  # the cycle it brought back


# ---------------------------------------------------------------- the drill-down


class TestDrillDownPlanning:
    async def test_n_on_the_root_makes_an_objective_then_offers_its_first_key_result(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter")
            assert await until(pilot, lambda: isinstance(app.screen, DrillScreen) and cursor(app) == "F1",
                               seconds=WAIT)
            await pilot.press("n")
            assert await until(pilot, lambda: is_form(app), seconds=WAIT)
            assert form_title(app) == "New objective in 2026-Q4 \u00b7 serves F1"
            assert focused_id(app) == "title"
            await type_text(pilot, "Open a partner channel")
            await pilot.press("enter")
            # Right after the save, the form of its first key result.
            assert await until(pilot, lambda: is_form(app, "New key result of O-19"), seconds=WAIT), \
                f"screen {type(app.screen).__name__}: {form_title(app) if is_form(app) else ''}"
            cycle_id, o19 = exported_objective(export_doc(sample_store), "O-19")
            assert cycle_id == "2026-Q4"
            assert o19["aligned_to"] == "F1" and o19["parent"] is None
            assert o19["title"] == "Open a partner channel" and o19["key_results"] == []
            await pilot.press("escape")  # skips the key result
            assert await until(pilot, lambda: type(app.screen) is DrillScreen, seconds=WAIT)
            await saved(app, pilot)
            assert "O-19" in tree_refs(app)
            assert cursor(app) == "O-19"
            assert exported_objective(export_doc(sample_store), "O-19")[1]["key_results"] == []

    async def test_n_on_an_objective_makes_a_key_result_of_it(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter", *PAST_F1_MEASURES, "down")
            assert await until(pilot, lambda: cursor(app) == "O-9", seconds=WAIT)
            await pilot.press("n")
            assert await until(pilot, lambda: is_form(app, "New key result of O-9"), seconds=WAIT)
            await type_text(pilot, "Partner-sourced ARR")
            await pilot.press("tab", "0", "tab", *"300")
            await pilot.press("enter")
            assert await until(pilot, lambda: has_kr(export_doc(sample_store), "KR-64"), seconds=WAIT)
            await saved(app, pilot)
            kr = find_kr(export_doc(sample_store), "KR-64")
            assert (kr["title"], kr["start"], kr["target"], kr["kind"], kr["weight"]) == \
                ("Partner-sourced ARR", 0, 300, "metric", 1)
            _, o9 = exported_objective(export_doc(sample_store), "O-9")
            assert [k["ref"] for k in o9["key_results"]] == ["KR-28", "KR-29", "KR-30", "KR-31", "KR-64"]
            assert await until(pilot, lambda: type(app.screen) is DrillScreen and cursor(app) == "KR-64",
                               seconds=WAIT)

    async def test_e_on_a_key_result_edits_it(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_kr28(pilot)
            assert cursor(app) == "KR-28"
            await pilot.press("e")
            assert await until(pilot, lambda: is_form(app, "Edit KR-28"), seconds=WAIT)
            assert value_of(app, "title") == "New ARR booked"
            assert (value_of(app, "start"), value_of(app, "target")) == ("0", "1500")
            await clear_field(pilot)
            await type_text(pilot, "New ARR signed")
            await pilot.press("enter")
            assert await until(pilot, lambda: find_kr(export_doc(sample_store), "KR-28")["title"] == "New ARR signed",
                               seconds=WAIT)
            await saved(app, pilot)
            kr = find_kr(export_doc(sample_store), "KR-28")
            assert (kr["current"], kr["target"], len(kr["checkins"])) == (690, 1500, 6)  # kept
            assert type(app.screen) is DrillScreen
            assert await until(pilot, lambda: "New ARR signed" in text(app.screen.query_one("#detail-text")),
                               seconds=WAIT)

    async def test_d_on_a_key_result_deletes_it_after_y(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_kr28(pilot)
            await pilot.press("d")
            assert await wait_screen(pilot, ConfirmScreen)
            assert "KR-28" in text(app.screen.query_one("#confirm-question"))
            await pilot.press("y")
            assert await until(pilot, lambda: not has_kr(export_doc(sample_store), "KR-28"), seconds=WAIT)
            await saved(app, pilot)
            _, o9 = exported_objective(export_doc(sample_store), "O-9")
            assert [k["ref"] for k in o9["key_results"]] == ["KR-29", "KR-30", "KR-31"]
            assert type(app.screen) is DrillScreen
            assert await until(pilot, lambda: "KR-28" not in tree_refs(app), seconds=WAIT)

    async def test_d_on_a_parent_objective_unlinks_its_child(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await goto(pilot, "O-11")
            assert isinstance(app.screen, DrillScreen) and app.screen.code == "P1" and cursor(app) == "O-11"
            await pilot.press("d")
            assert await wait_screen(pilot, ConfirmScreen)
            question = text(app.screen.query_one("#confirm-question"))
            assert "O-12" in question and "parent" in question
            await pilot.press("y")
            assert await until(pilot, lambda: not has_objective(export_doc(sample_store), "O-11"), seconds=WAIT)
            await saved(app, pilot)
            doc = export_doc(sample_store)
            _, o12 = exported_objective(doc, "O-12")
            assert o12["parent"] is None
            assert not any(has_kr(doc, ref) for ref in ("KR-37", "KR-38", "KR-39"))
            assert said(app, "Delete O-11 (unlinked O-12)")

    async def test_the_question_on_a_parent_says_its_child_loses_its_parent(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await goto(pilot, "O-11")
            await pilot.press("d")
            assert await wait_screen(pilot, ConfirmScreen)
            question = text(app.screen.query_one("#confirm-question"))
            # One child: "loses its parent" (not "lose their parent").
            assert "Its cascaded child O-12 loses its parent." in question, question
            await pilot.press("n")


class TestKeyResultForm:
    async def test_target_equal_to_start_is_refused_beside_the_target(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter", *PAST_F1_MEASURES, "down")
            assert await until(pilot, lambda: cursor(app) == "O-9", seconds=WAIT)
            await pilot.press("n")
            assert await until(pilot, lambda: is_form(app, "New key result of O-9"), seconds=WAIT)
            await type_text(pilot, "Flat")
            await pilot.press("tab", "5", "tab", "5")
            assert focused_id(app) == "target"
            assert await until(pilot, lambda: "equals start" in error_of(app, "target"), seconds=WAIT), \
                f"#target-error says {error_of(app, 'target')!r}"
            assert error_of(app, "start") == ""
            await pilot.press("enter")
            await saved(app, pilot)
            assert is_form(app)
            await pilot.press("escape")
            assert await until(pilot, lambda: type(app.screen) is DrillScreen, seconds=WAIT)
        assert snapshot_bytes(sample_store) == before

    async def test_a_milestone_through_the_kind_picker(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter", *PAST_F1_MEASURES, "down")
            assert await until(pilot, lambda: cursor(app) == "O-9", seconds=WAIT)
            await pilot.press("n")
            assert await until(pilot, lambda: is_form(app, "New key result of O-9"), seconds=WAIT)
            await type_text(pilot, "Partner program launched")
            await pilot.press("tab", "tab", "tab", "tab")  # start, target, unit, kind
            assert isinstance(app.focused, ChoicePicker) and focused_id(app) == "kind"
            assert app.focused.value == "metric"
            await pilot.press("2")
            assert app.focused.value == "milestone"
            await pilot.press("enter")
            assert await until(pilot, lambda: has_kr(export_doc(sample_store), "KR-64"), seconds=WAIT)
            await saved(app, pilot)
            kr = find_kr(export_doc(sample_store), "KR-64")
            assert (kr["title"], kr["kind"], kr["start"], kr["target"], kr["current"]) == \
                ("Partner program launched", "milestone", 0, 1, 0)
            assert await until(pilot, lambda: type(app.screen) is DrillScreen and cursor(app) == "KR-64",
                               seconds=WAIT)


# ---------------------------------------------------------------- alignment


class TestAlign:
    async def test_a_on_an_unaligned_objective_aligns_it(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert balance_line(app).split()[-4:] == ["L&G", "0%", "index", "0.72"]
            await to_unaligned(pilot)
            await pilot.press("a")
            assert await wait_screen(pilot, PickScreen)
            assert focused_id(app) == "pick-filter"
            assert highlighted_pick(app) == "-"  # where it is now: nothing
            await type_text(pilot, "L1")
            assert await until(pilot, lambda: highlighted_pick(app) == "S:L1", seconds=WAIT)
            await pilot.press("enter")
            assert await until(pilot, lambda: exported_objective(export_doc(sample_store), "O-17")[1]["aligned_to"]
                               == "L1", seconds=WAIT)
            await saved(app, pilot)
            assert await wait_scorecard(pilot)
            shares = report_doc("--as-of", AS_OF, store=sample_store)["balance"]["shares"]
            assert shares == {"financial": 0.2, "customer": 0.2, "internal_process": 0.5, "learning_growth": 0.1}
            assert await until(pilot, lambda: "L&G 10%" in balance_line(app), seconds=WAIT), balance_line(app)
            assert balance_line(app).split()[:13] == ["Balance", "Fin", "20%", "\u00b7", "Cust", "20%", "\u00b7",
                                                      "Proc", "50%", "\u00b7", "L&G", "10%", "index"]
            assert not app.screen.query_one("#unaligned").display  # none left
            assert row(app, "learning_growth", "L1").splitlines()[0].endswith(" 1")  # O-17 serves it
            assert said(app, "Align O-17 to L1")

    async def test_a_parent_that_would_loop_is_disabled(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await goto(pilot, "O-11")
            assert cursor(app) == "O-11"
            await pilot.press("a")
            assert await wait_screen(pilot, PickScreen)
            options = {o.id: o for o in pick_options(app)}
            o12 = options["P:O-12"]
            assert o12.disabled
            assert "loop" in str(o12.prompt)
            assert not options["P:O-9"].disabled
            assert highlighted_pick(app) == "S:P1"  # where it is now
            await type_text(pilot, "O-12")
            assert await until(pilot, lambda: [o.id for o in pick_options(app)] == ["P:O-12"], seconds=WAIT)
            assert highlighted_pick(app) is None
            await pilot.press("enter")
            await saved(app, pilot)
            assert isinstance(app.screen, PickScreen)  # nothing picked
            await pilot.press("escape")
            assert await until(pilot, lambda: type(app.screen) is DrillScreen, seconds=WAIT)
            await saved(app, pilot)
        assert snapshot_bytes(sample_store) == before


# ---------------------------------------------------------------- the palette's cycle actions


class TestCyclePalette:
    async def test_close_and_reopen(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await palette(pilot, "Close cycle")
            assert await until(pilot, lambda: cycle_headers(sample_store)["2026-Q4"]["closed"] is True,
                               seconds=WAIT)
            await saved(app, pilot)
            assert await until(pilot, lambda: "2026-Q4 closed" in header(app), seconds=WAIT), header(app)
            # c then refuses: a closed cycle takes no check-in.
            before = snapshot_bytes(sample_store)
            await to_kr28(pilot)
            assert cursor(app) == "KR-28"
            await pilot.press("c")
            await pilot.pause()
            assert not isinstance(app.screen, CheckinDialog)
            assert notes(app)[-1] == "Cycle 2026-Q4 is closed: it takes no more check-ins"
            assert snapshot_bytes(sample_store) == before
            await pilot.press("escape")
            assert await wait_scorecard(pilot)
            await palette(pilot, "Reopen cycle")
            assert await until(pilot, lambda: cycle_headers(sample_store)["2026-Q4"]["closed"] is False,
                               seconds=WAIT)
            await saved(app, pilot)
            assert await until(pilot, lambda: "closed" not in header(app), seconds=WAIT), header(app)
            assert "2026-Q4" in header(app)

    async def test_roll_over_into_the_next_cycle(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await new_cycle_2027(pilot)
            await pilot.press("left_square_bracket")
            assert await until(pilot, lambda: "2026-Q4" in header(app), seconds=WAIT)
            await palette(pilot, "Roll over")
            assert await wait_screen(pilot, PickScreen)
            assert highlighted_pick(app) == "2027-Q1"
            options = {o.id: o for o in pick_options(app)}
            assert options["2026-Q2"].disabled and options["2026-Q3"].disabled
            await pilot.press("enter")
            assert await until(pilot, lambda: exported_cycle(export_doc(sample_store), "2027-Q1")["objectives"],
                               seconds=WAIT)
            await saved(app, pilot)
            doc = export_doc(sample_store)
            q4 = exported_cycle(doc, "2026-Q4")["objectives"]
            copied = exported_cycle(doc, "2027-Q1")["objectives"]
            assert len(q4) == 10  # Q4 keeps its own
            titles = [o["title"] for o in copied]
            assert "Grow new mid-market ARR" in titles
            assert copied[0]["ref"] == "O-19"
            assert all(not kr["checkins"] for o in copied for kr in o["key_results"])
            assert await until(pilot, lambda: "2027-Q1" in header(app), seconds=WAIT), header(app)
            assert app.board.cycle.id == "2027-Q1"
            assert sorted(o.title for o in app.board.objectives()) == sorted(titles)
            assert said(app, f"Roll over {len(copied)} objectives from 2026-Q4 to 2027-Q1")

    async def test_move_objective_to_another_cycle(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await new_cycle_2027(pilot)
            await pilot.press("left_square_bracket")
            assert await until(pilot, lambda: "2026-Q4" in header(app), seconds=WAIT)
            await pilot.press("enter", *PAST_F1_MEASURES, "down")
            assert await until(pilot, lambda: isinstance(app.screen, DrillScreen) and cursor(app) == "O-9",
                               seconds=WAIT)
            await palette(pilot, "Move objective")
            assert await wait_screen(pilot, PickScreen)
            assert highlighted_pick(app) == "2027-Q1"
            await pilot.press("enter")
            assert await until(pilot, lambda: exported_objective(export_doc(sample_store), "O-9")[0] == "2027-Q1",
                               seconds=WAIT)
            await saved(app, pilot)
            _, o9 = exported_objective(export_doc(sample_store), "O-9")
            assert [k["ref"] for k in o9["key_results"]] == ["KR-28", "KR-29", "KR-30", "KR-31"]
            assert len(find_kr(export_doc(sample_store), "KR-28")["checkins"]) == 6  # its history goes along
            assert type(app.screen) is DrillScreen
            assert await until(pilot, lambda: "O-9" not in tree_refs(app), seconds=WAIT)
            assert said(app, "Move O-9 to 2027-Q1")


# ---------------------------------------------------------------- undo


def undone(app) -> list[str]:
    return [n.message for n in app._notifications if n.message.startswith("Undone: ")]


class TestUndo:
    async def test_u_takes_back_a_check_in(self, sample_store):
        before = export_doc(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_kr28(pilot)
            await pilot.press("c", "1", "4", "enter")
            await saved(app, pilot)
            assert await until(pilot, lambda: find_kr(export_doc(sample_store), "KR-28")["current"] == 14,
                               seconds=WAIT)
            await pilot.press("u")
            assert await until(pilot, lambda: undone(app) == ["Undone: Check-in on KR-28"], seconds=WAIT), notes(app)
            await saved(app, pilot)
            kr = find_kr(export_doc(sample_store), "KR-28")
            assert kr["current"] == 690 and len(kr["checkins"]) == 6
            assert export_doc(sample_store) == before
            assert await until(pilot, lambda: "current 690" in text(app.screen.query_one("#detail-text")),
                               seconds=WAIT)

    async def test_undo_goes_most_recent_first(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            for code, title in (("F1", "First edit"), ("F2", "Second edit")):
                await pilot.press("e")
                assert await until(pilot, lambda code=code: is_form(app, f"Edit {code}"), seconds=WAIT)
                await pilot.press("tab")
                await clear_field(pilot)
                await type_text(pilot, title)
                await pilot.press("enter")
                assert await until(pilot, lambda code=code, title=title: strategy(sample_store)[code]["title"] == title,
                                   seconds=WAIT)
                await saved(app, pilot)
                await pilot.press("down")  # F1 -> F2
            await pilot.press("u")
            assert await until(pilot, lambda: undone(app) == ["Undone: Edit F2"], seconds=WAIT), notes(app)
            await saved(app, pilot)
            assert strategy(sample_store)["F2"]["title"] == "Improve gross margin"
            assert strategy(sample_store)["F1"]["title"] == "First edit"
            await pilot.press("u")
            assert await until(pilot, lambda: undone(app) == ["Undone: Edit F2", "Undone: Edit F1"],
                               seconds=WAIT), notes(app)
            await saved(app, pilot)
            assert strategy(sample_store)["F1"]["title"] == "Grow annual recurring revenue"
            assert await until(pilot, lambda: "Grow annual recurring" in row(app, "financial", "F1"), seconds=WAIT)

    async def test_undo_of_a_delete_puts_back_what_it_unaligned(self, sample_store):
        before = export_doc(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("d")
            assert await wait_screen(pilot, ConfirmScreen)
            await pilot.press("y")
            assert await until(pilot, lambda: "F1" not in strategy(sample_store), seconds=WAIT)
            await saved(app, pilot)
            await pilot.press("u")
            assert await until(pilot, lambda: undone(app) == ["Undone: Delete F1 (unaligned O-9)"], seconds=WAIT), \
                notes(app)
            await saved(app, pilot)
            assert "F1" in strategy(sample_store)
            _, o9 = exported_objective(export_doc(sample_store), "O-9")
            assert o9["aligned_to"] == "F1"
            for driver in ("C1", "C2", "C3"):
                assert "F1" in strategy(sample_store)[driver]["drives"]
            assert export_doc(sample_store) == before
            assert await until(pilot, lambda: [r[:2] for r in rows(app, "financial")] == ["F1", "F2", "F3"],
                               seconds=WAIT)
            assert unaligned_ids(app) == ["O-17"]

    async def test_undo_of_an_alignment(self, sample_store):
        before = export_doc(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_unaligned(pilot)
            await pilot.press("a")
            assert await wait_screen(pilot, PickScreen)
            await type_text(pilot, "L1")
            assert await until(pilot, lambda: highlighted_pick(app) == "S:L1", seconds=WAIT)
            await pilot.press("enter")
            assert await until(pilot, lambda: exported_objective(export_doc(sample_store), "O-17")[1]["aligned_to"]
                               == "L1", seconds=WAIT)
            await saved(app, pilot)
            await pilot.press("u")
            assert await until(pilot, lambda: undone(app) == ["Undone: Align O-17 to L1"], seconds=WAIT), notes(app)
            await saved(app, pilot)
            assert exported_objective(export_doc(sample_store), "O-17")[1]["aligned_to"] is None
            assert export_doc(sample_store) == before
            assert await until(pilot, lambda: "L&G 0%" in balance_line(app), seconds=WAIT), balance_line(app)
            assert unaligned_ids(app) == ["O-17"]

    async def test_undo_of_a_move(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await new_cycle_2027(pilot)
            await pilot.press("left_square_bracket")
            assert await until(pilot, lambda: "2026-Q4" in header(app), seconds=WAIT)
            before = export_doc(sample_store)
            await pilot.press("enter", *PAST_F1_MEASURES, "down")
            assert await until(pilot, lambda: cursor(app) == "O-9", seconds=WAIT)
            await palette(pilot, "Move objective")
            assert await wait_screen(pilot, PickScreen)
            await pilot.press("enter")
            assert await until(pilot, lambda: exported_objective(export_doc(sample_store), "O-9")[0] == "2027-Q1",
                               seconds=WAIT)
            await saved(app, pilot)
            await pilot.press("u")
            assert await until(pilot, lambda: undone(app) == ["Undone: Move O-9 to 2027-Q1"], seconds=WAIT), notes(app)
            await saved(app, pilot)
            cycle_id, o9 = exported_objective(export_doc(sample_store), "O-9")
            assert cycle_id == "2026-Q4"
            assert [k["ref"] for k in o9["key_results"]] == ["KR-28", "KR-29", "KR-30", "KR-31"]
            assert len(find_kr(export_doc(sample_store), "KR-28")["checkins"]) == 6
            assert export_doc(sample_store) == before
            assert await until(pilot, lambda: "O-9" in tree_refs(app), seconds=WAIT)

    async def test_undo_of_a_roll_over(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await new_cycle_2027(pilot)
            await pilot.press("left_square_bracket")
            assert await until(pilot, lambda: "2026-Q4" in header(app), seconds=WAIT)
            before = export_doc(sample_store)
            await palette(pilot, "Roll over")
            assert await wait_screen(pilot, PickScreen)
            await pilot.press("enter")
            assert await until(pilot, lambda: exported_cycle(export_doc(sample_store), "2027-Q1")["objectives"],
                               seconds=WAIT)
            await saved(app, pilot)
            await pilot.press("u")
            assert await until(pilot, lambda: any(m.startswith("Undone: Roll over ") for m in undone(app)),
                               seconds=WAIT), notes(app)
            await saved(app, pilot)
            assert exported_cycle(export_doc(sample_store), "2027-Q1")["objectives"] == []
            assert export_doc(sample_store) == before
            assert await until(pilot, lambda: app.board.cycle.id == "2027-Q1" and not app.board.objectives(),
                               seconds=WAIT)
            assert "2027-Q1" in header(app)

    async def test_undo_of_a_close(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await palette(pilot, "Close cycle")
            assert await until(pilot, lambda: cycle_headers(sample_store)["2026-Q4"]["closed"] is True,
                               seconds=WAIT)
            await saved(app, pilot)
            assert await until(pilot, lambda: "2026-Q4 closed" in header(app), seconds=WAIT)
            await pilot.press("u")
            assert await until(pilot, lambda: undone(app) == ["Undone: Close cycle 2026-Q4"], seconds=WAIT), notes(app)
            await saved(app, pilot)
            assert cycle_headers(sample_store)["2026-Q4"]["closed"] is False
            assert await until(pilot, lambda: "closed" not in header(app), seconds=WAIT), header(app)

    async def test_u_with_nothing_to_undo_says_so(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("u")
            assert await wait_said(pilot, "Nothing to undo"), notes(app)
            await saved(app, pilot)
            assert type(app.screen) is ScorecardScreen
        assert snapshot_bytes(sample_store) == before

    async def _edit_o9_then_ben_edits_it(self, app, pilot, store_path: Path) -> None:
        await pilot.press("enter", *PAST_F1_MEASURES, "down")
        assert await until(pilot, lambda: isinstance(app.screen, DrillScreen) and cursor(app) == "O-9",
                           seconds=WAIT)
        await pilot.press("e")
        assert await until(pilot, lambda: is_form(app, "Edit O-9"), seconds=WAIT)
        await clear_field(pilot)
        await type_text(pilot, "Mine")
        await pilot.press("enter")
        assert await until(pilot, lambda: exported_objective(export_doc(store_path), "O-9")[1]["title"] == "Mine",
                           seconds=WAIT)
        await saved(app, pilot)
        # Another process (ben) changes O-9 after that.
        operations.perform(Store(store_path), lambda tx: planning.edit_objective(tx, "O-9", {"title": "Bens"}),
                           author="ben")
        assert exported_objective(export_doc(store_path), "O-9")[1]["title"] == "Bens"
        assert await until(pilot, lambda: app.board.objective("O-9") is not None
                           and app.board.objective("O-9").title == "Bens", seconds=WAIT)
        await saved(app, pilot)

    async def test_an_undo_after_another_change_is_refused(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await self._edit_o9_then_ben_edits_it(app, pilot, sample_store)
            before = snapshot_bytes(sample_store)
            await pilot.press("u")
            assert await wait_said(pilot, "Not undone"), notes(app)
            await saved(app, pilot)
            refusal = next(m for m in notes(app) if m.startswith("Not undone"))
            assert refusal.startswith("Not undone: Edit O-9")
            assert not undone(app)
            assert exported_objective(export_doc(sample_store), "O-9")[1]["title"] == "Bens"
            assert snapshot_bytes(sample_store) == before
            assert app.board.objective("O-9").title == "Bens"

    async def test_the_earlier_editor_is_told(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await self._edit_o9_then_ben_edits_it(app, pilot, sample_store)
            assert await wait_said(pilot, "ben changed O-9 after you"), notes(app)
            told = next(n for n in app._notifications if n.message.startswith("ben changed O-9 after you"))
            assert told.severity == "warning"
            assert "Edit O-9" in told.message

    async def test_the_later_save_wins_and_says_whose_change_it_replaced(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter", *PAST_F1_MEASURES, "down")
            assert await until(pilot, lambda: isinstance(app.screen, DrillScreen) and cursor(app) == "O-9",
                               seconds=WAIT)
            await pilot.press("e")
            assert await until(pilot, lambda: is_form(app, "Edit O-9"), seconds=WAIT)
            # While the form is open, ben saves his own title for O-9.
            operations.perform(Store(sample_store),
                               lambda tx: planning.edit_objective(tx, "O-9", {"title": "Bens"}), author="ben")
            await clear_field(pilot)
            await type_text(pilot, "Mine")
            await pilot.press("enter")
            assert await wait_said(pilot, "Edit O-9 \u00b7 it replaced ben's change (Edit O-9, "), notes(app)
            assert exported_objective(export_doc(sample_store), "O-9")[1]["title"] == "Mine"


# ---------------------------------------------------------------- a read-only store


class TestReadOnlyPlanning:
    async def test_n_says_the_store_is_read_only_and_opens_nothing(self, sample_store):
        before = snapshot_bytes(sample_store)
        app = OkrApp(Store(sample_store, read_only=True), as_of=AS_OF_DATE, user="tester")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("n")
            assert await wait_said(pilot, "The store is read-only: nothing can be changed"), notes(app)
            assert type(app.screen) is ScorecardScreen
            assert not isinstance(app.screen, FormScreen)
        assert snapshot_bytes(sample_store) == before


# ---------------------------------------------------------------- the strategy map


class TestStrategyMap:
    async def _map(self, app, pilot):
        from okrtui.app.screens.strategy_map import MapScreen

        await pilot.press("m")
        assert await wait_screen(pilot, MapScreen)
        return app.screen

    async def _down_to(self, pilot, screen, code: str) -> None:
        for _ in range(10):  # down through the rows of the bands (3 boxes a row at 80 columns)
            if screen.cursor == code:
                return
            await pilot.press("down")
        assert screen.cursor == code

    async def test_arrows_cross_the_bands_and_enter_drills_down_and_back(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await self._map(app, pilot)
            assert screen.cursor == "F1"
            await pilot.press("right", "down")  # F2, then C2 below it
            assert screen.cursor == "C2"
            links = text(screen.query_one("#map-links"))
            assert "drives      F1" in links and "F2" in links and "driven by   P1" in links
            await pilot.press("enter")
            assert await wait_screen(pilot, DrillScreen)
            assert app.screen.code == "C2"
            await pilot.press("escape")
            assert await until(pilot, lambda: app.screen is screen, seconds=WAIT)

    async def test_n_adds_to_the_band_of_the_cursor_and_the_box_appears(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await self._map(app, pilot)
            await self._down_to(pilot, screen, "L1")
            await pilot.press("n")
            assert await until(pilot, lambda: is_form(app, "New strategic objective \u00b7 Learning & Growth"),
                               seconds=WAIT)
            await type_text(pilot, "L2")
            await pilot.press("tab")
            await type_text(pilot, "Hire well")
            await pilot.press("enter")
            assert await until(pilot, lambda: "L2" in screen._boxes and screen.cursor == "L2", seconds=WAIT)
            assert strategy(sample_store)["L2"]["perspective"] == "learning_growth"
            # Twice: a band rebuilt again while its old boxes are still going must not collide.
            await pilot.press("n")
            assert await until(pilot, lambda: is_form(app), seconds=WAIT)
            await type_text(pilot, "L3")
            await pilot.press("tab")
            await type_text(pilot, "Coach leads")
            await pilot.press("enter")
            assert await until(pilot, lambda: "L3" in screen._boxes, seconds=WAIT)
            assert app.is_running

    async def test_d_on_a_box_deletes_after_asking_and_l_adds_a_link(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await self._map(app, pilot)
            await pilot.press("right", "down")  # F2, then C2 (no OKR in any cycle serves it)
            assert screen.cursor == "C2"
            await pilot.press("l")
            assert await wait_screen(pilot, PickScreen)
            await type_text(pilot, "F3")
            await pilot.press("enter")
            assert await until(pilot, lambda: strategy(sample_store)["C2"]["drives"] == ["F1", "F2", "F3"],
                               seconds=WAIT)
            assert await wait_said(pilot, "C2 now drives F3"), notes(app)
            await pilot.press("d")
            assert await wait_screen(pilot, ConfirmScreen)
            assert "Driven by P1, P4, P6, P7" in text(app.screen.query_one("#confirm-question"))
            await pilot.press("y")
            assert await until(pilot, lambda: "C2" not in strategy(sample_store), seconds=WAIT)
            assert await until(pilot, lambda: "C2" not in screen._boxes and app.screen is screen, seconds=WAIT)
            assert "C2" not in strategy(sample_store)["P1"]["drives"]
            assert app.is_running


class TestOnTheDrillDownRoot:
    async def test_e_on_the_root_edits_the_strategic_objective_and_a_rename_goes_back(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter")
            assert await until(pilot, lambda: isinstance(app.screen, DrillScreen) and cursor(app) == "F1",
                               seconds=WAIT)
            await pilot.press("e")
            assert await until(pilot, lambda: is_form(app, "Edit F1"), seconds=WAIT)
            await pilot.press("end", "ctrl+u")
            await type_text(pilot, "F9")
            await pilot.press("enter")
            assert await until(pilot, lambda: "F9" in strategy(sample_store), seconds=WAIT)
            # Its drill-down named F1, which is gone: back on the scorecard, the cursor on F9.
            assert await wait_scorecard(pilot)
            assert await until(pilot, lambda: app.focused.highlighted_id == "F9", seconds=WAIT)

    async def test_a_key_result_edit_keeps_a_check_in_made_meanwhile(self, sample_store):
        app = make_app(sample_store)
        async with app.run_test(size=SIZE) as pilot:
            await to_kr28(pilot)
            await pilot.press("e")
            assert await until(pilot, lambda: is_form(app, "Edit KR-28"), seconds=WAIT)
            operations.record_checkin(Store(sample_store), "KR-28", "99", author="bob", confidence="blocked")
            await pilot.press("end", "ctrl+u")
            await type_text(pilot, "New ARR signed")
            await pilot.press("enter")
            assert await until(pilot, lambda: find_kr(export_doc(sample_store), "KR-28")["title"] == "New ARR signed",
                               seconds=WAIT)
            kr = find_kr(export_doc(sample_store), "KR-28")
            assert (kr["current"], kr["confidence"]) == (99, "blocked")
