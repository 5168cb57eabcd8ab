"""The planning forms' text, read as the domain models read it (worked by hand)."""

from __future__ import annotations

import datetime as dt

import pytest

from okrtui.app.board import build_board
from okrtui.app.forms import cycle_form, key_result_form, objective_form, strategic_form
from okrtui.store import Store

AS_OF = dt.date(2026, 11, 20)


@pytest.fixture
def board(sample_store):
    return build_board(Store(sample_store), AS_OF)


def strategic_values(**given: str) -> dict[str, str]:
    return {"code": "F4", "title": "Grow margin", "owner": "", "description": "", "drives": "",
            "measures": "", "initiatives": "", **given}


class TestStrategicForm:
    def test_measures_and_initiatives_are_one_per_line(self, board):
        form = strategic_form(board, "financial")
        doc = form.doc(strategic_values(measures="Margin | % | 30 | 40 | 33\n\n  Cash | $M |  | 5 |  ",
                                        initiatives="Price review\n\nVendor audit", drives="C1, C2  F1"))
        assert doc["measures"] == [
            {"name": "Margin", "unit": "%", "baseline": 30, "target": 40, "actual": 33},
            {"name": "Cash", "unit": "$M", "baseline": None, "target": 5, "actual": None}]
        assert doc["initiatives"] == ["Price review", "Vendor audit"]
        assert doc["drives"] == ["C1", "C2", "F1"]
        assert doc["perspective"] == "financial"
        assert form.problems(strategic_values(measures="Margin | % | 30 | 40 | 33")) == {}

    @pytest.mark.parametrize(("given", "field", "message"), [
        ({"code": "F1"}, "code", "F1 is taken"),
        ({"code": ""}, "code", "must not be empty"),
        ({"code": "kr-12"}, "code", "looks like a ref"),
        ({"code": "F 4"}, "code", "letters"),
        ({"title": ""}, "title", "must not be empty"),
        ({"title": "x" * 201}, "title", "200"),
        ({"title": "Bad\u202etext"}, "title", "bidirectional"),
        ({"owner": "a" * 65}, "owner", "64"),
        ({"drives": "X9"}, "drives", "unknown code X9"),
        ({"drives": "F4"}, "drives", "cannot drive itself"),
        ({"measures": "Margin | % | 30"}, "measures", "line 1: a target is required"),
        ({"measures": "Margin | % | 30 | lots"}, "measures", "line 1: 'lots' is not a number"),
        ({"measures": "a|b|1|2|3|4"}, "measures", "more than five parts"),
        ({"measures": "Margin | | | 5\nmargin | | | 6"}, "measures", "line 2: measure name 'margin' is used twice"),
        ({"measures": "Margin | | | 1e999"}, "measures", "line 1:"),
    ])
    def test_what_is_wrong_is_said_beside_its_field(self, board, given, field, message):
        problems = strategic_form(board, "financial").problems(strategic_values(**given))
        assert message in problems.get(field, ""), problems

    def test_a_taken_code_is_said_while_the_title_is_still_empty(self, board):
        problems = strategic_form(board, "financial").problems(strategic_values(code="F1", title=""))
        assert problems["code"] == "F1 is taken" and problems["title"] == "must not be empty"

    def test_editing_keeps_its_own_code_and_fills_the_fields(self, board):
        f1 = board.strategic("F1")
        form = strategic_form(board, "customer", f1)
        values = {f.name: f.value for f in form.fields}
        assert [f.name for f in form.fields] == ["code", "title", "owner", "description", "drives", "measures",
                                                 "initiatives"]  # §5's order
        assert values["code"] == "F1" and form.problems(values) == {}
        assert form.doc(values)["perspective"] == "financial"  # an edit keeps the perspective


class TestOtherForms:
    def test_cycle_form_is_the_next_quarter_and_refuses_a_taken_id(self, board):
        form = cycle_form(board, AS_OF)
        values = {f.name: f.value for f in form.fields}
        assert values == {"id": "2027-Q1", "start": "2027-01-01", "end": "2027-03-31"}
        assert form.problems(values) == {}
        assert form.problems({**values, "id": "2026-Q4"}) == {"id": "cycle 2026-Q4 exists"}
        assert "before start" in form.problems({**values, "end": "2026-12-31"})["end"]
        assert "YYYY-MM-DD" in form.problems({**values, "start": "1 Jan"})["start"]

    def test_key_result_form_defaults_and_problems(self, board):
        objective = board.objective("O-9")
        form = key_result_form(objective)
        assert [f.name for f in form.fields] == ["title", "start", "target", "unit", "kind", "weight"]
        base = {"title": "Logos", "start": "", "target": "", "unit": "", "kind": "metric", "weight": ""}
        doc = form.doc(base)
        assert (doc["start"], doc["target"], doc["weight"], doc["kind"]) == (0, 1, 1, "metric")
        assert "equals start" in form.problems({**base, "start": "3", "target": "3"})["target"]
        assert "greater than 0" in form.problems({**base, "weight": "0"})["weight"]
        assert "not a number" in form.problems({**base, "target": "NaN"})["target"]
        assert "1e15" in form.problems({**base, "target": "1e16"})["target"] or \
            "10^15" in form.problems({**base, "target": "1e16"})["target"]
        assert "milestone runs from start 0 to target 1" in form.problems(
            {**base, "kind": "milestone", "start": "0", "target": "5"})["target"]
        assert form.problems({**base, "kind": "milestone"}) == {}

    def test_objective_form_is_title_then_owner(self):
        form = objective_form(serves="F1", cycle_id="2026-Q4")
        assert [f.name for f in form.fields] == ["title", "owner"]
        assert form.title == "New objective in 2026-Q4 \u00b7 serves F1"
        assert form.problems({"title": "", "owner": ""}) == {"title": "must not be empty"}
