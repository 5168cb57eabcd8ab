"""The domain models' own rules (§2, §7, §9), tested directly."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from okrtui.domain.errors import describe
from okrtui.domain.models import (
    CheckIn,
    Cycle,
    KeyResult,
    Measure,
    Objective,
    Scorecard,
    StrategicObjective,
    latest_checkin,
    parse_time,
)
from okrtui.operations import parse_number, parse_value

UTC = dt.timezone.utc


def checkin(at: str, value, confidence: str = "on-track", **extra) -> dict:
    return {"at": at, "author": "ana", "value": value, "confidence": confidence, **extra}


def kr(**fields) -> KeyResult:
    data = {"title": "A key result", "start": 0, "target": 10}
    data.update(fields)
    return KeyResult.model_validate(data)


def problems(model, data) -> str:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return "\n".join(describe(info.value))


# ---------------------------------------------------------------- key result defaults


def test_key_result_defaults_without_history():
    result = kr()
    assert (result.kind, result.current, result.unit, result.weight, result.confidence, result.checkins) == (
        "metric", 0, "", 1, "on-track", [])
    assert result.ref is None
    assert result.last_checkin_at is None


def test_current_defaults_to_start():
    assert kr(start=40, target=10).current == 40


def test_current_and_confidence_come_from_the_latest_checkin():
    result = kr(checkins=[checkin("2026-11-03T09:00:00Z", 7, "at-risk"),
                          checkin("2026-11-01T09:00:00Z", 2, "blocked")])
    assert (result.current, result.confidence) == (7, "at-risk")
    assert result.last_checkin_at == dt.datetime(2026, 11, 3, 9, tzinfo=UTC)


def test_ties_go_to_the_later_in_the_list():
    result = kr(checkins=[checkin("2026-11-03T09:00:00Z", 7, "at-risk"),
                          checkin("2026-11-03T09:00:00Z", 5, "off-track"),
                          checkin("2026-11-02T09:00:00Z", 1, "blocked")])
    assert (result.current, result.confidence) == (5, "off-track")


def test_ties_compare_instants_not_text():
    result = kr(checkins=[checkin("2026-11-03T11:00:00+02:00", 7), checkin("2026-11-03T09:00:00Z", 5)])
    assert result.current == 5


def test_current_and_confidence_given_are_kept():
    result = kr(current=9, confidence="blocked", checkins=[checkin("2026-11-03T09:00:00Z", 7, "at-risk")])
    assert (result.current, result.confidence) == (9, "blocked")


def test_null_optional_fields_take_defaults():
    result = kr(current=None, confidence=None, unit=None, weight=None, kind=None, ref=None, checkins=None)
    assert (result.kind, result.current, result.unit, result.weight, result.confidence, result.checkins) == (
        "metric", 0, "", 1, "on-track", [])


def test_latest_checkin_helper():
    items = [CheckIn.model_validate(checkin("2026-11-03T09:00:00Z", v)) for v in (1, 2)]
    assert latest_checkin(items) is items[1]
    assert latest_checkin([]) is None


# ---------------------------------------------------------------- milestones


def test_milestone_defaults_to_zero_to_one():
    result = KeyResult.model_validate({"title": "Ship it", "kind": "milestone"})
    assert (result.start, result.target, result.current) == (0, 1, 0)


def test_milestone_current_from_history():
    result = KeyResult.model_validate({"title": "Ship it", "kind": "milestone",
                                       "checkins": [checkin("2026-11-03T09:00:00Z", 1)]})
    assert result.current == 1


@pytest.mark.parametrize("field, value", [("start", 1), ("target", 2), ("target", 0), ("start", -1),
                                          ("current", 0.5), ("current", 2)])
def test_milestone_other_values_are_refused(field, value):
    text = problems(KeyResult, {"title": "Ship it", "kind": "milestone", field: value})
    assert field in text


def test_milestone_checkin_value_other_than_0_or_1_is_refused():
    text = problems(KeyResult, {"title": "Ship it", "kind": "milestone",
                                "checkins": [checkin("2026-11-03T09:00:00Z", 0.5)]})
    assert "checkins[0].value" in text


def test_metric_needs_start_and_target():
    assert "target" in problems(KeyResult, {"title": "t", "start": 0})
    assert "start" in problems(KeyResult, {"title": "t", "target": 1})


def test_metric_target_equal_to_start_is_refused():
    assert "target" in problems(KeyResult, {"title": "t", "start": 5, "target": 5})
    assert "target" in problems(KeyResult, {"title": "t", "start": 5, "target": 5.0})


def test_lower_is_better_is_fine():
    assert kr(start=10, target=2, current=4).target == 2


@pytest.mark.parametrize("weight", [0, -1, -0.5])
def test_weight_must_be_positive(weight):
    assert "weight" in problems(KeyResult, {"title": "t", "start": 0, "target": 1, "weight": weight})


@pytest.mark.parametrize("field, value", [("kind", "boolean"), ("confidence", "green")])
def test_unknown_choices_are_refused(field, value):
    assert field in problems(KeyResult, {"title": "t", "start": 0, "target": 1, field: value})


# ---------------------------------------------------------------- numbers


def test_numbers_keep_int_and_float():
    result = kr(start=0, target=10, current=4, weight=1)
    assert type(result.current) is int and type(result.target) is int
    result = kr(start=0.0, target=2.5, current=4.0, weight=0.5)
    assert type(result.current) is float and result.current == 4.0
    assert type(result.start) is float
    assert result.model_dump(mode="json")["current"] == 4.0


@pytest.mark.parametrize("value", ["4", "4.0", "", "NaN", True, False, None, [4], {"v": 4}])
def test_strings_and_other_types_are_not_numbers(value):
    text = problems(KeyResult, {"title": "t", "start": 0, "target": 10, "current": value}) if value is not None \
        else problems(CheckIn, checkin("2026-11-03T09:00:00Z", value))
    assert ("current" if value is not None else "value") in text


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_numbers_are_refused(value):
    assert "current" in problems(KeyResult, {"title": "t", "start": 0, "target": 10, "current": value})
    assert "actual" in problems(Measure, {"name": "m", "target": 1, "actual": value})


def test_measure_target_is_required_and_others_optional():
    assert "target" in problems(Measure, {"name": "m"})
    measure = Measure.model_validate({"name": "m", "target": 3})
    assert (measure.unit, measure.baseline, measure.actual) == ("", None, None)


@pytest.mark.parametrize("text, expected", [
    ("41", 41), ("-3.5", -3.5), (".5", 0.5), ("1e3", 1000.0), (" 41 ", 41), ("+7", 7), ("2.", 2.0),
    ("-1e3", -1000.0), ("1E-2", 0.01),
])
def test_parse_number_accepts(text, expected):
    value = parse_number(text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize("text", ["NaN", "nan", "inf", "-inf", "Infinity", "1e999", "-1e999", "1_000", "12abc",
                                  "", "   ", "0x10", "1,5", ".", "e3", "1e", "+", "1.2.3"])
def test_parse_number_refuses(text):
    with pytest.raises(ValueError):
        parse_number(text)


@pytest.mark.parametrize("text, expected", [("done", 1), ("not-done", 0), ("1", 1), ("0", 0), (" done ", 1)])
def test_parse_value_milestone(text, expected):
    assert parse_value(text, "milestone") == expected


@pytest.mark.parametrize("text", ["2", "0.5", "yes", "half", "-1", "", "donee"])
def test_parse_value_milestone_refuses(text):
    with pytest.raises(ValueError):
        parse_value(text, "milestone")


# ---------------------------------------------------------------- times


def test_parse_time_without_zone_is_utc():
    assert parse_time("2026-11-20T10:00:00") == dt.datetime(2026, 11, 20, 10, tzinfo=UTC)


def test_parse_time_with_offset_is_converted_to_utc():
    moment = parse_time("2026-11-20T12:00:00+02:00")
    assert moment == dt.datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert moment.utcoffset() == dt.timedelta(0)


def test_parse_time_accepts_z():
    assert parse_time("2026-11-20T10:00:00Z") == dt.datetime(2026, 11, 20, 10, tzinfo=UTC)


def test_parse_time_of_a_datetime():
    naive = dt.datetime(2026, 11, 20, 10)
    assert parse_time(naive) == dt.datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert parse_time(naive.replace(tzinfo=dt.timezone(dt.timedelta(hours=-5)))) == dt.datetime(
        2026, 11, 20, 15, tzinfo=UTC)


@pytest.mark.parametrize("text", ["yesterday", "2026-11-31T10:00:00Z", "", "10:00", 1732096800, None])
def test_parse_time_refuses(text):
    with pytest.raises(ValueError):
        parse_time(text)


def test_checkin_time_is_written_in_utc_with_z():
    item = CheckIn.model_validate(checkin("2026-11-20T12:00:00+02:00", 1))
    assert item.to_doc()["at"] == "2026-11-20T10:00:00Z"
    assert item.to_doc() == {"at": "2026-11-20T10:00:00Z", "author": "ana", "value": 1, "confidence": "on-track",
                             "note": ""}


# ---------------------------------------------------------------- text


@pytest.mark.parametrize("model, data, field", [
    (StrategicObjective, {"code": "F1", "title": "x" * 201, "perspective": "financial"}, "title"),
    (Objective, {"title": "   "}, "title"),
    (Objective, {"title": "t", "owner": "o" * 65}, "owner"),
    (Objective, {"title": "a\x1bb"}, "title"),
    (Objective, {"title": "a\x85b"}, "title"),
    (Objective, {"title": "a\tb"}, "title"),
    (Objective, {"title": "a\u202eb"}, "title"),
    (Objective, {"title": "a\u2069b"}, "title"),
    (CheckIn, checkin("2026-11-20T10:00:00Z", 1, note="n" * 2001), "note"),
    (CheckIn, checkin("2026-11-20T10:00:00Z", 1, note="a\x1bb"), "note"),
    (CheckIn, checkin("2026-11-20T10:00:00Z", 1, note="a\u202ab"), "note"),
    (CheckIn, {**checkin("2026-11-20T10:00:00Z", 1), "author": "a" * 65}, "author"),
    (CheckIn, {**checkin("2026-11-20T10:00:00Z", 1), "author": ""}, "author"),
    (StrategicObjective, {"code": "O-3", "title": "t", "perspective": "financial"}, "code"),
    (StrategicObjective, {"code": "kr-12", "title": "t", "perspective": "financial"}, "code"),
    (StrategicObjective, {"code": "X" * 17, "title": "t", "perspective": "financial"}, "code"),
    (StrategicObjective, {"code": "F1", "title": "t", "perspective": "Financial"}, "perspective"),
    (StrategicObjective, {"code": "F1", "title": "t", "perspective": "financial", "drives": ["F1"]}, "drives"),
    (Cycle, {"id": "c" * 33, "start": "2026-10-01", "end": "2026-12-31"}, "id"),
    (Cycle, {"id": "Q", "start": "2026-10-01", "end": "2026-09-30"}, "end"),
    (Objective, {"title": "t", "colour": "red"}, "colour"),
])
def test_text_and_field_rules(model, data, field):
    assert field in problems(model, data)


def test_one_line_text_is_trimmed_and_notes_keep_tabs_and_newlines():
    objective = Objective.model_validate({"title": "  x  ", "owner": " team "})
    assert (objective.title, objective.owner) == ("x", "team")
    item = CheckIn.model_validate(checkin("2026-11-20T10:00:00Z", 1, note="a\n\tb"))
    assert item.note == "a\n\tb"


def test_scorecard_defaults():
    scorecard = Scorecard.model_validate({"format": "okrtui/1", "strategy": None, "cycles": None})
    assert (scorecard.organization, scorecard.strategy, scorecard.cycles) == (None, [], [])
    assert "format" in problems(Scorecard, {"format": "okrtui/2"})
